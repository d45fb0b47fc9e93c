/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CCID bulk and interrupt messages, from tables (spec examples and broken answers). */
#include "config.h"

#include "ccid-test-hex.h"
#include "remsim-card-error.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-message.h"

static void
test_build(void)
{
	static const struct {
		guint8 type, slot, seq, b7, b8, b9;
		const gchar *data;
		const gchar *want;
	} rows[] = {
		/* IccPowerOn, automatic voltage, bSeq 0 */
		{ 0x62, 0, 0, 0, 0, 0, "", "62 00 00 00 00 00 00 00 00 00" },
		/* XfrBlock, T=0 TPDU, bSeq 1 */
		{ 0x6f, 0, 1, 0, 0, 0, "A0 A4 00 00 02 3F 00",
		  "6F 07 00 00 00 00 01 00 00 00 A0 A4 00 00 02 3F 00" },
		/* XfrBlock asking for the next part of a chained answer, slot 3 */
		{ 0x6f, 3, 0xff, 0, 0x10, 0, "", "6F 00 00 00 00 03 FF 00 10 00" },
		/* SetParameters T=1 */
		{ 0x61, 1, 2, 1, 0, 0, "11 10 00 4D 00 FE 00",
		  "61 07 00 00 00 01 02 01 00 00 11 10 00 4D 00 FE 00" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) data = ccid_test_hex(rows[i].data);
		g_autoptr(GBytes) msg = remsim_ccid_message_build(
		    rows[i].type, rows[i].slot, rows[i].seq, rows[i].b7, rows[i].b8, rows[i].b9,
		    g_bytes_get_data(data, NULL), g_bytes_get_size(data));
		g_autofree gchar *got = ccid_test_to_hex(msg);

		g_assert_cmpstr(got, ==, rows[i].want);
	}
}

static void
test_parse_answer(void)
{
	static const struct {
		const gchar *hex;
		guint8 command, slot, seq;
		gint code; /* -1: parses */
		guint8 status, error, param;
		gsize len;
	} rows[] = {
		/* DataBlock with an ATR */
		{ "80 04 00 00 00 00 00 00 00 00 3B 02 14 50", 0x62, 0, 0, -1, 0, 0, 0, 4 },
		/* DataBlock 9F 17 for bSeq 1 */
		{ "80 02 00 00 00 00 01 00 00 00 9F 17", 0x6f, 0, 1, -1, 0, 0, 0, 2 },
		/* time extension */
		{ "80 00 00 00 00 00 01 80 01 00", 0x6f, 0, 1, -1, 0x80, 1, 0, 0 },
		/* card mute, no card */
		{ "80 00 00 00 00 00 01 42 FE 00", 0x6f, 0, 1, -1, 0x42, 0xfe, 0, 0 },
		/* GetSlotStatus: present, inactive */
		{ "81 00 00 00 00 00 02 01 00 00", 0x65, 0, 2, -1, 0x01, 0, 0, 0 },
		/* Parameters for T=1 */
		{ "82 07 00 00 00 02 05 00 00 01 11 10 00 4D 00 FE 00", 0x61, 2, 5, -1, 0, 0, 1,
		  7 },
		/* wrong length: dwLength says 3, 2 follow */
		{ "80 03 00 00 00 00 01 00 00 00 90 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		/* wrong length: more bytes than announced */
		{ "80 01 00 00 00 00 01 00 00 00 90 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		/* a length no message may have */
		{ "80 FF FF FF FF 00 01 00 00 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		/* short read: no whole header */
		{ "80 02 00 00 00 00 01", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		{ "", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		/* wrong bSeq */
		{ "80 02 00 00 00 00 02 00 00 00 90 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_SEQUENCE },
		/* another slot, out of range */
		{ "80 02 00 00 00 09 01 00 00 00 90 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_SEQUENCE },
		/* unknown message type */
		{ "99 02 00 00 00 00 01 00 00 00 90 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		/* an answer of another kind: SlotStatus to an XfrBlock */
		{ "81 00 00 00 00 00 01 00 00 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
		/* a command instead of an answer */
		{ "6F 00 00 00 00 00 01 00 00 00", 0x6f, 0, 1, REMSIM_CCID_ERROR_MALFORMED },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(rows[i].hex);
		g_autoptr(GError) error = NULL;
		RemsimCcidMessage msg;
		gboolean ok = remsim_ccid_message_parse_answer(
		    g_bytes_get_data(buf, NULL), g_bytes_get_size(buf), rows[i].command,
		    rows[i].slot, rows[i].seq, &msg, &error);

		g_test_message("row %u: %s", i, rows[i].hex);
		if (rows[i].code >= 0) {
			g_assert_false(ok);
			g_assert_error(error, REMSIM_CCID_ERROR, rows[i].code);
			continue;
		}
		g_assert_no_error(error);
		g_assert_cmphex(msg.b7, ==, rows[i].status);
		g_assert_cmphex(msg.b8, ==, rows[i].error);
		g_assert_cmphex(msg.b9, ==, rows[i].param);
		g_assert_cmpuint(msg.len, ==, rows[i].len);
	}
}

static void
test_check(void)
{
	static const struct {
		guint8 status, error;
		gint code; /* -1: success */
	} rows[] = {
		{ 0x00, 0x00, -1 },
		{ 0x01, 0x00, -1 },
		{ 0x42, 0xfe, REMSIM_CARD_ERROR_NO_CARD },
		{ 0x41, 0xfe, REMSIM_CARD_ERROR_UNRESPONSIVE },
		{ 0x40, 0xfd, REMSIM_CARD_ERROR_TRANSMISSION },
		{ 0x40, 0xfc, REMSIM_CARD_ERROR_TRANSMISSION },
		{ 0x40, 0xfb, REMSIM_CARD_ERROR_FAILED },
		{ 0x41, 0xf3, REMSIM_CARD_ERROR_NOT_POWERED },
		{ 0x40, 0xe0, REMSIM_CARD_ERROR_IN_USE },
		{ 0x40, 0x05, REMSIM_CARD_ERROR_INVALID },
		{ 0x40, 0x07, REMSIM_CARD_ERROR_INVALID },
		{ 0x40, 0x00, REMSIM_CARD_ERROR_INVALID },
		{ 0x40, 0xa0, REMSIM_CARD_ERROR_TRANSMISSION },
		{ 0xc0, 0x00, REMSIM_CARD_ERROR_TRANSMISSION }, /* RFU command status */
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		RemsimCcidMessage msg = { 0x80, 0, 0, rows[i].status, rows[i].error, 0, NULL, 0 };
		g_autoptr(GError) error = NULL;
		gboolean ok = remsim_ccid_message_check(&msg, &error);

		g_test_message("row %u: %02x %02x", i, rows[i].status, rows[i].error);
		if (rows[i].code < 0) {
			g_assert_true(ok);
			continue;
		}
		g_assert_false(ok);
		g_assert_error(error, REMSIM_CARD_ERROR, rows[i].code);
	}
}

static void
test_notify(void)
{
	static const struct {
		const gchar *hex;
		guint slot;
		gboolean ok, present, changed;
	} rows[] = {
		{ "50 03", 0, TRUE, TRUE, TRUE },
		{ "50 02", 0, TRUE, FALSE, TRUE },
		{ "50 0C", 1, TRUE, TRUE, TRUE },
		{ "50 00 C0", 7, TRUE, TRUE, TRUE },
		{ "50 00", 4, FALSE },
		{ "51 00 00 01", 0, FALSE },
		{ "", 0, FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(rows[i].hex);
		gboolean present = FALSE, changed = FALSE;
		gboolean ok = remsim_ccid_message_parse_notify(g_bytes_get_data(buf, NULL),
							       g_bytes_get_size(buf), rows[i].slot,
							       &present, &changed, NULL);

		g_assert_cmpint(ok, ==, rows[i].ok);
		if (!ok)
			continue;
		g_assert_cmpint(present, ==, rows[i].present);
		g_assert_cmpint(changed, ==, rows[i].changed);
	}
	{
		g_autoptr(GBytes) n = remsim_ccid_message_build_notify(8, 0x81, 0x80);
		g_autofree gchar *hex = ccid_test_to_hex(n);

		g_assert_cmpstr(hex, ==, "50 01 C0");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/message/build", test_build);
	g_test_add_func("/ccid/message/parse-answer", test_parse_answer);
	g_test_add_func("/ccid/message/check", test_check);
	g_test_add_func("/ccid/message/notify", test_notify);
	return g_test_run();
}
