/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The banks' card inventory in remsim-server: a real remsim-bankd on simulated
 * cards reports its cards; /api/v1/cards lists them and searches them by ICCID
 * and IMSI prefix; a map made by ICCID lands on the card's bank slot and shows
 * in upstream's routes; after a server restart the cards are there, stale until
 * the bank is back. Upstream peers see none of it: a bank without remsim's
 * hello gets upstream's connectBankRes, and a remsim-bankd under a server that
 * is not remsim's sends no message of remsim's own.
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

typedef struct {
	gchar *state_dir;
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
} ServerInventoryFixture;

static gchar *
bankd_config(void)
{
	g_autofree gchar *dir = g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", NULL);

	return g_strdup_printf("inventory-pin1=1=1234\n[simcard]\nprofiles=%s/sample-001.json;"
			       "%s/sample-002.json;%s/sample-003.json;%s/sample-004.json\n",
			       dir, dir, dir, dir);
}

static RemsimTestDaemon *
bankd_spawn(guint16 server_port)
{
	g_autofree gchar *conf = bankd_config();

	return remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){
		.server_port = server_port, .backend = "simcard", .n_slots = 4, .config = conf });
}

static void
fixture_setup(ServerInventoryFixture *f, gconstpointer data)
{
	f->state_dir = remsim_test_common_make_dir("remsim-inventory-XXXXXX");
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER, &(RemsimTestDaemonOptions){ .state_dir = f->state_dir });
}

static void
fixture_teardown(ServerInventoryFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	remsim_test_common_remove_tree(f->state_dir);
	g_free(f->state_dir);
}

/* GET @path: its "cards" (or "slots") array; "total" counts every match, of every page */
static JsonArray *
get_list(ServerInventoryFixture *f, const gchar *path, const gchar *member)
{
	g_autoptr(JsonNode) node = remsim_test_daemon_rest_json(f->server, path, 200);
	JsonObject *o = json_node_get_object(node);
	JsonArray *list = json_object_get_array_member(o, member);

	g_assert_cmpint(json_object_get_int_member(o, "total"), >=, json_array_get_length(list));
	return json_array_ref(list);
}

static guint
count_cards(ServerInventoryFixture *f, const gchar *query, gboolean fresh_only)
{
	g_autofree gchar *path = g_strdup_printf("/api/v1/cards%s", query);
	g_autoptr(JsonArray) cards = get_list(f, path, "cards");
	guint n = 0;

	for (guint i = 0; i < json_array_get_length(cards); i++) {
		JsonObject *c = json_array_get_object_element(cards, i);

		if (!fresh_only || !json_object_get_boolean_member(c, "stale"))
			n++;
	}
	return n;
}

static JsonObject *
card_of(JsonObject *slot)
{
	return json_object_get_object_member(slot, "card");
}

/* the four cards, by bank slot, with what PIN1 let through */
static void
test_inventory_cards(ServerInventoryFixture *f, gconstpointer data)
{
	g_autoptr(JsonArray) cards = NULL;
	g_autoptr(JsonArray) found = NULL;
	static const gchar *const iccids[] = { "8900101000000000019", "8900101000000000027",
					       "8900101000000000035", "8900101000000000043" };

	f->bankd = bankd_spawn(remsim_test_daemon_get_port(f->server));
	REMSIM_TEST_WAIT_FOR(count_cards(f, "", TRUE) == 4);
	cards = get_list(f, "/api/v1/cards", "cards");
	for (guint i = 0; i < 4; i++) {
		JsonObject *slot = json_array_get_object_element(cards, i);

		g_assert_cmpint(json_object_get_int_member(slot, "bank_id"), ==, 1);
		g_assert_cmpint(json_object_get_int_member(slot, "slot"), ==, i);
		g_assert_true(json_object_get_boolean_member(slot, "bank_connected"));
		g_assert_cmpstr(json_object_get_string_member(card_of(slot), "iccid"), ==,
				iccids[i]);
		g_assert_cmpstr(json_object_get_string_member(card_of(slot), "state"), ==, "read");
	}
	/* IMSI where PIN1 is off (card 4) or configured (slot 1), not elsewhere */
	g_assert_cmpstr(
	    json_object_get_string_member(card_of(json_array_get_object_element(cards, 1)), "imsi"),
	    ==, "001010000000002");
	g_assert_true(
	    json_object_get_null_member(card_of(json_array_get_object_element(cards, 0)), "imsi"));
	g_assert_cmpstr(
	    json_object_get_string_member(card_of(json_array_get_object_element(cards, 3)), "spn"),
	    ==, "remsim 4");

	/* search by prefix */
	found = get_list(f, "/api/v1/cards?iccid=890010100000000003", "cards");
	g_assert_cmpuint(json_array_get_length(found), ==, 1);
	g_assert_cmpint(json_object_get_int_member(json_array_get_object_element(found, 0), "slot"),
			==, 2);
	g_assert_cmpuint(count_cards(f, "?imsi=00101000000000", FALSE), ==, 2);
	g_assert_cmpuint(count_cards(f, "?imsi=99", FALSE), ==, 0);
	g_assert_cmpuint(count_cards(f, "?q=1:3", FALSE), ==, 1);
	/* every slot of the bank, paged */
	g_clear_pointer(&found, json_array_unref);
	found = get_list(f, "/api/v1/slots?offset=1&limit=2", "slots");
	g_assert_cmpuint(json_array_get_length(found), ==, 2);
}

/* a map by ICCID goes to the card's bank slot, and is upstream's map like any other */
static void
test_inventory_map_by_iccid(ServerInventoryFixture *f, gconstpointer data)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *state = NULL;
	guint status;

	f->bankd = bankd_spawn(remsim_test_daemon_get_port(f->server));
	REMSIM_TEST_WAIT_FOR(count_cards(f, "", TRUE) == 4);
	status = remsim_test_daemon_rest(
	    f->server, "POST", "/api/v1/slotmaps", "application/json",
	    "{\"client\":{\"clientId\":23,\"slotNr\":0},\"iccid\":\"8900101000000000035\"}", &body,
	    NULL);
	g_assert_cmpuint(status, ==, 201);
	g_assert_nonnull(strstr(body, "\"bankId\":1,\"slotNr\":2"));
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 1, 2, "ACTIVE"));

	g_clear_pointer(&body, g_free);
	status = remsim_test_daemon_rest(
	    f->server, "POST", "/api/v1/slotmaps", "application/json",
	    "{\"client\":{\"clientId\":24,\"slotNr\":0},\"iccid\":\"8900000000000000000\"}", &body,
	    NULL);
	g_assert_cmpuint(status, ==, 404);
	g_clear_pointer(&body, g_free);
	status = remsim_test_daemon_rest(f->server, "POST", "/api/v1/slotmaps", "application/json",
					 "{\"client\":{\"clientId\":24,\"slotNr\":0},\"iccid\":"
					 "\"8900101000000000043\",\"bank\":{\"bankId\":1,"
					 "\"slotNr\":3}}",
					 &body, NULL);
	g_assert_cmpuint(status, ==, 400);
	g_clear_pointer(&body, g_free);
	status = remsim_test_daemon_rest(f->server, "DELETE", "/api/v1/slotmaps/65538", NULL, NULL,
					 &body, NULL);
	g_assert_cmpuint(status, ==, 200);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 1, 2, NULL));
	(void)state;
}

static gboolean
all_stale(ServerInventoryFixture *f)
{
	return count_cards(f, "", FALSE) == 4 && count_cards(f, "", TRUE) == 0;
}

/* a restarted server shows the cards it knew, stale until their bank says them again */
static void
test_inventory_persist(ServerInventoryFixture *f, gconstpointer data)
{
	f->bankd = bankd_spawn(remsim_test_daemon_get_port(f->server));
	REMSIM_TEST_WAIT_FOR(count_cards(f, "", TRUE) == 4);
	remsim_test_daemon_stop(f->bankd);
	REMSIM_TEST_WAIT_FOR(all_stale(f));
	remsim_test_daemon_stop(f->server);
	remsim_test_daemon_start(f->server);
	g_assert_true(all_stale(f));
	remsim_test_daemon_start(f->bankd);
	REMSIM_TEST_WAIT_FOR(count_cards(f, "", TRUE) == 4);
}

/* upstream banks get upstream's answer; a remsim bank is told in fwVersion */
static void
test_inventory_hello_mark(ServerInventoryFixture *f, gconstpointer data)
{
	for (guint remsim = 0; remsim < 2; remsim++) {
		g_autoptr(RemsimTestPeer) bank = remsim_test_peer_new_bank(5 + remsim, 2);
		g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(bank);
		const RsproPdu *res;

		g_assert_cmpstr(hello->u.connect_bank_req.identity.software, ==, "remsim-bankd");
		hello->u.connect_bank_req.has_bound = remsim;
		rspro_ip_port_from_string(&hello->u.connect_bank_req.bound, "0.0.0.0", 4711);
		remsim_test_peer_dial_link(bank, remsim_test_daemon_get_port(f->server), hello,
					   RSPRO_COMPONENT_SERVER);
		REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(bank, RSPRO_MSG_CONNECT_BANK_RES) == 1);
		res = remsim_test_peer_last(bank, RSPRO_MSG_CONNECT_BANK_RES);
		if (remsim)
			g_assert_cmpstr(res->u.connect_bank_res.identity.fw_version, ==,
					RSPRO_REMSIM_EXT_MARK);
		else
			g_assert_null(res->u.connect_bank_res.identity.fw_version);
	}
}

/* a remsim-bankd under a server without the mark (upstream's) sends nothing of its own */
static void
test_inventory_upstream_server(ServerInventoryFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) server = remsim_test_peer_new_server();

	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = bankd_spawn(remsim_test_peer_get_port(server));
	remsim_test_peer_wait_hellos(server, 1);
	/* the report would go out when the link comes up, before this answer */
	g_assert_cmpint(remsim_test_peer_map(server, 0, 7, 0), ==, RSPRO_RESULT_OK);
	g_assert_cmpint(remsim_test_peer_unmap(server, 0, 7, 0), ==, RSPRO_RESULT_OK);
	g_assert_cmpuint(remsim_test_peer_count_remsim_messages(server), ==, 0);
}

/* reads the stream until a line equals @line; FALSE at its end */
static gboolean
stream_until(GDataInputStream *in, const gchar *line, GString *seen)
{
	for (;;) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *got = g_data_input_stream_read_line_utf8(in, NULL, NULL, &error);

		g_assert_no_error(error);
		if (got == NULL)
			return FALSE;
		g_string_append_printf(seen, "%s\n", got);
		if (g_str_equal(got, line))
			return TRUE;
	}
}

/* GET /api/v1/events: a Server-Sent Events stream that tells a map made over REST */
static void
test_inventory_events(ServerInventoryFixture *f, gconstpointer data)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GDataInputStream) in = NULL;
	g_autoptr(GString) seen = g_string_new(NULL);
	g_autofree gchar *request = NULL;
	gint64 start;

	conn = g_socket_client_connect_to_host(
	    client, "127.0.0.1", remsim_test_daemon_get_rest_port(f->server), NULL, &error);
	g_assert_no_error(error);
	/* a blocking read that never hangs the test for good */
	g_socket_set_timeout(g_socket_connection_get_socket(conn), 60);
	request = g_strdup("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			   "Accept: text/event-stream\r\n\r\n");
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)),
						request, strlen(request), NULL, NULL, &error));
	in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_data_input_stream_set_newline_type(in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	g_assert_true(stream_until(in, "HTTP/1.1 200 OK", seen));
	g_assert_true(stream_until(in, ": remsim-server events", seen));
	g_assert_nonnull(strstr(seen->str, "Content-Type: text/event-stream"));

	start = g_get_monotonic_time();
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 3, 1, 42, 0), ==, 201);
	g_assert_true(stream_until(in, "event: map", seen));
	g_test_message("a map over REST to its event: %.1f ms",
		       (g_get_monotonic_time() - start) / 1000.0);
	g_string_truncate(seen, 0);
	g_assert_true(stream_until(in, "", seen));
	g_assert_nonnull(strstr(seen->str, "data: {\"event\":\"map-changed\",\"map\":{"));
	g_assert_nonnull(strstr(seen->str, "\"clientId\":42"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/server/inventory/" name, ServerInventoryFixture, NULL, fixture_setup, fn,     \
		   fixture_teardown)
	ADD("cards", test_inventory_cards);
	ADD("map-by-iccid", test_inventory_map_by_iccid);
	ADD("persist", test_inventory_persist);
	ADD("hello-mark", test_inventory_hello_mark);
	ADD("upstream-server", test_inventory_upstream_server);
	ADD("events", test_inventory_events);
	return g_test_run();
}
