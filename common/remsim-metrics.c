/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-metrics.h"

/* a card answers in a millisecond or two; a remote bank adds the network's round trip */
static const gdouble remsim_metrics_bounds[REMSIM_METRICS_N_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};

void
remsim_metrics_histogram_observe(RemsimMetricsHistogram *histogram, gint64 microseconds)
{
	gdouble seconds = (gdouble)microseconds / G_USEC_PER_SEC;

	for (guint i = 0; i < REMSIM_METRICS_N_BUCKETS; i++) {
		if (seconds <= remsim_metrics_bounds[i]) {
			histogram->buckets[i]++;
			break;
		}
	}
	histogram->count++;
	histogram->sum += seconds;
}

void
remsim_metrics_histogram_add(RemsimMetricsHistogram *to, const RemsimMetricsHistogram *from)
{
	for (guint i = 0; i < REMSIM_METRICS_N_BUCKETS; i++)
		to->buckets[i] += from->buckets[i];
	to->count += from->count;
	to->sum += from->sum;
}

void
remsim_metrics_family(GString *out, const gchar *name, const gchar *type, const gchar *help)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
remsim_metrics_value(GString *out, gdouble value)
{
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

	/* integers as integers; the C locale's decimal point whatever the daemon's */
	if (value == (gdouble)(gint64)value)
		g_string_append_printf(out, "%" G_GINT64_FORMAT, (gint64)value);
	else
		g_string_append(out, g_ascii_dtostr(buf, sizeof(buf), value));
}

void
remsim_metrics_sample(GString *out, const gchar *name, const gchar *labels, gdouble value)
{
	g_string_append(out, name);
	if (labels != NULL && *labels != '\0')
		g_string_append_printf(out, "{%s}", labels);
	g_string_append_c(out, ' ');
	remsim_metrics_value(out, value);
	g_string_append_c(out, '\n');
}

void
remsim_metrics_histogram(GString *out, const gchar *name, const gchar *labels,
			 const RemsimMetricsHistogram *histogram)
{
	const gchar *sep = labels != NULL && *labels != '\0' ? "," : "";
	guint64 cumulative = 0;
	gchar le[G_ASCII_DTOSTR_BUF_SIZE];

	for (guint i = 0; i < REMSIM_METRICS_N_BUCKETS; i++) {
		cumulative += histogram->buckets[i];
		g_string_append_printf(out, "%s_bucket{%s%sle=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       name, labels != NULL ? labels : "", sep,
				       g_ascii_dtostr(le, sizeof(le), remsim_metrics_bounds[i]),
				       cumulative);
	}
	g_string_append_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %" G_GUINT64_FORMAT "\n", name,
			       labels != NULL ? labels : "", sep, histogram->count);
	g_string_append_printf(out, "%s_sum", name);
	if (labels != NULL && *labels != '\0')
		g_string_append_printf(out, "{%s}", labels);
	g_string_append_c(out, ' ');
	remsim_metrics_value(out, histogram->sum);
	g_string_append_c(out, '\n');
	g_autofree gchar *count = g_strconcat(name, "_count", NULL);

	remsim_metrics_sample(out, count, labels, (gdouble)histogram->count);
}
