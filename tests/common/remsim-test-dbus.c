/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-test-dbus.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

gboolean
remsim_test_dbus_skip_without_daemon(void)
{
	g_autofree gchar *daemon = g_find_program_in_path("dbus-daemon");

	return remsim_test_common_skip_unless(daemon != NULL,
					      "dbus-daemon is missing (install the dbus package)");
}

/*
 * Not GTestDBus: it forks a watcher process that never execs, and the
 * watcher's exit under LeakSanitizer reports this process's heap as leaked
 * (its other threads are gone in the child). The daemon here dies with the
 * test instead, through the parent-death signal.
 */
struct _RemsimTestDbus {
	GSubprocess *daemon;
	gchar *dir;
	gchar *address;
};

static const gchar remsim_test_dbus_config[] =
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n";

static void
remsim_test_dbus_child_setup(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static gchar *
remsim_test_dbus_write_config(const gchar *dir)
{
	g_autofree gchar *path = g_build_filename(dir, "bus.conf", NULL);
	g_autofree gchar *text = g_strdup_printf(remsim_test_dbus_config, dir);
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
	return g_steal_pointer(&path);
}

static void
remsim_test_dbus_start(RemsimTestDbus *self)
{
	g_autofree gchar *config = remsim_test_dbus_write_config(self->dir);
	g_autofree gchar *config_arg = g_strconcat("--config-file=", config, NULL);
	g_autoptr(GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_autoptr(GDataInputStream) out = NULL;
	g_autoptr(GError) error = NULL;

	g_subprocess_launcher_set_child_setup(launcher, remsim_test_dbus_child_setup, NULL, NULL);
	self->daemon = g_subprocess_launcher_spawn(launcher, &error, "dbus-daemon", config_arg,
						   "--nofork", "--print-address=1", NULL);
	g_assert_no_error(error);
	/* the daemon prints its address once it listens */
	out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(self->daemon));
	self->address = g_data_input_stream_read_line(out, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(self->address);
}

RemsimTestDbus *
remsim_test_dbus_up(GDBusConnection **bus)
{
	RemsimTestDbus *self = g_new0(RemsimTestDbus, 1);
	g_autoptr(GError) error = NULL;

	(void)REMSIM_DBUS_ERROR;
	self->dir = g_dir_make_tmp("remsim-test-bus-XXXXXX", &error);
	g_assert_no_error(error);
	remsim_test_dbus_start(self);
	g_setenv("DBUS_SESSION_BUS_ADDRESS", self->address, TRUE);
	g_unsetenv("DBUS_STARTER_ADDRESS");
	g_unsetenv("DBUS_STARTER_BUS_TYPE");
	if (bus != NULL) {
		*bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
		g_assert_no_error(error);
	}
	return self;
}

const gchar *
remsim_test_dbus_get_address(RemsimTestDbus *self)
{
	return self->address;
}

GDBusConnection *
remsim_test_dbus_connect(RemsimTestDbus *self)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_for_address_sync(
	    self->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);

	g_assert_no_error(error);
	return conn;
}

static gboolean
remsim_test_dbus_is_gone(gpointer data)
{
	GDBusConnection **weak = data;

	return *weak == NULL;
}

/*
 * The next test's g_bus_get() must not hand out this bus's connection: close
 * the process's session bus singleton and wait until it is freed, which fails
 * the test if something still holds it.
 */
static void
remsim_test_dbus_drop_session(void)
{
	GDBusConnection *conn = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);

	if (conn == NULL)
		return;
	/* its end must not be a SIGTERM for this process */
	g_dbus_connection_set_exit_on_close(conn, FALSE);
	g_dbus_connection_close_sync(conn, NULL, NULL);
	g_object_add_weak_pointer(G_OBJECT(conn), (gpointer *)&conn);
	g_object_unref(conn);
	if (!remsim_test_common_spin_until(remsim_test_dbus_is_gone, &conn, REMSIM_TEST_TIMEOUT_MS))
		g_error("the session bus connection of a test was still in use at its end");
}

void
remsim_test_dbus_down(RemsimTestDbus *self, GDBusConnection **bus)
{
	g_autofree gchar *config = g_build_filename(self->dir, "bus.conf", NULL);

	if (bus != NULL && *bus != NULL) {
		g_dbus_connection_set_exit_on_close(*bus, FALSE);
		g_dbus_connection_close_sync(*bus, NULL, NULL);
		g_clear_object(bus);
	}
	remsim_test_dbus_drop_session();
	g_subprocess_send_signal(self->daemon, SIGTERM);
	g_subprocess_wait(self->daemon, NULL, NULL);
	g_unsetenv("DBUS_SESSION_BUS_ADDRESS");
	g_remove(config);
	g_rmdir(self->dir);
	g_object_unref(self->daemon);
	g_free(self->address);
	g_free(self->dir);
	g_free(self);
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
