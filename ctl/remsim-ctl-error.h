/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCtlError: what went wrong in remsim-ctl, one code per exit status
 * (doc/remsim-ctl.md, remsim-ctl(1)). Every message is translated, is meant
 * for the person at the terminal and says what to do next.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_CTL_ERROR (remsim_ctl_error_quark())
GQuark remsim_ctl_error_quark(void);

typedef enum {
	REMSIM_CTL_ERROR_FAILED,      /* exit 1: the daemon or the transport failed */
	REMSIM_CTL_ERROR_USAGE,	      /* exit 2: a bad command line */
	REMSIM_CTL_ERROR_UNREACHABLE, /* exit 3: the daemon is not on the bus, or does not answer */
	REMSIM_CTL_ERROR_REFUSED,     /* exit 4: the daemon refused, or the person declined */
	REMSIM_CTL_ERROR_NOT_FOUND,   /* exit 5: no such bank, slot, client or map */
} RemsimCtlError;

/* the exit status of @error: 1 + its code in this domain, 1 for any other domain */
gint remsim_ctl_error_exit_status(const GError *error);

/*
 * An error of a daemon (a D-Bus reply of RemsimDbusError or GDBusError) as a
 * RemsimCtlError: @what says what was asked ("deleting slot map 65536"); the
 * daemon's own (English) message follows it.
 */
GError *remsim_ctl_error_from_dbus(const GError *error, const gchar *daemon, const gchar *what);

/* when @error is @code of this domain, adds "; @hint" (what to do next) to its message */
void remsim_ctl_error_add_hint(GError **error, RemsimCtlError code, const gchar *hint);

G_END_DECLS
