/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vpcd front end end to end: a private pcscd with vsmartcard's vpcd driver,
 * a PC/SC program (python3-pyscard) that sends APDUs, remsim-client as the
 * virtual card, and test peers as server and bankd.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "client-test-pcscd.h"

#define WAIT_MS 30000

static void
test_vpcd_pcsc(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *reader_conf = NULL;
	g_autofree gchar *client_conf_text = NULL;
	g_autofree gchar *client_conf = NULL;
	g_autofree gchar *config_arg = NULL;
	/* a T=0 ATR pcscd accepts as is */
	static const guint8 atr[] = { 0x3b, 0x15, 0x13, 0x80, 0x73, 0xff, 0x01, 0x00 };
	const gchar *apdus[] = { "a0 a4 00 00 02 3f 00", "00 b0 00 00 10", "00 c0 00 00", NULL };
	TestPeer *server, *bank;
	TestClient *client, *app;
	guint16 port;

	if (test_pcscd_skip(TEST_VPCD_DRIVER))
		return;
	dir = g_dir_make_tmp("remsim-vpcd-XXXXXX", &error);
	g_assert_no_error(error);
	port = test_free_port_pair();
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim Test VPCD\"\n"
				      "DEVICENAME /dev/null:%u\n"
				      "LIBPATH " TEST_VPCD_DRIVER "\n"
				      "CHANNELID %u\n",
				      port, port);
	client_conf_text = g_strdup_printf("[client]\nfrontend=vpcd\nvpcd-port=%u\n", port);
	client_conf = test_write_file(dir, "client.conf", client_conf_text);

	server = test_peer_new_server();
	bank = test_peer_new_bank(1);
	g_bytes_unref(bank->atr);
	bank->atr = g_bytes_new_static(atr, sizeof(atr));
	test_peer_map(server, 1, 5, bank->port);
	config_arg = g_strdup_printf("--config=%s", client_conf);
	{
		const gchar *args[] = { "-c", "23", "-n", "0", config_arg, NULL };

		client = test_client_spawn(server->port, args, NULL);
	}
	TEST_WAIT_FOR(bank->set_atr_res == 1, WAIT_MS);

	app = test_pcscd_app_run(dir, reader_conf, "Remsim Test VPCD 00 00", apdus);
	if (app != NULL) {
		TEST_WAIT_FOR(test_find_line_prefix(app, "WAIT_REMOVE") != NULL ||
				  test_find_line_prefix(app, "ERROR") != NULL || app->exited,
			      WAIT_MS);
		g_assert_null(test_find_line_prefix(app, "ERROR"));
		g_assert_cmpstr(test_find_line_prefix(app, "ATR "), ==,
				"ATR 3B 15 13 80 73 FF 01 00");
		/* each APDU went through the client to the bank: bank id, INS, 90 00 */
		g_assert_cmpstr(app->lines->pdata[2], ==, "RSP 01 A4 90 00");
		g_assert_cmpstr(app->lines->pdata[3], ==, "RSP 01 B0 90 00");
		g_assert_cmpstr(app->lines->pdata[4], ==, "RSP 01 C0 90 00");
		g_assert_cmpuint(bank->tpdus, ==, 3);
		g_assert_cmpuint(bank->tpdu_from.client_id, ==, 23);
		/* a case-1 APDU reaches the bank as a T=0 header with P3 = 0 */
		g_assert_cmpmem(g_bytes_get_data(bank->last_tpdu, NULL),
				g_bytes_get_size(bank->last_tpdu), "\x00\xc0\x00\x00\x00", 5);
		/* pcscd powered the card: the bank saw the modem-side status */
		g_assert_cmpuint(bank->status_inds, >=, 1);

		/* unmapped: the card leaves the reader */
		test_peer_map(server, 0, 0, 0);
		TEST_WAIT_FOR(test_find_line_prefix(app, "REMOVED") != NULL, WAIT_MS);
		TEST_WAIT_FOR(app->exited, WAIT_MS);
		g_assert_cmpint(app->exit_status, ==, 0);
		test_client_free(app);
	}
	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
	remsim_test_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/vpcd/pcsc", test_vpcd_pcsc);
	return g_test_run();
}
