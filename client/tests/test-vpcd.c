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
		test_pcscd_app_check_session(app, server, bank, WAIT_MS);
	}
	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
	remsim_test_common_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/vpcd/pcsc", test_vpcd_pcsc);
	return g_test_run();
}
