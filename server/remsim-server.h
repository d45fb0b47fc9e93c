/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServer: the RSPRO side of remsim-server. It accepts banks and
 * clients, keeps the registry and the slot maps, and pushes maps to banks
 * (createMappingReq / removeMappingReq) and clients (configClientBankReq).
 * REST and D-Bus are views on it and change maps through it.
 */
#pragma once

#include "rspro-listener.h"

#include "remsim-server-inventory.h"
#include "remsim-server-peer.h"
#include "remsim-server-slotmap-store.h"
#include "remsim-server-slotmap.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_ERROR (remsim_server_error_quark())
GQuark remsim_server_error_quark(void);

typedef enum {
	REMSIM_SERVER_ERROR_FAILED,	 /* anything else */
	REMSIM_SERVER_ERROR_CONFLICT,	 /* the bank or client slot is already mapped */
	REMSIM_SERVER_ERROR_NOT_FOUND,	 /* no such slot map */
	REMSIM_SERVER_ERROR_STORE,	 /* the database write failed */
	REMSIM_SERVER_ERROR_UNSUPPORTED, /* the bank does not speak remsim's own messages */
	REMSIM_SERVER_ERROR_TIMEOUT,	 /* the bank did not answer in time */
} RemsimServerError;

#define REMSIM_TYPE_SERVER (remsim_server_get_type())
G_DECLARE_FINAL_TYPE(RemsimServer, remsim_server, REMSIM, SERVER, GObject)

RemsimServer *remsim_server_new(RemsimServerSlotmapStore *store);
/* the stored maps become NEW maps, pushed as their banks connect */
gboolean remsim_server_restore(RemsimServer *self, GError **error);
/* the RSPRO port's connection limits (rspro_listener_set_limits()); before listening */
void remsim_server_set_limits(RemsimServer *self, guint max_connections, guint max_per_address);
/*
 * TLS on the RSPRO port (rspro_listener_set_tls()); with
 * @require_peer_certificate, a bank or client claims only what its
 * certificate names (remsim_tls_peer_may_claim_bank() and _client()). Before
 * listening.
 */
void remsim_server_set_tls(RemsimServer *self, RsproListenerTls mode, GTlsCertificate *cert,
			   GTlsDatabase *ca, gboolean require_peer_certificate);
/*
 * the addresses a bank may announce besides its peer address (GInetAddress,
 * remsim_server_trust_parse_addresses()); takes a reference
 */
void remsim_server_set_bank_allowed_addresses(RemsimServer *self, GPtrArray *allowed);
gboolean remsim_server_listen(RemsimServer *self, const gchar *bind_ip, guint16 port,
			      GError **error);
guint16 remsim_server_get_port(RemsimServer *self);
guint64 remsim_server_get_restart_counter(RemsimServer *self);

/* what remsim banks report of their slots and cards */
RemsimServerInventory *remsim_server_get_inventory(RemsimServer *self);

/* connected banks / clients (RemsimServerPeer*), in the order they identified */
GList *remsim_server_get_banks(RemsimServer *self);
GList *remsim_server_get_clients(RemsimServer *self);
RemsimServerPeer *remsim_server_find_bank(RemsimServer *self, guint16 bank_id);
/* the first connected client with @client_id (any slot) */
RemsimServerPeer *remsim_server_find_client(RemsimServer *self, guint16 client_id);

/* the listed (committed, not deleted) maps in creation order; free with g_list_free */
GList *remsim_server_list_slotmaps(RemsimServer *self);
/* the listed map of a bank slot, or NULL; without walking the list */
RemsimServerSlotmap *remsim_server_find_slotmap(RemsimServer *self, guint16 bank_id,
						guint16 slot_nr);

/*
 * checks for a conflict, commits the map, then pushes it; finish returns the map.
 * Cancelling stops the wait for the answer, not the commit.
 */
void remsim_server_create_slotmap_async(RemsimServer *self, const RsproBankSlot *bank,
					const RsproClientSlot *client, GCancellable *cancellable,
					GAsyncReadyCallback callback, gpointer user_data);
RemsimServerSlotmap *remsim_server_create_slotmap_finish(RemsimServer *self, GAsyncResult *result,
							 GError **error);
/*
 * The same for the bank slot that holds the card with @iccid (a live one
 * first, else the last one known); REMSIM_SERVER_ERROR_NOT_FOUND without one
 */
void remsim_server_create_slotmap_by_iccid_async(RemsimServer *self, const gchar *iccid,
						 const RsproClientSlot *client,
						 GCancellable *cancellable,
						 GAsyncReadyCallback callback, gpointer user_data);
RemsimServerSlotmap *remsim_server_create_slotmap_by_iccid_finish(RemsimServer *self,
								  GAsyncResult *result,
								  GError **error);
/*
 * Ask a remsim bank to reset the card of @bank (power off and on, in turn with
 * its client's APDUs). NOT_FOUND: the bank is not connected; UNSUPPORTED: it
 * is an upstream bank; FAILED with the bank's reason (no powered card ...)
 */
void remsim_server_reset_card_async(RemsimServer *self, const RsproBankSlot *bank,
				    GCancellable *cancellable, GAsyncReadyCallback callback,
				    gpointer user_data);
gboolean remsim_server_reset_card_finish(RemsimServer *self, GAsyncResult *result, GError **error);

/* @id: upstream's slot map id (bankId * 65536 + slotNr) */
void remsim_server_delete_slotmap_async(RemsimServer *self, guint32 id, GCancellable *cancellable,
					GAsyncReadyCallback callback, gpointer user_data);
gboolean remsim_server_delete_slotmap_finish(RemsimServer *self, GAsyncResult *result,
					     GError **error);
/* deletes every listed map */
void remsim_server_global_reset_async(RemsimServer *self, GCancellable *cancellable,
				      GAsyncReadyCallback callback, gpointer user_data);
gboolean remsim_server_global_reset_finish(RemsimServer *self, GAsyncResult *result,
					   GError **error);

/*
 * Signals: ::bank-added, ::bank-removed, ::client-added, ::client-removed
 * (RemsimServerPeer *peer); ::slotmap-changed (RemsimServerSlotmap *map) when a listed map
 * appears or changes state; ::slotmap-removed (RemsimServerSlotmap *map) when it is
 * unlisted.
 */

G_END_DECLS
