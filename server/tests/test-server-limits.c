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
#include "rspro-acceptor.h"

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

/* what a case starts the server with (NULL: an empty config, the test's limits) */
typedef struct {
	const gchar *config;
	guint fd_limit;
	/* open files the test needs: raised before the server starts, which inherits them */
	guint fd_needed;
} ServerLimitsCase;

static void
fixture_setup(ServerLimitsFixture *f, gconstpointer data)
{
	const ServerLimitsCase *c = data;
	g_autofree gchar *asan = asan_options();
	g_autofree gchar *prlimit = g_find_program_in_path("prlimit");
	const gchar *env[] = { asan, NULL };

	if (c != NULL && c->fd_limit > 0 &&
	    remsim_test_common_skip_unless(prlimit != NULL, "prlimit (util-linux)"))
		return;
	if (c != NULL && c->fd_needed > 0)
		remsim_test_hostile_raise_fd_limit(c->fd_needed);
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .config = c != NULL ? c->config : NULL,
					.fd_limit = c != NULL ? c->fd_limit : 0,
					.env = env,
					.capture_stderr = TRUE });
}

static void
fixture_teardown(ServerLimitsFixture *f, gconstpointer data)
{
	if (f->server != NULL)
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

/*
 * A client that says hello (as client @client_id:@slot_nr) and answers the
 * keep-alive blindly, then reads nothing: it stays as long as it likes
 */
static GSocket *
hostile_client(ServerLimitsFixture *f, const gchar *from_ip, guint16 client_id, guint16 slot_nr)
{
	g_autoptr(RemsimTestPeer) as = remsim_test_peer_new_client(client_id, slot_nr);
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(as);
	g_autoptr(GError) error = NULL;
	GSocket *socket = remsim_test_hostile_connect(
	    from_ip, remsim_test_daemon_get_port(f->server), hello, &error);

	g_assert_no_error(error);
	remsim_test_hostile_send_pong(socket);
	return socket;
}

/*
 * A connection past a limit: it says nothing, since the server may close it
 * before anything it sent arrives (sending would then fail with EPIPE)
 */
static GSocket *
refused_client(ServerLimitsFixture *f, const gchar *from_ip)
{
	g_autoptr(GError) error = NULL;
	GSocket *socket = remsim_test_hostile_connect(
	    from_ip, remsim_test_daemon_get_port(f->server), NULL, &error);

	g_assert_no_error(error);
	return socket;
}

static const ServerLimitsCase limits_case = {
	"[server]\nmax-connections=12\nmax-connections-per-address=4\n", 0, 0
};

/*
 * max-connections-per-address and max-connections: one connection past
 * either is closed at once, with a log line; a connection that goes makes
 * room for a legitimate client.
 */
static void
test_connection_limits(ServerLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);
	g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func(g_object_unref);
	const gchar *from[] = { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	g_autoptr(GSocket) extra = NULL;
	g_autoptr(RemsimTestPeer) refused = remsim_test_peer_new_client(23, 0);
	guint fds;

	/* four from 127.0.0.2; a fifth is closed (accepting is in order: the four are in) */
	for (guint i = 0; i < 4; i++)
		g_ptr_array_add(open, hostile_client(f, from[0], 100, i));
	extra = refused_client(f, from[0]);
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_is_closed(extra));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->server, "refused a connection from 127.0.0.2: 4 connections "
					    "from that address are open") == 1);
	for (guint i = 0; i < open->len; i++)
		g_assert_false(remsim_test_hostile_is_closed(open->pdata[i]));
	g_clear_object(&extra);

	/* four more from each of two others: twelve in all, the total */
	for (guint a = 1; a < G_N_ELEMENTS(from); a++)
		for (guint i = 0; i < 4; i++)
			g_ptr_array_add(open, hostile_client(f, from[a], 100 + a, i));
	extra = refused_client(f, "127.0.0.5");
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_is_closed(extra));
	REMSIM_TEST_WAIT_FOR(
	    remsim_test_daemon_count_stderr(
		f->server, "refused a connection from 127.0.0.5: 12 connections are open") == 1);
	for (guint i = 0; i < open->len; i++)
		g_assert_false(remsim_test_hostile_is_closed(open->pdata[i]));

	/* a legitimate client too, while they stay */
	remsim_test_peer_load_script(refused, REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	g_assert_cmpint(remsim_test_peer_connect(refused, remsim_test_daemon_get_port(f->server)),
			!=, RSPRO_RESULT_OK);

	/* one goes: once the server let go of it, the client is served */
	fds = remsim_test_hostile_count_fds(proc);
	g_ptr_array_remove_index(open, 0);
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_count_fds(proc) < fds);
	assert_serves_client(f, 23);
}

/* as many connections as it takes to put the daemon at its open-file limit */
#define STORM_FD_LIMIT 64
#define STORM_CONNECTIONS 120
/* how long the test watches the log at the limit (a negative check) */
#define STORM_WATCH_MS 3000

static const ServerLimitsCase storm_case = { NULL, STORM_FD_LIMIT, 0 };

static guint
count_accept_failures(ServerLimitsFixture *f)
{
	/* GLib's own accept loop said "fail: Too many open files" for every try */
	return remsim_test_daemon_count_stderr(f->server, "Too many open files");
}

/*
 * At its open-file limit the server stops accepting for a moment instead of
 * spinning on the backlog, logs that once an interval (not tens of thousands
 * of lines a second), keeps its clients, and serves new ones once
 * descriptors are free again.
 */
static void
test_accept_storm(ServerLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);
	g_autoptr(RemsimTestPeer) before = remsim_test_peer_new_client(7, 0);
	g_autoptr(GPtrArray) storm = g_ptr_array_new_with_free_func(g_object_unref);
	guint lines, lines_after;
	gint64 t0, t1;
	gdouble seconds;

	if (f->server == NULL)
		return;
	g_assert_cmpuint(remsim_test_hostile_fd_limit(proc), ==, STORM_FD_LIMIT);
	remsim_test_peer_load_script(before, REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	g_assert_cmpint(remsim_test_peer_connect(before, remsim_test_daemon_get_port(f->server)),
			==, RSPRO_RESULT_OK);

	/* idle connections, more than it has descriptors: the rest wait in the backlog */
	for (guint i = 0; i < STORM_CONNECTIONS; i++) {
		g_autoptr(GError) error = NULL;

		g_ptr_array_add(
		    storm, remsim_test_hostile_connect(NULL, remsim_test_daemon_get_port(f->server),
						       NULL, &error));
		g_assert_no_error(error);
	}
	REMSIM_TEST_WAIT_FOR(count_accept_failures(f) >= 1);
	lines = count_accept_failures(f);
	t0 = g_get_monotonic_time();
	remsim_test_common_spin_for(STORM_WATCH_MS);
	t1 = g_get_monotonic_time();
	lines_after = count_accept_failures(f);
	seconds = (t1 - t0) / (gdouble)G_USEC_PER_SEC;
	g_test_message("at %u descriptors: %u descriptors open, %u lines about it in %.1f s",
		       STORM_FD_LIMIT, remsim_test_hostile_count_fds(proc), lines_after - lines,
		       seconds);
	/* one line per RSPRO_ACCEPTOR_LOG_INTERVAL_MS, and one for an interval under way */
	g_assert_cmpuint(lines_after - lines, <=,
			 1 + (guint)(seconds * 1000 / RSPRO_ACCEPTOR_LOG_INTERVAL_MS));
	g_assert_cmpuint(remsim_test_peer_get_n_connections(before), ==, 1);

	/* the storm ends: the server takes the waiting ones, finds them gone, and serves again */
	g_ptr_array_set_size(storm, 0);
	assert_serves_client(f, 23);
	g_assert_cmpuint(remsim_test_peer_get_n_connections(before), ==, 1);
}

/* the connections open while a legitimate client is served */
#define MANY_CONNECTIONS 4000
#define MANY_ADDRESSES 8

static const ServerLimitsCase many_case = { NULL, 0, MANY_CONNECTIONS + 256 };

/*
 * 4,000 clients that said hello and read nothing are open from eight
 * addresses (within the default limits): a legitimate client is served
 * still. The time it took is the figure (the bound asserted is the generous
 * one of every wait).
 */
static void
test_many_connections(ServerLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);
	g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(RemsimTestPeer) client = remsim_test_peer_new_client(23, 0);
	gint64 t0, t1;
	guint fds;

	/* the fixture raised the limit before the server started, and it raises its own */
	g_assert_cmpuint(remsim_test_hostile_fd_limit(proc), >=, MANY_CONNECTIONS + 256);
	t0 = g_get_monotonic_time();
	for (guint i = 0; i < MANY_CONNECTIONS; i++) {
		g_autofree gchar *from = g_strdup_printf("127.0.1.%u", 1 + i % MANY_ADDRESSES);

		g_ptr_array_add(open, hostile_client(f, from, 100 + i / 1000, i % 1000));
	}
	t1 = g_get_monotonic_time();
	g_test_message("%u connections opened in %.0f ms", MANY_CONNECTIONS, (t1 - t0) / 1000.0);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->server)),
			==, RSPRO_RESULT_OK);
	t1 = g_get_monotonic_time();
	fds = remsim_test_hostile_count_fds(proc);
	g_test_message("a legitimate client served in %.1f ms while %u connections were open "
		       "(the server holds %u descriptors)",
		       (t1 - t0) / 1000.0, MANY_CONNECTIONS, fds);
	g_assert_cmpuint(fds, >, MANY_CONNECTIONS);
	for (guint i = 0; i < open->len; i++)
		g_assert_false(remsim_test_hostile_is_closed(open->pdata[i]));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/server/limits/ping-flood", ServerLimitsFixture, NULL, fixture_setup,
		   test_ping_flood, fixture_teardown);
	g_test_add("/server/limits/connections", ServerLimitsFixture, &limits_case, fixture_setup,
		   test_connection_limits, fixture_teardown);
	g_test_add("/server/limits/accept-storm", ServerLimitsFixture, &storm_case, fixture_setup,
		   test_accept_storm, fixture_teardown);
	g_test_add("/server/limits/4000-connections", ServerLimitsFixture, &many_case,
		   fixture_setup, test_many_connections, fixture_teardown);
	return g_test_run();
}
