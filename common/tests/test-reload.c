/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimReload: the daemon's function sees the command line it started with
 * every time, a failure changes nothing (and is only returned), a good reload
 * names applied and waiting keys and keeps the waiting ones as pending; SIGHUP
 * reloads too, and logs a failure.
 */
#include <signal.h>
#include <string.h>

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_handler("remsim-common",
			  G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_FLAG_FATAL, log_cb,
			  NULL);
	g_test_add_func("/common/reload/run", test_run);
	g_test_add_func("/common/reload/sighup", test_sighup);
	return g_test_run();
}
