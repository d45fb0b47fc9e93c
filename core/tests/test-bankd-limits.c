/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd's client port under hostile peers: what they can make it hold,
 * and that its clients are served meanwhile. Figures are printed as test
 * messages; the bounds asserted are generous.
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"
#include "remsim-test-hostile.h"
#include "remsim-test-peer.h"
#include "rspro-acceptor.h"

/* connections that flood at once */
#define FLOOD_CONNECTIONS 4
/*
 * The bound on what the flood may add to the bank's resident memory: 16 MiB a
 * connection. Each connection queues at most about 1 MiB of answers before it
 * stops being read (RSPRO_CONNECTION_HIGH_WATER), which the sanitizers'
 * allocator makes about 6 MiB; before that cap one connection made the
 * server queue 1.5 GB in 12 s.
 */
#define FLOOD_RSS_BOUND_KB (FLOOD_CONNECTIONS * 16 * 1024)
/* bank slot 0 for the well-behaved client, one for each flooder */
#define N_SLOTS (1 + FLOOD_CONNECTIONS)

typedef struct {
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
	guint16 metrics_port; /* 0: none */
} BankdLimitsFixture;

/* a small ASan quarantine: the resident size shows what the bank holds */
static gchar *
asan_options(void)
{
	const gchar *old = g_getenv("ASAN_OPTIONS");

	return g_strdup_printf("ASAN_OPTIONS=%s%squarantine_size_mb=4", old != NULL ? old : "",
			       old != NULL && *old != '\0' ? ":" : "");
}

/* what a case starts the bank with (NULL: no more keys, the test's limits) */
typedef struct {
	const gchar *config; /* more [bankd] keys */
	guint fd_limit;
	gboolean metrics; /* a metrics-port of its own */
	/* open files the test needs: raised before the bank starts, which inherits them */
	guint fd_needed;
} BankdLimitsCase;

static void
fixture_setup(BankdLimitsFixture *f, gconstpointer data)
{
	const BankdLimitsCase *c = data;
	g_autofree gchar *asan = asan_options();
	g_autofree gchar *prlimit = g_find_program_in_path("prlimit");
	const gchar *env[] = { asan, NULL };
	guint16 metrics_port = c != NULL && c->metrics ? remsim_test_common_free_port_pair() : 0;
	g_autofree gchar *metrics = metrics_port ? g_strdup_printf("metrics-port=%u\n"
								   "metrics-bind-ip=127.0.0.1\n",
								   metrics_port)
						 : g_strdup("");
	g_autofree gchar *config = g_strdup_printf(
	    "%s%s[example]\nslots=%u\n", c != NULL && c->config ? c->config : "", metrics, N_SLOTS);

	if (c != NULL && c->fd_limit > 0 &&
	    remsim_test_common_skip_unless(prlimit != NULL, "prlimit (util-linux)"))
		return;
	if (c != NULL && c->fd_needed > 0)
		remsim_test_hostile_raise_fd_limit(c->fd_needed);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "example",
					.n_slots = N_SLOTS,
					.config = config,
					.fd_limit = c != NULL ? c->fd_limit : 0,
					.env = env,
					.capture_stderr = TRUE });
	remsim_test_peer_wait_hellos(f->server, 1);
	f->metrics_port = metrics_port;
}

static void
fixture_teardown(BankdLimitsFixture *f, gconstpointer data)
{
	if (f->bankd != NULL)
		remsim_test_daemon_stop(f->bankd);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
}

/* a mapped client is accepted and its APDU answered */
static void
assert_serves_client(BankdLimitsFixture *f, guint16 client_id)
{
	g_autoptr(RemsimTestPeer) client = remsim_test_peer_new_client(client_id, 0);
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D600000412345678");
	g_autoptr(GBytes) response = NULL;
	g_autofree gchar *hex = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, client_id, 0), ==, RSPRO_RESULT_OK);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
			RSPRO_RESULT_OK);
	response = remsim_test_peer_apdu(client, 0, apdu);
	g_assert_nonnull(response);
	hex = remsim_test_common_bytes_hex(response);
	g_assert_cmpstr(hex, ==, "123456789000");
}

/* "127.0.0.1:PORT", as the bank's log names the peer of @socket */
static gchar *
peer_name(GSocket *socket)
{
	g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, NULL);
	GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(local);
	g_autofree gchar *ip = g_inet_address_to_string(g_inet_socket_address_get_address(inet));

	return g_strdup_printf("%s:%u", ip, g_inet_socket_address_get_port(inet));
}

/*
 * Clients that say who they are, then send PINGs and never read the PONGs:
 * the bank stops reading from each once its answers pile up, so its memory
 * stays bounded however fast they send, and drops each once it has read
 * nothing for RSPRO_CONNECTION_STALL_MS, with a log line naming it.
 */
static void
test_ping_flood(BankdLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->bankd);
	GSocket *flooders[FLOOD_CONNECTIONS];
	gchar *names[FLOOD_CONNECTIONS];
	RemsimTestHostileFlood flood;

	for (guint i = 0; i < FLOOD_CONNECTIONS; i++) {
		g_autoptr(RemsimTestPeer) as = remsim_test_peer_new_client(100 + i, 0);
		g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(as);
		g_autoptr(GError) error = NULL;

		/* a mapped client: the bank keeps it (an unmapped one it sends away) */
		g_assert_cmpint(remsim_test_peer_map(f->server, 1 + i, 100 + i, 0), ==,
				RSPRO_RESULT_OK);
		flooders[i] = remsim_test_hostile_connect(
		    NULL, remsim_test_daemon_get_port(f->bankd), hello, &error);
		g_assert_no_error(error);
		names[i] = peer_name(flooders[i]);
	}
	remsim_test_hostile_flood(flooders, FLOOD_CONNECTIONS, proc, 2 * FLOOD_RSS_BOUND_KB,
				  &flood);
	g_test_message("PING flood: %" G_GSIZE_FORMAT " kB over %u connections in %.1f s; "
		       "bankd VmRSS %" G_GUINT64_FORMAT " kB before, peak %" G_GUINT64_FORMAT
		       " kB sampled, VmHWM %" G_GUINT64_FORMAT " kB (bound: before + %u kB)",
		       flood.bytes / 1024, FLOOD_CONNECTIONS, flood.seconds, flood.rss_before_kb,
		       flood.rss_peak_kb, flood.hwm_kb, FLOOD_RSS_BOUND_KB);
	g_assert_cmpuint(flood.rss_peak_kb, <, flood.rss_before_kb + FLOOD_RSS_BOUND_KB);
	g_assert_cmpuint(flood.hwm_kb, <, flood.rss_before_kb + FLOOD_RSS_BOUND_KB);
	for (guint i = 0; i < FLOOD_CONNECTIONS; i++) {
		g_autofree gchar *line =
		    g_strdup_printf("connection from %s lost: the peer did not read the", names[i]);

		REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, line) == 1);
		g_object_unref(flooders[i]);
		g_free(names[i]);
	}
	/* the flooders kept nobody else out */
	assert_serves_client(f, 23);
}

/* a client connection that says nothing: the bank holds it until its hello timeout */
static GSocket *
idle_client(BankdLimitsFixture *f, const gchar *from_ip)
{
	g_autoptr(GError) error = NULL;
	GSocket *socket = remsim_test_hostile_connect(
	    from_ip, remsim_test_daemon_get_port(f->bankd), NULL, &error);

	g_assert_no_error(error);
	return socket;
}

static const BankdLimitsCase limits_case = { "max-connections=12\nmax-connections-per-address=4\n",
					     0, FALSE, 0 };

/*
 * max-connections-per-address and max-connections: one connection past
 * either is closed at once, with a log line; a connection that goes makes
 * room for a legitimate client.
 */
static void
test_connection_limits(BankdLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->bankd);
	g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func(g_object_unref);
	const gchar *from[] = { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	g_autoptr(GSocket) extra = NULL;
	guint fds;

	/* four from 127.0.0.2; a fifth is closed (accepting is in order: the four are in) */
	for (guint i = 0; i < 4; i++)
		g_ptr_array_add(open, idle_client(f, from[0]));
	extra = idle_client(f, from[0]);
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_is_closed(extra));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->bankd, "refused a connection from 127.0.0.2: 4 connections "
					   "from that address are open") == 1);
	g_clear_object(&extra);

	/* four more from each of two others: twelve in all, the total */
	for (guint a = 1; a < G_N_ELEMENTS(from); a++)
		for (guint i = 0; i < 4; i++)
			g_ptr_array_add(open, idle_client(f, from[a]));
	extra = idle_client(f, "127.0.0.5");
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_is_closed(extra));
	REMSIM_TEST_WAIT_FOR(
	    remsim_test_daemon_count_stderr(
		f->bankd, "refused a connection from 127.0.0.5: 12 connections are open") == 1);
	for (guint i = 0; i < open->len; i++)
		g_assert_false(remsim_test_hostile_is_closed(open->pdata[i]));

	/* one goes: once the bank let go of it, a client is served */
	fds = remsim_test_hostile_count_fds(proc);
	g_ptr_array_remove_index(open, 0);
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_count_fds(proc) < fds);
	assert_serves_client(f, 23);
}

/* as many connections as it takes to put the bank at its open-file limit */
#define STORM_FD_LIMIT 64
#define STORM_CONNECTIONS 120
/* how long the test watches the log at the limit (a negative check) */
#define STORM_WATCH_MS 3000

static const BankdLimitsCase storm_case = { NULL, STORM_FD_LIMIT, FALSE, 0 };
static const BankdLimitsCase metrics_case = { NULL, 0, TRUE, 0 };

/* GLib's own accept loop said "fail: Too many open files" for every try */
static guint
count_accept_failures(BankdLimitsFixture *f)
{
	return remsim_test_daemon_count_stderr(f->bankd, "Too many open files");
}

static gboolean
relay_apdu(RemsimTestPeer *client, guint16 bank_slot)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D600000412345678");
	g_autoptr(GBytes) response = remsim_test_peer_apdu(client, bank_slot, apdu);
	g_autofree gchar *hex = response != NULL ? remsim_test_common_bytes_hex(response) : NULL;

	return g_strcmp0(hex, "123456789000") == 0;
}

/*
 * At its open-file limit the bank stops accepting for a moment instead of
 * spinning on the backlog, logs that once an interval (not tens of thousands
 * of lines a second), relays for the client it has, and serves new ones once
 * descriptors are free again.
 */
static void
test_accept_storm(BankdLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc;
	g_autoptr(RemsimTestPeer) before = remsim_test_peer_new_client(7, 0);
	g_autoptr(GPtrArray) storm = g_ptr_array_new_with_free_func(g_object_unref);
	guint lines, lines_after, apdus = 0;
	gint64 t0, t1;
	gdouble seconds;

	if (f->bankd == NULL)
		return;
	proc = remsim_test_daemon_get_process(f->bankd);
	g_assert_cmpuint(remsim_test_hostile_fd_limit(proc), ==, STORM_FD_LIMIT);
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 7, 0), ==, RSPRO_RESULT_OK);
	remsim_test_peer_load_script(before, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(before, remsim_test_daemon_get_port(f->bankd)), ==,
			RSPRO_RESULT_OK);
	g_assert_true(relay_apdu(before, 1));

	/* idle connections, more than it has descriptors: the rest wait in the backlog */
	for (guint i = 0; i < STORM_CONNECTIONS; i++)
		g_ptr_array_add(storm, idle_client(f, NULL));
	REMSIM_TEST_WAIT_FOR(count_accept_failures(f) >= 1);
	lines = count_accept_failures(f);
	t0 = g_get_monotonic_time();
	/* the client it has is served meanwhile, APDU after APDU */
	while (g_get_monotonic_time() - t0 < STORM_WATCH_MS * 1000) {
		g_assert_true(relay_apdu(before, 1));
		apdus++;
	}
	t1 = g_get_monotonic_time();
	lines_after = count_accept_failures(f);
	seconds = (t1 - t0) / (gdouble)G_USEC_PER_SEC;
	g_test_message("at %u descriptors: %u descriptors open, %u lines about it and %u APDUs "
		       "relayed in %.1f s",
		       STORM_FD_LIMIT, remsim_test_hostile_count_fds(proc), lines_after - lines,
		       apdus, seconds);
	/* one line per RSPRO_ACCEPTOR_LOG_INTERVAL_MS, and one for an interval under way */
	g_assert_cmpuint(lines_after - lines, <=,
			 1 + (guint)(seconds * 1000 / RSPRO_ACCEPTOR_LOG_INTERVAL_MS));

	/* the storm ends: the bank takes the waiting ones, finds them gone, and serves again */
	g_ptr_array_set_size(storm, 0);
	assert_serves_client(f, 23);
	g_assert_true(relay_apdu(before, 1));
}

/* the connections open while a legitimate client is served */
#define MANY_CONNECTIONS 4000
#define MANY_ADDRESSES 8

static const BankdLimitsCase many_case = { NULL, 0, FALSE, MANY_CONNECTIONS + 256 };

/*
 * 4,000 idle connections are open from eight addresses (within the default
 * limits): a legitimate client is served still. The time it took is the
 * figure (the bound asserted is the generous one of every wait).
 */
static void
test_many_connections(BankdLimitsFixture *f, gconstpointer data)
{
	GSubprocess *proc = remsim_test_daemon_get_process(f->bankd);
	g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(RemsimTestPeer) client = remsim_test_peer_new_client(23, 0);
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D600000412345678");
	g_autoptr(GBytes) response = NULL;
	gint64 t0, t1;
	guint fds;

	/* the fixture raised the limit before the bank started, and it raises its own */
	g_assert_cmpuint(remsim_test_hostile_fd_limit(proc), >=, MANY_CONNECTIONS + 256);
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 23, 0), ==, RSPRO_RESULT_OK);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	t0 = g_get_monotonic_time();
	for (guint i = 0; i < MANY_CONNECTIONS; i++) {
		g_autofree gchar *from = g_strdup_printf("127.0.1.%u", 1 + i % MANY_ADDRESSES);

		g_ptr_array_add(open, idle_client(f, from));
	}
	t1 = g_get_monotonic_time();
	g_test_message("%u connections opened in %.0f ms", MANY_CONNECTIONS, (t1 - t0) / 1000.0);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
			RSPRO_RESULT_OK);
	response = remsim_test_peer_apdu(client, 0, apdu);
	t1 = g_get_monotonic_time();
	g_assert_nonnull(response);
	fds = remsim_test_hostile_count_fds(proc);
	g_test_message("a legitimate client connected and had its APDU answered in %.1f ms while "
		       "%u connections were open (the bank holds %u descriptors)",
		       (t1 - t0) / 1000.0, MANY_CONNECTIONS, fds);
	g_assert_cmpuint(fds, >, MANY_CONNECTIONS);
}

/* a GET /metrics over a socket of its own: the status line */
static gchar *
get_metrics(guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn =
	    g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);
	static const gchar request[] = "GET /metrics HTTP/1.0\r\n\r\n";
	g_autoptr(GDataInputStream) in = NULL;

	g_assert_no_error(error);
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)),
						request, strlen(request), NULL, NULL, &error));
	in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	return g_data_input_stream_read_line(in, NULL, NULL, &error);
}

/*
 * The metrics listener (metrics-port) is a listener like the others: idle
 * connections from one address cannot keep a scraper out.
 */
static void
test_metrics_connections(BankdLimitsFixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GSocket) extra = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *status = NULL;
	guint16 port = f->metrics_port;

	for (guint i = 0; i < 16; i++) {
		g_ptr_array_add(open, remsim_test_hostile_connect("127.0.0.2", port, NULL, &error));
		g_assert_no_error(error);
	}
	extra = remsim_test_hostile_connect("127.0.0.2", port, NULL, &error);
	g_assert_no_error(error);
	REMSIM_TEST_WAIT_FOR(remsim_test_hostile_is_closed(extra));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->bankd, "metrics: refused a connection from 127.0.0.2: 16 "
					   "connections from that address are open") == 1);
	for (guint i = 0; i < open->len; i++)
		g_assert_false(remsim_test_hostile_is_closed(open->pdata[i]));
	status = get_metrics(port);
	g_assert_cmpstr(status, ==, "HTTP/1.0 200 OK\r");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/bankd/limits/ping-flood", BankdLimitsFixture, NULL, fixture_setup,
		   test_ping_flood, fixture_teardown);
	g_test_add("/bankd/limits/connections", BankdLimitsFixture, &limits_case, fixture_setup,
		   test_connection_limits, fixture_teardown);
	g_test_add("/bankd/limits/accept-storm", BankdLimitsFixture, &storm_case, fixture_setup,
		   test_accept_storm, fixture_teardown);
	g_test_add("/bankd/limits/metrics-connections", BankdLimitsFixture, &metrics_case,
		   fixture_setup, test_metrics_connections, fixture_teardown);
	g_test_add("/bankd/limits/4000-connections", BankdLimitsFixture, &many_case, fixture_setup,
		   test_many_connections, fixture_teardown);
	return g_test_run();
}
