/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimReload: a daemon reads its configuration file again while it runs, on
 * SIGHUP and through the D-Bus method Reload.
 *
 * The daemon's function parses the file together with the command line the
 * daemon started with (an option still wins over the file) and checks all of
 * it; when anything is wrong it changes nothing and fails with an error that
 * names the file and, where the parser knows it, the line. Otherwise it puts
 * into effect what can change at run time and names the keys that changed:
 * those applied, and those whose new value waits for a restart. It compares
 * with the values in force, so a key stays "needs restart" until the daemon
 * restarts or the file goes back to the value in force.
 *
 * The function runs with the C locale's messages (LC_MESSAGES, this thread
 * only): a config error is translatable text on a terminal at start, but a
 * reload's error goes to the log or into a D-Bus reply, which are English.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-config.h"

G_BEGIN_DECLS

/*
 * @argc, @argv: a fresh copy of the daemon's command line (the parser may
 * reorder it); append key names (g_strdup'ed) to @applied and @needs_restart.
 * FALSE with @error set when the configuration cannot be taken; FALSE without
 * one when the command line runs nothing (--version: not at a reload).
 */
typedef gboolean (*RemsimReloadFunc)(gint argc, gchar **argv, GPtrArray *applied,
				     GPtrArray *needs_restart, gpointer user_data, GError **error);

#define REMSIM_TYPE_RELOAD (remsim_reload_get_type())
G_DECLARE_FINAL_TYPE(RemsimReload, remsim_reload, REMSIM, RELOAD, GObject)

/* @args: the daemon's command line, argv[0] first, as it was before parsing (copied) */
RemsimReload *remsim_reload_new(const gchar *const *args, RemsimReloadFunc func,
				gpointer user_data);
/* reload on SIGHUP too; a failure then goes to the log */
void remsim_reload_watch_sighup(RemsimReload *self);
/*
 * Reload once and log what changed. @applied and @needs_restart (may be NULL)
 * get the key names. A failure is only returned: the caller reports it.
 */
gboolean remsim_reload_run(RemsimReload *self, GStrv *applied, GStrv *needs_restart,
			   GError **error);
/*
 * The same for a D-Bus method call Reload: TRUE with the key names, for the
 * daemon's generated complete_reload(); FALSE when the call is already
 * answered with org.remsim.Error.InvalidConfig.
 */
gboolean remsim_reload_run_for_call(RemsimReload *self, GDBusMethodInvocation *invocation,
				    GStrv *applied, GStrv *needs_restart);
/* the changed keys that wait for a restart, as of the last good reload (empty before) */
const gchar *const *remsim_reload_get_restart_pending(RemsimReload *self);

/*
 * What every reload function compares, written once. @started: the settings the
 * daemon started with; @next: those just read.
 *
 * The keys every daemon has: debug and log-personal-info change at run time and
 * are named in @applied where @next differs from what is in force
 * (remsim_config_apply_logging(@next) puts them in force once the daemon took
 * @next); dbus and dbus-bus are named in @needs_restart where @next differs
 * from @started.
 */
void remsim_reload_compare_common(RemsimConfig *started, RemsimConfig *next, GPtrArray *applied,
				  GPtrArray *needs_restart);
/*
 * Each key of the daemon's own table that @next gives another value in @group
 * (NULL: the daemon's group) than @started does, but those in @live, which the
 * daemon applies itself: named in @needs_restart.
 */
void remsim_reload_compare_keys(RemsimConfig *started, RemsimConfig *next, const gchar *group,
				const gchar *const *live, GPtrArray *needs_restart);
/* adds @key to @keys, as "[@group] @key" when @group is not NULL */
void remsim_reload_note(GPtrArray *keys, const gchar *group, const gchar *key);

/* Signal ::reloaded () — after each good reload */

G_END_DECLS
