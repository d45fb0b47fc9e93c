/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's Prometheus metrics on a listener of its own (metrics-port; off
 * by default): per client slot the TPDUs and bytes each way, dropped commands,
 * the round trip of a command through the bank as a histogram, the links to
 * the server and the bank and their reconnects.
 */
#pragma once

#include "remsim-client.h"

G_BEGIN_DECLS

/* writes the client's metrics (RemsimMetricsHttpRender) */
void remsim_client_metrics_render(GString *out, gpointer client);

G_END_DECLS
