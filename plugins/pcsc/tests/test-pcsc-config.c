/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd with the pcsc backend refuses to start on a bad slot file or
 * bad [pcsc] settings, naming the file and line (or key). No pcscd needed:
 * the configuration is checked before any reader is looked at.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "remsim-test-common.h"

typedef struct {
	gchar *dir;
	gchar *plugin_dir;
} Env;

static void
env_init(Env *env)
{
	const gchar *list = g_getenv("REMSIM_TEST_PLUGINS");
	g_auto(GStrv) paths = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_nonnull(list);
	env->dir = g_dir_make_tmp("remsim-pcsc-config-XXXXXX", &error);
	g_assert_no_error(error);
	env->plugin_dir = g_build_filename(env->dir, "plugins", NULL);
	g_assert_cmpint(g_mkdir(env->plugin_dir, 0700), ==, 0);
	paths = g_strsplit(list, ":", -1);
	for (guint i = 0; paths[i] != NULL; i++) {
		g_autofree gchar *base = g_path_get_basename(paths[i]);
		g_autofree gchar *link = g_build_filename(env->plugin_dir, base, NULL);

		if (paths[i][0] != '\0')
			g_assert_cmpint(symlink(paths[i], link), ==, 0);
	}
}

static void
env_clear(Env *env)
{
	remsim_test_common_remove_tree(env->dir);
	g_free(env->plugin_dir);
	g_free(env->dir);
}

static gchar *
env_write(Env *env, const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(env->dir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* run the bankd with [pcsc] @pcsc_conf; it must fail at once. Returns its stderr. */
static gchar *
bankd_must_fail(Env *env, const gchar *pcsc_conf)
{
	g_autofree gchar *conf_text = g_strdup_printf("[pcsc]\n%s\n", pcsc_conf);
	g_autofree gchar *conf = env_write(env, "bankd.conf", conf_text);
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
	    G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	gchar *err = NULL;
	const gchar *exe = g_getenv("REMSIM_BANKD");

	g_assert_nonnull(exe);
	/* the default slot file is looked for in the working directory */
	g_subprocess_launcher_set_cwd(launcher, env->dir);
	proc = g_subprocess_launcher_spawn(
	    launcher, &error, exe, "-c", conf, "-i", "127.0.0.1", "-p", "1", "-P", "0", "-I",
	    "127.0.0.1", "--backend", "pcsc", "--plugin-dir", env->plugin_dir, "--no-dbus", NULL);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(proc, NULL, NULL, NULL, &err, &error));
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(proc));
	g_assert_cmpint(g_subprocess_get_exit_status(proc), !=, 0);
	g_test_message("bankd said: %s", err);
	return err;
}

static void
test_bad_csv_line(void)
{
	Env env;
	g_autofree gchar *csv = NULL, *conf = NULL, *err = NULL, *want = NULL;

	env_init(&env);
	csv =
	    env_write(&env, "slots.csv",
		      "\"1\",\"0\",\"Reader 00 00\"\n\"1\",\"1\",\"Reader 00 01\"\n\"1\",\"2\"\n");
	conf = g_strdup_printf("slot-file=%s", csv);
	err = bankd_must_fail(&env, conf);
	want = g_strdup_printf("%s:3:", csv);
	g_assert_nonnull(strstr(err, want));
	env_clear(&env);
}

static void
test_bad_csv_pattern(void)
{
	Env env;
	g_autofree gchar *err = NULL;

	env_init(&env);
	/* the default file name, in the working directory, as upstream */
	g_free(env_write(&env, "bankd_pcsc_slots.csv", "1,0,Reader 00 00\n\n1,1,Reader (00\n"));
	err = bankd_must_fail(&env, "");
	g_assert_nonnull(strstr(err, "bankd_pcsc_slots.csv:3:"));
	g_assert_nonnull(strstr(err, "Reader (00"));
	env_clear(&env);
}

static void
test_missing_csv(void)
{
	Env env;
	g_autofree gchar *err = NULL;

	env_init(&env);
	err = bankd_must_fail(&env, "");
	g_assert_nonnull(strstr(err, "bankd_pcsc_slots.csv"));
	env_clear(&env);
}

static void
test_bad_conf_rule(void)
{
	Env env;
	g_autofree gchar *err = NULL;

	env_init(&env);
	err = bankd_must_fail(&env, "slot-0=Reader 00 00\nslot-1=Reader [00");
	g_assert_nonnull(strstr(err, "[pcsc] slot-1"));
	g_clear_pointer(&err, g_free);
	err = bankd_must_fail(&env, "slot-x=Reader");
	g_assert_nonnull(strstr(err, "slot-x"));
	g_clear_pointer(&err, g_free);
	err = bankd_must_fail(&env, "slot-0=Reader\nprotocols=t0;t2");
	g_assert_nonnull(strstr(err, "t2"));
	env_clear(&env);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcsc/config/bad-csv-line", test_bad_csv_line);
	g_test_add_func("/pcsc/config/bad-csv-pattern", test_bad_csv_pattern);
	g_test_add_func("/pcsc/config/missing-csv", test_missing_csv);
	g_test_add_func("/pcsc/config/bad-conf-rule", test_bad_conf_rule);
	return g_test_run();
}
