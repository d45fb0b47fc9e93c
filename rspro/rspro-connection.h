/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproConnection: one RSPRO association over a pollable GIOStream (a socket
 * connection, or TLS over one). It reads and de-frames without blocking, queues
 * writes, runs the IPA keep-alive, answers PING, and pairs responses with
 * requests.
 */
#pragma once

#include <gio/gio.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

#define RSPRO_CONNECTION_ERROR (rspro_connection_error_quark())
GQuark rspro_connection_error_quark(void);

typedef enum {
	RSPRO_CONNECTION_ERROR_FAILED,	       /* anything else */
	RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER, /* end of stream */
	RSPRO_CONNECTION_ERROR_KEEPALIVE,      /* no PONG in time */
	RSPRO_CONNECTION_ERROR_FRAMING,	       /* an IPA frame we must not accept */
	RSPRO_CONNECTION_ERROR_DECODE,	       /* a PDU that does not decode */
	RSPRO_CONNECTION_ERROR_IO,	       /* a read or write failed */
	RSPRO_CONNECTION_ERROR_CLOSED,	       /* closed locally, or used after close */
	RSPRO_CONNECTION_ERROR_TIMEOUT,	       /* a request got no response in time */
	RSPRO_CONNECTION_ERROR_QUEUE_FULL,     /* the peer let too much output pile up */
} RsproConnectionError;

/* upstream's keep-alive timers */
#define RSPRO_KEEPALIVE_INTERVAL_MS 30000
#define RSPRO_KEEPALIVE_TIMEOUT_MS 10000

#define RSPRO_TYPE_CONNECTION (rspro_connection_get_type())
G_DECLARE_FINAL_TYPE(RsproConnection, rspro_connection, RSPRO, CONNECTION, GObject)

/*
 * Takes a reference on @stream, whose input and output must both be pollable.
 * If it is a GSocketConnection, TCP_NODELAY is set. Nothing is read until
 * rspro_connection_start().
 */
RsproConnection *rspro_connection_new(GIOStream *stream);

/*
 * Keep-alive: the first PING goes out at start, then one @interval_ms after each
 * PONG; no PONG within @timeout_ms closes the connection with
 * RSPRO_CONNECTION_ERROR_KEEPALIVE. @interval_ms == 0 disables it (the side
 * that only answers PINGs). Call before start; default is disabled.
 */
void rspro_connection_set_keepalive(RsproConnection *self, guint interval_ms, guint timeout_ms);
void rspro_connection_get_keepalive(RsproConnection *self, guint *interval_ms, guint *timeout_ms);

/*
 * The output queue's bounds, in bytes (each frame counts its length plus a
 * fixed overhead for its bookkeeping). Above @high_water the connection stops
 * reading from the peer, so that a peer that sends without reading what it is
 * answered (a PING flood) only fills its own socket; below half of it reading
 * resumes. A queue that went above @high_water and is not empty again within
 * @stall_ms closes the connection with RSPRO_CONNECTION_ERROR_QUEUE_FULL; so
 * does a queue above @hard_limit (output that grows without anything read:
 * pushes). Defaults: RSPRO_CONNECTION_HIGH_WATER, RSPRO_CONNECTION_HARD_LIMIT
 * and RSPRO_CONNECTION_STALL_MS, far above what any peer that reads ever
 * queues.
 */
#define RSPRO_CONNECTION_HIGH_WATER (1024 * 1024)
#define RSPRO_CONNECTION_HARD_LIMIT (16 * 1024 * 1024)
/* as long as upstream gives a PING for its PONG */
#define RSPRO_CONNECTION_STALL_MS RSPRO_KEEPALIVE_TIMEOUT_MS
void rspro_connection_set_queue_limits(RsproConnection *self, gsize high_water, gsize hard_limit,
				       guint stall_ms);
/* what the output queue holds now, counted as for the limits */
gsize rspro_connection_get_queued_bytes(RsproConnection *self);
/* TRUE while reading is paused because the output queue is above its high water */
gboolean rspro_connection_is_reading_paused(RsproConnection *self);

/* begin reading (and pinging); signals fire on the thread-default main context of this call */
void rspro_connection_start(RsproConnection *self);

/*
 * Queue @pdu for sending; never blocks. An encoding error is returned at once;
 * I/O errors close the connection and surface through ::closed.
 */
gboolean rspro_connection_send(RsproConnection *self, const RsproPdu *pdu, GError **error);

/*
 * Queue one of remsim's own messages (rspro-ipa.h, RSPRO_IPA_EXT_REMSIM); only
 * for a peer that takes them (rspro_component_identity_has_remsim_ext())
 */
gboolean rspro_connection_send_remsim(RsproConnection *self, GBytes *payload, GError **error);

/*
 * Send @request and complete with the next PDU of @response_type that arrives
 * on this connection, first in first out among requests waiting for the same
 * type (upstream never echoes operation tags). Such a response is handed to the
 * request only, not emitted as ::message. @timeout_ms == 0 waits until close.
 */
void rspro_connection_request_async(RsproConnection *self, const RsproPdu *request,
				    RsproMsgType response_type, guint timeout_ms,
				    GCancellable *cancellable, GAsyncReadyCallback callback,
				    gpointer user_data);
RsproPdu *rspro_connection_request_finish(RsproConnection *self, GAsyncResult *result,
					  GError **error);

/* close now; ::closed fires once (with RSPRO_CONNECTION_ERROR_CLOSED) if it had not */
void rspro_connection_close(RsproConnection *self);
gboolean rspro_connection_is_closed(RsproConnection *self);
/*
 * TRUE if a ::closed reason is no failure: the peer or we closed. The connection
 * logs nothing of why it closed; the handler of ::closed says a failure.
 */
gboolean rspro_connection_reason_is_clean(const GError *reason);

/*
 * Lending the socket to another thread, which then reads and writes it
 * itself (remsim-bankd's relay thread, for the APDUs of a slot): while lent,
 * this side neither reads nor writes. It lends only a plain socket connection
 * (never the socket under TLS: the relay then stays on the main loop)
 * with nothing queued, no request waiting and no keep-alive of its own.
 * @unread gets the bytes read but not yet framed, which the borrower takes
 * first; @fd is the socket (non-blocking). When this side needs its socket
 * back (something was sent, or the connection closes), @wanted is called on
 * its context, once, and the borrower must give it back soon. A local close
 * meanwhile takes effect then, after what was sent before it.
 */
typedef void (*RsproConnectionWantedFunc)(gpointer user_data);
gboolean rspro_connection_lend(RsproConnection *self, RsproConnectionWantedFunc wanted,
			       gpointer user_data, int *fd, GByteArray *unread);
/*
 * The socket is back, on the connection's context: @unread (bytes the borrower
 * read but did not take) is framed first, @unsent (a frame it wrote in part)
 * goes out before anything queued, and the PDUs it received and sent count as
 * the connection's. A connection closed meanwhile closes its socket now.
 */
void rspro_connection_give_back(RsproConnection *self, const guint8 *unread, gsize unread_len,
				const guint8 *unsent, gsize unsent_len, guint64 received,
				guint64 sent);
gboolean rspro_connection_is_lent(RsproConnection *self);

/*
 * the peer's address, or NULL if the stream is not a socket nor TLS over one
 * (transfer none)
 */
GInetSocketAddress *rspro_connection_get_remote_address(RsproConnection *self);
GInetSocketAddress *rspro_connection_get_local_address(RsproConnection *self);
/*
 * TLS: TRUE if the stream is a GTlsConnection (handshake done by whoever made
 * it); the certificate the peer presented and the TLS library accepted, or
 * NULL (plain, or none asked for) (transfer none)
 */
gboolean rspro_connection_is_tls(RsproConnection *self);
GTlsCertificate *rspro_connection_get_peer_certificate(RsproConnection *self);

/* "127.0.0.1:40000", for logs */
const gchar *rspro_connection_get_peer_name(RsproConnection *self);

/* counters, for D-Bus and metrics */
guint64 rspro_connection_get_pdus_received(RsproConnection *self);
guint64 rspro_connection_get_pdus_sent(RsproConnection *self);

/*
 * Signals:
 *  ::message (RsproPdu *pdu) — every decoded PDU not taken by a request.
 *  ::remsim-message (GBytes *payload) — one of remsim's own messages.
 *  ::closed (GError *reason) — exactly once, when the connection ends for any
 *   reason; waiting requests fail with the same error first.
 */

G_END_DECLS
