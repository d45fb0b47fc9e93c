/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * APDUs per second and the time of one round trip, in the same run and
 * against the same fast card (the simulated SIM behind vpcd): directly with
 * SCardTransmit, and through a test client (tests/common's scripted peer, in
 * this process) → remsim-bankd (pcsc backend) → pcscd → card. The difference
 * of the means is what the bankd hop adds per round trip; it is also shown
 * against a bare loopback TCP round trip measured in the same run, the least
 * any hop over TCP adds on this machine. Both paths run in lockstep, one APDU
 * in flight, as a modem would, and every answer on either path is checked
 * against the simulated card asked in-process.
 *
 * Exit status 77 (a skip; a failure under REMSIM_TEST_STRICT=1, which makes
 * the missing part fail at once) when there is no private pcscd to run.
 */
#include "config.h"

#include <PCSC/winscard.h>
#include <string.h>

#include "pcsc-test-env.h"
#include "remsim-simcard-card.h"
#include "remsim-test-bench.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define CLIENT_ID 3
#define WARMUP 200

/* no private pcscd could be had: the program says so by its exit status */
static gboolean bench_skipped;

static const gchar *const apdus_hex[] = {
	"a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2", "a0 b0 00 00 0a", "a0 f2 00 00 16", NULL,
};

static guint
n_apdus(void)
{
	const gchar *n = g_getenv("REMSIM_BENCH_APDUS");

	return n != NULL ? (guint)g_ascii_strtoull(n, NULL, 10) : 5000;
}

static GPtrArray *
make_apdus(void)
{
	GPtrArray *apdus = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	for (guint i = 0; apdus_hex[i] != NULL; i++)
		g_ptr_array_add(apdus, remsim_test_common_hex_bytes(apdus_hex[i]));
	return apdus;
}

/*
 * The card's answer to each of @apdus, asked in-process from a fresh card of
 * @profile: the answers repeat with the cycle (its first command selects MF).
 */
static GPtrArray *
make_expected(const gchar *profile, GPtrArray *apdus)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card = remsim_simcard_card_new_from_file(profile, &error);
	GPtrArray *expected = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	g_assert_no_error(error);
	remsim_simcard_card_reset(card);
	for (guint i = 0; i < apdus->len; i++)
		g_ptr_array_add(expected, remsim_simcard_card_transmit(card, apdus->pdata[i]));
	return expected;
}

/* waits on pcscd's events until no program holds @reader's card exclusively */
static void
wait_not_exclusive(SCARDCONTEXT ctx, const gchar *reader)
{
	SCARD_READERSTATE state = { .szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE };
	gint64 deadline = g_get_monotonic_time() + REMSIM_TEST_TIMEOUT_MS * 1000LL;

	for (;;) {
		LONG rv = SCardGetStatusChange(ctx, 1000, &state, 1);

		if (rv == SCARD_S_SUCCESS) {
			if (!(state.dwEventState & SCARD_STATE_EXCLUSIVE))
				return;
			state.dwCurrentState = state.dwEventState & ~SCARD_STATE_CHANGED;
		} else {
			g_assert_cmphex(rv, ==, SCARD_E_TIMEOUT);
		}
		if (g_get_monotonic_time() > deadline)
			g_error("%s: the bank still holds the card", reader);
	}
}

typedef struct {
	gdouble seconds;
	GArray *latencies_us; /* gdouble */
	gdouble client_cpu_us;
	gdouble bankd_cpu_us;
} PathStats;

static void
stats_init(PathStats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->latencies_us = g_array_new(FALSE, FALSE, sizeof(gdouble));
}

static void
stats_clear(PathStats *stats)
{
	g_array_unref(stats->latencies_us);
}

/* @n APDUs sent directly, each answer checked against @expected */
static void
run_direct(const gchar *reader, GPtrArray *apdus, GPtrArray *expected, guint n, PathStats *stats)
{
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol = 0;
	gint64 t0 = 0;

	g_assert_cmphex(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), ==,
			SCARD_S_SUCCESS);
	/* the bank lets go of the card on its worker thread, just after the client left */
	wait_not_exclusive(ctx, reader);
	g_assert_cmphex(SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE,
				     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol),
			==, SCARD_S_SUCCESS);
	for (guint i = 0; i < WARMUP + n; i++) {
		GBytes *apdu = apdus->pdata[i % apdus->len];
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(apdu, &len);
		guint8 rx[512];
		DWORD rx_len = sizeof(rx);
		gint64 s;

		if (i == WARMUP)
			t0 = g_get_monotonic_time();
		s = g_get_monotonic_time();
		g_assert_cmphex(SCardTransmit(card, SCARD_PCI_T0, data, len, NULL, rx, &rx_len), ==,
				SCARD_S_SUCCESS);
		g_assert_cmpmem(rx, rx_len,
				g_bytes_get_data(expected->pdata[i % expected->len], NULL),
				g_bytes_get_size(expected->pdata[i % expected->len]));
		if (i >= WARMUP) {
			gdouble us = (gdouble)(g_get_monotonic_time() - s);

			g_array_append_val(stats->latencies_us, us);
		}
	}
	stats->seconds += (g_get_monotonic_time() - t0) / 1e6;
	SCardDisconnect(card, SCARD_UNPOWER_CARD);
	SCardReleaseContext(ctx);
}

typedef struct {
	RemsimTestPeer *client;
	GPtrArray *apdus, *expected;
	guint n;
	guint i; /* the APDU in flight */
	gint64 t0, sent_us;
	gdouble cpu0, bankd_cpu0;
	GSubprocess *bankd;
	PathStats *stats;
	gboolean done;
} RelayRun;

static void relay_send(RelayRun *run);

static void
relay_response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RelayRun *run = user_data;
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
relay_send(RelayRun *run)
{
	g_autoptr(RsproPdu) tpdu = NULL;

	if (run->i == WARMUP) {
		run->t0 = g_get_monotonic_time();
		run->cpu0 = remsim_test_bench_cpu_us(NULL);
		run->bankd_cpu0 = remsim_test_bench_cpu_us(run->bankd);
	}
	if (run->i == WARMUP + run->n) {
		run->stats->seconds += (g_get_monotonic_time() - run->t0) / 1e6;
		run->stats->client_cpu_us += remsim_test_bench_cpu_us(NULL) - run->cpu0;
		run->stats->bankd_cpu_us += remsim_test_bench_cpu_us(run->bankd) - run->bankd_cpu0;
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
	return ((RelayRun *)data)->done;
}

/* remsim-bankd with one slot of @backend, connected to @server */
static RemsimTestDaemon *
bankd_start(RemsimTestPeer *server, const gchar *backend, const gchar *conf)
{
	RemsimTestDaemon *bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
					.backend = backend,
					.n_slots = 1,
					.config = conf });

	remsim_test_peer_wait_hellos(server, 1);
	return bankd;
}

/* @n APDUs through the bank, each answer checked against @expected */
static void
run_relay(RemsimTestDaemon *bankd, RemsimTestPeer *server, GPtrArray *apdus, GPtrArray *expected,
	  guint n, PathStats *stats)
{
	RelayRun run = { .apdus = apdus,
			 .expected = expected,
			 .n = n,
			 .bankd = remsim_test_daemon_get_process(bankd),
			 .stats = stats };
	g_assert_cmpint(remsim_test_peer_map(server, 0, CLIENT_ID, 0), ==, 0);
	run.client = remsim_test_peer_new_client(CLIENT_ID, 0);
	remsim_test_peer_load_script(run.client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(run.client, remsim_test_daemon_get_port(bankd)),
			==, 0);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(run.client, RSPRO_MSG_SET_ATR_REQ) == 1);
	relay_send(&run);
	/* a benchmark's worth of APDUs: longer than one event's wait */
	g_assert_true(remsim_test_common_spin_until(relay_done, &run, 120000));
	g_object_unref(run.client);
	g_assert_cmpint(remsim_test_peer_unmap(server, 0, CLIENT_ID, 0), ==, 0);
}

/* the mean time of one round trip, in ms */
static gdouble
report(const gchar *what, guint n, const PathStats *stats)
{
	gdouble mean = stats->seconds * 1e3 / n;

	g_print("%-40s %6.0f APDUs/s  mean %.4f  p50 %.4f  p99 %.4f ms", what, n / stats->seconds,
		mean, remsim_test_bench_percentile(stats->latencies_us, 0.5) / 1e3,
		remsim_test_bench_percentile(stats->latencies_us, 0.99) / 1e3);
	if (stats->bankd_cpu_us > 0)
		g_print("  CPU us/APDU: bankd %.1f client %.1f", stats->bankd_cpu_us / n,
			stats->client_cpu_us / n);
	g_print("\n");
	return mean;
}

/*
 * For reference, the same client and bankd with the in-process simulated card
 * (simcard backend): the RSPRO and client share of the added time, without
 * PC/SC and without the backend's worker thread.
 */
static gdouble
bench_rspro_share(const gchar *sample, GPtrArray *apdus, GPtrArray *expected, guint n)
{
	g_autofree gchar *conf = g_strdup_printf("[simcard]\nprofiles=%s\nslots=1\n", sample);
	g_autoptr(RemsimTestPeer) server = remsim_test_peer_new_server();
	g_autoptr(RemsimTestDaemon) bankd = NULL;
	PathStats stats;
	gdouble mean;

	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	bankd = bankd_start(server, "simcard", conf);
	stats_init(&stats);
	run_relay(bankd, server, apdus, expected, n, &stats);
	mean = report("test client -> bankd (simcard, no PC/SC):", n, &stats);
	stats_clear(&stats);
	return mean;
}

static void
bench_relay(void)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = pcsc_test_source_path("data", "cards", "sample-001.json", NULL);
	g_autofree gchar *slot_file = NULL;
	g_autofree gchar *conf = NULL;
	g_autoptr(GPtrArray) apdus = make_apdus();
	g_autoptr(GPtrArray) expected = make_expected(sample, apdus);
	PcscTestEnv *env = pcsc_env_start();
	GSubprocess *card;
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
	guint n = n_apdus();
	PathStats direct, relay;
	gdouble direct_ms, relay_ms, tcp_ms, simcard_ms;

	if (env == NULL) {
		bench_skipped = TRUE;
		return;
	}
	stats_init(&direct);
	stats_init(&relay);
	card = pcsc_card_start_sim(env, 0, sample);
	slot_file = g_build_filename(env->dir, "slots.csv", NULL);
	g_assert_true(g_file_set_contents(slot_file, "1,0,VPCD 00 00$\n", -1, NULL));
	conf = g_strdup_printf("[pcsc]\nslot-file=%s\n", slot_file);
	server = remsim_test_peer_new_server();
	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	bankd = bankd_start(server, "pcsc", conf);

	/* interleaved rounds, so that drift in machine load hits both paths alike */
	tcp_ms = 0;
	for (guint round = 0; round < 2; round++) {
		run_direct(reader, apdus, expected, n, &direct);
		run_relay(bankd, server, apdus, expected, n, &relay);
		tcp_ms += remsim_test_bench_tcp_round_trip_us(n, 55) / 2e3;
	}
	g_print("\n%u APDUs per path (2 rounds of %u), simulated SIM behind vpcd, one in flight, "
		"every answer\nchecked against the card; mean, p50, p99: one round trip\n",
		2 * n, n);
	direct_ms = report("direct SCardTransmit:", 2 * n, &direct);
	relay_ms = report("test client -> bankd -> pcscd -> card:", 2 * n, &relay);
	g_print("%-40s %6.0f round trips/s  mean %.4f ms\n",
		"bare loopback TCP round trip (C):", 1 / tcp_ms * 1e3, tcp_ms);
	g_print("added by the bankd hop: %.4f ms per round trip (goal: at most 0.040 ms); "
		"bankd/direct %.2f; added/TCP round trip %.2f\n",
		relay_ms - direct_ms, relay_ms / direct_ms, (relay_ms - direct_ms) / tcp_ms);
	g_object_unref(bankd);
	g_object_unref(server);
	simcard_ms = bench_rspro_share(sample, apdus, expected, n);
	g_print("bankd hop to the simcard backend / bare TCP round trip: %.2f\n",
		simcard_ms / tcp_ms);
	stats_clear(&direct);
	stats_clear(&relay);

	pcsc_card_stop(card);
	pcsc_env_stop(env);
}

int
main(int argc, char **argv)
{
	int rc;

	pcsc_test_init(argc, argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcsc/bench/relay", bench_relay);
	rc = g_test_run();
	return rc == 0 && bench_skipped ? 77 : rc;
}
