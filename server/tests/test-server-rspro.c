/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-server's RSPRO side: registration, slot map pushes to banks and clients. */
#include "remsim-test-util.h"
#include "rspro-ipa.h"

typedef TestServerFixture Fixture;

static guint
list_length(TestServer *s, const gchar *what)
{
	g_autofree gchar *path = g_strdup_printf("/api/backend/v1/%s", what);
	g_autoptr(JsonNode) root = test_http_get_json(s, path, 200);

	return json_array_get_length(
	    json_object_get_array_member(json_node_get_object(root), what));
}

static gchar *
ip_text(const RsproIpPort *ip)
{
	return rspro_ip_port_to_string(ip);
}

static void
test_register(Fixture *f, gconstpointer data)
{
	g_autoptr(ServerTestPeer) bank = test_bank_new(f->server, 1, 8, NULL);
	g_autoptr(ServerTestPeer) bank_dup = test_peer_connect(f->server);
	g_autoptr(ServerTestPeer) client = test_client_new(f->server, 5, 0);
	g_autoptr(ServerTestPeer) client_other_slot = test_client_new(f->server, 5, 1);
	g_autoptr(ServerTestPeer) client_dup = test_peer_connect(f->server);
	g_autoptr(JsonNode) b1 = NULL;

	test_peer_send_bank_hello(bank_dup, 1, 4, NULL);
	g_assert_cmpint(test_peer_wait_hello(bank_dup), ==, RSPRO_RESULT_IDENTITY_IN_USE);
	/* the refused connection is dropped after a short linger */
	g_assert_true(test_peer_wait_closed(bank_dup, 5000));

	test_peer_send_client_hello(client_dup, 5, 0);
	g_assert_cmpint(test_peer_wait_hello(client_dup), ==, RSPRO_RESULT_IDENTITY_IN_USE);
	g_assert_true(test_peer_wait_closed(client_dup, 5000));

	/* the first ones stay registered */
	g_assert_false(bank->closed);
	g_assert_false(client->closed);
	g_assert_cmpuint(list_length(f->server, "banks"), ==, 1);
	g_assert_cmpuint(list_length(f->server, "clients"), ==, 2);
	b1 = test_http_get_json(f->server, "/api/backend/v1/banks/1", 200);
	g_assert_cmpint(json_object_get_int_member(json_node_get_object(b1), "numberOfSlots"), ==,
			8);

	/* a bank leaving is gone from the registry */
	g_clear_pointer(&bank, test_peer_free);
	for (guint i = 0; i < 200 && list_length(f->server, "banks") != 0; i++)
		remsim_test_common_spin_for(20);
	g_assert_cmpuint(list_length(f->server, "banks"), ==, 0);
	/* and its id is free again */
	bank = test_bank_new(f->server, 1, 2, NULL);
}

static void
test_bad_hello(Fixture *f, gconstpointer data)
{
	g_autoptr(ServerTestPeer) bank0 = test_peer_connect(f->server);
	g_autoptr(ServerTestPeer) no_slots = test_peer_connect(f->server);
	g_autoptr(ServerTestPeer) wrong_type = test_peer_connect(f->server);
	g_autoptr(ServerTestPeer) no_slot = test_peer_connect(f->server);
	g_autoptr(RsproPdu) hello = NULL;
	g_autoptr(RsproPdu) client_hello = NULL;
	RsproComponentIdentity id = { 0 };

	test_peer_send_bank_hello(bank0, 0, 8, NULL);
	g_assert_cmpint(test_peer_wait_hello(bank0), ==, RSPRO_RESULT_ILLEGAL_BANK_ID);
	test_peer_send_bank_hello(no_slots, 3, 0, NULL);
	g_assert_cmpint(test_peer_wait_hello(no_slots), ==, RSPRO_RESULT_ILLEGAL_SLOT_ID);

	/* a client identity in connectBankReq: closed without an answer, as upstream */
	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "x", "remsim-client");
	hello = rspro_pdu_new_connect_bank_req(&id, 4, 8);
	test_peer_send(wrong_type, hello);
	g_assert_true(test_peer_wait_closed(wrong_type, 5000));
	g_assert_cmpint(wrong_type->hello_result, ==, -1);

	/* connectClientReq without clientSlot: closed without an answer */
	client_hello = rspro_pdu_new_connect_client_req(&id, NULL);
	test_peer_send(no_slot, client_hello);
	g_assert_true(test_peer_wait_closed(no_slot, 5000));
	g_assert_cmpint(no_slot->hello_result, ==, -1);
	rspro_component_identity_clear(&id);

	g_assert_cmpuint(list_length(f->server, "banks"), ==, 0);
	g_assert_cmpuint(list_length(f->server, "clients"), ==, 0);
}

static void
assert_config(ServerTestPeer *client, guint bank, guint slot, const gchar *ip, guint port)
{
	g_autoptr(RsproPdu) cfg = test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ, 10000);
	g_autofree gchar *got_ip = NULL;

	g_assert_nonnull(cfg);
	got_ip = ip_text(&cfg->u.config_client_bank_req.bankd);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bank_slot.bank_id, ==, bank);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bank_slot.slot_nr, ==, slot);
	g_assert_cmpstr(got_ip, ==, ip);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bankd.port, ==, port);
}

static void
assert_mapping(ServerTestPeer *bank, RsproMsgType type, guint b, guint bs, guint c, guint cs)
{
	g_autoptr(RsproPdu) req = test_peer_take(bank, type, 10000);

	g_assert_nonnull(req);
	g_assert_cmpuint(req->u.create_mapping_req.bank.bank_id, ==, b);
	g_assert_cmpuint(req->u.create_mapping_req.bank.slot_nr, ==, bs);
	g_assert_cmpuint(req->u.create_mapping_req.client.client_id, ==, c);
	g_assert_cmpuint(req->u.create_mapping_req.client.slot_nr, ==, cs);
}

static void
test_create_delete(Fixture *f, gconstpointer data)
{
	RsproIpPort bound;
	g_autoptr(ServerTestPeer) bank = NULL;
	g_autoptr(ServerTestPeer) client = test_client_new(f->server, 7, 0);

	g_assert_true(rspro_ip_port_from_string(&bound, "10.1.2.3", 4444));
	bank = test_bank_new(f->server, 1, 8, &bound);
	g_assert_cmpuint(test_create_slotmap(f->server, 1, 2, 7, 0), ==, 201);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 1, 2, 7, 0);
	g_assert_true(test_wait_slotmap_state(f->server, 1, 2, "ACTIVE"));
	/* the client is told the bank's advertised endpoint, with its real port */
	assert_config(client, 1, 2, "10.1.2.3", 4444);

	g_assert_cmpuint(test_http(f->server, "DELETE", "/api/backend/v1/slotmaps/65538", NULL,
				   NULL, NULL, NULL),
			 ==, 200);
	assert_mapping(bank, RSPRO_MSG_REMOVE_MAPPING_REQ, 1, 2, 7, 0);
	assert_config(client, 1, 2, "0.0.0.0", 0);
	g_assert_null(test_slotmap_state(f->server, 1, 2));
	g_assert_cmpuint(bank->n_creates, ==, 1);
	g_assert_cmpuint(bank->n_removes, ==, 1);
}

static void
test_endpoint_fallback(Fixture *f, gconstpointer data)
{
	RsproIpPort any;
	g_autoptr(ServerTestPeer) plain = test_bank_new(f->server, 2, 4, NULL);
	g_autoptr(ServerTestPeer) bound_any = NULL;
	g_autoptr(ServerTestPeer) c1 = test_client_new(f->server, 1, 0);
	g_autoptr(ServerTestPeer) c2 = test_client_new(f->server, 2, 0);

	g_assert_true(rspro_ip_port_from_string(&any, "0.0.0.0", 5555));
	bound_any = test_bank_new(f->server, 3, 4, &any);
	g_assert_cmpuint(test_create_slotmap(f->server, 2, 0, 1, 0), ==, 201);
	g_assert_cmpuint(test_create_slotmap(f->server, 3, 1, 2, 0), ==, 201);
	/* no bound: the peer address and upstream's 9999 */
	assert_config(c1, 2, 0, "127.0.0.1", 9999);
	/* bound on every address: the peer address with the bound port */
	assert_config(c2, 3, 1, "127.0.0.1", 5555);
}

static void
test_late_bank_and_client(Fixture *f, gconstpointer data)
{
	g_autoptr(ServerTestPeer) bank = NULL;
	g_autoptr(ServerTestPeer) client = NULL;

	g_assert_cmpuint(test_create_slotmap(f->server, 3, 0, 8, 0), ==, 201);
	g_assert_true(test_wait_slotmap_state(f->server, 3, 0, "NEW"));
	remsim_test_common_spin_for(200);
	g_assert_true(test_wait_slotmap_state(f->server, 3, 0, "NEW"));

	bank = test_bank_new(f->server, 3, 8, NULL);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 3, 0, 8, 0);
	g_assert_true(test_wait_slotmap_state(f->server, 3, 0, "ACTIVE"));

	/* a client that connects later is configured at once */
	client = test_client_new(f->server, 8, 0);
	assert_config(client, 3, 0, "127.0.0.1", 9999);

	/* the bank goes away: the map falls back to NEW and is pushed again on return */
	g_clear_pointer(&bank, test_peer_free);
	g_assert_true(test_wait_slotmap_state(f->server, 3, 0, "NEW"));
	/* meanwhile the client is told nothing (no 0.0.0.0:0 that would stop a relay
	 * still running between client and bank), also when it reconnects */
	g_assert_null(test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ, 300));
	g_clear_pointer(&client, test_peer_free);
	client = test_client_new(f->server, 8, 0);
	g_assert_null(test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ, 300));
	bank = test_bank_new(f->server, 3, 8, NULL);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 3, 0, 8, 0);
	g_assert_true(test_wait_slotmap_state(f->server, 3, 0, "ACTIVE"));
	/* and is sent to the bank once the bank has the map again */
	assert_config(client, 3, 0, "127.0.0.1", 9999);
}

static void
test_bank_error(Fixture *f, gconstpointer data)
{
	g_autoptr(ServerTestPeer) bank = test_peer_connect(f->server);
	g_autoptr(ServerTestPeer) client = test_client_new(f->server, 9, 0);
	g_autoptr(JsonNode) root = NULL;
	JsonObject *map;

	bank->map_result = RSPRO_RESULT_ILLEGAL_SLOT_ID;
	test_peer_send_bank_hello(bank, 4, 2, NULL);
	g_assert_cmpint(test_peer_wait_hello(bank), ==, RSPRO_RESULT_OK);
	g_assert_cmpuint(test_create_slotmap(f->server, 4, 5, 9, 0), ==, 201);
	assert_mapping(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 4, 5, 9, 0);
	g_assert_true(test_wait_slotmap_state(f->server, 4, 5, "ERROR"));
	root = test_http_get_json(f->server, "/api/backend/v1/slotmaps", 200);
	map = json_array_get_object_element(
	    json_object_get_array_member(json_node_get_object(root), "slotmaps"), 0);
	/* upstream's keys stay, the bank's answer is added */
	g_assert_true(json_object_has_member(map, "bank"));
	g_assert_true(json_object_has_member(map, "client"));
	g_assert_cmpstr(json_object_get_string_member(map, "error"), ==, "illegalSlotId");
	/* the client is not sent to a bank that refused the map */
	{
		g_autoptr(RsproPdu) cfg =
		    test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ, 2000);

		if (cfg)
			g_assert_cmpuint(cfg->u.config_client_bank_req.bankd.port, ==, 0);
	}
	/* deleting a refused map needs nothing from the bank */
	g_assert_cmpuint(test_http(f->server, "DELETE", "/api/backend/v1/slotmaps/262149", NULL,
				   NULL, NULL, NULL),
			 ==, 200);
	g_assert_null(test_slotmap_state(f->server, 4, 5));
}

static void
test_global_reset(Fixture *f, gconstpointer data)
{
	g_autoptr(ServerTestPeer) bank = test_bank_new(f->server, 5, 8, NULL);

	for (guint i = 0; i < 4; i++)
		g_assert_cmpuint(test_create_slotmap(f->server, 5, i, 20 + i, 0), ==, 201);
	for (guint i = 0; i < 4; i++)
		g_assert_true(test_wait_slotmap_state(f->server, 5, i, "ACTIVE"));
	g_assert_cmpuint(
	    test_http(f->server, "POST", "/api/backend/v1/global-reset", NULL, NULL, NULL, NULL),
	    ==, 200);
	for (guint i = 0; i < 4; i++)
		assert_mapping(bank, RSPRO_MSG_REMOVE_MAPPING_REQ, 5, i, 20 + i, 0);
	g_assert_cmpuint(list_length(f->server, "slotmaps"), ==, 0);
	/* upstream's global reset sends no resetStateReq */
	g_assert_null(test_peer_take(bank, RSPRO_MSG_RESET_STATE_REQ, 300));
}

static gboolean
banks_empty(gpointer data)
{
	return list_length(data, "banks") == 0;
}

/* a bank that registers and then never answers a PING is dropped */
static void
test_dead_peer(Fixture *f, gconstpointer data)
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

	conn =
	    g_socket_client_connect_to_host(sc, "127.0.0.1", f->server->rspro_port, NULL, &error);
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
	while (list_length(f->server, "banks") == 0) {
		g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
		remsim_test_common_spin_for(20);
	}
	g_assert_cmpuint(test_create_slotmap(f->server, 9, 0, 1, 0), ==, 201);
	/* upstream's timers: PING at once, 10 s for the PONG */
	g_assert_true(remsim_test_common_spin_until(banks_empty, f->server, 20000));
	waited = (g_get_monotonic_time() - start) / 1e6;
	g_test_message("dropped after %.1f s", waited);
	g_assert_cmpfloat(waited, >, 5.0);
	g_assert_true(test_wait_slotmap_state(f->server, 9, 0, "NEW"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/server/rspro/" name, Fixture, NULL, test_server_fixture_setup, fn,            \
		   test_server_fixture_teardown)
	ADD("register", test_register);
	ADD("bad-hello", test_bad_hello);
	ADD("create-delete", test_create_delete);
	ADD("endpoint-fallback", test_endpoint_fallback);
	ADD("late-bank-and-client", test_late_bank_and_client);
	ADD("bank-error", test_bank_error);
	ADD("global-reset", test_global_reset);
	ADD("dead-peer", test_dead_peer);
	return g_test_run();
}
