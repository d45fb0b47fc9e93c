/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's REST port against hostile and careless clients: bodies that
 * are too deep, too big or endless, JSON with a key twice or numbers out of
 * range, keep-alive connections the client drops, and too many connections.
 * Requests go out as raw HTTP over a socket, so that the test says exactly
 * what reaches the server.
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "remsim-test-daemon.h"
#include "remsim-test-hostile.h"

#define API "/api/backend/v1"

typedef struct {
	RemsimTestDaemon *server;
} ServerRestLimitsFixture;

static void
fixture_setup(ServerRestLimitsFixture *f, gconstpointer data)
{
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .config = data, .capture_stderr = TRUE });
}

static void
fixture_teardown(ServerRestLimitsFixture *f, gconstpointer data)
{
	remsim_test_daemon_stop(f->server);
	g_clear_object(&f->server);
}

/* one answer as it came: status and body */
typedef struct {
	guint status;
	gchar *body;
	gchar *headers;
} RawAnswer;

static void
raw_answer_clear(RawAnswer *answer)
{
	g_free(answer->body);
	g_free(answer->headers);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RawAnswer, raw_answer_clear)

/*
 * Sends @head (request line and headers, without the empty line) and @body
 * (may be NULL) of @body_len bytes to the REST port, and reads the answer
 * until the server closes (every answer ends its connection).
 */
static void
raw_request(ServerRestLimitsFixture *f, const gchar *head, const gchar *body, gsize body_len,
	    RawAnswer *answer)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn = g_socket_client_connect_to_host(
	    client, "127.0.0.1", remsim_test_daemon_get_rest_port(f->server), NULL, &error);
	g_autofree gchar *request = g_strdup_printf("%s\r\n\r\n", head);
	GOutputStream *out;
	GInputStream *in;
	g_autoptr(GByteArray) got = g_byte_array_new();
	const gchar *end, *space;
	guint8 buf[4096];
	gssize n;

	g_assert_no_error(error);
	out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	g_assert_true(g_output_stream_write_all(out, request, strlen(request), NULL, NULL, &error));
	g_assert_no_error(error);
	/* a server that answers early may close before taking the whole body */
	if (body != NULL)
		g_output_stream_write_all(out, body, body_len, NULL, NULL, NULL);
	while ((n = g_input_stream_read(in, buf, sizeof(buf), NULL, &error)) > 0)
		g_byte_array_append(got, buf, n);
	g_byte_array_append(got, (const guint8 *)"", 1);
	end = strstr((const gchar *)got->data, "\r\n\r\n");
	space = strchr((const gchar *)got->data, ' ');
	g_assert_nonnull(end);
	g_assert_nonnull(space);
	answer->status = (guint)g_ascii_strtoull(space + 1, NULL, 10);
	answer->headers = g_strndup((const gchar *)got->data, end - (const gchar *)got->data);
	answer->body = g_strdup(end + 4);
}

/* POST @path with @body as JSON */
static void
post_json_to(ServerRestLimitsFixture *f, const gchar *path, const gchar *body, RawAnswer *answer)
{
	g_autofree gchar *head =
	    g_strdup_printf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			    "Content-Type: application/json\r\nContent-Length: %zu",
			    path, strlen(body));

	raw_request(f, head, body, strlen(body), answer);
}

/* POST /api/backend/v1/slotmaps (upstream's route) with @body */
static void
post_json(ServerRestLimitsFixture *f, const gchar *body, RawAnswer *answer)
{
	post_json_to(f, API "/slotmaps", body, answer);
}

/* @answer is @status with {"error": text} holding @fragment */
static void
assert_error(const RawAnswer *answer, guint status, const gchar *fragment)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = json_from_string(answer->body, &error);
	const gchar *text;

	g_test_message("-> %u %s", answer->status, answer->body);
	g_assert_cmpuint(answer->status, ==, status);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	text =
	    json_object_get_string_member_with_default(json_node_get_object(node), "error", NULL);
	g_assert_nonnull(text);
	g_assert_nonnull(strstr(text, fragment));
}

/* the server is alive and has no slot map */
static void
assert_alive_without_maps(ServerRestLimitsFixture *f)
{
	g_autofree gchar *body = NULL;

	g_assert_cmpuint(
	    remsim_test_daemon_rest(f->server, "GET", API "/slotmaps", NULL, NULL, &body, NULL), ==,
	    200);
	g_assert_cmpstr(body, ==, "{\"slotmaps\":[]}");
}

/* @levels arrays inside each other */
static gchar *
nested(guint levels)
{
	gchar *text = g_malloc(2 * levels + 1);

	memset(text, '[', levels);
	memset(text + levels, ']', levels);
	text[2 * levels] = '\0';
	return text;
}

/*
 * JSON nested 100,000 levels deep crashed the server in json-glib's
 * recursion: now it is too big to be read (413), one that fits the size limit
 * is too deep (400), and the server goes on.
 */
static void
test_depth_bomb(ServerRestLimitsFixture *f, gconstpointer data)
{
	g_autofree gchar *bomb = nested(100000);
	g_autofree gchar *small_bomb = nested(30000);
	g_autofree gchar *inner = nested(33);
	g_autofree gchar *deep = g_strdup_printf("{\"bank\":%s}", inner);
	g_auto(RawAnswer) big = { 0 };
	g_auto(RawAnswer) small = { 0 };
	g_auto(RawAnswer) just = { 0 };

	post_json(f, bomb, &big);
	assert_error(&big, 413, "more than the limit of 65536");
	post_json(f, small_bomb, &small);
	assert_error(&small, 400, "nests deeper than 32 levels");
	post_json(f, deep, &just);
	assert_error(&just, 400, "nests deeper than 32 levels");
	/* remsim's own route takes the same checks */
	{
		g_auto(RawAnswer) own = { 0 };

		post_json_to(f, "/api/v1/slotmaps", small_bomb, &own);
		assert_error(&own, 400, "nests deeper than 32 levels");
	}
	assert_alive_without_maps(f);
}

/*
 * A body over the limit is refused from its Content-Length, before the
 * server reads (or buffers) any of it; a chunked body, whose length nobody
 * knows first, is refused too.
 */
static void
test_huge_body(ServerRestLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);
	guint64 rss_before = remsim_test_hostile_proc_kb(proc, "VmRSS");
	g_auto(RawAnswer) huge = { 0 };
	g_auto(RawAnswer) sent = { 0 };
	g_auto(RawAnswer) chunked = { 0 };
	g_autofree gchar *half_mb = g_malloc0(512 * 1024);
	static const gchar chunks[] = "10\r\n{\"bank\":{\"bankId\"\r\n0\r\n\r\n";

	/* the headers alone: the answer comes without the 1 GB */
	raw_request(f,
		    "POST " API "/slotmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Content-Type: application/json\r\nContent-Length: 1073741824",
		    NULL, 0, &huge);
	assert_error(&huge, 413, "1073741824 bytes, more than the limit of 65536");
	/* the body too: the answer still reaches the client */
	raw_request(f,
		    "POST " API "/slotmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Content-Type: application/json\r\nContent-Length: 524288",
		    half_mb, 512 * 1024, &sent);
	assert_error(&sent, 413, "524288 bytes, more than the limit of 65536");
	raw_request(f,
		    "POST " API "/slotmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Content-Type: application/json\r\nTransfer-Encoding: chunked",
		    chunks, strlen(chunks), &chunked);
	assert_error(&chunked, 411, "needs a Content-Length");
	g_test_message("server VmRSS %" G_GUINT64_FORMAT " kB before, %" G_GUINT64_FORMAT
		       " kB after",
		       rss_before, remsim_test_hostile_proc_kb(proc, "VmRSS"));
	assert_alive_without_maps(f);
}

#define SLOTMAP(bank_id, bank_slot, client_id, client_slot)                                        \
	"{\"bank\":{\"bankId\":" bank_id ",\"slotNr\":" bank_slot                                  \
	"},\"client\":{\"clientId\":" client_id ",\"slotNr\":" client_slot "}}"

/*
 * A key twice is a 400, not "the last one wins"; a number out of range is
 * named as the client wrote it (json-glib reads 18446744073709551617 as 1).
 */
static void
test_json_checks(ServerRestLimitsFixture *f, gconstpointer data)
{
	static const struct {
		const gchar *body;
		const gchar *fragment;
	} cases[] = {
		{ "{\"bank\":{\"bankId\":1,\"slotNr\":0,\"bankId\":2},\"client\":{\"clientId\":1,"
		  "\"slotNr\":0}}",
		  "bank.bankId is given twice" },
		{ "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":1,\"slotNr\":0},"
		  "\"bank\":{\"bankId\":2,\"slotNr\":0}}",
		  "bank is given twice" },
		/* one key, two spellings */
		{ "{\"bank\":{\"bankId\":1,\"slotNr\":0,\"bank\\u0049d\":2},\"client\":{"
		  "\"clientId\":1,\"slotNr\":0}}",
		  "bank.bankId is given twice" },
		{ SLOTMAP("18446744073709551617", "0", "1", "0"),
		  "bank.bankId is 18446744073709551617, out of range (0..1023)" },
		{ SLOTMAP("1", "99999999999999999999", "1", "0"),
		  "bank.slotNr is 99999999999999999999, out of range" },
		{ SLOTMAP("1", "0", "-9223372036854775809", "0"),
		  "client.clientId is -9223372036854775809, out of range" },
		{ SLOTMAP("1", "0", "1", "1024"), "client.slotNr is 1024, out of range" },
		{ SLOTMAP("1", "0", "1", "1e400"), "client.slotNr must be an integer, not 1e400" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_auto(RawAnswer) answer = { 0 };

		post_json(f, cases[i].body, &answer);
		assert_error(&answer, 400, cases[i].fragment);
	}
	/* remsim's own route too */
	{
		g_auto(RawAnswer) twice = { 0 };
		g_auto(RawAnswer) wrapped = { 0 };

		post_json_to(f, "/api/v1/slotmaps", cases[0].body, &twice);
		assert_error(&twice, 400, "bank.bankId is given twice");
		post_json_to(f, "/api/v1/slotmaps", SLOTMAP("18446744073709551617", "0", "1", "0"),
			     &wrapped);
		assert_error(&wrapped, 400,
			     "bank.bankId must be an integer 0..1023, not "
			     "18446744073709551617");
	}
	assert_alive_without_maps(f);
}

#define KEEPALIVE_CALLS 1000

/*
 * 1,000 curl calls, each an HTTP/1.1 (keep-alive) request on a connection
 * curl then closes: libsoup 3.2 kept a descriptor of every one; the server's
 * count is the same after as before.
 */
static void
test_keepalive_fds(ServerRestLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);
	g_autofree gchar *curl = g_find_program_in_path("curl");
	g_autofree gchar *url = NULL;
	guint before, after;

	if (remsim_test_common_skip_unless(curl != NULL, "curl"))
		return;
	url = g_strdup_printf("http://127.0.0.1:%u" API "/slotmaps",
			      remsim_test_daemon_get_rest_port(f->server));
	before = remsim_test_hostile_count_fds(proc);
	for (guint i = 0; i < KEEPALIVE_CALLS; i++) {
		const gchar *argv[] = { curl, "-sS",	      "-o", "/dev/null",
					"-w", "%{http_code}", url,  NULL };
		g_autoptr(GError) error = NULL;
		g_autoptr(GSubprocess) run =
		    g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
		g_autofree gchar *out = NULL;

		g_assert_no_error(error);
		g_assert_true(g_subprocess_communicate_utf8(run, NULL, NULL, &out, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, "200");
	}
	/* the last connections may still be closing */
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_count_fds(proc) <= before);
	after = remsim_test_hostile_count_fds(proc);
	g_test_message("server descriptors: %u before %u curl calls, %u after", before,
		       KEEPALIVE_CALLS, after);
	g_assert_cmpuint(after, ==, before);
}

#define REST_LIMITS_CONFIG "[server]\nmax-connections=8\nmax-connections-per-address=4\n"

static GSocket *
rest_connection(ServerRestLimitsFixture *f, const gchar *from_ip)
{
	g_autoptr(GError) error = NULL;
	GSocket *socket = remsim_test_hostile_connect(
	    from_ip, remsim_test_daemon_get_rest_port(f->server), NULL, &error);

	g_assert_no_error(error);
	return socket;
}

/*
 * The REST port has the same connection limits as the RSPRO port: idle
 * connections from one address cannot keep the others out.
 */
static void
test_rest_connections(ServerRestLimitsFixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GSocket) extra = NULL;

	for (guint i = 0; i < 4; i++)
		g_ptr_array_add(open, rest_connection(f, "127.0.0.2"));
	extra = rest_connection(f, "127.0.0.2");
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_is_closed(extra));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->server, "REST: refused a connection from 127.0.0.2: 4 "
					    "connections from that address are open") == 1);
	for (guint i = 0; i < open->len; i++)
		g_assert_false(remsim_test_hostile_is_closed(open->pdata[i]));
	/* another address is served */
	assert_alive_without_maps(f);
}

#define MANY_MAPS 30000
#define MANY_MAPS_PAGE 7000
#define MANY_MAPS_CALLS 3

/* bank 1 + i / 1000 slot i % 1000 to client i / 1000 slot i % 1000 */
static void
many_maps_bank_client(guint i, guint *bank, guint *bank_slot, guint *client, guint *client_slot)
{
	*bank = 1 + i / 1000;
	*bank_slot = i % 1000;
	*client = i / 1000;
	*client_slot = i % 1000;
}

/* MANY_MAPS rows written straight into a stopped server's database */
static void
insert_many_maps(const gchar *state_dir)
{
	g_autofree gchar *path = g_build_filename(state_dir, "server.db", NULL);
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db,
					   "INSERT INTO slotmaps (bank_id, bank_slot, client_id, "
					   "client_slot) VALUES (?, ?, ?, ?)",
					   -1, &stmt, NULL),
			==, SQLITE_OK);
	for (guint i = 0; i < MANY_MAPS; i++) {
		guint bank, bank_slot, client, client_slot;

		many_maps_bank_client(i, &bank, &bank_slot, &client, &client_slot);
		sqlite3_bind_int(stmt, 1, (gint)bank);
		sqlite3_bind_int(stmt, 2, (gint)bank_slot);
		sqlite3_bind_int(stmt, 3, (gint)client);
		sqlite3_bind_int(stmt, 4, (gint)client_slot);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_DONE);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	g_assert_cmpint(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
}

/*
 * The list as json-glib writes it from nodes, as the server did before (and
 * upstream's format): the answer must be this, byte for byte.
 */
static gchar *
expected_list(guint offset, guint count)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "slotmaps");
	json_builder_begin_array(b);
	for (guint i = offset; i < MIN(offset + count, MANY_MAPS); i++) {
		guint bank, bank_slot, client, client_slot;

		many_maps_bank_client(i, &bank, &bank_slot, &client, &client_slot);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "bank");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "bankId");
		json_builder_add_int_value(b, bank);
		json_builder_set_member_name(b, "slotNr");
		json_builder_add_int_value(b, bank_slot);
		json_builder_end_object(b);
		json_builder_set_member_name(b, "client");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "clientId");
		json_builder_add_int_value(b, client);
		json_builder_set_member_name(b, "slotNr");
		json_builder_add_int_value(b, client_slot);
		json_builder_end_object(b);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, "NEW");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static gchar *
get_slotmaps(ServerRestLimitsFixture *f, const gchar *query, guint expect_status)
{
	g_autofree gchar *path = g_strconcat(API "/slotmaps", query, NULL);
	gchar *body = NULL;

	g_assert_cmpuint(remsim_test_daemon_rest(f->server, "GET", path, NULL, NULL, &body, NULL),
			 ==, expect_status);
	return body;
}

/*
 * 30,000 maps: GET /slotmaps answers upstream's whole list, byte for byte
 * what json-glib made of it before, in a fraction of the time that took
 * (each map's JSON is kept until its state changes); ?offset=&limit= pages
 * through the same list.
 */
static void
test_many_slotmaps(ServerRestLimitsFixture *f, gconstpointer data)
{
	g_autofree gchar *expected = NULL;
	gdouble nodes_ms, first_ms = 0, next_ms = 0;
	gint64 t0;

	remsim_test_daemon_stop(f->server);
	insert_many_maps(remsim_test_daemon_get_state_dir(f->server));
	remsim_test_daemon_start(f->server);

	/* what building the list from nodes costs (the way before), in this process */
	t0 = g_get_monotonic_time();
	expected = expected_list(0, MANY_MAPS);
	nodes_ms = (g_get_monotonic_time() - t0) / 1000.0;

	for (guint call = 0; call < MANY_MAPS_CALLS; call++) {
		g_autofree gchar *body = NULL;
		gdouble ms;

		t0 = g_get_monotonic_time();
		body = get_slotmaps(f, "", 200);
		ms = (g_get_monotonic_time() - t0) / 1000.0;
		g_assert_cmpstr(body, ==, expected);
		if (call == 0)
			first_ms = ms;
		else
			next_ms += ms / (MANY_MAPS_CALLS - 1);
	}
	g_test_message("GET /slotmaps with %u maps (%zu bytes): %.1f ms the first call, %.1f ms "
		       "the next ones; building it from json-glib nodes takes %.1f ms here",
		       MANY_MAPS, strlen(expected), first_ms, next_ms, nodes_ms);

	for (guint offset = 0; offset < MANY_MAPS + MANY_MAPS_PAGE; offset += MANY_MAPS_PAGE) {
		g_autofree gchar *query =
		    g_strdup_printf("?offset=%u&limit=%u", offset, MANY_MAPS_PAGE);
		g_autofree gchar *page = get_slotmaps(f, query, 200);
		g_autofree gchar *want = expected_list(offset, MANY_MAPS_PAGE);

		g_assert_cmpstr(page, ==, want);
	}
	{
		g_autofree gchar *tail = get_slotmaps(f, "?offset=29999", 200);
		g_autofree gchar *want_tail = expected_list(29999, 1);
		g_autofree gchar *none = get_slotmaps(f, "?limit=0", 200);
		g_autofree gchar *bad = get_slotmaps(f, "?offset=-1", 400);

		g_assert_cmpstr(tail, ==, want_tail);
		g_assert_cmpstr(none, ==, "{\"slotmaps\":[]}");
		g_assert_nonnull(strstr(bad, "offset must be a count"));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/server/rest-limits/depth-bomb", ServerRestLimitsFixture, NULL, fixture_setup,
		   test_depth_bomb, fixture_teardown);
	g_test_add("/server/rest-limits/huge-body", ServerRestLimitsFixture, NULL, fixture_setup,
		   test_huge_body, fixture_teardown);
	g_test_add("/server/rest-limits/json-checks", ServerRestLimitsFixture, NULL, fixture_setup,
		   test_json_checks, fixture_teardown);
	g_test_add("/server/rest-limits/keepalive-fds", ServerRestLimitsFixture, NULL,
		   fixture_setup, test_keepalive_fds, fixture_teardown);
	g_test_add("/server/rest-limits/connections", ServerRestLimitsFixture, REST_LIMITS_CONFIG,
		   fixture_setup, test_rest_connections, fixture_teardown);
	g_test_add("/server/rest-limits/30000-slotmaps", ServerRestLimitsFixture, NULL,
		   fixture_setup, test_many_slotmaps, fixture_teardown);
	return g_test_run();
}
