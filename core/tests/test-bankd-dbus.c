/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * org.remsim.Bankd1 on a private session bus, through the generated proxies
 * and object manager client: the bank's properties, each slot's state through
 * map → client → powered card → client gone, its counters, the operator's
 * ResetCard and DropClient with their typed errors, Reload and SIGHUP (a bad
 * file changes nothing); a bankd that loses its bus, or never had one, relays.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "remsim-dbus.h"
#include "remsim-test-bankd.h"
#include "remsim-test-dbus.h"

typedef struct {
	GDBusProxy *proxy;
	const gchar *name;
	GVariant *want;
} BankdDbusPropWait;

static gboolean
prop_matches(gpointer data)
{
	BankdDbusPropWait *wait = data;
	g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(wait->proxy, wait->name);

	return value != NULL && g_variant_equal(value, wait->want);
}

/* waits until a generated proxy's property @name (kept by PropertiesChanged) is @want */
static void
assert_prop(gpointer proxy, const gchar *name, GVariant *want)
{
	BankdDbusPropWait wait = { G_DBUS_PROXY(proxy), name, g_variant_ref_sink(want) };

	if (!remsim_test_common_spin_until(prop_matches, &wait, TEST_TIMEOUT_MS)) {
		g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(wait.proxy, name);
		g_autofree gchar *got = value != NULL ? g_variant_print(value, FALSE) : NULL;
		g_autofree gchar *exp = g_variant_print(want, FALSE);

		g_error("%s: %s, want %s", name, got, exp);
	}
	g_variant_unref(want);
}

/* a bankd on a private bus, and its objects seen through the generated code */
typedef struct {
	GTestDBus *tbus;
	GDBusConnection *bus;
	RemsimTestBankdServer *server;
	RemsimTestBankd *bankd;
	RemsimDbusBankd1 *bank;
	GDBusObjectManager *objects;
	gboolean bus_down; /* the test took the bus down itself */
} BankdDbusFixture;

static RemsimDbusBankd1 *
bank_proxy_new(GDBusConnection *bus)
{
	g_autoptr(GError) error = NULL;
	RemsimDbusBankd1 *bank =
	    remsim_dbus_bankd1_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, REMSIM_DBUS_BANKD_NAME,
					      REMSIM_DBUS_BANKD_PATH, NULL, &error);

	g_assert_no_error(error);
	return bank;
}

static void
fixture_setup(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->tbus = remsim_test_dbus_up(&f->bus);
	f->server = remsim_test_bankd_server_new();
	f->bankd = remsim_test_bankd_start_full("example", 2, f->server->port, "slots=2",
						g_test_dbus_get_bus_address(f->tbus));
	g_assert_true(remsim_test_bankd_server_wait_hellos(f->server, 1));

	g_assert_true(remsim_test_dbus_wait_name(f->bus, REMSIM_DBUS_BANKD_NAME, TEST_TIMEOUT_MS));
	f->bank = bank_proxy_new(f->bus);
	f->objects = remsim_dbus_object_manager_client_new_sync(
	    f->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, REMSIM_DBUS_BANKD_NAME,
	    REMSIM_DBUS_BANKD_PATH, NULL, &error);
	g_assert_no_error(error);
}

static void
fixture_teardown(BankdDbusFixture *f, gconstpointer data)
{
	if (f->tbus == NULL)
		return;
	if (f->bankd != NULL)
		remsim_test_bankd_stop(f->bankd);
	remsim_test_bankd_server_free(f->server);
	g_clear_object(&f->objects);
	g_clear_object(&f->bank);
	if (!f->bus_down)
		remsim_test_dbus_down(f->tbus, &f->bus);
	g_clear_object(&f->tbus);
}

/* the Bankd1.Slot of bank slot @nr, from the object manager client */
static RemsimDbusBankd1Slot *
get_slot(BankdDbusFixture *f, guint16 nr)
{
	g_autofree gchar *path = remsim_dbus_names_bankd_slot_path(nr);
	g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object(f->objects, path);

	g_assert_nonnull(object);
	return remsim_dbus_object_get_bankd1_slot(REMSIM_DBUS_OBJECT(object));
}

static void
test_dbus_view(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) slot0 = NULL, slot1 = NULL;
	g_autoptr(GError) error = NULL;
	g_autolist(GDBusObject) managed = NULL;
	g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes("00D6000001AA");
	RemsimTestBankdClient *client;
	static const guint8 echo_atr[] = { 0x3b, 0x04, 'e', 'c', 'h', 'o' };

	if (f->tbus == NULL)
		return;
	assert_prop(f->bank, "BankId", g_variant_new_uint16(1));
	assert_prop(f->bank, "NumSlots", g_variant_new_uint16(2));
	assert_prop(f->bank, "Backend", g_variant_new_string("example"));
	assert_prop(f->bank, "ClientPort", g_variant_new_uint16(f->bankd->port));
	assert_prop(f->bank, "ServerState", g_variant_new_string("connected"));
	g_assert_cmpstr(remsim_dbus_bankd1_get_version(f->bank), ==, PACKAGE_VERSION);
	g_assert_cmpuint(remsim_dbus_bankd1_get_api_version(f->bank), ==, REMSIM_DBUS_API_VERSION);

	/* the object manager lists one object per slot, at Slot/<n> */
	managed = g_dbus_object_manager_get_objects(f->objects);
	g_assert_cmpuint(g_list_length(managed), ==, 2);

	slot0 = get_slot(f, 0);
	slot1 = get_slot(f, 1);
	assert_prop(slot1, "SlotNr", g_variant_new_uint16(1));
	assert_prop(slot1, "State", g_variant_new_string("idle"));
	assert_prop(slot1, "CardPresent", g_variant_new_boolean(TRUE));
	assert_prop(slot1, "Mapped", g_variant_new_boolean(FALSE));

	g_assert_cmpint(remsim_test_bankd_server_map(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	assert_prop(slot1, "ClientSlot", g_variant_new("(qq)", 7, 3));
	assert_prop(slot0, "State", g_variant_new_string("idle"));

	client = remsim_test_bankd_client_connect(f->bankd->port, 7, 3);
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
	assert_prop(f->bank, "ApdusRelayed", g_variant_new_uint64(5));
	assert_prop(slot1, "Errors", g_variant_new_uint64(0));

	remsim_test_bankd_client_free(client);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	assert_prop(slot1, "Atr", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1));

	/* the operator's methods: an idle slot has nothing to reset or drop */
	g_assert_false(remsim_dbus_bankd1_slot_call_reset_card_sync(slot0, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_WRONG_STATE,
				      "org.remsim.Error.WrongState");
	g_clear_error(&error);
	g_assert_false(remsim_dbus_bankd1_slot_call_drop_client_sync(slot1, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_WRONG_STATE,
				      "org.remsim.Error.WrongState");
	g_clear_error(&error);

	/* ResetCard power-cycles the card under a client, which relays on */
	client = remsim_test_bankd_client_connect(f->bankd->port, 7, 3);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("card-powered"));
	g_assert_true(remsim_dbus_bankd1_slot_call_reset_card_sync(slot1, NULL, &error));
	g_assert_no_error(error);
	assert_prop(slot1, "State", g_variant_new_string("card-powered"));
	{
		g_autoptr(GBytes) res = remsim_test_bankd_client_apdu(client, 1, apdu);

		g_assert_nonnull(res);
	}
	/* DropClient closes the client's connection; the map stays */
	g_assert_true(remsim_dbus_bankd1_slot_call_drop_client_sync(slot1, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(remsim_test_bankd_client_wait_closed(client));
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	remsim_test_bankd_client_free(client);

	g_assert_cmpint(remsim_test_bankd_server_unmap(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("idle"));

	remsim_test_bankd_server_kill(f->server);
	assert_prop(f->bank, "ServerState", g_variant_new_string("waiting"));
}

static void
write_config(BankdDbusFixture *f, const gchar *text)
{
	g_autofree gchar *path = g_build_filename(f->bankd->dir, "bankd.conf", NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static gchar *
last_bound(RemsimTestBankdServer *server)
{
	const RsproConnectBankReq *req = &server->last_hello->u.connect_bank_req;
	g_autofree gchar *ip = rspro_ip_port_to_string(&req->bound);

	g_assert_true(req->has_bound);
	return g_strdup_printf("%s:%u", ip, req->bound.port);
}

/* Reload and SIGHUP: the advertised endpoint changes at run time, the rest waits */
static void
test_dbus_reload(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;
	g_autofree gchar *bound = NULL;
	const gchar *const none[] = { NULL };
	/* a key the example backend declares: the backends' keys are checked as at start */
	const gchar *const waiting[] = { "component-name", "[example] fail-ins", NULL };

	if (f->tbus == NULL)
		return;
	assert_prop(f->bank, "RestartPending", g_variant_new_strv(none, -1));
	write_config(f, "[bankd]\nbackoff-scale=0.02\nadvertise=127.0.0.2:7777\n"
			"component-name=renamed\n\n[example]\nslots=2\nfail-ins=5\n");
	g_assert_true(
	    remsim_dbus_bankd1_call_reload_sync(f->bank, &applied, &needs_restart, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_strv_equal((const gchar *const *)applied,
				   (const gchar *const[]){ "advertise", NULL }));
	g_assert_true(g_strv_equal((const gchar *const *)needs_restart, waiting));
	assert_prop(f->bank, "RestartPending", g_variant_new_strv(waiting, -1));
	/* the bank says hello again with the endpoint it advertises now */
	g_assert_true(remsim_test_bankd_server_wait_hellos(f->server, 2));
	bound = last_bound(f->server);
	g_assert_cmpstr(bound, ==, "127.0.0.2:7777");

	/* a bad file: the registered error names file and line, nothing changes */
	write_config(f, "[bankd]\nbank-id=banana\n");
	g_assert_false(remsim_dbus_bankd1_call_reload_sync(f->bank, NULL, NULL, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_INVALID_CONFIG,
				      "org.remsim.Error.InvalidConfig");
	g_assert_nonnull(strstr(error->message, "bankd.conf:2:"));
	g_clear_error(&error);
	/* a key no backend declares is refused as at start, before anything changes */
	write_config(f, "[bankd]\nbackoff-scale=0.02\n\n[example]\nslots=2\nextra=1\n");
	g_assert_false(remsim_dbus_bankd1_call_reload_sync(f->bank, NULL, NULL, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_INVALID_CONFIG,
				      "org.remsim.Error.InvalidConfig");
	g_assert_nonnull(strstr(error->message, "bankd.conf:6: [example] extra: unknown key"));
	g_clear_error(&error);
	write_config(f, "[bankd]\nbank-id=banana\n");
	g_subprocess_send_signal(f->bankd->proc, SIGHUP);
	remsim_test_common_spin_for(300);
	g_assert_true(g_strv_equal(remsim_dbus_bankd1_get_restart_pending(f->bank), waiting));
	g_assert_cmpuint(f->server->n_hellos, ==, 2);

	/* SIGHUP with the file as it was: the old endpoint, nothing waits */
	write_config(f, "[bankd]\nbackoff-scale=0.02\n\n[example]\nslots=2\n");
	g_subprocess_send_signal(f->bankd->proc, SIGHUP);
	assert_prop(f->bank, "RestartPending", g_variant_new_strv(none, -1));
	g_assert_true(remsim_test_bankd_server_wait_hellos(f->server, 3));
	g_clear_pointer(&bound, g_free);
	bound = last_bound(f->server);
	g_assert_cmpstr(bound, !=, "127.0.0.2:7777");
}

/* the bus goes away under a relaying bank: it relays on */
static void
test_dbus_bus_gone(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes("00D6000001AA");
	RemsimTestBankdClient *client;

	if (f->tbus == NULL)
		return;
	assert_prop(f->bank, "ServerState", g_variant_new_string("connected"));
	g_assert_cmpint(remsim_test_bankd_server_map(f->server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	client = remsim_test_bankd_client_connect(f->bankd->port, 1, 0);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_OK);

	g_clear_object(&f->objects);
	g_clear_object(&f->bank);
	remsim_test_dbus_down(f->tbus, &f->bus);
	f->bus_down = TRUE;
	remsim_test_common_spin_for(500);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GBytes) res = remsim_test_bankd_client_apdu(client, 0, apdu);

		g_assert_nonnull(res);
	}
	remsim_test_bankd_client_free(client);
	/* the teardown stops it: a clean exit, on its SIGTERM */
	g_assert_nonnull(g_subprocess_get_identifier(f->bankd->proc));
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
	g_test_add("/bankd/dbus/view", BankdDbusFixture, NULL, fixture_setup, test_dbus_view,
		   fixture_teardown);
	g_test_add("/bankd/dbus/reload", BankdDbusFixture, NULL, fixture_setup, test_dbus_reload,
		   fixture_teardown);
	g_test_add("/bankd/dbus/bus-gone", BankdDbusFixture, NULL, fixture_setup,
		   test_dbus_bus_gone, fixture_teardown);
	g_test_add_func("/bankd/dbus/no-bus", test_no_bus);
	return g_test_run();
}
