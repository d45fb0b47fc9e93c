/* In-process throughput of the simulated card: a SELECT + READ BINARY loop, and UMTS
 * AUTHENTICATE (+ GET RESPONSE) with a fresh SQN each time. Prints figures; every answer
 * is checked (the same EF content each read, a successful authentication each time). */
#include "test-simcard-util.h"

#define SELECT_READ_ROUNDS 500000
#define AUTH_ROUNDS 50000

static GBytes *
command(const gchar *hex)
{
	return test_hex(hex);
}

static void
bench_select_read(RemsimSimcardCard *card)
{
	g_autoptr(GBytes) select = command("00A4000C022FE2");
	g_autoptr(GBytes) read = command("00B000000A");
	g_autoptr(GBytes) ok = command("9000");
	g_autoptr(GBytes) content = NULL;
	gint64 start;
	gdouble secs;

	/* EF.ICCID's 10 bytes and 90 00, the same each time */
	test_apdu_expect(card, "00A4000C022FE2", "9000");
	content = remsim_simcard_card_transmit(card, read);
	g_assert_cmpuint(g_bytes_get_size(content), ==, 12);
	g_assert_cmpmem((const guint8 *)g_bytes_get_data(content, NULL) + 10, 2, "\x90\x00", 2);
	start = g_get_monotonic_time();
	for (guint i = 0; i < SELECT_READ_ROUNDS; i++) {
		g_autoptr(GBytes) r1 = remsim_simcard_card_transmit(card, select);
		g_autoptr(GBytes) r2 = remsim_simcard_card_transmit(card, read);

		g_assert_true(g_bytes_equal(r1, ok));
		g_assert_true(g_bytes_equal(r2, content));
	}
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_print("SELECT+READ BINARY: %u APDUs in %.3f s: %.0f APDUs/s, %.2f us per APDU\n",
		2 * SELECT_READ_ROUNDS, secs, 2 * SELECT_READ_ROUNDS / secs,
		secs * 1e6 / (2 * SELECT_READ_ROUNDS));
}

static void
bench_authenticate(RemsimSimcardCard *card)
{
	g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GBytes) get_response = command("00C0000035");
	g_autoptr(GBytes) more = command("6135");
	g_autoptr(GBytes) k = test_hex("465b5ce8b199b49faa5f0a2ee238a6bc");
	g_autoptr(GBytes) opc = test_hex("cd63cb71954a9f4e48a5994e37a02baf");
	guint8 rand[16] = { 0 };
	gint64 start;
	gdouble secs;

	/* AUTNs are built before the clock starts: only the card's work is measured */
	for (guint i = 0; i < AUTH_ROUNDS; i++) {
		g_autofree gchar *hex = NULL;

		rand[0] = (guint8)i;
		rand[1] = (guint8)(i >> 8);
		hex = test_auth_command(g_bytes_get_data(k, NULL), g_bytes_get_data(opc, NULL),
					rand, (guint64)(i + 1) << 5, FALSE);
		g_ptr_array_add(cmds, test_hex(hex));
	}
	test_apdu_expect(card, "00A4040C07A0000000871002", "9000");
	test_apdu_expect(card, "002000010831323334FFFFFFFF", "9000");
	start = g_get_monotonic_time();
	for (guint i = 0; i < AUTH_ROUNDS; i++) {
		g_autoptr(GBytes) r1 =
		    remsim_simcard_card_transmit(card, g_ptr_array_index(cmds, i));
		g_autoptr(GBytes) r2 = remsim_simcard_card_transmit(card, get_response);
		const guint8 *res = g_bytes_get_data(r2, NULL);

		/* the SQN is fresh each time: a successful 3G context (DB ...), never a resync */
		g_assert_true(g_bytes_equal(r1, more));
		g_assert_cmpuint(g_bytes_get_size(r2), ==, 0x35 + 2);
		g_assert_cmphex(res[0], ==, 0xdb);
		g_assert_cmpmem(res + 0x35, 2, "\x90\x00", 2);
	}
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_print("AUTHENTICATE (3G) + GET RESPONSE: %u in %.3f s: %.0f authentications/s, "
		"%.2f us each\n",
		AUTH_ROUNDS, secs, AUTH_ROUNDS / secs, secs * 1e6 / AUTH_ROUNDS);
}

int
main(int argc, char **argv)
{
	g_autoptr(RemsimSimcardCard) card = NULL;

	g_test_init(&argc, &argv, NULL);
	card = test_card_new("plugins/simcard/engine/tests/test-card.json");
	bench_select_read(card);
	bench_authenticate(card);
	return 0;
}
