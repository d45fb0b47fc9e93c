/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hex helpers of the ccid table tests. */
#pragma once

#include <glib.h>

/* "62 00 0a" or "62000a" → bytes; aborts on bad hex */
static inline GBytes *
ccid_test_hex(const gchar *hex)
{
	GByteArray *b = g_byte_array_new();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 v;

		if (*p == ' ') {
			p++;
			continue;
		}
		g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
		v = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
		g_byte_array_append(b, &v, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes(b);
}

static inline gchar *
ccid_test_to_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *p = bytes != NULL ? g_bytes_get_data(bytes, &len) : NULL;
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%s%02X", i > 0 ? " " : "", p[i]);
	return g_string_free(s, FALSE);
}
