/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CCID class descriptor, from tables. */
#include "config.h"

#include "ccid-test-hex.h"
#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-error.h"

/* a Gemalto-style single-slot TPDU reader, as it sends its descriptor */
#define TPDU_READER                                                                                \
	"36 21 10 01 00 07 03 00 00 00 C0 12 00 00 C0 12 00 00 00 67 32 00 00 CE 99 CC 0C 00 "     \
	"FE 00 00 00 00 00 00 00 00 00 00 00 BA 04 01 00 0F 01 00 00 00 00 00 00 00 01"
/* an eight-slot short-APDU reader: sysmoOCTSIM-like */
#define APDU_READER                                                                                \
	"36 21 10 01 07 07 01 00 00 00 C0 12 00 00 C0 12 00 00 00 67 32 00 00 CE 99 CC 0C 00 "     \
	"00 00 00 00 00 00 00 00 00 00 00 00 BE 00 02 00 10 01 00 00 00 00 00 00 00 08"

static void
test_parse(void)
{
	static const struct {
		const gchar *hex;
		gint code; /* -1: parses */
		guint slots;
		RemsimCcidLevel level;
		guint32 max_len, protocols, features;
		guint8 voltages, busy;
	} rows[] = {
		{ TPDU_READER, -1, 1, REMSIM_CCID_LEVEL_TPDU, 271, 3, 0x000104ba, 7, 1 },
		{ APDU_READER, -1, 8, REMSIM_CCID_LEVEL_SHORT_APDU, 272, 1, 0x000200be, 7, 8 },
		/* after an unrelated descriptor, as in a config's extra bytes */
		{ "05 24 00 01 02 " TPDU_READER, -1, 1, REMSIM_CCID_LEVEL_TPDU, 271, 3, 0x000104ba,
		  7, 1 },
		{ "", REMSIM_CCID_ERROR_MALFORMED },
		{ "05 24 00 01 02", REMSIM_CCID_ERROR_MALFORMED },
		/* cut short */
		{ "36 21 10 01 00 07 03 00 00 00", REMSIM_CCID_ERROR_MALFORMED },
		/* a zero bLength must not loop */
		{ "00 21 00 00", REMSIM_CCID_ERROR_MALFORMED },
		/* bLength too small for a CCID descriptor */
		{ "10 21 10 01 00 07 03 00 00 00 C0 12 00 00 C0 12", REMSIM_CCID_ERROR_MALFORMED },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(rows[i].hex);
		g_autoptr(GError) error = NULL;
		RemsimCcidDescriptor d;
		gboolean ok = remsim_ccid_descriptor_parse(g_bytes_get_data(buf, NULL),
							   g_bytes_get_size(buf), &d, &error);

		g_test_message("row %u", i);
		if (rows[i].code >= 0) {
			g_assert_false(ok);
			g_assert_error(error, REMSIM_CCID_ERROR, rows[i].code);
			continue;
		}
		g_assert_no_error(error);
		g_assert_cmpuint(d.max_slot_index + 1u, ==, rows[i].slots);
		g_assert_cmpint(remsim_ccid_descriptor_get_level(&d), ==, rows[i].level);
		g_assert_cmpuint(d.max_message_length, ==, rows[i].max_len);
		g_assert_cmphex(d.protocols, ==, rows[i].protocols);
		g_assert_cmphex(d.features, ==, rows[i].features);
		g_assert_cmphex(d.voltage_support, ==, rows[i].voltages);
		g_assert_cmpuint(d.max_busy_slots, ==, rows[i].busy);
		g_assert_cmphex(d.bcd_ccid, ==, 0x0110);
	}
}

static void
test_round_trip(void)
{
	g_autoptr(GBytes) in = ccid_test_hex(APDU_READER);
	g_autoptr(GBytes) out = NULL;
	RemsimCcidDescriptor d;

	g_assert_true(remsim_ccid_descriptor_parse(g_bytes_get_data(in, NULL), g_bytes_get_size(in),
						   &d, NULL));
	out = remsim_ccid_descriptor_build(&d);
	g_assert_true(g_bytes_equal(in, out));
	/* an absurd message length is held to what any message may be */
	d.max_message_length = 0x7fffffff;
	g_clear_pointer(&out, g_bytes_unref);
	out = remsim_ccid_descriptor_build(&d);
	g_assert_true(remsim_ccid_descriptor_parse(g_bytes_get_data(out, NULL),
						   g_bytes_get_size(out), &d, NULL));
	g_assert_cmpuint(d.max_message_length, ==, 10 + 65538);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/descriptor/parse", test_parse);
	g_test_add_func("/ccid/descriptor/round-trip", test_round_trip);
	return g_test_run();
}
