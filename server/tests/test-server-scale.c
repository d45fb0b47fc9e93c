/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 200 banks of 8 slots and 1,600 clients connect at once, then 1,600 slot
 * maps are created through REST; every one must reach its bank, be
 * acknowledged, and its client be told where the bank is. Prints how long
 * each phase took (the figure is reported, never asserted).
 */
#include "remsim-test-util.h"

#define N_BANKS 200
#define N_SLOTS 8
#define N_MAPS (N_BANKS * N_SLOTS)

typedef struct {
	ServerTestPeer **banks;
	ServerTestPeer **clients;
	TestServer *server;
	guint posts_sent;
	guint posts_done;
	guint posts_failed;
} Scale;

/* requests in flight at once, as a script with a connection pool would send them */
#define HTTP_WINDOW 64

static void post_map(TestServer *s, Scale *sc, guint i);

static gboolean
all_registered(gpointer data)
{
	Scale *sc = data;

	for (guint i = 0; i < N_BANKS; i++)
		if (sc->banks[i]->hello_result < 0 && !sc->banks[i]->closed)
			return FALSE;
	for (guint i = 0; i < N_MAPS; i++)
		if (sc->clients[i]->hello_result < 0 && !sc->clients[i]->closed)
			return FALSE;
	return TRUE;
}

static gboolean
all_posted(gpointer data)
{
	return ((Scale *)data)->posts_done == N_MAPS;
}

static gboolean
all_acknowledged(gpointer data)
{
	Scale *sc = data;

	for (guint i = 0; i < N_BANKS; i++)
		if (sc->banks[i]->n_creates < N_SLOTS)
			return FALSE;
	for (guint i = 0; i < N_MAPS; i++)
		if (sc->clients[i]->last_config_port == 0)
			return FALSE;
	return TRUE;
}

static void
post_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	Scale *sc = data;
	SoupMessage *msg = soup_session_get_async_result_message(SOUP_SESSION(source), result);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body =
	    soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);

	if (!body || soup_message_get_status(msg) != 201)
		sc->posts_failed++;
	sc->posts_done++;
	if (sc->posts_sent < N_MAPS)
		post_map(sc->server, sc, sc->posts_sent++);
}

static void
post_map(TestServer *s, Scale *sc, guint i)
{
	g_autofree gchar *uri =
	    g_strdup_printf("http://127.0.0.1:%u/api/backend/v1/slotmaps", s->rest_port);
	g_autofree gchar *json = g_strdup_printf(
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    1 + i / N_SLOTS, i % N_SLOTS, i / 2, i % 2);
	g_autoptr(SoupMessage) msg = soup_message_new("POST", uri);
	g_autoptr(GBytes) bytes = g_bytes_new(json, strlen(json));

	soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
	soup_session_send_and_read_async(s->http, msg, G_PRIORITY_DEFAULT, NULL, post_ready, sc);
}

static ServerTestPeer *
peer_at(Scale *sc, guint i)
{
	return i < N_BANKS ? sc->banks[i] : sc->clients[i - N_BANKS];
}

/*
 * Opens every connection while the main loop runs (the server pings at once).
 * At most WINDOW hellos are unanswered at a time: the listener's accept
 * backlog is GLib's default of 10, and a full backlog drops SYNs, which costs
 * a second per retransmission.
 */
#define WINDOW 8

static void
connect_all(TestServer *s, Scale *sc)
{
	guint next = 0, answered = 0;
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	while (next < N_BANKS + N_MAPS) {
		while (answered < next &&
		       (peer_at(sc, answered)->hello_result >= 0 || peer_at(sc, answered)->closed))
			answered++;
		if (next - answered >= WINDOW) {
			g_assert_cmpint(g_get_monotonic_time(), <, end);
			g_main_context_iteration(NULL, TRUE);
			continue;
		}
		if (next < N_BANKS) {
			sc->banks[next] = test_peer_connect(s);
			test_peer_send_bank_hello(sc->banks[next], 1 + next, N_SLOTS, NULL);
		} else {
			guint i = next - N_BANKS;

			sc->clients[i] = test_peer_connect(s);
			test_peer_send_client_hello(sc->clients[i], i / 2, i % 2);
		}
		next++;
		g_main_context_iteration(NULL, FALSE);
	}
}

static void
test_scale(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autoptr(TestServer) s = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonArray *maps;
	Scale sc = { 0 };
	gint64 t0, t1, t2, t3;
	guint64 limit = test_raise_fd_limit();

	/* both ends of 1,800 connections live in this process and the server */
	if (limit < 2 * (N_BANKS + N_MAPS) + 256) {
		g_test_skip("the open file limit is too low for 1,800 connections");
		return;
	}
	s = test_server_start(dir, NULL);
	sc.banks = g_new0(ServerTestPeer *, N_BANKS);
	sc.clients = g_new0(ServerTestPeer *, N_MAPS);

	t0 = g_get_monotonic_time();
	connect_all(s, &sc);
	g_assert_true(remsim_test_common_spin_until(all_registered, &sc, 60000));
	t1 = g_get_monotonic_time();
	for (guint i = 0; i < N_BANKS; i++)
		g_assert_cmpint(sc.banks[i]->hello_result, ==, 0);
	for (guint i = 0; i < N_MAPS; i++)
		g_assert_cmpint(sc.clients[i]->hello_result, ==, 0);

	sc.server = s;
	while (sc.posts_sent < HTTP_WINDOW)
		post_map(s, &sc, sc.posts_sent++);
	g_assert_true(remsim_test_common_spin_until(all_posted, &sc, 60000));
	t2 = g_get_monotonic_time();
	g_assert_cmpuint(sc.posts_failed, ==, 0);
	if (!remsim_test_common_spin_until(all_acknowledged, &sc, 60000)) {
		guint creates = 0, configured = 0, closed = 0;

		for (guint i = 0; i < N_BANKS; i++) {
			creates += sc.banks[i]->n_creates;
			closed += sc.banks[i]->closed;
		}
		for (guint i = 0; i < N_MAPS; i++) {
			configured += sc.clients[i]->last_config_port != 0;
			closed += sc.clients[i]->closed;
		}
		g_error(
		    "after 60 s: %u createMappingReq at banks, %u clients configured, %u closed",
		    creates, configured, closed);
	}
	t3 = g_get_monotonic_time();

	root = test_http_get_json(s, "/api/backend/v1/slotmaps", 200);
	maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");
	g_assert_cmpuint(json_array_get_length(maps), ==, N_MAPS);
	for (guint i = 0; i < N_MAPS; i++)
		g_assert_cmpstr(
		    json_object_get_string_member(json_array_get_object_element(maps, i), "state"),
		    ==, "ACTIVE");
	for (guint i = 0; i < N_BANKS; i++)
		g_assert_cmpuint(sc.banks[i]->n_creates, ==, N_SLOTS);

	g_printerr("scale: %u banks + %u clients registered in %.2f s; %u maps created through "
		   "REST (201, on disk) in %.2f s; all acknowledged by banks and pushed to clients "
		   "%.2f s after the first POST\n",
		   N_BANKS, N_MAPS, (t1 - t0) / 1e6, N_MAPS, (t2 - t1) / 1e6, (t3 - t1) / 1e6);
	g_test_message("1,600-map case end to end: %.2f s", (t3 - t1) / 1e6);

	for (guint i = 0; i < N_BANKS; i++)
		test_peer_free(sc.banks[i]);
	for (guint i = 0; i < N_MAPS; i++)
		test_peer_free(sc.clients[i]);
	g_free(sc.banks);
	g_free(sc.clients);
	g_clear_pointer(&s, test_server_free);
	remsim_test_common_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/scale/1600-maps", test_scale);
	return g_test_run();
}
