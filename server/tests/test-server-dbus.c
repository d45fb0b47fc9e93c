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
#include "remsim-test-daemon.h"
#include "remsim-test-dbus.h"
#include "remsim-test-peer.h"
#include "server-test-store.h"

/* what a daemon logs when SIGHUP found a config it cannot use */
#define RELOAD_FAILED "Configuration not reloaded"

/* ---- a server on a private bus, seen through the proxies ---- */

typedef struct {
	RemsimTestDbus *tbus;
	GDBusConnection *bus;
	RemsimTestDaemon *server;
	RemsimDbusServer1 *root;
	GDBusObjectManager *objects;
	GPtrArray *added;   /* object paths from ::object-added, not yet taken */
	GPtrArray *removed; /* from ::object-removed */
	gchar *state_dir;   /* the server's, where a test prepared its database */
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
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .bus_address = remsim_test_dbus_get_address(f->tbus),
					.capture_stderr = TRUE,
					.state_dir = f->state_dir });
	g_assert_true(
	    remsim_test_dbus_wait_name(f->bus, REMSIM_DBUS_SERVER_NAME, REMSIM_TEST_TIMEOUT_MS));

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

/*
 * The same with a database that refuses maps of client 666 (the INSERT fails)
 * and 667 (the transaction is rolled back, so COMMIT fails): made by a server
 * without a bus that ran once on the state directory.
 */
static void
fixture_setup_refusing(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestDaemon) first = NULL;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->state_dir = remsim_test_common_make_dir("remsim-server-state-XXXXXX");
	first = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER,
					 &(RemsimTestDaemonOptions){ .state_dir = f->state_dir });
	remsim_test_daemon_stop(first);
	server_test_store_refuse(f->state_dir, 666, 667);
	fixture_setup(f, data);
}

static void
fixture_teardown(ServerDbusFixture *f, gconstpointer data)
{
	g_clear_object(&f->objects);
	g_clear_object(&f->root);
	g_clear_object(&f->server);
	g_clear_pointer(&f->added, g_ptr_array_unref);
	g_clear_pointer(&f->removed, g_ptr_array_unref);
	if (f->tbus != NULL)
		remsim_test_dbus_down(f->tbus, &f->bus);
	f->tbus = NULL;
	if (f->state_dir != NULL)
		remsim_test_common_remove_tree(f->state_dir);
	g_free(f->state_dir);
}

/* a bank (@script for its maps) or client peer registered with the server */
static RemsimTestPeer *
registered(ServerDbusFixture *f, RemsimTestPeer *peer, const gchar *script)
{
	remsim_test_peer_load_script(peer, script);
	g_assert_cmpint(remsim_test_peer_connect(peer, remsim_test_daemon_get_port(f->server)), ==,
			RSPRO_RESULT_OK);
	return peer;
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

	if (!remsim_test_common_spin_until(has_path, &w, REMSIM_TEST_TIMEOUT_MS))
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

	g_assert_true(remsim_test_common_spin_until(has_count, &w, REMSIM_TEST_TIMEOUT_MS));
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

	if (!remsim_test_common_spin_until(has_state, &w, REMSIM_TEST_TIMEOUT_MS))
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
	/* the ObjectManager's InterfacesAdded/Removed replace BankAdded and the like; the
	 * one signal is the event stream of /api/v1/events */
	g_assert_nonnull(infos[0]->signals);
	g_assert_cmpstr(infos[0]->signals[0]->name, ==, "Event");
	g_assert_null(infos[0]->signals[1]);
}

/* the server's own properties; no list property is resent whole on each change */
static void
test_server1(ServerDbusFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;

	if (f->tbus == NULL)
		return;
	g_assert_cmpuint(remsim_dbus_server1_get_restart_counter(f->root), ==, 1);
	g_assert_cmpuint(remsim_dbus_server1_get_rest_port(f->root), ==,
			 remsim_test_daemon_get_rest_port(s));
	g_assert_cmpuint(remsim_dbus_server1_get_rspro_port(f->root), ==,
			 remsim_test_daemon_get_port(s));
	g_assert_cmpuint(remsim_dbus_server1_get_api_version(f->root), ==, REMSIM_DBUS_API_VERSION);
	g_assert_cmpstr(remsim_dbus_server1_get_version(f->root), ==, PACKAGE_VERSION);
	assert_no_list_properties();
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_BANK_INTERFACE), ==, 0);
}

/* banks and clients appear as objects, and take them along when they go */
static void
test_banks_and_clients(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *bank_path = remsim_dbus_names_server_bank_path(1);
	g_autofree gchar *client_path = remsim_dbus_names_server_client_path(3, 0);

	if (f->tbus == NULL)
		return;
	bank = registered(f, remsim_test_peer_new_bank(1, 8), REMSIM_TEST_PEER_BANK_FOR_SERVER);
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
	client =
	    registered(f, remsim_test_peer_new_client(3, 0), REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
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

	g_clear_object(&bank);
	take_path(f->removed, bank_path);
	g_clear_object(&client);
	take_path(f->removed, client_path);
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_BANK_INTERFACE), ==, 0);
	g_assert_cmpuint(count_objects(f, REMSIM_DBUS_SERVER_CLIENT_INTERFACE), ==, 0);
}

/* CreateSlotmap drives the bank like REST does; DeleteSlotmap; their typed errors */
static void
test_slotmaps(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *map_path = remsim_dbus_names_server_slotmap_path(65538);
	g_autoptr(RsproPdu) create = NULL;
	g_autoptr(RsproPdu) remove = NULL;
	guint32 id = 0;

	if (f->tbus == NULL)
		return;
	bank = registered(f, remsim_test_peer_new_bank(1, 8), REMSIM_TEST_PEER_BANK_FOR_SERVER);
	g_assert_true(
	    remsim_dbus_server1_call_create_slotmap_sync(f->root, 1, 2, 3, 0, &id, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(id, ==, 65538);
	create = remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 1, 2, "ACTIVE"));
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
	remove = remsim_test_peer_wait(bank, RSPRO_MSG_REMOVE_MAPPING_REQ);
	take_path(f->removed, map_path);
	g_assert_false(remsim_dbus_server1_call_delete_slotmap_sync(f->root, id, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_NOT_FOUND,
				      "org.remsim.Error.NotFound");
	g_clear_error(&error);
}

/* a map the database does not take is gone, and CreateSlotmap says it failed */
static void
test_store_fails(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) create = NULL;
	const guint refused[] = { 666, 667 };

	if (f->tbus == NULL)
		return;
	bank = registered(f, remsim_test_peer_new_bank(1, 8), REMSIM_TEST_PEER_BANK_FOR_SERVER);
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_assert_false(remsim_dbus_server1_call_create_slotmap_sync(
		    f->root, 1, 0, refused[i], 0, NULL, NULL, &error));
		remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_FAILED,
					      "org.remsim.Error.Failed");
		g_assert_nonnull(strstr(error->message, "server.db"));
		g_clear_error(&error);
		g_assert_null(remsim_test_daemon_slotmap_state(f->server, 1, 0));
	}
	/* the bank slot is free: the next map takes it, and is the bank's first */
	g_assert_true(
	    remsim_dbus_server1_call_create_slotmap_sync(f->root, 1, 0, 5, 0, NULL, NULL, &error));
	g_assert_no_error(error);
	create = remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_assert_cmpuint(create->u.create_mapping_req.client.client_id, ==, 5);
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_CREATE_MAPPING_REQ), ==, 1);
	wait_count(f, REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE, 1);
}

/* GlobalReset empties the list */
static void
test_global_reset(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *state = NULL;

	if (f->tbus == NULL)
		return;
	bank = registered(f, remsim_test_peer_new_bank(1, 8), REMSIM_TEST_PEER_BANK_FOR_SERVER);
	for (guint i = 0; i < 3; i++) {
		g_assert_true(remsim_dbus_server1_call_create_slotmap_sync(f->root, 1, i, 10 + i, 0,
									   NULL, NULL, &error));
		g_assert_no_error(error);
	}
	wait_count(f, REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE, 3);
	g_assert_true(remsim_dbus_server1_call_global_reset_sync(f->root, NULL, &error));
	g_assert_no_error(error);
	state = remsim_test_daemon_slotmap_state(f->server, 1, 0);
	g_assert_null(state);
	wait_count(f, REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE, 0);
}

/* a map's state follows its bank with PropertiesChanged: new, error (refused), new again */
static void
test_slotmap_states(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
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
	bank = registered(f, remsim_test_peer_new_bank(5, 4),
			  "every createMappingReq\nreply result illegalSlotId\n");
	take_path(f->added, bank_path);
	wait_map_state(map, "error");
	g_assert_cmpstr(remsim_dbus_server1_slotmap_get_error(map), ==, "illegalSlotId");
	g_assert_cmpuint(changes, >=, 1);

	/* the bank goes: the map waits for it again */
	changes = 0;
	g_clear_object(&bank);
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

	g_assert_true(remsim_test_common_spin_until(pending_is, &w, REMSIM_TEST_TIMEOUT_MS));
}

static void
write_config(ServerDbusFixture *f, const gchar *text)
{
	g_assert_true(
	    g_file_set_contents(remsim_test_daemon_get_config_path(f->server), text, -1, NULL));
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
	const gchar *config_path = remsim_test_daemon_get_config_path(f->server);
	GSubprocess *proc = remsim_test_daemon_get_process(f->server);

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
	g_assert_nonnull(strstr(error->message, config_path));
	g_assert_nonnull(strstr(error->message, "rest-port"));
	/* FILE:LINE, as at start, and in English */
	where = g_strdup_printf("%s:2: [server] rest-port: “banana” is not a number", config_path);
	g_assert_true(g_dbus_error_strip_remote_error(error));
	g_assert_cmpstr(error->message, ==, where);
	g_clear_error(&error);
	g_assert_true(g_strv_equal(remsim_dbus_server1_get_restart_pending(f->root), dbus_only));

	/* SIGHUP reads it too: a bad file changes nothing, the daemon runs on */
	g_subprocess_send_signal(proc, SIGHUP);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->server, RELOAD_FAILED) == 1);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 1, 0), ==, 201);
	g_assert_true(g_strv_equal(remsim_dbus_server1_get_restart_pending(f->root), dbus_only));
	/* the file as it was: nothing waits for a restart any more */
	write_config(f, "");
	g_subprocess_send_signal(proc, SIGHUP);
	wait_pending(f->root, none);
	g_assert_nonnull(g_subprocess_get_identifier(proc));
}

/* a server whose bus is not there */
static void
fixture_setup_no_bus(ServerDbusFixture *f, gconstpointer data)
{
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .bus_address = "unix:path=/nonexistent/remsim-test-bus",
					.capture_stderr = TRUE });
}

/* it serves anyway */
static void
test_no_bus(ServerDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RsproPdu) create = NULL;

	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 1, 0), ==, 201);
	bank = registered(f, remsim_test_peer_new_bank(1, 8), REMSIM_TEST_PEER_BANK_FOR_SERVER);
	create = remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ);
}

/* its log: exactly one warning, the one about the bus */
static void
test_no_bus_warns_once(ServerDbusFixture *f, gconstpointer data)
{
	g_autofree gchar *log = NULL;

	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->server, "No D-Bus") > 0);
	/* no second one comes */
	remsim_test_common_spin_for(500);
	remsim_test_daemon_stop(f->server);
	log = remsim_test_daemon_get_stderr(f->server);
	g_assert_nonnull(strstr(log, "No D-Bus"));
	g_assert_null(strstr(strstr(log, "No D-Bus") + 1, "No D-Bus"));
	g_assert_nonnull(strstr(log, "WARNING"));
	g_assert_null(strstr(strstr(log, "WARNING") + 1, "WARNING"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, setup, fn)                                                                       \
	g_test_add("/server/dbus/" name, ServerDbusFixture, NULL, setup, fn, fixture_teardown)
	ADD("server1", fixture_setup, test_server1);
	ADD("banks-and-clients", fixture_setup, test_banks_and_clients);
	ADD("slotmaps", fixture_setup, test_slotmaps);
	ADD("store-fails", fixture_setup_refusing, test_store_fails);
	ADD("global-reset", fixture_setup, test_global_reset);
	ADD("slotmap-states", fixture_setup, test_slotmap_states);
	ADD("reload", fixture_setup, test_reload);
	ADD("no-bus", fixture_setup_no_bus, test_no_bus);
	ADD("no-bus-warns-once", fixture_setup_no_bus, test_no_bus_warns_once);
	return g_test_run();
}
