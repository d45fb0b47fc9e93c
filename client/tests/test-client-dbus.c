/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.remsim.Client1 on a private session bus, read as remsim-ctl would read it. */
#include "config.h"

#include <string.h>

#include "client-test-peers.h"

#define WAIT_MS 10000
#define SLOT_PATH "/org/remsim/Client1/Slot/23_0"
#define SLOT_IFACE "org.remsim.Client1.Slot"

static GVariant *
get_property(GDBusConnection *bus, const gchar *path, const gchar *iface, const gchar *name)
{
	g_autoptr(GVariant) reply = NULL;
	GVariant *value = NULL;

	reply = g_dbus_connection_call_sync(
	    bus, "org.remsim.Client1", path, "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", iface, name), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 2000,
	    NULL, NULL);
	if (reply == NULL)
		return NULL;
	g_variant_get(reply, "(v)", &value);
	return value;
}

static gchar *
get_string(GDBusConnection *bus, const gchar *name)
{
	g_autoptr(GVariant) v = get_property(bus, SLOT_PATH, SLOT_IFACE, name);

	return v != NULL ? g_variant_dup_string(v, NULL) : NULL;
}

static guint64
get_u64(GDBusConnection *bus, const gchar *name)
{
	g_autoptr(GVariant) v = get_property(bus, SLOT_PATH, SLOT_IFACE, name);

	return v != NULL ? g_variant_get_uint64(v) : G_MAXUINT64;
}

static gboolean
slot_is_operational(GDBusConnection *bus)
{
	g_autofree gchar *state = get_string(bus, "State");

	return g_strcmp0(state, "OPERATIONAL") == 0;
}

static void
test_dbus_properties(void)
{
	g_autoptr(GTestDBus) dbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) atr = NULL;
	g_autoptr(GVariant) bank_id = NULL;
	g_autoptr(GVariant) version = NULL;
	g_autofree gchar *server_state = NULL;
	g_autofree gchar *bankd_addr = NULL;
	g_autofree gchar *want_addr = NULL;
	const gchar *args[] = { "-c", "23", "-n", "0", "--session", NULL };
	TestPeer *server, *bank;
	TestClient *client;

	g_test_dbus_up(dbus);
	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
	g_assert_no_error(error);

	server = test_peer_new_server();
	bank = test_peer_new_bank(1);
	test_peer_map(server, 1, 5, bank->port);
	client = test_client_spawn(server->port, args, NULL);
	TEST_WAIT_FOR(bank->set_atr_res == 1, WAIT_MS);
	TEST_WAIT_FOR(slot_is_operational(bus), WAIT_MS);

	version = get_property(bus, "/org/remsim/Client1", "org.remsim.Client1", "Version");
	g_assert_cmpstr(g_variant_get_string(version, NULL), ==, PACKAGE_VERSION);
	server_state = get_string(bus, "ServerState");
	g_assert_cmpstr(server_state, ==, "CONNECTED");
	bankd_addr = get_string(bus, "BankdAddress");
	want_addr = g_strdup_printf("127.0.0.1:%u", bank->port);
	g_assert_cmpstr(bankd_addr, ==, want_addr);
	bank_id = get_property(bus, SLOT_PATH, SLOT_IFACE, "BankId");
	g_assert_cmpuint(g_variant_get_uint16(bank_id), ==, 1);
	atr = get_property(bus, SLOT_PATH, SLOT_IFACE, "Atr");
	g_assert_cmpmem(g_variant_get_data(atr), g_variant_get_size(atr),
			g_bytes_get_data(bank->atr, NULL), g_bytes_get_size(bank->atr));

	/* counters follow the relay */
	test_client_write(client, "a0a4000002\n");
	TEST_WAIT_FOR(get_u64(bus, "TpdusToModem") == 1, WAIT_MS);
	g_assert_cmpuint(get_u64(bus, "TpdusToCard"), ==, 1);

	/* unmapped: the state says so */
	test_peer_map(server, 0, 0, 0);
	TEST_WAIT_FOR(!slot_is_operational(bus), WAIT_MS);
	{
		g_autofree gchar *state = get_string(bus, "State");

		g_assert_cmpstr(state, ==, "UNCONFIGURED");
	}

	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
	g_dbus_connection_close_sync(bus, NULL, NULL);
	g_clear_object(&bus);
	g_test_dbus_down(dbus);
}

static void
test_no_bus(void)
{
	/* no bus at all: one warning, and the relay works */
	const gchar *args[] = { "-c", "23", "-n", "0", "--session", NULL };
	const gchar *env[] = { "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/remsim-bus", NULL };
	TestPeer *server = test_peer_new_server();
	TestPeer *bank = test_peer_new_bank(1);
	TestClient *client;

	test_peer_map(server, 1, 5, bank->port);
	client = test_client_spawn(server->port, args, env);
	TEST_WAIT_FOR(bank->set_atr_res == 1, WAIT_MS);
	test_client_write(client, "a0a4000002\n");
	TEST_WAIT_FOR(test_client_find_line(client, 0, "R-APDU: 01 a4 90 00 ") >= 0, WAIT_MS);
	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/dbus/properties", test_dbus_properties);
	g_test_add_func("/client/dbus/no-bus", test_no_bus);
	return g_test_run();
}
