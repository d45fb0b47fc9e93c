/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "client-test-pcscd.h"

#define PCSCD "/usr/sbin/pcscd"

gboolean
test_skip_unless(gboolean ok, const gchar *what)
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

gboolean
test_pcscd_skip(const gchar *driver)
{
	return test_skip_unless(getuid() == 0,
				"needs root for a private pcscd (unshare --mount)") ||
	       test_skip_unless(g_file_test(PCSCD, G_FILE_TEST_IS_EXECUTABLE),
				"pcscd is not installed") ||
	       test_skip_unless(driver != NULL && g_file_test(driver, G_FILE_TEST_EXISTS),
				"the pcscd reader driver is missing") ||
	       test_skip_unless(python_has_pyscard(), "python3-pyscard is not installed") ||
	       test_skip_unless(g_getenv("REMSIM_SRCDIR") != NULL, "REMSIM_SRCDIR is not set");
}

gchar *
test_write_file(const gchar *dir, const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(path, text, -1, &error));
	return path;
}

void
test_remove_tree(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			test_remove_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(dir);
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
		test_skip_unless(FALSE, "cannot mount a private /run (no CAP_SYS_ADMIN)");
		return NULL;
	}
	return app;
}
