/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-slot-rules.h"

gboolean
remsim_slot_rules_get_bank_id(GKeyFile *config, const gchar *group, gint *bank_id, GError **error)
{
	const gchar *groups[] = { group, "bankd" };

	*bank_id = 1;
	for (guint i = 0; i < G_N_ELEMENTS(groups); i++) {
		g_autoptr(GError) local_error = NULL;

		if (!g_key_file_has_key(config, groups[i], "bank-id", NULL))
			continue;
		*bank_id = g_key_file_get_integer(config, groups[i], "bank-id", &local_error);
		if (local_error != NULL) {
			g_propagate_prefixed_error(error, g_steal_pointer(&local_error),
						   "[%s] bank-id: ", groups[i]);
			return FALSE;
		}
		return TRUE;
	}
	return TRUE;
}

/* slot-N = PATTERN keys, added to @rules */
static gboolean
remsim_slot_rules_read_keys(GKeyFile *config, const gchar *group, gint bank_id,
			    RemsimSlotRuleKinds kinds, GPtrArray *rules, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(config, group, NULL, NULL);

	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		g_autofree gchar *pattern = NULL;
		g_autoptr(GError) local_error = NULL;
		RemsimSlotRule *rule;
		guint64 nr = 0;

		if (!g_str_has_prefix(keys[i], "slot-") || g_str_equal(keys[i], "slot-file"))
			continue;
		if (!g_ascii_string_to_unsigned(keys[i] + 5, 10, 0, REMSIM_SLOT_RULES_MAX_SLOT, &nr,
						NULL)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    /* TRANSLATORS: keep "[%s] %s:" at the start */
				    _("[%s] %s: not slot-N with N in 0..%d"), group, keys[i],
				    REMSIM_SLOT_RULES_MAX_SLOT);
			return FALSE;
		}
		pattern = g_key_file_get_string(config, group, keys[i], error);
		if (pattern == NULL)
			return FALSE;
		rule = remsim_slot_rule_new(bank_id, (gint)nr, pattern, kinds, &local_error);
		if (rule == NULL) {
			g_propagate_prefixed_error(error, g_steal_pointer(&local_error),
						   "[%s] %s: ", group, keys[i]);
			return FALSE;
		}
		g_ptr_array_add(rules, rule);
	}
	return TRUE;
}

GPtrArray *
remsim_slot_rules_read(GKeyFile *config, const gchar *group, gint bank_id,
		       const gchar *default_file, RemsimSlotRuleKinds kinds, GError **error)
{
	g_autofree gchar *path = g_key_file_get_string(config, group, "slot-file", NULL);
	g_autoptr(GPtrArray) conf_rules =
	    g_ptr_array_new_with_free_func((GDestroyNotify)remsim_slot_rule_free);
	g_autoptr(GPtrArray) rules = NULL;

	if (!remsim_slot_rules_read_keys(config, group, bank_id, kinds, conf_rules, error))
		return NULL;
	if (path == NULL && (conf_rules->len > 0 || default_file == NULL))
		return g_steal_pointer(&conf_rules);
	if (path == NULL)
		path = g_strdup(default_file);
	rules = remsim_slot_file_load(path, kinds, error);
	if (rules == NULL)
		return NULL;
	/* the file's rows come first, so that they win for the same slot */
	g_ptr_array_extend_and_steal(rules, g_steal_pointer(&conf_rules));
	return g_steal_pointer(&rules);
}

static gint
remsim_slot_rules_compare(gconstpointer a, gconstpointer b)
{
	const RemsimSlotRule *ra = *(RemsimSlotRule *const *)a, *rb = *(RemsimSlotRule *const *)b;

	return ra->slot_nr - rb->slot_nr;
}

GPtrArray *
remsim_slot_rules_for_bank(GPtrArray *rules, gint bank_id)
{
	GPtrArray *mine = g_ptr_array_new_with_free_func((GDestroyNotify)remsim_slot_rule_free);
	g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

	for (guint i = 0; i < rules->len; i++) {
		RemsimSlotRule *rule = rules->pdata[i];

		if (rule->bank_id != bank_id || rule->slot_nr < 0 ||
		    rule->slot_nr > REMSIM_SLOT_RULES_MAX_SLOT ||
		    g_hash_table_contains(seen, GINT_TO_POINTER(rule->slot_nr)))
			continue;
		g_hash_table_add(seen, GINT_TO_POINTER(rule->slot_nr));
		g_ptr_array_add(mine, g_ptr_array_steal_index(rules, i));
		i--;
	}
	g_ptr_array_sort(mine, remsim_slot_rules_compare);
	return mine;
}
