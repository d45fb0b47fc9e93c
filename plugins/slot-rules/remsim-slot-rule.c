/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "remsim-slot-rule.h"

static const struct {
	const gchar *prefix;
	RemsimSlotRuleKind kind;
} remsim_slot_rule_prefixes[] = {
	{ "serial:", REMSIM_SLOT_RULE_SERIAL },
	{ "usb:", REMSIM_SLOT_RULE_USB_PATH },
};

/* "VALUE[/SLOT]" after the prefix */
static gboolean
remsim_slot_rule_parse_device(RemsimSlotRule *rule, const gchar *text, GError **error)
{
	const gchar *slash = strrchr(text, '/');
	guint64 slot = 0;

	if (slash != NULL &&
	    !g_ascii_string_to_unsigned(slash + 1, 10, 0, G_MAXUINT8, &slot, NULL)) {
		g_set_error(error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE,
			    _("bad reader slot in “%s”: not 0..255"), rule->pattern);
		return FALSE;
	}
	rule->value = slash != NULL ? g_strndup(text, (gsize)(slash - text)) : g_strdup(text);
	rule->reader_slot = (guint)slot;
	if (rule->value[0] == '\0') {
		g_set_error(error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE, _("empty reader in “%s”"),
			    rule->pattern);
		return FALSE;
	}
	return TRUE;
}

RemsimSlotRule *
remsim_slot_rule_new(gint bank_id, gint slot_nr, const gchar *pattern, RemsimSlotRuleKinds kinds,
		     GError **error)
{
	g_autoptr(RemsimSlotRule) rule = g_new0(RemsimSlotRule, 1);
	regex_t regex;
	int rc;

	rule->bank_id = bank_id;
	rule->slot_nr = slot_nr;
	rule->pattern = g_strdup(pattern);
	/* NAME only once its regex is compiled: free() releases it then */
	rule->kind = REMSIM_SLOT_RULE_USB_PATH;
	for (guint i = 0; i < G_N_ELEMENTS(remsim_slot_rule_prefixes); i++) {
		RemsimSlotRuleKind kind = remsim_slot_rule_prefixes[i].kind;

		if ((kinds & (1u << kind)) == 0 ||
		    !g_str_has_prefix(pattern, remsim_slot_rule_prefixes[i].prefix))
			continue;
		rule->kind = kind;
		if (!remsim_slot_rule_parse_device(
			rule, pattern + strlen(remsim_slot_rule_prefixes[i].prefix), error))
			return NULL;
		return g_steal_pointer(&rule);
	}
	rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		gchar text[128];

		regerror(rc, &regex, text, sizeof(text));
		g_set_error(error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE,
			    _("bad reader-name pattern “%s”: %s"), pattern, text);
		/* no regex to free yet: the rule is not of kind NAME */
		rule->kind = REMSIM_SLOT_RULE_USB_PATH;
		return NULL;
	}
	rule->regex = regex;
	rule->kind = REMSIM_SLOT_RULE_NAME;
	return g_steal_pointer(&rule);
}

void
remsim_slot_rule_free(RemsimSlotRule *rule)
{
	if (rule == NULL)
		return;
	if (rule->kind == REMSIM_SLOT_RULE_NAME)
		regfree(&rule->regex);
	g_free(rule->pattern);
	g_free(rule->value);
	g_free(rule);
}

gboolean
remsim_slot_rule_matches(const RemsimSlotRule *rule, const gchar *reader_name)
{
	return rule->kind == REMSIM_SLOT_RULE_NAME &&
	       regexec(&rule->regex, reader_name, 0, NULL, 0) == 0;
}

gboolean
remsim_slot_rule_matches_reader(const RemsimSlotRule *rule, const gchar *reader_name,
				const gchar *serial, const gchar *usb_path, guint reader_slot)
{
	switch (rule->kind) {
	case REMSIM_SLOT_RULE_SERIAL:
		return rule->reader_slot == reader_slot && g_strcmp0(rule->value, serial) == 0;
	case REMSIM_SLOT_RULE_USB_PATH:
		return rule->reader_slot == reader_slot && g_strcmp0(rule->value, usb_path) == 0;
	default:
		return remsim_slot_rule_matches(rule, reader_name);
	}
}
