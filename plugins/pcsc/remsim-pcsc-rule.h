/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPcscRule: bank id, bank slot number and the reader-name pattern that
 * picks the PC/SC reader for that slot (POSIX extended regular expression,
 * case-sensitive, not anchored, as upstream's regcomp(REG_EXTENDED)).
 */
#pragma once

#include <glib.h>
#include <regex.h>

G_BEGIN_DECLS

typedef struct {
	gint bank_id;
	gint slot_nr;
	gchar *pattern;
	guint line; /* where it was read from, 0 if from bankd.conf */
	regex_t regex;
} RemsimPcscRule;

/* NULL with @error (G_REGEX_ERROR_COMPILE) if @pattern does not compile */
RemsimPcscRule *remsim_pcsc_rule_new(gint bank_id, gint slot_nr, const gchar *pattern,
				     GError **error);
void remsim_pcsc_rule_free(RemsimPcscRule *rule);
gboolean remsim_pcsc_rule_matches(const RemsimPcscRule *rule, const gchar *reader_name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimPcscRule, remsim_pcsc_rule_free)

G_END_DECLS
