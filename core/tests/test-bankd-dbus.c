/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * org.remsim.Bankd1 on a private session bus: the bank's properties, each
 * slot's state through map → client → powered card → client gone, its
 * counters; and a bankd whose bus is missing still relays.
 */
#include "config.h"

#include "remsim-test-bankd.h"

#define BANKD_NAME "org.remsim.Bankd1"
#define BANKD_PATH "/org/remsim/Bankd1"

typedef struct {
	GDBusProxy *proxy;
	const gchar *name;
	GVariant *want;
} PropWait;

static gboolean
prop_matches(gpointer data)
{
	PropWait *wait = data;
	g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(wait->proxy, wait->name);

	return value != NULL && g_variant_equal(value, wait->want);
}

static void
assert_prop(GDBusProxy *proxy, const gchar *name, GVariant *want)
{
	PropWait wait = { proxy, name, g_variant_ref_sink(want) };

	if (!remsim_test_common_spin_until(prop_matches, &wait, TEST_TIMEOUT_MS)) {
		g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, name);
		g_autofree gchar *got = value != NULL ? g_variant_print(value, FALSE) : NULL;
		g_autofree gchar *exp = g_variant_print(want, FALSE);

		g_error("%s: %s, want %s", name, got, exp);
	}
	g_variant_unref(want);
}

static gboolean
has_owner(gpointer data)
{
	g_autofree gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(data));

	return owner != NULL;
}

static GDBusProxy *
make_proxy(GDBusConnection *bus, const gchar *path, const gchar *iface)
{
	g_autoptr(GError) error = NULL;
	GDBusProxy *proxy = g_dbus_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, NULL, BANKD_NAME,
						  path, iface, NULL, &error);

	g_assert_no_error(error);
	return proxy;
}

static void
test_dbus_view(void)
{
	g_autoptr(GTestDBus) tbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GDBusProxy) bank = NULL, slot0 = NULL, slot1 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) objects = NULL;
	g_autoptr(GVariant) managed = NULL;
	g_autofree gchar *daemon = g_find_program_in_path("dbus-daemon");
	RemsimTestBankdServer *server;
	RemsimTestBankd *bankd;
	RemsimTestBankdClient *client;
	g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes("00D6000001AA");
	static const guint8 echo_atr[] = { 0x3b, 0x04, 'e', 'c', 'h', 'o' };

	if (remsim_test_common_skip_unless(daemon != NULL,
					   "dbus-daemon is missing: install dbus to run this test"))
		return;
	g_test_dbus_up(tbus);
	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
	g_assert_no_error(error);
	server = remsim_test_bankd_server_new();
	bankd = remsim_test_bankd_start_full("example", 2, server->port, "slots=2",
					     g_test_dbus_get_bus_address(tbus));
	g_assert_true(remsim_test_bankd_server_wait_hellos(server, 1));

	bank = make_proxy(bus, BANKD_PATH, "org.remsim.Bankd1");
	g_assert_true(remsim_test_common_spin_until(has_owner, bank, TEST_TIMEOUT_MS));
	/* the proxy loaded its properties before the name had an owner: load again */
	g_clear_object(&bank);
	bank = make_proxy(bus, BANKD_PATH, "org.remsim.Bankd1");
	assert_prop(bank, "BankId", g_variant_new_uint16(1));
	assert_prop(bank, "NumSlots", g_variant_new_uint16(2));
	assert_prop(bank, "Backend", g_variant_new_string("example"));
	assert_prop(bank, "ClientPort", g_variant_new_uint16(bankd->port));
	assert_prop(bank, "ServerState", g_variant_new_string("connected"));

	/* the object manager lists one object per slot */
	objects = g_dbus_connection_call_sync(
	    bus, BANKD_NAME, BANKD_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
	    NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	g_assert_no_error(error);
	managed = g_variant_get_child_value(objects, 0);
	g_assert_cmpuint(g_variant_n_children(managed), ==, 2);

	slot0 = make_proxy(bus, BANKD_PATH "/Slot0", "org.remsim.Bankd1.Slot");
	slot1 = make_proxy(bus, BANKD_PATH "/Slot1", "org.remsim.Bankd1.Slot");
	assert_prop(slot1, "SlotNr", g_variant_new_uint16(1));
	assert_prop(slot1, "State", g_variant_new_string("idle"));
	assert_prop(slot1, "CardPresent", g_variant_new_boolean(TRUE));
	assert_prop(slot1, "Mapped", g_variant_new_boolean(FALSE));

	g_assert_cmpint(remsim_test_bankd_server_map(server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	assert_prop(slot1, "ClientSlot", g_variant_new("(qq)", 7, 3));
	assert_prop(slot0, "State", g_variant_new_string("idle"));

	client = remsim_test_bankd_client_connect(bankd->port, 7, 3);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("card-powered"));
	assert_prop(slot1, "Atr",
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, echo_atr, sizeof(echo_atr), 1));
	for (guint i = 0; i < 5; i++) {
		g_autoptr(GBytes) res = remsim_test_bankd_client_apdu(client, 1, apdu);

		g_assert_nonnull(res);
	}
	/* counters follow within their refresh interval */
	assert_prop(slot1, "Apdus", g_variant_new_uint64(5));
	assert_prop(bank, "ApdusRelayed", g_variant_new_uint64(5));
	assert_prop(slot1, "Errors", g_variant_new_uint64(0));

	remsim_test_bankd_client_free(client);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	assert_prop(slot1, "Atr", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1));
	g_assert_cmpint(remsim_test_bankd_server_unmap(server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("idle"));

	remsim_test_bankd_server_kill(server);
	assert_prop(bank, "ServerState", g_variant_new_string("waiting"));

	remsim_test_bankd_stop(bankd);
	remsim_test_bankd_server_free(server);
	g_clear_object(&bank);
	g_clear_object(&slot0);
	g_clear_object(&slot1);
	g_dbus_connection_close_sync(bus, NULL, NULL);
	g_clear_object(&bus);
	g_test_dbus_down(tbus);
}

static void
test_no_bus(void)
{
	RemsimTestBankdServer *server = remsim_test_bankd_server_new();
	RemsimTestBankd *bankd = remsim_test_bankd_start_full(
	    "example", 1, server->port, "slots=1", "unix:path=/nonexistent/remsim-test-bus");
	g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes("00D6000001AA");
	g_autoptr(GBytes) res = NULL;
	RemsimTestBankdClient *client;

	/* the bus is missing: one warning, and the bank works as ever */
	g_assert_true(remsim_test_bankd_server_wait_hellos(server, 1));
	g_assert_cmpint(remsim_test_bankd_server_map(server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	client = remsim_test_bankd_client_connect(bankd->port, 1, 0);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);
	res = remsim_test_bankd_client_apdu(client, 0, apdu);
	g_assert_nonnull(res);
	remsim_test_bankd_client_free(client);
	remsim_test_bankd_stop(bankd);
	remsim_test_bankd_server_free(server);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bankd/dbus/view", test_dbus_view);
	g_test_add_func("/bankd/dbus/no-bus", test_no_bus);
	return g_test_run();
}
