/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimEventScript: runs the user's event script (-e CMD) as upstream does:
 * `/bin/sh -c "CMD <cause>"` with a filtered environment plus REMSIM_* variables.
 * Runs are asynchronous and one at a time, in order, so a "card insert" is done
 * before the "modem reset" that follows it; a failing or hanging script is
 * logged and never stops the relay.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_TYPE_EVENT_SCRIPT (remsim_event_script_get_type())
G_DECLARE_FINAL_TYPE(RemsimEventScript, remsim_event_script, REMSIM, EVENT_SCRIPT, GObject)

/* a script that takes longer is no longer waited for (it keeps running) */
#define REMSIM_EVENT_SCRIPT_TIMEOUT_MS 30000
/* runs waiting beyond this are dropped with a warning */
#define REMSIM_EVENT_SCRIPT_QUEUE_MAX 64

RemsimEventScript *remsim_event_script_new(const gchar *command);
const gchar *remsim_event_script_get_command(RemsimEventScript *self);

/*
 * Queue a run for @cause. @vars is a NULL-terminated "NAME=value" list added to
 * the filtered environment (REMSIM_CAUSE is added here).
 */
void remsim_event_script_run(RemsimEventScript *self, const gchar *cause, const gchar *const *vars);

/* runs started so far, and how many failed to start or exited non-zero */
guint remsim_event_script_get_runs(RemsimEventScript *self);
guint remsim_event_script_get_failures(RemsimEventScript *self);

/* the caller's environment reduced to upstream's (libosmocore 1.7) safe list */
gchar **remsim_event_script_filter_environ(const gchar *const *environ_);

G_END_DECLS
