/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands for T=0 cards through TPDU-level readers, as scripted exchanges. */
#include "config.h"

#include "ccid-test-hex.h"
#include "remsim-card-error.h"
#include "remsim-ccid-t0.h"

/* a command, then pairs of {the TPDU sent, the card's answer}, then the result */
typedef struct {
	const gchar *command;
	const gchar *steps[8]; /* sent, answer, sent, answer, ..., NULL */
	const gchar *result;   /* NULL: an error */
	gint code;
} T0Row;

static const T0Row rows[] = {
	/* a TPDU goes as it is, and so does the answer, 9F xx and 6C xx included */
	{ "A0 A4 00 00 02 3F 00", { "A0 A4 00 00 02 3F 00", "9F 17" }, "9F 17" },
	{ "A0 C0 00 00 16", { "A0 C0 00 00 16", "6C 0F" }, "6C 0F" },
	{ "A0 B0 00 00 0A",
	  { "A0 B0 00 00 0A", "98 94 00 00 00 00 00 00 00 10 90 00" },
	  "98 94 00 00 00 00 00 00 00 10 90 00" },
	/* case 1: P3 = 00 */
	{ "00 70 00 00", { "00 70 00 00 00", "90 00" }, "90 00" },
	/* case 4: as case 3, then GET RESPONSE for what 61xx announces, up to Le */
	{ "00 A4 04 00 02 3F 00 00",
	  { "00 A4 04 00 02 3F 00", "61 05", "00 C0 00 00 05", "01 02 03 04 05 90 00" },
	  "01 02 03 04 05 90 00" },
	{ "00 A4 04 00 02 3F 00 03",
	  { "00 A4 04 00 02 3F 00", "61 05", "00 C0 00 00 03", "01 02 03 90 00" },
	  "01 02 03 90 00" },
	/* GSM class: 9F xx, and a GET RESPONSE that the card corrects with 6C xx */
	{ "A0 A4 00 00 02 3F 00 16",
	  { "A0 A4 00 00 02 3F 00", "9F 17", "A0 C0 00 00 16", "6C 10", "A0 C0 00 00 10",
	    "AA BB 90 00" },
	  "AA BB 90 00" },
	/* the card answers at once: no GET RESPONSE */
	{ "00 D6 00 00 01 FF 00", { "00 D6 00 00 01 FF", "90 00" }, "90 00" },
	/* no status word */
	{ "A0 F2 00 00 16", { "A0 F2 00 00 16", "90" }, NULL, REMSIM_CARD_ERROR_TRANSMISSION },
	/* commands T=0 cannot carry */
	{ "00 A4", { NULL }, NULL, REMSIM_CARD_ERROR_INVALID },
	{ "00 A4 04 00 05 01", { NULL }, NULL, REMSIM_CARD_ERROR_INVALID },
	{ "00 A4 04 00 00 00 02 3F 00", { NULL }, NULL, REMSIM_CARD_ERROR_INVALID },
};

static void
test_rows(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) cmd = ccid_test_hex(rows[i].command);
		g_autoptr(GError) error = NULL;
		g_autoptr(RemsimCcidT0) t0 =
		    remsim_ccid_t0_new(g_bytes_get_data(cmd, NULL), g_bytes_get_size(cmd), &error);
		g_autoptr(GBytes) next = NULL;
		RemsimCcidT0Step step = REMSIM_CCID_T0_SEND;

		g_test_message("row %u: %s", i, rows[i].command);
		if (rows[i].steps[0] == NULL) {
			g_assert_null(t0);
			g_assert_error(error, REMSIM_CARD_ERROR, rows[i].code);
			continue;
		}
		g_assert_no_error(error);
		next = remsim_ccid_t0_start(t0);
		for (guint s = 0; rows[i].steps[s] != NULL; s += 2) {
			g_autofree gchar *sent = ccid_test_to_hex(next);
			g_autoptr(GBytes) answer = ccid_test_hex(rows[i].steps[s + 1]);

			g_assert_cmpint(step, ==, REMSIM_CCID_T0_SEND);
			g_assert_cmpstr(sent, ==, rows[i].steps[s]);
			g_clear_pointer(&next, g_bytes_unref);
			step = remsim_ccid_t0_feed(t0, g_bytes_get_data(answer, NULL),
						   g_bytes_get_size(answer), &next, &error);
		}
		if (rows[i].result == NULL) {
			g_assert_cmpint(step, ==, REMSIM_CCID_T0_ERROR);
			g_assert_error(error, REMSIM_CARD_ERROR, rows[i].code);
		} else {
			g_autofree gchar *got = ccid_test_to_hex(next);

			g_assert_cmpint(step, ==, REMSIM_CCID_T0_DONE);
			g_assert_cmpstr(got, ==, rows[i].result);
		}
	}
}

/* a card that says 61 01 for ever is cut off */
static void
test_endless(void)
{
	g_autoptr(GBytes) cmd = ccid_test_hex("00 A4 04 00 02 3F 00 00");
	g_autoptr(RemsimCcidT0) t0 =
	    remsim_ccid_t0_new(g_bytes_get_data(cmd, NULL), g_bytes_get_size(cmd), NULL);
	g_autoptr(GError) error = NULL;
	static const guint8 more[] = { 0x61, 0x01 };
	RemsimCcidT0Step step = REMSIM_CCID_T0_SEND;
	guint n = 0;

	g_bytes_unref(remsim_ccid_t0_start(t0));
	/* Le 256 stops it after 256 one-byte answers; 61 00 never grows the data */
	while (step == REMSIM_CCID_T0_SEND && n++ < 1000) {
		GBytes *next = NULL;
		static const guint8 none[] = { 0x61, 0x00 };

		step = remsim_ccid_t0_feed(t0, n % 2 ? more : none, 2, &next, &error);
		g_clear_pointer(&next, g_bytes_unref);
	}
	g_assert_cmpuint(n, <, 1000);
	g_assert_cmpint(step, !=, REMSIM_CCID_T0_SEND);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/t0/rows", test_rows);
	g_test_add_func("/ccid/t0/endless", test_endless);
	return g_test_run();
}
