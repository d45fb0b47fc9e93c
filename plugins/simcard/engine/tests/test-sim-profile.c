/* Card profiles (samples, errors naming the field) and the saved state round trip. */
#include "test-simcard-util.h"

#include <glib/gstdio.h>

#define PIN_1234 "31323334FFFFFFFF"
#define BASE_PROFILE                                                                               \
	"\"iccid\":\"8900101000000000777\",\"imsi\":\"001010000000777\","                          \
	"\"ki\":\"000102030405060708090a0b0c0d0e0f\","                                             \
	"\"opc\":\"101112131415161718191a1b1c1d1e1f\",\"pin1\":\"1234\","                          \
	"\"puk1\":\"12345678\",\"pin2\":\"5678\",\"puk2\":\"87654321\",\"adm\":\"11111111\""

static RemsimSimcardCard *
card_from_string(const gchar *json, GError **error)
{
	g_autoptr(JsonNode) node = json_from_string(json, NULL);

	g_assert_nonnull(node);
	return remsim_simcard_card_new_from_json(node, error);
}

static void
test_profile_samples(void)
{
	g_autoptr(GHashTable) iccids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) imsis = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 1; i <= 4; i++) {
		g_autofree gchar *rel = g_strdup_printf("data/cards/sample-%03u.json", i);
		g_autoptr(RemsimSimcardCard) card = test_card_new(rel);
		const gchar *imsi = remsim_simcard_card_get_imsi(card);

		/* the test PLMN 001-01 */
		g_assert_true(g_str_has_prefix(imsi, "00101"));
		g_assert_true(
		    g_hash_table_add(iccids, g_strdup(remsim_simcard_card_get_iccid(card))));
		g_assert_true(g_hash_table_add(imsis, g_strdup(imsi)));
		/* every sample boots: the USIM answers */
		test_apdu_expect(card, "00A4040C07A0000000871002", "9000");
	}
}

static void
test_profile_sample_pin_disabled(void)
{
	g_autoptr(RemsimSimcardCard) card = test_card_new("data/cards/sample-004.json");

	/* sample 4 ships with PIN1 disabled and an HPPLMN override of 0A */
	test_apdu_expect(card, "0020000100", "9000");
	test_apdu_expect(card, "00A4040C07A0000000871002", "9000");
	test_apdu_expect(card, "00A4080C047FFF6F31", "9000");
	test_apdu_expect(card, "00B0000001", "0A9000");
}

static void
expect_profile_error(const gchar *json, gint code, const gchar *field)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card = card_from_string(json, &error);
	g_autofree gchar *quoted = g_strdup_printf("“%s”", field);

	g_assert_null(card);
	g_assert_error(error, REMSIM_SIMCARD_PROFILE_ERROR, code);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, quoted));
}

static void
test_profile_errors(void)
{
	expect_profile_error("{\"imsi\":\"001010000000001\"}", REMSIM_SIMCARD_PROFILE_ERROR_MISSING,
			     "iccid");
	expect_profile_error("{" BASE_PROFILE ",\"pin3\":\"1\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_UNKNOWN, "pin3");
	expect_profile_error("{\"iccid\":\"8900101000000000777\",\"imsi\":\"00101x\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "imsi");
	expect_profile_error("{\"iccid\":\"8900101000000000777\",\"imsi\":\"001010000000777\","
			     "\"ki\":\"0001\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "ki");
	expect_profile_error("{" BASE_PROFILE ",\"op\":\"000102030405060708090a0b0c0d0e0f\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "op");
	expect_profile_error("{" BASE_PROFILE ",\"mcc\":\"262\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "imsi");
	expect_profile_error("{" BASE_PROFILE ",\"spn\":\"a name far too long for it\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "spn");
	expect_profile_error("{" BASE_PROFILE ",\"pin1_enabled\":\"no\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "pin1_enabled");
	expect_profile_error("{" BASE_PROFILE ",\"files\":{\"3F00/7FFF/6FFF\":\"00\"}}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "files.3F00/7FFF/6FFF");
	expect_profile_error("{" BASE_PROFILE ",\"files\":{\"3F00/7FFF/6F40\":\"0011\"}}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "files.3F00/7FFF/6F40");
	expect_profile_error("{" BASE_PROFILE ",\"files\":{\"3F00/7FFF/6F07\":\"0g\"}}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "files.3F00/7FFF/6F07");
	expect_profile_error("{" BASE_PROFILE ",\"atr\":\"0011\"}",
			     REMSIM_SIMCARD_PROFILE_ERROR_INVALID, "atr");
}

static void
test_profile_file_errors(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("remsim-simcard-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename(dir, "broken.json", NULL);
	g_autofree gchar *missing = g_build_filename(dir, "missing.json", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card = NULL;

	g_assert_nonnull(dir);
	/* a field error names the file and the field */
	g_assert_true(g_file_set_contents(path, "{" BASE_PROFILE ",\"ki\":1}", -1, NULL));
	card = remsim_simcard_card_new_from_file(path, &error);
	g_assert_null(card);
	g_assert_nonnull(error);
	g_assert_true(g_str_has_prefix(error->message, path));
	g_assert_nonnull(strstr(error->message, "“ki”"));
	g_clear_error(&error);
	/* a syntax error names the file */
	g_assert_true(g_file_set_contents(path, "{\"iccid\": ", -1, NULL));
	card = remsim_simcard_card_new_from_file(path, &error);
	g_assert_null(card);
	g_assert_error(error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
	g_assert_true(g_str_has_prefix(error->message, path));
	g_clear_error(&error);
	card = remsim_simcard_card_new_from_file(missing, &error);
	g_assert_null(card);
	g_assert_nonnull(error);
	g_clear_error(&error);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* K and OPc of test-card.json (those of 35.208 test set 1) */
static void
test_card_keys(guint8 k[16], guint8 opc[16])
{
	g_autoptr(GBytes) kb = test_hex("465b5ce8b199b49faa5f0a2ee238a6bc");
	g_autoptr(GBytes) ob = test_hex("cd63cb71954a9f4e48a5994e37a02baf");

	memcpy(k, g_bytes_get_data(kb, NULL), 16);
	memcpy(opc, g_bytes_get_data(ob, NULL), 16);
}

static void
test_state_round_trip(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("remsim-simcard-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename(dir, "state.json", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	g_autoptr(RemsimSimcardCard) copy =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	guint8 k[16], opc[16], rand[16];
	guint64 sqn = (200 << 5) | 7;
	g_autofree gchar *auth = NULL;
	g_autofree gchar *text = NULL;

	test_card_keys(k, opc);
	for (guint i = 0; i < 16; i++)
		rand[i] = (guint8)(3 * i + 1);
	auth = test_auth_command(k, opc, rand, sqn, FALSE);
	test_apdu_expect(card, "00A4040C07A0000000871002", "9000");
	test_apdu_expect(card, "0020000108" PIN_1234, "9000");
	test_apdu_expect(card, auth, "6135");
	test_apdu_expect(card, "00A4000C026F7E", "9000");
	test_apdu_expect(card,
			 "00D6000004"
			 "01020304",
			 "9000");
	test_apdu_expect(card,
			 "0020000108"
			 "30303030FFFFFFFF",
			 "63C2");
	g_assert_true(remsim_simcard_card_save_state(card, path, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "3F00/7FFF/6F7E"));
	/* unchanged files are not in the state: the profile stays their source */
	g_assert_null(strstr(text, "3F00/7FFF/6F07"));

	g_assert_true(remsim_simcard_card_load_state(copy, path, &error));
	g_assert_no_error(error);
	/* the PIN counter survived; the restored card starts unverified */
	test_apdu_expect(copy, "0020000100", "63C2");
	test_apdu_expect(copy, "00A4040C07A0000000871002", "9000");
	test_apdu_expect(copy, "0020000108" PIN_1234, "9000");
	/* the SQN survived: the same AUTN is now a replay, AUTS reports it */
	g_assert_cmphex(test_auth_expect_sync_failure(copy, k, opc, rand, sqn), ==, sqn);
	/* and the file update */
	test_apdu_expect(copy, "00A4000C026F7E", "9000");
	test_apdu_expect(copy, "00B0000004",
			 "01020304"
			 "9000");

	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_state_refused(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("remsim-simcard-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename(dir, "state.json", NULL);
	g_autofree gchar *damaged = g_build_filename(dir, "damaged.json", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card =
	    test_card_new("plugins/simcard/engine/tests/test-card.json");
	g_autoptr(RemsimSimcardCard) stranger = test_card_new("data/cards/sample-001.json");

	test_apdu_expect(card,
			 "0020000108"
			 "30303030FFFFFFFF",
			 "63C2");
	g_assert_true(remsim_simcard_card_save_state(card, path, &error));
	/* another card's state is refused, naming the field, and changes nothing */
	g_assert_false(remsim_simcard_card_load_state(stranger, path, &error));
	g_assert_error(error, REMSIM_SIMCARD_PROFILE_ERROR, REMSIM_SIMCARD_PROFILE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "“iccid”"));
	g_clear_error(&error);
	test_apdu_expect(stranger, "0020000100", "63C3");

	/* a damaged state: PIN1 is fine but PIN2 is missing; nothing is applied */
	g_assert_true(
	    g_file_set_contents(damaged,
				"{\"format\":\"remsim-simcard-state\",\"version\":1,"
				"\"iccid\":\"8900101234567890123\",\"pins\":{\"pin1\":{\"code\":"
				"\"31323334ffffffff\",\"retries\":0,\"unblock_retries\":10,"
				"\"enabled\":true}},\"sqn\":{},\"files\":{}}",
				-1, NULL));
	g_assert_false(remsim_simcard_card_load_state(card, damaged, &error));
	g_assert_error(error, REMSIM_SIMCARD_PROFILE_ERROR, REMSIM_SIMCARD_PROFILE_ERROR_INVALID);
	g_assert_true(g_str_has_prefix(error->message, damaged));
	g_assert_nonnull(strstr(error->message, "“pins.pin2”"));
	g_clear_error(&error);
	test_apdu_expect(card, "0020000100", "63C2");
	/* not JSON at all */
	g_assert_true(g_file_set_contents(damaged, "not json", -1, NULL));
	g_assert_false(remsim_simcard_card_load_state(card, damaged, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);
	test_apdu_expect(card, "0020000100", "63C2");

	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_unlink(damaged), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/simcard/profile/samples", test_profile_samples);
	g_test_add_func("/simcard/profile/sample-pin-disabled", test_profile_sample_pin_disabled);
	g_test_add_func("/simcard/profile/errors", test_profile_errors);
	g_test_add_func("/simcard/profile/file-errors", test_profile_file_errors);
	g_test_add_func("/simcard/state/round-trip", test_state_round_trip);
	g_test_add_func("/simcard/state/refused", test_state_refused);
	return g_test_run();
}
