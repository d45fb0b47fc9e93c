/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The card inventory of remsim-bankd on simulated cards, as D-Bus shows it:
 * ICCID, SPN and type of every card; IMSI and MSISDN where PIN1 is disabled
 * or the configured PIN1 is right; a wrong configured PIN is tried once per
 * insertion, never again after a client session (the card's retry counter
 * shows one try spent); a session ends with the card read again.
 */
#include "config.h"

#include "remsim-dbus.h"
#include "remsim-test-daemon.h"
#include "remsim-test-dbus.h"
#include "remsim-test-peer.h"

#define CLIENT_ID 12

typedef struct {
	RemsimTestDbus *tbus;
	GDBusConnection *bus;
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
	GDBusObjectManager *objects;
} SimcardInventoryFixture;

static gchar *
profile_path(const gchar *name)
{
	return g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", name, NULL);
}

static void
fixture_setup(SimcardInventoryFixture *f, gconstpointer data)
{
	g_autofree gchar *p1 = profile_path("sample-001.json");
	g_autofree gchar *p2 = profile_path("sample-002.json");
	g_autofree gchar *p3 = profile_path("sample-003.json");
	g_autofree gchar *p4 = profile_path("sample-004.json");
	g_autofree gchar *conf = NULL;
	g_autoptr(GError) error = NULL;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->tbus = remsim_test_dbus_up(&f->bus);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	/* slot 1: the right PIN by slot; card 3: a wrong one by ICCID */
	conf = g_strdup_printf("[bankd]\ninventory-pin1=1=1234;8900101000000000035=9999\n"
			       "[simcard]\nslots=4\nprofiles=%s;%s;%s;%s\n",
			       p1, p2, p3, p4);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "simcard",
					.n_slots = 4,
					.config = conf,
					.bus_address = remsim_test_dbus_get_address(f->tbus) });
	remsim_test_peer_wait_hellos(f->server, 1);
	g_assert_true(
	    remsim_test_dbus_wait_name(f->bus, REMSIM_DBUS_BANKD_NAME, REMSIM_TEST_TIMEOUT_MS));
	f->objects = remsim_dbus_object_manager_client_new_sync(
	    f->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, REMSIM_DBUS_BANKD_NAME,
	    REMSIM_DBUS_BANKD_PATH, NULL, &error);
	g_assert_no_error(error);
}

static void
fixture_teardown(SimcardInventoryFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_clear_object(&f->objects);
	if (f->tbus != NULL)
		remsim_test_dbus_down(f->tbus, &f->bus);
	f->tbus = NULL;
}

static RemsimDbusBankd1Slot *
get_slot(SimcardInventoryFixture *f, guint16 nr)
{
	g_autofree gchar *path = remsim_dbus_names_bankd_slot_path(nr);
	g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object(f->objects, path);

	g_assert_nonnull(object);
	return remsim_dbus_object_get_bankd1_slot(REMSIM_DBUS_OBJECT(object));
}

typedef struct {
	RemsimDbusBankd1Slot *slot;
	const gchar *name;
	const gchar *want;
} SimcardInventoryPropWait;

static gboolean
prop_is(gpointer data)
{
	SimcardInventoryPropWait *w = data;
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(G_DBUS_PROXY(w->slot), w->name);

	return v != NULL && g_str_equal(g_variant_get_string(v, NULL), w->want);
}

/* waits until the string property @name of @slot is @want */
static void
assert_prop(RemsimDbusBankd1Slot *slot, const gchar *name, const gchar *want)
{
	SimcardInventoryPropWait w = { slot, name, want };

	if (!remsim_test_common_spin_until(prop_is, &w, REMSIM_TEST_TIMEOUT_MS)) {
		g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(G_DBUS_PROXY(slot), name);

		g_error("slot %u %s: %s, want %s", remsim_dbus_bankd1_slot_get_slot_nr(slot), name,
			v != NULL ? g_variant_get_string(v, NULL) : "(none)", want);
	}
}

/* every card read; what PIN1 lets through, and what it keeps */
static void
test_inventory_read(SimcardInventoryFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) s0 = NULL, s1 = NULL, s2 = NULL, s3 = NULL;
	g_autoptr(GVariant) atr = NULL;

	if (f->tbus == NULL)
		return;
	s0 = get_slot(f, 0);
	s1 = get_slot(f, 1);
	s2 = get_slot(f, 2);
	s3 = get_slot(f, 3);
	for (guint i = 0; i < 4; i++)
		assert_prop((RemsimDbusBankd1Slot *[]){ s0, s1, s2, s3 }[i], "Inventory", "read");

	/* PIN1 enabled, none configured: ICCID and SPN, no IMSI */
	assert_prop(s0, "Iccid", "8900101000000000019");
	assert_prop(s0, "Spn", "remsim 1");
	assert_prop(s0, "CardType", "usim");
	assert_prop(s0, "Pin1", "enabled");
	assert_prop(s0, "Imsi", "");
	assert_prop(s0, "Msisdn", "");
	atr = remsim_dbus_bankd1_slot_dup_card_atr(s0);
	g_assert_cmpuint(g_variant_n_children(atr), ==, 22);

	/* the right PIN, configured for slot 1 */
	assert_prop(s1, "Pin1", "verified");
	assert_prop(s1, "Imsi", "001010000000002");
	assert_prop(s1, "Msisdn", "+999001002");

	/* a wrong PIN, configured for card 3's ICCID */
	assert_prop(s2, "Iccid", "8900101000000000035");
	assert_prop(s2, "Pin1", "rejected");
	assert_prop(s2, "Imsi", "");

	/* PIN1 disabled */
	assert_prop(s3, "Pin1", "disabled");
	assert_prop(s3, "Imsi", "001010000000004");
	assert_prop(s3, "Spn", "remsim 4");
}

/*
 * After a client session the card is read again, without the wrong PIN: the
 * card's counter shows exactly one try spent (3 → 2), as the client sees it.
 */
static void
test_inventory_pin_once(SimcardInventoryFixture *f, gconstpointer data)
{
	g_autoptr(RemsimDbusBankd1Slot) s2 = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(GBytes) select_adf = remsim_test_common_hex_bytes("00A4040407A0000000871002");
	g_autoptr(GBytes) get_response = remsim_test_common_hex_bytes("00C0000000");
	g_autoptr(GBytes) tries = remsim_test_common_hex_bytes("0020000100");
	g_autoptr(GBytes) r1 = NULL, r2 = NULL;
	g_autofree gchar *hex = NULL;

	if (f->tbus == NULL)
		return;
	s2 = get_slot(f, 2);
	assert_prop(s2, "Pin1", "rejected");

	for (guint round = 0; round < 2; round++) {
		g_assert_cmpint(remsim_test_peer_map(f->server, 2, CLIENT_ID, 0), ==,
				RSPRO_RESULT_OK);
		client = remsim_test_peer_new_client(CLIENT_ID, 0);
		remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
		g_assert_cmpint(
		    remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
		    RSPRO_RESULT_OK);
		REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) == 1);
		r1 = remsim_test_peer_apdu(client, 2, select_adf);
		g_assert_nonnull(r1);
		g_clear_pointer(&r1, g_bytes_unref);
		/* VERIFY without data: the tries left, nothing spent (TS 102 221 11.1.9) */
		r2 = remsim_test_peer_apdu(client, 2, tries);
		hex = remsim_test_common_bytes_hex(r2);
		g_assert_cmpstr(hex, ==, "63C2");
		g_clear_pointer(&hex, g_free);
		g_clear_pointer(&r2, g_bytes_unref);
		/* the session ends: the card is read again, without a PIN */
		g_clear_object(&client);
		g_assert_cmpint(remsim_test_peer_unmap(f->server, 2, CLIENT_ID, 0), ==,
				RSPRO_RESULT_OK);
		assert_prop(s2, "Inventory", "read");
		assert_prop(s2, "Pin1", "rejected");
	}
	(void)get_response;
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/bankd/inventory/" name, SimcardInventoryFixture, NULL, fixture_setup, fn,     \
		   fixture_teardown)
	ADD("read", test_inventory_read);
	ADD("pin-once", test_inventory_pin_once);
	return g_test_run();
}
