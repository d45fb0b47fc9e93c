#include "test-simcard-util.h"

GBytes *
test_hex(const gchar *hex)
{
	GByteArray *a = g_byte_array_new();
	gint hi = -1;

	for (const gchar *p = hex; *p != '\0'; p++) {
		gint v;

		if (*p == ' ')
			continue;
		v = g_ascii_xdigit_value(*p);
		g_assert_cmpint(v, >=, 0);
		if (hi < 0) {
			hi = v;
		} else {
			guint8 b = (guint8)(hi << 4 | v);

			g_byte_array_append(a, &b, 1);
			hi = -1;
		}
	}
	g_assert_cmpint(hi, ==, -1);
	return g_byte_array_free_to_bytes(a);
}

gchar *
test_to_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(bytes, &len);
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", d[i]);
	return g_string_free(s, FALSE);
}

void
test_assert_bytes_equal(GBytes *got, GBytes *expected)
{
	g_autofree gchar *g = test_to_hex(got);
	g_autofree gchar *e = test_to_hex(expected);

	g_assert_cmpstr(g, ==, e);
}

gchar *
test_apdu(RemsimSimCard *card, const gchar *command_hex)
{
	g_autoptr(GBytes) cmd = test_hex(command_hex);
	g_autoptr(GBytes) resp = remsim_sim_card_transmit(card, cmd);

	g_assert_nonnull(resp);
	return test_to_hex(resp);
}

void
test_apdu_expect(RemsimSimCard *card, const gchar *command_hex, const gchar *expected_hex)
{
	g_autofree gchar *got = test_apdu(card, command_hex);
	g_autoptr(GBytes) e = test_hex(expected_hex);
	g_autofree gchar *expected = test_to_hex(e);

	if (g_strcmp0(got, expected) != 0)
		g_test_message("command %s", command_hex);
	g_assert_cmpstr(got, ==, expected);
}

gchar *
test_srcdir_path(const gchar *relative)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");

	g_assert_nonnull(srcdir);
	return g_build_filename(srcdir, relative, NULL);
}

RemsimSimCard *
test_card_new(const gchar *relative_profile)
{
	g_autofree gchar *path = test_srcdir_path(relative_profile);
	g_autoptr(GError) error = NULL;
	RemsimSimCard *card = remsim_sim_card_new_from_file(path, &error);

	g_assert_no_error(error);
	g_assert_nonnull(card);
	return card;
}
