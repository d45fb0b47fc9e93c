/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientEventScript: runs the user's event script (-e CMD) as upstream does:
 * `/bin/sh -c "CMD <cause>"` with a filtered environment plus REMSIM_* variables.
 * Runs are asynchronous and one at a time, in order, so a "card insert" is done
 * before the "modem reset" that follows it; a failing or hanging script is
 * logged and never stops the relay.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_EVENT_SCRIPT (remsim_client_event_script_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientEventScript, remsim_client_event_script, REMSIM,
		     CLIENT_EVENT_SCRIPT, GObject)

/* a script that takes longer is no longer waited for (it keeps running) */
#define REMSIM_CLIENT_EVENT_SCRIPT_TIMEOUT_MS 30000
/* runs waiting beyond this are dropped with a warning */
#define REMSIM_CLIENT_EVENT_SCRIPT_QUEUE_MAX 64

RemsimClientEventScript *remsim_client_event_script_new(const gchar *command);
const gchar *remsim_client_event_script_get_command(RemsimClientEventScript *self);

/*
 * Queue a run for @cause. @vars is a NULL-terminated "NAME=value" list added to
 * the filtered environment (REMSIM_CAUSE is added here).
 */
void remsim_client_event_script_run(RemsimClientEventScript *self, const gchar *cause,
				    const gchar *const *vars);

/* runs started so far, and how many failed to start or exited non-zero */
guint remsim_client_event_script_get_runs(RemsimClientEventScript *self);
guint remsim_client_event_script_get_failures(RemsimClientEventScript *self);

/* the caller's environment reduced to upstream's (libosmocore 1.7) safe list */
gchar **remsim_client_event_script_filter_environ(const gchar *const *environ_);

G_END_DECLS
