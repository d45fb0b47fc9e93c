/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdClientConn: one client's data connection to the bank. It waits for the
 * client to say who it is (connectClientReq with its client slot) and then
 * hands every further PDU to the bank slot serving that client.
 */
#pragma once

#include "remsim-log.h"
#include "rspro-connection.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_BANKD_CLIENT_CONN (remsim_bankd_client_conn_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdClientConn, remsim_bankd_client_conn, REMSIM, BANKD_CLIENT_CONN,
		     GObject)

/* how long a client may take to send connectClientReq (upstream's T1) */
#define REMSIM_BANKD_CLIENT_CONN_ID_TIMEOUT_MS 10000
/* how long a refused client gets to read its refusal before the bank closes */
#define REMSIM_BANKD_CLIENT_CONN_LINGER_MS 1000

/* @identity: the bank's identity for connectClientRes (copied) */
RemsimBankdClientConn *remsim_bankd_client_conn_new(RsproConnection *conn,
						    const RsproComponentIdentity *identity);
/*
 * Mutual TLS (the listener requires peer certificates): the client slot a
 * connectClientReq claims must be one the peer's certificate names
 * (remsim_tls_peer_may_claim_client()), else it is refused with
 * ILLEGAL_CLIENT_ID and a log line naming the certificate. Before the hello.
 */
void remsim_bankd_client_conn_set_require_certificate(RemsimBankdClientConn *self,
						      gboolean require);

RsproConnection *remsim_bankd_client_conn_get_connection(RemsimBankdClientConn *self);
const gchar *remsim_bankd_client_conn_get_peer_name(RemsimBankdClientConn *self);
/* valid after ::identified */
const RsproClientSlot *remsim_bankd_client_conn_get_client_slot(RemsimBankdClientConn *self);
/* [peer ADDRESS] until identified, then [client C:N] */
const RemsimLogTag *remsim_bankd_client_conn_get_log_tag(RemsimBankdClientConn *self);

/* send; failures close the connection (reported through ::closed) */
void remsim_bankd_client_conn_send(RemsimBankdClientConn *self, const RsproPdu *pdu);
/*
 * The one connectClientRes of an identified client (the later call does nothing):
 * ok when its card is powered, cardNotPresent while it waits for a map or a card
 * (upstream's answer; the connection stays open and the ATR follows as setAtrReq).
 */
void remsim_bankd_client_conn_accept(RemsimBankdClientConn *self);
void remsim_bankd_client_conn_answer_no_card(RemsimBankdClientConn *self);
gboolean remsim_bankd_client_conn_is_answered(RemsimBankdClientConn *self);
/* refuse a bad hello: connectClientRes(@result), then close after the linger */
void remsim_bankd_client_conn_refuse(RemsimBankdClientConn *self, gint result);
/* close after the linger, so that what was just sent reaches the peer */
void remsim_bankd_client_conn_shutdown(RemsimBankdClientConn *self);
/* close now; ::closed follows */
void remsim_bankd_client_conn_close(RemsimBankdClientConn *self);
gboolean remsim_bankd_client_conn_is_closed(RemsimBankdClientConn *self);

/*
 * Signals:
 *  ::identified () — connectClientReq arrived with a client slot; the handler
 *   must accept or refuse.
 *  ::pdu (RsproPdu *pdu) — any later PDU.
 *  ::closed () — once, when the connection is gone for any reason.
 */

G_END_DECLS
