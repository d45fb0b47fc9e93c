/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcscd reader driver end to end: a private pcscd that loads the built
 * libifd-remsim-client.so, a PC/SC program (python3-pyscard) that sends APDUs
 * through it, and test peers as server and bankd.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "client-test-pcscd.h"

#define WAIT_MS 30000

static void
test_ifd_pcsc(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *reader_conf = NULL;
	const gchar *driver = g_getenv("REMSIM_CLIENT_IFD_DRIVER");
	static const guint8 atr[] = { 0x3b, 0x15, 0x13, 0x80, 0x73, 0xff, 0x01, 0x00 };
	const gchar *apdus[] = { "a0 a4 00 00 02 3f 00", "00 b0 00 00 10", "00 c0 00 00", NULL };
	TestPeer *server, *bank;
	TestClient *app;

	if (test_pcscd_skip(driver))
		return;
	dir = g_dir_make_tmp("remsim-ifd-XXXXXX", &error);
	g_assert_no_error(error);
	server = test_peer_new_server();
	bank = test_peer_new_bank(1);
	g_bytes_unref(bank->atr);
	bank->atr = g_bytes_new_static(atr, sizeof(atr));
	test_peer_map(server, 1, 5, bank->port);
	/* the whole client runs inside pcscd; DEVICENAME says where the server is */
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim Test IFD\"\n"
				      "DEVICENAME 23:0:127.0.0.1:%u\n"
				      "LIBPATH %s\n",
				      server->port, driver);

	app = test_pcscd_app_run(dir, reader_conf, "Remsim Test IFD 00 00", apdus);
	if (app != NULL) {
		test_pcscd_app_check_session(app, server, bank, WAIT_MS);
	}
	test_peer_free(bank);
	test_peer_free(server);
	remsim_test_common_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/ifd/pcsc", test_ifd_pcsc);
	return g_test_run();
}
