/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPeer: one RSPRO connection accepted by the server, and what it said
 * about itself (a bank or a client) once it identified.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rspro-connection.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_PEER_ESTABLISHED,      /* waiting for connectBankReq / connectClientReq */
	REMSIM_PEER_CONNECTED_CLIENT, /* an accepted client */
	REMSIM_PEER_CONNECTED_BANKD,  /* an accepted bank */
	REMSIM_PEER_REJECTED,	      /* refused; closes after a short linger */
} RemsimPeerState;

/* the last configClientBankReq sent to a client */
typedef struct {
	RsproBankSlot bank;
	RsproIpPort bankd;
} RemsimClientConfig;

#define REMSIM_TYPE_PEER (remsim_peer_get_type())
G_DECLARE_FINAL_TYPE(RemsimPeer, remsim_peer, REMSIM, PEER, GObject)

RemsimPeer *remsim_peer_new(RsproConnection *conn);
RsproConnection *remsim_peer_get_connection(RemsimPeer *self);
RemsimPeerState remsim_peer_get_state(RemsimPeer *self);
const gchar *remsim_peer_state_to_string(RemsimPeerState state);

/* closes the connection after @ms unless it is closed before */
void remsim_peer_close_after(RemsimPeer *self, guint ms);
void remsim_peer_reject(RemsimPeer *self);

void remsim_peer_set_bank(RemsimPeer *self, const RsproConnectBankReq *req);
void remsim_peer_set_client(RemsimPeer *self, const RsproConnectClientReq *req);
const RsproComponentIdentity *remsim_peer_get_identity(RemsimPeer *self);
guint16 remsim_peer_get_bank_id(RemsimPeer *self);
guint16 remsim_peer_get_number_of_slots(RemsimPeer *self);
const RsproClientSlot *remsim_peer_get_client_slot(RemsimPeer *self);

/* where clients should dial this bank: its advertised endpoint, else its peer address */
void remsim_peer_get_bankd_endpoint(RemsimPeer *self, RsproIpPort *endpoint);
/* the client's cached configuration; update it and return TRUE if @cfg differs */
gboolean remsim_peer_update_client_config(RemsimPeer *self, const RemsimClientConfig *cfg);

/* upstream's connection id: "B1", "C23:0" */
const gchar *remsim_peer_get_id(RemsimPeer *self);

/* upstream's REST objects (client, or bank with bankId / numberOfSlots) */
JsonNode *remsim_peer_to_json(RemsimPeer *self);
GVariant *remsim_peer_to_variant(RemsimPeer *self);

G_END_DECLS
