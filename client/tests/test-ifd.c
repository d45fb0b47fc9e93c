/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcscd reader driver end to end: a private pcscd that loads the built
 * libifd-remsim-client.so, a PC/SC program (python3-pyscard) that sends APDUs
 * through it, and test peers as server and bankd.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "client-test-peers.h"

#define WAIT_MS 30000

static gboolean
skip_unless(gboolean ok, const gchar *what)
{
	if (ok)
		return FALSE;
	if (g_strcmp0(g_getenv("REMSIM_TEST_STRICT"), "1") == 0)
		g_error("REMSIM_TEST_STRICT=1 and %s", what);
	g_printerr("SKIP: %s\n", what);
	g_test_skip(what);
	return TRUE;
}

static gboolean
python_has_pyscard(void)
{
	const gchar *argv[] = { "/usr/bin/python3", "-c", "import smartcard", NULL };
	gint status = -1;

	if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
			  NULL, &status, NULL))
		return FALSE;
	return g_spawn_check_wait_status(status, NULL);
}

static gchar *
write_file(const gchar *dir, const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(path, text, -1, &error));
	return path;
}

static void
remove_tree(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			remove_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(dir);
}

static gchar *
find_line_prefix(TestClient *proc, const gchar *prefix)
{
	for (guint i = 0; i < proc->lines->len; i++) {
		if (g_str_has_prefix(proc->lines->pdata[i], prefix))
			return proc->lines->pdata[i];
	}
	return NULL;
}

static void
test_ifd_pcsc(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *confdir = NULL;
	g_autofree gchar *reader_conf = NULL;
	g_autofree gchar *pcscd_log = NULL;
	g_autofree gchar *shell = NULL;
	g_autofree gchar *script = NULL;
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	const gchar *driver = g_getenv("REMSIM_IFD_DRIVER");
	/* a T=0 ATR pcscd accepts as is */
	static const guint8 atr[] = { 0x3b, 0x15, 0x13, 0x80, 0x73, 0xff, 0x01, 0x00 };
	TestPeer *server, *bank;
	TestClient *app;

	if (skip_unless(getuid() == 0, "needs root for a private pcscd (unshare --mount)") ||
	    skip_unless(g_file_test("/usr/sbin/pcscd", G_FILE_TEST_IS_EXECUTABLE),
			"pcscd is not installed") ||
	    skip_unless(driver != NULL && g_file_test(driver, G_FILE_TEST_EXISTS),
			"the IFD driver is not built (REMSIM_IFD_DRIVER)") ||
	    skip_unless(python_has_pyscard(), "python3-pyscard is not installed") ||
	    skip_unless(srcdir != NULL, "REMSIM_SRCDIR is not set"))
		return;

	dir = g_dir_make_tmp("remsim-ifd-XXXXXX", &error);
	g_assert_no_error(error);
	confdir = g_build_filename(dir, "reader.conf.d", NULL);
	g_assert_cmpint(g_mkdir(confdir, 0755), ==, 0);
	server = test_peer_new_server();
	bank = test_peer_new_bank(1);
	g_bytes_unref(bank->atr);
	bank->atr = g_bytes_new_static(atr, sizeof(atr));
	test_peer_map(server, 1, 5, bank->port);
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim Test IFD\"\n"
				      "DEVICENAME 23:0:127.0.0.1:%u\n"
				      "LIBPATH %s\n",
				      server->port, driver);
	g_free(write_file(confdir, "remsim", reader_conf));
	pcscd_log = g_build_filename(dir, "pcscd.log", NULL);

	/* pcscd's socket is /run/pcscd: give this pcscd and its client a /run of their own */
	script = g_build_filename(srcdir, "client", "tests", "pcsc-transmit.py", NULL);
	shell = g_strdup_printf(
	    "mount -t tmpfs remsim-test /run || exit 3; mkdir -p /run/pcscd; "
	    "/usr/sbin/pcscd -f -d -c '%s' >'%s' 2>&1 & "
	    "p=$!; /usr/bin/python3 '%s' 'Remsim Test IFD 00 00' 'a0 a4 00 00 02 3f 00' "
	    "'00 b0 00 00 10' '00 c0 00 00'; rc=$?; kill $p; wait $p; exit $rc",
	    confdir, pcscd_log, script);
	{
		const gchar *argv[] = {
			"unshare", "--mount", "--fork", "/bin/sh", "-c", shell, NULL
		};

		app = test_process_spawn(argv, NULL);
	}
	TEST_WAIT_FOR(find_line_prefix(app, "WAIT_REMOVE") != NULL ||
			  find_line_prefix(app, "ERROR") != NULL || app->exited,
		      WAIT_MS);
	if (app->exited && app->exit_status == 3 && app->lines->len == 0 &&
	    skip_unless(FALSE, "cannot mount a private /run (no CAP_SYS_ADMIN)")) {
		test_client_free(app);
		test_peer_free(bank);
		test_peer_free(server);
		remove_tree(dir);
		return;
	}
	g_assert_null(find_line_prefix(app, "ERROR"));
	g_assert_cmpstr(find_line_prefix(app, "ATR "), ==, "ATR 3B 15 13 80 73 FF 01 00");
	/* each APDU went through the client to the bank, which answers bank id, INS, 90 00 */
	g_assert_cmpstr(app->lines->pdata[2], ==, "RSP 01 A4 90 00");
	g_assert_cmpstr(app->lines->pdata[3], ==, "RSP 01 B0 90 00");
	g_assert_cmpstr(app->lines->pdata[4], ==, "RSP 01 C0 90 00");
	g_assert_cmpuint(bank->tpdus, ==, 3);
	g_assert_cmpuint(bank->tpdu_from.client_id, ==, 23);
	/* a case-1 APDU reaches the bank as a T=0 header with P3 = 0 */
	g_assert_cmpmem(g_bytes_get_data(bank->last_tpdu, NULL), g_bytes_get_size(bank->last_tpdu),
			"\x00\xc0\x00\x00\x00", 5);
	/* pcscd powered the card: the bank saw the modem-side status */
	g_assert_cmpuint(bank->status_inds, >=, 1);

	/* unmapped: the card leaves the reader */
	test_peer_map(server, 0, 0, 0);
	TEST_WAIT_FOR(find_line_prefix(app, "REMOVED") != NULL, WAIT_MS);
	TEST_WAIT_FOR(app->exited, WAIT_MS);
	g_assert_cmpint(app->exit_status, ==, 0);

	test_client_free(app);
	test_peer_free(bank);
	test_peer_free(server);
	remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/ifd/pcsc", test_ifd_pcsc);
	return g_test_run();
}
