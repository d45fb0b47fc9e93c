/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The chain with the real remsim-server: a map made over REST reaches the
 * bankd, a client relays through it, the server is killed (the relay goes
 * on) and restarted from its state (the bank registers again, the map holds).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "remsim-test-bankd.h"

typedef struct {
	GSubprocess *proc;
	gchar *dir;
	guint16 rspro_port;
	guint16 rest_port;
} Server;

static gboolean
server_has_ports(gpointer data)
{
	Server *s = data;
	g_autofree gchar *path = g_build_filename(s->dir, "ports", NULL);

	return remsim_test_common_read_server_ports(path, &s->rspro_port, &s->rest_port);
}

static void
server_start(Server *s)
{
	g_autofree gchar *ports = g_build_filename(s->dir, "ports", NULL);

	s->proc = remsim_test_common_server_spawn(g_getenv("REMSIM_SERVER"), s->dir, s->rspro_port,
						  ports);
	g_assert_true(remsim_test_common_spin_until(server_has_ports, s, TEST_TIMEOUT_MS));
}

static void
server_kill(Server *s)
{
	g_assert_true(remsim_test_common_daemon_stop(s->proc, SIGKILL, TEST_TIMEOUT_MS));
	g_clear_object(&s->proc);
}

/* the server pushes the map when the bank is there: retry like a real client */
static RemsimTestBankdClient *
connect_when_mapped(guint16 port, guint16 client_id, guint16 slot_nr)
{
	for (guint i = 0; i < 100; i++) {
		RemsimTestBankdClient *client =
		    remsim_test_bankd_client_connect(port, client_id, slot_nr);

		if (client != NULL && client->result == RSPRO_RESULT_OK)
			return client;
		remsim_test_bankd_client_free(client);
		remsim_test_common_spin_for(200);
	}
	return NULL;
}

/* GET /banks lists bank 1 once the bankd has registered again */
static gboolean
bank_registered(Server *s)
{
	for (guint i = 0; i < 150; i++) {
		g_autofree gchar *reply = NULL;

		if (remsim_test_common_rest_request(s->rest_port, "GET", "/api/backend/v1/banks",
						    "", &reply) == 200 &&
		    (strstr(reply, "\"bankId\":1") != NULL ||
		     strstr(reply, "\"bankId\" : 1") != NULL))
			return TRUE;
		remsim_test_common_spin_for(200);
	}
	return FALSE;
}

static void
assert_echo(RemsimTestBankdClient *client, guint seq)
{
	g_autofree gchar *hex = g_strdup_printf("00D6000002%04X", seq);
	g_autofree gchar *want = g_strdup_printf("%04X9000", seq);
	g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(hex);
	g_autoptr(GBytes) res = remsim_test_bankd_client_apdu(client, 0, apdu);
	g_autofree gchar *got = NULL;

	g_assert_nonnull(res);
	got = remsim_test_bankd_bytes_hex(res);
	g_assert_cmpstr(got, ==, want);
}

static void
test_chain_with_server(void)
{
	Server s = { 0 };
	g_autoptr(GError) error = NULL;
	RemsimTestBankd *bankd;
	RemsimTestBankdClient *client;

	if (g_getenv("REMSIM_SERVER") == NULL) {
		g_test_skip("remsim-server is not built");
		return;
	}
	s.dir = g_dir_make_tmp("remsim-server-test-XXXXXX", &error);
	g_assert_no_error(error);
	server_start(&s);
	bankd = remsim_test_bankd_start("example", 2, s.rspro_port, "slots=2");
	g_assert_cmpuint(
	    remsim_test_common_rest_request(s.rest_port, "POST", "/api/backend/v1/slotmaps",
					    "{\"bank\":{\"bankId\":1,\"slotNr\":0},"
					    "\"client\":{\"clientId\":5,\"slotNr\":0}}",
					    NULL),
	    ==, 201);
	client = connect_when_mapped(bankd->port, 5, 0);
	g_assert_nonnull(client);
	g_assert_true(remsim_test_bankd_client_wait_atr(client));
	assert_echo(client, 1);

	server_kill(&s);
	for (guint i = 2; i < 20; i++)
		assert_echo(client, i);
	server_start(&s);
	/* the bank comes back to the restarted server, which keeps its map */
	g_assert_true(bank_registered(&s));
	for (guint i = 20; i < 40; i++)
		assert_echo(client, i);
	g_assert_false(client->closed);
	remsim_test_bankd_client_free(client);
	client = connect_when_mapped(bankd->port, 5, 0);
	g_assert_nonnull(client);
	assert_echo(client, 41);
	remsim_test_bankd_client_free(client);

	remsim_test_bankd_stop(bankd);
	g_assert_true(remsim_test_common_daemon_stop(s.proc, SIGTERM, TEST_TIMEOUT_MS));
	g_clear_object(&s.proc);
	remsim_test_common_remove_tree(s.dir);
	g_free(s.dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bankd/server/chain", test_chain_with_server);
	return g_test_run();
}
