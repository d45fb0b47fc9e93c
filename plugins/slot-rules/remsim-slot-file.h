/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Upstream's bankd_pcsc_slots.csv: one row per bank slot, three CSV columns
 * (bank id, slot number, reader-name pattern), no header, parsed like libcsv
 * with its defaults: quoted fields, "" for a quote, spaces and tabs trimmed
 * around unquoted fields, empty lines skipped, the last of extra columns taken
 * as the pattern, numbers read like atoi().
 */
#pragma once

#include "remsim-slot-rule.h"

G_BEGIN_DECLS

/*
 * Returns: (transfer container) (element-type RemsimSlotRule): every row in
 * file order, or NULL with @error "PATH:LINE: what is wrong" for the first bad
 * row (fewer than three columns, a pattern that does not compile).
 */
GPtrArray *remsim_slot_file_parse(const gchar *text, gsize len, const gchar *path,
				  RemsimSlotRuleKinds kinds, GError **error);
GPtrArray *remsim_slot_file_load(const gchar *path, RemsimSlotRuleKinds kinds, GError **error);

G_END_DECLS
