/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproListener: accepts RSPRO connections on a TCP port, through an
 * RsproAcceptor (connection limits, back-off when out of descriptors).
 */
#pragma once

#include "rspro-acceptor.h"
#include "rspro-connection.h"
#include "rspro-enum-types.h"

G_BEGIN_DECLS

#define RSPRO_TYPE_LISTENER (rspro_listener_get_type())
G_DECLARE_FINAL_TYPE(RsproListener, rspro_listener, RSPRO, LISTENER, GObject)

RsproListener *rspro_listener_new(void);

/* keep-alive for every accepted connection (see rspro_connection_set_keepalive()) */
void rspro_listener_set_keepalive(RsproListener *self, guint interval_ms, guint timeout_ms);

/*
 * The most connections open at once, in all and from one address (0: no
 * limit); one past them is closed as soon as it is accepted, with a log line.
 * Call before listening.
 */
void rspro_listener_set_limits(RsproListener *self, guint max_connections, guint max_per_address);

/*
 * TLS on the port (rspro-enum-types.h: RSPRO_TYPE_LISTENER_TLS, whose nicks
 * are the words of the daemons' "tls" key):
 *  OFF     plain RSPRO, as upstream (the default);
 *  ON      TLS only: a peer whose first byte is not a TLS handshake record
 *          (0x16) is closed with a log line naming it;
 *  EITHER  the first byte decides, per connection: TLS or plain RSPRO (an
 *          RSPRO peer always speaks first: its IPA frame starts with a length
 *          byte, 0x00 for any RSPRO PDU).
 * A TLS peer is handed out (::connection) only once its handshake is done;
 * the handshake, and the wait for the first byte, are bounded by the handshake
 * timeout (RSPRO_LISTENER_HANDSHAKE_TIMEOUT_MS by default): a peer that stalls
 * is closed with a log line, and counts against the limits until then.
 */
typedef enum {
	RSPRO_LISTENER_TLS_OFF,	   /*< nick=off >*/
	RSPRO_LISTENER_TLS_ON,	   /*< nick=on >*/
	RSPRO_LISTENER_TLS_EITHER, /*< nick=either >*/
} RsproListenerTls;

#define RSPRO_LISTENER_HANDSHAKE_TIMEOUT_MS 10000

/*
 * @certificate: the port's own (with its key); @ca: what peer certificates are
 * checked against (NULL: the system's); @require_peer_certificate: a TLS peer
 * must present a certificate @ca (or the system) trusts, else its handshake
 * fails. Takes references. Call before listening.
 */
void rspro_listener_set_tls(RsproListener *self, RsproListenerTls mode,
			    GTlsCertificate *certificate, GTlsDatabase *ca,
			    gboolean require_peer_certificate);
void rspro_listener_set_handshake_timeout(RsproListener *self, guint timeout_ms);
/* connections accepted whose TLS handshake (or first byte) is awaited */
guint rspro_listener_get_n_pending(RsproListener *self);

/* @bind_ip NULL or "" for every address; @port 0 for an ephemeral port */
gboolean rspro_listener_listen(RsproListener *self, const gchar *bind_ip, guint16 port,
			       GError **error);
/* the port actually bound */
guint16 rspro_listener_get_port(RsproListener *self);
/* connections accepted and not freed yet */
guint rspro_listener_get_n_connections(RsproListener *self);
void rspro_listener_close(RsproListener *self);

/*
 * Signal ::connection (RsproConnection *conn): a new peer. Connect to the
 * connection's signals in the handler; the listener starts it after the
 * handlers have run and keeps no reference.
 */

G_END_DECLS
