/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 200 test banks of 8 slots and 1,600 test clients (tests/common's scripted
 * peers, all in this process) connect at once to the real remsim-server, then
 * 1,600 slot maps are created through REST; every one must be answered 201,
 * reach its bank, be acknowledged, show ACTIVE, and its client be told where
 * the bank is. Prints how long each phase took (the figure is reported, never
 * asserted).
 */
#include "config.h"

#include <libsoup/soup.h>

#include "remsim-test-daemon.h"
#include "remsim-test-hostile.h"
#include "remsim-test-peer.h"

#define N_BANKS 200
#define N_SLOTS 8
#define N_MAPS (N_BANKS * N_SLOTS)

typedef struct {
	RemsimTestPeer **banks;
	RemsimTestPeer **clients;
	RemsimTestDaemon *server;
	SoupSession *http;
	guint posts_sent;
	guint posts_done;
	guint posts_failed;
} Scale;

/* requests in flight at once, as a script with a connection pool would send them */
#define HTTP_WINDOW 64

static void post_map(Scale *sc, guint i);

/* the answer to its hello came, or its connection ended */
static gboolean
answered(RemsimTestPeer *peer)
{
	return remsim_test_peer_count(peer, RSPRO_MSG_CONNECT_BANK_RES) > 0 ||
	       remsim_test_peer_count(peer, RSPRO_MSG_CONNECT_CLIENT_RES) > 0 ||
	       remsim_test_peer_get_n_connections(peer) == 0;
}

static gboolean
is_closed(RemsimTestPeer *peer)
{
	return remsim_test_peer_get_n_connections(peer) == 0;
}

/* the client was told where its bank is */
static gboolean
configured(RemsimTestPeer *client)
{
	const RsproPdu *cfg = remsim_test_peer_last(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);

	return cfg != NULL && cfg->u.config_client_bank_req.bankd.port != 0;
}

static gboolean
all_registered(gpointer data)
{
	Scale *sc = data;

	for (guint i = 0; i < N_BANKS; i++)
		if (!answered(sc->banks[i]))
			return FALSE;
	for (guint i = 0; i < N_MAPS; i++)
		if (!answered(sc->clients[i]))
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
		if (remsim_test_peer_count(sc->banks[i], RSPRO_MSG_CREATE_MAPPING_REQ) < N_SLOTS)
			return FALSE;
	for (guint i = 0; i < N_MAPS; i++)
		if (!configured(sc->clients[i]))
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
		post_map(sc, sc->posts_sent++);
}

static void
post_map(Scale *sc, guint i)
{
	g_autofree gchar *uri = g_strdup_printf("http://127.0.0.1:%u/api/backend/v1/slotmaps",
						remsim_test_daemon_get_rest_port(sc->server));
	g_autofree gchar *json = g_strdup_printf(
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    1 + i / N_SLOTS, i % N_SLOTS, i / 2, i % 2);
	g_autoptr(SoupMessage) msg = soup_message_new("POST", uri);
	g_autoptr(GBytes) bytes = g_bytes_new(json, strlen(json));

	soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
	soup_session_send_and_read_async(sc->http, msg, G_PRIORITY_DEFAULT, NULL, post_ready, sc);
}

static RemsimTestPeer *
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

/* connects and says hello, without waiting for the answer */
static void
dial(RemsimTestPeer *peer, guint16 port)
{
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(peer);

	remsim_test_peer_dial(peer, port, hello);
}

static void
connect_all(Scale *sc)
{
	guint16 port = remsim_test_daemon_get_port(sc->server);
	guint next = 0, n_answered = 0;
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	while (next < N_BANKS + N_MAPS) {
		while (n_answered < next && answered(peer_at(sc, n_answered)))
			n_answered++;
		if (next - n_answered >= WINDOW) {
			g_assert_cmpint(g_get_monotonic_time(), <, end);
			g_main_context_iteration(NULL, TRUE);
			continue;
		}
		if (next < N_BANKS) {
			sc->banks[next] = remsim_test_peer_new_bank(1 + next, N_SLOTS);
			remsim_test_peer_load_script(sc->banks[next],
						     REMSIM_TEST_PEER_BANK_FOR_SERVER);
			dial(sc->banks[next], port);
		} else {
			guint i = next - N_BANKS;

			sc->clients[i] = remsim_test_peer_new_client(i / 2, i % 2);
			remsim_test_peer_load_script(sc->clients[i],
						     REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
			dial(sc->clients[i], port);
		}
		next++;
		g_main_context_iteration(NULL, FALSE);
	}
}

static void
test_scale(void)
{
	g_autoptr(RemsimTestDaemon) s = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonArray *maps;
	Scale sc = { 0 };
	gint64 t0, t1, t2, t3;

	/* both ends of 1,800 connections live in this process and the server */
	remsim_test_hostile_raise_fd_limit(2 * (N_BANKS + N_MAPS) + 256);
	s = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER, NULL);
	sc.server = s;
	sc.http = soup_session_new_with_options("max-conns", 128, "max-conns-per-host", 64,
						"timeout", 60, NULL);
	sc.banks = g_new0(RemsimTestPeer *, N_BANKS);
	sc.clients = g_new0(RemsimTestPeer *, N_MAPS);

	t0 = g_get_monotonic_time();
	connect_all(&sc);
	g_assert_true(remsim_test_common_spin_until(all_registered, &sc, 60000));
	t1 = g_get_monotonic_time();
	for (guint i = 0; i < N_BANKS; i++)
		g_assert_cmpint(remsim_test_peer_wait_hello(sc.banks[i]), ==, 0);
	for (guint i = 0; i < N_MAPS; i++)
		g_assert_cmpint(remsim_test_peer_wait_hello(sc.clients[i]), ==, 0);

	while (sc.posts_sent < HTTP_WINDOW)
		post_map(&sc, sc.posts_sent++);
	g_assert_true(remsim_test_common_spin_until(all_posted, &sc, 60000));
	t2 = g_get_monotonic_time();
	g_assert_cmpuint(sc.posts_failed, ==, 0);
	if (!remsim_test_common_spin_until(all_acknowledged, &sc, 60000)) {
		guint creates = 0, n_configured = 0, closed = 0;

		for (guint i = 0; i < N_BANKS; i++) {
			creates +=
			    remsim_test_peer_count(sc.banks[i], RSPRO_MSG_CREATE_MAPPING_REQ);
			closed += is_closed(sc.banks[i]);
		}
		for (guint i = 0; i < N_MAPS; i++) {
			n_configured += configured(sc.clients[i]);
			closed += is_closed(sc.clients[i]);
		}
		g_error(
		    "after 60 s: %u createMappingReq at banks, %u clients configured, %u closed",
		    creates, n_configured, closed);
	}
	t3 = g_get_monotonic_time();

	root = remsim_test_daemon_rest_json(s, "/api/backend/v1/slotmaps", 200);
	maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");
	g_assert_cmpuint(json_array_get_length(maps), ==, N_MAPS);
	for (guint i = 0; i < N_MAPS; i++)
		g_assert_cmpstr(
		    json_object_get_string_member(json_array_get_object_element(maps, i), "state"),
		    ==, "ACTIVE");
	for (guint i = 0; i < N_BANKS; i++)
		g_assert_cmpuint(remsim_test_peer_count(sc.banks[i], RSPRO_MSG_CREATE_MAPPING_REQ),
				 ==, N_SLOTS);

	g_printerr("scale: %u test banks + %u test clients registered in %.2f s; %u maps "
		   "created through REST (201, on disk) in %.2f s; all acknowledged by the banks "
		   "and pushed to the clients %.2f s after the first POST\n",
		   N_BANKS, N_MAPS, (t1 - t0) / 1e6, N_MAPS, (t2 - t1) / 1e6, (t3 - t1) / 1e6);
	g_test_message("1,600-map case end to end: %.2f s", (t3 - t1) / 1e6);

	for (guint i = 0; i < N_BANKS; i++)
		g_object_unref(sc.banks[i]);
	for (guint i = 0; i < N_MAPS; i++)
		g_object_unref(sc.clients[i]);
	g_free(sc.banks);
	g_free(sc.clients);
	g_object_unref(sc.http);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/scale/1600-maps", test_scale);
	return g_test_run();
}
