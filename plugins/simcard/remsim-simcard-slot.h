/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RemsimSimcardSlot: a bank card slot holding one simulated card (RemsimSimcardCard). */
#pragma once

#include "remsim-plugin.h"
#include "remsim-simcard-card.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_SIMCARD_SLOT (remsim_simcard_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimSimcardSlot, remsim_simcard_slot, REMSIM, SIMCARD_SLOT, RemsimCardSlot)

/*
 * @state_path: where the card's state is loaded from and saved to, or NULL;
 * @log_personal: the bankd's --log-personal-info (else the ICCID is not logged)
 */
RemsimSimcardSlot *remsim_simcard_slot_new(guint index, RemsimSimcardCard *card,
					   const gchar *state_path, gboolean log_personal);
RemsimSimcardCard *remsim_simcard_slot_get_card(RemsimSimcardSlot *self);

G_END_DECLS
