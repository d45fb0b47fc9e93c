/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real remsim-bankd with the ccid backend, its readers those of the CCID
 * device simulator (a process of its own, over a Unix socket), its slots
 * assigned by upstream's CSV slot file written with CCID reader names: what a
 * test client gets through the bank (ATR, then a modem's boot commands) is
 * byte for byte what the simulated card answers when asked directly. The bank
 * sits between a scripted server peer and a scripted client peer.
 */
#include "config.h"

#include <signal.h>

#include "ccid-test-sim.h"
#include "remsim-simcard-card.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

static const gchar *const session[] = {
	"A0A40000023F00", "A0C0000016",
	"A0A40000022FE2", "A0B000000A",
	"A0A40000027F20", "A0A40000026F07",
	"A0B0000009",	  "A02000010831323334FFFFFFFF",
	"A0B0000009",	  "A08800001000112233445566778899AABBCCDDEEFF",
	"A0C000000C",	  "00A40004023F00",
	"00F2000000",	  "00FF000000",
};

/* the simulator with two slots, the bank on it, and the card in this process */
typedef struct {
	gchar *dir;
	GSubprocess *sim;
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
	RemsimSimcardCard *card;
} CcidBankdFixture;

static void
fixture_setup(CcidBankdFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *socket = NULL;
	g_autofree gchar *csv = NULL;
	g_autofree gchar *conf = NULL;
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);

	f->dir = remsim_test_common_make_dir("remsim-ccid-bankd-XXXXXX");
	socket = g_build_filename(f->dir, "sim.sock", NULL);
	f->card = remsim_simcard_card_new_from_file(profile, &error);
	g_assert_no_error(error);
	/* upstream's CSV format: bank 1 slot 0 by reader name, slot 1 by serial number */
	csv = remsim_test_common_write_file(f->dir, "slots.csv",
					    "\"1\",\"0\",\"^Remsim CCID Simulator \\(SIM0001\\) "
					    "[0-9A-F]{2} 00$\"\n"
					    "\"1\",\"1\",\"serial:SIM0001/1\"\n");
	conf = g_strdup_printf("\n[ccid]\nsimulator=%s\nslot-file=%s\n", socket, csv);
	f->sim = ccid_test_sim_start(socket, 2);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "ccid",
					.n_slots = 2,
					.config = conf,
					.capture_stderr = TRUE });
	remsim_test_peer_wait_hellos(f->server, 1);
	/* the bank has found the simulator's reader for both of its slots */
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "uses reader slot") == 2);
}

static void
fixture_teardown(CcidBankdFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	if (f->sim != NULL)
		g_assert_true(remsim_test_common_daemon_stop(f->sim, SIGTERM, 5000));
	g_clear_object(&f->sim);
	g_clear_object(&f->card);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

/* bank slot @data: a client gets the card's ATR and its answers, byte for byte */
static void
test_relay_equals_card(CcidBankdFixture *f, gconstpointer data)
{
	guint16 bank_slot = GPOINTER_TO_UINT(data);
	g_autoptr(GBytes) card_atr = remsim_simcard_card_get_atr(f->card);
	g_autoptr(RemsimTestPeer) client = remsim_test_peer_new_client(21, 0);

	g_assert_cmpint(remsim_test_peer_map(f->server, bank_slot, 21, 0), ==, RSPRO_RESULT_OK);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
			RSPRO_RESULT_OK);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) == 1);
	g_assert_true(g_bytes_equal(
	    remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ)->u.set_atr_req.atr, card_atr));
	remsim_simcard_card_reset(f->card);
	for (guint i = 0; i < G_N_ELEMENTS(session); i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(session[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card, apdu);
		g_autoptr(GBytes) relayed = remsim_test_peer_apdu(client, bank_slot, apdu);
		g_autofree gchar *want = remsim_test_common_bytes_hex(direct);
		g_autofree gchar *got = NULL;

		g_assert_nonnull(relayed);
		got = remsim_test_common_bytes_hex(relayed);
		g_test_message("slot %u: %s → %s", bank_slot, session[i], got);
		g_assert_cmpstr(got, ==, want);
	}
	g_clear_object(&client);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, bank_slot, 21, 0), ==, RSPRO_RESULT_OK);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/ccid/bankd/relay-equals-card/by-reader-name", CcidBankdFixture,
		   GUINT_TO_POINTER(0), fixture_setup, test_relay_equals_card, fixture_teardown);
	g_test_add("/ccid/bankd/relay-equals-card/by-serial", CcidBankdFixture, GUINT_TO_POINTER(1),
		   fixture_setup, test_relay_equals_card, fixture_teardown);
	return g_test_run();
}
