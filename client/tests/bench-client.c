/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Relay throughput of remsim-client: APDUs typed into the shell front end, one at
 * a time as upstream's shell users do, through the client to a test bank peer
 * and back. Prints APDUs per second and the mean round trip.
 */
#include "config.h"

#include <stdio.h>

#include "client-test-peers.h"

#define N_APDUS 2000

int
main(int argc, char **argv)
{
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };
	g_autoptr(GString) input = g_string_new(NULL);
	TestPeer *server, *bank;
	TestClient *client;
	gint64 t0, t1;
	guint n;
	gdouble secs;

	g_test_init(&argc, &argv, NULL);
	server = test_peer_new_server();
	bank = test_peer_new_bank(1);
	test_peer_map(server, 1, 5, bank->port);
	client = test_client_spawn(server->port, args, NULL);
	TEST_WAIT_FOR(bank->set_atr_res == 1 && client->lines->len >= 2, 10000);

	for (guint i = 0; i < N_APDUS; i++)
		g_string_append_printf(input, "a0 b0 %02x %02x 10\n", i >> 8 & 0xff, i & 0xff);
	t0 = g_get_monotonic_time();
	test_client_write(client, input->str);
	test_client_close_stdin(client);
	TEST_WAIT_FOR(client->exited && client->stdout_eof, 60000);
	t1 = g_get_monotonic_time();
	n = client->lines->len - 2;
	g_assert_cmpuint(n, ==, N_APDUS);
	secs = (gdouble)(t1 - t0) / G_USEC_PER_SEC;
	printf(
	    "remsim-client relay (shell, loopback, test bank): %u APDUs in %.3f s: %.0f APDUs/s, "
	    "%.3f ms per APDU\n",
	    n, secs, n / secs, secs * 1000 / n);
	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
	return 0;
}
