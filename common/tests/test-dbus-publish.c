/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimDbusPublish with the generated code of common/dbus: a daemon's objects
 * appear under its name and through the generated object manager client, with
 * PropertiesChanged; without a bus, with its name taken, or when the bus goes
 * away, the daemon gets one warning and runs on.
 */
#include "remsim-dbus-publish.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"
#include "remsim-test-dbus.h"

/* what the publisher logged (domain "remsim-common") */
static guint n_warnings;
static guint n_messages;

static void
log_cb(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
	if (level & G_LOG_LEVEL_WARNING)
		n_warnings++;
	else
		n_messages++;
	g_test_message("%s: %s", domain, message);
}

/* the publisher's warnings are what these tests count: they do not abort */
static gboolean
fatal_cb(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
	return g_strcmp0(domain, "remsim-common") != 0;
}

static gboolean
has_warning(gpointer data)
{
	return n_warnings > 0;
}

typedef struct {
	GDBusObjectManagerServer *manager;
	RemsimDbusClient1 *root;
	RemsimDbusClient1Slot *slot;
	RemsimDbusPublish *publish;
} PublishDaemon;

/* a small daemon: its own interface and one slot object, as remsim-client has */
static void
daemon_init(PublishDaemon *d)
{
	g_autofree gchar *path = remsim_dbus_names_client_slot_path(23, 0);
	g_autoptr(RemsimDbusObjectSkeleton) object = remsim_dbus_object_skeleton_new(path);

	n_warnings = n_messages = 0;
	/* GTest resets the handler for each test */
	g_test_log_set_fatal_handler(fatal_cb, NULL);
	d->manager = g_dbus_object_manager_server_new(REMSIM_DBUS_CLIENT_PATH);
	d->root = remsim_dbus_client1_skeleton_new();
	remsim_dbus_client1_set_version(d->root, "test");
	remsim_dbus_client1_set_api_version(d->root, REMSIM_DBUS_API_VERSION);
	d->slot = remsim_dbus_client1_slot_skeleton_new();
	remsim_dbus_client1_slot_set_client_id(d->slot, 23);
	remsim_dbus_client1_slot_set_state(d->slot, "idle");
	remsim_dbus_object_skeleton_set_client1_slot(object, d->slot);
	g_dbus_object_manager_server_export(d->manager, G_DBUS_OBJECT_SKELETON(object));
	d->publish = remsim_dbus_publish_new(REMSIM_DBUS_CLIENT_NAME, d->manager,
					     G_DBUS_INTERFACE_SKELETON(d->root));
}

static void
daemon_clear(PublishDaemon *d)
{
	g_clear_object(&d->publish);
	g_clear_object(&d->slot);
	g_clear_object(&d->root);
	g_clear_object(&d->manager);
}

/* a private bus, a connection of the test's own to it (the publisher has the bus
 * singleton), and the daemon, not published yet */
typedef struct {
	RemsimTestDbus *tbus;
	GDBusConnection *peer;
	PublishDaemon d;
	gboolean bus_down; /* the test took the bus down itself */
} PublishFixture;

static void
fixture_setup(PublishFixture *f, gconstpointer data)
{
	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->tbus = remsim_test_dbus_up(NULL);
	f->peer = remsim_test_dbus_connect(f->tbus);
	daemon_init(&f->d);
}

/* no bus at all */
static void
fixture_setup_no_bus(PublishFixture *f, gconstpointer data)
{
	daemon_init(&f->d);
}

static void
fixture_teardown(PublishFixture *f, gconstpointer data)
{
	daemon_clear(&f->d);
	if (f->peer != NULL)
		g_dbus_connection_close_sync(f->peer, NULL, NULL);
	g_clear_object(&f->peer);
	if (f->tbus != NULL && !f->bus_down)
		remsim_test_dbus_down(f->tbus, NULL);
	f->tbus = NULL;
}

static void
result_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	*(GAsyncResult **)user_data = g_object_ref(result);
}

static gboolean
has_result(gpointer data)
{
	return *(GAsyncResult **)data != NULL;
}

typedef struct {
	GDBusObjectManager *manager;
	guint n;
} PublishObjectCount;

static gboolean
has_objects(gpointer data)
{
	PublishObjectCount *count = data;
	g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(count->manager);

	return g_list_length(objects) == count->n;
}

static gboolean
slot_state_is_mapped(gpointer data)
{
	return g_strcmp0(remsim_dbus_client1_slot_get_state(data), "mapped") == 0;
}

static void
test_no_bus(PublishFixture *f, gconstpointer data)
{
	g_autofree gchar *old = g_strdup(g_getenv("DBUS_SESSION_BUS_ADDRESS"));
	PublishDaemon *d = &f->d;

	g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/remsim-test-bus", TRUE);
	remsim_dbus_publish_start(d->publish, G_BUS_TYPE_SESSION);
	g_assert_true(remsim_test_common_spin_until(has_warning, NULL, REMSIM_TEST_TIMEOUT_MS));
	remsim_test_common_spin_for(200);
	g_assert_cmpuint(n_warnings, ==, 1);
	g_assert_null(remsim_dbus_publish_get_connection(d->publish));
	/* the daemon's objects go on as they were */
	remsim_dbus_client1_slot_set_state(d->slot, "mapped");
	g_assert_cmpstr(remsim_dbus_client1_slot_get_state(d->slot), ==, "mapped");
	if (old != NULL)
		g_setenv("DBUS_SESSION_BUS_ADDRESS", old, TRUE);
	else
		g_unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

static void
test_view_and_bus_gone(PublishFixture *f, gconstpointer data)
{
	PublishDaemon *d = &f->d;
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GAsyncResult) root_result = NULL;
	g_autoptr(GDBusObjectManager) objects = NULL;
	g_autoptr(RemsimDbusClient1) root = NULL;
	g_autoptr(GDBusObject) object = NULL;
	g_autoptr(RemsimDbusClient1Slot) slot = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = remsim_dbus_names_client_slot_path(23, 0);
	PublishObjectCount count;

	if (f->tbus == NULL)
		return;
	remsim_dbus_publish_start(d->publish, G_BUS_TYPE_SESSION);

	/* remsim-ctl's view: the generated object manager client and proxies */
	remsim_dbus_object_manager_client_new(f->peer, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
					      REMSIM_DBUS_CLIENT_NAME, REMSIM_DBUS_CLIENT_PATH,
					      NULL, result_ready, &result);
	g_assert_true(remsim_test_common_spin_until(has_result, &result, REMSIM_TEST_TIMEOUT_MS));
	objects = remsim_dbus_object_manager_client_new_finish(result, &error);
	g_assert_no_error(error);
	count = (PublishObjectCount){ objects, 1 };
	g_assert_true(remsim_test_common_spin_until(has_objects, &count, REMSIM_TEST_TIMEOUT_MS));
	object = g_dbus_object_manager_get_object(objects, path);
	g_assert_nonnull(object);
	slot = remsim_dbus_object_get_client1_slot(REMSIM_DBUS_OBJECT(object));
	g_assert_cmpuint(remsim_dbus_client1_slot_get_client_id(slot), ==, 23);
	g_assert_cmpstr(remsim_dbus_client1_slot_get_state(slot), ==, "idle");

	remsim_dbus_client1_proxy_new(f->peer, G_DBUS_PROXY_FLAGS_NONE, REMSIM_DBUS_CLIENT_NAME,
				      REMSIM_DBUS_CLIENT_PATH, NULL, result_ready, &root_result);
	g_assert_true(
	    remsim_test_common_spin_until(has_result, &root_result, REMSIM_TEST_TIMEOUT_MS));
	root = remsim_dbus_client1_proxy_new_finish(root_result, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(remsim_dbus_client1_get_version(root), ==, "test");
	g_assert_cmpuint(remsim_dbus_client1_get_api_version(root), ==, REMSIM_DBUS_API_VERSION);

	/* a change is a PropertiesChanged; an object added later appears */
	remsim_dbus_client1_slot_set_state(d->slot, "mapped");
	g_assert_true(
	    remsim_test_common_spin_until(slot_state_is_mapped, slot, REMSIM_TEST_TIMEOUT_MS));
	{
		g_autofree gchar *path2 = remsim_dbus_names_client_slot_path(23, 1);
		g_autoptr(RemsimDbusObjectSkeleton) second = remsim_dbus_object_skeleton_new(path2);
		g_autoptr(RemsimDbusClient1Slot) iface = remsim_dbus_client1_slot_skeleton_new();

		remsim_dbus_object_skeleton_set_client1_slot(second, iface);
		g_dbus_object_manager_server_export(d->manager, G_DBUS_OBJECT_SKELETON(second));
		count.n = 2;
		g_assert_true(
		    remsim_test_common_spin_until(has_objects, &count, REMSIM_TEST_TIMEOUT_MS));
	}
	g_assert_cmpuint(n_warnings, ==, 0);
	g_assert_nonnull(remsim_dbus_publish_get_connection(d->publish));

	/* the bus goes away: one warning, and the daemon's side runs on */
	g_clear_object(&slot);
	g_clear_object(&object);
	g_clear_object(&objects);
	g_clear_object(&root);
	g_dbus_connection_close_sync(f->peer, NULL, NULL);
	g_clear_object(&f->peer);
	remsim_test_dbus_down(f->tbus, NULL);
	f->bus_down = TRUE;
	g_assert_true(remsim_test_common_spin_until(has_warning, NULL, REMSIM_TEST_TIMEOUT_MS));
	g_assert_null(remsim_dbus_publish_get_connection(d->publish));
	remsim_dbus_client1_slot_set_state(d->slot, "card-powered");
	remsim_test_common_spin_for(200);
	g_assert_cmpuint(n_warnings, ==, 1);
}

static void
name_acquired_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
}

static gboolean
is_true(gpointer data)
{
	return *(gboolean *)data;
}

static void
test_name_taken(PublishFixture *f, gconstpointer data)
{
	gboolean acquired = FALSE;
	guint owner;

	if (f->tbus == NULL)
		return;
	owner = g_bus_own_name_on_connection(f->peer, REMSIM_DBUS_CLIENT_NAME,
					     G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired_cb, NULL,
					     &acquired, NULL);
	g_assert_true(remsim_test_common_spin_until(is_true, &acquired, REMSIM_TEST_TIMEOUT_MS));

	remsim_dbus_publish_start(f->d.publish, G_BUS_TYPE_SESSION);
	g_assert_true(remsim_test_common_spin_until(has_warning, NULL, REMSIM_TEST_TIMEOUT_MS));
	remsim_test_common_spin_for(200);
	g_assert_cmpuint(n_warnings, ==, 1);
	/* the objects stay on the bus under the daemon's unique name */
	g_assert_nonnull(remsim_dbus_publish_get_connection(f->d.publish));
	daemon_clear(&f->d);
	g_bus_unown_name(owner);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_handler("remsim-common",
			  G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
			      G_LOG_FLAG_FATAL,
			  log_cb, NULL);
	g_test_add("/common/dbus-publish/no-bus", PublishFixture, NULL, fixture_setup_no_bus,
		   test_no_bus, fixture_teardown);
	g_test_add("/common/dbus-publish/view-and-bus-gone", PublishFixture, NULL, fixture_setup,
		   test_view_and_bus_gone, fixture_teardown);
	g_test_add("/common/dbus-publish/name-taken", PublishFixture, NULL, fixture_setup,
		   test_name_taken, fixture_teardown);
	return g_test_run();
}
