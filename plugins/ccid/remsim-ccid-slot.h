/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCcidSlot: one bank slot of the ccid backend, bound to a slot of a
 * CCID reader while that reader is there. Power-on selects the voltage (5 V,
 * then 3 V, then 1.8 V, as the reader and the card allow, unless the reader
 * does it), reads the ATR, sets the protocol parameters the card asks for and,
 * for T=1 at TPDU level, tells the card our IFSD. Commands then go at the
 * reader's exchange level (remsim-ccid-xfr.h).
 */
#pragma once

#include "remsim-ccid-reader.h"
#include "remsim-plugin.h"
#include "remsim-slot-rule.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CCID_SLOT (remsim_ccid_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimCcidSlot, remsim_ccid_slot, REMSIM, CCID_SLOT, RemsimCardSlot)

/* protocols: bit 0 T=0, bit 1 T=1; voltages: REMSIM_CCID_VOLTAGE_* a card may get */
typedef struct {
	guint protocols;
	guint8 voltages;
} RemsimCcidSlotSettings;

/* @rule (taken, may be NULL: the backend assigns reader slots in order) */
RemsimCcidSlot *remsim_ccid_slot_new(guint index, RemsimSlotRule *rule,
				     const RemsimCcidSlotSettings *settings);
const RemsimSlotRule *remsim_ccid_slot_get_rule(RemsimCcidSlot *self);

void remsim_ccid_slot_bind(RemsimCcidSlot *self, RemsimCcidReader *reader, guint reader_slot);
void remsim_ccid_slot_unbind(RemsimCcidSlot *self);
/* NULL if unbound */
RemsimCcidReader *remsim_ccid_slot_get_reader(RemsimCcidSlot *self, guint *reader_slot);
/* which reader slot it served last ("SERIAL/N" or "usb:PATH/N"), NULL if none yet */
const gchar *remsim_ccid_slot_get_last_identity(RemsimCcidSlot *self);

G_END_DECLS
