/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimMetricsHttp: the small HTTP listener remsim-bankd and remsim-client
 * serve their metrics on (the server has /metrics on its REST port). Off unless
 * the daemon's metrics-port key names a port. It answers GET /metrics with what
 * the daemon's render function writes, anything else with 404, one request
 * per connection, never blocking the main loop. Its connections are limited
 * (64, 16 from one address; RsproAcceptor) and one idle for 30 s is closed.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* a request head larger than this is refused */
#define REMSIM_METRICS_HTTP_HEAD_MAX 8192

/* writes the metrics into @out, in the Prometheus text format */
typedef void (*RemsimMetricsHttpRender)(GString *out, gpointer user_data);

#define REMSIM_TYPE_METRICS_HTTP (remsim_metrics_http_get_type())
G_DECLARE_FINAL_TYPE(RemsimMetricsHttp, remsim_metrics_http, REMSIM, METRICS_HTTP, GObject)

RemsimMetricsHttp *remsim_metrics_http_new(RemsimMetricsHttpRender render, gpointer user_data);
/* @bind_ip NULL or "": every address; @port 0: any free one */
gboolean remsim_metrics_http_listen(RemsimMetricsHttp *self, const gchar *bind_ip, guint16 port,
				    GError **error);
guint16 remsim_metrics_http_get_port(RemsimMetricsHttp *self);

G_END_DECLS
