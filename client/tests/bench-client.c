/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Round trips through remsim-client: APDUs typed into the shell front end, one
 * at a time as upstream's shell users do (lockstep: the next line goes once
 * the R-APDU of the last is out), through the real client to a scripted test
 * bank (tests/common's peer, whose card answers bank id, INS, 90 00) over
 * loopback and back. Every R-APDU line is checked; prints round trips per
 * second and the mean time of one.
 */
#include "config.h"

#include <stdio.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define N_APDUS 2000

int
main(int argc, char **argv)
{
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };
	g_autoptr(GString) input = g_string_new(NULL);
	g_autoptr(RemsimTestPeer) server = remsim_test_peer_new_server();
	g_autoptr(RemsimTestPeer) bank = remsim_test_peer_new_bank(1, 1);
	g_autoptr(RemsimTestDaemon) client = NULL;
	GPtrArray *lines;
	gint64 t0, t1;
	guint n;
	gdouble secs;

	g_test_init(&argc, &argv, NULL);
	remsim_test_peer_serve(bank, REMSIM_TEST_PEER_BANK_FOR_CLIENT);
	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_CLIENT);
	remsim_test_peer_set_config(server, 1, 5, remsim_test_peer_get_port(bank));
	client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
					.args = args });
	lines = remsim_test_daemon_get_lines(client);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(bank, RSPRO_MSG_SET_ATR_RES) == 1 &&
			     lines->len >= 2);

	for (guint i = 0; i < N_APDUS; i++)
		g_string_append_printf(input, "a0 b0 %02x %02x 10\n", i >> 8 & 0xff, i & 0xff);
	t0 = g_get_monotonic_time();
	remsim_test_daemon_write(client, input->str);
	remsim_test_daemon_close_stdin(client);
	g_assert_cmpint(remsim_test_daemon_wait_exit(client), ==, 0);
	t1 = g_get_monotonic_time();
	n = lines->len - 2;
	g_assert_cmpuint(n, ==, N_APDUS);
	/* each command reached the bank, and each answer is the test card's, in order */
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_TPDU_MODEM_TO_CARD), ==, N_APDUS);
	for (guint i = 0; i < n; i++)
		g_assert_cmpstr(lines->pdata[2 + i], ==, "R-APDU: 01 b0 90 00 ");
	secs = (gdouble)(t1 - t0) / G_USEC_PER_SEC;
	printf("remsim-client, shell front end -> test bank peer over loopback, one APDU in "
	       "flight: %u round trips in %.3f s: %.0f round trips/s, %.3f ms per round trip\n",
	       n, secs, n / secs, secs * 1000 / n);
	return 0;
}
