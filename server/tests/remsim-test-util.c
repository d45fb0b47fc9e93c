/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>

/* ---- files ---- */

gchar *
test_make_temp_dir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("remsim-server-test-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

/* ---- the server process ---- */

static const gchar *
server_binary(void)
{
	const gchar *bin = g_getenv("REMSIM_SERVER");

	g_assert_nonnull(bin);
	return bin;
}

static gboolean
read_port_file(TestServer *s)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(s->port_file, &text, NULL, NULL))
		return FALSE;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		if (g_str_has_prefix(lines[i], "rspro="))
			s->rspro_port = (guint16)g_ascii_strtoull(lines[i] + 6, NULL, 10);
		else if (g_str_has_prefix(lines[i], "rest="))
			s->rest_port = (guint16)g_ascii_strtoull(lines[i] + 5, NULL, 10);
	}
	return s->rspro_port && s->rest_port;
}

static GSubprocess *
spawn(const gchar *const *argv, GSubprocessFlags flags)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);

	/* a server must not outlive a test that failed half-way */
	return remsim_test_common_daemon_spawn(launcher, argv, SIGKILL);
}

TestServer *
test_server_start(const gchar *state_dir, const gchar *const *extra_args)
{
	TestServer *s = g_new0(TestServer, 1);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	gint64 end;

	s->state_dir = g_strdup(state_dir);
	s->port_file = g_build_filename(state_dir, "ports", NULL);
	g_unlink(s->port_file);
	g_ptr_array_add(argv, (gpointer)server_binary());
	for (const gchar *const *a =
		 (const gchar *const[]){ "--bind-ip", "127.0.0.1", "--rspro-port", "0",
					 "--rest-bind-ip", "127.0.0.1", "--rest-port", "0", NULL };
	     *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	/* D-Bus only where a test asks for it */
	if (!extra_args || !g_strv_contains(extra_args, "--session"))
		g_ptr_array_add(argv, "--no-dbus");
	/*
	 * An empty config file keeps /etc/remsim/server.conf out of the tests; a
	 * test that brings its own config also chooses the state directory there.
	 */
	if (!extra_args || !g_strv_contains(extra_args, "--config")) {
		s->config_file = g_build_filename(state_dir, "empty.conf", NULL);
		g_assert_true(g_file_set_contents(s->config_file, "", 0, NULL));
		g_ptr_array_add(argv, "--config");
		g_ptr_array_add(argv, s->config_file);
		g_ptr_array_add(argv, "--state-dir");
		g_ptr_array_add(argv, s->state_dir);
	}
	g_ptr_array_add(argv, "--port-file");
	g_ptr_array_add(argv, s->port_file);
	for (guint i = 0; extra_args && extra_args[i]; i++)
		g_ptr_array_add(argv, (gpointer)extra_args[i]);
	g_ptr_array_add(argv, NULL);
	s->proc = spawn((const gchar *const *)argv->pdata, G_SUBPROCESS_FLAGS_NONE);
	end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (!read_port_file(s)) {
		g_assert_nonnull(g_subprocess_get_identifier(s->proc));
		g_assert_cmpint(g_get_monotonic_time(), <, end);
		g_usleep(5000);
	}
	s->http = soup_session_new_with_options("max-conns", 128, "max-conns-per-host", 64,
						"timeout", 60, NULL);
	return s;
}

void
test_server_fixture_setup(TestServerFixture *f, gconstpointer data)
{
	f->dir = test_make_temp_dir();
	f->server = test_server_start(f->dir, NULL);
}

void
test_server_fixture_teardown(TestServerFixture *f, gconstpointer data)
{
	g_clear_pointer(&f->server, test_server_free);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

gint
test_server_run_to_exit(const gchar *const *args, gchar **stderr_text)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) proc = NULL;

	g_ptr_array_add(argv, (gpointer)server_binary());
	for (guint i = 0; args[i]; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	proc = spawn((const gchar *const *)argv->pdata,
		     G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_subprocess_communicate_utf8(proc, NULL, NULL, NULL, stderr_text, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(proc));
	return g_subprocess_get_exit_status(proc);
}

static void
server_end(TestServer *s, int sig)
{
	if (!s->proc)
		return;
	/* a server that does not go in time is killed, and fails the test */
	g_assert_true(remsim_test_common_daemon_stop(s->proc, sig, 60000));
	if (sig == SIGTERM)
		g_assert_true(g_subprocess_get_successful(s->proc));
	g_clear_object(&s->proc);
}

void
test_server_stop(TestServer *s)
{
	server_end(s, SIGTERM);
}

void
test_server_kill(TestServer *s)
{
	server_end(s, SIGKILL);
}

void
test_server_free(TestServer *s)
{
	test_server_stop(s);
	g_clear_object(&s->http);
	g_free(s->state_dir);
	g_free(s->port_file);
	g_free(s->config_file);
	g_free(s);
}

/* ---- HTTP ---- */

typedef struct {
	GBytes *body;
	GError *error;
	gboolean done;
} HttpCall;

static void
http_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	HttpCall *call = data;

	call->body = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &call->error);
	call->done = TRUE;
}

static gboolean
http_is_done(gpointer data)
{
	return ((HttpCall *)data)->done;
}

guint
test_http(TestServer *s, const gchar *method, const gchar *path, const gchar *content_type,
	  const gchar *body, gchar **out_body, gchar **out_content_type)
{
	g_autofree gchar *uri = g_strdup_printf("http://127.0.0.1:%u%s", s->rest_port, path);
	g_autoptr(SoupMessage) msg = soup_message_new(method, uri);
	HttpCall call = { 0 };
	gsize len = 0;
	const gchar *data;

	g_assert_nonnull(msg);
	if (body) {
		g_autoptr(GBytes) bytes = g_bytes_new(body, strlen(body));

		soup_message_set_request_body_from_bytes(msg, content_type, bytes);
	}
	soup_session_send_and_read_async(s->http, msg, G_PRIORITY_DEFAULT, NULL, http_ready, &call);
	g_assert_true(remsim_test_common_spin_until(http_is_done, &call, 60000));
	g_assert_no_error(call.error);
	data = g_bytes_get_data(call.body, &len);
	if (out_body)
		*out_body = g_strndup(data ? data : "", len);
	if (out_content_type) {
		const gchar *ct = soup_message_headers_get_one(
		    soup_message_get_response_headers(msg), "Content-Type");

		*out_content_type = g_strdup(ct);
	}
	g_bytes_unref(call.body);
	return soup_message_get_status(msg);
}

JsonNode *
test_http_get_json(TestServer *s, const gchar *path, guint status)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *ctype = NULL;
	g_autoptr(GError) error = NULL;
	guint got = test_http(s, "GET", path, NULL, NULL, &body, &ctype);
	JsonNode *node;

	g_assert_cmpuint(got, ==, status);
	g_assert_cmpstr(ctype, ==, "application/json");
	node = json_from_string(body, &error);
	g_assert_no_error(error);
	g_assert_nonnull(node);
	return node;
}

guint
test_create_slotmap(TestServer *s, guint bank, guint bank_slot, guint client, guint client_slot)
{
	g_autofree gchar *body = g_strdup_printf(
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    bank, bank_slot, client, client_slot);

	return test_http(s, "POST", "/api/backend/v1/slotmaps", "application/json", body, NULL,
			 NULL);
}

/* ---- RSPRO peers ---- */

static void
peer_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer data)
{
	ServerTestPeer *p = data;
	g_autoptr(RsproPdu) answer = NULL;

	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_RES:
		p->hello_result = pdu->u.connect_bank_res.result;
		break;
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		p->hello_result = pdu->u.connect_client_res.result;
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		p->n_creates++;
		answer = rspro_pdu_new_result(RSPRO_MSG_CREATE_MAPPING_RES, p->map_result);
		break;
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		p->n_removes++;
		answer = rspro_pdu_new_result(RSPRO_MSG_REMOVE_MAPPING_RES, RSPRO_RESULT_OK);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		p->n_configs++;
		p->last_config_port = pdu->u.config_client_bank_req.bankd.port;
		answer = rspro_pdu_new_result(RSPRO_MSG_CONFIG_CLIENT_BANK_RES, RSPRO_RESULT_OK);
		break;
	default:
		break;
	}
	g_ptr_array_add(p->received, rspro_pdu_copy(pdu));
	if (answer && !rspro_connection_is_closed(conn))
		rspro_connection_send(conn, answer, NULL);
}

static void
peer_closed_cb(RsproConnection *conn, GError *reason, gpointer data)
{
	((ServerTestPeer *)data)->closed = TRUE;
}

ServerTestPeer *
test_peer_connect(TestServer *s)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) sc = NULL;
	g_autoptr(GError) error = NULL;
	ServerTestPeer *p = g_new0(ServerTestPeer, 1);

	sc = g_socket_client_connect_to_host(client, "127.0.0.1", s->rspro_port, NULL, &error);
	g_assert_no_error(error);
	p->received = g_ptr_array_new_with_free_func((GDestroyNotify)rspro_pdu_free);
	p->hello_result = -1;
	p->map_result = RSPRO_RESULT_OK;
	p->conn = rspro_connection_new(G_IO_STREAM(sc));
	g_signal_connect(p->conn, "message", G_CALLBACK(peer_message_cb), p);
	g_signal_connect(p->conn, "closed", G_CALLBACK(peer_closed_cb), p);
	rspro_connection_start(p->conn);
	return p;
}

void
test_peer_send(ServerTestPeer *p, RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(rspro_connection_send(p->conn, pdu, &error));
	g_assert_no_error(error);
}

void
test_peer_send_bank_hello(ServerTestPeer *p, guint16 bank_id, guint16 n_slots,
			  const RsproIpPort *bound)
{
	RsproComponentIdentity id = { 0 };
	g_autoptr(RsproPdu) hello = NULL;

	rspro_component_identity_init(&id, RSPRO_COMPONENT_BANKD, "test-bank", "remsim-bankd");
	hello = rspro_pdu_new_connect_bank_req(&id, bank_id, n_slots);
	if (bound) {
		hello->u.connect_bank_req.has_bound = TRUE;
		hello->u.connect_bank_req.bound = *bound;
	}
	rspro_component_identity_clear(&id);
	test_peer_send(p, hello);
}

void
test_peer_send_client_hello(ServerTestPeer *p, guint16 client_id, guint16 slot_nr)
{
	RsproComponentIdentity id = { 0 };
	RsproClientSlot slot = { client_id, slot_nr };
	g_autoptr(RsproPdu) hello = NULL;

	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "test-client", "remsim-client");
	hello = rspro_pdu_new_connect_client_req(&id, &slot);
	rspro_component_identity_clear(&id);
	test_peer_send(p, hello);
}

static gboolean
peer_has_hello(gpointer data)
{
	ServerTestPeer *p = data;

	return p->hello_result >= 0 || p->closed;
}

gint
test_peer_wait_hello(ServerTestPeer *p)
{
	remsim_test_common_spin_until(peer_has_hello, p, 20000);
	return p->hello_result;
}

ServerTestPeer *
test_bank_new(TestServer *s, guint16 bank_id, guint16 n_slots, const RsproIpPort *bound)
{
	ServerTestPeer *p = test_peer_connect(s);

	test_peer_send_bank_hello(p, bank_id, n_slots, bound);
	g_assert_cmpint(test_peer_wait_hello(p), ==, RSPRO_RESULT_OK);
	return p;
}

ServerTestPeer *
test_client_new(TestServer *s, guint16 client_id, guint16 slot_nr)
{
	ServerTestPeer *p = test_peer_connect(s);

	test_peer_send_client_hello(p, client_id, slot_nr);
	g_assert_cmpint(test_peer_wait_hello(p), ==, RSPRO_RESULT_OK);
	return p;
}

typedef struct {
	ServerTestPeer *peer;
	RsproMsgType type;
	RsproPdu *found;
} TakeCtx;

static gboolean
take_one(gpointer data)
{
	TakeCtx *ctx = data;
	GPtrArray *r = ctx->peer->received;

	for (guint i = 0; i < r->len; i++) {
		RsproPdu *pdu = r->pdata[i];

		if (pdu->type == ctx->type) {
			ctx->found = g_ptr_array_steal_index(r, i);
			return TRUE;
		}
	}
	return FALSE;
}

RsproPdu *
test_peer_take(ServerTestPeer *p, RsproMsgType type, guint timeout_ms)
{
	TakeCtx ctx = { p, type, NULL };

	remsim_test_common_spin_until(take_one, &ctx, timeout_ms);
	return ctx.found;
}

static gboolean
peer_is_closed(gpointer data)
{
	return ((ServerTestPeer *)data)->closed;
}

gboolean
test_peer_wait_closed(ServerTestPeer *p, guint timeout_ms)
{
	return remsim_test_common_spin_until(peer_is_closed, p, timeout_ms);
}

void
test_peer_free(ServerTestPeer *p)
{
	if (!p)
		return;
	g_signal_handlers_disconnect_by_data(p->conn, p);
	rspro_connection_close(p->conn);
	g_object_unref(p->conn);
	g_ptr_array_unref(p->received);
	g_free(p);
}

guint64
test_raise_fd_limit(void)
{
	struct rlimit rl;

	g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &rl), ==, 0);
	rl.rlim_cur = rl.rlim_max;
	g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &rl), ==, 0);
	return rl.rlim_cur;
}

/* ---- slot maps through REST ---- */

gchar *
test_slotmap_state(TestServer *s, guint bank, guint slot)
{
	g_autoptr(JsonNode) root = test_http_get_json(s, "/api/backend/v1/slotmaps", 200);
	JsonArray *maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");

	for (guint i = 0; i < json_array_get_length(maps); i++) {
		JsonObject *m = json_array_get_object_element(maps, i);
		JsonObject *b = json_object_get_object_member(m, "bank");

		if (json_object_get_int_member(b, "bankId") == bank &&
		    json_object_get_int_member(b, "slotNr") == slot)
			return g_strdup(json_object_get_string_member(m, "state"));
	}
	return NULL;
}

gboolean
test_wait_slotmap_state(TestServer *s, guint bank, guint slot, const gchar *state)
{
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;

	while (g_get_monotonic_time() < end) {
		g_autofree gchar *cur = test_slotmap_state(s, bank, slot);

		if (g_strcmp0(cur, state) == 0)
			return TRUE;
		remsim_test_common_spin_for(20);
	}
	return FALSE;
}

void
test_peer_expect(ServerTestPeer *p, RsproMsgType type, guint timeout_ms)
{
	g_autoptr(RsproPdu) pdu = test_peer_take(p, type, timeout_ms);

	g_assert_nonnull(pdu);
}
