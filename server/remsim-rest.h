/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimRest: upstream's REST API (/api/backend/v1/...) on libsoup 3, with
 * JSON error bodies where upstream answers with nothing, and an OpenAPI
 * document. Changes are answered only once they are on disk.
 */
#pragma once

#include "remsim-server.h"

G_BEGIN_DECLS

#define REMSIM_REST_PREFIX "/api/backend/v1"

#define REMSIM_TYPE_REST (remsim_rest_get_type())
G_DECLARE_FINAL_TYPE(RemsimRest, remsim_rest, REMSIM, REST, GObject)

RemsimRest *remsim_rest_new(RemsimServer *server);
/* @bind_ip NULL or "" for every address; @port 0 for an ephemeral port */
gboolean remsim_rest_listen(RemsimRest *self, const gchar *bind_ip, guint16 port, GError **error);
guint16 remsim_rest_get_port(RemsimRest *self);

G_END_DECLS
