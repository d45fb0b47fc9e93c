/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>

#include "remsim-ctl-test-daemons.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"
#include "remsim-test-dbus.h"

/* how long a daemon may take to exit after SIGTERM before the test fails */
#define REMSIM_CTL_TEST_DAEMONS_STOP_MS 30000

typedef enum {
	REMSIM_CTL_TEST_SERVER,
	REMSIM_CTL_TEST_BANKD,
	REMSIM_CTL_TEST_CLIENT,
	REMSIM_CTL_TEST_N_DAEMONS,
} RemsimCtlTestDaemonKind;

static const gchar *const remsim_ctl_test_daemons_names[] = { "remsim-server", "remsim-bankd",
							      "remsim-client" };
static const gchar *const remsim_ctl_test_daemons_bus_names[] = { REMSIM_DBUS_SERVER_NAME,
								  REMSIM_DBUS_BANKD_NAME,
								  REMSIM_DBUS_CLIENT_NAME };
static const gchar *const remsim_ctl_test_daemons_paths[] = { REMSIM_DBUS_SERVER_PATH,
							      REMSIM_DBUS_BANKD_PATH,
							      REMSIM_DBUS_CLIENT_PATH };

typedef struct {
	GSubprocess *proc;
	GCancellable *cancellable; /* of the wait for its exit */
	gboolean exited;
} RemsimCtlTestDaemon;

struct _RemsimCtlTestDaemons {
	gchar *dir;
	gchar *empty_config;
	GTestDBus *tbus;
	GDBusConnection *bus;
	GFileMonitor *monitor; /* the folder, where port files appear */
	RemsimCtlTestDaemon daemons[REMSIM_CTL_TEST_N_DAEMONS];
	/* each daemon's objects, for the waits */
	GDBusObjectManager *objects[REMSIM_CTL_TEST_N_DAEMONS];
	guint16 rspro_port;
	guint16 rest_port;
	gchar *rest_url;
};

RemsimCtlTestDaemons *
remsim_ctl_test_daemons_new(void)
{
	RemsimCtlTestDaemons *self = g_new0(RemsimCtlTestDaemons, 1);
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) dir = NULL;

	self->dir = g_dir_make_tmp("remsim-ctl-XXXXXX", &error);
	g_assert_no_error(error);
	self->empty_config = g_build_filename(self->dir, "empty.conf", NULL);
	g_assert_true(g_file_set_contents(self->empty_config, "", 0, NULL));
	dir = g_file_new_for_path(self->dir);
	self->monitor = g_file_monitor_directory(dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
	g_assert_no_error(error);
	self->tbus = remsim_test_dbus_up(&self->bus);
	for (guint d = 0; d < REMSIM_CTL_TEST_N_DAEMONS; d++) {
		self->objects[d] = remsim_dbus_object_manager_client_new_sync(
		    self->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
		    remsim_ctl_test_daemons_bus_names[d], remsim_ctl_test_daemons_paths[d], NULL,
		    &error);
		g_assert_no_error(error);
	}
	return self;
}

const gchar *
remsim_ctl_test_daemons_get_dir(RemsimCtlTestDaemons *self)
{
	return self->dir;
}

GDBusConnection *
remsim_ctl_test_daemons_get_bus(RemsimCtlTestDaemons *self)
{
	return self->bus;
}

const gchar *
remsim_ctl_test_daemons_get_rest_url(RemsimCtlTestDaemons *self)
{
	return self->rest_url;
}

/* ---- waiting ---- */

void
remsim_ctl_test_daemons_wait(gboolean (*done)(gpointer data), gpointer data)
{
	while (!done(data))
		g_main_context_iteration(NULL, TRUE);
}

typedef struct {
	RemsimCtlTestDaemons *self;
	gboolean (*done)(gpointer data);
	gpointer data;
} RemsimCtlTestDaemonsAlive;

/* @done, or a failed test when a daemon exits meanwhile */
static gboolean
remsim_ctl_test_daemons_done_or_dead(gpointer data)
{
	RemsimCtlTestDaemonsAlive *alive = data;

	for (guint d = 0; d < REMSIM_CTL_TEST_N_DAEMONS; d++)
		if (alive->self->daemons[d].exited)
			g_error("%s exited while the test waited for it (its log is above)",
				remsim_ctl_test_daemons_names[d]);
	return alive->done(alive->data);
}

static void
remsim_ctl_test_daemons_wait_alive(RemsimCtlTestDaemons *self, gboolean (*done)(gpointer data),
				   gpointer data)
{
	RemsimCtlTestDaemonsAlive alive = { self, done, data };

	remsim_ctl_test_daemons_wait(remsim_ctl_test_daemons_done_or_dead, &alive);
}

typedef struct {
	RemsimCtlTestDaemons *self;
	RemsimCtlTestDaemonKind kind;
	const gchar *path;
	const gchar *iface;
	const gchar *property;
	const gchar *value;
} RemsimCtlTestDaemonsPropertyWait;

static gboolean
remsim_ctl_test_daemons_has_property(gpointer data)
{
	RemsimCtlTestDaemonsPropertyWait *w = data;
	g_autoptr(GDBusInterface) iface =
	    g_dbus_object_manager_get_interface(w->self->objects[w->kind], w->path, w->iface);
	g_autoptr(GVariant) value = NULL;

	if (iface == NULL)
		return w->value == NULL;
	if (w->value == NULL)
		return FALSE;
	if (w->property == NULL)
		return TRUE;
	value = g_dbus_proxy_get_cached_property(G_DBUS_PROXY(iface), w->property);
	return value != NULL && g_str_equal(g_variant_get_string(value, NULL), w->value);
}

static void
remsim_ctl_test_daemons_wait_object(RemsimCtlTestDaemons *self, RemsimCtlTestDaemonKind kind,
				    const gchar *path, const gchar *iface, const gchar *property,
				    const gchar *value)
{
	RemsimCtlTestDaemonsPropertyWait w = { self, kind, path, iface, property, value };

	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_has_property, &w);
}

void
remsim_ctl_test_daemons_wait_property(RemsimCtlTestDaemons *self, const gchar *bus_name,
				      const gchar *path, const gchar *iface, const gchar *property,
				      const gchar *value)
{
	for (guint d = 0; d < REMSIM_CTL_TEST_N_DAEMONS; d++)
		if (g_str_equal(bus_name, remsim_ctl_test_daemons_bus_names[d]))
			remsim_ctl_test_daemons_wait_object(self, d, path, iface, property, value);
}

static gboolean
remsim_ctl_test_daemons_has_owner(gpointer data)
{
	g_autofree gchar *owner =
	    g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(data));

	return owner != NULL;
}

/* ---- starting and stopping ---- */

static void
remsim_ctl_test_daemons_exited_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GError) error = NULL;

	/* cancelled: the daemon is being stopped, and @data may be gone */
	if (!g_subprocess_wait_finish(G_SUBPROCESS(source), result, &error) &&
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	((RemsimCtlTestDaemon *)data)->exited = TRUE;
}

static void
remsim_ctl_test_daemons_spawn(RemsimCtlTestDaemons *self, RemsimCtlTestDaemonKind kind,
			      GSubprocessFlags flags, const gchar *const *argv)
{
	RemsimCtlTestDaemon *daemon = &self->daemons[kind];
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);

	g_assert_null(daemon->proc);
	g_subprocess_launcher_set_cwd(launcher, self->dir);
	daemon->proc = remsim_test_common_daemon_spawn(launcher, argv, SIGTERM);
	daemon->exited = FALSE;
	daemon->cancellable = g_cancellable_new();
	g_subprocess_wait_async(daemon->proc, daemon->cancellable,
				remsim_ctl_test_daemons_exited_ready, daemon);
}

static void
remsim_ctl_test_daemons_stop(RemsimCtlTestDaemons *self, RemsimCtlTestDaemonKind kind)
{
	RemsimCtlTestDaemon *daemon = &self->daemons[kind];

	if (daemon->proc == NULL)
		return;
	g_cancellable_cancel(daemon->cancellable);
	g_clear_object(&daemon->cancellable);
	if (!daemon->exited)
		g_assert_true(remsim_test_common_daemon_stop(daemon->proc, SIGTERM,
							     REMSIM_CTL_TEST_DAEMONS_STOP_MS));
	/* a clean exit, also for one that went before it was asked to */
	g_assert_true(g_subprocess_get_if_exited(daemon->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(daemon->proc), ==, 0);
	g_clear_object(&daemon->proc);
}

typedef struct {
	const gchar *path;
	guint16 *first;
	guint16 *second; /* NULL: the file holds one port */
} RemsimCtlTestDaemonsPortFile;

/* TRUE once the daemon wrote its ports (it writes the whole file at once) */
static gboolean
remsim_ctl_test_daemons_read_ports(gpointer data)
{
	RemsimCtlTestDaemonsPortFile *p = data;
	g_autofree gchar *text = NULL;

	if (!g_file_get_contents(p->path, &text, NULL, NULL))
		return FALSE;
	if (p->second != NULL)
		return sscanf(text, "rspro=%hu\nrest=%hu", p->first, p->second) == 2;
	return sscanf(text, "%hu", p->first) == 1;
}

void
remsim_ctl_test_daemons_start_server(RemsimCtlTestDaemons *self)
{
	const gchar *exe = g_getenv("REMSIM_SERVER");
	g_autofree gchar *port_file = g_build_filename(self->dir, "server.ports", NULL);
	const gchar *argv[] = { exe,
				"--config",
				self->empty_config,
				"--session",
				"--bind-ip",
				"127.0.0.1",
				"--rest-bind-ip",
				"127.0.0.1",
				"--rspro-port",
				"0",
				"--rest-port",
				"0",
				"--state-dir",
				self->dir,
				"--port-file",
				port_file,
				NULL };
	RemsimCtlTestDaemonsPortFile ports = { port_file, &self->rspro_port, &self->rest_port };

	g_assert_nonnull(exe);
	g_unlink(port_file);
	remsim_ctl_test_daemons_spawn(self, REMSIM_CTL_TEST_SERVER, G_SUBPROCESS_FLAGS_NONE, argv);
	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_read_ports, &ports);
	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_has_owner,
					   self->objects[REMSIM_CTL_TEST_SERVER]);
	g_free(self->rest_url);
	self->rest_url = g_strdup_printf("http://127.0.0.1:%u", self->rest_port);
}

void
remsim_ctl_test_daemons_stop_server(RemsimCtlTestDaemons *self)
{
	remsim_ctl_test_daemons_stop(self, REMSIM_CTL_TEST_SERVER);
}

/* the folder of the backend plugins the build made (REMSIM_TEST_PLUGINS) */
static gchar *
remsim_ctl_test_daemons_plugin_dir(void)
{
	g_auto(GStrv) plugins = g_strsplit(g_getenv("REMSIM_TEST_PLUGINS"), ":", -1);

	for (guint i = 0; plugins[i] != NULL; i++)
		if (g_str_has_suffix(plugins[i], "/remsim-simcard.so"))
			return g_path_get_dirname(plugins[i]);
	g_error("REMSIM_TEST_PLUGINS names no simcard plugin");
}

void
remsim_ctl_test_daemons_start_bankd(RemsimCtlTestDaemons *self, guint bank_id, guint n_slots)
{
	const gchar *exe = g_getenv("REMSIM_BANKD");
	g_autofree gchar *port_file = g_build_filename(self->dir, "bankd.port", NULL);
	g_autofree gchar *config = g_build_filename(self->dir, "bankd.conf", NULL);
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *text =
	    g_strdup_printf("[simcard]\nslots=%u\nprofiles=%s\n", n_slots, profile);
	g_autofree gchar *plugin_dir = remsim_ctl_test_daemons_plugin_dir();
	g_autofree gchar *server_port = g_strdup_printf("%u", self->rspro_port);
	g_autofree gchar *bank = g_strdup_printf("%u", bank_id);
	g_autofree gchar *slots = g_strdup_printf("%u", n_slots);
	g_autofree gchar *path = remsim_dbus_names_server_bank_path(bank_id);
	const gchar *argv[] = {
		exe,	       "--config",     config,	    "--session", "--backend",
		"simcard",     "--plugin-dir", plugin_dir,  "-i",	 "127.0.0.1",
		"-p",	       server_port,    "-b",	    bank,	 "-n",
		slots,	       "-I",	       "127.0.0.1", "-P",	 "0",
		"--port-file", port_file,      NULL
	};
	guint16 port = 0;
	RemsimCtlTestDaemonsPortFile ports = { port_file, &port, NULL };

	g_assert_nonnull(exe);
	g_assert_true(g_file_set_contents(config, text, -1, NULL));
	g_unlink(port_file);
	remsim_ctl_test_daemons_spawn(self, REMSIM_CTL_TEST_BANKD, G_SUBPROCESS_FLAGS_NONE, argv);
	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_read_ports, &ports);
	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_has_owner,
					   self->objects[REMSIM_CTL_TEST_BANKD]);
	remsim_ctl_test_daemons_wait_object(self, REMSIM_CTL_TEST_SERVER, path,
					    REMSIM_DBUS_SERVER_BANK_INTERFACE, NULL, "");
}

void
remsim_ctl_test_daemons_start_client(RemsimCtlTestDaemons *self, guint client_id, guint slot)
{
	const gchar *exe = g_getenv("REMSIM_CLIENT");
	g_autofree gchar *server_port = g_strdup_printf("%u", self->rspro_port);
	g_autofree gchar *id = g_strdup_printf("%u", client_id);
	g_autofree gchar *nr = g_strdup_printf("%u", slot);
	g_autofree gchar *path = remsim_dbus_names_server_client_path(client_id, slot);
	const gchar *argv[] = { exe,	     "--config", self->empty_config, "--session", "-i",
				"127.0.0.1", "-p",	 server_port,	     "-c",	  id,
				"-n",	     nr,	 "--frontend",	     "shell",	  NULL };

	g_assert_nonnull(exe);
	/* the shell front end reads the modem's commands from a pipe that stays open */
	remsim_ctl_test_daemons_spawn(
	    self, REMSIM_CTL_TEST_CLIENT,
	    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, argv);
	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_has_owner,
					   self->objects[REMSIM_CTL_TEST_CLIENT]);
	remsim_ctl_test_daemons_wait_object(self, REMSIM_CTL_TEST_SERVER, path,
					    REMSIM_DBUS_SERVER_CLIENT_INTERFACE, NULL, "");
}

void
remsim_ctl_test_daemons_free(RemsimCtlTestDaemons *self)
{
	/* the client first: the others would see it go */
	for (gint d = REMSIM_CTL_TEST_N_DAEMONS - 1; d >= 0; d--)
		remsim_ctl_test_daemons_stop(self, d);
	for (guint d = 0; d < REMSIM_CTL_TEST_N_DAEMONS; d++)
		g_clear_object(&self->objects[d]);
	remsim_test_dbus_down(self->tbus, &self->bus);
	g_clear_object(&self->tbus);
	g_clear_object(&self->monitor);
	remsim_test_common_remove_tree(self->dir);
	g_free(self->dir);
	g_free(self->empty_config);
	g_free(self->rest_url);
	g_free(self);
}
