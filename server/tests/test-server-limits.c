/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's RSPRO port under hostile peers: what one peer or many can
 * make it hold (memory, descriptors, connections), and that it goes on serving
 * others meanwhile. The figures are printed as test messages; the bounds
 * asserted are generous.
 */
#include "config.h"

#include "remsim-test-daemon.h"
#include "remsim-test-hostile.h"
#include "remsim-test-peer.h"

/* connections that flood at once */
#define FLOOD_CONNECTIONS 4
/*
 * The bound on what the flood may add to the server's resident memory: 16 MiB a
 * connection. Each connection queues at most about 1 MiB of answers before it
 * stops being read (RSPRO_CONNECTION_HIGH_WATER), which the sanitizers'
 * allocator makes about 6 MiB; before that cap one connection made the
 * server queue 1.5 GB in 12 s.
 */
#define FLOOD_RSS_BOUND_KB (FLOOD_CONNECTIONS * 16 * 1024)

typedef struct {
	RemsimTestDaemon *server;
} ServerLimitsFixture;

/*
 * ASan keeps freed memory in quarantine (256 MB by default): a small one
 * makes the resident size show what the daemon holds, not what it freed.
 */
static gchar *
asan_options(void)
{
	const gchar *old = g_getenv("ASAN_OPTIONS");

	return g_strdup_printf("ASAN_OPTIONS=%s%squarantine_size_mb=4", old != NULL ? old : "",
			       old != NULL && *old != '\0' ? ":" : "");
}

static void
fixture_setup(ServerLimitsFixture *f, gconstpointer data)
{
	g_autofree gchar *asan = asan_options();
	const gchar *env[] = { asan, NULL };

	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .config = data, .env = env, .capture_stderr = TRUE });
}

static void
fixture_teardown(ServerLimitsFixture *f, gconstpointer data)
{
	remsim_test_daemon_stop(f->server);
	g_clear_object(&f->server);
}

/* a client peer is still registered: its connectClientReq is answered OK */
static void
assert_serves_client(ServerLimitsFixture *f, guint16 client_id)
{
	g_autoptr(RemsimTestPeer) client = remsim_test_peer_new_client(client_id, 0);

	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->server)),
			==, RSPRO_RESULT_OK);
}

/* "127.0.0.1:PORT", as the daemon's log names the peer of @socket */
static gchar *
peer_name(GSocket *socket)
{
	g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, NULL);
	GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(local);
	g_autofree gchar *ip = g_inet_address_to_string(g_inet_socket_address_get_address(inet));

	return g_strdup_printf("%s:%u", ip, g_inet_socket_address_get_port(inet));
}

/*
 * Clients that send PINGs and never read the PONGs: the server stops reading
 * from each once its answers pile up, so its memory stays bounded however
 * fast they send, and drops them (the keep-alive PING goes unanswered too)
 * with a log line naming each.
 */
static void
test_ping_flood(ServerLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);
	GSocket *flooders[FLOOD_CONNECTIONS];
	gchar *names[FLOOD_CONNECTIONS];
	RemsimTestHostileFlood flood;

	for (guint i = 0; i < FLOOD_CONNECTIONS; i++) {
		g_autoptr(RemsimTestPeer) as = remsim_test_peer_new_client(100 + i, 0);
		g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(as);
		g_autoptr(GError) error = NULL;

		flooders[i] = remsim_test_hostile_connect(
		    NULL, remsim_test_daemon_get_port(f->server), hello, &error);
		g_assert_no_error(error);
		names[i] = peer_name(flooders[i]);
	}
	remsim_test_hostile_flood(flooders, FLOOD_CONNECTIONS, proc, 2 * FLOOD_RSS_BOUND_KB,
				  &flood);
	g_test_message("PING flood: %" G_GSIZE_FORMAT " kB over %u connections in %.1f s; "
		       "server VmRSS %" G_GUINT64_FORMAT " kB before, peak %" G_GUINT64_FORMAT
		       " kB sampled, VmHWM %" G_GUINT64_FORMAT " kB (bound: before + %u kB)",
		       flood.bytes / 1024, FLOOD_CONNECTIONS, flood.seconds, flood.rss_before_kb,
		       flood.rss_peak_kb, flood.hwm_kb, FLOOD_RSS_BOUND_KB);
	g_assert_cmpuint(flood.rss_peak_kb, <, flood.rss_before_kb + FLOOD_RSS_BOUND_KB);
	g_assert_cmpuint(flood.hwm_kb, <, flood.rss_before_kb + FLOOD_RSS_BOUND_KB);
	for (guint i = 0; i < FLOOD_CONNECTIONS; i++) {
		g_autofree gchar *line = g_strdup_printf("connection from %s lost", names[i]);

		REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->server, line) == 1);
		g_object_unref(flooders[i]);
		g_free(names[i]);
	}
	/* the flooders kept nobody else out */
	assert_serves_client(f, 23);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/server/limits/ping-flood", ServerLimitsFixture, NULL, fixture_setup,
		   test_ping_flood, fixture_teardown);
	return g_test_run();
}
