/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientConn: one client's data connection to the bank. It waits for the
 * client to say who it is (connectClientReq with its client slot) and then
 * hands every further PDU to the bank slot serving that client.
 */
#pragma once

#include "rspro-connection.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_CONN (remsim_client_conn_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientConn, remsim_client_conn, REMSIM, CLIENT_CONN, GObject)

/* how long a client may take to send connectClientReq (upstream's T1) */
#define REMSIM_CLIENT_CONN_ID_TIMEOUT_MS 10000
/* how long a refused client gets to read its refusal before the bank closes */
#define REMSIM_CLIENT_CONN_LINGER_MS 1000

/* @identity: the bank's identity for connectClientRes (copied) */
RemsimClientConn *remsim_client_conn_new(RsproConnection *conn,
					 const RsproComponentIdentity *identity);

RsproConnection *remsim_client_conn_get_connection(RemsimClientConn *self);
const gchar *remsim_client_conn_get_peer_name(RemsimClientConn *self);
/* valid after ::identified */
const RsproClientSlot *remsim_client_conn_get_client_slot(RemsimClientConn *self);

/* send; failures close the connection (reported through ::closed) */
void remsim_client_conn_send(RemsimClientConn *self, const RsproPdu *pdu);
/* accept the client: connectClientRes(ok) */
void remsim_client_conn_accept(RemsimClientConn *self);
/* refuse: connectClientRes(@result), then @error_ind if not NULL, then close after the linger */
void remsim_client_conn_refuse(RemsimClientConn *self, gint result, const RsproPdu *error_ind);
/* close after the linger, so that what was just sent reaches the peer */
void remsim_client_conn_shutdown(RemsimClientConn *self);
/* close now; ::closed follows */
void remsim_client_conn_close(RemsimClientConn *self);
gboolean remsim_client_conn_is_closed(RemsimClientConn *self);

/*
 * Signals:
 *  ::identified () — connectClientReq arrived with a client slot; the handler
 *   must accept or refuse.
 *  ::pdu (RsproPdu *pdu) — any later PDU.
 *  ::closed () — once, when the connection is gone for any reason.
 */

G_END_DECLS
