/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-client's PC/SC front ends end to end, each with a private pcscd, a
 * PC/SC program (python3-pyscard) that sends APDUs, and scripted peers as
 * server and bankd: the vpcd front end (remsim-client as vsmartcard's virtual
 * card behind the vpcd driver), and the pcscd reader driver (the client inside
 * pcscd, loaded from the build).
 */
#include "config.h"

#include "remsim-test-pcscd.h"

/* a T=0 ATR pcscd accepts as is */
static const guint8 pcscd_atr[] = { 0x3b, 0x15, 0x13, 0x80, 0x73, 0xff, 0x01, 0x00 };
static const gchar *const apdus[] = { "a0 a4 00 00 02 3f 00", "00 b0 00 00 10", "00 c0 00 00",
				      NULL };

typedef struct {
	gchar *dir;
	RemsimTestPeer *server;
	RemsimTestPeer *bank;
	RemsimTestDaemon *client;
	RemsimTestDaemon *app;
} PcscdFixture;

/* @data: the reader driver pcscd is to load */
static void
fixture_setup(PcscdFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) atr = g_bytes_new_static(pcscd_atr, sizeof(pcscd_atr));

	if (remsim_test_pcscd_skip(data))
		return;
	f->dir = remsim_test_common_make_dir("remsim-pcscd-XXXXXX");
	f->bank = remsim_test_peer_new_bank(1, 1);
	remsim_test_peer_set_atr(f->bank, atr);
	remsim_test_peer_serve(f->bank, REMSIM_TEST_PEER_BANK_FOR_CLIENT);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_CLIENT);
	remsim_test_peer_set_config(f->server, 1, 5, remsim_test_peer_get_port(f->bank));
}

static void
fixture_teardown(PcscdFixture *f, gconstpointer data)
{
	g_clear_object(&f->app);
	g_clear_object(&f->client);
	g_clear_object(&f->bank);
	g_clear_object(&f->server);
	if (f->dir != NULL)
		remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

static void
test_vpcd(PcscdFixture *f, gconstpointer data)
{
	g_autofree gchar *reader_conf = NULL;
	g_autofree gchar *client_conf = NULL;
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };
	guint16 port;

	if (f->dir == NULL)
		return;
	port = remsim_test_common_free_port_pair();
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim Test VPCD\"\n"
				      "DEVICENAME /dev/null:%u\n"
				      "LIBPATH %s\n"
				      "CHANNELID %u\n",
				      port, (const gchar *)data, port);
	client_conf = g_strdup_printf("[client]\nfrontend=vpcd\nvpcd-port=%u\n", port);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.config = client_conf,
					.args = args });
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(f->bank, RSPRO_MSG_SET_ATR_RES) == 1);

	f->app = remsim_test_pcscd_run_app(f->dir, reader_conf, "Remsim Test VPCD 00 00", apdus);
	if (f->app != NULL)
		remsim_test_pcscd_check_session(f->app, f->server, f->bank);
}

static void
test_ifd(PcscdFixture *f, gconstpointer data)
{
	g_autofree gchar *reader_conf = NULL;

	if (f->dir == NULL)
		return;
	/* the whole client runs inside pcscd; DEVICENAME says where the server is */
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim Test IFD\"\n"
				      "DEVICENAME 23:0:127.0.0.1:%u\n"
				      "LIBPATH %s\n",
				      remsim_test_peer_get_port(f->server), (const gchar *)data);
	f->app = remsim_test_pcscd_run_app(f->dir, reader_conf, "Remsim Test IFD 00 00", apdus);
	if (f->app != NULL)
		remsim_test_pcscd_check_session(f->app, f->server, f->bank);
}

int
main(int argc, char **argv)
{
	const gchar *ifd = g_getenv("REMSIM_CLIENT_IFD_DRIVER");

	g_test_init(&argc, &argv, NULL);
	g_test_add("/client/vpcd/pcsc", PcscdFixture, REMSIM_TEST_PCSCD_VPCD_DRIVER, fixture_setup,
		   test_vpcd, fixture_teardown);
	/* the build says "none" where pcscd cannot load the driver (tests/meson.build) */
	if (g_strcmp0(ifd, "none") != 0)
		g_test_add("/client/ifd/pcsc", PcscdFixture, ifd, fixture_setup, test_ifd,
			   fixture_teardown);
	return g_test_run();
}
