/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bank's Prometheus metrics on a listener of its own (metrics-port; off by
 * default): per slot APDUs, bytes, card errors and whether a client is there,
 * the card answer time as a histogram, the server link and its reconnects,
 * and the inventory's reads.
 */
#pragma once

#include "remsim-bankd.h"

G_BEGIN_DECLS

/* writes the bank's metrics (RemsimMetricsHttpRender) */
void remsim_bankd_metrics_render(GString *out, gpointer bankd);

G_END_DECLS
