/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.remsim.Server1 on a private session bus; and a server without any bus. */
#include "remsim-test-util.h"

#define NAME "org.remsim.Server1"
#define PATH "/org/remsim/Server1"
#define IFACE "org.remsim.Server1"

typedef struct {
	GDBusConnection *bus;
	GPtrArray *signals; /* "Name" of each signal, in order */
	GPtrArray *params;  /* its parameters */
} DbusWatch;

static void
on_signal(GDBusConnection *c, const gchar *sender, const gchar *path, const gchar *iface,
	  const gchar *name, GVariant *params, gpointer data)
{
	DbusWatch *w = data;

	g_ptr_array_add(w->signals, g_strdup(name));
	g_ptr_array_add(w->params, g_variant_ref(params));
}

typedef struct {
	DbusWatch *w;
	const gchar *name;
} SignalWait;

static gboolean
has_signal(gpointer data)
{
	SignalWait *sw = data;

	for (guint i = 0; i < sw->w->signals->len; i++)
		if (g_str_equal(sw->w->signals->pdata[i], sw->name))
			return TRUE;
	return FALSE;
}

/* waits for signal @name and returns its parameters (the first one not yet taken) */
static GVariant *
take_signal(DbusWatch *w, const gchar *name)
{
	SignalWait sw = { w, name };

	g_assert_true(remsim_test_common_spin_until(has_signal, &sw, 10000));
	for (guint i = 0; i < w->signals->len; i++) {
		if (g_str_equal(w->signals->pdata[i], name)) {
			GVariant *p = g_ptr_array_steal_index(w->params, i);

			g_ptr_array_remove_index(w->signals, i);
			return p;
		}
	}
	return NULL;
}

/*
 * waits for the PropertiesChanged that carries @prop: the properties are
 * refreshed on idle after the Added/Removed signals, and an earlier change
 * (of another property) may still be queued in front of it
 */
static void
take_property_change(DbusWatch *w, const gchar *prop)
{
	for (;;) {
		g_autoptr(GVariant) p = take_signal(w, "PropertiesChanged");
		g_autoptr(GVariant) changed = g_variant_get_child_value(p, 1);

		g_autoptr(GVariant) value = g_variant_lookup_value(changed, prop, NULL);

		if (value != NULL)
			return;
	}
}

static GVariant *
call(DbusWatch *w, const gchar *method, GVariant *args, GError **error)
{
	return g_dbus_connection_call_sync(w->bus, NAME, PATH, IFACE, method, args, NULL,
					   G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);
}

static GVariant *
get_property(DbusWatch *w, const gchar *prop)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_sync(
	    w->bus, NAME, PATH, "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", IFACE, prop), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
	    10000, NULL, &error);
	GVariant *v = NULL;

	g_assert_no_error(error);
	g_variant_get(ret, "(v)", &v);
	return v;
}

static gboolean
name_owned(gpointer data)
{
	DbusWatch *w = data;
	g_autoptr(GVariant) ret = g_dbus_connection_call_sync(
	    w->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "NameHasOwner", g_variant_new("(s)", NAME), G_VARIANT_TYPE("(b)"),
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	gboolean owned = FALSE;

	if (ret)
		g_variant_get(ret, "(b)", &owned);
	if (!owned)
		g_usleep(20000);
	return owned;
}

/* the state of slot map @id in the Slotmaps property, or NULL */
static gchar *
property_map_state(DbusWatch *w, guint32 id)
{
	g_autoptr(GVariant) maps = get_property(w, "Slotmaps");
	GVariantIter iter;
	GVariant *dict;

	g_variant_iter_init(&iter, maps);
	while ((dict = g_variant_iter_next_value(&iter))) {
		g_autoptr(GVariantDict) d = g_variant_dict_new(dict);
		guint32 got = 0;
		gchar *state = NULL;

		g_variant_unref(dict);
		if (g_variant_dict_lookup(d, "id", "u", &got) && got == id &&
		    g_variant_dict_lookup(d, "state", "s", &state))
			return state;
	}
	return NULL;
}

static gboolean
dbus_daemon_available(void)
{
	g_autofree gchar *path = g_find_program_in_path("dbus-daemon");

	return !remsim_test_common_skip_unless(path != NULL,
					       "dbus-daemon is missing (install the dbus package)");
}

static void
test_server1(void)
{
	g_autoptr(GTestDBus) tbus = NULL;
	g_autofree gchar *dir = NULL;
	g_autoptr(TestServer) s = NULL;
	g_autoptr(ServerTestPeer) bank = NULL;
	g_autoptr(ServerTestPeer) client = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) v = NULL;
	DbusWatch w = { 0 };
	guint sub, sub_props;
	guint32 id = 0;

	if (!dbus_daemon_available())
		return;
	tbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(tbus);
	w.bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
	g_assert_no_error(error);
	w.signals = g_ptr_array_new_with_free_func(g_free);
	w.params = g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);
	sub = g_dbus_connection_signal_subscribe(w.bus, NULL, IFACE, NULL, PATH, NULL,
						 G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &w, NULL);
	sub_props = g_dbus_connection_signal_subscribe(
	    w.bus, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged", PATH, NULL,
	    G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &w, NULL);

	dir = test_make_temp_dir();
	s = test_server_start(dir, (const gchar *const[]){ "--session", NULL });
	g_assert_true(remsim_test_common_spin_until(name_owned, &w, 10000));

	v = get_property(&w, "RestartCounter");
	g_assert_cmpuint(g_variant_get_uint64(v), ==, 1);
	g_clear_pointer(&v, g_variant_unref);
	v = get_property(&w, "RestPort");
	g_assert_cmpuint(g_variant_get_uint16(v), ==, s->rest_port);
	g_clear_pointer(&v, g_variant_unref);
	v = get_property(&w, "Banks");
	g_assert_cmpuint(g_variant_n_children(v), ==, 0);
	g_clear_pointer(&v, g_variant_unref);

	/* banks and clients appear with signals and in the properties */
	bank = test_bank_new(s, 1, 8, NULL);
	v = take_signal(&w, "BankAdded");
	{
		g_autoptr(GVariant) dict = g_variant_get_child_value(v, 0);
		guint16 bank_id = 0;

		g_assert_true(g_variant_lookup(dict, "bank-id", "q", &bank_id));
		g_assert_cmpuint(bank_id, ==, 1);
	}
	g_clear_pointer(&v, g_variant_unref);
	client = test_client_new(s, 3, 0);
	g_variant_unref(take_signal(&w, "ClientAdded"));
	take_property_change(&w, "Clients");
	v = get_property(&w, "Clients");
	g_assert_cmpuint(g_variant_n_children(v), ==, 1);
	g_clear_pointer(&v, g_variant_unref);

	/* CreateSlotmap drives the bank like REST does */
	v = call(&w, "CreateSlotmap", g_variant_new("(qqqq)", 1, 2, 3, 0), &error);
	g_assert_no_error(error);
	g_variant_get(v, "(u)", &id);
	g_assert_cmpuint(id, ==, 65538);
	g_clear_pointer(&v, g_variant_unref);
	test_peer_expect(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 10000);
	g_assert_true(test_wait_slotmap_state(s, 1, 2, "ACTIVE"));
	for (guint i = 0; i < 100; i++) {
		g_autofree gchar *state = property_map_state(&w, id);

		if (g_strcmp0(state, "ACTIVE") == 0)
			break;
		remsim_test_common_spin_for(20);
	}
	{
		g_autofree gchar *state = property_map_state(&w, id);

		g_assert_cmpstr(state, ==, "ACTIVE");
	}
	g_variant_unref(take_signal(&w, "SlotmapChanged"));

	v = call(&w, "CreateSlotmap", g_variant_new("(qqqq)", 1, 2, 4, 0), &error);
	g_assert_null(v);
	g_assert_true(g_dbus_error_is_remote_error(error));
	{
		g_autofree gchar *name = g_dbus_error_get_remote_error(error);

		g_assert_cmpstr(name, ==, "org.remsim.Server1.Error.Conflict");
	}
	g_clear_error(&error);
	v = call(&w, "CreateSlotmap", g_variant_new("(qqqq)", 2000, 0, 4, 0), &error);
	g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
	g_clear_error(&error);

	v = call(&w, "DeleteSlotmap", g_variant_new("(u)", id), &error);
	g_assert_no_error(error);
	g_clear_pointer(&v, g_variant_unref);
	test_peer_expect(bank, RSPRO_MSG_REMOVE_MAPPING_REQ, 10000);
	v = take_signal(&w, "SlotmapRemoved");
	{
		guint32 removed = 0;

		g_variant_get(v, "(u)", &removed);
		g_assert_cmpuint(removed, ==, id);
	}
	g_clear_pointer(&v, g_variant_unref);
	v = call(&w, "DeleteSlotmap", g_variant_new("(u)", id), &error);
	g_assert_null(v);
	{
		g_autofree gchar *name = g_dbus_error_get_remote_error(error);

		g_assert_cmpstr(name, ==, "org.remsim.Server1.Error.NotFound");
	}
	g_clear_error(&error);

	/* GlobalReset empties the list */
	for (guint i = 0; i < 3; i++) {
		v = call(&w, "CreateSlotmap", g_variant_new("(qqqq)", 1, i, 10 + i, 0), &error);
		g_assert_no_error(error);
		g_clear_pointer(&v, g_variant_unref);
	}
	v = call(&w, "GlobalReset", NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&v, g_variant_unref);
	g_assert_null(test_slotmap_state(s, 1, 0));
	for (guint i = 0; i < 100; i++) {
		v = get_property(&w, "Slotmaps");
		if (g_variant_n_children(v) == 0)
			break;
		g_clear_pointer(&v, g_variant_unref);
		remsim_test_common_spin_for(20);
	}
	g_assert_nonnull(v);
	g_assert_cmpuint(g_variant_n_children(v), ==, 0);
	g_clear_pointer(&v, g_variant_unref);

	g_clear_pointer(&bank, test_peer_free);
	v = take_signal(&w, "BankRemoved");
	{
		guint16 bank_id = 0;

		g_variant_get(v, "(q)", &bank_id);
		g_assert_cmpuint(bank_id, ==, 1);
	}
	g_clear_pointer(&v, g_variant_unref);

	g_clear_pointer(&client, test_peer_free);
	g_clear_pointer(&s, test_server_free);
	g_dbus_connection_signal_unsubscribe(w.bus, sub);
	g_dbus_connection_signal_unsubscribe(w.bus, sub_props);
	g_ptr_array_unref(w.signals);
	g_ptr_array_unref(w.params);
	g_clear_object(&w.bus);
	g_test_dbus_down(tbus);
	remsim_test_common_remove_tree(dir);
}

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/dbus/server1", test_server1);
	g_test_add_func("/server/dbus/no-bus", test_no_bus);
	return g_test_run();
}
