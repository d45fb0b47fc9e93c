/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd with the simcard backend: what a client gets through the relay
 * (ATR, then SELECT / READ / VERIFY / AUTHENTICATE) must be byte for byte what
 * the same card profile answers when asked directly, in-process.
 */
#include "config.h"

#include "remsim-test-bankd.h"
#include "remsim-simcard-card.h"

/* GSM 11.11 (class A0) and UICC (class 00) commands a modem sends while booting */
static const gchar *const session[] = {
	"A0A40000023F00",			      /* SELECT MF */
	"A0C0000016",				      /* GET RESPONSE: its FCI */
	"A0A40000022FE2",			      /* SELECT EF ICCID */
	"A0B000000A",				      /* READ BINARY: the ICCID */
	"A0A40000027F20",			      /* SELECT DF GSM */
	"A0A40000026F07",			      /* SELECT EF IMSI */
	"A0B0000009",				      /* READ BINARY: read before PIN */
	"A0200001083131313131313131",		      /* VERIFY CHV1 with a wrong PIN */
	"A02000010831323334FFFFFFFF",		      /* VERIFY CHV1 1234 */
	"A0B0000009",				      /* READ BINARY: the IMSI now */
	"A08800001000112233445566778899AABBCCDDEEFF", /* RUN GSM ALGORITHM */
	"A0C000000C",				      /* GET RESPONSE: SRES + Kc */
	"00A40004023F00",			      /* UICC SELECT MF, FCP */
	"00A40004022F00",			      /* SELECT EF DIR */
	"00B2010420",				      /* READ RECORD 1: the USIM AID */
	"00F2000000",				      /* STATUS */
	"0088008122"
	"1000112233445566778899AABBCCDDEEFF"
	"1000000000000000000000000000000000", /* AUTHENTICATE (3G) with an AUTN the card must reject
					       */
	"00B0000005",			      /* READ BINARY with no EF selected */
	"00FF000000",			      /* an unknown instruction */
};

static gchar *
profile_path(const gchar *name)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");

	g_assert_nonnull(srcdir);
	return g_build_filename(srcdir, "data", "cards", name, NULL);
}

static gboolean
file_exists(gpointer path)
{
	return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void
test_relay_equals_card(void)
{
	g_autofree gchar *profile = profile_path("sample-001.json");
	g_autofree gchar *profile2 = profile_path("sample-002.json");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *state_dir = g_dir_make_tmp("remsim-simcard-state-XXXXXX", &error);
	g_autofree gchar *conf =
	    g_strdup_printf("slots=2\nprofiles=%s;%s\nstate-dir=%s", profile, profile2, state_dir);
	g_autofree gchar *state_file = NULL;
	g_autoptr(RemsimSimcardCard) card = remsim_simcard_card_new_from_file(profile, &error);
	g_autoptr(GBytes) card_atr = NULL;
	RemsimTestBankdServer *server;
	RemsimTestBankd *bankd;
	RemsimTestBankdClient *client;

	g_assert_no_error(error);
	card_atr = remsim_simcard_card_get_atr(card);
	server = remsim_test_bankd_server_new();
	bankd = remsim_test_bankd_start("simcard", 2, server->port, conf);
	g_assert_true(remsim_test_bankd_server_wait_hellos(server, 1));
	g_assert_cmpint(remsim_test_bankd_server_map(server, 0, 11, 0), ==, RSPRO_RESULT_OK);

	client = remsim_test_bankd_client_connect(bankd->port, 11, 0);
	g_assert_nonnull(client);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);
	g_assert_true(remsim_test_bankd_client_wait_atr(client));
	g_assert_true(g_bytes_equal(client->atr, card_atr));

	remsim_simcard_card_reset(card);
	for (guint i = 0; i < G_N_ELEMENTS(session); i++) {
		g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(session[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(card, apdu);
		g_autoptr(GBytes) relayed = remsim_test_bankd_client_apdu(client, 0, apdu);
		g_autofree gchar *want = remsim_test_bankd_bytes_hex(direct);
		g_autofree gchar *got = NULL;

		g_assert_nonnull(relayed);
		got = remsim_test_bankd_bytes_hex(relayed);
		g_test_message("%s → %s", session[i], got);
		g_assert_cmpstr(got, ==, want);
		if (g_str_has_prefix(session[i], "A02000010831323334"))
			g_assert_true(g_str_has_suffix(got, "9000"));
		if (g_str_has_prefix(session[i], "A088"))
			g_assert_cmpstr(got, ==, "9F0C");
	}
	remsim_test_bankd_client_free(client);

	/* the session's end powered the card off, which saved its state (PIN counter...) */
	{
		g_autofree gchar *base =
		    g_strdup_printf("slot0-%s.json", remsim_simcard_card_get_iccid(card));
		g_autoptr(RemsimSimcardCard) fresh =
		    remsim_simcard_card_new_from_file(profile, &error);

		state_file = g_build_filename(state_dir, base, NULL);
		g_assert_true(
		    remsim_test_common_spin_until(file_exists, state_file, TEST_TIMEOUT_MS));
		g_assert_true(remsim_simcard_card_load_state(fresh, state_file, &error));
		g_assert_no_error(error);
	}

	/* the other slot holds the other profile: its ICCID differs */
	g_assert_cmpint(remsim_test_bankd_server_map(server, 1, 11, 0), ==, RSPRO_RESULT_OK);
	client = remsim_test_bankd_client_connect(bankd->port, 11, 0);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);
	g_assert_true(remsim_test_bankd_client_wait_atr(client));
	{
		g_autoptr(GBytes) sel = remsim_test_bankd_hex_bytes("A0A40000022FE2");
		g_autoptr(GBytes) rd = remsim_test_bankd_hex_bytes("A0B000000A");
		g_autoptr(GBytes) r1 = remsim_test_bankd_client_apdu(client, 1, sel);
		g_autoptr(GBytes) r2 = remsim_test_bankd_client_apdu(client, 1, rd);
		g_autoptr(GBytes) d1 = remsim_simcard_card_transmit(card, sel);
		g_autoptr(GBytes) d2 = remsim_simcard_card_transmit(card, rd);

		g_assert_nonnull(r2);
		g_assert_cmpuint(g_bytes_get_size(r2), ==, 12);
		g_assert_false(g_bytes_equal(r2, d2));
	}
	remsim_test_bankd_client_free(client);
	remsim_test_bankd_stop(bankd);
	remsim_test_bankd_server_free(server);
	remsim_test_common_remove_tree(state_dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bankd/simcard/relay-equals-card", test_relay_equals_card);
	return g_test_run();
}
