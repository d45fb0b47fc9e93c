/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ctl-test-daemons.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"
#include "remsim-test-daemon.h"
#include "remsim-test-dbus.h"

typedef enum {
	REMSIM_CTL_TEST_SERVER,
	REMSIM_CTL_TEST_BANKD,
	REMSIM_CTL_TEST_CLIENT,
	REMSIM_CTL_TEST_N_DAEMONS,
} RemsimCtlTestDaemonKind;

static const RemsimTestDaemonKind remsim_ctl_test_daemons_kinds[] = { REMSIM_TEST_DAEMON_SERVER,
								      REMSIM_TEST_DAEMON_BANKD,
								      REMSIM_TEST_DAEMON_CLIENT };
static const gchar *const remsim_ctl_test_daemons_names[] = { "remsim-server", "remsim-bankd",
							      "remsim-client" };
static const gchar *const remsim_ctl_test_daemons_bus_names[] = { REMSIM_DBUS_SERVER_NAME,
								  REMSIM_DBUS_BANKD_NAME,
								  REMSIM_DBUS_CLIENT_NAME };
static const gchar *const remsim_ctl_test_daemons_paths[] = { REMSIM_DBUS_SERVER_PATH,
							      REMSIM_DBUS_BANKD_PATH,
							      REMSIM_DBUS_CLIENT_PATH };

struct _RemsimCtlTestDaemons {
	gchar *dir;
	RemsimTestDbus *tbus;
	GDBusConnection *bus;
	RemsimTestDaemon *daemons[REMSIM_CTL_TEST_N_DAEMONS];
	/* each daemon's objects, for the waits */
	GDBusObjectManager *objects[REMSIM_CTL_TEST_N_DAEMONS];
	gchar *rest_url;
};

RemsimCtlTestDaemons *
remsim_ctl_test_daemons_new(void)
{
	RemsimCtlTestDaemons *self = g_new0(RemsimCtlTestDaemons, 1);
	g_autoptr(GError) error = NULL;

	self->dir = remsim_test_common_make_dir("remsim-ctl-XXXXXX");
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
	g_assert_true(remsim_test_common_spin_until(done, data, REMSIM_TEST_TIMEOUT_MS));
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
		if (alive->self->daemons[d] != NULL &&
		    remsim_test_daemon_has_exited(alive->self->daemons[d]))
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
remsim_ctl_test_daemons_spawn(RemsimCtlTestDaemons *self, RemsimCtlTestDaemonKind kind,
			      const RemsimTestDaemonOptions *options)
{
	RemsimTestDaemonOptions o = *options;

	g_assert_null(self->daemons[kind]);
	o.bus_address = remsim_test_dbus_get_address(self->tbus);
	self->daemons[kind] = remsim_test_daemon_spawn(remsim_ctl_test_daemons_kinds[kind], &o);
	remsim_ctl_test_daemons_wait_alive(self, remsim_ctl_test_daemons_has_owner,
					   self->objects[kind]);
}

static void
remsim_ctl_test_daemons_stop(RemsimCtlTestDaemons *self, RemsimCtlTestDaemonKind kind)
{
	if (self->daemons[kind] == NULL)
		return;
	/* a clean exit with status 0, also for one that went before it was asked to */
	remsim_test_daemon_stop(self->daemons[kind]);
	g_clear_object(&self->daemons[kind]);
}

void
remsim_ctl_test_daemons_start_server(RemsimCtlTestDaemons *self)
{
	remsim_ctl_test_daemons_spawn(self, REMSIM_CTL_TEST_SERVER,
				      &(RemsimTestDaemonOptions){ 0 });
	g_free(self->rest_url);
	self->rest_url = g_strdup_printf(
	    "http://127.0.0.1:%u",
	    remsim_test_daemon_get_rest_port(self->daemons[REMSIM_CTL_TEST_SERVER]));
}

void
remsim_ctl_test_daemons_stop_server(RemsimCtlTestDaemons *self)
{
	remsim_ctl_test_daemons_stop(self, REMSIM_CTL_TEST_SERVER);
}

static guint16
remsim_ctl_test_daemons_server_port(RemsimCtlTestDaemons *self)
{
	g_assert_nonnull(self->daemons[REMSIM_CTL_TEST_SERVER]);
	return remsim_test_daemon_get_port(self->daemons[REMSIM_CTL_TEST_SERVER]);
}

void
remsim_ctl_test_daemons_start_bankd(RemsimCtlTestDaemons *self, guint n_slots)
{
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *config =
	    g_strdup_printf("[simcard]\nslots=%u\nprofiles=%s\n", n_slots, profile);
	g_autofree gchar *path = remsim_dbus_names_server_bank_path(REMSIM_TEST_DAEMON_BANK_ID);

	remsim_ctl_test_daemons_spawn(
	    self, REMSIM_CTL_TEST_BANKD,
	    &(RemsimTestDaemonOptions){ .config = config,
					.server_port = remsim_ctl_test_daemons_server_port(self),
					.backend = "simcard",
					.n_slots = n_slots });
	remsim_ctl_test_daemons_wait_object(self, REMSIM_CTL_TEST_SERVER, path,
					    REMSIM_DBUS_SERVER_BANK_INTERFACE, NULL, "");
}

void
remsim_ctl_test_daemons_start_client(RemsimCtlTestDaemons *self, guint client_id, guint slot)
{
	g_autofree gchar *id = g_strdup_printf("%u", client_id);
	g_autofree gchar *nr = g_strdup_printf("%u", slot);
	g_autofree gchar *path = remsim_dbus_names_server_client_path(client_id, slot);
	const gchar *args[] = { "-c", id, "-n", nr, "--frontend", "shell", NULL };

	/* the shell front end reads the modem's commands from a pipe that stays open */
	remsim_ctl_test_daemons_spawn(
	    self, REMSIM_CTL_TEST_CLIENT,
	    &(RemsimTestDaemonOptions){ .args = args,
					.server_port = remsim_ctl_test_daemons_server_port(self) });
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
	self->tbus = NULL;
	remsim_test_common_remove_tree(self->dir);
	g_free(self->dir);
	g_free(self->rest_url);
	g_free(self);
}
