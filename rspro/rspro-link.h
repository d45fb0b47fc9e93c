/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproLink: an outbound RSPRO association that keeps itself up. It dials,
 * sends the hello (connectBankReq / connectClientReq), waits for its response,
 * and on any failure reconnects with upstream's back-off plus jitter. Used for
 * bankd→server, client→server and client→bankd.
 */
#pragma once

#include "rspro-backoff.h"
#include "rspro-connection.h"
#include "rspro-enum-types.h"

G_BEGIN_DECLS

/*
 * The nicks (RSPRO_TYPE_LINK_STATE, from glib-mkenums) are the words every
 * remsim daemon shows for a link on D-Bus.
 */
typedef enum {
	/* not started, or stopped */
	RSPRO_LINK_STATE_IDLE, /*< nick=idle >*/
	/* back-off before the next attempt */
	RSPRO_LINK_STATE_WAITING, /*< nick=waiting >*/
	/* TCP connect (and TLS handshake) under way */
	RSPRO_LINK_STATE_CONNECTING, /*< nick=connecting >*/
	/* TCP up, hello sent, waiting for its response */
	RSPRO_LINK_STATE_ESTABLISHED, /*< nick=established >*/
	/* the peer accepted the hello */
	RSPRO_LINK_STATE_CONNECTED, /*< nick=connected >*/
} RsproLinkState;

#define RSPRO_TYPE_LINK (rspro_link_get_type())
G_DECLARE_FINAL_TYPE(RsproLink, rspro_link, RSPRO, LINK, GObject)

/*
 * @hello: the connect request sent on every new TCP connection (copied);
 * its response type follows from it; the response must carry result ok and
 * identity.type @peer_type, else the link backs off and retries.
 */
RsproLink *rspro_link_new(const RsproPdu *hello, RsproComponentType peer_type);

/* where to dial; takes effect at once (a live connection to another place is dropped) */
void rspro_link_set_target(RsproLink *self, const gchar *host, guint16 port);
/*
 * TLS for later connections (default: plain TCP, as upstream): a handshake
 * right after the TCP connect, within T2, that must verify the peer's
 * certificate against @ca (NULL: the system's trust) and the host dialled (a
 * name, or an IP address in the certificate's subjectAltName); @certificate
 * (with its key; NULL: none) is presented to a peer that asks for one (mutual
 * TLS). The stream under the connection is then a GTlsClientConnection.
 */
void rspro_link_set_tls(RsproLink *self, gboolean use_tls, GTlsCertificate *certificate,
			GTlsDatabase *ca);
gboolean rspro_link_get_tls(RsproLink *self);

/* replace the hello for later connections */
void rspro_link_set_hello(RsproLink *self, const RsproPdu *hello);
/*
 * timers: keep-alive as for RsproConnection (default on: 30 s / 10 s, as upstream);
 * T1 (hello response) and T2 (TCP connect and any TLS handshake), 10 s each by default
 */
void rspro_link_set_keepalive(RsproLink *self, guint interval_ms, guint timeout_ms);
void rspro_link_get_keepalive(RsproLink *self, guint *interval_ms, guint *timeout_ms);
void rspro_link_set_timeouts(RsproLink *self, guint connect_ms, guint hello_ms);
/* scale the back-off table (1.0 = upstream's seconds); tests shorten it */
void rspro_link_set_backoff_scale(RsproLink *self, gdouble scale);
/*
 * the back-off as the link keeps it: its index and when the last attempt
 * began (the link's part of the schedule, checked by the tests as values)
 */
const RsproBackoff *rspro_link_get_backoff(RsproLink *self);

void rspro_link_start(RsproLink *self); /* resets the back-off and dials */
void rspro_link_stop(RsproLink *self);	/* drops any connection, stays idle */
/* drop the current connection and retry after the back-off */
void rspro_link_reconnect(RsproLink *self);

RsproLinkState rspro_link_get_state(RsproLink *self);
/* the connection while ESTABLISHED or CONNECTED, else NULL */
RsproConnection *rspro_link_get_connection(RsproLink *self);
/* the peer's hello response while CONNECTED, else NULL */
const RsproPdu *rspro_link_get_hello_response(RsproLink *self);

/* send when CONNECTED; otherwise an error (RSPRO_CONNECTION_ERROR_CLOSED) */
gboolean rspro_link_send(RsproLink *self, const RsproPdu *pdu, GError **error);

/*
 * Signals:
 *  ::connected (RsproConnection *conn) — the hello was accepted.
 *  ::disconnected (GError *reason) — a CONNECTED link was lost.
 *  ::message (RsproPdu *pdu) — a PDU from the peer while CONNECTED.
 *  notify::state.
 */

G_END_DECLS
