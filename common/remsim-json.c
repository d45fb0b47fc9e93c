/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-json.h"

/* one open object or array */
typedef struct {
	GHashTable *keys; /* an object's keys so far (decoded); NULL: an array */
	gchar *key;	  /* an object's member being read */
	gboolean expect_key;
} RemsimJsonLevel;

static void
remsim_json_level_clear(gpointer data)
{
	RemsimJsonLevel *level = data;

	g_clear_pointer(&level->keys, g_hash_table_unref);
	g_clear_pointer(&level->key, g_free);
}

/* "bank.bankId": the members and array levels down to the innermost one */
static gchar *
remsim_json_path(GArray *levels)
{
	GString *path = g_string_new(NULL);

	for (guint i = 0; i < levels->len; i++) {
		RemsimJsonLevel *level = &g_array_index(levels, RemsimJsonLevel, i);

		if (path->len > 0)
			g_string_append_c(path, '.');
		g_string_append(path, level->keys != NULL ? (level->key ? level->key : "") : "[]");
	}
	return g_string_free(path, FALSE);
}

static gint
remsim_json_hex4(const gchar *p, const gchar *end)
{
	gint value = 0;

	if (end - p < 4)
		return -1;
	for (guint i = 0; i < 4; i++) {
		gint digit = g_ascii_xdigit_value(p[i]);

		if (digit < 0)
			return -1;
		value = value * 16 + digit;
	}
	return value;
}

/*
 * The string that starts after the quote at *@pos, decoded (two spellings of
 * one key are one key); *@pos ends after its closing quote, or at @end if it
 * has none (json-glib says what is wrong then).
 */
static gchar *
remsim_json_string(const gchar *text, gsize *pos, gsize end)
{
	GString *out = g_string_new(NULL);
	gsize i = *pos;

	while (i < end && text[i] != '"') {
		gint unit;

		if (text[i] != '\\' || i + 1 >= end) {
			g_string_append_c(out, text[i++]);
			continue;
		}
		i++;
		switch (text[i]) {
		case 'b':
			g_string_append_c(out, '\b');
			break;
		case 'f':
			g_string_append_c(out, '\f');
			break;
		case 'n':
			g_string_append_c(out, '\n');
			break;
		case 'r':
			g_string_append_c(out, '\r');
			break;
		case 't':
			g_string_append_c(out, '\t');
			break;
		case 'u':
			unit = remsim_json_hex4(text + i + 1, text + end);
			if (unit < 0) {
				g_string_append_c(out, 'u');
				break;
			}
			i += 4;
			/* a surrogate pair is one character */
			if (unit >= 0xd800 && unit < 0xdc00 && i + 6 < end && text[i + 1] == '\\' &&
			    text[i + 2] == 'u') {
				gint low = remsim_json_hex4(text + i + 3, text + end);

				if (low >= 0xdc00 && low < 0xe000) {
					unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
					i += 6;
				}
			}
			g_string_append_unichar(out, (gunichar)unit);
			break;
		default: /* \" \\ \/, and what json-glib will refuse */
			g_string_append_c(out, text[i]);
			break;
		}
		i++;
	}
	*pos = i < end ? i + 1 : end;
	return g_string_free(out, FALSE);
}

gboolean
remsim_json_scan(const gchar *text, gsize len, guint max_depth, GHashTable **numbers,
		 GError **error)
{
	g_autoptr(GArray) levels = g_array_new(FALSE, TRUE, sizeof(RemsimJsonLevel));
	g_autoptr(GHashTable) found =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gsize i = 0;

	g_array_set_clear_func(levels, remsim_json_level_clear);
	while (i < len) {
		RemsimJsonLevel *top =
		    levels->len > 0 ? &g_array_index(levels, RemsimJsonLevel, levels->len - 1)
				    : NULL;
		gchar c = text[i];

		if (c == '{' || c == '[') {
			RemsimJsonLevel level = { 0 };

			if (levels->len >= max_depth) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
					    "the JSON nests deeper than %u levels", max_depth);
				return FALSE;
			}
			if (c == '{') {
				level.keys =
				    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
				level.expect_key = TRUE;
			}
			g_array_append_val(levels, level);
			i++;
		} else if (c == '}' || c == ']') {
			if (levels->len > 0)
				g_array_set_size(levels, levels->len - 1);
			i++;
		} else if (c == ',') {
			if (top != NULL && top->keys != NULL)
				top->expect_key = TRUE;
			i++;
		} else if (c == '"') {
			gchar *s;

			i++;
			s = remsim_json_string(text, &i, len);
			if (top == NULL || top->keys == NULL || !top->expect_key) {
				g_free(s);
				continue;
			}
			g_free(top->key);
			top->key = s;
			top->expect_key = FALSE;
			if (!g_hash_table_add(top->keys, g_strdup(s))) {
				g_autofree gchar *path = remsim_json_path(levels);

				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
					    "%s is given twice", path);
				return FALSE;
			}
		} else if (c == '-' || g_ascii_isdigit(c)) {
			gsize start = i;

			while (i < len && (g_ascii_isdigit(text[i]) ||
					   (text[i] != '\0' && strchr("+-.eE", text[i]))))
				i++;
			if (top != NULL && top->keys != NULL && top->key != NULL)
				g_hash_table_insert(found, remsim_json_path(levels),
						    g_strndup(text + start, i - start));
		} else {
			/* white space, ':', true, false, null, and what is not JSON at all */
			i++;
		}
	}
	if (numbers != NULL)
		*numbers = g_steal_pointer(&found);
	return TRUE;
}
