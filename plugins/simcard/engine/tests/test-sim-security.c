/* PIN management and authentication through the card's APDU interface. AUTN, RES, CK, IK,
 * SRES and Kc are computed here with the Milenage functions from a 35.208 test set. */
#include "remsim-simcard-milenage.h"

#include "test-simcard-util.h"

#define PIN_1234 "31323334FFFFFFFF"
#define PIN_9999 "39393939FFFFFFFF"
#define PIN_WRONG "30303030FFFFFFFF"
#define PUK1 "3132333435363738"
#define PUK_WRONG "3030303030303030"

typedef struct {
	RemsimSimcardCard *card;
	guint8 k[16];
	guint8 opc[16];
} SecurityFixture;

/* Test set 3 of milenage.tsv, given to the card as OP so the profile derives OPc. */
static void
load_set(SecurityFixture *f, gchar ***cols)
{
	g_autofree gchar *path = test_srcdir_path("tests/vectors/milenage.tsv");
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		if (g_str_has_prefix(lines[i], "3\t"))
			*cols = g_strsplit(lines[i], "\t", -1);
	g_assert_nonnull(*cols);
}

static void
fixture_setup(SecurityFixture *f, gconstpointer data)
{
	g_auto(GStrv) cols = NULL;
	g_autofree gchar *json = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) k = NULL, opc = NULL;

	load_set(f, &cols);
	json =
	    g_strdup_printf("{\"iccid\":\"8900101000000000999\",\"imsi\":\"001010000000999\","
			    "\"ki\":\"%s\",\"op\":\"%s\",\"pin1\":\"1234\",\"puk1\":\"12345678\","
			    "\"pin2\":\"5678\",\"puk2\":\"87654321\",\"adm\":\"11111111\"}",
			    cols[1], cols[5]);
	node = json_from_string(json, &error);
	g_assert_no_error(error);
	f->card = remsim_simcard_card_new_from_json(node, &error);
	g_assert_no_error(error);
	k = test_hex(cols[1]);
	opc = test_hex(cols[6]);
	memcpy(f->k, g_bytes_get_data(k, NULL), 16);
	memcpy(f->opc, g_bytes_get_data(opc, NULL), 16);
	test_apdu_expect(f->card, "00A4040C07A0000000871002", "9000");
}

static void
fixture_teardown(SecurityFixture *f, gconstpointer data)
{
	g_clear_object(&f->card);
}

static void
verify_pin1(SecurityFixture *f)
{
	test_apdu_expect(f->card, "0020000108" PIN_1234, "9000");
}

static void
test_pin_block_and_unblock(SecurityFixture *f, gconstpointer data)
{
	test_apdu_expect(f->card, "00A4000C026F07", "9000");
	test_apdu_expect(f->card, "0020000108" PIN_WRONG, "63C2");
	test_apdu_expect(f->card, "0020000108" PIN_WRONG, "63C1");
	test_apdu_expect(f->card, "0020000108" PIN_WRONG, "63C0");
	/* blocked: even the right PIN is refused, and nothing is readable */
	test_apdu_expect(f->card, "0020000108" PIN_1234, "6983");
	test_apdu_expect(f->card, "0020000100", "6983");
	test_apdu_expect(f->card, "00B0000009", "6982");
	test_apdu_expect(f->card, "0024000110" PIN_1234 PIN_9999, "6983");
	/* one wrong PUK costs one of ten tries */
	test_apdu_expect(f->card, "002C000110" PUK_WRONG PIN_9999, "63C9");
	test_apdu_expect(f->card, "002C000100", "63C9");
	/* the new PIN must be 4 to 8 digits padded with FF */
	test_apdu_expect(f->card, "002C000110" PUK1 "3132FFFFFFFFFFFF", "6A80");
	test_apdu_expect(f->card, "002C000110" PUK1 PIN_9999, "9000");
	/* unblocked, verified, counters restored, the new PIN is the PIN */
	test_apdu_expect(f->card, "0020000100", "9000");
	test_apdu_expect(f->card, "002C000100", "63CA");
	test_apdu_expect(f->card, "00B0000009",
			 "080910100000009099"
			 "9000");
	remsim_simcard_card_reset(f->card);
	test_apdu_expect(f->card, "0020000100", "63C3");
	test_apdu_expect(f->card, "0020000108" PIN_1234, "63C2");
	test_apdu_expect(f->card, "0020000108" PIN_9999, "9000");
}

static void
test_puk_permanently_blocked(SecurityFixture *f, gconstpointer data)
{
	test_apdu_expect(f->card, "0020000108" PIN_WRONG, "63C2");
	test_apdu_expect(f->card, "0020000108" PIN_WRONG, "63C1");
	test_apdu_expect(f->card, "0020000108" PIN_WRONG, "63C0");
	for (guint left = 9; left > 0; left--) {
		g_autofree gchar *sw = g_strdup_printf("63c%x", left);

		test_apdu_expect(f->card, "002C000110" PUK_WRONG PIN_9999, sw);
	}
	test_apdu_expect(f->card, "002C000110" PUK_WRONG PIN_9999, "63C0");
	/* ten wrong PUKs: the right PUK no longer helps, ever */
	test_apdu_expect(f->card, "002C000110" PUK1 PIN_9999, "6983");
	test_apdu_expect(f->card, "002C000100", "6983");
	remsim_simcard_card_reset(f->card);
	test_apdu_expect(f->card, "002C000110" PUK1 PIN_9999, "6983");
	test_apdu_expect(f->card, "0020000108" PIN_1234, "6983");
}

static void
test_pin_change_disable_enable(SecurityFixture *f, gconstpointer data)
{
	test_apdu_expect(f->card, "0024000110" PIN_WRONG PIN_9999, "63C2");
	test_apdu_expect(f->card, "0024000110" PIN_1234 PIN_9999, "9000");
	test_apdu_expect(f->card, "0020000108" PIN_1234, "63C2");
	test_apdu_expect(f->card, "0020000108" PIN_9999, "9000");
	test_apdu_expect(f->card, "0028000108" PIN_9999, "6985"); /* already enabled */
	test_apdu_expect(f->card, "0026000108" PIN_9999, "9000");
	test_apdu_expect(f->card, "0026000108" PIN_9999, "6985"); /* already disabled */
	test_apdu_expect(f->card, "0024000110" PIN_9999 PIN_1234, "6984");
	/* disabled PIN1 guards nothing, after a reset too; the FCP's PS_DO says so */
	remsim_simcard_card_reset(f->card);
	test_apdu_expect(f->card, "00A4040C07A0000000871002", "9000");
	test_apdu_expect(f->card, "00A4000C026F07", "9000");
	test_apdu_expect(f->card, "00B0000009",
			 "080910100000009099"
			 "9000");
	test_apdu_expect(f->card, "80F2000033",
			 "6231820278218302 7FFF8410A0000000871002FFFFFFFF8907090000"
			 "8A01058B036F0601C60990014083010183018181020 25E9000");
	test_apdu_expect(f->card, "0028000108" PIN_9999, "9000");
	test_apdu_expect(f->card, "0020000100", "9000");
	/* PIN2 (key 81) cannot be disabled on this card; ADM (0A) verifies */
	test_apdu_expect(f->card,
			 "0026008108"
			 "35363738FFFFFFFF",
			 "6985");
	test_apdu_expect(f->card,
			 "0020008108"
			 "35363738FFFFFFFF",
			 "9000");
	test_apdu_expect(f->card,
			 "0020000A08"
			 "3131313131313131",
			 "9000");
	test_apdu_expect(f->card, "00A4000C026FAD", "9000");
	test_apdu_expect(f->card,
			 "00D6000301"
			 "03",
			 "9000");
	test_apdu_expect(f->card, "00B0000004",
			 "00000003"
			 "9000");
}

static gchar *
hex_of(const guint8 *data, gsize len)
{
	g_autoptr(GBytes) b = g_bytes_new(data, len);

	return test_to_hex(b);
}

static void
expect_auth_ok(SecurityFixture *f, const guint8 rand[16], guint64 sqn)
{
	g_autofree gchar *cmd = test_auth_command(f->k, f->opc, rand, sqn, FALSE);
	guint8 res[8], ck[16], ik[16], kc[8];
	g_autofree gchar *res_h = NULL, *ck_h = NULL, *ik_h = NULL, *kc_h = NULL;
	g_autofree gchar *expected = NULL;

	remsim_simcard_milenage_f2345(f->k, f->opc, rand, res, ck, ik, NULL, NULL);
	remsim_simcard_milenage_gsm_c3(ck, ik, kc);
	res_h = hex_of(res, 8);
	ck_h = hex_of(ck, 16);
	ik_h = hex_of(ik, 16);
	kc_h = hex_of(kc, 8);
	test_apdu_expect(f->card, cmd, "6135");
	expected = g_strdup_printf("db08%s10%s10%s08%s9000", res_h, ck_h, ik_h, kc_h);
	test_apdu_expect(f->card, "00C0000035", expected);
}

static guint64
expect_sync_failure(SecurityFixture *f, const guint8 rand[16], guint64 sqn)
{
	return test_auth_expect_sync_failure(f->card, f->k, f->opc, rand, sqn);
}

static void
test_auth_umts(SecurityFixture *f, gconstpointer data)
{
	guint8 rand[16];
	/* SEQ 100, IND 3 (IND is the 5 low bits of SQN) */
	guint64 sqn = (100 << 5) | 3;

	for (guint i = 0; i < 16; i++)
		rand[i] = (guint8)(0x10 + 7 * i);
	/* authentication needs PIN1 */
	{
		g_autofree gchar *cmd = test_auth_command(f->k, f->opc, rand, sqn, FALSE);

		test_apdu_expect(f->card, cmd, "6982");
	}
	verify_pin1(f);
	expect_auth_ok(f, rand, sqn);
	/* the same AUTN again is a replay: resynchronisation with the card's SQN */
	g_assert_cmphex(expect_sync_failure(f, rand, sqn), ==, sqn);
	/* a smaller SEQ in another IND slot is still fresh (TS 33.102 C.3.2) */
	rand[0] ^= 0xFF;
	expect_auth_ok(f, rand, (90 << 5) | 4);
	/* but an older SEQ in that same slot is not */
	rand[1] ^= 0xFF;
	g_assert_cmphex(expect_sync_failure(f, rand, (85 << 5) | 4), ==, sqn);
	/* a jump larger than delta (2^28 SEQ) is refused, AUTS reports the highest SQN */
	g_assert_cmphex(expect_sync_failure(f, rand, ((guint64)(100 + (1u << 28) + 1) << 5) | 5),
			==, sqn);
	/* the network resynchronises from AUTS: SQNms + 32 is the next fresh one */
	expect_auth_ok(f, rand, sqn + 32);
}

static void
test_auth_mac_failure(SecurityFixture *f, gconstpointer data)
{
	guint8 rand[16] = { 0 };
	g_autofree gchar *bad = test_auth_command(f->k, f->opc, rand, 1 << 5, TRUE);

	verify_pin1(f);
	test_apdu_expect(f->card, bad, "9862");
	test_apdu_expect(f->card, "00C0000010", "6985");
	/* the failed attempt did not consume the SQN */
	expect_auth_ok(f, rand, 1 << 5);
}

static void
test_auth_gsm_context(SecurityFixture *f, gconstpointer data)
{
	guint8 rand[16], res[8], ck[16], ik[16], sres[4], kc[8];
	g_autofree gchar *rand_h = NULL, *cmd = NULL, *expected = NULL, *gsm_cmd = NULL;
	g_autofree gchar *sres_h = NULL, *kc_h = NULL;

	for (guint i = 0; i < 16; i++)
		rand[i] = (guint8)(0xA5 ^ (31 * i));
	rand_h = hex_of(rand, 16);
	remsim_simcard_milenage_f2345(f->k, f->opc, rand, res, ck, ik, NULL, NULL);
	remsim_simcard_milenage_gsm_c2(res, sres);
	remsim_simcard_milenage_gsm_c3(ck, ik, kc);
	sres_h = hex_of(sres, 4);
	kc_h = hex_of(kc, 8);
	verify_pin1(f);
	cmd = g_strdup_printf("0088008011 10%s", rand_h);
	test_apdu_expect(f->card, cmd, "610E");
	expected = g_strdup_printf("04%s08%s9000", sres_h, kc_h);
	test_apdu_expect(f->card, "00C000000E", expected);
	/* RUN GSM ALGORITHM (class A0) gives the same SRES and Kc */
	remsim_simcard_card_reset(f->card);
	test_apdu_expect(f->card, "A0A40000027F20", "9F16");
	gsm_cmd = g_strdup_printf("A088000010%s", rand_h);
	test_apdu_expect(f->card, gsm_cmd, "9804");
	test_apdu_expect(f->card, "A020000108" PIN_1234, "9000");
	test_apdu_expect(f->card, gsm_cmd, "9F0C");
	g_free(expected);
	expected = g_strdup_printf("%s%s9000", sres_h, kc_h);
	test_apdu_expect(f->card, "A0C000000C", expected);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/simcard/pin/block-and-unblock", SecurityFixture, NULL, fixture_setup,
		   test_pin_block_and_unblock, fixture_teardown);
	g_test_add("/simcard/pin/puk-permanently-blocked", SecurityFixture, NULL, fixture_setup,
		   test_puk_permanently_blocked, fixture_teardown);
	g_test_add("/simcard/pin/change-disable-enable", SecurityFixture, NULL, fixture_setup,
		   test_pin_change_disable_enable, fixture_teardown);
	g_test_add("/simcard/auth/umts", SecurityFixture, NULL, fixture_setup, test_auth_umts,
		   fixture_teardown);
	g_test_add("/simcard/auth/mac-failure", SecurityFixture, NULL, fixture_setup,
		   test_auth_mac_failure, fixture_teardown);
	g_test_add("/simcard/auth/gsm-context", SecurityFixture, NULL, fixture_setup,
		   test_auth_gsm_context, fixture_teardown);
	return g_test_run();
}
