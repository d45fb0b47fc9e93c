/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The floors a relay stands on, measured in the same run as the relay: a bare
 * loopback TCP round trip in C between two threads, with frames of the size
 * RSPRO gives the cycle's commands and responses (IPA header included); and,
 * for the PC/SC backend, the cycle sent to the same kind of card directly
 * with SCardTransmit.
 */
#pragma once

#include "remsim-bench-apdus.h"
#include "remsim-bench-proc.h"

G_BEGIN_DECLS

/*
 * TCP round trips for @seconds. @per_end: what one end of a round trip costs
 * (CPU, context switches, read/write calls), the least any process that
 * relays over TCP spends per exchange.
 */
gboolean remsim_bench_floor_run_tcp(const RemsimBenchApdus *apdus, gdouble seconds,
				    RemsimBenchStats *stats, RemsimBenchProcSample *per_end,
				    GError **error);

/* the cycle on @reader through pcscd for @seconds, every response checked */
gboolean remsim_bench_floor_run_pcsc(const RemsimBenchApdus *apdus, const gchar *reader,
				     gdouble seconds, RemsimBenchStats *stats, GError **error);

G_END_DECLS
