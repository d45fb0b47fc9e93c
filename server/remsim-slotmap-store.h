/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimSlotmapStore: the slot maps on disk (SQLite, WAL, synchronous=FULL).
 * Writes run on one writer thread that commits whatever is queued in one
 * transaction, so the main loop never waits for the disk and many REST calls
 * share an fsync. A write completes only once it is durable.
 */
#pragma once

#include <gio/gio.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

#define REMSIM_STORE_ERROR (remsim_store_error_quark())
GQuark remsim_store_error_quark(void);

typedef enum {
	REMSIM_STORE_ERROR_OPEN,    /* cannot create, open, lock or read the file */
	REMSIM_STORE_ERROR_CORRUPT, /* not a database, or an integrity check failed */
	REMSIM_STORE_ERROR_WRITE,   /* a write failed */
} RemsimStoreError;

/* one row: a bank slot bound to a client slot */
typedef struct {
	RsproBankSlot bank;
	RsproClientSlot client;
} RemsimStoredMap;

#define REMSIM_TYPE_SLOTMAP_STORE (remsim_slotmap_store_get_type())
G_DECLARE_FINAL_TYPE(RemsimSlotmapStore, remsim_slotmap_store, REMSIM, SLOTMAP_STORE, GObject)

/*
 * Opens (or creates) @path, locks it for this process, checks it and bumps the
 * restart counter. Every error message names the file.
 */
RemsimSlotmapStore *remsim_slotmap_store_open(const gchar *path, GError **error);
const gchar *remsim_slotmap_store_get_path(RemsimSlotmapStore *self);
/* the number of starts, this one included */
guint64 remsim_slotmap_store_get_restart_counter(RemsimSlotmapStore *self);
/* the stored maps in creation order (a GArray of RemsimStoredMap); call before any write */
GArray *remsim_slotmap_store_load(RemsimSlotmapStore *self, GError **error);

/* add @add (may be NULL) and remove @remove (n_remove rows) in one durable step */
void remsim_slotmap_store_write_async(RemsimSlotmapStore *self, const RemsimStoredMap *add,
				      const RemsimStoredMap *remove, guint n_remove,
				      GAsyncReadyCallback callback, gpointer user_data);
/* finish and deliver every queued write (blocks; for shutdown, on the store's context) */
void remsim_slotmap_store_close(RemsimSlotmapStore *self);
gboolean remsim_slotmap_store_write_finish(RemsimSlotmapStore *self, GAsyncResult *result,
					   GError **error);

G_END_DECLS
