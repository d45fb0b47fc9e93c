/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The slot rules of a reader backend's config group, read the same way for
 * every backend that assigns bank slots to readers (pcsc, ccid):
 *   slot-file = PATH   upstream's bankd_pcsc_slots.csv
 *   slot-N = PATTERN   the rule of bank slot N (instead of or on top of the
 *                      slot file; the file's row wins for the same slot)
 *   bank-id = N        the bank id whose CSV rows to use (default: the bankd's
 *                      own, which the bankd puts in [bankd] before configuring
 *                      backends)
 */
#pragma once

#include "remsim-slot-file.h"

G_BEGIN_DECLS

#define REMSIM_SLOT_RULES_MAX_SLOT 1023

/* the bank id: @group's bank-id, else [bankd]'s, else 1 */
gboolean remsim_slot_rules_get_bank_id(GKeyFile *config, const gchar *group, gint *bank_id,
				       GError **error);

/*
 * Every rule of @group, the slot file's rows first. Without a slot-file key
 * the file @default_file is read when no slot-N key is given (may be NULL:
 * then no file). An empty array if there is neither.
 */
GPtrArray *remsim_slot_rules_read(GKeyFile *config, const gchar *group, gint bank_id,
				  const gchar *default_file, RemsimSlotRuleKinds kinds,
				  GError **error);

/*
 * The rules for bank @bank_id, at most one per slot (the first wins, as
 * upstream), taken out of @rules, sorted by slot number.
 */
GPtrArray *remsim_slot_rules_for_bank(GPtrArray *rules, gint bank_id);

G_END_DECLS
