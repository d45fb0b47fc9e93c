/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-ccid-quirks.h"

static const struct {
	const gchar *name;
	RemsimCcidQuirkFlags flag;
} remsim_ccid_quirks_flag_names[] = {
	{ "vendor-class", REMSIM_CCID_QUIRK_VENDOR_CLASS },
	{ "no-set-parameters", REMSIM_CCID_QUIRK_NO_SET_PARAMETERS },
	{ "no-ifs-request", REMSIM_CCID_QUIRK_NO_IFS_REQUEST },
	{ "no-interrupt", REMSIM_CCID_QUIRK_NO_INTERRUPT },
	{ "no-auto-voltage", REMSIM_CCID_QUIRK_NO_AUTO_VOLTAGE },
};

struct _RemsimCcidQuirks {
	GHashTable *by_id; /* vendor << 16 | product → RemsimCcidQuirk */
};

static void
remsim_ccid_quirks_free_quirk(gpointer data)
{
	RemsimCcidQuirk *quirk = data;

	g_free(quirk->name);
	g_free(quirk);
}

RemsimCcidQuirks *
remsim_ccid_quirks_new_empty(void)
{
	RemsimCcidQuirks *quirks = g_new0(RemsimCcidQuirks, 1);

	quirks->by_id = g_hash_table_new_full(NULL, NULL, NULL, remsim_ccid_quirks_free_quirk);
	return quirks;
}

void
remsim_ccid_quirks_free(RemsimCcidQuirks *quirks)
{
	if (quirks == NULL)
		return;
	g_hash_table_unref(quirks->by_id);
	g_free(quirks);
}

static gboolean
remsim_ccid_quirks_parse_id(const gchar *group, guint16 *vendor, guint16 *product)
{
	g_auto(GStrv) parts = g_strsplit(group, ":", -1);
	guint64 v = 0, p = 0;

	if (g_strv_length(parts) != 2 || strlen(parts[0]) != 4 || strlen(parts[1]) != 4 ||
	    !g_ascii_string_to_unsigned(parts[0], 16, 0, G_MAXUINT16, &v, NULL) ||
	    !g_ascii_string_to_unsigned(parts[1], 16, 0, G_MAXUINT16, &p, NULL))
		return FALSE;
	*vendor = (guint16)v;
	*product = (guint16)p;
	return TRUE;
}

static gboolean
remsim_ccid_quirks_parse_flags(GKeyFile *kf, const gchar *group, RemsimCcidQuirk *quirk,
			       GError **error)
{
	g_auto(GStrv) names = g_key_file_get_string_list(kf, group, "flags", NULL, NULL);

	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		const gchar *name = g_strstrip(names[i]);
		gboolean known = FALSE;

		for (guint j = 0; j < G_N_ELEMENTS(remsim_ccid_quirks_flag_names); j++) {
			if (g_str_equal(name, remsim_ccid_quirks_flag_names[j].name)) {
				quirk->flags |= remsim_ccid_quirks_flag_names[j].flag;
				known = TRUE;
			}
		}
		if (!known && name[0] != '\0') {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    /* TRANSLATORS: keep "[%s] flags:" at the start */
				    _("[%s] flags: unknown quirk “%s”"), group, name);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
remsim_ccid_quirks_parse_number(GKeyFile *kf, const gchar *group, const gchar *key, guint max,
				guint *out, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(kf, group, key, NULL);
	guint64 v = 0;

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 1, max, &v, NULL)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    /* TRANSLATORS: keep "[%s] %s:" at the start */
			    _("[%s] %s: not a number in 1..%u"), group, key, max);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

static gboolean
remsim_ccid_quirks_parse_group(RemsimCcidQuirks *quirks, GKeyFile *kf, const gchar *group,
			       GError **error)
{
	g_autofree RemsimCcidQuirk *quirk = g_new0(RemsimCcidQuirk, 1);
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	static const gchar *const known[] = { "name", "flags", "max-message-length",
					      "max-busy-slots", NULL };
	guint max_len = 0, key;

	if (!remsim_ccid_quirks_parse_id(group, &quirk->vendor, &quirk->product)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
			    /* TRANSLATORS: keep "[%s]:" at the start */
			    _("[%s]: not a USB id VVVV:PPPP"), group);
		return FALSE;
	}
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known, keys[i])) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
				    /* TRANSLATORS: keep "[%s] %s:" at the start */
				    _("[%s] %s: unknown key"), group, keys[i]);
			return FALSE;
		}
	}
	if (!remsim_ccid_quirks_parse_flags(kf, group, quirk, error) ||
	    !remsim_ccid_quirks_parse_number(kf, group, "max-message-length", 65546, &max_len,
					     error) ||
	    !remsim_ccid_quirks_parse_number(kf, group, "max-busy-slots", 255,
					     &quirk->max_busy_slots, error))
		return FALSE;
	quirk->max_message_length = max_len;
	quirk->name = g_key_file_get_string(kf, group, "name", NULL);
	key = (guint)quirk->vendor << 16 | quirk->product;
	g_hash_table_replace(quirks->by_id, GUINT_TO_POINTER(key), g_steal_pointer(&quirk));
	return TRUE;
}

RemsimCcidQuirks *
remsim_ccid_quirks_parse(const gchar *text, gsize len, const gchar *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(RemsimCcidQuirks) quirks = remsim_ccid_quirks_new_empty();
	g_auto(GStrv) groups = NULL;

	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, error)) {
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (!remsim_ccid_quirks_parse_group(quirks, kf, groups[i], error)) {
			g_prefix_error(error, "%s: ", path);
			return NULL;
		}
	}
	return g_steal_pointer(&quirks);
}

RemsimCcidQuirks *
remsim_ccid_quirks_load(const gchar *path, GError **error)
{
	g_autofree gchar *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	return remsim_ccid_quirks_parse(text, len, path, error);
}

const RemsimCcidQuirk *
remsim_ccid_quirks_lookup(const RemsimCcidQuirks *quirks, guint16 vendor, guint16 product)
{
	return g_hash_table_lookup(quirks->by_id, GUINT_TO_POINTER((guint)vendor << 16 | product));
}

guint
remsim_ccid_quirks_count(const RemsimCcidQuirks *quirks)
{
	return g_hash_table_size(quirks->by_id);
}
