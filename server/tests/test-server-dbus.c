/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * org.remsim.Server1 on a private session bus, read and driven through the
 * generated proxies and object manager client (as remsim-ctl does): one object
 * per bank, client and slot map, coming and going with them, PropertiesChanged,
 * no whole-list properties, typed errors; Reload and SIGHUP; and a server
 * without any bus.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "remsim-dbus.h"
#include "remsim-test-dbus.h"
#include "remsim-test-util.h"

#define WAIT_MS 10000

/* ---- a server on a private bus, seen through the proxies ---- */

typedef struct {
	GTestDBus *tbus;
	GDBusConnection *bus;
	gchar *dir;
	TestServer *server;
	RemsimDbusServer1 *root;
	GDBusObjectManager *objects;
	GPtrArray *added;   /* object paths from ::object-added, not yet taken */
	GPtrArray *removed; /* from ::object-removed */
} ServerDbusFixture;

static void
object_added_cb(GDBusObjectManager *manager, GDBusObject *object, gpointer data)
{
	ServerDbusFixture *f = data;

	g_ptr_array_add(f->added, g_strdup(g_dbus_object_get_object_path(object)));
}

static void
object_removed_cb(GDBusObjectManager *manager, GDBusObject *object, gpointer data)
{
	ServerDbusFixture *f = data;

	g_ptr_array_add(f->removed, g_strdup(g_dbus_object_get_object_path(object)));
}

static void
fixture_setup(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->tbus = remsim_test_dbus_up(&f->bus);
	f->dir = test_make_temp_dir();
	f->server = test_server_start(f->dir, (const gchar *const[]){ "--session", NULL });
	g_assert_true(remsim_test_dbus_wait_name(f->bus, REMSIM_DBUS_SERVER_NAME, WAIT_MS));

	f->root = remsim_dbus_server1_proxy_new_sync(f->bus, G_DBUS_PROXY_FLAGS_NONE,
						     REMSIM_DBUS_SERVER_NAME,
						     REMSIM_DBUS_SERVER_PATH, NULL, &error);
	g_assert_no_error(error);
	f->objects = remsim_dbus_object_manager_client_new_sync(
	    f->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, REMSIM_DBUS_SERVER_NAME,
	    REMSIM_DBUS_SERVER_PATH, NULL, &error);
	g_assert_no_error(error);
	f->added = g_ptr_array_new_with_free_func(g_free);
	f->removed = g_ptr_array_new_with_free_func(g_free);
	g_signal_connect(f->objects, "object-added", G_CALLBACK(object_added_cb), f);
	g_signal_connect(f->objects, "object-removed", G_CALLBACK(object_removed_cb), f);
}

static void
fixture_teardown(ServerDbusFixture *f, gconstpointer data)
{
	if (f->tbus == NULL)
		return;
	g_clear_object(&f->objects);
	g_clear_object(&f->root);
	g_clear_pointer(&f->server, test_server_free);
	g_clear_pointer(&f->added, g_ptr_array_unref);
	g_clear_pointer(&f->removed, g_ptr_array_unref);
	remsim_test_dbus_down(f->tbus, &f->bus);
	g_clear_object(&f->tbus);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

typedef struct {
	GPtrArray *paths;
	const gchar *path;
} ServerDbusPathWait;

static gboolean
has_path(gpointer data)
{
	ServerDbusPathWait *w = data;

	return g_ptr_array_find_with_equal_func(w->paths, w->path, g_str_equal, NULL);
}

/* waits until @path is in @paths (added or removed objects) and takes it */
static void
take_path(GPtrArray *paths, const gchar *path)
{
	ServerDbusPathWait w = { paths, path };
	guint index = 0;

	if (!remsim_test_common_spin_until(has_path, &w, WAIT_MS))
		g_error("no object-added/removed for %s", path);
	g_assert_true(g_ptr_array_find_with_equal_func(paths, path, g_str_equal, &index));
	g_ptr_array_remove_index(paths, index);
}

/* the object at @path, which the object manager client must have */
static RemsimDbusObject *
get_object(ServerDbusFixture *f, const gchar *path)
{
	GDBusObject *object = g_dbus_object_manager_get_object(f->objects, path);

	g_assert_nonnull(object);
	return REMSIM_DBUS_OBJECT(object);
}

/* how many objects carry @iface */
static guint
count_objects(ServerDbusFixture *f, const gchar *iface)
{
	g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(f->objects);
	guint n = 0;

	for (GList *l = objects; l != NULL; l = l->next) {
		g_autoptr(GDBusInterface) found = g_dbus_object_get_interface(l->data, iface);

		n += found != NULL;
	}
	return n;
}

typedef struct {
	ServerDbusFixture *f;
	const gchar *iface;
	guint n;
} ServerDbusCountWait;

static gboolean
has_count(gpointer data)
{
	ServerDbusCountWait *w = data;

	return count_objects(w->f, w->iface) == w->n;
}

static void
wait_count(ServerDbusFixture *f, const gchar *iface, guint n)
{
	ServerDbusCountWait w = { f, iface, n };

	g_assert_true(remsim_test_common_spin_until(has_count, &w, WAIT_MS));
}

typedef struct {
	RemsimDbusServer1Slotmap *map;
	const gchar *state;
} ServerDbusStateWait;

static gboolean
has_state(gpointer data)
{
	ServerDbusStateWait *w = data;

	return g_strcmp0(remsim_dbus_server1_slotmap_get_state(w->map), w->state) == 0;
}

static void
wait_map_state(RemsimDbusServer1Slotmap *map, const gchar *state)
{
	ServerDbusStateWait w = { map, state };

	if (!remsim_test_common_spin_until(has_state, &w, WAIT_MS))
		g_error("slot map state %s, want %s", remsim_dbus_server1_slotmap_get_state(map),
			state);
}

static void
count_changes_cb(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer data)
{
	if (g_variant_lookup_value(changed, "State", NULL) != NULL)
		(*(guint *)data)++;
}

/* the interfaces of Server1 carry no list property that is resent whole on each change */
static void
assert_no_list_properties(void)
{
	GDBusInterfaceInfo *const infos[] = {
		remsim_dbus_server1_interface_info(),
		remsim_dbus_server1_bank_interface_info(),
		remsim_dbus_server1_client_interface_info(),
		remsim_dbus_server1_slotmap_interface_info(),
	};

	for (guint i = 0; i < G_N_ELEMENTS(infos); i++) {
		for (guint j = 0; infos[i]->properties && infos[i]->properties[j]; j++) {
			const gchar *sig = infos[i]->properties[j]->signature;

			g_assert_false(g_str_has_prefix(sig, "aa{") || g_str_has_prefix(sig, "a("));
		}
	}
	g_assert_null(g_dbus_interface_info_lookup_property(infos[0], "Banks"));
	g_assert_null(g_dbus_interface_info_lookup_property(infos[0], "Clients"));
	g_assert_null(g_dbus_interface_info_lookup_property(infos[0], "Slotmaps"));
	/* the ObjectManager's InterfacesAdded/Removed replace BankAdded and the like */
	g_assert_null(infos[0]->signals != NULL ? infos[0]->signals[0] : NULL);
}

static void
test_server1(ServerDbusFixture *f, gconstpointer data)
{
	TestServer *s = f->server;
	g_autoptr(ServerTestPeer) bank = NULL;
	g_autoptr(ServerTestPeer) client = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *bank_path = remsim_dbus_names_server_bank_path(1);
	g_autofree gchar *client_path = remsim_dbus_names_server_client_path(3, 0);
	g_autofree gchar *map_path = remsim_dbus_names_server_slotmap_path(65538);
	guint32 id = 0;

	if (f->tbus == NULL)
		return;
	g_assert_cmpuint(remsim_dbus_server1_get_restart_counter(f->root), ==, 1);
	g_assert_cmpuint(remsim_dbus_server1_get_rest_port(f->root), ==, s->rest_port);
	g_assert_cmpuint(remsim_dbus_server1_get_rspro_port(f->root), ==, s->rspro_port);
	g_assert_cmpuint(remsim_dbus_server1_get_api_version(f->root), ==, REMSIM_DBUS_API_VERSION);
	g_assert_cmpstr(remsim_dbus_server1_get_version(f->root), ==, PACKAGE_VERSION);
	assert_no_list_properties();
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_BANK_INTERFACE), ==, 0);

	/* banks and clients appear as objects */
	bank = test_bank_new(s, 1, 8, NULL);
	take_path(f->added, bank_path);
	{
		g_autoptr(RemsimDbusObject) object = get_object(f, bank_path);
		g_autoptr(RemsimDbusServer1Bank) iface =
		    remsim_dbus_object_get_server1_bank(object);

		g_assert_cmpuint(remsim_dbus_server1_bank_get_bank_id(iface), ==, 1);
		g_assert_cmpuint(remsim_dbus_server1_bank_get_number_of_slots(iface), ==, 8);
		g_assert_cmpstr(remsim_dbus_server1_bank_get_peer(iface), ==, "B1");
		g_assert_true(
		    g_str_has_prefix(remsim_dbus_server1_bank_get_address(iface), "127.0.0.1:"));
	}
	client = test_client_new(s, 3, 0);
	take_path(f->added, client_path);
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_CLIENT_INTERFACE), ==, 1);
	{
		g_autoptr(RemsimDbusObject) object = get_object(f, client_path);
		g_autoptr(RemsimDbusServer1Client) iface =
		    remsim_dbus_object_get_server1_client(object);

		g_assert_cmpuint(remsim_dbus_server1_client_get_client_id(iface), ==, 3);
		g_assert_cmpuint(remsim_dbus_server1_client_get_slot_nr(iface), ==, 0);
		g_assert_cmpstr(remsim_dbus_server1_client_get_peer(iface), ==, "C3:0");
	}

	/* CreateSlotmap drives the bank like REST does */
	g_assert_true(
	    remsim_dbus_server1_call_create_slotmap_sync(f->root, 1, 2, 3, 0, &id, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(id, ==, 65538);
	test_peer_expect(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 10000);
	g_assert_true(test_wait_slotmap_state(s, 1, 2, "ACTIVE"));
	take_path(f->added, map_path);
	{
		g_autoptr(RemsimDbusObject) object = get_object(f, map_path);
		g_autoptr(RemsimDbusServer1Slotmap) map =
		    remsim_dbus_object_get_server1_slotmap(object);

		wait_map_state(map, "active");
		g_assert_cmpuint(remsim_dbus_server1_slotmap_get_id(map), ==, id);
		g_assert_cmpuint(remsim_dbus_server1_slotmap_get_bank_id(map), ==, 1);
		g_assert_cmpuint(remsim_dbus_server1_slotmap_get_bank_slot_nr(map), ==, 2);
		g_assert_cmpuint(remsim_dbus_server1_slotmap_get_client_id(map), ==, 3);
		g_assert_cmpuint(remsim_dbus_server1_slotmap_get_client_slot_nr(map), ==, 0);
		g_assert_cmpstr(remsim_dbus_server1_slotmap_get_error(map), ==, "");
	}

	/* typed errors: the registered names, as GErrors of the remsim D-Bus domain */
	g_assert_false(
	    remsim_dbus_server1_call_create_slotmap_sync(f->root, 1, 2, 4, 0, NULL, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_CONFLICT,
				      "org.remsim.Error.Conflict");
	g_clear_error(&error);
	g_assert_false(remsim_dbus_server1_call_create_slotmap_sync(f->root, 2000, 0, 4, 0, NULL,
								    NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_INVALID_ARGS,
				      "org.remsim.Error.InvalidArgs");
	g_clear_error(&error);

	g_assert_true(remsim_dbus_server1_call_delete_slotmap_sync(f->root, id, NULL, &error));
	g_assert_no_error(error);
	test_peer_expect(bank, RSPRO_MSG_REMOVE_MAPPING_REQ, 10000);
	take_path(f->removed, map_path);
	g_assert_false(remsim_dbus_server1_call_delete_slotmap_sync(f->root, id, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_NOT_FOUND,
				      "org.remsim.Error.NotFound");
	g_clear_error(&error);

	/* GlobalReset empties the list */
	for (guint i = 0; i < 3; i++) {
		g_assert_true(remsim_dbus_server1_call_create_slotmap_sync(f->root, 1, i, 10 + i, 0,
									   NULL, NULL, &error));
		g_assert_no_error(error);
	}
	wait_count(f, REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE, 3);
	g_assert_true(remsim_dbus_server1_call_global_reset_sync(f->root, NULL, &error));
	g_assert_no_error(error);
	g_assert_null(test_slotmap_state(s, 1, 0));
	wait_count(f, REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE, 0);

	/* banks and clients that go take their objects along */
	g_clear_pointer(&bank, test_peer_free);
	take_path(f->removed, bank_path);
	g_clear_pointer(&client, test_peer_free);
	take_path(f->removed, client_path);
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_BANK_INTERFACE), ==, 0);
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_CLIENT_INTERFACE), ==, 0);
}

/* a map's state follows its bank with PropertiesChanged: new, error (refused), new again */
static void
test_slotmap_states(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(ServerTestPeer) bank = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *map_path = remsim_dbus_names_server_slotmap_path(5 * 65536);
	g_autofree gchar *bank_path = remsim_dbus_names_server_bank_path(5);
	g_autoptr(RemsimDbusObject) object = NULL;
	g_autoptr(RemsimDbusServer1Slotmap) map = NULL;
	guint changes = 0;

	if (f->tbus == NULL)
		return;
	/* a map for a bank that is not there stays new */
	g_assert_true(
	    remsim_dbus_server1_call_create_slotmap_sync(f->root, 5, 0, 7, 0, NULL, NULL, &error));
	g_assert_no_error(error);
	take_path(f->added, map_path);
	object = get_object(f, map_path);
	map = remsim_dbus_object_get_server1_slotmap(object);
	g_assert_cmpstr(remsim_dbus_server1_slotmap_get_state(map), ==, "new");
	g_signal_connect(map, "g-properties-changed", G_CALLBACK(count_changes_cb), &changes);

	/* the bank comes and refuses it */
	bank = test_peer_connect(f->server);
	bank->map_result = RSPRO_RESULT_ILLEGAL_SLOT_ID;
	test_peer_send_bank_hello(bank, 5, 4, NULL);
	g_assert_cmpint(test_peer_wait_hello(bank), ==, RSPRO_RESULT_OK);
	take_path(f->added, bank_path);
	wait_map_state(map, "error");
	g_assert_cmpstr(remsim_dbus_server1_slotmap_get_error(map), ==, "illegalSlotId");
	g_assert_cmpuint(changes, >=, 1);

	/* the bank goes: the map waits for it again */
	changes = 0;
	g_clear_pointer(&bank, test_peer_free);
	take_path(f->removed, bank_path);
	wait_map_state(map, "new");
	g_assert_cmpstr(remsim_dbus_server1_slotmap_get_error(map), ==, "");
	g_assert_cmpuint(changes, >=, 1);
	/* one object per map, not a list resent whole: nothing else came or went */
	g_assert_cmpuint(f->added->len, ==, 0);
	g_assert_cmpuint(f->removed->len, ==, 0);
}

typedef struct {
	RemsimDbusServer1 *root;
	const gchar *const *want;
} ServerDbusPendingWait;

static gboolean
pending_is(gpointer data)
{
	ServerDbusPendingWait *w = data;
	const gchar *const *pending = remsim_dbus_server1_get_restart_pending(w->root);

	return pending != NULL && g_strv_equal(pending, w->want);
}

static void
wait_pending(RemsimDbusServer1 *root, const gchar *const *want)
{
	ServerDbusPendingWait w = { root, want };

	g_assert_true(remsim_test_common_spin_until(pending_is, &w, WAIT_MS));
}

static void
write_config(ServerDbusFixture *f, const gchar *text)
{
	g_assert_true(g_file_set_contents(f->server->config_file, text, -1, NULL));
}

/* Reload and SIGHUP: what changes at run time, what waits, and a bad file that changes nothing */
static void
test_reload(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;
	const gchar *const none[] = { NULL };
	const gchar *const dbus_only[] = { "dbus", NULL };
	g_autofree gchar *where = NULL;

	if (f->tbus == NULL)
		return;
	wait_pending(f->root, none);

	/* debug changes at run time, dbus waits, rspro-port is the command line's */
	write_config(f, "[server]\ndebug=true\ndbus=false\nrspro-port=1234\n");
	g_assert_true(
	    remsim_dbus_server1_call_reload_sync(f->root, &applied, &needs_restart, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(
	    g_strv_equal((const gchar *const *)applied, (const gchar *const[]){ "debug", NULL }));
	g_assert_true(g_strv_equal((const gchar *const *)needs_restart, dbus_only));
	wait_pending(f->root, dbus_only);

	/* a bad file: the registered error names the file and key, and nothing changes */
	write_config(f, "[server]\nrest-port=banana\n");
	g_assert_false(remsim_dbus_server1_call_reload_sync(f->root, NULL, NULL, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_INVALID_CONFIG,
				      "org.remsim.Error.InvalidConfig");
	g_assert_nonnull(strstr(error->message, f->server->config_file));
	g_assert_nonnull(strstr(error->message, "rest-port"));
	/* FILE:LINE, as at start, and in English */
	where = g_strdup_printf("%s:2: [server] rest-port: “banana” is not a number",
				f->server->config_file);
	g_assert_true(g_dbus_error_strip_remote_error(error));
	g_assert_cmpstr(error->message, ==, where);
	g_clear_error(&error);
	g_assert_true(g_strv_equal(remsim_dbus_server1_get_restart_pending(f->root), dbus_only));

	/* SIGHUP reads it too: a bad file changes nothing, the daemon runs on */
	g_subprocess_send_signal(f->server->proc, SIGHUP);
	remsim_test_common_spin_for(300);
	g_assert_cmpuint(test_create_slotmap(f->server, 1, 0, 1, 0), ==, 201);
	g_assert_true(g_strv_equal(remsim_dbus_server1_get_restart_pending(f->root), dbus_only));
	/* the file as it was: nothing waits for a restart any more */
	write_config(f, "");
	g_subprocess_send_signal(f->server->proc, SIGHUP);
	wait_pending(f->root, none);
	g_assert_nonnull(g_subprocess_get_identifier(f->server->proc));
}

/* a server with no bus warns once and serves */
static void
test_no_bus(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *old = g_strdup(g_getenv("DBUS_SESSION_BUS_ADDRESS"));
	g_autoptr(TestServer) s = NULL;

	/* a bus that is not there: the server warns once and serves anyway */
	g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/remsim-test-bus", TRUE);
	s = test_server_start(dir, (const gchar *const[]){ "--session", NULL });
	g_assert_cmpuint(test_create_slotmap(s, 1, 0, 1, 0), ==, 201);
	{
		g_autoptr(ServerTestPeer) bank = test_bank_new(s, 1, 8, NULL);

		test_peer_expect(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 10000);
	}
	g_clear_pointer(&s, test_server_free);
	if (old)
		g_setenv("DBUS_SESSION_BUS_ADDRESS", old, TRUE);
	else
		g_unsetenv("DBUS_SESSION_BUS_ADDRESS");
	remsim_test_common_remove_tree(dir);
}

static gboolean
ports_written(gpointer data)
{
	guint16 rspro = 0, rest = 0;

	return remsim_test_common_read_server_ports(data, &rspro, &rest);
}

/* the same server's log: exactly one warning, the one about the bus */
static void
test_no_bus_warns_once(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *conf = g_build_filename(dir, "empty.conf", NULL);
	g_autofree gchar *ports = g_build_filename(dir, "ports", NULL);
	g_autoptr(GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *log = NULL;
	const gchar *const argv[] = { g_getenv("REMSIM_SERVER"),
				      "--session",
				      "--config",
				      conf,
				      "--state-dir",
				      dir,
				      "--bind-ip",
				      "127.0.0.1",
				      "--rspro-port",
				      "0",
				      "--rest-bind-ip",
				      "127.0.0.1",
				      "--rest-port",
				      "0",
				      "--port-file",
				      ports,
				      NULL };

	g_assert_true(g_file_set_contents(conf, "", 0, NULL));
	g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS",
				     "unix:path=/nonexistent/remsim-test-bus", TRUE);
	proc = remsim_test_common_daemon_spawn(launcher, argv, SIGKILL);
	g_assert_true(remsim_test_common_spin_until(ports_written, ports, WAIT_MS));
	/* give the bus attempt time to fail, then stop and read what it said */
	remsim_test_common_spin_for(500);
	g_subprocess_send_signal(proc, SIGTERM);
	g_subprocess_communicate_utf8(proc, NULL, NULL, NULL, &log, &error);
	g_assert_no_error(error);
	g_test_message("server log:\n%s", log);
	g_assert_nonnull(strstr(log, "No D-Bus"));
	g_assert_null(strstr(strstr(log, "No D-Bus") + 1, "No D-Bus"));
	g_assert_nonnull(strstr(log, "WARNING"));
	g_assert_null(strstr(strstr(log, "WARNING") + 1, "WARNING"));
	remsim_test_common_remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/server/dbus/server1", ServerDbusFixture, NULL, fixture_setup, test_server1,
		   fixture_teardown);
	g_test_add("/server/dbus/slotmap-states", ServerDbusFixture, NULL, fixture_setup,
		   test_slotmap_states, fixture_teardown);
	g_test_add("/server/dbus/reload", ServerDbusFixture, NULL, fixture_setup, test_reload,
		   fixture_teardown);
	g_test_add_func("/server/dbus/no-bus", test_no_bus);
	g_test_add_func("/server/dbus/no-bus-warns-once", test_no_bus_warns_once);
	return g_test_run();
}
