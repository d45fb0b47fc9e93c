/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the D-Bus tests of the daemons: a private session bus, waiting
 * for a daemon's name, and the registered errors of common/dbus.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE when dbus-daemon is missing and the test skipped (aborts with REMSIM_TEST_STRICT=1) */
gboolean remsim_test_dbus_skip_without_daemon(void);
/*
 * A private session bus (the session bus of this process and of the daemons
 * it starts) and, unless @bus is NULL, the session bus connection in it.
 * Registers the names of org.remsim.Error, so that the proxies' errors come in
 * the RemsimDbusError domain. remsim-test-daemon.h starts a daemon on it with
 * the bus address remsim_test_dbus_get_address() gives. The bus's dbus-daemon
 * ends with the test process, even when the test crashes.
 */
typedef struct _RemsimTestDbus RemsimTestDbus;
RemsimTestDbus *remsim_test_dbus_up(GDBusConnection **bus);
const gchar *remsim_test_dbus_get_address(RemsimTestDbus *self);
/* a connection of its own to @self, not the session bus singleton */
GDBusConnection *remsim_test_dbus_connect(RemsimTestDbus *self);
/*
 * Closes @bus (and drops it; may be NULL), waits until the process's session
 * bus connection is freed, and takes the private bus down.
 */
void remsim_test_dbus_down(RemsimTestDbus *self, GDBusConnection **bus);
/* waits until @name has an owner on @bus; FALSE after @timeout_ms */
gboolean remsim_test_dbus_wait_name(GDBusConnection *bus, const gchar *name, guint timeout_ms);
/* asserts that @error is @code of RemsimDbusError and came as the D-Bus error @name */
void remsim_test_dbus_assert_error(const GError *error, gint code, const gchar *name);

G_END_DECLS
