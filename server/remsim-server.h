/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServer: the RSPRO side of remsim-server. It accepts banks and
 * clients, keeps the registry and the slot maps, and pushes maps to banks
 * (createMappingReq / removeMappingReq) and clients (configClientBankReq).
 * REST and D-Bus are views on it and change maps through it.
 */
#pragma once

#include "remsim-peer.h"
#include "remsim-slotmap-store.h"
#include "remsim-slotmap.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_ERROR (remsim_server_error_quark())
GQuark remsim_server_error_quark(void);

typedef enum {
	REMSIM_SERVER_ERROR_CONFLICT,  /* the bank or client slot is already mapped */
	REMSIM_SERVER_ERROR_NOT_FOUND, /* no such slot map */
	REMSIM_SERVER_ERROR_STORE,     /* the database write failed */
} RemsimServerError;

#define REMSIM_TYPE_SERVER (remsim_server_get_type())
G_DECLARE_FINAL_TYPE(RemsimServer, remsim_server, REMSIM, SERVER, GObject)

RemsimServer *remsim_server_new(RemsimSlotmapStore *store);
/* the stored maps become NEW maps, pushed as their banks connect */
gboolean remsim_server_restore(RemsimServer *self, GError **error);
gboolean remsim_server_listen(RemsimServer *self, const gchar *bind_ip, guint16 port,
			      GError **error);
guint16 remsim_server_get_port(RemsimServer *self);
guint64 remsim_server_get_restart_counter(RemsimServer *self);

/* connected banks / clients (RemsimPeer*), in the order they identified */
GList *remsim_server_get_banks(RemsimServer *self);
GList *remsim_server_get_clients(RemsimServer *self);
RemsimPeer *remsim_server_find_bank(RemsimServer *self, guint16 bank_id);
/* the first connected client with @client_id (any slot) */
RemsimPeer *remsim_server_find_client(RemsimServer *self, guint16 client_id);

/* the listed (committed, not deleted) maps in creation order; free with g_list_free */
GList *remsim_server_list_slotmaps(RemsimServer *self);

/* checks for a conflict, commits the map, then pushes it; finish returns the map */
void remsim_server_create_slotmap_async(RemsimServer *self, const RsproBankSlot *bank,
					const RsproClientSlot *client, GAsyncReadyCallback callback,
					gpointer user_data);
RemsimSlotmap *remsim_server_create_slotmap_finish(RemsimServer *self, GAsyncResult *result,
						   GError **error);
/* @id: upstream's slot map id (bankId * 65536 + slotNr) */
void remsim_server_delete_slotmap_async(RemsimServer *self, guint32 id,
					GAsyncReadyCallback callback, gpointer user_data);
/* deletes every listed map */
void remsim_server_global_reset_async(RemsimServer *self, GAsyncReadyCallback callback,
				      gpointer user_data);
/* finishes a delete or a global reset */
gboolean remsim_server_delete_finish(RemsimServer *self, GAsyncResult *result, GError **error);

/*
 * Signals: ::bank-added, ::bank-removed, ::client-added, ::client-removed
 * (RemsimPeer *peer); ::slotmap-changed (RemsimSlotmap *map) when a listed map
 * appears or changes state; ::slotmap-removed (RemsimSlotmap *map) when it is
 * unlisted.
 */

G_END_DECLS
