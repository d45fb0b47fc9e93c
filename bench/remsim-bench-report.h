/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The results of a run: per round, the floors and each implementation's
 * figures; the medians of the rounds, the ratios to the floors and between
 * implementations; printed as a table for people or as JSON for scripts.
 */
#pragma once

#include "remsim-bench-proc.h"
#include "remsim-bench-stats.h"
#include "remsim-bench-system.h"

G_BEGIN_DECLS

typedef struct {
	guint64 count;
	gdouble rate; /* per second */
	gdouble mean, p50, p90, p99, max;
} RemsimBenchFigures;

void remsim_bench_report_figures_from_stats(RemsimBenchFigures *self, RemsimBenchStats *stats);

/* one implementation in one round */
typedef struct {
	RemsimBenchFigures latency;
	gboolean has[REMSIM_BENCH_N_DAEMONS];
	RemsimBenchProcSample per_apdu[REMSIM_BENCH_N_DAEMONS];
	gdouble strace_per_apdu[REMSIM_BENCH_N_DAEMONS]; /* < 0: not counted */
} RemsimBenchRun;

typedef struct {
	const RemsimBenchImpl *impl;
	GArray *runs; /* RemsimBenchRun, one per round */
} RemsimBenchResultStack;

typedef struct {
	/* what was run */
	const gchar *backend;
	const gchar *frontend;
	guint slots;
	gdouble duration;
	gdouble warmup;
	guint rounds;
	const gchar *card_floor; /* how the card floor was taken */
	/* per round */
	GArray *card;	 /* RemsimBenchFigures */
	GArray *tcp;	 /* RemsimBenchFigures */
	GArray *tcp_end; /* RemsimBenchProcSample: one end of a bare round trip */
	RemsimBenchResultStack stacks[2];
	guint n_stacks;
} RemsimBenchResults;

void remsim_bench_report_results_init(RemsimBenchResults *self);
void remsim_bench_report_results_clear(RemsimBenchResults *self);

void remsim_bench_report_table(RemsimBenchResults *self);
void remsim_bench_report_json(RemsimBenchResults *self);

G_END_DECLS
