/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's REST API against upstream's transcript: routes, bodies,
 * status codes, and a JSON error for every failure.
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define API "/api/backend/v1"

typedef struct {
	RemsimTestDaemon *server;
} ServerRestFixture;

static void
fixture_setup(ServerRestFixture *f, gconstpointer data)
{
	f->server = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER, NULL);
}

static void
fixture_teardown(ServerRestFixture *f, gconstpointer data)
{
	g_clear_object(&f->server);
}

/* a bank or client peer registered with the server under its own script */
static RemsimTestPeer *
registered(ServerRestFixture *f, RemsimTestPeer *peer, const gchar *script)
{
	remsim_test_peer_load_script(peer, script);
	g_assert_cmpint(remsim_test_peer_connect(peer, remsim_test_daemon_get_port(f->server)), ==,
			RSPRO_RESULT_OK);
	return peer;
}

/* @method @path answers @status with exactly @expected (NULL: an empty body) */
static void
assert_body(RemsimTestDaemon *s, const gchar *method, const gchar *path, guint status,
	    const gchar *expected)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *ctype = NULL;
	guint got = remsim_test_daemon_rest(s, method, path, NULL, NULL, &body, &ctype);

	g_assert_cmpuint(got, ==, status);
	g_assert_cmpstr(body, ==, expected ? expected : "");
	if (expected)
		g_assert_cmpstr(ctype, ==, "application/json");
}

/* a failure: @status and {"error": text} with @fragment in the text */
static void
assert_error(RemsimTestDaemon *s, const gchar *method, const gchar *path, const gchar *content_type,
	     const gchar *request, guint status, const gchar *fragment)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *ctype = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *text;
	guint got = remsim_test_daemon_rest(s, method, path, content_type, request, &body, &ctype);

	g_test_message("%s %s %s -> %u %s", method, path, request ? request : "", got, body);
	g_assert_cmpuint(got, ==, status);
	g_assert_cmpstr(ctype, ==, "application/json");
	node = json_from_string(body, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	text =
	    json_object_get_string_member_with_default(json_node_get_object(node), "error", NULL);
	g_assert_nonnull(text);
	g_assert_nonnull(strstr(text, fragment));
}

/* the web view's files: compiled in, with their types */
static void
assert_web(RemsimTestDaemon *s, const gchar *path, const gchar *type, const gchar *fragment)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *ctype = NULL;

	g_assert_cmpuint(remsim_test_daemon_rest(s, "GET", path, NULL, NULL, &body, &ctype), ==,
			 200);
	g_assert_true(g_str_has_prefix(ctype, type));
	g_assert_nonnull(strstr(body, fragment));
}

static guint
post(RemsimTestDaemon *s, const gchar *content_type, const gchar *body)
{
	g_autofree gchar *answer = NULL;
	guint status =
	    remsim_test_daemon_rest(s, "POST", API "/slotmaps", content_type, body, &answer, NULL);

	if (status == 201)
		g_assert_cmpstr(answer, ==, "");
	return status;
}

static gchar *
component(const gchar *type, const gchar *name, const gchar *software)
{
	return g_strdup_printf("{\"type_\":\"%s\",\"name\":\"%s\",\"software\":\"%s\","
			       "\"swVersion\":\"%s\"}",
			       type, name, software, PACKAGE_VERSION);
}

static void
test_empty(ServerRestFixture *f, gconstpointer data)
{
	assert_body(f->server, "GET", API "/banks", 200, "{\"banks\":[]}");
	assert_body(f->server, "GET", API "/clients", 200, "{\"clients\":[]}");
	assert_body(f->server, "GET", API "/slotmaps", 200, "{\"slotmaps\":[]}");
	/* upstream's stub answers nothing; remsim counts starts of this database */
	assert_body(f->server, "GET", API "/restart-counter", 200, "{\"restart-counter\":1}");
}

static void
test_banks_clients(ServerRestFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank =
	    registered(f, remsim_test_peer_new_bank(1, 2), REMSIM_TEST_PEER_BANK_FOR_SERVER);
	g_autoptr(RemsimTestPeer) client =
	    registered(f, remsim_test_peer_new_client(0, 0), REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	g_autofree gchar *bank_id = component("remsimBankd", "test-bank", "remsim-bankd");
	g_autofree gchar *client_id = component("remsimClient", "test-client", "remsim-client");
	g_autofree gchar *bank_obj = g_strdup_printf(
	    "{\"peer\":\"B1\",\"state\":\"CONNECTED_BANKD\",\"component_id\":%s,\"bankId\":1,"
	    "\"numberOfSlots\":2}",
	    bank_id);
	g_autofree gchar *client_obj = g_strdup_printf(
	    "{\"peer\":\"C0:0\",\"state\":\"CONNECTED_CLIENT\",\"component_id\":%s}", client_id);
	g_autofree gchar *banks = g_strdup_printf("{\"banks\":[%s]}", bank_obj);
	g_autofree gchar *clients = g_strdup_printf("{\"clients\":[%s]}", client_obj);
	g_autoptr(RemsimTestPeer) client7 = NULL;
	g_autoptr(JsonNode) c7 = NULL;

	assert_body(f->server, "GET", API "/banks", 200, banks);
	assert_body(f->server, "GET", API "/banks/1", 200, bank_obj);
	assert_body(f->server, "GET", API "/clients", 200, clients);
	assert_body(f->server, "GET", API "/clients/0", 200, client_obj);

	/* where upstream answers 200 with nothing: 404 with a JSON error */
	assert_error(f->server, "GET", API "/banks/99", NULL, NULL, 404, "99");
	assert_error(f->server, "GET", API "/clients/7", NULL, NULL, 404, "7");
	assert_error(f->server, "GET", API "/banks/abc", NULL, NULL, 404, "abc");
	assert_error(f->server, "GET", API "/banks/70000", NULL, NULL, 400, "70000");
	assert_error(f->server, "GET", API "/clients/70000", NULL, NULL, 400, "70000");

	/* /clients/:id looks at the client id (upstream compared the bank id) */
	client7 =
	    registered(f, remsim_test_peer_new_client(7, 3), REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	c7 = remsim_test_daemon_rest_json(f->server, API "/clients/7", 200);
	g_assert_cmpstr(json_object_get_string_member(json_node_get_object(c7), "peer"), ==,
			"C7:3");
}

static void
test_slotmaps(ServerRestFixture *f, gconstpointer data)
{
	const gchar *json = "application/json";
	const gchar *map10 = "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":0,"
			     "\"slotNr\":0}";

	g_assert_cmpuint(post(f->server, json,
			      "{\"bank\":{\"bankId\":1,\"slotNr\":0},"
			      "\"client\":{\"clientId\":0,\"slotNr\":0}}"),
			 ==, 201);
	{
		g_autofree gchar *expected =
		    g_strdup_printf("{\"slotmaps\":[%s,\"state\":\"NEW\"}]}", map10);

		assert_body(f->server, "GET", API "/slotmaps", 200, expected);
	}
	/* extra keys are ignored, charset parameters accepted */
	g_assert_cmpuint(post(f->server, "application/json; charset=utf-8",
			      "{\"bank\":{\"bankId\":3,\"slotNr\":1},\"client\":{\"clientId\":5,"
			      "\"slotNr\":0},\"comment\":\"x\"}"),
			 ==, 201);
	assert_body(f->server, "GET", API "/slotmaps", 200,
		    "{\"slotmaps\":[{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":"
		    "0,\"slotNr\":0},\"state\":\"NEW\"},{\"bank\":{\"bankId\":3,\"slotNr\":1},"
		    "\"client\":{\"clientId\":5,\"slotNr\":0},\"state\":\"NEW\"}]}");
	/* id = bankId * 65536 + slotNr */
	assert_body(f->server, "DELETE", API "/slotmaps/196609", 200, NULL);
	assert_body(f->server, "POST", API "/global-reset", 200, NULL);
	assert_body(f->server, "GET", API "/slotmaps", 200, "{\"slotmaps\":[]}");
	/* a deleted map's slots are free again */
	g_assert_cmpuint(post(f->server, json,
			      "{\"bank\":{\"bankId\":1,\"slotNr\":0},"
			      "\"client\":{\"clientId\":0,\"slotNr\":0}}"),
			 ==, 201);
}

static void
test_post_errors(ServerRestFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;
	const gchar *json = "application/json";
	const gchar *good = "{\"bank\":{\"bankId\":3,\"slotNr\":1},\"client\":{\"clientId\":5,"
			    "\"slotNr\":0}}";
	const struct {
		const gchar *ctype;
		const gchar *body;
		const gchar *fragment;
	} cases[] = {
		{ json, "{\"bank\":{\"bankId\":1,\"slotNr\":0},", "invalid JSON" },
		{ NULL, good, "Content-Type" },
		{ "text/plain", good, "Content-Type" },
		{ json, "", "empty" },
		{ json, "[]", "JSON object" },
		{ json, "{\"bank\":{\"bankId\":1,\"slotNr\":5}}", "client is missing" },
		{ json, "{\"bank\":7,\"client\":{\"clientId\":1,\"slotNr\":0}}",
		  "bank must be an object" },
		{ json,
		  "{\"bank\":{\"bankId\":1,\"slotNr\":\"5\"},\"client\":{\"clientId\":1,"
		  "\"slotNr\":0}}",
		  "bank.slotNr must be an integer" },
		{ json,
		  "{\"bank\":{\"bankId\":1,\"slotNr\":1.5},\"client\":{\"clientId\":1,"
		  "\"slotNr\":0}}",
		  "bank.slotNr must be an integer" },
		{ json, "{\"bank\":{\"slotNr\":1},\"client\":{\"clientId\":1,\"slotNr\":0}}",
		  "bank.bankId is missing" },
		{ json,
		  "{\"bank\":{\"bankId\":1,\"slotNr\":5},\"client\":{\"clientId\":1024,"
		  "\"slotNr\":0}}",
		  "client.clientId" },
		{ json,
		  "{\"bank\":{\"bankId\":1024,\"slotNr\":5},\"client\":{\"clientId\":1,"
		  "\"slotNr\":0}}",
		  "bank.bankId" },
		{ json,
		  "{\"bank\":{\"bankId\":-1,\"slotNr\":0},\"client\":{\"clientId\":9,"
		  "\"slotNr\":0}}",
		  "out of range" },
		{ json,
		  "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":9,"
		  "\"slotNr\":99999999999}}",
		  "client.slotNr" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_error(s, "POST", API "/slotmaps", cases[i].ctype, cases[i].body, 400,
			     cases[i].fragment);
	assert_body(s, "GET", API "/slotmaps", 200, "{\"slotmaps\":[]}");

	/* one map per bank slot and per client slot */
	g_assert_cmpuint(post(s, json,
			      "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{"
			      "\"clientId\":0,\"slotNr\":0}}"),
			 ==, 201);
	assert_error(s, "POST", API "/slotmaps", json,
		     "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":0,\"slotNr\":"
		     "0}}",
		     400, "already mapped");
	assert_error(s, "POST", API "/slotmaps", json,
		     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":0,\"slotNr\":"
		     "0}}",
		     400, "already mapped");
	assert_error(s, "POST", API "/slotmaps", json,
		     "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":3,\"slotNr\":"
		     "0}}",
		     400, "already mapped");
	{
		g_autoptr(JsonNode) root = remsim_test_daemon_rest_json(s, API "/slotmaps", 200);

		g_assert_cmpuint(json_array_get_length(json_object_get_array_member(
				     json_node_get_object(root), "slotmaps")),
				 ==, 1);
	}
}

static void
test_other_errors(ServerRestFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;

	assert_error(s, "DELETE", API "/slotmaps/12345", NULL, NULL, 404, "12345");
	assert_error(s, "DELETE", API "/slotmaps/abc", NULL, NULL, 404, "abc");
	assert_error(s, "DELETE", API "/slotmaps/99999999999", NULL, NULL, 400, "out of range");
	assert_error(s, "DELETE", API "/slotmaps", NULL, NULL, 404, "not found");
	assert_error(s, "PUT", API "/slotmaps", "application/json", "{}", 404, "not found");
	assert_error(s, "GET", API "/nonexistent", NULL, NULL, 404, "not found");
	assert_error(s, "GET", "/nothing-here", NULL, NULL, 404, "not found");
	assert_error(s, "GET", "/static/nothing.js", NULL, NULL, 404, "not found");
	assert_error(s, "POST", "/", "application/json", "{}", 405, "only GET");
	assert_web(s, "/", "text/html", "<title>remsim</title>");
	assert_web(s, "/static/remsim.js", "text/javascript", "EventSource");
	assert_web(s, "/static/remsim.css", "text/css", "table");
	assert_error(s, "GET", API "/slotmaps/65536", NULL, NULL, 404, "not found");
}

static void
test_openapi(ServerRestFixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) doc = remsim_test_daemon_rest_json(f->server, API "/openapi.json", 200);
	JsonObject *root = json_node_get_object(doc);
	JsonObject *paths;
	const struct {
		const gchar *path;
		const gchar *method;
	} routes[] = {
		{ "/restart-counter", "get" },
		{ "/banks", "get" },
		{ "/banks/{bank_id}", "get" },
		{ "/clients", "get" },
		{ "/clients/{client_id}", "get" },
		{ "/slotmaps", "get" },
		{ "/slotmaps", "post" },
		{ "/slotmaps/{slotmap_id}", "delete" },
		{ "/global-reset", "post" },
		{ "/openapi.json", "get" },
		/* remsim's own, each with the server "/" */
		{ "/api/v1/whoami", "get" },
		{ "/api/v1/slots", "get" },
		{ "/api/v1/cards", "get" },
		{ "/api/v1/banks", "get" },
		{ "/api/v1/clients", "get" },
		{ "/api/v1/slotmaps", "get" },
		{ "/api/v1/slotmaps", "post" },
		{ "/api/v1/slotmaps/{slotmap_id}", "delete" },
		{ "/api/v1/slots/{bank_id}/{slot}/reset", "post" },
		{ "/api/v1/events", "get" },
		{ "/metrics", "get" },
		{ "/", "get" },
	};

	g_assert_true(g_str_has_prefix(json_object_get_string_member(root, "openapi"), "3."));
	paths = json_object_get_object_member(root, "paths");
	g_assert_cmpuint(json_object_get_size(paths), ==, 20);
	for (guint i = 0; i < G_N_ELEMENTS(routes); i++) {
		JsonObject *p = json_object_get_object_member(paths, routes[i].path);

		g_assert_nonnull(p);
		g_assert_true(json_object_has_member(p, routes[i].method));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/server/rest/" name, ServerRestFixture, NULL, fixture_setup, fn,               \
		   fixture_teardown)
	ADD("empty", test_empty);
	ADD("banks-clients", test_banks_clients);
	ADD("slotmaps", test_slotmaps);
	ADD("post-errors", test_post_errors);
	ADD("other-errors", test_other_errors);
	ADD("openapi", test_openapi);
	return g_test_run();
}
