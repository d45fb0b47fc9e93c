/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATR parsing and SetParameters data, from tables. */
#include "config.h"

#include "ccid-test-hex.h"
#include "remsim-ccid-atr.h"
#include "remsim-ccid-error.h"

static void
test_parse(void)
{
	static const struct {
		const gchar *hex;
		gboolean ok;
		guint8 protocols, first, ta1, wi, ifsc, bwi_cwi, classes;
		gboolean crc, specific;
	} rows[] = {
		/* the spec's example: T=0, TA1 14 */
		{ "3B 02 14 50", TRUE, 1, 0, 0x11, 10, 32, 0x4d, 0 },
		/* a GSM SIM: TA1 94, TD1 T=0 then TC2 */
		{ "3B 9F 94 80 1F C3 80 31 E0 73 FE 21 1B 63 3A 20 4E 83 00 90 00 95", TRUE, 1, 0,
		  0x94, 10, 32, 0x4d, 0x03 },
		/* T=1 only, IFSC FE, BWI/CWI 45 */
		{ "3B 80 81 31 FE 45 8B", TRUE, 2, 1, 0x11, 10, 0xfe, 0x45, 0 },
		/* T=0, class indicator B and C (T=15 TA 06) */
		{ "3B 80 80 1F 06 19", TRUE, 1, 0, 0x11, 10, 32, 0x4d, 0x06 },
		/* T=1 with CRC (TC3 01) */
		{ "3B 80 81 71 20 45 01 14", TRUE, 2, 1, 0x11, 10, 0x20, 0x45, 0, TRUE },
		/* specific mode: TA2 01 (T=1) */
		{ "3B 90 18 91 01 31 FE 45 92", TRUE, 2, 1, 0x18, 10, 0xfe, 0x45, 0, FALSE, TRUE },
		/* bad TS */
		{ "3C 00", FALSE },
		/* too short for what T0 announces */
		{ "3B 02 14", FALSE },
		{ "3B", FALSE },
		/* interface bytes cut off */
		{ "3B F0 11", FALSE },
		/* T=1 with a wrong TCK */
		{ "3B 80 81 31 FE 45 8C", FALSE },
		/* T=1 without TCK */
		{ "3B 80 81 31 FE 45", FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(rows[i].hex);
		g_autoptr(GError) error = NULL;
		RemsimCcidAtr atr;
		gboolean ok = remsim_ccid_atr_parse(g_bytes_get_data(buf, NULL),
						    g_bytes_get_size(buf), &atr, &error);

		g_test_message("row %u: %s", i, rows[i].hex);
		g_assert_cmpint(ok, ==, rows[i].ok);
		if (!ok) {
			g_assert_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED);
			continue;
		}
		g_assert_cmphex(atr.protocols, ==, rows[i].protocols);
		g_assert_cmpuint(atr.first_protocol, ==, rows[i].first);
		g_assert_cmphex(atr.ta1, ==, rows[i].ta1);
		g_assert_cmpuint(atr.wi, ==, rows[i].wi);
		g_assert_cmphex(atr.ifsc, ==, rows[i].ifsc);
		g_assert_cmphex(atr.bwi_cwi, ==, rows[i].bwi_cwi);
		g_assert_cmphex(atr.classes, ==, rows[i].classes);
		g_assert_cmpint(atr.crc, ==, rows[i].crc);
		g_assert_cmpint(atr.specific_mode, ==, rows[i].specific);
	}
}

static void
test_protocol_data(void)
{
	static const struct {
		const gchar *atr;
		guint protocol;
		guint8 fi_di;
		const gchar *want;
	} rows[] = {
		{ "3B 02 14 50", 0, 0x11, "11 00 00 0A 00" },
		{ "3B 02 14 50", 0, 0x14, "14 00 00 0A 00" },
		{ "3B 80 81 31 FE 45 8B", 1, 0x11, "11 10 00 45 00 FE 00" },
		{ "3B 80 81 71 20 45 01 14", 1, 0x11, "11 11 00 45 00 20 00" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(rows[i].atr);
		g_autoptr(GBytes) data = NULL;
		g_autofree gchar *got = NULL;
		RemsimCcidAtr atr;

		g_assert_true(remsim_ccid_atr_parse(g_bytes_get_data(buf, NULL),
						    g_bytes_get_size(buf), &atr, NULL));
		data = remsim_ccid_atr_protocol_data(&atr, rows[i].protocol, rows[i].fi_di);
		got = ccid_test_to_hex(data);
		g_assert_cmpstr(got, ==, rows[i].want);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/atr/parse", test_parse);
	g_test_add_func("/ccid/atr/protocol-data", test_protocol_data);
	return g_test_run();
}
