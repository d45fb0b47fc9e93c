/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerRest: upstream's REST API (/api/backend/v1/...) on libsoup 3, with
 * JSON error bodies where upstream answers with nothing, and an OpenAPI
 * document. Changes are answered only once they are on disk.
 */
#pragma once

#include "remsim-server.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_REST_PREFIX "/api/backend/v1"

#define REMSIM_TYPE_SERVER_REST (remsim_server_rest_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerRest, remsim_server_rest, REMSIM, SERVER_REST, GObject)

RemsimServerRest *remsim_server_rest_new(RemsimServer *server);
/* @bind_ip NULL or "" for every address; @port 0 for an ephemeral port */
gboolean remsim_server_rest_listen(RemsimServerRest *self, const gchar *bind_ip, guint16 port,
				   GError **error);
guint16 remsim_server_rest_get_port(RemsimServerRest *self);

G_END_DECLS
