/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim_dbus_guard: who may call the D-Bus methods that change state, checked
 * by the daemon itself and not only by the bus policy: root, the daemon's own
 * user, and the members of the group the common key dbus-group names (none by
 * default). The bus tells the caller's uid (GetConnectionUnixUser); the check
 * runs in g-authorize-method, which GLib emits in a worker thread, so the main
 * context never waits for the bus. A refused call gets
 * org.remsim.Error.AccessDenied and an audit line; an allowed one carries its
 * caller ("dbus:UNIQUE-NAME(uid=UID)") for the audit line of what it changes.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Checks the callers of @methods (NULL-terminated D-Bus method names) of
 * @iface. With @audit_allowed an allowed call gets an audit line too
 * ("result=allowed", with the object path), for a daemon that does not
 * write one when the change is done.
 */
void remsim_dbus_guard_protect(GDBusInterfaceSkeleton *iface, const gchar *const *methods,
			       gboolean audit_allowed);

/* the group whose members may call, besides root and the daemon's user (NULL: none) */
void remsim_dbus_guard_set_group(const gchar *group);
gchar *remsim_dbus_guard_dup_group(void);

/* "dbus:UNIQUE-NAME(uid=UID)" of an allowed call, or "dbus:unknown" */
const gchar *remsim_dbus_guard_get_caller(GDBusMethodInvocation *invocation);

G_END_DECLS
