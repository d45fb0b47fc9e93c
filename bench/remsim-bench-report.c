/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stddef.h>

#include "remsim-bench-report.h"

void
remsim_bench_report_figures_from_stats(RemsimBenchFigures *self, RemsimBenchStats *stats)
{
	self->count = remsim_bench_stats_count(stats);
	self->rate = remsim_bench_stats_rate(stats);
	self->mean = remsim_bench_stats_mean(stats);
	self->p50 = remsim_bench_stats_percentile(stats, 0.5);
	self->p90 = remsim_bench_stats_percentile(stats, 0.9);
	self->p99 = remsim_bench_stats_percentile(stats, 0.99);
	self->max = remsim_bench_stats_percentile(stats, 1.0);
}

void
remsim_bench_report_results_init(RemsimBenchResults *self)
{
	memset(self, 0, sizeof(*self));
	self->card = g_array_new(FALSE, TRUE, sizeof(RemsimBenchFigures));
	self->tcp = g_array_new(FALSE, TRUE, sizeof(RemsimBenchFigures));
	self->tcp_end = g_array_new(FALSE, TRUE, sizeof(RemsimBenchProcSample));
	for (guint i = 0; i < G_N_ELEMENTS(self->stacks); i++)
		self->stacks[i].runs = g_array_new(FALSE, TRUE, sizeof(RemsimBenchRun));
}

void
remsim_bench_report_results_clear(RemsimBenchResults *self)
{
	g_array_unref(self->card);
	g_array_unref(self->tcp);
	g_array_unref(self->tcp_end);
	for (guint i = 0; i < G_N_ELEMENTS(self->stacks); i++)
		g_array_unref(self->stacks[i].runs);
}

/* --- medians of the rounds --- */

/* the median of the gdouble at @offset in each element of @array */
static gdouble
remsim_bench_report_median(GArray *array, gsize offset)
{
	g_autofree gdouble *values = g_new0(gdouble, array->len + 1);

	for (guint i = 0; i < array->len; i++)
		values[i] =
		    *(const gdouble *)(array->data + i * g_array_get_element_size(array) + offset);
	return remsim_bench_stats_median(values, array->len);
}

static void
remsim_bench_report_median_figures(GArray *array, gsize offset, RemsimBenchFigures *out)
{
	guint64 count = 0;

	out->rate =
	    remsim_bench_report_median(array, offset + G_STRUCT_OFFSET(RemsimBenchFigures, rate));
	out->mean =
	    remsim_bench_report_median(array, offset + G_STRUCT_OFFSET(RemsimBenchFigures, mean));
	out->p50 =
	    remsim_bench_report_median(array, offset + G_STRUCT_OFFSET(RemsimBenchFigures, p50));
	out->p90 =
	    remsim_bench_report_median(array, offset + G_STRUCT_OFFSET(RemsimBenchFigures, p90));
	out->p99 =
	    remsim_bench_report_median(array, offset + G_STRUCT_OFFSET(RemsimBenchFigures, p99));
	out->max =
	    remsim_bench_report_median(array, offset + G_STRUCT_OFFSET(RemsimBenchFigures, max));
	for (guint i = 0; i < array->len; i++)
		count +=
		    ((const RemsimBenchFigures *)(array->data +
						  i * g_array_get_element_size(array) + offset))
			->count;
	out->count = count;
}

typedef struct {
	RemsimBenchFigures latency;
	/* what the relay adds over the card, from p50s and from means; and in bare round trips */
	gdouble cost_us, cost_tcp, cost_mean_us, cost_mean_tcp;
	gboolean has[REMSIM_BENCH_N_DAEMONS];
	RemsimBenchProcSample per_apdu[REMSIM_BENCH_N_DAEMONS];
	gdouble strace[REMSIM_BENCH_N_DAEMONS];
} RemsimBenchSummary;

typedef struct {
	RemsimBenchFigures card;
	RemsimBenchFigures tcp;
	RemsimBenchProcSample tcp_end;
	RemsimBenchSummary stacks[2];
} RemsimBenchMedians;

static void
remsim_bench_report_summarize(RemsimBenchResults *self, RemsimBenchMedians *m)
{
	memset(m, 0, sizeof(*m));
	remsim_bench_report_median_figures(self->card, 0, &m->card);
	remsim_bench_report_median_figures(self->tcp, 0, &m->tcp);
	m->tcp_end.cpu_us = remsim_bench_report_median(
	    self->tcp_end, G_STRUCT_OFFSET(RemsimBenchProcSample, cpu_us));
	m->tcp_end.ctx_voluntary = remsim_bench_report_median(
	    self->tcp_end, G_STRUCT_OFFSET(RemsimBenchProcSample, ctx_voluntary));
	m->tcp_end.ctx_involuntary = remsim_bench_report_median(
	    self->tcp_end, G_STRUCT_OFFSET(RemsimBenchProcSample, ctx_involuntary));
	m->tcp_end.syscalls = remsim_bench_report_median(
	    self->tcp_end, G_STRUCT_OFFSET(RemsimBenchProcSample, syscalls));
	for (guint s = 0; s < self->n_stacks; s++) {
		GArray *runs = self->stacks[s].runs;
		RemsimBenchSummary *sum = &m->stacks[s];
		guint n = runs->len;
		g_autofree gdouble *cost = g_new0(gdouble, n + 1);
		g_autofree gdouble *cost_tcp = g_new0(gdouble, n + 1);
		g_autofree gdouble *cost_mean = g_new0(gdouble, n + 1);
		g_autofree gdouble *cost_mean_tcp = g_new0(gdouble, n + 1);

		remsim_bench_report_median_figures(runs, G_STRUCT_OFFSET(RemsimBenchRun, latency),
						   &sum->latency);
		/* each round against the floors of the same round */
		for (guint r = 0; r < n; r++) {
			const RemsimBenchRun *run = &g_array_index(runs, RemsimBenchRun, r);
			const RemsimBenchFigures *card =
			    r < self->card->len ? &g_array_index(self->card, RemsimBenchFigures, r)
						: NULL;
			const RemsimBenchFigures *tcp =
			    r < self->tcp->len ? &g_array_index(self->tcp, RemsimBenchFigures, r)
					       : NULL;

			cost[r] = run->latency.p50 - (card != NULL ? card->p50 : 0);
			cost_mean[r] = run->latency.mean - (card != NULL ? card->mean : 0);
			cost_tcp[r] = tcp != NULL && tcp->p50 > 0 ? cost[r] / tcp->p50 : 0;
			cost_mean_tcp[r] =
			    tcp != NULL && tcp->mean > 0 ? cost_mean[r] / tcp->mean : 0;
		}
		sum->cost_us = remsim_bench_stats_median(cost, n);
		sum->cost_tcp = remsim_bench_stats_median(cost_tcp, n);
		sum->cost_mean_us = remsim_bench_stats_median(cost_mean, n);
		sum->cost_mean_tcp = remsim_bench_stats_median(cost_mean_tcp, n);
		for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
			gsize base = G_STRUCT_OFFSET(RemsimBenchRun, per_apdu) +
				     d * sizeof(RemsimBenchProcSample);

			sum->has[d] = n > 0 && g_array_index(runs, RemsimBenchRun, 0).has[d];
			sum->per_apdu[d].cpu_us = remsim_bench_report_median(
			    runs, base + G_STRUCT_OFFSET(RemsimBenchProcSample, cpu_us));
			sum->per_apdu[d].run_us = remsim_bench_report_median(
			    runs, base + G_STRUCT_OFFSET(RemsimBenchProcSample, run_us));
			sum->per_apdu[d].ctx_voluntary = remsim_bench_report_median(
			    runs, base + G_STRUCT_OFFSET(RemsimBenchProcSample, ctx_voluntary));
			sum->per_apdu[d].ctx_involuntary = remsim_bench_report_median(
			    runs, base + G_STRUCT_OFFSET(RemsimBenchProcSample, ctx_involuntary));
			sum->per_apdu[d].syscalls = remsim_bench_report_median(
			    runs, base + G_STRUCT_OFFSET(RemsimBenchProcSample, syscalls));
			sum->strace[d] = remsim_bench_report_median(
			    runs,
			    G_STRUCT_OFFSET(RemsimBenchRun, strace_per_apdu) + d * sizeof(gdouble));
		}
	}
}

static gdouble
remsim_bench_report_ratio(gdouble a, gdouble b)
{
	return b != 0 ? a / b : 0;
}

/* --- the table --- */

static void
remsim_bench_report_path(const gchar *name, const RemsimBenchFigures *f)
{
	g_print("%-24s %9.0f %9.1f %9.1f %9.1f %9.1f %9.1f\n", name, f->rate, f->mean, f->p50,
		f->p90, f->p99, f->max);
}

void
remsim_bench_report_table(RemsimBenchResults *self)
{
	RemsimBenchMedians m;

	remsim_bench_report_summarize(self, &m);
	g_print("\nremsim-bench: %s backend, %s front end, %u %s, %u %s of %.1f s "
		"(after %.1f s of warm-up); medians of the rounds\n\n",
		self->backend, self->frontend, self->slots, self->slots == 1 ? "slot" : "slots",
		self->rounds, self->rounds == 1 ? "round" : "rounds", self->duration, self->warmup);
	g_print("%-24s %9s %9s %9s %9s %9s %9s\n", "path", "APDU/s", "mean µs", "p50 µs", "p90 µs",
		"p99 µs", "max µs");
	remsim_bench_report_path(self->card_floor, &m.card);
	remsim_bench_report_path("bare TCP round trip", &m.tcp);
	for (guint s = 0; s < self->n_stacks; s++)
		remsim_bench_report_path(self->stacks[s].impl->name, &m.stacks[s].latency);

	g_print("\nwhat the relay adds per APDU (its latency minus the card's):\n");
	for (guint s = 0; s < self->n_stacks; s++) {
		const RemsimBenchSummary *sum = &m.stacks[s];

		g_print("  %-10s p50 %8.1f µs = %5.2f bare TCP round trips;  mean %8.1f µs = "
			"%5.2f;  p50 %5.2f× the card's\n",
			self->stacks[s].impl->name, sum->cost_us, sum->cost_tcp, sum->cost_mean_us,
			sum->cost_mean_tcp,
			remsim_bench_report_ratio(sum->latency.p50, m.card.p50));
	}

	g_print("\n%-24s %9s %9s %12s %12s %12s %12s\n", "per APDU", "CPU µs", "run µs",
		"ctx switches", "(voluntary)", "read+write", "all syscalls");
	for (guint s = 0; s < self->n_stacks; s++) {
		const RemsimBenchSummary *sum = &m.stacks[s];

		for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
			g_autofree gchar *name = NULL;
			g_autofree gchar *all = NULL;

			if (!sum->has[d])
				continue;
			name = g_strdup_printf("%s %s", self->stacks[s].impl->name,
					       remsim_bench_system_daemon_name(d));
			all = sum->strace[d] >= 0 ? g_strdup_printf("%.2f", sum->strace[d])
						  : g_strdup("-");
			g_print("%-24s %9.2f %9.2f %12.2f %12.2f %12.2f %12s\n", name,
				sum->per_apdu[d].cpu_us, sum->per_apdu[d].run_us,
				sum->per_apdu[d].ctx_voluntary + sum->per_apdu[d].ctx_involuntary,
				sum->per_apdu[d].ctx_voluntary, sum->per_apdu[d].syscalls, all);
		}
	}
	g_print("%-24s %9.2f %9s %12.2f %12.2f %12.2f %12s\n", "bare TCP, one end",
		m.tcp_end.cpu_us, "-", m.tcp_end.ctx_voluntary + m.tcp_end.ctx_involuntary,
		m.tcp_end.ctx_voluntary, m.tcp_end.syscalls, "-");

	if (self->n_stacks == 2) {
		const RemsimBenchSummary *a = &m.stacks[0], *b = &m.stacks[1];

		g_print("\n%s / %s: p50 %.2f, relay cost %.2f", self->stacks[1].impl->name,
			self->stacks[0].impl->name,
			remsim_bench_report_ratio(b->latency.p50, a->latency.p50),
			remsim_bench_report_ratio(b->cost_us, a->cost_us));
		for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++)
			if (a->has[d] && b->has[d])
				g_print(", %s CPU %.2f", remsim_bench_system_daemon_name(d),
					remsim_bench_report_ratio(b->per_apdu[d].cpu_us,
								  a->per_apdu[d].cpu_us));
		g_print("\n");
	}
}

/* --- JSON --- */

static void
remsim_bench_report_json_figures(JsonBuilder *b, const RemsimBenchFigures *f)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "apdus");
	json_builder_add_int_value(b, (gint64)f->count);
	json_builder_set_member_name(b, "apdus_per_s");
	json_builder_add_double_value(b, f->rate);
	json_builder_set_member_name(b, "latency_us");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mean");
	json_builder_add_double_value(b, f->mean);
	json_builder_set_member_name(b, "p50");
	json_builder_add_double_value(b, f->p50);
	json_builder_set_member_name(b, "p90");
	json_builder_add_double_value(b, f->p90);
	json_builder_set_member_name(b, "p99");
	json_builder_add_double_value(b, f->p99);
	json_builder_set_member_name(b, "max");
	json_builder_add_double_value(b, f->max);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

static void
remsim_bench_report_json_sample(JsonBuilder *b, const RemsimBenchProcSample *s,
				const RemsimBenchProcSample *floor, gdouble all)
{
	json_builder_set_member_name(b, "cpu_us_per_apdu");
	json_builder_add_double_value(b, s->cpu_us);
	json_builder_set_member_name(b, "run_us_per_apdu");
	json_builder_add_double_value(b, s->run_us);
	json_builder_set_member_name(b, "context_switches_per_apdu");
	json_builder_add_double_value(b, s->ctx_voluntary + s->ctx_involuntary);
	json_builder_set_member_name(b, "voluntary_context_switches_per_apdu");
	json_builder_add_double_value(b, s->ctx_voluntary);
	/* every call when a tool counted them, else the read and write calls /proc counts */
	json_builder_set_member_name(b, "syscalls_per_apdu");
	json_builder_add_double_value(b, all >= 0 ? all : s->syscalls);
	json_builder_set_member_name(b, "syscalls_counted");
	json_builder_add_string_value(b, all >= 0 ? "all" : "read-write");
	json_builder_set_member_name(b, "read_write_calls_per_apdu");
	json_builder_add_double_value(b, s->syscalls);
	if (floor != NULL) {
		/* against one end of a bare TCP round trip */
		json_builder_set_member_name(b, "to_tcp_end");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "cpu");
		json_builder_add_double_value(b,
					      remsim_bench_report_ratio(s->cpu_us, floor->cpu_us));
		json_builder_set_member_name(b, "context_switches");
		json_builder_add_double_value(
		    b, remsim_bench_report_ratio(s->ctx_voluntary + s->ctx_involuntary,
						 floor->ctx_voluntary + floor->ctx_involuntary));
		json_builder_set_member_name(b, "syscalls");
		json_builder_add_double_value(
		    b, remsim_bench_report_ratio(all >= 0 ? all : s->syscalls, floor->syscalls));
		json_builder_end_object(b);
	}
}

static void
remsim_bench_report_json_daemons(JsonBuilder *b, const RemsimBenchRun *run,
				 const RemsimBenchSummary *sum, const RemsimBenchProcSample *floor)
{
	json_builder_set_member_name(b, "daemons");
	json_builder_begin_array(b);
	for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
		gboolean has = run != NULL ? run->has[d] : sum->has[d];

		if (!has)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "daemon");
		json_builder_add_string_value(b, remsim_bench_system_daemon_name(d));
		remsim_bench_report_json_sample(
		    b, run != NULL ? &run->per_apdu[d] : &sum->per_apdu[d], floor,
		    run != NULL ? run->strace_per_apdu[d] : sum->strace[d]);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
remsim_bench_report_json_stack(JsonBuilder *b, RemsimBenchResults *self, guint s,
			       const RemsimBenchMedians *m)
{
	const RemsimBenchResultStack *stack = &self->stacks[s];
	const RemsimBenchSummary *sum = &m->stacks[s];

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, stack->impl->name);
	json_builder_set_member_name(b, "binaries");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "server");
	json_builder_add_string_value(b, stack->impl->server);
	json_builder_set_member_name(b, "bankd");
	json_builder_add_string_value(b, stack->impl->bankd);
	json_builder_set_member_name(b, "client");
	json_builder_add_string_value(b, stack->impl->client);
	json_builder_set_member_name(b, "command_lines");
	json_builder_add_string_value(b, stack->impl->upstream ? "upstream" : "remsim");
	json_builder_end_object(b);
	json_builder_set_member_name(b, "median");
	remsim_bench_report_json_figures(b, &sum->latency);
	json_builder_set_member_name(b, "relay_cost");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "p50_us");
	json_builder_add_double_value(b, sum->cost_us);
	json_builder_set_member_name(b, "p50_tcp_round_trips");
	json_builder_add_double_value(b, sum->cost_tcp);
	json_builder_set_member_name(b, "mean_us");
	json_builder_add_double_value(b, sum->cost_mean_us);
	json_builder_set_member_name(b, "mean_tcp_round_trips");
	json_builder_add_double_value(b, sum->cost_mean_tcp);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "to_floors");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "p50_to_card");
	json_builder_add_double_value(b, remsim_bench_report_ratio(sum->latency.p50, m->card.p50));
	json_builder_set_member_name(b, "p50_to_tcp");
	json_builder_add_double_value(b, remsim_bench_report_ratio(sum->latency.p50, m->tcp.p50));
	json_builder_set_member_name(b, "apdus_per_s_to_card");
	json_builder_add_double_value(b,
				      remsim_bench_report_ratio(sum->latency.rate, m->card.rate));
	json_builder_end_object(b);
	remsim_bench_report_json_daemons(b, NULL, sum, &m->tcp_end);
	json_builder_set_member_name(b, "rounds");
	json_builder_begin_array(b);
	for (guint r = 0; r < stack->runs->len; r++) {
		const RemsimBenchRun *run = &g_array_index(stack->runs, RemsimBenchRun, r);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "figures");
		remsim_bench_report_json_figures(b, &run->latency);
		remsim_bench_report_json_daemons(b, run, NULL, NULL);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

void
remsim_bench_report_json(RemsimBenchResults *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;
	RemsimBenchMedians m;

	remsim_bench_report_summarize(self, &m);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "backend");
	json_builder_add_string_value(b, self->backend);
	json_builder_set_member_name(b, "frontend");
	json_builder_add_string_value(b, self->frontend);
	json_builder_set_member_name(b, "slots");
	json_builder_add_int_value(b, self->slots);
	json_builder_set_member_name(b, "rounds");
	json_builder_add_int_value(b, self->rounds);
	json_builder_set_member_name(b, "duration_s");
	json_builder_add_double_value(b, self->duration);
	json_builder_set_member_name(b, "warmup_s");
	json_builder_add_double_value(b, self->warmup);
	json_builder_set_member_name(b, "floors");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "card");
	remsim_bench_report_json_figures(b, &m.card);
	json_builder_set_member_name(b, "card_path");
	json_builder_add_string_value(b, self->card_floor);
	json_builder_set_member_name(b, "tcp");
	remsim_bench_report_json_figures(b, &m.tcp);
	json_builder_set_member_name(b, "tcp_end");
	json_builder_begin_object(b);
	remsim_bench_report_json_sample(b, &m.tcp_end, NULL, -1);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "stacks");
	json_builder_begin_array(b);
	for (guint s = 0; s < self->n_stacks; s++)
		remsim_bench_report_json_stack(b, self, s, &m);
	json_builder_end_array(b);
	if (self->n_stacks == 2) {
		const RemsimBenchSummary *a = &m.stacks[0], *o = &m.stacks[1];

		json_builder_set_member_name(b, "other_to_remsim");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "p50");
		json_builder_add_double_value(
		    b, remsim_bench_report_ratio(o->latency.p50, a->latency.p50));
		json_builder_set_member_name(b, "relay_cost_p50");
		json_builder_add_double_value(b, remsim_bench_report_ratio(o->cost_us, a->cost_us));
		json_builder_set_member_name(b, "apdus_per_s");
		json_builder_add_double_value(
		    b, remsim_bench_report_ratio(o->latency.rate, a->latency.rate));
		for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
			g_autofree gchar *cpu = NULL, *ctx = NULL, *sys = NULL;

			if (!a->has[d] || !o->has[d])
				continue;
			cpu = g_strdup_printf("%s_cpu", remsim_bench_system_daemon_name(d));
			ctx = g_strdup_printf("%s_context_switches",
					      remsim_bench_system_daemon_name(d));
			sys = g_strdup_printf("%s_syscalls", remsim_bench_system_daemon_name(d));
			json_builder_set_member_name(b, cpu);
			json_builder_add_double_value(
			    b, remsim_bench_report_ratio(o->per_apdu[d].cpu_us,
							 a->per_apdu[d].cpu_us));
			json_builder_set_member_name(b, ctx);
			json_builder_add_double_value(
			    b, remsim_bench_report_ratio(
				   o->per_apdu[d].ctx_voluntary + o->per_apdu[d].ctx_involuntary,
				   a->per_apdu[d].ctx_voluntary + a->per_apdu[d].ctx_involuntary));
			json_builder_set_member_name(b, sys);
			json_builder_add_double_value(
			    b, remsim_bench_report_ratio(
				   o->strace[d] >= 0 ? o->strace[d] : o->per_apdu[d].syscalls,
				   a->strace[d] >= 0 ? a->strace[d] : a->per_apdu[d].syscalls));
		}
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	g_print("%s\n", text);
}
