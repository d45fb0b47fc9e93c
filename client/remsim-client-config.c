/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "remsim-client-config.h"

struct _RemsimClientConfig {
	GKeyFile *file;
	gchar *path;	  /* NULL when nothing was loaded */
	gchar *text;	  /* the file's text, to name the line of a bad value */
	GHashTable *args; /* key → value from the command line */
};

G_DEFINE_QUARK(remsim_client_config_error_quark, remsim_client_config_error)

RemsimClientConfig *
remsim_client_config_new(void)
{
	RemsimClientConfig *self = g_new0(RemsimClientConfig, 1);

	self->file = g_key_file_new();
	self->args = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return self;
}

void
remsim_client_config_free(RemsimClientConfig *self)
{
	if (self == NULL)
		return;
	g_key_file_unref(self->file);
	g_free(self->path);
	g_free(self->text);
	g_hash_table_unref(self->args);
	g_free(self);
}

gboolean
remsim_client_config_load(RemsimClientConfig *self, const gchar *path, gboolean must_exist,
			  GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, &local_error)) {
		if (!must_exist && g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error), "%s: ", path);
		return FALSE;
	}
	if (!g_key_file_load_from_data(self->file, text, len, G_KEY_FILE_NONE, &local_error)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error), "%s: ", path);
		return FALSE;
	}
	g_free(self->path);
	self->path = g_strdup(path);
	g_free(self->text);
	self->text = g_steal_pointer(&text);
	return TRUE;
}

void
remsim_client_config_set_override(RemsimClientConfig *self, const gchar *key, const gchar *value)
{
	g_hash_table_replace(self->args, g_strdup(key), g_strdup(value));
}

gchar *
remsim_client_config_slot_group(guint slot_nr)
{
	return g_strdup_printf(REMSIM_CLIENT_CONFIG_SLOT_PREFIX "%u", slot_nr);
}

/* the line of @key in @group, or 0 when it cannot be told */
static guint
remsim_client_config_find_line(RemsimClientConfig *self, const gchar *group, const gchar *key)
{
	g_auto(GStrv) lines = NULL;
	gboolean in_group = FALSE;
	gsize key_len = strlen(key);

	if (self->text == NULL)
		return 0;
	lines = g_strsplit(self->text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *l = lines[i];

		while (g_ascii_isspace(*l))
			l++;
		if (*l == '[') {
			const gchar *end = strchr(l, ']');

			in_group = end != NULL && (gsize)(end - l - 1) == strlen(group) &&
				   strncmp(l + 1, group, strlen(group)) == 0;
		} else if (in_group && strncmp(l, key, key_len) == 0) {
			const gchar *rest = l + key_len;

			while (*rest == ' ' || *rest == '\t')
				rest++;
			if (*rest == '=')
				return i + 1;
		}
	}
	return 0;
}

/* where a value came from, for error messages: "FILE:LINE", "FILE" or "command line" */
static gchar *
remsim_client_config_origin(RemsimClientConfig *self, const gchar *group, const gchar *key)
{
	guint line;

	if (group == NULL)
		return g_strdup(_("command line"));
	line = remsim_client_config_find_line(self, group, key);
	if (line > 0)
		return g_strdup_printf("%s:%u", self->path, line);
	return g_strdup(self->path != NULL ? self->path : "?");
}

/* the raw value and the group it came from (NULL for the command line) */
static gchar *
remsim_client_config_lookup(RemsimClientConfig *self, const gchar *group, const gchar *key,
			    const gchar **from_group)
{
	const gchar *arg = g_hash_table_lookup(self->args, key);
	const gchar *groups[] = { group, REMSIM_CLIENT_CONFIG_GROUP };

	*from_group = NULL;
	if (arg != NULL)
		return g_strdup(arg);
	for (guint i = 0; i < G_N_ELEMENTS(groups); i++) {
		gchar *v;

		if (groups[i] == NULL)
			continue;
		v = g_key_file_get_string(self->file, groups[i], key, NULL);
		if (v != NULL) {
			*from_group = groups[i];
			return g_strstrip(v);
		}
	}
	return NULL;
}

gchar *
remsim_client_config_get_string(RemsimClientConfig *self, const gchar *group, const gchar *key,
				const gchar *default_value)
{
	const gchar *from;
	gchar *v = remsim_client_config_lookup(self, group, key, &from);

	return v != NULL ? v : g_strdup(default_value);
}

gboolean
remsim_client_config_get_uint(RemsimClientConfig *self, const gchar *group, const gchar *key,
			      guint default_value, guint min, guint max, guint *value,
			      GError **error)
{
	const gchar *from;
	g_autofree gchar *v = remsim_client_config_lookup(self, group, key, &from);
	guint64 n = 0;

	if (v == NULL) {
		*value = default_value;
		return TRUE;
	}
	/* base 0: upstream's numbers and vpcd's ports may be given in hex */
	if (!g_ascii_string_to_unsigned(v, 10, min, max, &n, NULL) &&
	    !(g_str_has_prefix(v, "0x") &&
	      g_ascii_string_to_unsigned(v + 2, 16, min, max, &n, NULL))) {
		g_autofree gchar *origin = remsim_client_config_origin(self, from, key);

		g_set_error(error, REMSIM_CLIENT_CONFIG_ERROR, REMSIM_CLIENT_CONFIG_ERROR_INVALID,
			    _("%s: %s: “%s” is not a number from %u to %u"), origin, key, v, min,
			    max);
		return FALSE;
	}
	*value = (guint)n;
	return TRUE;
}

gboolean
remsim_client_config_get_bool(RemsimClientConfig *self, const gchar *group, const gchar *key,
			      gboolean default_value, gboolean *value, GError **error)
{
	const gchar *from;
	g_autofree gchar *v = remsim_client_config_lookup(self, group, key, &from);

	if (v == NULL) {
		*value = default_value;
	} else if (g_ascii_strcasecmp(v, "true") == 0 || g_strcmp0(v, "1") == 0) {
		*value = TRUE;
	} else if (g_ascii_strcasecmp(v, "false") == 0 || g_strcmp0(v, "0") == 0) {
		*value = FALSE;
	} else {
		g_autofree gchar *origin = remsim_client_config_origin(self, from, key);

		g_set_error(error, REMSIM_CLIENT_CONFIG_ERROR, REMSIM_CLIENT_CONFIG_ERROR_INVALID,
			    _("%s: %s: “%s” is not true or false"), origin, key, v);
		return FALSE;
	}
	return TRUE;
}

static GBytes *
remsim_client_config_parse_hex(const gchar *text)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	gint high = -1;

	for (const gchar *p = text; *p != '\0'; p++) {
		gint d;

		if (g_ascii_isspace(*p) || *p == ':')
			continue;
		d = g_ascii_xdigit_value(*p);
		if (d < 0)
			return NULL;
		if (high < 0) {
			high = d;
		} else {
			guint8 b = (guint8)((high << 4) | d);

			g_byte_array_append(out, &b, 1);
			high = -1;
		}
	}
	if (high >= 0)
		return NULL;
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

gboolean
remsim_client_config_get_hex(RemsimClientConfig *self, const gchar *group, const gchar *key,
			     gsize min_len, gsize max_len, GBytes **value, GError **error)
{
	const gchar *from;
	g_autofree gchar *v = remsim_client_config_lookup(self, group, key, &from);
	g_autoptr(GBytes) bytes = NULL;

	*value = NULL;
	if (v == NULL)
		return TRUE;
	bytes = remsim_client_config_parse_hex(v);
	if (bytes == NULL || g_bytes_get_size(bytes) < min_len ||
	    g_bytes_get_size(bytes) > max_len) {
		g_autofree gchar *origin = remsim_client_config_origin(self, from, key);

		g_set_error(error, REMSIM_CLIENT_CONFIG_ERROR, REMSIM_CLIENT_CONFIG_ERROR_INVALID,
			    _("%s: %s: “%s” is not %zu to %zu bytes of hex"), origin, key, v,
			    min_len, max_len);
		return FALSE;
	}
	*value = g_steal_pointer(&bytes);
	return TRUE;
}

static gint
remsim_client_config_compare_uint(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *)a, y = *(const guint *)b;

	return x < y ? -1 : x > y;
}

gboolean
remsim_client_config_list_slots(RemsimClientConfig *self, GArray **slots, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(self->file, NULL);
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(guint));

	for (guint i = 0; groups[i] != NULL; i++) {
		const gchar *g = groups[i];
		guint64 nr;

		if (g_strcmp0(g, REMSIM_CLIENT_CONFIG_GROUP) == 0)
			continue;
		if (!g_str_has_prefix(g, REMSIM_CLIENT_CONFIG_SLOT_PREFIX) ||
		    !g_ascii_string_to_unsigned(g + strlen(REMSIM_CLIENT_CONFIG_SLOT_PREFIX), 10, 0,
						1023, &nr, NULL)) {
			g_set_error(error, REMSIM_CLIENT_CONFIG_ERROR,
				    REMSIM_CLIENT_CONFIG_ERROR_INVALID,
				    _("%s: unknown group [%s] (expected [client] or [slot N] with "
				      "N from 0 to 1023)"),
				    self->path != NULL ? self->path : "?", g);
			return FALSE;
		}
		{
			guint n = (guint)nr;

			g_array_append_val(out, n);
		}
	}
	g_array_sort(out, remsim_client_config_compare_uint);
	*slots = g_steal_pointer(&out);
	return TRUE;
}
