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
#include "remsim-test-daemon.h"
#include "remsim-test-dbus.h"
#include "remsim-test-peer.h"

/* what a daemon logs when SIGHUP found a config it cannot use */
#define RELOAD_FAILED "Configuration not reloaded"

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

	if (!remsim_test_common_spin_until(prop_matches, &wait, REMSIM_TEST_TIMEOUT_MS)) {
		g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(wait.proxy, name);
		g_autofree gchar *got = value != NULL ? g_variant_print(value, FALSE) : NULL;
		g_autofree gchar *exp = g_variant_print(want, FALSE);

		g_error("%s: %s, want %s", name, got, exp);
	}
	g_variant_unref(want);
}

/* a bankd on a private bus, and its objects seen through the generated code */
typedef struct {
	RemsimTestDbus *tbus;
	GDBusConnection *bus;
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
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

/* remsim-bankd with the example backend's @n_slots echo cards, on @bus_address */
static RemsimTestDaemon *
bankd_start(RemsimTestPeer *server, guint n_slots, const gchar *bus_address)
{
	g_autofree gchar *config = g_strdup_printf("\n[example]\nslots=%u\n", n_slots);

	return remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
					.backend = "example",
					.n_slots = n_slots,
					.config = config,
					.bus_address = bus_address,
					.capture_stderr = TRUE });
}

/* a client on @client_id:@slot_nr that said hello; its result in @result */
static RemsimTestPeer *
client_connect(BankdDbusFixture *f, guint16 client_id, guint16 slot_nr, gint *result)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(client_id, slot_nr);

	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	*result = remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd));
	return client;
}

static void
fixture_setup(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->tbus = remsim_test_dbus_up(&f->bus);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = bankd_start(f->server, 2, remsim_test_dbus_get_address(f->tbus));
	remsim_test_peer_wait_hellos(f->server, 1);

	g_assert_true(
	    remsim_test_dbus_wait_name(f->bus, REMSIM_DBUS_BANKD_NAME, REMSIM_TEST_TIMEOUT_MS));
	f->bank = bank_proxy_new(f->bus);
	f->objects = remsim_dbus_object_manager_client_new_sync(
	    f->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, REMSIM_DBUS_BANKD_NAME,
	    REMSIM_DBUS_BANKD_PATH, NULL, &error);
	g_assert_no_error(error);
}

static void
fixture_teardown(BankdDbusFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_clear_object(&f->objects);
	g_clear_object(&f->bank);
	if (f->tbus != NULL && !f->bus_down)
		remsim_test_dbus_down(f->tbus, &f->bus);
	f->tbus = NULL;
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

static const guint8 echo_atr[] = { 0x3b, 0x04, 'e', 'c', 'h', 'o' };

/* the bank's own properties */
static void
test_dbus_bank(BankdDbusFixture *f, gconstpointer data)
{
	g_autolist(GDBusObject) managed = NULL;

	if (f->tbus == NULL)
		return;
	assert_prop(f->bank, "BankId", g_variant_new_uint16(1));
	assert_prop(f->bank, "NumSlots", g_variant_new_uint16(2));
	assert_prop(f->bank, "Backend", g_variant_new_string("example"));
	assert_prop(f->bank, "ClientPort",
		    g_variant_new_uint16(remsim_test_daemon_get_port(f->bankd)));
	assert_prop(f->bank, "ServerState", g_variant_new_string("connected"));
	g_assert_cmpstr(remsim_dbus_bankd1_get_version(f->bank), ==, PACKAGE_VERSION);
	g_assert_cmpuint(remsim_dbus_bankd1_get_api_version(f->bank), ==, REMSIM_DBUS_API_VERSION);

	/* the object manager lists one object per slot, at Slot/<n> */
	managed = g_dbus_object_manager_get_objects(f->objects);
	g_assert_cmpuint(g_list_length(managed), ==, 2);
}

/* a slot's state through map, client, powered card, client gone; its counters */
static void
test_dbus_slot(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) slot0 = NULL, slot1 = NULL;
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D6000001AA");
	g_autoptr(RemsimTestPeer) client = NULL;
	gint result;

	if (f->tbus == NULL)
		return;
	slot0 = get_slot(f, 0);
	slot1 = get_slot(f, 1);
	assert_prop(slot1, "SlotNr", g_variant_new_uint16(1));
	assert_prop(slot1, "State", g_variant_new_string("idle"));
	assert_prop(slot1, "CardPresent", g_variant_new_boolean(TRUE));
	assert_prop(slot1, "Mapped", g_variant_new_boolean(FALSE));

	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	assert_prop(slot1, "ClientSlot", g_variant_new("(qq)", 7, 3));
	assert_prop(slot0, "State", g_variant_new_string("idle"));

	client = client_connect(f, 7, 3, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("card-powered"));
	assert_prop(slot1, "Atr",
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, echo_atr, sizeof(echo_atr), 1));
	for (guint i = 0; i < 5; i++) {
		g_autoptr(GBytes) res = remsim_test_peer_apdu(client, 1, apdu);

		g_assert_nonnull(res);
	}
	/* counters follow within their refresh interval */
	assert_prop(slot1, "Apdus", g_variant_new_uint64(5));
	assert_prop(f->bank, "ApdusRelayed", g_variant_new_uint64(5));
	assert_prop(slot1, "Errors", g_variant_new_uint64(0));

	g_clear_object(&client);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	assert_prop(slot1, "Atr", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1));
}

/* the operator's methods: an idle slot has nothing to reset, a slot without a client nobody to
 * drop */
static void
test_dbus_wrong_state(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) slot0 = NULL, slot1 = NULL;
	g_autoptr(GError) error = NULL;

	if (f->tbus == NULL)
		return;
	slot0 = get_slot(f, 0);
	slot1 = get_slot(f, 1);
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	g_assert_false(remsim_dbus_bankd1_slot_call_reset_card_sync(slot0, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_WRONG_STATE,
				      "org.remsim.Error.WrongState");
	g_clear_error(&error);
	g_assert_false(remsim_dbus_bankd1_slot_call_drop_client_sync(slot1, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_WRONG_STATE,
				      "org.remsim.Error.WrongState");
	g_clear_error(&error);
}

/* ResetCard power-cycles the card under a client, which relays on; DropClient closes the
 * client's connection and the map stays */
static void
test_dbus_reset_and_drop(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) slot1 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D6000001AA");
	g_autoptr(GBytes) res = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	gint result;

	if (f->tbus == NULL)
		return;
	slot1 = get_slot(f, 1);
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	client = client_connect(f, 7, 3, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("card-powered"));
	g_assert_true(remsim_dbus_bankd1_slot_call_reset_card_sync(slot1, NULL, &error));
	g_assert_no_error(error);
	assert_prop(slot1, "State", g_variant_new_string("card-powered"));
	res = remsim_test_peer_apdu(client, 1, apdu);
	g_assert_nonnull(res);
	g_assert_true(remsim_dbus_bankd1_slot_call_drop_client_sync(slot1, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(remsim_test_peer_wait_closed(client));
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
}

/* unmapped, the slot is idle; without its server, the bank waits for it */
static void
test_dbus_unmap_and_server_gone(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) slot1 = NULL;

	if (f->tbus == NULL)
		return;
	slot1 = get_slot(f, 1);
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("mapped"));
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 1, 7, 3), ==, RSPRO_RESULT_OK);
	assert_prop(slot1, "State", g_variant_new_string("idle"));

	remsim_test_peer_close(f->server);
	assert_prop(f->bank, "ServerState", g_variant_new_string("waiting"));
}

static void
write_config(BankdDbusFixture *f, const gchar *text)
{
	g_assert_true(
	    g_file_set_contents(remsim_test_daemon_get_config_path(f->bankd), text, -1, NULL));
}

static gchar *
last_bound(RemsimTestPeer *server)
{
	const RsproConnectBankReq *req =
	    &remsim_test_peer_last(server, RSPRO_MSG_CONNECT_BANK_REQ)->u.connect_bank_req;
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
	GSubprocess *proc = remsim_test_daemon_get_process(f->bankd);

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
	remsim_test_peer_wait_hellos(f->server, 2);
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
	/* SIGHUP with a bad file: once the bank said so, nothing has changed */
	write_config(f, "[bankd]\nbank-id=banana\n");
	g_subprocess_send_signal(proc, SIGHUP);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, RELOAD_FAILED) == 1);
	g_assert_true(g_strv_equal(remsim_dbus_bankd1_get_restart_pending(f->bank), waiting));
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_CONNECT_BANK_REQ), ==, 2);

	/* SIGHUP with the file as it was: the old endpoint, nothing waits */
	write_config(f, "[bankd]\nbackoff-scale=0.02\n\n[example]\nslots=2\n");
	g_subprocess_send_signal(proc, SIGHUP);
	assert_prop(f->bank, "RestartPending", g_variant_new_strv(none, -1));
	remsim_test_peer_wait_hellos(f->server, 3);
	g_clear_pointer(&bound, g_free);
	bound = last_bound(f->server);
	g_assert_cmpstr(bound, !=, "127.0.0.2:7777");
}

/* a bank mapped for client 1:0 and that client, which got its card */
static RemsimTestPeer *
relaying_client(BankdDbusFixture *f)
{
	gint result;
	RemsimTestPeer *client;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	client = client_connect(f, 1, 0, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_OK);
	return client;
}

/* the bus goes away under a relaying bank: it relays on */
static void
test_dbus_bus_gone(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D6000001AA");
	g_autoptr(RemsimTestPeer) client = NULL;

	if (f->tbus == NULL)
		return;
	assert_prop(f->bank, "ServerState", g_variant_new_string("connected"));
	client = relaying_client(f);

	g_clear_object(&f->objects);
	g_clear_object(&f->bank);
	remsim_test_dbus_down(f->tbus, &f->bus);
	f->bus_down = TRUE;
	REMSIM_TEST_WAIT_FOR(
	    remsim_test_daemon_count_stderr(f->bankd, "Lost the D-Bus connection") == 1);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GBytes) res = remsim_test_peer_apdu(client, 0, apdu);

		g_assert_nonnull(res);
	}
	/* the teardown stops it: a clean exit, on its SIGTERM */
	g_assert_nonnull(remsim_test_daemon_get_process(f->bankd));
}

/* a bankd whose bus is missing: one warning, and the bank works as ever */
static void
fixture_setup_no_bus(BankdDbusFixture *f, gconstpointer data)
{
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = bankd_start(f->server, 1, "unix:path=/nonexistent/remsim-test-bus");
	remsim_test_peer_wait_hellos(f->server, 1);
}

static void
test_no_bus(BankdDbusFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00D6000001AA");
	g_autoptr(GBytes) res = NULL;
	g_autoptr(RemsimTestPeer) client = relaying_client(f);

	res = remsim_test_peer_apdu(client, 0, apdu);
	g_assert_nonnull(res);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/bankd/dbus/" name, BankdDbusFixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("bank", test_dbus_bank);
	ADD("slot", test_dbus_slot);
	ADD("wrong-state", test_dbus_wrong_state);
	ADD("reset-and-drop", test_dbus_reset_and_drop);
	ADD("unmap-and-server-gone", test_dbus_unmap_and_server_gone);
	ADD("reload", test_dbus_reload);
	ADD("bus-gone", test_dbus_bus_gone);
	g_test_add("/bankd/dbus/no-bus", BankdDbusFixture, NULL, fixture_setup_no_bus, test_no_bus,
		   fixture_teardown);
	return g_test_run();
}
