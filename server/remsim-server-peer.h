/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerPeer: one RSPRO connection accepted by the server, and what it said
 * about itself (a bank or a client) once it identified.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "remsim-log.h"
#include "rspro-connection.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_SERVER_PEER_ESTABLISHED,	     /* waiting for connectBankReq / connectClientReq */
	REMSIM_SERVER_PEER_CONNECTED_CLIENT, /* an accepted client */
	REMSIM_SERVER_PEER_CONNECTED_BANKD,  /* an accepted bank */
	REMSIM_SERVER_PEER_REJECTED,	     /* refused; closes after a short linger */
} RemsimServerPeerState;

/* the last configClientBankReq sent to a client */
typedef struct {
	RsproBankSlot bank;
	RsproIpPort bankd;
} RemsimServerClientConfig;

#define REMSIM_TYPE_SERVER_PEER (remsim_server_peer_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerPeer, remsim_server_peer, REMSIM, SERVER_PEER, GObject)

RemsimServerPeer *remsim_server_peer_new(RsproConnection *conn);
RsproConnection *remsim_server_peer_get_connection(RemsimServerPeer *self);
RemsimServerPeerState remsim_server_peer_get_state(RemsimServerPeer *self);
const gchar *remsim_server_peer_state_to_string(RemsimServerPeerState state);

/* closes the connection after @ms unless it is closed before */
void remsim_server_peer_close_after(RemsimServerPeer *self, guint ms);
void remsim_server_peer_reject(RemsimServerPeer *self);

void remsim_server_peer_set_bank(RemsimServerPeer *self, const RsproConnectBankReq *req);
void remsim_server_peer_set_client(RemsimServerPeer *self, const RsproConnectClientReq *req);
const RsproComponentIdentity *remsim_server_peer_get_identity(RemsimServerPeer *self);
guint16 remsim_server_peer_get_bank_id(RemsimServerPeer *self);
guint16 remsim_server_peer_get_number_of_slots(RemsimServerPeer *self);
const RsproClientSlot *remsim_server_peer_get_client_slot(RemsimServerPeer *self);

/* where clients should dial this bank: its advertised endpoint, else its peer address */
void remsim_server_peer_get_bankd_endpoint(RemsimServerPeer *self, RsproIpPort *endpoint);
/* the client's cached configuration; update it and return TRUE if @cfg differs */
gboolean remsim_server_peer_update_client_config(RemsimServerPeer *self,
						 const RemsimServerClientConfig *cfg);

/*
 * remsim's own messages (rspro-ipa.h): TRUE for a connectBankReq from a
 * remsim-bankd (software "remsim-bankd" with the bound endpoint), which then
 * gets the mark in connectBankRes and may send them
 */
gboolean remsim_server_peer_is_remsim_bank(RemsimServerPeer *self, const RsproConnectBankReq *req);
void remsim_server_peer_set_remsim_ext(RemsimServerPeer *self, gboolean remsim_ext);
gboolean remsim_server_peer_get_remsim_ext(RemsimServerPeer *self);

/* upstream's connection id: "B1", "C23:0" */
const gchar *remsim_server_peer_get_id(RemsimServerPeer *self);
/* [peer ADDRESS] until it identifies, then [bank B] or [client C:N] */
const RemsimLogTag *remsim_server_peer_get_log_tag(RemsimServerPeer *self);

/* upstream's REST objects (client, or bank with bankId / numberOfSlots) */
JsonNode *remsim_server_peer_to_json(RemsimServerPeer *self);

G_END_DECLS
