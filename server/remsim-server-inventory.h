/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerInventory: what remsim banks tell the server of their slots, in
 * remsim's own messages beside RSPRO (rspro-ipa.h): each slot's state, card
 * presence, APDU and error counters, and the card read by the bank's
 * inventory (RemsimCardInfo). Cards are kept on disk with the slot maps, so
 * the view survives a restart; what comes from the disk, or from a bank no
 * longer connected, is stale until the bank says it again. Upstream banks send
 * nothing: their slots are simply not here.
 */
#pragma once

#include "remsim-card-info.h"
#include "remsim-server-slotmap-store.h"

G_BEGIN_DECLS

typedef struct {
	guint16 bank_id;
	guint16 slot_nr;
	gchar *state; /* the bank's word for the slot ("idle", "card-powered" ...), or NULL */
	gboolean card_present;
	guint64 apdus;
	guint64 errors;
	RemsimCardInfo *card; /* or NULL: not read (inventory off, or not yet) */
	gboolean stale;	      /* from the disk, or its bank is gone */
} RemsimServerBankSlot;

#define REMSIM_TYPE_SERVER_INVENTORY (remsim_server_inventory_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerInventory, remsim_server_inventory, REMSIM, SERVER_INVENTORY,
		     GObject)

RemsimServerInventory *remsim_server_inventory_new(RemsimServerSlotmapStore *store);
/* the stored cards, all stale */
gboolean remsim_server_inventory_load(RemsimServerInventory *self, GError **error);

/*
 * A bank's report: {"slots":[{"slot":N,"state":..,"card_present":..,"apdus":..,
 * "errors":..,"card":{..}|null},..],"full":true|false,"num_slots":N}. A full
 * report (every slot, in messages of a few dozen) names the bank's number of
 * slots: what was known of slots past it goes.
 */
gboolean remsim_server_inventory_apply_report(RemsimServerInventory *self, guint16 bank_id,
					      JsonObject *report, GError **error);
/* the bank is gone: its slots turn stale */
void remsim_server_inventory_bank_lost(RemsimServerInventory *self, guint16 bank_id);

/* every known bank slot, by bank and slot (transfer container) */
GPtrArray *remsim_server_inventory_list(RemsimServerInventory *self);
RemsimServerBankSlot *remsim_server_inventory_lookup(RemsimServerInventory *self, guint16 bank_id,
						     guint16 slot_nr);
/* the slot holding the card with @iccid, or NULL */
RemsimServerBankSlot *remsim_server_inventory_find_iccid(RemsimServerInventory *self,
							 const gchar *iccid);

/* {"bank_id","slot","state","card_present","apdus","errors","stale","card"} */
JsonObject *remsim_server_inventory_slot_to_json(const RemsimServerBankSlot *slot);

/*
 * Signals:
 *  ::slot-changed (RemsimServerBankSlot *slot) — a slot appeared or changed,
 *   counters included (a bank reports them at most once a second)
 *  ::slot-removed (guint bank_id, guint slot_nr) — a slot is no longer known
 */

G_END_DECLS
