/* Runs apdu-table.txt against test-card.json: each command must give exactly the response
 * the table gives (written from the specifications). */
#include "test-simcard-util.h"

typedef struct {
	guint line;
	gchar *command; /* NULL for "reset" */
	gchar *expected;
} TableRow;

static void
table_row_free(gpointer data)
{
	TableRow *row = data;

	g_free(row->command);
	g_free(row->expected);
	g_free(row);
}

/* The expected response ends where a run of two or more spaces starts the comment. */
static gchar *
strip_comment(const gchar *text)
{
	const gchar *start = text;
	const gchar *end;

	while (*start == ' ')
		start++;
	end = strstr(start, "  ");
	return g_strstrip(end != NULL ? g_strndup(start, (gsize)(end - start)) : g_strdup(start));
}

static GPtrArray *
load_table(void)
{
	g_autofree gchar *path = test_srcdir_path("plugins/simcard/engine/tests/apdu-table.txt");
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *rows = g_ptr_array_new_with_free_func(table_row_free);

	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		const gchar *arrow = strstr(line, "=>");
		TableRow *row;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		row = g_new0(TableRow, 1);
		row->line = i + 1;
		if (g_str_equal(g_strstrip(lines[i]), "reset")) {
			g_ptr_array_add(rows, row);
			continue;
		}
		g_assert_nonnull(arrow);
		row->command = g_strndup(line, (gsize)(arrow - line));
		row->expected = strip_comment(arrow + 2);
		g_ptr_array_add(rows, row);
	}
	return rows;
}

static void
test_apdu_table(void)
{
	g_autoptr(RemsimSimcardCard) card =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	g_autoptr(GPtrArray) rows = load_table();
	guint failures = 0;

	g_assert_cmpuint(rows->len, >, 100);
	for (guint i = 0; i < rows->len; i++) {
		TableRow *row = g_ptr_array_index(rows, i);
		g_autofree gchar *got = NULL;
		g_autoptr(GBytes) e = NULL;
		g_autofree gchar *expected = NULL;

		if (row->command == NULL) {
			remsim_simcard_card_reset(card);
			continue;
		}
		got = test_apdu(card, row->command);
		e = test_hex(row->expected);
		expected = test_to_hex(e);
		if (g_strcmp0(got, expected) != 0) {
			/* report every mismatch, then fail once */
			g_printerr("apdu-table.txt:%u: %s\n  expected %s\n  got      %s\n",
				   row->line, row->command, expected, got);
			failures++;
		}
	}
	g_assert_cmpuint(failures, ==, 0);
}

static void
test_apdu_atr(void)
{
	g_autoptr(RemsimSimcardCard) card =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(card);
	gsize len = 0;
	const guint8 *b = g_bytes_get_data(atr, &len);
	guint8 tck = 0;
	guint k;

	/* ISO 7816-3: direct convention, T0 announces TA1 and TD1 and K historical bytes */
	g_assert_cmpuint(len, >=, 4);
	g_assert_cmphex(b[0], ==, 0x3B);
	k = b[1] & 0x0F;
	g_assert_cmphex(b[1] & 0xF0, ==, 0x90);
	/* TD1: T=0, then TD2 announces T=15, so a TCK ends the ATR */
	g_assert_cmphex(b[3] & 0x0F, ==, 0x00);
	g_assert_cmphex(b[3] & 0x80, ==, 0x80);
	g_assert_cmphex(b[4] & 0x0F, ==, 0x0F);
	/* TS, T0, TA1, TD1, TD2, TA3, K historical bytes, TCK */
	g_assert_cmpuint(len, ==, 6 + k + 1);
	for (gsize i = 1; i < len; i++)
		tck ^= b[i];
	g_assert_cmphex(tck, ==, 0);
}

static void
test_apdu_short_and_empty(void)
{
	g_autoptr(RemsimSimcardCard) card =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
	g_autoptr(GBytes) resp = remsim_simcard_card_transmit(card, empty);
	g_autofree gchar *hex = test_to_hex(resp);

	/* never a crash: a truncated header is a wrong length */
	g_assert_cmpstr(hex, ==, "6700");
	test_apdu_expect(card, "00A4", "6700");
	/* a 4-byte case 1 header: P3 absent counts as 00 */
	test_apdu_expect(card, "80F2000C", "9000");
}

/* Random commands, biased towards real classes and instructions: every answer is at least a
 * status word, nothing crashes (the sanitizer build checks memory). Fixed seed: repeatable. */
static void
test_apdu_random(void)
{
	static const guint8 classes[] = { 0x00, 0x80, 0xA0, 0x01, 0x40, 0xFF };
	static const guint8 ins[] = { 0xA4, 0xB0, 0xD6, 0xB2, 0xDC, 0x20, 0x24, 0x26,
				      0x28, 0x2C, 0x88, 0xC0, 0xF2, 0x10, 0xFA, 0x12 };
	g_autoptr(RemsimSimcardCard) card =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	g_autoptr(GRand) rng = g_rand_new_with_seed(20261126);
	guint8 buf[5 + 260];

	test_apdu_expect(card, "00A4040C07A0000000871002", "9000");
	for (guint i = 0; i < 200000; i++) {
		g_autoptr(GBytes) cmd = NULL;
		g_autoptr(GBytes) resp = NULL;
		gsize len;

		buf[0] = classes[g_rand_int_range(rng, 0, G_N_ELEMENTS(classes))];
		buf[1] = ins[g_rand_int_range(rng, 0, G_N_ELEMENTS(ins))];
		for (guint j = 2; j < sizeof(buf); j++)
			buf[j] = (guint8)g_rand_int(rng);
		/* small P1, P2 and paths to real files often enough to go deep */
		if (g_rand_boolean(rng)) {
			buf[2] &= 0x0F;
			buf[3] &= 0x0F;
			buf[5] = g_rand_boolean(rng) ? 0x7F : 0x6F;
		}
		len =
		    g_rand_boolean(rng) ? (gsize)(5 + buf[4]) : (gsize)g_rand_int_range(rng, 0, 40);
		cmd = g_bytes_new(buf, len);
		resp = remsim_simcard_card_transmit(card, cmd);
		g_assert_cmpuint(g_bytes_get_size(resp), >=, 2);
		if (i % 5000 == 0)
			remsim_simcard_card_reset(card);
		/* PIN tries are part of the random walk; keep the card usable */
		if (i % 997 == 0) {
			g_autoptr(GBytes) v = test_hex("002000010831323334FFFFFFFF");
			g_autoptr(GBytes) r = remsim_simcard_card_transmit(card, v);

			g_assert_nonnull(r);
		}
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/simcard/apdu/table", test_apdu_table);
	g_test_add_func("/simcard/apdu/atr", test_apdu_atr);
	g_test_add_func("/simcard/apdu/short-and-empty", test_apdu_short_and_empty);
	g_test_add_func("/simcard/apdu/random", test_apdu_random);
	return g_test_run();
}
