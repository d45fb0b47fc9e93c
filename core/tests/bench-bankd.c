/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark of the bankd hop: one remsim-bankd with the simcard backend and
 * 1, 64 and 1023 slots (1023 is the most a bank can announce: numberOfSlots
 * is 0..1023), as many test clients (tests/common's scripted peer, all in this
 * process) on loopback, each in lockstep: one APDU in flight, the next sent
 * when its response came. Every response is checked against the card's own.
 * Reports APDUs per second, the mean, p50 and p99 of one round trip, and the
 * bankd's peak RSS, next to the floor: the same APDU on the same card profile
 * called in-process, and a bare loopback TCP round trip (what any hop over TCP
 * costs at least on this machine).
 *
 * REMSIM_BENCH_SECONDS sets the measuring time per run (default 3);
 * REMSIM_BENCH_SLOTS a comma-separated list of slot counts (default 1,64,1023).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "remsim-test-bench.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"
#include "remsim-simcard-card.h"

#define BENCH_APDU "A0A40000023F00" /* SELECT MF: answered from the card's own state */

typedef struct {
	RemsimTestPeer **clients;
	guint n;
	GBytes *apdu;
	GBytes *expected;
	gboolean stop;
	guint in_flight;
	guint64 count;
	guint64 bad;
	GArray *latencies_us; /* gdouble */
} Bench;

typedef struct {
	Bench *bench;
	guint index;
	gint64 start_us;
} BenchCall;

static void bench_send(Bench *bench, guint index);

static void
bench_response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	BenchCall *call = user_data;
	Bench *bench = call->bench;
	g_autoptr(RsproPdu) res =
	    remsim_test_peer_request_finish(bench->clients[call->index], result, NULL);
	gdouble us = (gdouble)(g_get_monotonic_time() - call->start_us);

	bench->in_flight--;
	if (res == NULL || !g_bytes_equal(res->u.tpdu_card_to_modem.data, bench->expected))
		bench->bad++;
	else if (!bench->stop) {
		bench->count++;
		g_array_append_val(bench->latencies_us, us);
	}
	if (!bench->stop && res != NULL)
		bench_send(bench, call->index);
	g_free(call);
}

static void
bench_send(Bench *bench, guint index)
{
	BenchCall *call = g_new0(BenchCall, 1);
	g_autoptr(RsproPdu) tpdu =
	    remsim_test_peer_new_tpdu(bench->clients[index], index, bench->apdu);

	call->bench = bench;
	call->index = index;
	call->start_us = g_get_monotonic_time();
	bench->in_flight++;
	remsim_test_peer_request_async(bench->clients[index], tpdu, NULL, bench_response_ready,
				       call);
}

static guint64
bench_peak_rss_kb(GSubprocess *proc)
{
	g_autofree gchar *path =
	    g_strdup_printf("/proc/%s/status", g_subprocess_get_identifier(proc));
	g_autofree gchar *text = NULL;
	const gchar *line;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	line = strstr(text, "VmHWM:");
	return line != NULL ? g_ascii_strtoull(line + 6, NULL, 10) : 0;
}

static guint
bench_seconds(void)
{
	const gchar *env = g_getenv("REMSIM_BENCH_SECONDS");

	return env != NULL ? MAX(1, atoi(env)) : 3;
}

/* mean µs of one in-process call, each answer checked */
static gdouble
bench_floor(RemsimSimcardCard *card, GBytes *apdu, GBytes *expected)
{
	gint64 end = g_get_monotonic_time() + bench_seconds() * G_USEC_PER_SEC;
	g_autoptr(GArray) lat = g_array_new(FALSE, FALSE, sizeof(gdouble));
	guint64 n = 0;
	gint64 t0 = g_get_monotonic_time();
	gdouble mean;

	remsim_simcard_card_reset(card);
	while (g_get_monotonic_time() < end) {
		gint64 s = g_get_monotonic_time();
		g_autoptr(GBytes) res = remsim_simcard_card_transmit(card, apdu);
		gdouble us = (gdouble)(g_get_monotonic_time() - s);

		g_assert_true(g_bytes_equal(res, expected));
		g_array_append_val(lat, us);
		n++;
	}
	mean = (g_get_monotonic_time() - t0) / (gdouble)n;
	g_print("%-24s %5s %9.0f %7.2f %7.1f %7.1f %9s %8s %7s %7s\n", "in-process card (floor)",
		"1", 1e6 / mean, mean, remsim_test_bench_percentile(lat, 0.5),
		remsim_test_bench_percentile(lat, 0.99), "-", "-", "-", "-");
	return mean;
}

/* mean µs per APDU through the bank */
static gdouble
bench_run(guint n, const gchar *conf, GBytes *apdu, GBytes *expected)
{
	g_autoptr(RemsimTestPeer) server = remsim_test_peer_new_server();
	g_autoptr(RemsimTestDaemon) bankd = NULL;
	g_autofree RemsimTestPeer **clients = g_new0(RemsimTestPeer *, n);
	Bench bench = { clients, n, apdu, expected };
	GSubprocess *proc;
	gint64 t0, t1;
	guint64 rss;
	gdouble cpu0, cpu1, self0, self1, mean;

	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
					.backend = "simcard",
					.n_slots = n,
					.config = conf });
	proc = remsim_test_daemon_get_process(bankd);
	remsim_test_peer_wait_hellos(server, 1);
	for (guint i = 0; i < n; i++)
		g_assert_cmpint(remsim_test_peer_map(server, i, 1, i), ==, RSPRO_RESULT_OK);
	for (guint i = 0; i < n; i++) {
		clients[i] = remsim_test_peer_new_client(1, i);
		remsim_test_peer_load_script(clients[i], REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
		g_assert_cmpint(
		    remsim_test_peer_connect(clients[i], remsim_test_daemon_get_port(bankd)), ==,
		    RSPRO_RESULT_OK);
		REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(clients[i], RSPRO_MSG_SET_ATR_REQ) ==
				     1);
	}
	bench.latencies_us = g_array_new(FALSE, FALSE, sizeof(gdouble));
	for (guint i = 0; i < n; i++)
		bench_send(&bench, i);
	t0 = g_get_monotonic_time();
	cpu0 = remsim_test_bench_cpu_us(proc);
	self0 = remsim_test_bench_cpu_us(NULL);
	/* the measuring time: not a wait for an event */
	remsim_test_common_spin_for(bench_seconds() * 1000);
	bench.stop = TRUE;
	t1 = g_get_monotonic_time();
	cpu1 = remsim_test_bench_cpu_us(proc);
	self1 = remsim_test_bench_cpu_us(NULL);
	REMSIM_TEST_WAIT_FOR(bench.in_flight == 0);
	rss = bench_peak_rss_kb(proc);
	/* per round trip: the mean time one client waits for its response */
	mean = bench.count > 0 ? (t1 - t0) * (gdouble)n / bench.count : 0;
	g_print("%-24s %5u %9.0f %7.2f %7.1f %7.1f %9" G_GUINT64_FORMAT " %8.1f %7.1f %7.1f\n",
		"test clients -> bankd", n, bench.count / ((t1 - t0) / 1e6), mean,
		remsim_test_bench_percentile(bench.latencies_us, 0.5),
		remsim_test_bench_percentile(bench.latencies_us, 0.99), rss, (gdouble)rss / n,
		bench.count > 0 ? (cpu1 - cpu0) / bench.count : 0,
		bench.count > 0 ? (self1 - self0) / bench.count : 0);
	g_assert_cmpuint(bench.bad, ==, 0);
	for (guint i = 0; i < n; i++)
		g_object_unref(clients[i]);
	g_array_unref(bench.latencies_us);
	return mean;
}

int
main(int argc, char **argv)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autofree gchar *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
	g_autoptr(RemsimSimcardCard) card = NULL;
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(BENCH_APDU);
	g_autoptr(GBytes) expected = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *slots_env = g_getenv("REMSIM_BENCH_SLOTS");
	gdouble floor_us, tcp_us, mean, one_slot_us = 0;
	g_auto(GStrv) sizes = g_strsplit(slots_env != NULL ? slots_env : "1,64,1023", ",", -1);

	g_test_init(&argc, &argv, NULL);
	g_assert_nonnull(srcdir);
	p1 = g_build_filename(srcdir, "data", "cards", "sample-001.json", NULL);
	p2 = g_build_filename(srcdir, "data", "cards", "sample-002.json", NULL);
	p3 = g_build_filename(srcdir, "data", "cards", "sample-003.json", NULL);
	p4 = g_build_filename(srcdir, "data", "cards", "sample-004.json", NULL);
	card = remsim_simcard_card_new_from_file(p1, &error);
	g_assert_no_error(error);
	remsim_simcard_card_reset(card);
	expected = remsim_simcard_card_transmit(card, apdu);

	g_print("APDU %s, %u s per run; one APDU in flight per client; mean, p50, p99 = one "
		"round trip\n(test client send to response) in us; bankd/client CPU = "
		"user+system CPU us of the bankd / of\nthe test clients' process per APDU\n",
		BENCH_APDU, bench_seconds());
	g_print("%-24s %5s %9s %7s %7s %7s %9s %8s %7s %7s\n", "", "slots", "APDU/s", "mean", "p50",
		"p99", "RSS kB", "kB/slot", "bankd", "client");
	floor_us = bench_floor(card, apdu, expected);
	tcp_us = remsim_test_bench_tcp_round_trip_us(20000, 55);
	g_print("%-24s %5s %9.0f %7.2f\n", "bare TCP round trip (C)", "1", 1e6 / tcp_us, tcp_us);
	for (guint i = 0; sizes[i] != NULL; i++) {
		guint n = CLAMP((guint)g_ascii_strtoull(sizes[i], NULL, 10), 1, 1023);
		g_autofree gchar *conf =
		    g_strdup_printf("[simcard]\nslots=%u\nprofiles=%s;%s;%s;%s", n, p1, p2, p3, p4);

		mean = bench_run(n, conf, apdu, expected);
		if (n == 1)
			one_slot_us = mean;
	}
	if (one_slot_us > 0)
		g_print(
		    "1 slot: the bankd hop (test client -> remsim-bankd -> card) adds %.1f us per "
		    "round trip to the in-process call, %.2f times a bare TCP round trip\n",
		    one_slot_us - floor_us, (one_slot_us - floor_us) / tcp_us);
	return 0;
}
