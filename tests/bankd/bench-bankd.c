/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: one remsim-bankd with the simcard backend and 1, 64 and 1023 slots
 * (1023 is the most a bank can announce: numberOfSlots is 0..1023), as many
 * clients on loopback, each with one APDU in flight. Reports APDUs per second,
 * p50/p99 round-trip latency, and the bankd's peak RSS, next to the floor: the
 * same APDU on the same card profile called in-process.
 *
 * REMSIM_BENCH_SECONDS sets the measuring time per run (default 3).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bankd-test-harness.h"
#include "remsim-sim-card.h"

#define BENCH_APDU "A0A40000023F00" /* SELECT MF: answered from the card's own state */

typedef struct {
	TestClient **clients;
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
bench_on_response(GObject *source, GAsyncResult *result, gpointer user_data)
{
	BenchCall *call = user_data;
	Bench *bench = call->bench;
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);
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

	call->bench = bench;
	call->index = index;
	call->start_us = g_get_monotonic_time();
	bench->in_flight++;
	test_client_apdu_async(bench->clients[index], index, bench->apdu, bench_on_response, call);
}

static gboolean
bench_drained(gpointer data)
{
	return ((Bench *)data)->in_flight == 0;
}

static gint
bench_compare(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;

	return x < y ? -1 : x > y;
}

static gdouble
bench_percentile(GArray *sorted, gdouble p)
{
	guint i;

	if (sorted->len == 0)
		return 0;
	i = (guint)(p * (sorted->len - 1));
	return g_array_index(sorted, gdouble, i);
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

/* user + system CPU time of the process, in µs */
static gdouble
bench_cpu_us(GSubprocess *proc)
{
	g_autofree gchar *path =
	    g_strdup_printf("/proc/%s/stat", g_subprocess_get_identifier(proc));
	g_autofree gchar *text = NULL;
	g_auto(GStrv) fields = NULL;
	const gchar *end;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* the command name may hold spaces: count fields after its closing parenthesis */
	end = strrchr(text, ')');
	if (end == NULL)
		return 0;
	fields = g_strsplit(end + 2, " ", -1);
	if (g_strv_length(fields) < 13)
		return 0;
	return (g_ascii_strtod(fields[11], NULL) + g_ascii_strtod(fields[12], NULL)) * 1e6 /
	       sysconf(_SC_CLK_TCK);
}

static guint
bench_seconds(void)
{
	const gchar *env = g_getenv("REMSIM_BENCH_SECONDS");

	return env != NULL ? MAX(1, atoi(env)) : 3;
}

static void
bench_floor(RemsimSimCard *card, GBytes *apdu)
{
	gint64 end = g_get_monotonic_time() + bench_seconds() * G_USEC_PER_SEC;
	g_autoptr(GArray) lat = g_array_new(FALSE, FALSE, sizeof(gdouble));
	guint64 n = 0;
	gint64 t0 = g_get_monotonic_time();

	remsim_sim_card_reset(card);
	while (g_get_monotonic_time() < end) {
		gint64 s = g_get_monotonic_time();
		g_autoptr(GBytes) res = remsim_sim_card_transmit(card, apdu);
		gdouble us = (gdouble)(g_get_monotonic_time() - s);

		g_array_append_val(lat, us);
		n++;
	}
	g_array_sort(lat, bench_compare);
	g_print("%-26s %8s %12.0f %10.1f %10.1f %12s %10s %10s\n", "in-process card (floor)", "1",
		n / ((g_get_monotonic_time() - t0) / 1e6), bench_percentile(lat, 0.5),
		bench_percentile(lat, 0.99), "-", "-", "-");
}

static void
bench_run(guint n, const gchar *conf, GBytes *apdu, GBytes *expected)
{
	TestServer *server = test_server_new();
	TestBankd *bankd = test_bankd_start("simcard", n, server->port, conf);
	g_autofree TestClient **clients = g_new0(TestClient *, n);
	Bench bench = { clients, n, apdu, expected };
	gint64 t0, t1;
	guint64 rss;
	gdouble cpu0, cpu1;

	g_assert_true(test_server_wait_hellos(server, 1));
	for (guint i = 0; i < n; i++)
		g_assert_cmpint(test_server_map(server, i, 1, i), ==, RSPRO_RESULT_OK);
	for (guint i = 0; i < n; i++) {
		clients[i] = test_client_connect(bankd->port, 1, i);
		g_assert_nonnull(clients[i]);
		g_assert_cmpint(clients[i]->result, ==, RSPRO_RESULT_OK);
		g_assert_true(test_client_wait_atr(clients[i]));
	}
	bench.latencies_us = g_array_new(FALSE, FALSE, sizeof(gdouble));
	for (guint i = 0; i < n; i++)
		bench_send(&bench, i);
	t0 = g_get_monotonic_time();
	cpu0 = bench_cpu_us(bankd->proc);
	test_spin_for(bench_seconds() * 1000);
	bench.stop = TRUE;
	t1 = g_get_monotonic_time();
	cpu1 = bench_cpu_us(bankd->proc);
	test_spin_until(bench_drained, &bench, TEST_TIMEOUT_MS);
	rss = bench_peak_rss_kb(bankd->proc);
	g_array_sort(bench.latencies_us, bench_compare);
	g_print("%-26s %8u %12.0f %10.1f %10.1f %12" G_GUINT64_FORMAT " %10.1f %10.1f\n",
		"bankd over loopback", n, bench.count / ((t1 - t0) / 1e6),
		bench_percentile(bench.latencies_us, 0.5),
		bench_percentile(bench.latencies_us, 0.99), rss, (gdouble)rss / n,
		bench.count > 0 ? (cpu1 - cpu0) / bench.count : 0);
	g_assert_cmpuint(bench.bad, ==, 0);
	for (guint i = 0; i < n; i++)
		test_client_free(clients[i]);
	g_array_unref(bench.latencies_us);
	test_bankd_stop(bankd);
	test_server_free(server);
}

int
main(int argc, char **argv)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autofree gchar *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
	g_autoptr(RemsimSimCard) card = NULL;
	g_autoptr(GBytes) apdu = test_hex_bytes(BENCH_APDU);
	g_autoptr(GBytes) expected = NULL;
	g_autoptr(GError) error = NULL;
	const guint sizes[] = { 1, 64, 1023 };

	g_test_init(&argc, &argv, NULL);
	g_assert_nonnull(srcdir);
	p1 = g_build_filename(srcdir, "data", "cards", "sample-001.json", NULL);
	p2 = g_build_filename(srcdir, "data", "cards", "sample-002.json", NULL);
	p3 = g_build_filename(srcdir, "data", "cards", "sample-003.json", NULL);
	p4 = g_build_filename(srcdir, "data", "cards", "sample-004.json", NULL);
	card = remsim_sim_card_new_from_file(p1, &error);
	g_assert_no_error(error);
	remsim_sim_card_reset(card);
	expected = remsim_sim_card_transmit(card, apdu);

	g_print("APDU %s, %u s per run; latency = client send to response, in µs;\n"
		"bankd CPU = the bankd's user+system CPU µs per relayed APDU\n",
		BENCH_APDU, bench_seconds());
	g_print("%-26s %8s %12s %10s %10s %12s %10s %10s\n", "", "slots", "APDU/s", "p50", "p99",
		"peak RSS kB", "kB/slot", "bankd CPU");
	bench_floor(card, apdu);
	for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
		g_autofree gchar *conf =
		    g_strdup_printf("slots=%u\nprofiles=%s;%s;%s;%s", sizes[i], p1, p2, p3, p4);

		bench_run(sizes[i], conf, apdu, expected);
	}
	return 0;
}
