/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimReload: the daemon's function sees the command line it started with
 * every time, a failure changes nothing (and is only returned), a good reload
 * names applied and waiting keys and keeps the waiting ones as pending; SIGHUP
 * reloads too, and logs a failure. The comparisons every daemon makes, and the
 * English of a reload's errors.
 */
#include <locale.h>
#include <signal.h>
#include <string.h>

#include "remsim-config-check.h"
#include "remsim-log.h"
#include "remsim-reload.h"
#include "remsim-test-common.h"

typedef struct {
	guint calls;
	gboolean fail;
	const gchar *const *applied;
	const gchar *const *waiting;
	guint reloaded;
	guint want_calls; /* for has_calls() */
} ReloadFixture;

static guint n_warnings;

static void
log_cb(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
	if (level & G_LOG_LEVEL_WARNING)
		n_warnings++;
	g_test_message("%s: %s", domain, message);
}

static gboolean
fatal_cb(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
	return g_strcmp0(domain, "remsim-common") != 0;
}

static gboolean
reload_func(gint argc, gchar **argv, GPtrArray *applied, GPtrArray *needs_restart,
	    gpointer user_data, GError **error)
{
	ReloadFixture *f = user_data;
	gchar *first;

	f->calls++;
	g_assert_cmpint(argc, ==, 3);
	g_assert_cmpstr(argv[0], ==, "daemon");
	g_assert_cmpstr(argv[1], ==, "--config");
	g_assert_cmpstr(argv[2], ==, "test.conf");
	g_assert_null(argv[3]);
	/* a parser reorders what it was given: the next call must not see it */
	first = argv[1];
	argv[1] = argv[2];
	argv[2] = first;
	if (f->fail) {
		g_set_error_literal(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "test.conf:3: [test] port: “x” is no number");
		return FALSE;
	}
	for (guint i = 0; f->applied != NULL && f->applied[i] != NULL; i++)
		g_ptr_array_add(applied, g_strdup(f->applied[i]));
	for (guint i = 0; f->waiting != NULL && f->waiting[i] != NULL; i++)
		g_ptr_array_add(needs_restart, g_strdup(f->waiting[i]));
	return TRUE;
}

static void
reloaded_cb(RemsimReload *reload, gpointer user_data)
{
	((ReloadFixture *)user_data)->reloaded++;
}

static RemsimReload *
new_reload(ReloadFixture *f)
{
	const gchar *const args[] = { "daemon", "--config", "test.conf", NULL };
	RemsimReload *reload = remsim_reload_new(args, reload_func, f);

	/* GTest resets the handler for each test */
	g_test_log_set_fatal_handler(fatal_cb, NULL);
	g_signal_connect(reload, "reloaded", G_CALLBACK(reloaded_cb), f);
	return reload;
}

static void
test_run(void)
{
	ReloadFixture f = { 0 };
	g_autoptr(RemsimReload) reload = new_reload(&f);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) waiting = NULL;
	const gchar *const applied1[] = { "debug", NULL };
	const gchar *const waiting1[] = { "bank-id", "[simcard] cards", NULL };

	g_assert_cmpuint(g_strv_length((GStrv)remsim_reload_get_restart_pending(reload)), ==, 0);

	f.applied = applied1;
	f.waiting = waiting1;
	g_assert_true(remsim_reload_run(reload, &applied, &waiting, &error));
	g_assert_no_error(error);
	g_assert_true(g_strv_equal((const gchar *const *)applied, applied1));
	g_assert_true(g_strv_equal((const gchar *const *)waiting, waiting1));
	g_assert_true(g_strv_equal(remsim_reload_get_restart_pending(reload), waiting1));
	g_assert_cmpuint(f.reloaded, ==, 1);

	/* a bad file: the error comes back, nothing changes, nothing is logged as done */
	f.fail = TRUE;
	g_assert_false(remsim_reload_run(reload, NULL, NULL, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
	g_assert_nonnull(strstr(error->message, "test.conf:3"));
	g_clear_error(&error);
	g_assert_true(g_strv_equal(remsim_reload_get_restart_pending(reload), waiting1));
	g_assert_cmpuint(f.reloaded, ==, 1);
	g_assert_cmpuint(n_warnings, ==, 0);

	/* the file back as it was: nothing waits any more */
	f.fail = FALSE;
	f.applied = NULL;
	f.waiting = NULL;
	g_assert_true(remsim_reload_run(reload, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length((GStrv)remsim_reload_get_restart_pending(reload)), ==, 0);
	g_assert_cmpuint(f.calls, ==, 3);
	g_assert_cmpuint(f.reloaded, ==, 2);
}

static gboolean
has_calls(gpointer data)
{
	ReloadFixture *f = data;

	return f->calls >= f->want_calls;
}

static void
test_sighup(void)
{
	ReloadFixture f = { 0 };
	g_autoptr(RemsimReload) reload = new_reload(&f);
	const gchar *const waiting1[] = { "bind-port", NULL };

	n_warnings = 0;
	remsim_reload_watch_sighup(reload);
	f.waiting = waiting1;
	f.want_calls = 1;
	raise(SIGHUP);
	g_assert_true(remsim_test_common_spin_until(has_calls, &f, 10000));
	remsim_test_common_spin_for(50);
	g_assert_cmpuint(f.calls, ==, 1);
	g_assert_cmpuint(f.reloaded, ==, 1);
	g_assert_true(g_strv_equal(remsim_reload_get_restart_pending(reload), waiting1));

	/* a bad file on SIGHUP: one warning in the log, nothing changed */
	f.fail = TRUE;
	f.want_calls = 2;
	raise(SIGHUP);
	g_assert_true(remsim_test_common_spin_until(has_calls, &f, 10000));
	g_assert_cmpuint(f.reloaded, ==, 1);
	g_assert_cmpuint(n_warnings, ==, 1);
	g_assert_true(g_strv_equal(remsim_reload_get_restart_pending(reload), waiting1));
}

static const RemsimConfigKey test_keys[] = {
	{ .key = "server-host",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CONFIG_KEY_GROUPS,
	  .default_value = "a",
	  .help = "Server" },
	{ .key = "bank-id",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = "1",
	  .min = 1,
	  .max = 9,
	  .help = "Bank" },
	{ NULL },
};

static const RemsimConfigSchema test_schema = {
	.program = "remsim-test",
	.group = "test",
	.summary = "A test daemon.",
	.keys = test_keys,
	.version_short = 'v',
	.groups = REMSIM_CONFIG_GROUPS_SLOTS,
};

static RemsimConfig *
parse_file(const gchar *path)
{
	const gchar *const args[] = { "remsim-test", "--config", path, NULL };
	g_autofree gchar **argv = g_memdup2(args, sizeof(args));
	gint argc = G_N_ELEMENTS(args) - 1;
	g_autoptr(RemsimConfig) config = remsim_config_new(&test_schema);
	g_autoptr(GError) error = NULL;
	gint status;

	g_assert_true(remsim_config_parse(config, &argc, &argv, &status, &error));
	g_assert_no_error(error);
	return g_steal_pointer(&config);
}

static gboolean
strv_is(GPtrArray *keys, const gchar *const *want)
{
	g_ptr_array_add(keys, NULL);
	g_ptr_array_set_size(keys, keys->len - 1);
	return g_strv_equal((const gchar *const *)keys->pdata, want);
}

/* logging against what is in force, the bus and the daemon's keys against the start */
static void
test_compare(void)
{
	g_autofree gchar *conf = remsim_config_check_write("test.conf", "[test]\nbank-id=1\n");
	g_autofree gchar *conf2 = remsim_config_check_write(
	    "test.conf", "[test]\nbank-id=2\nserver-host=b\ndebug=true\ndbus=false\n"
			 "[slot 1]\nserver-host=c\n");
	g_autoptr(RemsimConfig) started = parse_file(conf);
	g_autoptr(RemsimConfig) next = parse_file(conf2);
	g_autoptr(GPtrArray) applied = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func(g_free);
	const gchar *const live[] = { "server-host", NULL };

	remsim_config_apply_logging(started);
	remsim_reload_compare_common(started, next, applied, waiting);
	g_assert_true(strv_is(applied, (const gchar *const[]){ "debug", NULL }));
	g_assert_true(strv_is(waiting, (const gchar *const[]){ "dbus", NULL }));
	/* a live key is the daemon's to apply and name */
	remsim_reload_compare_keys(started, next, NULL, live, waiting);
	g_assert_true(strv_is(waiting, (const gchar *const[]){ "dbus", "bank-id", NULL }));
	g_ptr_array_set_size(waiting, 0);
	remsim_reload_compare_keys(started, next, "slot 1", NULL, waiting);
	g_assert_true(strv_is(
	    waiting, (const gchar *const[]){ "[slot 1] server-host", "[slot 1] bank-id", NULL }));

	/* once in force, debug is no change; the bus still waits for a restart */
	remsim_config_apply_logging(next);
	g_ptr_array_set_size(applied, 0);
	g_ptr_array_set_size(waiting, 0);
	remsim_reload_compare_common(started, next, applied, waiting);
	g_assert_cmpuint(applied->len, ==, 0);
	g_assert_true(strv_is(waiting, (const gchar *const[]){ "dbus", NULL }));
	remsim_config_apply_logging(started);
	g_assert_false(g_log_get_debug_enabled());
	remsim_config_check_remove(conf);
	remsim_config_check_remove(conf2);
}

static gboolean
reload_keyfile_func(gint argc, gchar **argv, GPtrArray *applied, GPtrArray *needs_restart,
		    gpointer user_data, GError **error)
{
	g_autoptr(GKeyFile) file = g_key_file_new();

	return g_key_file_load_from_data(file, "[test]\nnot a key\n", -1, G_KEY_FILE_NONE, error);
}

/* a reload's error goes to a log or a D-Bus reply: English, whatever the locale */
static void
test_untranslated(void)
{
	const gchar *const args[] = { "daemon", NULL };
	g_autoptr(RemsimReload) reload = remsim_reload_new(args, reload_keyfile_func, NULL);
	g_autofree gchar *old_locale = g_strdup(setlocale(LC_ALL, NULL));
	g_autofree gchar *old_language = g_strdup(g_getenv("LANGUAGE"));
	g_autoptr(GError) translated = NULL;
	g_autoptr(GError) error = NULL;

	g_test_log_set_fatal_handler(fatal_cb, NULL);
	g_setenv("LANGUAGE", "de", TRUE);
	if (setlocale(LC_ALL, "C.UTF-8") != NULL) {
		reload_keyfile_func(0, NULL, NULL, NULL, NULL, &translated);
		g_assert_nonnull(translated);
	}
	if (!remsim_test_common_skip_unless(
		translated != NULL && !g_str_has_prefix(translated->message, "Key file contains"),
		"a C.UTF-8 locale and GLib's German catalog (libglib2.0-data)")) {
		g_assert_false(remsim_reload_run(reload, NULL, NULL, &error));
		g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
		g_assert_true(g_str_has_prefix(error->message, "Key file contains line"));
		/* the thread's messages are as they were after it */
		g_clear_error(&error);
		reload_keyfile_func(0, NULL, NULL, NULL, NULL, &error);
		g_assert_cmpstr(error->message, ==, translated->message);
	}
	setlocale(LC_ALL, old_locale);
	if (old_language != NULL)
		g_setenv("LANGUAGE", old_language, TRUE);
	else
		g_unsetenv("LANGUAGE");
}

static gboolean
reload_nothing_func(gint argc, gchar **argv, GPtrArray *applied, GPtrArray *needs_restart,
		    gpointer user_data, GError **error)
{
	return FALSE;
}

/* a function that finds nothing to run (--version) still gives its caller an error */
static void
test_nothing_to_run(void)
{
	const gchar *const args[] = { "daemon", "--version", NULL };
	g_autoptr(RemsimReload) reload = remsim_reload_new(args, reload_nothing_func, NULL);
	g_autoptr(GError) error = NULL;

	g_test_log_set_fatal_handler(fatal_cb, NULL);
	g_assert_false(remsim_reload_run(reload, NULL, NULL, &error));
	g_assert_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED);
	g_assert_false(remsim_reload_run(reload, NULL, NULL, NULL));
	g_assert_cmpuint(g_strv_length((GStrv)remsim_reload_get_restart_pending(reload)), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_handler("remsim-common",
			  G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_FLAG_FATAL, log_cb,
			  NULL);
	g_test_add_func("/common/reload/run", test_run);
	g_test_add_func("/common/reload/sighup", test_sighup);
	g_test_add_func("/common/reload/compare", test_compare);
	g_test_add_func("/common/reload/untranslated", test_untranslated);
	g_test_add_func("/common/reload/nothing-to-run", test_nothing_to_run);
	return g_test_run();
}
