/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>

#include "remsim-bench-stats.h"

gdouble
remsim_bench_stats_now(void)
{
	struct timespec ts;

	/* the clock of g_get_monotonic_time(): times from both compare */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

void
remsim_bench_stats_init(RemsimBenchStats *self)
{
	memset(self, 0, sizeof(*self));
	self->us = g_array_new(FALSE, FALSE, sizeof(gdouble));
}

void
remsim_bench_stats_clear(RemsimBenchStats *self)
{
	g_clear_pointer(&self->us, g_array_unref);
}

void
remsim_bench_stats_add(RemsimBenchStats *self, gdouble us)
{
	g_array_append_val(self->us, us);
}

guint
remsim_bench_stats_count(const RemsimBenchStats *self)
{
	return self->us->len;
}

gdouble
remsim_bench_stats_rate(const RemsimBenchStats *self)
{
	return self->seconds > 0 ? self->us->len / self->seconds : 0;
}

gdouble
remsim_bench_stats_mean(const RemsimBenchStats *self)
{
	gdouble sum = 0;

	if (self->us->len == 0)
		return 0;
	for (guint i = 0; i < self->us->len; i++)
		sum += g_array_index(self->us, gdouble, i);
	return sum / self->us->len;
}

static gint
remsim_bench_stats_compare(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;

	return x < y ? -1 : x > y;
}

gdouble
remsim_bench_stats_percentile(RemsimBenchStats *self, gdouble p)
{
	if (self->us->len == 0)
		return 0;
	/* sorting a sorted array is cheap: no flag to keep in step */
	g_array_sort(self->us, remsim_bench_stats_compare);
	return g_array_index(self->us, gdouble, (guint)(p * (self->us->len - 1) + 0.5));
}

gdouble
remsim_bench_stats_median(const gdouble *values, guint n)
{
	g_autofree gdouble *copy = NULL;

	if (n == 0)
		return 0;
	copy = g_memdup2(values, n * sizeof(gdouble));
	qsort(copy, n, sizeof(gdouble), remsim_bench_stats_compare);
	return n % 2 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2;
}
