/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPcscSlot: one bank slot backed by the PC/SC reader its rule matches.
 * The backend tells it which reader that is now and whether a card is in it;
 * the card itself is driven by the slot's RemsimPcscWorker thread.
 */
#pragma once

#include "remsim-slot-rule.h"
#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_PCSC_SLOT (remsim_pcsc_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimPcscSlot, remsim_pcsc_slot, REMSIM, PCSC_SLOT, RemsimCardSlot)

/* @rule: (transfer full); @protocols: SCARD_PROTOCOL_* the card may use */
RemsimPcscSlot *remsim_pcsc_slot_new(RemsimSlotRule *rule, guint32 protocols);
const RemsimSlotRule *remsim_pcsc_slot_get_rule(RemsimPcscSlot *self);
/* the reader bound now, or NULL */
const gchar *remsim_pcsc_slot_get_reader(RemsimPcscSlot *self);
/*
 * What the monitor saw in the matching reader (@reader NULL: none matches).
 * A changed event counter with the card still present means it was swapped:
 * the slot reports a removal and an insertion.
 */
void remsim_pcsc_slot_update(RemsimPcscSlot *self, const gchar *reader, gboolean present,
			     guint events);
/* fail the power-ons still waiting for the first reader report (shutdown) */
void remsim_pcsc_slot_drop_waiting(RemsimPcscSlot *self);

G_END_DECLS
