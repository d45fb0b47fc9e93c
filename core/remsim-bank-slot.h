/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankSlot: one slot of the bank. It ties a card slot of the backend to
 * the client slot mapped onto it, powers the card when that client connects,
 * and relays its APDUs: one in flight, the rest queued behind it.
 */
#pragma once

#include "remsim-client-conn.h"
#include "remsim-plugin.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_BANK_SLOT_STATE_IDLE,		 /* no map */
	REMSIM_BANK_SLOT_STATE_MAPPED,		 /* map, no client */
	REMSIM_BANK_SLOT_STATE_CLIENT_CONNECTED, /* client here, card not (yet) powered */
	REMSIM_BANK_SLOT_STATE_CARD_POWERED,	 /* relaying */
} RemsimBankSlotState;

const gchar *remsim_bank_slot_state_to_string(RemsimBankSlotState state);

/* more queued APDUs than this from one client means it ignores the protocol */
#define REMSIM_BANK_SLOT_QUEUE_MAX 64

#define REMSIM_TYPE_BANK_SLOT (remsim_bank_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankSlot, remsim_bank_slot, REMSIM, BANK_SLOT, GObject)

RemsimBankSlot *remsim_bank_slot_new(guint16 bank_id, guint16 slot_nr, RemsimPowerOnFlags flags);

/* the backend's card slot for this bank slot, or NULL when it has none (any session ends) */
void remsim_bank_slot_set_card(RemsimBankSlot *self, RemsimCardSlot *card);
RemsimCardSlot *remsim_bank_slot_get_card(RemsimBankSlot *self);

/* a new map ends the session of any other client */
void remsim_bank_slot_map(RemsimBankSlot *self, const RsproClientSlot *client);
void remsim_bank_slot_unmap(RemsimBankSlot *self);

/* hand over an identified client whose client slot is mapped here; any older client goes */
void remsim_bank_slot_attach(RemsimBankSlot *self, RemsimClientConn *client);

guint16 remsim_bank_slot_get_nr(RemsimBankSlot *self);
RemsimBankSlotState remsim_bank_slot_get_state(RemsimBankSlot *self);
/* FALSE when unmapped */
gboolean remsim_bank_slot_get_client_slot(RemsimBankSlot *self, RsproClientSlot *client);
/* the ATR of the powered card, or NULL */
GBytes *remsim_bank_slot_get_atr(RemsimBankSlot *self);
gboolean remsim_bank_slot_get_card_present(RemsimBankSlot *self);
guint64 remsim_bank_slot_get_apdus(RemsimBankSlot *self);
guint64 remsim_bank_slot_get_errors(RemsimBankSlot *self);

/*
 * Signals:
 *  ::changed () — any of the values above changed, except the counters
 *   (apdus, errors), which change with every APDU: read those when needed.
 *  ::report (RsproPdu *pdu) — an errorInd for the server.
 */

G_END_DECLS
