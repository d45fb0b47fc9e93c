/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "remsim-test-pcscd.h"

#define REMSIM_TEST_PCSCD "/usr/sbin/pcscd"

gboolean
remsim_test_pcscd_skip(const gchar *driver)
{
	return remsim_test_common_skip_unless(getuid() == 0,
					      "needs root for a private pcscd (unshare --mount)") ||
	       remsim_test_common_skip_unless(
		   g_file_test(REMSIM_TEST_PCSCD, G_FILE_TEST_IS_EXECUTABLE),
		   "pcscd is not installed") ||
	       remsim_test_common_skip_unless(driver != NULL &&
						  g_file_test(driver, G_FILE_TEST_EXISTS),
					      "the pcscd reader driver is missing") ||
	       remsim_test_common_skip_unless(remsim_test_common_python_has("import smartcard"),
					      "python3-pyscard is not installed") ||
	       remsim_test_common_skip_unless(g_getenv("REMSIM_SRCDIR") != NULL,
					      "REMSIM_SRCDIR is not set");
}

RemsimTestDaemon *
remsim_test_pcscd_run_app(const gchar *dir, const gchar *reader_conf, const gchar *reader,
			  const gchar *const *apdus)
{
	g_autofree gchar *confdir = g_build_filename(dir, "reader.conf.d", NULL);
	g_autofree gchar *log = g_build_filename(dir, "pcscd.log", NULL);
	g_autofree gchar *script = g_build_filename(g_getenv("REMSIM_SRCDIR"), "tests", "common",
						    "pcsc-transmit.py", NULL);
	g_autofree gchar *shell = NULL;
	g_autoptr(GString) args = g_string_new(NULL);
	RemsimTestDaemon *app;

	g_assert_cmpint(g_mkdir_with_parents(confdir, 0755), ==, 0);
	g_free(remsim_test_common_write_file(confdir, "reader", reader_conf));
	for (guint i = 0; apdus != NULL && apdus[i] != NULL; i++)
		g_string_append_printf(args, " '%s'", apdus[i]);
	/* pcscd's socket is /run/pcscd: this pcscd and its client get a /run of their own */
	shell = g_strdup_printf(
	    "mount -t tmpfs remsim-test /run || exit 3; mkdir -p /run/pcscd; " REMSIM_TEST_PCSCD
	    " -f -d -c '%s' >'%s' 2>&1 & p=$!; "
	    "/usr/bin/python3 '%s' '%s'%s; rc=$?; kill $p; wait $p; exit $rc",
	    confdir, log, script, reader, args->str);
	app = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_PROGRAM,
	    &(RemsimTestDaemonOptions){ .args = (const gchar *const[]){ "unshare", "--mount",
									"--fork", "/bin/sh", "-c",
									shell, NULL } });
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(app, "READER") != NULL ||
			     remsim_test_daemon_has_exited(app));
	if (remsim_test_daemon_has_exited(app) && remsim_test_daemon_wait_exit(app) == 3 &&
	    remsim_test_daemon_get_lines(app)->len == 0) {
		g_object_unref(app);
		remsim_test_common_skip_unless(FALSE,
					       "cannot mount a private /run (no CAP_SYS_ADMIN)");
		return NULL;
	}
	return app;
}

void
remsim_test_pcscd_check_session(RemsimTestDaemon *app, RemsimTestPeer *server, RemsimTestPeer *bank)
{
	GPtrArray *lines = remsim_test_daemon_get_lines(app);
	const RsproTpduModemToCard *tpdu;

	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(app, "WAIT_REMOVE") != NULL ||
			     remsim_test_daemon_find_prefix(app, "ERROR") != NULL ||
			     remsim_test_daemon_has_exited(app));
	g_assert_null(remsim_test_daemon_find_prefix(app, "ERROR"));
	g_assert_cmpstr(remsim_test_daemon_find_prefix(app, "ATR "), ==,
			"ATR 3B 15 13 80 73 FF 01 00");
	/* each APDU went through the client to the bank: bank id, INS, 90 00 */
	g_assert_cmpstr(lines->pdata[2], ==, "RSP 01 A4 90 00");
	g_assert_cmpstr(lines->pdata[3], ==, "RSP 01 B0 90 00");
	g_assert_cmpstr(lines->pdata[4], ==, "RSP 01 C0 90 00");
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_TPDU_MODEM_TO_CARD), ==, 3);
	tpdu = &remsim_test_peer_last(bank, RSPRO_MSG_TPDU_MODEM_TO_CARD)->u.tpdu_modem_to_card;
	g_assert_cmpuint(tpdu->from_client_slot.client_id, ==, 23);
	/* a case-1 APDU reaches the bank as a T=0 header with P3 = 0 */
	g_assert_cmpmem(g_bytes_get_data(tpdu->data, NULL), g_bytes_get_size(tpdu->data),
			"\x00\xc0\x00\x00\x00", 5);
	/* pcscd powered the card: the bank saw the modem-side status */
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND), >=, 1);

	/* unmapped: the card leaves the reader */
	remsim_test_peer_set_config(server, 0, 0, 0);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(app, "REMOVED") != NULL);
	g_assert_cmpint(remsim_test_daemon_wait_exit(app), ==, 0);
}
