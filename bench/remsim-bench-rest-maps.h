/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --rest-maps: what an operator's script costs the server. A server, banks of
 * 1,000 example slots each, then N slot maps created through REST by
 * --concurrency connections at once, each POST waiting for its answer; the
 * time until every map was answered, until every map was acknowledged by its
 * bank (ACTIVE), and what GET /slotmaps then takes. With another
 * implementation's binaries, alternating rounds of both.
 */
#pragma once

#include "remsim-bench-system.h"

G_BEGIN_DECLS

gboolean remsim_bench_rest_maps_run(const RemsimBenchImpl *remsim, const RemsimBenchImpl *other,
				    guint n_maps, guint concurrency, guint banks, guint rounds,
				    gboolean json);

G_END_DECLS
