/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The quirk file, reader names and simulator frames, from tables. */
#include "config.h"

#include <string.h>

#include "ccid-test-hex.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-name.h"
#include "remsim-ccid-quirks.h"
#include "remsim-ccid-wire.h"

static void
test_quirks(void)
{
	static const struct {
		const gchar *text;
		gboolean ok;
		guint16 vendor, product;
		guint flags;
		guint32 max_len;
		const gchar *name;
	} rows[] = {
		{ "[1d50:6141]\nname=sysmocom sysmoOCTSIM\n", TRUE, 0x1d50, 0x6141, 0, 0,
		  "sysmocom sysmoOCTSIM" },
		{ "[ABCD:0001]\nflags=vendor-class;no-set-parameters\nmax-message-length=271\n",
		  TRUE, 0xabcd, 0x0001, 0x3, 271, NULL },
		{ "[abcd:0001]\nflags=warp-drive\n", FALSE },
		{ "[abcd:0001]\nspeed=11\n", FALSE },
		{ "[abcd]\nname=x\n", FALSE },
		{ "[abcd:0001]\nmax-busy-slots=0\n", FALSE },
		{ "[abcd:0001\n", FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(RemsimCcidQuirks) q = remsim_ccid_quirks_parse(
		    rows[i].text, strlen(rows[i].text), "test.conf", &error);
		const RemsimCcidQuirk *quirk;

		g_test_message("row %u", i);
		if (!rows[i].ok) {
			g_assert_null(q);
			g_assert_nonnull(error);
			g_assert_true(g_str_has_prefix(error->message, "test.conf: "));
			continue;
		}
		g_assert_no_error(error);
		quirk = remsim_ccid_quirks_lookup(q, rows[i].vendor, rows[i].product);
		g_assert_nonnull(quirk);
		g_assert_cmphex(quirk->flags, ==, rows[i].flags);
		g_assert_cmpuint(quirk->max_message_length, ==, rows[i].max_len);
		g_assert_cmpstr(quirk->name, ==, rows[i].name);
		g_assert_null(remsim_ccid_quirks_lookup(q, 0x1234, 0x5678));
	}
}

/* the file shipped in the tree parses */
static void
test_shipped(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimCcidQuirks) q =
	    remsim_ccid_quirks_load(g_getenv("REMSIM_CCID_QUIRKS"), &error);

	g_assert_no_error(error);
	g_assert_cmpuint(remsim_ccid_quirks_count(q), >, 0);
	g_assert_nonnull(remsim_ccid_quirks_lookup(q, 0x1d50, 0x6141));
}

static void
test_names(void)
{
	static const struct {
		const gchar *quirk, *manufacturer, *product, *interface_name, *serial;
		guint nr, slot;
		const gchar *want;
	} rows[] = {
		{ "sysmocom sysmoOCTSIM", "sysmocom - s.f.m.c. GmbH", "sysmoOCTSIM", "CCID",
		  "ab19180f", 0, 3, "sysmocom sysmoOCTSIM [CCID] (ab19180f) 00 03" },
		{ NULL, "ACS", "ACR33 ICC Reader", NULL, NULL, 1, 4, "ACS ACR33 ICC Reader 01 04" },
		{ NULL, "Gemalto", "Gemalto PC Twin Reader", NULL, NULL, 0, 0,
		  "Gemalto PC Twin Reader 00 00" },
		{ NULL, NULL, NULL, NULL, NULL, 0, 10, "USB CCID reader abcd:0001 00 0A" },
		/* the serial is not repeated if the interface name holds it */
		{ NULL, "X", "Y", "Y 1234", "1234", 0, 0, "X Y [Y 1234] 00 00" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree gchar *friendly = remsim_ccid_name_friendly(
		    rows[i].quirk, rows[i].manufacturer, rows[i].product, 0xabcd, 0x0001);
		g_autofree gchar *reader =
		    remsim_ccid_name_reader(friendly, rows[i].interface_name, rows[i].serial);
		g_autofree gchar *slot = remsim_ccid_name_slot(reader, rows[i].nr, rows[i].slot);

		g_assert_cmpstr(slot, ==, rows[i].want);
	}
}

static void
test_string_descriptors(void)
{
	static const struct {
		const gchar *hex;
		const gchar *want;
	} rows[] = {
		{ "0A 03 43 00 43 00 49 00 44 00", "CCID" },
		/* bLength shorter than the buffer wins */
		{ "06 03 41 00 42 00 43 00", "AB" },
		/* controls and surrogates are masked */
		{ "08 03 41 00 07 00 00 D8", "A??" },
		{ "02 03", NULL },
		{ "04 02 41 00", NULL },
		{ "", NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(rows[i].hex);
		g_autofree gchar *got = remsim_ccid_name_from_string_descriptor(
		    g_bytes_get_data(buf, NULL), g_bytes_get_size(buf));

		g_assert_cmpstr(got, ==, rows[i].want);
	}
}

static void
test_wire(void)
{
	RemsimCcidDeviceInfo info = { .vendor = 0x1d50,
				      .product = 0x6141,
				      .usb_path = (gchar *)"1-2.3",
				      .interface_class = 0x0b,
				      .i_serial = 3,
				      .has_interrupt = TRUE };
	g_autoptr(GBytes) extra = ccid_test_hex("05 24 00 01 02");
	g_autoptr(GBytes) desc = NULL;
	g_autoptr(RemsimCcidDeviceInfo) back = NULL;
	g_autoptr(GByteArray) stream = g_byte_array_new();
	g_autoptr(GError) error = NULL;
	RemsimCcidWireFrame frame = { REMSIM_CCID_WIRE_DEVICE_ADDED, 0, 7, 9, 11, NULL };
	RemsimCcidWireFrame got = { 0 };
	g_autoptr(GBytes) encoded = NULL;

	info.extra = extra;
	desc = remsim_ccid_wire_encode_device(&info);
	frame.data = desc;
	encoded = remsim_ccid_wire_encode(&frame);
	/* byte by byte: nothing until the frame is whole */
	for (gsize i = 0; i + 1 < g_bytes_get_size(encoded); i++) {
		g_byte_array_append(stream, (const guint8 *)g_bytes_get_data(encoded, NULL) + i, 1);
		g_assert_false(remsim_ccid_wire_next(stream, &got, &error));
		g_assert_no_error(error);
	}
	g_byte_array_append(
	    stream, (const guint8 *)g_bytes_get_data(encoded, NULL) + g_bytes_get_size(encoded) - 1,
	    1);
	g_assert_true(remsim_ccid_wire_next(stream, &got, &error));
	g_assert_cmpuint(stream->len, ==, 0);
	g_assert_cmpuint(got.op, ==, REMSIM_CCID_WIRE_DEVICE_ADDED);
	g_assert_cmpuint(got.device, ==, 7);
	g_assert_cmpuint(got.tag, ==, 9);
	g_assert_cmpuint(got.value, ==, 11);
	back = remsim_ccid_wire_decode_device(got.device, got.data, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->id, ==, 7);
	g_assert_cmphex(back->vendor, ==, 0x1d50);
	g_assert_cmpstr(back->usb_path, ==, "1-2.3");
	g_assert_cmpuint(back->i_serial, ==, 3);
	g_assert_true(back->has_interrupt);
	g_assert_true(g_bytes_equal(back->extra, extra));
	remsim_ccid_wire_clear(&got);

	/* a frame that claims to be huge is refused before it is buffered */
	g_byte_array_append(stream, (const guint8 *)"\xff\xff\xff\x7f", 4);
	g_assert_false(remsim_ccid_wire_next(stream, &got, &error));
	g_assert_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED);
	g_clear_error(&error);
	/* a device description whose lengths do not add up */
	{
		g_autoptr(GBytes) bad = ccid_test_hex("50 1d 41 61 00 0b 00 00 00 00 03 00 01 09");

		g_assert_null(remsim_ccid_wire_decode_device(1, bad, &error));
		g_assert_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/quirks/parse", test_quirks);
	g_test_add_func("/ccid/quirks/shipped", test_shipped);
	g_test_add_func("/ccid/names/reader", test_names);
	g_test_add_func("/ccid/names/string-descriptor", test_string_descriptors);
	g_test_add_func("/ccid/wire/frames", test_wire);
	return g_test_run();
}
