/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the relay benchmarks: CPU time of a process, latency percentiles,
 * and the floor any relay over loopback stands on, measured in the same run: a
 * bare TCP round trip in C between two threads, with frames of the size of a
 * TPDU PDU.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* user + system CPU time in µs of @proc, or of this process if @proc is NULL */
gdouble remsim_test_bench_cpu_us(GSubprocess *proc);

/* sorts @latencies (gdouble) and returns its @p quantile (0..1) */
gdouble remsim_test_bench_percentile(GArray *latencies, gdouble p);

/* the mean µs of @n round trips of @frame_len bytes over a loopback TCP socket */
gdouble remsim_test_bench_tcp_round_trip_us(guint n, gsize frame_len);

G_END_DECLS
