/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host side of T=1 as scripted exchanges of blocks (NAD PCB LEN INF LRC). */
#include "config.h"

#include "ccid-test-hex.h"
#include "remsim-card-error.h"
#include "remsim-ccid-t1.h"

/* "PCB: INF" → a whole block with NAD 0 and LRC */
static GBytes *
block(const gchar *spec)
{
	g_auto(GStrv) parts = g_strsplit(spec, ":", 2);
	g_autoptr(GBytes) pcb = ccid_test_hex(parts[0]);
	g_autoptr(GBytes) inf = ccid_test_hex(parts[1] != NULL ? parts[1] : "");

	return remsim_ccid_t1_build_block(0, *(const guint8 *)g_bytes_get_data(pcb, NULL),
					  g_bytes_get_data(inf, NULL), g_bytes_get_size(inf),
					  FALSE);
}

typedef struct {
	guint ifsc;
	const gchar *apdu;	/* NULL: S(IFS) exchange */
	const gchar *steps[16]; /* sent block, card block, ... */
	const gchar *result;	/* NULL: error */
} T1Row;

static const T1Row rows[] = {
	/* one block each way */
	{ 32, "00 A4 00 00", { "00:00 A4 00 00", "00:90 00" }, "90 00" },
	/* our command chained over IFSC 4, the answer chained by the card */
	{ 4,
	  "01 02 03 04 05 06 07 08 09 0A",
	  { "20:01 02 03 04", "90:", "60:05 06 07 08", "80:", "00:09 0A", "20:AA BB",
	    "90:", "40:90 00" },
	  "AA BB 90 00" },
	/* the card wants more time: S(WTX) answered, the multiplier handed on */
	{ 32,
	  "00 B0 00 00 02",
	  { "00:00 B0 00 00 02", "C3:03", "E3:03", "00:12 34 90 00" },
	  "12 34 90 00" },
	/* a block with a bad check code: asked for again with an R-block */
	{ 32, "00 B0 00 00 02", { "00:00 B0 00 00 02", "BAD", "81:", "00:90 00" }, "90 00" },
	/* the card asks for our block again */
	{ 32, "80 CA 00 00", { "00:80 CA 00 00", "81:", "00:80 CA 00 00", "00:6A 88" }, "6A 88" },
	/* S(IFS) announcing our IFSD */
	{ 32, NULL, { "C1:FE", "E1:FE" }, "" },
	/* the card changes its IFSC mid-way */
	{ 32, "00 A4 00 00", { "00:00 A4 00 00", "C1:10", "E1:10", "00:90 00" }, "90 00" },
	/* the card aborts */
	{ 32, "00 A4 00 00", { "00:00 A4 00 00", "C2:" }, NULL },
	/* an I-block out of sequence */
	{ 32, "00 A4 00 00", { "00:00 A4 00 00", "40:90 00" }, NULL },
	/* four bad blocks in a row */
	{ 32,
	  "00 A4 00 00",
	  { "00:00 A4 00 00", "BAD", "81:", "BAD", "81:", "BAD", "81:", "BAD" },
	  NULL },
};

static void
test_rows(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(RemsimCcidT1) t1 = remsim_ccid_t1_new(rows[i].ifsc, FALSE);
		g_autoptr(GBytes) apdu = rows[i].apdu ? ccid_test_hex(rows[i].apdu) : NULL;
		g_autoptr(GBytes) next = NULL;
		g_autoptr(GError) error = NULL;
		RemsimCcidT1Step step = REMSIM_CCID_T1_SEND;
		guint8 wtx = 0;

		g_test_message("row %u", i);
		next = apdu != NULL ? remsim_ccid_t1_start(t1, g_bytes_get_data(apdu, NULL),
							   g_bytes_get_size(apdu), &error)
				    : remsim_ccid_t1_start_ifs(t1, 0xfe);
		g_assert_no_error(error);
		for (guint s = 0; rows[i].steps[s] != NULL; s += 2) {
			g_autoptr(GBytes) want = block(rows[i].steps[s]);
			g_autoptr(GBytes) card = NULL;

			g_assert_cmpint(step, ==, REMSIM_CCID_T1_SEND);
			if (!g_bytes_equal(next, want)) {
				g_autofree gchar *a = ccid_test_to_hex(next);
				g_autofree gchar *b = ccid_test_to_hex(want);

				g_error("row %u step %u: sent %s, expected %s", i, s, a, b);
			}
			if (rows[i].steps[s + 1] == NULL)
				break;
			card = g_str_equal(rows[i].steps[s + 1], "BAD")
				   ? ccid_test_hex("00 00 01 90 00")
				   : block(rows[i].steps[s + 1]);
			g_clear_pointer(&next, g_bytes_unref);
			step = remsim_ccid_t1_feed(t1, g_bytes_get_data(card, NULL),
						   g_bytes_get_size(card), &next, &wtx, &error);
			/* an S(WTX request) hands its multiplier on */
			g_assert_cmpuint(wtx, ==,
					 g_str_equal(rows[i].steps[s + 1], "C3:03") ? 3 : 0);
		}
		if (rows[i].result == NULL) {
			g_assert_cmpint(step, ==, REMSIM_CCID_T1_ERROR);
			g_assert_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION);
		} else {
			g_autofree gchar *got = ccid_test_to_hex(next);

			g_assert_cmpint(step, ==, REMSIM_CCID_T1_DONE);
			g_assert_cmpstr(got, ==, rows[i].result);
		}
	}
}

static void
test_blocks(void)
{
	static const struct {
		const gchar *hex;
		gboolean crc, ok;
	} parse_rows[] = {
		{ "00 00 02 90 00 92", FALSE, TRUE },  { "00 00 02 90 00 93", FALSE, FALSE },
		{ "00 00 03 90 00 92", FALSE, FALSE }, { "00 00", FALSE, FALSE },
		{ "00 00 FF", FALSE, FALSE },
	};
	g_autoptr(GBytes) crc_block =
	    remsim_ccid_t1_build_block(0, 0, (const guint8 *)"\x90\x00", 2, TRUE);
	RemsimCcidT1Block b;

	for (guint i = 0; i < G_N_ELEMENTS(parse_rows); i++) {
		g_autoptr(GBytes) buf = ccid_test_hex(parse_rows[i].hex);

		g_assert_cmpint(remsim_ccid_t1_parse_block(g_bytes_get_data(buf, NULL),
							   g_bytes_get_size(buf), parse_rows[i].crc,
							   &b, NULL),
				==, parse_rows[i].ok);
	}
	g_assert_cmpuint(g_bytes_get_size(crc_block), ==, 7);
	g_assert_true(
	    remsim_ccid_t1_parse_block(g_bytes_get_data(crc_block, NULL), 7, TRUE, &b, NULL));
	g_assert_cmpuint(b.len, ==, 2);
	g_assert_false(
	    remsim_ccid_t1_parse_block(g_bytes_get_data(crc_block, NULL), 7, FALSE, &b, NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/t1/rows", test_rows);
	g_test_add_func("/ccid/t1/blocks", test_blocks);
	return g_test_run();
}
