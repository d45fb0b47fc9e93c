/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_EXAMPLE_SLOT (remsim_example_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimExampleSlot, remsim_example_slot, REMSIM, EXAMPLE_SLOT, RemsimCardSlot)

/*
 * @fail_ins: an INS byte the card answers with a transmission error, or -1
 * @eject_ins: an INS byte after whose answer the card is removed for a moment, or -1
 * @hold_ins: an INS byte the card does not answer until it is powered off, or -1
 */
RemsimExampleSlot *remsim_example_slot_new(guint index, gint fail_ins, gint eject_ins,
					   gint hold_ins);

G_END_DECLS
