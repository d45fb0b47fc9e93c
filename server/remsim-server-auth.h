/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerAuth: the REST API's bearer tokens, read from the tokens file
 * (rest-tokens-file). One token a line, blank lines and lines starting with
 * '#' aside:
 *
 *   NAME RIGHTS TOKEN
 *
 * NAME is [A-Za-z0-9._-]+ and names the token in audit lines and whoami;
 * RIGHTS is "read" (GET only) or "write" (everything); TOKEN is 16 to 256
 * printable ASCII characters without spaces. A bad line is an error naming
 * FILE:LINE; a file other users may read draws a warning. Tokens are kept as
 * SHA-256 digests and compared in constant time; they never reach a log.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_SERVER_AUTH_TOKEN_MIN 16
#define REMSIM_SERVER_AUTH_TOKEN_MAX 256

#define REMSIM_TYPE_SERVER_AUTH (remsim_server_auth_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerAuth, remsim_server_auth, REMSIM, SERVER_AUTH, GObject)

/* reads @path; NULL with @error naming FILE:LINE (G_KEY_FILE_ERROR_PARSE) */
RemsimServerAuth *remsim_server_auth_new_from_file(const gchar *path, GError **error);

/*
 * The name of @token and whether it may write (@write), or NULL if no token
 * matches. Every stored token is compared, whatever matched.
 */
const gchar *remsim_server_auth_lookup(RemsimServerAuth *self, const gchar *token, gboolean *write);

guint remsim_server_auth_get_count(RemsimServerAuth *self);

G_END_DECLS
