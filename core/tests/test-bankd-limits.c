/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd's client port under hostile peers: what they can make it hold,
 * and that its clients are served meanwhile. Figures are printed as test
 * messages; the bounds asserted are generous.
 */
#include "config.h"

#include "remsim-test-daemon.h"
#include "remsim-test-hostile.h"
#include "remsim-test-peer.h"

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
} BankdLimitsFixture;

/* a small ASan quarantine: the resident size shows what the bank holds */
static gchar *
asan_options(void)
{
	const gchar *old = g_getenv("ASAN_OPTIONS");

	return g_strdup_printf("ASAN_OPTIONS=%s%squarantine_size_mb=4", old != NULL ? old : "",
			       old != NULL && *old != '\0' ? ":" : "");
}

/* @data: more [bankd] keys for the config, or NULL */
static void
fixture_setup(BankdLimitsFixture *f, gconstpointer data)
{
	g_autofree gchar *asan = asan_options();
	const gchar *env[] = { asan, NULL };
	g_autofree gchar *config = g_strdup_printf(
	    "%s[example]\nslots=%u\n", data != NULL ? (const gchar *)data : "", N_SLOTS);

	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "example",
					.n_slots = N_SLOTS,
					.config = config,
					.env = env,
					.capture_stderr = TRUE });
	remsim_test_peer_wait_hellos(f->server, 1);
}

static void
fixture_teardown(BankdLimitsFixture *f, gconstpointer data)
{
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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/bankd/limits/ping-flood", BankdLimitsFixture, NULL, fixture_setup,
		   test_ping_flood, fixture_teardown);
	return g_test_run();
}
