/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimDbusError: the one error domain of remsim's D-Bus methods, every code
 * registered as a D-Bus error name (org.remsim.Error.<Name>), so that a caller
 * such as remsim-ctl gets a GError in this domain, not a bare name. Messages
 * are English, for the person who called.
 *
 * A process that calls the daemons takes REMSIM_DBUS_ERROR (or calls
 * remsim_dbus_error_quark()) once before its first call: that registers the
 * names.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_DBUS_ERROR (remsim_dbus_error_quark())
GQuark remsim_dbus_error_quark(void);

typedef enum {
	REMSIM_DBUS_ERROR_FAILED,	/* org.remsim.Error.Failed: anything else */
	REMSIM_DBUS_ERROR_INVALID_ARGS, /* org.remsim.Error.InvalidArgs: an argument out of range */
	REMSIM_DBUS_ERROR_NOT_FOUND,	/* org.remsim.Error.NotFound: no such slot map ... */
	REMSIM_DBUS_ERROR_CONFLICT,	/* org.remsim.Error.Conflict: in the way of what exists */
	REMSIM_DBUS_ERROR_WRONG_STATE,	/* org.remsim.Error.WrongState: not now (no client ...) */
	REMSIM_DBUS_ERROR_INVALID_CONFIG, /* org.remsim.Error.InvalidConfig: a bad config file */
	REMSIM_DBUS_ERROR_ACCESS_DENIED,  /* org.remsim.Error.AccessDenied: not this caller */
} RemsimDbusError;

/*
 * Answers @invocation with @error under one of the names above: an error of
 * this domain keeps its code, any other becomes Failed with its message.
 */
void remsim_dbus_error_return(GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
