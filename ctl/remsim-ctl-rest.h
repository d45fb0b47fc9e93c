/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCtlRest: a remsim-server (or osmo-remsim-server) through its REST API,
 * upstream's /api/backend/v1/ routes, with libsoup 3. Every request goes
 * through one function, which adds the bearer token when there is one.
 *
 * Watching takes a snapshot (maps, banks, clients) and reports what changed
 * since the last one: on each event of a remsim server's stream
 * (/api/v1/events), or once a second from a server without one (upstream's),
 * or while the stream is broken.
 */
#pragma once

#include "remsim-ctl-source.h"

G_BEGIN_DECLS

#define REMSIM_CTL_TYPE_REST (remsim_ctl_rest_get_type())
G_DECLARE_FINAL_TYPE(RemsimCtlRest, remsim_ctl_rest, REMSIM_CTL, REST, RemsimCtlSource)

/* REST's default port, as upstream's */
#define REMSIM_CTL_REST_DEFAULT_PORT 9997
/* how often watch asks the server, in milliseconds */
#define REMSIM_CTL_REST_POLL_MS 1000

/*
 * The server at @url: "http://HOST:PORT" or "https://...", with or without the
 * API's path; a bare "HOST" or "HOST:PORT" means http://HOST:9997 or that port.
 * A usage error (RemsimCtlError) when @url is none of these, or @ca_file
 * (the CA bundle that signs an https server's certificate; NULL: the
 * system's) cannot be read. @token (or NULL) goes with every request.
 */
RemsimCtlSource *remsim_ctl_rest_new(const gchar *url, const gchar *token, const gchar *ca_file,
				     GError **error);
/* TRUE while watching follows the server's event stream */
gboolean remsim_ctl_rest_get_live(RemsimCtlRest *self);

G_END_DECLS
