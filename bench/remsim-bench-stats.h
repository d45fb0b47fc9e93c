/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Latencies of one measured run (µs each, with the run's wall time) and the
 * figures made of them: rate, mean, percentiles; and medians over rounds.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	GArray *us;	 /* gdouble, one per exchange */
	gdouble seconds; /* wall time of the measured part */
} RemsimBenchStats;

/* the monotonic clock in µs, to the nanosecond (the card in-process answers in well under a µs) */
gdouble remsim_bench_stats_now(void);

void remsim_bench_stats_init(RemsimBenchStats *self);
void remsim_bench_stats_clear(RemsimBenchStats *self);
void remsim_bench_stats_add(RemsimBenchStats *self, gdouble us);
guint remsim_bench_stats_count(const RemsimBenchStats *self);
/* exchanges per second over the wall time (not 1 / mean: slots overlap) */
gdouble remsim_bench_stats_rate(const RemsimBenchStats *self);
gdouble remsim_bench_stats_mean(const RemsimBenchStats *self);
/* sorts on first use; @p in 0..1 */
gdouble remsim_bench_stats_percentile(RemsimBenchStats *self, gdouble p);

/* the median of @n values (the mean of the middle two for an even @n); 0 for none */
gdouble remsim_bench_stats_median(const gdouble *values, guint n);

G_END_DECLS
