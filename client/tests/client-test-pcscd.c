/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "client-test-pcscd.h"

#define PCSCD "/usr/sbin/pcscd"

gboolean
test_pcscd_skip(const gchar *driver)
{
	return remsim_test_common_skip_unless(getuid() == 0,
					      "needs root for a private pcscd (unshare --mount)") ||
	       remsim_test_common_skip_unless(g_file_test(PCSCD, G_FILE_TEST_IS_EXECUTABLE),
					      "pcscd is not installed") ||
	       remsim_test_common_skip_unless(driver != NULL &&
						  g_file_test(driver, G_FILE_TEST_EXISTS),
					      "the pcscd reader driver is missing") ||
	       remsim_test_common_skip_unless(remsim_test_common_python_has("import smartcard"),
					      "python3-pyscard is not installed") ||
	       remsim_test_common_skip_unless(g_getenv("REMSIM_SRCDIR") != NULL,
					      "REMSIM_SRCDIR is not set");
}

gchar *
test_write_file(const gchar *dir, const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(path, text, -1, &error));
	return path;
}

const gchar *
test_find_line_prefix(TestClient *proc, const gchar *prefix)
{
	for (guint i = 0; i < proc->lines->len; i++) {
		if (g_str_has_prefix(proc->lines->pdata[i], prefix))
			return proc->lines->pdata[i];
	}
	return NULL;
}

TestClient *
test_pcscd_app_run(const gchar *dir, const gchar *reader_conf, const gchar *reader,
		   const gchar *const *apdus)
{
	g_autofree gchar *confdir = g_build_filename(dir, "reader.conf.d", NULL);
	g_autofree gchar *log = g_build_filename(dir, "pcscd.log", NULL);
	g_autofree gchar *script = g_build_filename(g_getenv("REMSIM_SRCDIR"), "client", "tests",
						    "pcsc-transmit.py", NULL);
	g_autofree gchar *shell = NULL;
	g_autoptr(GString) args = g_string_new(NULL);
	TestClient *app;

	g_assert_cmpint(g_mkdir_with_parents(confdir, 0755), ==, 0);
	g_free(test_write_file(confdir, "reader", reader_conf));
	for (guint i = 0; apdus != NULL && apdus[i] != NULL; i++)
		g_string_append_printf(args, " '%s'", apdus[i]);
	/* pcscd's socket is /run/pcscd: this pcscd and its client get a /run of their own */
	shell =
	    g_strdup_printf("mount -t tmpfs remsim-test /run || exit 3; mkdir -p /run/pcscd; " PCSCD
			    " -f -d -c '%s' >'%s' 2>&1 & p=$!; "
			    "/usr/bin/python3 '%s' '%s'%s; rc=$?; kill $p; wait $p; exit $rc",
			    confdir, log, script, reader, args->str);
	{
		const gchar *argv[] = {
			"unshare", "--mount", "--fork", "/bin/sh", "-c", shell, NULL
		};

		app = test_process_spawn(argv, NULL);
	}
	TEST_WAIT_FOR(test_find_line_prefix(app, "READER") != NULL || app->exited, 30000);
	if (app->exited && app->exit_status == 3 && app->lines->len == 0) {
		test_client_free(app);
		remsim_test_common_skip_unless(FALSE,
					       "cannot mount a private /run (no CAP_SYS_ADMIN)");
		return NULL;
	}
	return app;
}

void
test_pcscd_app_check_session(TestClient *app, TestPeer *server, TestPeer *bank, guint timeout_ms)
{
	TEST_WAIT_FOR(test_find_line_prefix(app, "WAIT_REMOVE") != NULL ||
			  test_find_line_prefix(app, "ERROR") != NULL || app->exited,
		      timeout_ms);
	g_assert_null(test_find_line_prefix(app, "ERROR"));
	g_assert_cmpstr(test_find_line_prefix(app, "ATR "), ==, "ATR 3B 15 13 80 73 FF 01 00");
	/* each APDU went through the client to the bank: bank id, INS, 90 00 */
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
	TEST_WAIT_FOR(test_find_line_prefix(app, "REMOVED") != NULL, timeout_ms);
	TEST_WAIT_FOR(app->exited, timeout_ms);
	g_assert_cmpint(app->exit_status, ==, 0);
	test_client_free(app);
}
