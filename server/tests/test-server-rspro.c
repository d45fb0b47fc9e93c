/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's RSPRO side against scripted bank and client peers:
 * registration, slot map pushes to banks and clients.
 */
#include "config.h"

#include <signal.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"
#include "rspro-ipa.h"

typedef struct {
	RemsimTestDaemon *server;
} ServerRsproFixture;

/* @data: more arguments for the server, or NULL */
static void
fixture_setup(ServerRsproFixture *f, gconstpointer data)
{
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .args = data, .capture_stderr = TRUE });
}

static void
fixture_teardown(ServerRsproFixture *f, gconstpointer data)
{
	g_clear_object(&f->server);
}

static guint16
rspro_port(ServerRsproFixture *f)
{
	return remsim_test_daemon_get_port(f->server);
}

/* a bank that said hello with @bound (may be NULL) and answers maps with @map_result */
static RemsimTestPeer *
bank_hello(ServerRsproFixture *f, guint16 bank_id, guint16 n_slots, const RsproIpPort *bound,
	   const gchar *script, gint *result)
{
	RemsimTestPeer *bank = remsim_test_peer_new_bank(bank_id, n_slots);
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(bank);

	if (bound != NULL) {
		hello->u.connect_bank_req.has_bound = TRUE;
		hello->u.connect_bank_req.bound = *bound;
	}
	remsim_test_peer_load_script(bank, script);
	remsim_test_peer_dial(bank, rspro_port(f), hello);
	*result = remsim_test_peer_wait_hello(bank);
	return bank;
}

/* a registered bank (asserts the server said ok) */
static RemsimTestPeer *
bank_new(ServerRsproFixture *f, guint16 bank_id, guint16 n_slots, const RsproIpPort *bound)
{
	gint result;
	RemsimTestPeer *bank =
	    bank_hello(f, bank_id, n_slots, bound, REMSIM_TEST_PEER_BANK_FOR_SERVER, &result);

	g_assert_cmpint(result, ==, RSPRO_RESULT_OK);
	return bank;
}

/* a registered client */
static RemsimTestPeer *
client_new(ServerRsproFixture *f, guint16 client_id, guint16 slot_nr)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(client_id, slot_nr);

	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	g_assert_cmpint(remsim_test_peer_connect(client, rspro_port(f)), ==, RSPRO_RESULT_OK);
	return client;
}

static guint
list_length(RemsimTestDaemon *server, const gchar *what)
{
	g_autofree gchar *path = g_strdup_printf("/api/backend/v1/%s", what);
	g_autoptr(JsonNode) root = remsim_test_daemon_rest_json(server, path, 200);

	return json_array_get_length(
	    json_object_get_array_member(json_node_get_object(root), what));
}

static gboolean
is_closed(RemsimTestPeer *peer)
{
	return remsim_test_peer_get_n_connections(peer) == 0;
}

static void
test_register(ServerRsproFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = bank_new(f, 1, 8, NULL);
	g_autoptr(RemsimTestPeer) bank_dup = NULL;
	g_autoptr(RemsimTestPeer) client = client_new(f, 5, 0);
	g_autoptr(RemsimTestPeer) client_other_slot = client_new(f, 5, 1);
	g_autoptr(RemsimTestPeer) client_dup = remsim_test_peer_new_client(5, 0);
	g_autoptr(JsonNode) b1 = NULL;
	gint result;

	bank_dup = bank_hello(f, 1, 4, NULL, "", &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_IDENTITY_IN_USE);
	/* the refused connection is dropped after a short linger */
	g_assert_true(remsim_test_peer_wait_closed(bank_dup));

	g_assert_cmpint(remsim_test_peer_connect(client_dup, rspro_port(f)), ==,
			RSPRO_RESULT_IDENTITY_IN_USE);
	g_assert_true(remsim_test_peer_wait_closed(client_dup));

	/* the first ones stay registered */
	g_assert_false(is_closed(bank));
	g_assert_false(is_closed(client));
	g_assert_cmpuint(list_length(f->server, "banks"), ==, 1);
	g_assert_cmpuint(list_length(f->server, "clients"), ==, 2);
	b1 = remsim_test_daemon_rest_json(f->server, "/api/backend/v1/banks/1", 200);
	g_assert_cmpint(json_object_get_int_member(json_node_get_object(b1), "numberOfSlots"), ==,
			8);

	/* a bank leaving is gone from the registry */
	g_clear_object(&bank);
	REMSIM_TEST_WAIT_FOR(list_length(f->server, "banks") == 0);
	/* and its id is free again */
	bank = bank_new(f, 1, 2, NULL);
}

static void
test_bad_hello(ServerRsproFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank0 = NULL;
	g_autoptr(RemsimTestPeer) no_slots = NULL;
	g_autoptr(RemsimTestPeer) wrong_type = remsim_test_peer_new_bank(4, 8);
	g_autoptr(RemsimTestPeer) no_slot = remsim_test_peer_new_client(0, 0);
	g_autoptr(RsproPdu) hello = NULL;
	g_autoptr(RsproPdu) client_hello = NULL;
	RsproComponentIdentity id = { 0 };
	gint result;

	bank0 = bank_hello(f, 0, 8, NULL, "", &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_ILLEGAL_BANK_ID);
	no_slots = bank_hello(f, 3, 0, NULL, "", &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_ILLEGAL_SLOT_ID);

	/* a client identity in connectBankReq: closed without an answer, as upstream */
	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "x", "remsim-client");
	hello = rspro_pdu_new_connect_bank_req(&id, 4, 8);
	remsim_test_peer_dial(wrong_type, rspro_port(f), hello);
	g_assert_true(remsim_test_peer_wait_closed(wrong_type));
	g_assert_cmpint(remsim_test_peer_wait_hello(wrong_type), ==, -1);

	/* connectClientReq without clientSlot: closed without an answer */
	client_hello = rspro_pdu_new_connect_client_req(&id, NULL);
	remsim_test_peer_dial(no_slot, rspro_port(f), client_hello);
	g_assert_true(remsim_test_peer_wait_closed(no_slot));
	g_assert_cmpint(remsim_test_peer_wait_hello(no_slot), ==, -1);
	rspro_component_identity_clear(&id);

	g_assert_cmpuint(list_length(f->server, "banks"), ==, 0);
	g_assert_cmpuint(list_length(f->server, "clients"), ==, 0);
}

static void
assert_config(RemsimTestPeer *client, guint bank, guint slot, const gchar *ip, guint port)
{
	g_autoptr(RsproPdu) cfg = remsim_test_peer_wait(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);
	g_autofree gchar *got_ip = rspro_ip_port_to_string(&cfg->u.config_client_bank_req.bankd);

	g_assert_cmpuint(cfg->u.config_client_bank_req.bank_slot.bank_id, ==, bank);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bank_slot.slot_nr, ==, slot);
	g_assert_cmpstr(got_ip, ==, ip);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bankd.port, ==, port);
}

static void
assert_mapping(RemsimTestPeer *bank, RsproMsgType type, guint b, guint bs, guint c, guint cs)
{
	g_autoptr(RsproPdu) req = remsim_test_peer_wait(bank, type);

	g_assert_cmpuint(req->u.create_mapping_req.bank.bank_id, ==, b);
	g_assert_cmpuint(req->u.create_mapping_req.bank.slot_nr, ==, bs);
	g_assert_cmpuint(req->u.create_mapping_req.client.client_id, ==, c);
	g_assert_cmpuint(req->u.create_mapping_req.client.slot_nr, ==, cs);
}

static void
test_create_delete(ServerRsproFixture *f, gconstpointer data)
{
	RsproIpPort bound;
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RemsimTestPeer) client = client_new(f, 7, 0);
	g_autofree gchar *state = NULL;

	g_assert_true(rspro_ip_port_from_string(&bound, "10.1.2.3", 4444));
	bank = bank_new(f, 1, 8, &bound);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 2, 7, 0), ==, 201);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 1, 2, 7, 0);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 1, 2, "ACTIVE"));
	/* the client is told the bank's advertised endpoint, with its real port */
	assert_config(client, 1, 2, "10.1.2.3", 4444);

	g_assert_cmpuint(remsim_test_daemon_rest(f->server, "DELETE",
						 "/api/backend/v1/slotmaps/65538", NULL, NULL, NULL,
						 NULL),
			 ==, 200);
	assert_mapping(bank, RSPRO_MSG_REMOVE_MAPPING_REQ, 1, 2, 7, 0);
	assert_config(client, 1, 2, "0.0.0.0", 0);
	state = remsim_test_daemon_slotmap_state(f->server, 1, 2);
	g_assert_null(state);
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_CREATE_MAPPING_REQ), ==, 1);
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_REMOVE_MAPPING_REQ), ==, 1);
}

/*
 * A bank may send clients only to its own address (or an allowed one): one
 * that announces another host is refused as upstream refuses a bad bank id
 */
static void
test_bound_refused(ServerRsproFixture *f, gconstpointer data)
{
	RsproIpPort elsewhere, allowed, own;
	gint result;
	g_autoptr(RemsimTestPeer) bad = NULL;
	g_autoptr(RemsimTestPeer) listed = NULL;
	g_autoptr(RemsimTestPeer) loopback = NULL;

	g_assert_true(rspro_ip_port_from_string(&elsewhere, "192.0.2.66", 9999));
	bad = bank_hello(f, 4, 8, &elsewhere, REMSIM_TEST_PEER_BANK_FOR_SERVER, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_ILLEGAL_BANK_ID);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->server, "announces 192.0.2.66:9999 for its clients") == 1);

	/* the same bank id is free: the refused one did not register */
	g_assert_true(rspro_ip_port_from_string(&allowed, "10.1.2.3", 4444));
	listed = bank_new(f, 4, 8, &allowed);
	g_assert_true(rspro_ip_port_from_string(&own, "127.0.0.1", 4445));
	loopback = bank_new(f, 5, 8, &own);
}

static void
test_endpoint_fallback(ServerRsproFixture *f, gconstpointer data)
{
	RsproIpPort any;
	g_autoptr(RemsimTestPeer) plain = bank_new(f, 2, 4, NULL);
	g_autoptr(RemsimTestPeer) bound_any = NULL;
	g_autoptr(RemsimTestPeer) c1 = client_new(f, 1, 0);
	g_autoptr(RemsimTestPeer) c2 = client_new(f, 2, 0);

	g_assert_true(rspro_ip_port_from_string(&any, "0.0.0.0", 5555));
	bound_any = bank_new(f, 3, 4, &any);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 2, 0, 1, 0), ==, 201);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 3, 1, 2, 0), ==, 201);
	/* no bound: the peer address and upstream's 9999 */
	assert_config(c1, 2, 0, "127.0.0.1", 9999);
	/* bound on every address: the peer address with the bound port */
	assert_config(c2, 3, 1, "127.0.0.1", 5555);
}

static void
test_late_bank_and_client(ServerRsproFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RsproPdu) none = NULL;

	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 3, 0, 8, 0), ==, 201);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 3, 0, "NEW"));
	remsim_test_common_spin_for(200);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 3, 0, "NEW"));

	bank = bank_new(f, 3, 8, NULL);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 3, 0, 8, 0);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 3, 0, "ACTIVE"));

	/* a client that connects later is configured at once */
	client = client_new(f, 8, 0);
	assert_config(client, 3, 0, "127.0.0.1", 9999);

	/* the bank goes away: the map falls back to NEW and is pushed again on return */
	g_clear_object(&bank);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 3, 0, "NEW"));
	/* meanwhile the client is told nothing (no 0.0.0.0:0 that would stop a relay
	 * still running between client and bank), also when it reconnects */
	remsim_test_common_spin_for(300);
	none = remsim_test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);
	g_assert_null(none);
	g_clear_object(&client);
	client = client_new(f, 8, 0);
	remsim_test_common_spin_for(300);
	none = remsim_test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);
	g_assert_null(none);
	bank = bank_new(f, 3, 8, NULL);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 3, 0, 8, 0);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 3, 0, "ACTIVE"));
	/* and is sent to the bank once the bank has the map again */
	assert_config(client, 3, 0, "127.0.0.1", 9999);
}

static void
test_bank_error(ServerRsproFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RemsimTestPeer) client = client_new(f, 9, 0);
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(RsproPdu) cfg = NULL;
	g_autofree gchar *state = NULL;
	JsonObject *map;
	gint result;

	/* a bank that refuses every map */
	bank = bank_hello(f, 4, 2, NULL,
			  "every createMappingReq\nreply result illegalSlotId\n"
			  "every removeMappingReq\nreply result ok\n",
			  &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_OK);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 4, 5, 9, 0), ==, 201);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 4, 5, 9, 0);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 4, 5, "ERROR"));
	root = remsim_test_daemon_rest_json(f->server, "/api/backend/v1/slotmaps", 200);
	map = json_array_get_object_element(
	    json_object_get_array_member(json_node_get_object(root), "slotmaps"), 0);
	/* upstream's keys stay, the bank's answer is added */
	g_assert_true(json_object_has_member(map, "bank"));
	g_assert_true(json_object_has_member(map, "client"));
	g_assert_cmpstr(json_object_get_string_member(map, "error"), ==, "illegalSlotId");
	/* the client is not sent to a bank that refused the map (it would be with the answer) */
	remsim_test_common_spin_for(300);
	cfg = remsim_test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);
	if (cfg)
		g_assert_cmpuint(cfg->u.config_client_bank_req.bankd.port, ==, 0);
	/* deleting a refused map needs nothing from the bank */
	g_assert_cmpuint(remsim_test_daemon_rest(f->server, "DELETE",
						 "/api/backend/v1/slotmaps/262149", NULL, NULL,
						 NULL, NULL),
			 ==, 200);
	state = remsim_test_daemon_slotmap_state(f->server, 4, 5);
	g_assert_null(state);
}

static void
test_global_reset(ServerRsproFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = bank_new(f, 5, 8, NULL);
	g_autoptr(RsproPdu) reset = NULL;

	for (guint i = 0; i < 4; i++)
		g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 5, i, 20 + i, 0), ==,
				 201);
	for (guint i = 0; i < 4; i++)
		g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 5, i, "ACTIVE"));
	g_assert_cmpuint(remsim_test_daemon_rest(f->server, "POST", "/api/backend/v1/global-reset",
						 NULL, NULL, NULL, NULL),
			 ==, 200);
	for (guint i = 0; i < 4; i++)
		assert_mapping(bank, RSPRO_MSG_REMOVE_MAPPING_REQ, 5, i, 20 + i, 0);
	g_assert_cmpuint(list_length(f->server, "slotmaps"), ==, 0);
	/* upstream's global reset sends no resetStateReq */
	remsim_test_common_spin_for(300);
	reset = remsim_test_peer_take(bank, RSPRO_MSG_RESET_STATE_REQ);
	g_assert_null(reset);
}

static gboolean
banks_empty(gpointer data)
{
	return list_length(data, "banks") == 0;
}

/* a bank that registers and then never answers a PING is dropped */
static void
test_dead_peer(ServerRsproFixture *f, gconstpointer data)
{
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) hello = NULL;
	g_autoptr(GBytes) der = NULL;
	g_autoptr(GBytes) frame = NULL;
	RsproComponentIdentity id = { 0 };
	gint64 start;
	gdouble waited;

	/* a socket, not a peer: an RsproConnection would answer the PINGs */
	conn = g_socket_client_connect_to_host(sc, "127.0.0.1", rspro_port(f), NULL, &error);
	g_assert_no_error(error);
	rspro_component_identity_init(&id, RSPRO_COMPONENT_BANKD, "mute", "remsim-bankd");
	hello = rspro_pdu_new_connect_bank_req(&id, 9, 4);
	rspro_component_identity_clear(&id);
	der = rspro_pdu_encode(hello, &error);
	g_assert_no_error(error);
	frame = rspro_ipa_wrap_rspro(der, &error);
	g_assert_no_error(error);
	g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)),
				  g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), NULL,
				  NULL, &error);
	g_assert_no_error(error);
	start = g_get_monotonic_time();
	REMSIM_TEST_WAIT_FOR(list_length(f->server, "banks") == 1);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 9, 0, 1, 0), ==, 201);
	/*
	 * upstream's timers: PING at once, 10 s for the PONG (their values:
	 * test-backoff). Timed from below only: a loaded machine drops it later.
	 */
	g_assert_true(
	    remsim_test_common_spin_until(banks_empty, f->server, 10000 + REMSIM_TEST_TIMEOUT_MS));
	waited = (g_get_monotonic_time() - start) / 1e6;
	g_test_message("dropped after %.1f s", waited);
	g_assert_cmpfloat(waited, >, 5.0);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 9, 0, "NEW"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/server/rspro/" name, ServerRsproFixture, NULL, fixture_setup, fn,             \
		   fixture_teardown)
	ADD("register", test_register);
	ADD("bad-hello", test_bad_hello);
#define ADD_ARGS(name, args, fn)                                                                   \
	g_test_add("/server/rspro/" name, ServerRsproFixture, args, fixture_setup, fn,             \
		   fixture_teardown)
	/* 10.1.2.3: the address the banks of these tests announce */
	static const gchar *const allow[] = { "--bank-allowed-addresses=10.1.2.3", NULL };

	ADD_ARGS("create-delete", allow, test_create_delete);
	ADD_ARGS("bound-refused", allow, test_bound_refused);
	ADD("endpoint-fallback", test_endpoint_fallback);
	ADD("late-bank-and-client", test_late_bank_and_client);
	ADD("bank-error", test_bank_error);
	ADD("global-reset", test_global_reset);
	ADD("dead-peer", test_dead_peer);
	return g_test_run();
}
