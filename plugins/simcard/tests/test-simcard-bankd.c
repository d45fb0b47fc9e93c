/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd with the simcard backend: what a client gets through the relay
 * (ATR, then SELECT / READ / VERIFY / AUTHENTICATE) must be byte for byte what
 * the same card profile answers when asked directly, in-process; the end of a
 * session (client gone, map removed) powers the card off, which saves the
 * state it changed; the second slot holds the second profile's card; the
 * modem's reset lines reset the card on their edges, and only there.
 */
#include "config.h"

#include <string.h>

#include "remsim-simcard-card.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define CLIENT_ID 11

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

/* a bank of two simulated cards, and the first one in this process */
typedef struct {
	gchar *state_dir;
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
	RemsimSimcardCard *card;
	gchar *profile;
} SimcardFixture;

static gchar *
profile_path(const gchar *name)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");

	g_assert_nonnull(srcdir);
	return g_build_filename(srcdir, "data", "cards", name, NULL);
}

static void
fixture_setup(SimcardFixture *f, gconstpointer data)
{
	g_autofree gchar *profile2 = profile_path("sample-002.json");
	g_autofree gchar *conf = NULL;
	g_autoptr(GError) error = NULL;

	f->profile = profile_path("sample-001.json");
	f->state_dir = remsim_test_common_make_dir("remsim-simcard-state-XXXXXX");
	f->card = remsim_simcard_card_new_from_file(f->profile, &error);
	g_assert_no_error(error);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	conf = g_strdup_printf("[simcard]\nslots=2\nprofiles=%s;%s\nstate-dir=%s\n", f->profile,
			       profile2, f->state_dir);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "simcard",
					.n_slots = 2,
					.config = conf });
	remsim_test_peer_wait_hellos(f->server, 1);
}

static void
fixture_teardown(SimcardFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_clear_object(&f->card);
	remsim_test_common_remove_tree(f->state_dir);
	g_free(f->state_dir);
	g_free(f->profile);
}

/* a client of bank slot @bank_slot that got the card's ATR */
static RemsimTestPeer *
connect_client(SimcardFixture *f, guint16 bank_slot)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(CLIENT_ID, 0);

	g_assert_cmpint(remsim_test_peer_map(f->server, bank_slot, CLIENT_ID, 0), ==,
			RSPRO_RESULT_OK);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
			RSPRO_RESULT_OK);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) == 1);
	return client;
}

/* the session through bank slot 0, each answer compared with the card's own */
static void
run_session(SimcardFixture *f, RemsimTestPeer *client)
{
	remsim_simcard_card_reset(f->card);
	for (guint i = 0; i < G_N_ELEMENTS(session); i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(session[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card, apdu);
		g_autoptr(GBytes) relayed = remsim_test_peer_apdu(client, 0, apdu);
		g_autofree gchar *want = remsim_test_common_bytes_hex(direct);
		g_autofree gchar *got = NULL;

		g_assert_nonnull(relayed);
		got = remsim_test_common_bytes_hex(relayed);
		g_test_message("%s → %s", session[i], got);
		g_assert_cmpstr(got, ==, want);
		if (g_str_has_prefix(session[i], "A02000010831323334"))
			g_assert_true(g_str_has_suffix(got, "9000"));
		if (g_str_has_prefix(session[i], "A088"))
			g_assert_cmpstr(got, ==, "9F0C");
	}
}

static void
test_relay_equals_card(SimcardFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) card_atr = remsim_simcard_card_get_atr(f->card);
	g_autoptr(RemsimTestPeer) client = connect_client(f, 0);

	g_assert_true(g_bytes_equal(
	    remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ)->u.set_atr_req.atr, card_atr));
	run_session(f, client);
}

/* pins.pin1.retries of a saved card state */
static gint64
pin1_retries(const gchar *state_file)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonObject *root;

	json_parser_load_from_file(parser, state_file, &error);
	g_assert_no_error(error);
	root = json_node_get_object(json_parser_get_root(parser));
	return json_object_get_int_member(
	    json_object_get_object_member(json_object_get_object_member(root, "pins"), "pin1"),
	    "retries");
}

typedef struct {
	const gchar *path;
	gint64 retries;
} SavedRetries;

/* the state file is there and holds @retries tries of PIN1 */
static gboolean
saved_with(gpointer data)
{
	const SavedRetries *want = data;

	return g_file_test(want->path, G_FILE_TEST_EXISTS) &&
	       pin1_retries(want->path) == want->retries;
}

/* a wrong CHV1, which costs the card one of its tries */
static const gchar *const wrong_pin[] = {
	"A0A40000027F20",	      /* SELECT DF GSM */
	"A0200001083131313131313131", /* VERIFY CHV1 with a wrong PIN */
};

/* how the bank ends the session that @end names */
typedef enum {
	END_CLIENT_GONE,
	END_UNMAP,
} SessionEnd;

/*
 * The bank powers the card off when its session ends (the client goes, or the
 * map is removed); that, and nothing before it, saves the state the session
 * changed (the bank's inventory read at start may have saved the card as it
 * was). The file then holds the PIN try the session cost, as the same card in
 * this process counts it, and a fresh card takes it back.
 */
static void
test_state_saved(SimcardFixture *f, gconstpointer data)
{
	SessionEnd end = GPOINTER_TO_INT(data);
	g_autoptr(RemsimTestPeer) client = connect_client(f, 0);
	g_autofree gchar *base =
	    g_strdup_printf("slot0-%s.json", remsim_simcard_card_get_iccid(f->card));
	g_autofree gchar *state_file = g_build_filename(f->state_dir, base, NULL);
	g_autofree gchar *before = g_build_filename(f->state_dir, "before.json", NULL);
	g_autofree gchar *after = g_build_filename(f->state_dir, "after.json", NULL);
	g_autoptr(RemsimSimcardCard) fresh = NULL;
	g_autoptr(GError) error = NULL;

	/* the same card here, before and after the wrong PIN */
	remsim_simcard_card_reset(f->card);
	g_assert_true(remsim_simcard_card_save_state(f->card, before, &error));
	for (guint i = 0; i < G_N_ELEMENTS(wrong_pin); i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(wrong_pin[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card, apdu);
		g_autoptr(GBytes) relayed = remsim_test_peer_apdu(client, 0, apdu);

		g_assert_nonnull(relayed);
		g_assert_true(g_bytes_equal(relayed, direct));
	}
	g_assert_true(remsim_simcard_card_save_state(f->card, after, &error));
	g_assert_cmpint(pin1_retries(after), ==, pin1_retries(before) - 1);
	/* the card is still powered: the try it cost is not saved yet */
	if (g_file_test(state_file, G_FILE_TEST_EXISTS))
		g_assert_cmpint(pin1_retries(state_file), ==, pin1_retries(before));

	if (end == END_UNMAP) {
		g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, CLIENT_ID, 0), ==,
				RSPRO_RESULT_OK);
		g_assert_true(remsim_test_peer_wait_closed(client));
	} else {
		g_clear_object(&client);
	}
	REMSIM_TEST_WAIT_FOR(saved_with(&(SavedRetries){ state_file, pin1_retries(after) }));
	fresh = remsim_simcard_card_new_from_file(f->profile, &error);
	g_assert_no_error(error);
	g_assert_true(remsim_simcard_card_load_state(fresh, state_file, &error));
	g_assert_no_error(error);
}

/* the digits of BCD @data with swapped nibbles (EF.ICCID; EF.IMSI after its length) */
static gchar *
swapped_bcd(const guint8 *data, gsize len, gboolean skip_first_nibble)
{
	GString *digits = g_string_new(NULL);

	for (gsize i = 0; i < len; i++) {
		guint8 lo = data[i] & 0x0f, hi = data[i] >> 4;

		if (lo <= 9 && !(skip_first_nibble && i == 0))
			g_string_append_c(digits, '0' + lo);
		if (hi <= 9)
			g_string_append_c(digits, '0' + hi);
	}
	return g_string_free(digits, FALSE);
}

/* @apdus through bank slot @slot and to @card: equal answers; the last one's data */
static gchar *
read_both(RemsimTestPeer *client, guint16 slot, RemsimSimcardCard *card, const gchar *const *apdus,
	  gsize n, gboolean imsi)
{
	g_autoptr(GBytes) last = NULL;
	const guint8 *data;
	gsize len;

	for (gsize i = 0; i < n; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(apdus[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(card, apdu);
		g_autoptr(GBytes) relayed = remsim_test_peer_apdu(client, slot, apdu);

		g_assert_nonnull(relayed);
		g_assert_true(g_bytes_equal(relayed, direct));
		g_clear_pointer(&last, g_bytes_unref);
		last = g_bytes_ref(relayed);
	}
	data = g_bytes_get_data(last, &len);
	g_assert_cmpuint(len, >, 2);
	g_assert_cmphex(data[len - 2], ==, 0x90);
	g_assert_cmphex(data[len - 1], ==, 0x00);
	len -= 2;
	/* EF.IMSI: a length byte, then the parity nibble before the first digit */
	return imsi ? swapped_bcd(data + 1, len - 1, TRUE) : swapped_bcd(data, len, FALSE);
}

/*
 * The second slot holds the second profile's card: its ICCID and IMSI, read
 * through the bank, are that profile's, answered as that card answers here.
 */
static void
test_second_profile(SimcardFixture *f, gconstpointer data)
{
	static const gchar *const iccid[] = { "A0A40000023F00", "A0A40000022FE2", "A0B000000A" };
	static const gchar *const imsi[] = { "A0A40000027F20", "A0A40000026F07",
					     "A02000010831323334FFFFFFFF", "A0B0000009" };
	g_autofree gchar *profile2 = profile_path("sample-002.json");
	g_autoptr(RemsimSimcardCard) card2 = NULL;
	g_autoptr(RemsimTestPeer) client = connect_client(f, 1);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *got_iccid = NULL;
	g_autofree gchar *got_imsi = NULL;
	g_autoptr(GBytes) atr2 = NULL;

	card2 = remsim_simcard_card_new_from_file(profile2, &error);
	g_assert_no_error(error);
	remsim_simcard_card_reset(card2);
	atr2 = remsim_simcard_card_get_atr(card2);
	g_assert_true(g_bytes_equal(
	    remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ)->u.set_atr_req.atr, atr2));
	got_iccid = read_both(client, 1, card2, iccid, G_N_ELEMENTS(iccid), FALSE);
	got_imsi = read_both(client, 1, card2, imsi, G_N_ELEMENTS(imsi), TRUE);
	g_assert_cmpstr(got_iccid, ==, remsim_simcard_card_get_iccid(card2));
	g_assert_cmpstr(got_imsi, ==, remsim_simcard_card_get_imsi(card2));
	/* and not the first profile's */
	g_assert_cmpstr(got_iccid, !=, remsim_simcard_card_get_iccid(f->card));
	g_assert_cmpstr(got_imsi, !=, remsim_simcard_card_get_imsi(f->card));
}

/* @apdu through bank slot 0 and to the card in-process: the same answer, which is returned */
static gchar *
apdu_both(SimcardFixture *f, RemsimTestPeer *client, const gchar *hex)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(hex);
	g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card, apdu);
	g_autoptr(GBytes) relayed = remsim_test_peer_apdu(client, 0, apdu);
	g_autofree gchar *want = remsim_test_common_bytes_hex(direct);
	gchar *got;

	g_assert_nonnull(relayed);
	got = remsim_test_common_bytes_hex(relayed);
	g_assert_cmpstr(got, ==, want);
	return got;
}

/* READ BINARY of the ICCID answers 10 bytes and 90 00 only while EF ICCID is selected */
static gboolean
reads_iccid(SimcardFixture *f, RemsimTestPeer *client)
{
	g_autofree gchar *got = apdu_both(f, client, "A0B000000A");

	return strlen(got) == 24 && g_str_has_suffix(got, "9000");
}

/*
 * The modem's lines, as upstream's bankd reads them: RST rising is a warm reset,
 * VCC falling a cold one; a level that stays is no reset. A reset shows in the
 * card: the selected file is the MF again, so EF ICCID no longer reads.
 */
static void
test_modem_resets(SimcardFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = connect_client(f, 0);
	g_autofree gchar *select = NULL;

	remsim_simcard_card_reset(f->card);
	select = apdu_both(f, client, "A0A40000022FE2");
	g_assert_true(reads_iccid(f, client));
	/* RST rises: reset */
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	remsim_simcard_card_reset(f->card);
	g_assert_false(reads_iccid(f, client));
	g_free(apdu_both(f, client, "A0A40000022FE2"));
	/* RST stays active, then falls: no reset */
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	g_assert_true(reads_iccid(f, client));
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	g_assert_true(reads_iccid(f, client));
	/* VCC falls: reset; VCC stays off, then comes back: no reset */
	remsim_test_peer_send_status(client, 0, FALSE, FALSE);
	remsim_simcard_card_reset(f->card);
	g_assert_false(reads_iccid(f, client));
	g_free(apdu_both(f, client, "A0A40000022FE2"));
	remsim_test_peer_send_status(client, 0, FALSE, FALSE);
	g_assert_true(reads_iccid(f, client));
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	g_assert_true(reads_iccid(f, client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ), ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, data, fn)                                                                        \
	g_test_add("/bankd/simcard/" name, SimcardFixture, data, fixture_setup, fn,                \
		   fixture_teardown)
	ADD("relay-equals-card", NULL, test_relay_equals_card);
	ADD("state-saved/client-gone", GINT_TO_POINTER(END_CLIENT_GONE), test_state_saved);
	ADD("state-saved/unmap", GINT_TO_POINTER(END_UNMAP), test_state_saved);
	ADD("second-profile", NULL, test_second_profile);
	ADD("modem-resets", NULL, test_modem_resets);
	return g_test_run();
}
