/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * APDU latency and CPU per APDU, in the same run, with the same APDUs:
 *  - test client → remsim-bankd (ccid backend) → CCID device simulator over
 *    a Unix socket → simulated SIM: the whole CCID protocol path of the bank
 *    (bulk messages, bSeq, reader queue), with the USB bus replaced by the
 *    simulator's socket;
 *  - test client → remsim-bankd (simcard backend, the card in-process).
 * The difference of the means is what the ccid backend adds on top of the
 * card hop, socket to the simulator included. Every answer is checked
 * against the simulated card asked directly. The client keeps one APDU in
 * flight, as a modem would.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "ccid-test-sim.h"
#include "remsim-simcard-card.h"
#include "remsim-test-bench.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define CLIENT_ID 3
#define WARMUP 200

static const gchar *const apdus_hex[] = {
	"A0A40000023F00",
	"A0A40000022FE2",
	"A0B000000A",
	"A0F2000016",
};

static guint
n_apdus(void)
{
	const gchar *n = g_getenv("REMSIM_BENCH_APDUS");

	return n != NULL ? (guint)g_ascii_strtoull(n, NULL, 10) : 5000;
}

typedef struct {
	gdouble seconds;
	GArray *latencies_us;
	gdouble client_cpu_us, bankd_cpu_us, sim_cpu_us;
} CcidPathStats;

typedef struct {
	RemsimTestPeer *client;
	GPtrArray *apdus, *expected;
	guint n, i;
	gint64 t0, sent_us;
	gdouble cpu0, bankd_cpu0, sim_cpu0;
	GSubprocess *bankd, *sim;
	CcidPathStats *stats;
	gboolean done;
} CcidRelayRun;

static void relay_send(CcidRelayRun *run);

static void
relay_response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CcidRelayRun *run = user_data;
	g_autoptr(RsproPdu) res = remsim_test_peer_request_finish(run->client, result, NULL);
	gdouble us = (gdouble)(g_get_monotonic_time() - run->sent_us);

	g_assert_nonnull(res);
	/* the card's own answer, every time */
	g_assert_true(g_bytes_equal(res->u.tpdu_card_to_modem.data,
				    run->expected->pdata[run->i % run->expected->len]));
	if (run->i >= WARMUP)
		g_array_append_val(run->stats->latencies_us, us);
	run->i++;
	relay_send(run);
}

static void
relay_send(CcidRelayRun *run)
{
	g_autoptr(RsproPdu) tpdu = NULL;

	if (run->i == WARMUP) {
		run->t0 = g_get_monotonic_time();
		run->cpu0 = remsim_test_bench_cpu_us(NULL);
		run->bankd_cpu0 = remsim_test_bench_cpu_us(run->bankd);
		run->sim_cpu0 = run->sim != NULL ? remsim_test_bench_cpu_us(run->sim) : 0;
	}
	if (run->i == WARMUP + run->n) {
		run->stats->seconds += (g_get_monotonic_time() - run->t0) / 1e6;
		run->stats->client_cpu_us += remsim_test_bench_cpu_us(NULL) - run->cpu0;
		run->stats->bankd_cpu_us += remsim_test_bench_cpu_us(run->bankd) - run->bankd_cpu0;
		if (run->sim != NULL)
			run->stats->sim_cpu_us +=
			    remsim_test_bench_cpu_us(run->sim) - run->sim_cpu0;
		run->done = TRUE;
		return;
	}
	tpdu =
	    remsim_test_peer_new_tpdu(run->client, 0, run->apdus->pdata[run->i % run->apdus->len]);
	run->sent_us = g_get_monotonic_time();
	remsim_test_peer_request_async(run->client, tpdu, NULL, relay_response_ready, run);
}

static gboolean
relay_done(gpointer data)
{
	return ((CcidRelayRun *)data)->done;
}

static void
run_relay(RemsimTestDaemon *bankd, RemsimTestPeer *server, GSubprocess *sim, GPtrArray *apdus,
	  GPtrArray *expected, guint n, CcidPathStats *stats)
{
	CcidRelayRun run = { .apdus = apdus,
			     .expected = expected,
			     .n = n,
			     .bankd = remsim_test_daemon_get_process(bankd),
			     .sim = sim,
			     .stats = stats };

	g_assert_cmpint(remsim_test_peer_map(server, 0, CLIENT_ID, 0), ==, 0);
	run.client = remsim_test_peer_new_client(CLIENT_ID, 0);
	remsim_test_peer_load_script(run.client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(run.client, remsim_test_daemon_get_port(bankd)),
			==, 0);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(run.client, RSPRO_MSG_SET_ATR_REQ) == 1);
	relay_send(&run);
	/* a benchmark's worth of APDUs: longer than one event's wait */
	g_assert_true(remsim_test_common_spin_until(relay_done, &run, 300000));
	g_object_unref(run.client);
	g_assert_cmpint(remsim_test_peer_unmap(server, 0, CLIENT_ID, 0), ==, 0);
}

/*
 * remsim-bankd with one slot of @backend between a scripted server and @server;
 * when @ready is given, once its log says it (the ccid backend found its reader)
 */
static RemsimTestDaemon *
bankd_start(RemsimTestPeer *server, const gchar *backend, const gchar *conf, const gchar *ready)
{
	RemsimTestDaemon *bankd;

	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
					.backend = backend,
					.n_slots = 1,
					.config = conf,
					.capture_stderr = ready != NULL });
	remsim_test_peer_wait_hellos(server, 1);
	if (ready != NULL)
		REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(bankd, ready) == 1);
	return bankd;
}

static gdouble
report(const gchar *what, guint n, const CcidPathStats *stats)
{
	gdouble mean = stats->seconds * 1e3 / n;

	g_print("%-58s %6.0f APDUs/s  mean %.4f  p50 %.4f  p99 %.4f ms\n", what, n / stats->seconds,
		mean, remsim_test_bench_percentile(stats->latencies_us, 0.5) / 1e3,
		remsim_test_bench_percentile(stats->latencies_us, 0.99) / 1e3);
	g_print("%-58s CPU us/APDU: bankd %.1f, simulator %.1f, client %.1f\n", "",
		stats->bankd_cpu_us / n, stats->sim_cpu_us / n, stats->client_cpu_us / n);
	return mean;
}

static void
bench_relay(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("remsim-ccid-bench-XXXXXX", &error);
	g_autofree gchar *socket = g_build_filename(dir, "sim.sock", NULL);
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *ccid_conf = g_strdup_printf("\n[ccid]\nsimulator=%s\n", socket);
	g_autofree gchar *simcard_conf =
	    g_strdup_printf("\n[simcard]\nprofiles=%s\nslots=1\n", profile);
	g_autoptr(RemsimSimcardCard) card = remsim_simcard_card_new_from_file(profile, &error);
	g_autoptr(GPtrArray) apdus = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GPtrArray) expected =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GSubprocess) sim = NULL;
	g_autoptr(RemsimTestPeer) server_ccid = remsim_test_peer_new_server();
	g_autoptr(RemsimTestPeer) server_simcard = remsim_test_peer_new_server();
	RemsimTestDaemon *bankd_ccid, *bankd_simcard;
	CcidPathStats ccid = { 0 }, simcard = { 0 };
	guint n = n_apdus();
	gdouble ccid_ms, simcard_ms;

	g_assert_no_error(error);
	/* the answers repeat with the cycle of commands (the last one reselects MF) */
	remsim_simcard_card_reset(card);
	for (guint i = 0; i < G_N_ELEMENTS(apdus_hex); i++) {
		GBytes *apdu = remsim_test_common_hex_bytes(apdus_hex[i]);

		g_ptr_array_add(apdus, apdu);
		g_ptr_array_add(expected, remsim_simcard_card_transmit(card, apdu));
	}
	ccid.latencies_us = g_array_new(FALSE, FALSE, sizeof(gdouble));
	simcard.latencies_us = g_array_new(FALSE, FALSE, sizeof(gdouble));
	sim = ccid_test_sim_start(socket, 1);
	bankd_ccid = bankd_start(server_ccid, "ccid", ccid_conf, "uses reader slot");
	bankd_simcard = bankd_start(server_simcard, "simcard", simcard_conf, NULL);

	/* interleaved rounds, so that drift in machine load hits both paths alike */
	for (guint round = 0; round < 2; round++) {
		run_relay(bankd_ccid, server_ccid, sim, apdus, expected, n, &ccid);
		run_relay(bankd_simcard, server_simcard, NULL, apdus, expected, n, &simcard);
	}
	g_print("\n%u APDUs per path (2 rounds of %u), one in flight, every answer checked "
		"against the card;\nmean, p50, p99: one round trip\n",
		2 * n, n);
	ccid_ms = report("test client -> bankd, ccid backend, simulator socket:", 2 * n, &ccid);
	simcard_ms =
	    report("test client -> bankd, simcard backend (card in-process):", 2 * n, &simcard);
	g_print("added by the ccid backend and the simulator socket: %.4f ms per round trip\n",
		ccid_ms - simcard_ms);

	g_object_unref(bankd_ccid);
	g_object_unref(bankd_simcard);
	g_assert_true(remsim_test_common_daemon_stop(sim, SIGTERM, 5000));
	g_array_unref(ccid.latencies_us);
	g_array_unref(simcard.latencies_us);
	remsim_test_common_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/bench/relay", bench_relay);
	return g_test_run();
}
