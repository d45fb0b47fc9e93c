/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerSlotmapStore: the slot maps, and the banks' card inventory, on disk (SQLite, WAL,
 * synchronous=FULL). Writes run on one writer thread that commits whatever is queued in one
 * transaction, so the main loop never waits for the disk and many REST calls
 * share an fsync. A write completes only once it is durable.
 */
#pragma once

#include <gio/gio.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_STORE_ERROR (remsim_server_store_error_quark())
GQuark remsim_server_store_error_quark(void);

typedef enum {
	REMSIM_SERVER_STORE_ERROR_FAILED,  /* anything else */
	REMSIM_SERVER_STORE_ERROR_OPEN,	   /* cannot create, open, lock or read the file */
	REMSIM_SERVER_STORE_ERROR_CORRUPT, /* not a database, or an integrity check failed */
	REMSIM_SERVER_STORE_ERROR_WRITE,   /* a write failed */
} RemsimServerStoreError;

/* one row: a bank slot bound to a client slot */
typedef struct {
	RsproBankSlot bank;
	RsproClientSlot client;
} RemsimServerStoredMap;

/* one bank slot's card inventory (RemsimCardInfo as JSON) */
typedef struct {
	RsproBankSlot slot;
	gchar *card;
} RemsimServerStoredCard;

void remsim_server_slotmap_store_clear_card(RemsimServerStoredCard *card);

#define REMSIM_TYPE_SERVER_SLOTMAP_STORE (remsim_server_slotmap_store_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerSlotmapStore, remsim_server_slotmap_store, REMSIM,
		     SERVER_SLOTMAP_STORE, GObject)

/*
 * Opens (or creates) @path, locks it for this process, checks it and bumps the
 * restart counter. Every error message names the file.
 */
RemsimServerSlotmapStore *remsim_server_slotmap_store_open(const gchar *path, GError **error);
const gchar *remsim_server_slotmap_store_get_path(RemsimServerSlotmapStore *self);
/* the number of starts, this one included */
guint64 remsim_server_slotmap_store_get_restart_counter(RemsimServerSlotmapStore *self);
/* the stored maps in creation order (a GArray of RemsimServerStoredMap); call before any write */
GArray *remsim_server_slotmap_store_load(RemsimServerSlotmapStore *self, GError **error);

/* add @add (may be NULL) and remove @remove (n_remove rows) in one durable step */
void remsim_server_slotmap_store_write_async(RemsimServerSlotmapStore *self,
					     const RemsimServerStoredMap *add,
					     const RemsimServerStoredMap *remove, guint n_remove,
					     GCancellable *cancellable,
					     GAsyncReadyCallback callback, gpointer user_data);
/* the stored cards (a GArray of RemsimServerStoredCard, cleared with it) */
GArray *remsim_server_slotmap_store_load_cards(RemsimServerSlotmapStore *self, GError **error);
/* store @card (JSON) for @slot, or forget the slot's card with @card NULL */
void remsim_server_slotmap_store_write_card_async(RemsimServerSlotmapStore *self,
						  const RsproBankSlot *slot, const gchar *card,
						  GCancellable *cancellable,
						  GAsyncReadyCallback callback, gpointer user_data);
gboolean remsim_server_slotmap_store_write_card_finish(RemsimServerSlotmapStore *self,
						       GAsyncResult *result, GError **error);
/* finish and deliver every queued write (blocks; for shutdown, on the store's context) */
void remsim_server_slotmap_store_close(RemsimServerSlotmapStore *self);
gboolean remsim_server_slotmap_store_write_finish(RemsimServerSlotmapStore *self,
						  GAsyncResult *result, GError **error);

G_END_DECLS
