#include "test-simcard-util.h"

#include "remsim-simcard-milenage.h"

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
test_apdu(RemsimSimcardCard *card, const gchar *command_hex)
{
	g_autoptr(GBytes) cmd = test_hex(command_hex);
	g_autoptr(GBytes) resp = remsim_simcard_card_transmit(card, cmd);

	g_assert_nonnull(resp);
	return test_to_hex(resp);
}

void
test_apdu_expect(RemsimSimcardCard *card, const gchar *command_hex, const gchar *expected_hex)
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

RemsimSimcardCard *
test_card_new(const gchar *relative_profile)
{
	g_autofree gchar *path = test_srcdir_path(relative_profile);
	g_autoptr(GError) error = NULL;
	RemsimSimcardCard *card = remsim_simcard_card_new_from_file(path, &error);

	g_assert_no_error(error);
	g_assert_nonnull(card);
	return card;
}

/* TS 33.102 6.3.2 */
gchar *
test_auth_command(const guint8 k[16], const guint8 opc[16], const guint8 rand[16], guint64 sqn,
		  gboolean break_mac)
{
	guint8 sqn_b[6], ak[6], mac[8], autn[16];
	static const guint8 amf[2] = { 0x80, 0x00 };
	g_autoptr(GByteArray) cmd = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;

	for (guint i = 0; i < 6; i++)
		sqn_b[i] = (guint8)(sqn >> (8 * (5 - i)));
	remsim_simcard_milenage_f2345(k, opc, rand, NULL, NULL, NULL, ak, NULL);
	remsim_simcard_milenage_f1(k, opc, rand, sqn_b, amf, mac, NULL);
	if (break_mac)
		mac[7] ^= 0x01;
	for (guint i = 0; i < 6; i++)
		autn[i] = sqn_b[i] ^ ak[i];
	memcpy(autn + 6, amf, 2);
	memcpy(autn + 8, mac, 8);
	g_byte_array_append(cmd, (const guint8 *)"\x00\x88\x00\x81\x22\x10", 6);
	g_byte_array_append(cmd, rand, 16);
	g_byte_array_append(cmd, (const guint8 *)"\x10", 1);
	g_byte_array_append(cmd, autn, 16);
	bytes = g_byte_array_free_to_bytes(g_steal_pointer(&cmd));
	return test_to_hex(bytes);
}

/* AUTS = SQNms xor AK* || MAC-S, MAC-S with the dummy AMF 0000 (TS 33.102 6.3.3) */
guint64
test_auth_expect_sync_failure(RemsimSimcardCard *card, const guint8 k[16], const guint8 opc[16],
			      const guint8 rand[16], guint64 sqn)
{
	g_autofree gchar *cmd = test_auth_command(k, opc, rand, sqn, FALSE);
	g_autofree gchar *resp = NULL;
	g_autoptr(GBytes) bytes = NULL;
	const guint8 *r;
	guint8 ak_star[6], sqn_ms[6], mac_s[8];
	static const guint8 amf_dummy[2] = { 0, 0 };
	guint64 value = 0;

	test_apdu_expect(card, cmd, "6110");
	resp = test_apdu(card, "00C0000010");
	bytes = test_hex(resp);
	g_assert_cmpuint(g_bytes_get_size(bytes), ==, 18);
	r = g_bytes_get_data(bytes, NULL);
	g_assert_cmphex(r[0], ==, 0xDC);
	g_assert_cmphex(r[1], ==, 14);
	g_assert_cmphex(r[16], ==, 0x90);
	g_assert_cmphex(r[17], ==, 0x00);
	remsim_simcard_milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, ak_star);
	for (guint i = 0; i < 6; i++) {
		sqn_ms[i] = r[2 + i] ^ ak_star[i];
		value = value << 8 | sqn_ms[i];
	}
	remsim_simcard_milenage_f1(k, opc, rand, sqn_ms, amf_dummy, NULL, mac_s);
	g_assert_cmpmem(mac_s, 8, r + 8, 8);
	return value;
}
