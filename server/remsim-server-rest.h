/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerRest: upstream's REST API (/api/backend/v1/...) on libsoup 3, with
 * JSON error bodies where upstream answers with nothing, and an OpenAPI
 * document. Changes are answered only once they are on disk.
 */
#pragma once

#include <libsoup/soup.h>

#include "remsim-server-auth.h"
#include "remsim-server-rest-tls.h"
#include "remsim-server.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_REST_PREFIX "/api/backend/v1"

#define REMSIM_TYPE_SERVER_REST (remsim_server_rest_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerRest, remsim_server_rest, REMSIM, SERVER_REST, GObject)

RemsimServerRest *remsim_server_rest_new(RemsimServer *server);
/* the REST port's connection limits, as the RSPRO port's; before listening */
void remsim_server_rest_set_limits(RemsimServerRest *self, guint max_connections,
				   guint max_per_address);
/* @bind_ip NULL or "" for every address; @port 0 for an ephemeral port */
gboolean remsim_server_rest_listen(RemsimServerRest *self, const gchar *bind_ip, guint16 port,
				   GError **error);
guint16 remsim_server_rest_get_port(RemsimServerRest *self);

/*
 * The HTTP server, for the other views on it (/api/v1, /metrics, the web
 * view): each adds its own handler
 */
SoupServer *remsim_server_rest_get_soup(RemsimServerRest *self);
/*
 * A route under @path, behind the checks every request passes before its
 * body is read (tokens, body size); soup_server_remove_handler() removes it
 */
void remsim_server_rest_add_handler(RemsimServerRest *self, const gchar *path,
				    SoupServerCallback callback, gpointer data);

/* the tokens every route but the web view's page needs (NULL: none, REST open) */
void remsim_server_rest_set_auth(RemsimServerRest *self, RemsimServerAuth *auth);
gboolean remsim_server_rest_has_auth(RemsimServerRest *self);
/* HTTPS only, with @tls (taken; NULL: plain HTTP); call before listening */
void remsim_server_rest_set_tls(RemsimServerRest *self, RemsimServerRestTls *tls);
gboolean remsim_server_rest_has_tls(RemsimServerRest *self);

/*
 * Who asked @msg, as set before its body was read: the caller of audit lines
 * ("token:NAME", or "peer:ADDRESS" without tokens), the token's name (NULL
 * without tokens) and whether it may change things (maps, resets).
 */
const gchar *remsim_server_rest_get_caller(SoupServerMessage *msg);
const gchar *remsim_server_rest_get_token_name(SoupServerMessage *msg);
gboolean remsim_server_rest_may_write(SoupServerMessage *msg);

/*
 * The audit line of a change @msg asked: what it is when the request comes,
 * then, once it is done, one line with the result (@error NULL: ok).
 */
void remsim_server_rest_audit_begin(SoupServerMessage *msg, const gchar *action,
				    const gchar *format, ...) G_GNUC_PRINTF(3, 4);
void remsim_server_rest_audit_end(SoupServerMessage *msg, const GError *error);
/* who answers "/" itself (the web view); without one it is a 404 */
void remsim_server_rest_set_root_handler(RemsimServerRest *self, SoupServerCallback handler,
					 gpointer data);

/* answers every view shares: JSON, a JSON error {"error": text}, a RemsimServerError */
void remsim_server_rest_reply_json(SoupServerMessage *msg, guint status, JsonNode *node);
void remsim_server_rest_reply_error(SoupServerMessage *msg, guint status, const gchar *format, ...)
    G_GNUC_PRINTF(3, 4);
void remsim_server_rest_reply_server_error(SoupServerMessage *msg, GError *error);

G_END_DECLS
