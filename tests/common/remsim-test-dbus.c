/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-test-dbus.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"

gboolean
remsim_test_dbus_skip_without_daemon(void)
{
	g_autofree gchar *daemon = g_find_program_in_path("dbus-daemon");

	return remsim_test_common_skip_unless(daemon != NULL,
					      "dbus-daemon is missing (install the dbus package)");
}

GTestDBus *
remsim_test_dbus_up(GDBusConnection **bus)
{
	GTestDBus *tbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_autoptr(GError) error = NULL;

	(void)REMSIM_DBUS_ERROR;
	g_test_dbus_up(tbus);
	if (bus != NULL) {
		*bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
		g_assert_no_error(error);
	}
	return tbus;
}

GDBusConnection *
remsim_test_dbus_connect(GTestDBus *tbus)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_for_address_sync(
	    g_test_dbus_get_bus_address(tbus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);

	g_assert_no_error(error);
	return conn;
}

void
remsim_test_dbus_down(GTestDBus *tbus, GDBusConnection **bus)
{
	if (bus != NULL && *bus != NULL) {
		g_dbus_connection_close_sync(*bus, NULL, NULL);
		g_clear_object(bus);
	}
	g_test_dbus_down(tbus);
}

typedef struct {
	GDBusConnection *bus;
	const gchar *name;
} RemsimTestDbusNameWait;

static gboolean
remsim_test_dbus_has_owner(gpointer data)
{
	RemsimTestDbusNameWait *wait = data;
	g_autoptr(GVariant) ret = g_dbus_connection_call_sync(
	    wait->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "NameHasOwner", g_variant_new("(s)", wait->name), G_VARIANT_TYPE("(b)"),
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	gboolean owned = FALSE;

	if (ret != NULL)
		g_variant_get(ret, "(b)", &owned);
	return owned;
}

gboolean
remsim_test_dbus_wait_name(GDBusConnection *bus, const gchar *name, guint timeout_ms)
{
	RemsimTestDbusNameWait wait = { bus, name };

	return remsim_test_common_spin_until(remsim_test_dbus_has_owner, &wait, timeout_ms);
}

void
remsim_test_dbus_assert_error(const GError *error, gint code, const gchar *name)
{
	g_autofree gchar *remote = NULL;

	g_assert_error(error, REMSIM_DBUS_ERROR, code);
	remote = g_dbus_error_get_remote_error((GError *)error);
	g_assert_cmpstr(remote, ==, name);
}
