/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimTestPeer against itself over loopback: a script answers each new
 * connection from its start, fields are asserted as a subset, replies come
 * from C, JSON, results and the vector table (upstream's bytes), the text
 * form reads as the calls do, a peer listens again on its port, and a link
 * dials until it is accepted.
 */
#include "config.h"

#include "remsim-test-peer.h"

typedef struct {
	RemsimTestPeer *server;
	RemsimTestPeer *client;
} PeerFixture;

/* the card of these tests: INS and 90 00 */
static GBytes *
ins_card(GBytes *command, gpointer user_data)
{
	const guint8 *cmd = g_bytes_get_data(command, NULL);
	const guint8 rsp[] = { cmd[1], 0x90, 0x00 };

	return g_bytes_new(rsp, sizeof(rsp));
}

static void
fixture_setup(PeerFixture *f, gconstpointer data)
{
	f->server = remsim_test_peer_new_server();
	f->client = remsim_test_peer_new_client(23, 1);
}

static void
fixture_teardown(PeerFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->server);
}

static void
dial(PeerFixture *f, RemsimTestPeer *client)
{
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(client);

	remsim_test_peer_dial(client, remsim_test_peer_get_port(f->server), hello);
}

/* expect with fields, reply with a result, every with a card */
static void
test_script(PeerFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("A0A4000002");
	g_autoptr(GBytes) response = NULL;
	g_autofree gchar *hex = NULL;
	const RsproPdu *hello;

	remsim_test_peer_expect_json(
	    f->server, "{\"msg\":{\"connectClientReq\":{\"clientSlot\":{\"clientId\":23}}}}");
	remsim_test_peer_reply_result(f->server, RSPRO_RESULT_OK);
	remsim_test_peer_every(f->server, RSPRO_MSG_TPDU_MODEM_TO_CARD);
	remsim_test_peer_reply_tpdu(f->server, ins_card, NULL);
	remsim_test_peer_listen(f->server, 0);

	dial(f, f->client);
	g_assert_cmpint(remsim_test_peer_wait_hello(f->client), ==, RSPRO_RESULT_OK);
	hello = remsim_test_peer_last(f->client, RSPRO_MSG_CONNECT_CLIENT_RES);
	g_assert_cmpint(hello->u.connect_client_res.identity.type, ==, RSPRO_COMPONENT_SERVER);
	g_assert_cmpstr(hello->u.connect_client_res.identity.software, ==, "remsim-server");
	for (guint i = 0; i < 3; i++) {
		g_clear_pointer(&response, g_bytes_unref);
		response = remsim_test_peer_apdu(f->client, 4, apdu);
	}
	hex = remsim_test_common_bytes_hex(response);
	g_assert_cmpstr(hex, ==, "A49000");
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ), ==, 1);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_TPDU_MODEM_TO_CARD), ==, 3);
	g_assert_cmpuint(remsim_test_peer_last(f->server, RSPRO_MSG_TPDU_MODEM_TO_CARD)
			     ->u.tpdu_modem_to_card.to_bank_slot.slot_nr,
			 ==, 4);
	g_assert_cmpuint(remsim_test_peer_get_n_connections(f->server), ==, 1);
}

/* an expect step holds the every-steps after it */
static void
test_order(PeerFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00B0000001");
	g_autoptr(RsproPdu) tpdu = NULL;
	g_autoptr(RsproPdu) reset = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);
	g_autoptr(RsproPdu) res = NULL;

	remsim_test_peer_expect(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ);
	remsim_test_peer_expect(f->server, RSPRO_MSG_RESET_STATE_REQ);
	remsim_test_peer_reply_result(f->server, RSPRO_RESULT_OK);
	remsim_test_peer_every(f->server, RSPRO_MSG_TPDU_MODEM_TO_CARD);
	remsim_test_peer_reply_tpdu(f->server, ins_card, NULL);
	remsim_test_peer_listen(f->server, 0);

	dial(f, f->client);
	/* before resetStateReq, a TPDU is only recorded */
	tpdu = remsim_test_peer_new_tpdu(f->client, 0, apdu);
	remsim_test_peer_send(f->client, tpdu);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(f->server, RSPRO_MSG_TPDU_MODEM_TO_CARD) == 1);
	res = remsim_test_peer_request(f->client, reset);
	g_assert_nonnull(res);
	g_assert_cmpint(res->u.reset_state_res.result, ==, RSPRO_RESULT_OK);
	g_assert_cmpuint(remsim_test_peer_count(f->client, RSPRO_MSG_TPDU_CARD_TO_MODEM), ==, 0);
	/* now it is answered */
	remsim_test_peer_send(f->client, tpdu);
	g_clear_pointer(&res, rspro_pdu_free);
	res = remsim_test_peer_wait(f->client, RSPRO_MSG_TPDU_CARD_TO_MODEM);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_TPDU_MODEM_TO_CARD), ==, 2);
	g_assert_null(remsim_test_peer_take(f->client, RSPRO_MSG_TPDU_CARD_TO_MODEM));
}

/* every connection runs the script from its start; the port stays after a close */
static void
test_reconnect(PeerFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) second = remsim_test_peer_new_client(24, 0);

	remsim_test_peer_serve(f->server, "# a server that takes any client\n"
					  "expect connectClientReq\n"
					  "reply result ok\n");
	dial(f, f->client);
	g_assert_cmpint(remsim_test_peer_wait_hello(f->client), ==, RSPRO_RESULT_OK);
	dial(f, second);
	g_assert_cmpint(remsim_test_peer_wait_hello(second), ==, RSPRO_RESULT_OK);
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(f->server), ==, 2);

	/* as a killed server: both clients see their connection end */
	remsim_test_peer_close(f->server);
	g_assert_true(remsim_test_peer_wait_closed(f->client));
	g_assert_true(remsim_test_peer_wait_closed(second));
	remsim_test_peer_relisten(f->server);
	dial(f, f->client);
	g_assert_cmpint(remsim_test_peer_wait_hello(f->client), ==, RSPRO_RESULT_OK);
	g_assert_cmpuint(remsim_test_peer_count(f->client, RSPRO_MSG_CONNECT_CLIENT_RES), ==, 2);
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(f->client), ==, 2);
	g_assert_cmpuint(remsim_test_peer_get_n_connections(f->client), ==, 1);
}

/* upstream's bytes: the row of the vector table, decoded from its DER or its fields */
static void
test_vector(PeerFixture *f, gconstpointer data)
{
	g_autoptr(RsproPdu) from_hex = remsim_test_peer_vector_pdu("020", FALSE);
	g_autoptr(RsproPdu) from_fields = remsim_test_peer_vector_pdu("020", TRUE);
	g_autofree gchar *a = rspro_pdu_json_encode_string(from_hex);
	g_autofree gchar *b = rspro_pdu_json_encode_string(from_fields);
	const RsproPdu *res;

	g_assert_cmpstr(a, ==, b);
	remsim_test_peer_serve(f->server, "expect connectClientReq\n"
					  "reply vector 020\n"
					  "reply vector 106 fields\n"
					  "every {\"msg\":{\"configClientBankRes\":{}}}\n"
					  "reply {\"version\":2,\"tag\":5,\"msg\":"
					  "{\"resetStateReq\":{}}}\n");
	remsim_test_peer_load_script(f->client, "expect configClientBankReq\n"
						"reply result ok\n");
	dial(f, f->client);
	g_assert_cmpint(remsim_test_peer_wait_hello(f->client), ==, RSPRO_RESULT_OK);
	res = remsim_test_peer_last(f->client, RSPRO_MSG_CONNECT_CLIENT_RES);
	/* vector 020 is what upstream's server sends: its tag and its name */
	g_assert_cmpuint(res->tag, ==, RSPRO_TAG_CONNECT_CLIENT_RES);
	g_assert_cmpstr(res->u.connect_client_res.identity.name, ==, "fixme-name");
	{
		g_autoptr(RsproPdu) reset =
		    remsim_test_peer_wait(f->client, RSPRO_MSG_RESET_STATE_REQ);

		g_assert_cmpuint(reset->tag, ==, 5);
	}
	g_assert_cmpuint(remsim_test_peer_count(f->client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ), ==,
			 1);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_CONFIG_CLIENT_BANK_RES), ==,
			 1);
}

/* a PDU whose fields differ from the script's fails the test */
static void
test_mismatch(void)
{
	if (g_test_subprocess()) {
		PeerFixture f = { 0 };

		fixture_setup(&f, NULL);
		remsim_test_peer_expect_json(
		    f.server,
		    "{\"msg\":{\"connectClientReq\":{\"clientSlot\":{\"clientId\":99}}}}");
		remsim_test_peer_listen(f.server, 0);
		dial(&f, f.client);
		remsim_test_common_spin_for(REMSIM_TEST_TIMEOUT_MS);
		fixture_teardown(&f, NULL);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*the script expected*\"clientId\":99*\"clientId\":23*");
}

/* a line that is no step fails the test */
static void
test_bad_script(void)
{
	if (g_test_subprocess()) {
		g_autoptr(RemsimTestPeer) peer = remsim_test_peer_new_server();

		remsim_test_peer_load_script(peer, "expect connectClientReq\nanswer result ok\n");
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*line 2: answer is no step*");
}

/* a link dials until the hello is accepted, as the daemons do */
static void
test_link(PeerFixture *f, gconstpointer data)
{
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(f->client);
	guint16 port;

	remsim_test_peer_expect(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ);
	remsim_test_peer_reply_result(f->server, RSPRO_RESULT_OK);
	remsim_test_peer_listen(f->server, 0);
	port = remsim_test_peer_get_port(f->server);
	/* nobody there yet: the link tries again */
	remsim_test_peer_close(f->server);
	remsim_test_peer_load_script(f->client, "every resetStateReq\nreply result ok\n");
	remsim_test_peer_dial_link(f->client, port, hello, RSPRO_COMPONENT_SERVER);
	remsim_test_peer_relisten(f->server);
	g_assert_cmpint(remsim_test_peer_wait_hello(f->client), ==, RSPRO_RESULT_OK);
	{
		g_autoptr(RsproPdu) reset = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);
		g_autoptr(RsproPdu) res = remsim_test_peer_request(f->server, reset);

		g_assert_nonnull(res);
		g_assert_cmpint(res->u.reset_state_res.result, ==, RSPRO_RESULT_OK);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/common/peer/" name, PeerFixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("script", test_script);
	ADD("order", test_order);
	ADD("reconnect", test_reconnect);
	ADD("vector", test_vector);
	ADD("link", test_link);
	g_test_add_func("/common/peer/mismatch", test_mismatch);
	g_test_add_func("/common/peer/bad-script", test_bad_script);
	return g_test_run();
}
