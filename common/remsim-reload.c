/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-audit.h"
#include "remsim-dbus-error.h"
#include "remsim-dbus-guard.h"
#include "remsim-reload.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>

#include "remsim-log.h"

struct _RemsimReload {
	GObject parent_instance;
	GStrv args;
	RemsimReloadFunc func;
	gpointer user_data;
	GStrv restart_pending;
	guint sighup_id;
};

G_DEFINE_FINAL_TYPE(RemsimReload, remsim_reload, G_TYPE_OBJECT)

enum { SIGNAL_RELOADED, N_SIGNALS };
static guint remsim_reload_signals[N_SIGNALS];

static void
remsim_reload_dispose(GObject *object)
{
	RemsimReload *self = REMSIM_RELOAD(object);

	g_clear_handle_id(&self->sighup_id, g_source_remove);
	G_OBJECT_CLASS(remsim_reload_parent_class)->dispose(object);
}

static void
remsim_reload_finalize(GObject *object)
{
	RemsimReload *self = REMSIM_RELOAD(object);

	g_strfreev(self->args);
	g_strfreev(self->restart_pending);
	G_OBJECT_CLASS(remsim_reload_parent_class)->finalize(object);
}

static void
remsim_reload_class_init(RemsimReloadClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_reload_dispose;
	object_class->finalize = remsim_reload_finalize;
	remsim_reload_signals[SIGNAL_RELOADED] =
	    g_signal_new("reloaded", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
}

static void
remsim_reload_init(RemsimReload *self)
{
	self->restart_pending = g_new0(gchar *, 1);
}

RemsimReload *
remsim_reload_new(const gchar *const *args, RemsimReloadFunc func, gpointer user_data)
{
	RemsimReload *self;

	g_return_val_if_fail(args != NULL && args[0] != NULL, NULL);
	g_return_val_if_fail(func != NULL, NULL);

	self = g_object_new(REMSIM_TYPE_RELOAD, NULL);
	self->args = g_strdupv((gchar **)args);
	self->func = func;
	self->user_data = user_data;
	return self;
}

/* a NULL-terminated copy of @keys */
static GStrv
remsim_reload_to_strv(GPtrArray *keys)
{
	GStrv strv = g_new0(gchar *, keys->len + 1);

	for (guint i = 0; i < keys->len; i++)
		strv[i] = g_strdup(keys->pdata[i]);
	return strv;
}

static void
remsim_reload_log(GPtrArray *applied, GPtrArray *needs_restart)
{
	g_auto(GStrv) done = remsim_reload_to_strv(applied);
	g_auto(GStrv) waiting = remsim_reload_to_strv(needs_restart);
	g_autofree gchar *done_text = g_strjoinv(", ", done);
	g_autofree gchar *waiting_text = g_strjoinv(", ", waiting);

	if (applied->len == 0 && needs_restart->len == 0)
		g_message("Configuration reloaded: nothing changed");
	else if (needs_restart->len == 0)
		g_message("Configuration reloaded: %s in effect", done_text);
	else if (applied->len == 0)
		g_message("Configuration reloaded: %s only after a restart", waiting_text);
	else
		g_message("Configuration reloaded: %s in effect; %s only after a restart",
			  done_text, waiting_text);
}

/* the daemon's function with this thread's messages in English (the C locale's) */
static gboolean
remsim_reload_call_untranslated(RemsimReload *self, gint argc, gchar **argv, GPtrArray *applied,
				GPtrArray *needs_restart, GError **error)
{
	locale_t base = duplocale(LC_GLOBAL_LOCALE);
	locale_t english = base != (locale_t)0 ? newlocale(LC_MESSAGES_MASK, "C", base) : base;
	locale_t previous = (locale_t)0;
	gboolean ok;

	if (english != (locale_t)0)
		previous = uselocale(english);
	else if (base != (locale_t)0)
		freelocale(base);
	ok = self->func(argc, argv, applied, needs_restart, self->user_data, error);
	if (english != (locale_t)0) {
		uselocale(previous);
		freelocale(english);
	}
	return ok;
}

gboolean
remsim_reload_run(RemsimReload *self, GStrv *applied, GStrv *needs_restart, GError **error)
{
	g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar **argv = NULL;
	g_autoptr(GError) local_error = NULL;
	gint argc;

	g_return_val_if_fail(REMSIM_IS_RELOAD(self), FALSE);

	/* the parser may shuffle the pointers, never the strings: give it its own array */
	argc = (gint)g_strv_length(self->args);
	argv = g_memdup2(self->args, sizeof(gchar *) * (argc + 1));
	if (!remsim_reload_call_untranslated(self, argc, argv, done, waiting, &local_error)) {
		if (local_error == NULL)
			g_set_error_literal(&local_error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
					    "the command line runs no daemon");
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	remsim_reload_log(done, waiting);
	g_strfreev(self->restart_pending);
	self->restart_pending = remsim_reload_to_strv(waiting);
	if (applied != NULL)
		*applied = remsim_reload_to_strv(done);
	if (needs_restart != NULL)
		*needs_restart = remsim_reload_to_strv(waiting);
	g_signal_emit(self, remsim_reload_signals[SIGNAL_RELOADED], 0);
	return TRUE;
}

gboolean
remsim_reload_run_for_call(RemsimReload *self, GDBusMethodInvocation *invocation, GStrv *applied,
			   GStrv *needs_restart)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *result = NULL;

	if (remsim_reload_run(self, applied, needs_restart, &error)) {
		remsim_audit(remsim_dbus_guard_get_caller(invocation), "reload", "ok", "%s", "");
		return TRUE;
	}
	result = g_strdup_printf("failed (%s)", error->message);
	remsim_audit(remsim_dbus_guard_get_caller(invocation), "reload", result, "%s", "");
	g_dbus_method_invocation_return_error_literal(
	    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_INVALID_CONFIG, error->message);
	return FALSE;
}

const gchar *const *
remsim_reload_get_restart_pending(RemsimReload *self)
{
	g_return_val_if_fail(REMSIM_IS_RELOAD(self), NULL);
	return (const gchar *const *)self->restart_pending;
}

static gboolean
remsim_reload_sighup_cb(gpointer user_data)
{
	RemsimReload *self = user_data;
	g_autoptr(GError) error = NULL;

	g_message("SIGHUP: reading the configuration again");
	if (!remsim_reload_run(self, NULL, NULL, &error))
		g_warning("Configuration not reloaded, nothing changed: %s", error->message);
	return G_SOURCE_CONTINUE;
}

void
remsim_reload_watch_sighup(RemsimReload *self)
{
	g_return_if_fail(REMSIM_IS_RELOAD(self));

	if (self->sighup_id == 0)
		self->sighup_id = g_unix_signal_add(SIGHUP, remsim_reload_sighup_cb, self);
}

void
remsim_reload_note(GPtrArray *keys, const gchar *group, const gchar *key)
{
	g_ptr_array_add(keys,
			group != NULL ? g_strdup_printf("[%s] %s", group, key) : g_strdup(key));
}

void
remsim_reload_compare_common(RemsimConfig *started, RemsimConfig *next, GPtrArray *applied,
			     GPtrArray *needs_restart)
{
	g_autofree gchar *group = remsim_dbus_guard_dup_group();

	/* logging and dbus-group: compared with what is in force, which an earlier reload may have
	 * changed */
	if (remsim_config_get_boolean(next, NULL, "debug") != g_log_get_debug_enabled())
		remsim_reload_note(applied, NULL, "debug");
	if (remsim_config_get_boolean(next, NULL, "log-personal-info") !=
	    remsim_log_get_personal_info())
		remsim_reload_note(applied, NULL, "log-personal-info");
	if (g_strcmp0(remsim_config_get_string(next, NULL, "dbus-group"), group) != 0)
		remsim_reload_note(applied, NULL, "dbus-group");
	/* the bus is chosen once, at start */
	if (remsim_config_differs(started, next, NULL, "dbus"))
		remsim_reload_note(needs_restart, NULL, "dbus");
	if (remsim_config_differs(started, next, NULL, "dbus-bus"))
		remsim_reload_note(needs_restart, NULL, "dbus-bus");
}

void
remsim_reload_compare_keys(RemsimConfig *started, RemsimConfig *next, const gchar *group,
			   const gchar *const *live, GPtrArray *needs_restart)
{
	g_auto(GStrv) changed = remsim_config_diff(started, next, group);

	for (guint i = 0; changed[i] != NULL; i++) {
		if (live == NULL || !g_strv_contains(live, changed[i]))
			remsim_reload_note(needs_restart, group, changed[i]);
	}
}
