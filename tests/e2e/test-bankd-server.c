/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The chain with the real remsim-server: a map made over REST reaches the
 * bankd, a client relays through it, the server is killed (the relay goes
 * on) and restarted from its state (the bank registers again, the map holds).
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

typedef struct {
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
	RemsimTestPeer *client;
} BankdServerFixture;

/* a client of the bankd that dials, as a real one does, until the map is there */
static RemsimTestPeer *
client_connect(BankdServerFixture *f)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(5, 0);
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(client);

	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	remsim_test_peer_dial_link(client, remsim_test_daemon_get_port(f->bankd), hello,
				   RSPRO_COMPONENT_BANKD);
	g_assert_cmpint(remsim_test_peer_wait_hello(client), ==, RSPRO_RESULT_OK);
	return client;
}

/* server, bankd, a map made over REST, and a client that got its card */
static void
fixture_setup(BankdServerFixture *f, gconstpointer data)
{
	f->server = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER, NULL);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.backend = "example",
					.n_slots = 2,
					.config = "\n[example]\nslots=2\n" });
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 5, 0), ==, 201);
	f->client = client_connect(f);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(f->client, RSPRO_MSG_SET_ATR_REQ) == 1);
}

static void
fixture_teardown(BankdServerFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
}

static void
assert_echo(RemsimTestPeer *client, guint seq)
{
	g_autofree gchar *hex = g_strdup_printf("00D6000002%04X", seq);
	g_autofree gchar *want = g_strdup_printf("%04X9000", seq);
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(hex);
	g_autoptr(GBytes) res = remsim_test_peer_apdu(client, 0, apdu);
	g_autofree gchar *got = NULL;

	g_assert_nonnull(res);
	got = remsim_test_common_bytes_hex(res);
	g_assert_cmpstr(got, ==, want);
}

/* GET /banks lists bank 1 */
static gboolean
bank_registered(RemsimTestDaemon *server)
{
	g_autofree gchar *body = NULL;

	return remsim_test_daemon_rest(server, "GET", "/api/backend/v1/banks", NULL, NULL, &body,
				       NULL) == 200 &&
	       (strstr(body, "\"bankId\":1") != NULL || strstr(body, "\"bankId\" : 1") != NULL);
}

/* one connection all along */
static gboolean
still_connected(RemsimTestPeer *client)
{
	return remsim_test_peer_get_n_sessions(client) == 1 &&
	       remsim_test_peer_get_n_connections(client) == 1;
}

static void
test_relay(BankdServerFixture *f, gconstpointer data)
{
	assert_echo(f->client, 1);
}

/* the server goes away: the relay goes on */
static void
test_server_killed(BankdServerFixture *f, gconstpointer data)
{
	assert_echo(f->client, 1);
	remsim_test_daemon_kill(f->server);
	for (guint i = 2; i < 20; i++)
		assert_echo(f->client, i);
	g_assert_true(still_connected(f->client));
}

/* the bank comes back to the restarted server, which keeps its map */
static void
test_server_restarted(BankdServerFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) again = NULL;

	remsim_test_daemon_kill(f->server);
	remsim_test_daemon_start(f->server);
	REMSIM_TEST_WAIT_FOR(bank_registered(f->server));
	for (guint i = 20; i < 40; i++)
		assert_echo(f->client, i);
	g_assert_true(still_connected(f->client));
	g_clear_object(&f->client);
	again = client_connect(f);
	assert_echo(again, 41);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/e2e/bankd-server/" name, BankdServerFixture, NULL, fixture_setup, fn,         \
		   fixture_teardown)
	ADD("relay", test_relay);
	ADD("server-killed", test_server_killed);
	ADD("server-restarted", test_server_restarted);
	return g_test_run();
}
