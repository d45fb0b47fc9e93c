/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdSlotMap: which client slot each bank slot of this bank serves. A bank
 * slot serves at most one client slot and a client slot is served by at most
 * one bank slot (upstream HEAD's rule).
 */
#pragma once

#include <glib-object.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_BANKD_SLOT_MAP (remsim_bankd_slot_map_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdSlotMap, remsim_bankd_slot_map, REMSIM, BANKD_SLOT_MAP, GObject)

RemsimBankdSlotMap *remsim_bankd_slot_map_new(guint n_slots);
guint remsim_bankd_slot_map_get_n_slots(RemsimBankdSlotMap *self);

/*
 * Map @bank_slot_nr to @client. Any other map of either side is removed first;
 * the bank slot numbers whose map went away are appended to @unmapped.
 * Returns FALSE if nothing changed (the same map existed already).
 */
gboolean remsim_bankd_slot_map_add(RemsimBankdSlotMap *self, guint bank_slot_nr,
				   const RsproClientSlot *client, GArray *unmapped);
/* FALSE if @bank_slot_nr had no map */
gboolean remsim_bankd_slot_map_remove(RemsimBankdSlotMap *self, guint bank_slot_nr);
void remsim_bankd_slot_map_clear(RemsimBankdSlotMap *self);

/* the client of @bank_slot_nr; FALSE if unmapped */
gboolean remsim_bankd_slot_map_get_client(RemsimBankdSlotMap *self, guint bank_slot_nr,
					  RsproClientSlot *client);
/* the bank slot serving @client; FALSE if none */
gboolean remsim_bankd_slot_map_find_client(RemsimBankdSlotMap *self, const RsproClientSlot *client,
					   guint *bank_slot_nr);

G_END_DECLS
