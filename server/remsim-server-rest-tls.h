/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTPS for the REST API: a connection the REST acceptor took is wrapped in a
 * GTlsServerConnection (glib-networking's GnuTLS) with the server's
 * certificate and, when configured, the CA bundle peers' certificates are
 * checked against (required or only asked for). The handshake runs
 * asynchronously and is bounded by REMSIM_SERVER_REST_TLS_HANDSHAKE_MS: a
 * peer that stalls, or speaks plain HTTP, is closed with a debug line and
 * never reaches libsoup.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_SERVER_REST_TLS_HANDSHAKE_MS 10000

/* what the REST port's TLS uses; NULL: plain HTTP, upstream's */
typedef struct {
	GTlsCertificate *certificate; /* with its key */
	GTlsDatabase *ca;	      /* NULL: peers' certificates not asked for */
	gboolean require_peer_certificate;
} RemsimServerRestTls;

/* @tls (or NULL on a failed handshake, @conn then closed) for the connection @conn */
typedef void (*RemsimServerRestTlsReady)(GIOStream *tls, GSocketConnection *conn, gpointer data);

/*
 * Starts the handshake of @conn; @ready is called once, in the main context,
 * unless the object @owner (whose weak reference is kept) has gone by then.
 */
void remsim_server_rest_tls_accept(const RemsimServerRestTls *tls, GSocketConnection *conn,
				   GObject *owner, RemsimServerRestTlsReady ready);

void remsim_server_rest_tls_free(RemsimServerRestTls *tls);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimServerRestTls, remsim_server_rest_tls_free)

G_END_DECLS
