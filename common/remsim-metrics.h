/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus metrics, the text format (version 0.0.4) the three daemons serve:
 * helpers that write a family's HELP and TYPE lines and its samples, and an
 * APDU latency histogram that the relay fills without locks or allocation.
 * Names follow Prometheus' rules: "remsim_" first, the unit in the name
 * ("_seconds", "_bytes"), "_total" for counters.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* upper bounds of the latency histogram's buckets, in seconds (+Inf after the last) */
#define REMSIM_METRICS_N_BUCKETS 12

typedef struct {
	guint64 buckets[REMSIM_METRICS_N_BUCKETS]; /* each its own, not cumulative */
	guint64 count;
	gdouble sum; /* seconds */
} RemsimMetricsHistogram;

void remsim_metrics_histogram_observe(RemsimMetricsHistogram *histogram, gint64 microseconds);
/* adds @from into @to (the histograms of many slots, written as one) */
void remsim_metrics_histogram_add(RemsimMetricsHistogram *to, const RemsimMetricsHistogram *from);

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram) */
void remsim_metrics_family(GString *out, const gchar *name, const gchar *type, const gchar *help);
/* "name{labels} value"; @labels like "bank=\"1\",slot=\"0\"", or NULL */
void remsim_metrics_sample(GString *out, const gchar *name, const gchar *labels, gdouble value);
/* the histogram's _bucket (cumulative, le="..."), _sum and _count lines; its family first */
void remsim_metrics_histogram(GString *out, const gchar *name, const gchar *labels,
			      const RemsimMetricsHistogram *histogram);

G_END_DECLS
