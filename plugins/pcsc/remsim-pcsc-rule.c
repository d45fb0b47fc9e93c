/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-pcsc-rule.h"

RemsimPcscRule *
remsim_pcsc_rule_new(gint bank_id, gint slot_nr, const gchar *pattern, GError **error)
{
	g_autofree RemsimPcscRule *rule = g_new0(RemsimPcscRule, 1);
	int rc = regcomp(&rule->regex, pattern, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		gchar text[128];

		regerror(rc, &rule->regex, text, sizeof(text));
		g_set_error(error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE,
			    _("bad reader-name pattern “%s”: %s"), pattern, text);
		return NULL;
	}
	rule->bank_id = bank_id;
	rule->slot_nr = slot_nr;
	rule->pattern = g_strdup(pattern);
	return g_steal_pointer(&rule);
}

void
remsim_pcsc_rule_free(RemsimPcscRule *rule)
{
	if (rule == NULL)
		return;
	regfree(&rule->regex);
	g_free(rule->pattern);
	g_free(rule);
}

gboolean
remsim_pcsc_rule_matches(const RemsimPcscRule *rule, const gchar *reader_name)
{
	return regexec(&rule->regex, reader_name, 0, NULL, 0) == 0;
}
