/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the librspro codec tests: test vector files and hex. */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* the lines of tests/vectors/@name without the header, each split at tabs */
static inline GPtrArray *
rspro_test_load_tsv(const gchar *name, guint columns)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

	if (!srcdir)
		g_error("REMSIM_SRCDIR is not set: run the tests with meson test");
	path = g_build_filename(srcdir, "tests", "vectors", name, NULL);
	if (!g_file_get_contents(path, &text, NULL, &error))
		g_error("%s", error->message);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		gchar **cols;

		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		cols = g_strsplit(lines[i], "\t", -1);
		if (g_strv_length(cols) != columns)
			g_error("%s:%u: %u columns instead of %u", path, i + 1, g_strv_length(cols),
				columns);
		g_ptr_array_add(rows, cols);
	}
	if (rows->len == 0)
		g_error("%s: no test vectors", path);
	return rows;
}

static inline GBytes *
rspro_test_unhex(const gchar *hex)
{
	gsize len = strlen(hex);
	guint8 *buf = g_malloc(len / 2 + 1);

	g_assert_cmpuint(len % 2, ==, 0);
	for (gsize i = 0; i < len / 2; i++) {
		gint hi = g_ascii_xdigit_value(hex[2 * i]);
		gint lo = g_ascii_xdigit_value(hex[2 * i + 1]);

		g_assert_true(hi >= 0 && lo >= 0);
		buf[i] = (guint8)(hi << 4 | lo);
	}
	return g_bytes_new_take(buf, len / 2);
}

static inline gchar *
rspro_test_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	GString *s = g_string_sized_new(len * 2 + 1);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	return g_string_free(s, FALSE);
}

G_END_DECLS
