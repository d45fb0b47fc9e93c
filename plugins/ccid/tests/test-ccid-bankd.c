/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real remsim-bankd with the ccid backend, its readers those of the CCID
 * device simulator (a process of its own, over a Unix socket), its slots
 * assigned by upstream's CSV slot file written with CCID reader names: what a
 * test client gets through the bank (ATR, then a modem's boot commands) is
 * byte for byte what the simulated card answers when asked directly.
 */
#include "config.h"

#include <signal.h>

#include "ccid-test-sim.h"
#include "remsim-simcard-card.h"
#include "remsim-test-bankd.h"

static const gchar *const session[] = {
	"A0A40000023F00", "A0C0000016",
	"A0A40000022FE2", "A0B000000A",
	"A0A40000027F20", "A0A40000026F07",
	"A0B0000009",	  "A02000010831323334FFFFFFFF",
	"A0B0000009",	  "A08800001000112233445566778899AABBCCDDEEFF",
	"A0C000000C",	  "00A40004023F00",
	"00F2000000",	  "00FF000000",
};

static void
test_relay_equals_card(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("remsim-ccid-bankd-XXXXXX", &error);
	g_autofree gchar *socket = g_build_filename(dir, "sim.sock", NULL);
	g_autofree gchar *csv = g_build_filename(dir, "slots.csv", NULL);
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *conf = g_strdup_printf("simulator=%s\nslot-file=%s\n", socket, csv);
	g_autoptr(RemsimSimcardCard) card = remsim_simcard_card_new_from_file(profile, &error);
	g_autoptr(GBytes) card_atr = NULL;
	g_autoptr(GSubprocess) sim = NULL;
	RemsimTestBankdServer *server;
	RemsimTestBankd *bankd;

	g_assert_no_error(error);
	/* upstream's CSV format: bank 1 slot 0 by reader name, slot 1 by serial number */
	g_assert_true(g_file_set_contents(csv,
					  "\"1\",\"0\",\"^Remsim CCID Simulator \\(SIM0001\\) "
					  "[0-9A-F]{2} 00$\"\n"
					  "\"1\",\"1\",\"serial:SIM0001/1\"\n",
					  -1, NULL));
	card_atr = remsim_simcard_card_get_atr(card);
	sim = ccid_test_sim_start(socket, 2);
	server = remsim_test_bankd_server_new();
	bankd = remsim_test_bankd_start("ccid", 2, server->port, conf);
	g_assert_true(remsim_test_bankd_server_wait_hellos(server, 1));

	for (guint16 bank_slot = 0; bank_slot < 2; bank_slot++) {
		RemsimTestBankdClient *client;

		g_assert_cmpint(remsim_test_bankd_server_map(server, bank_slot, 21, 0), ==,
				RSPRO_RESULT_OK);
		client = remsim_test_bankd_client_connect(bankd->port, 21, 0);
		g_assert_nonnull(client);
		g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);
		g_assert_true(remsim_test_bankd_client_wait_atr(client));
		g_assert_true(g_bytes_equal(client->atr, card_atr));
		remsim_simcard_card_reset(card);
		for (guint i = 0; i < G_N_ELEMENTS(session); i++) {
			g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(session[i]);
			g_autoptr(GBytes) direct = remsim_simcard_card_transmit(card, apdu);
			g_autoptr(GBytes) relayed =
			    remsim_test_bankd_client_apdu(client, bank_slot, apdu);
			g_autofree gchar *want = remsim_test_bankd_bytes_hex(direct);
			g_autofree gchar *got = NULL;

			g_assert_nonnull(relayed);
			got = remsim_test_bankd_bytes_hex(relayed);
			g_test_message("slot %u: %s → %s", bank_slot, session[i], got);
			g_assert_cmpstr(got, ==, want);
		}
		remsim_test_bankd_client_free(client);
		g_assert_cmpint(remsim_test_bankd_server_unmap(server, bank_slot, 21, 0), ==,
				RSPRO_RESULT_OK);
	}
	remsim_test_bankd_stop(bankd);
	remsim_test_bankd_server_free(server);
	g_assert_true(remsim_test_common_daemon_stop(sim, SIGTERM, 5000));
	remsim_test_common_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/bankd/relay-equals-card", test_relay_equals_card);
	return g_test_run();
}
