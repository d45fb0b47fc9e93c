/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerMetrics: GET /metrics on the REST port, Prometheus' text
 * format: connected banks and clients, maps by state, what remsim banks report
 * per slot (APDUs, card errors, cards and their inventory), event stream
 * listeners and the server's restarts.
 */
#pragma once

#include "remsim-server-events.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_METRICS_PATH "/metrics"

#define REMSIM_TYPE_SERVER_METRICS (remsim_server_metrics_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerMetrics, remsim_server_metrics, REMSIM, SERVER_METRICS, GObject)

RemsimServerMetrics *remsim_server_metrics_new(RemsimServer *server, RemsimServerRest *rest,
					       RemsimServerEvents *events);
/* the text GET /metrics answers */
gchar *remsim_server_metrics_render(RemsimServerMetrics *self);

G_END_DECLS
