/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * org.remsim.Client1 on a private session bus, read as remsim-ctl reads it:
 * through the generated proxies and object manager client. The slot's state
 * and links in the words every daemon uses, its counters, ResetCard and its
 * typed error, Reload and SIGHUP (a bad file changes nothing); and a client
 * without any bus.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "client-test-peers.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"
#include "remsim-test-dbus.h"

#define WAIT_MS 10000

static GDBusObjectManager *
objects_new(GDBusConnection *bus)
{
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *objects = remsim_dbus_object_manager_client_new_sync(
	    bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, REMSIM_DBUS_CLIENT_NAME,
	    REMSIM_DBUS_CLIENT_PATH, NULL, &error);

	g_assert_no_error(error);
	return objects;
}

/* the slot 23:0, once the object manager client has it */
static RemsimDbusClient1Slot *
slot_wait(GDBusObjectManager *objects)
{
	g_autofree gchar *path = remsim_dbus_names_client_slot_path(23, 0);
	g_autoptr(GDBusObject) object = NULL;
	gint64 end = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

	while ((object = g_dbus_object_manager_get_object(objects, path)) == NULL &&
	       g_get_monotonic_time() < end)
		test_iterate();
	g_assert_nonnull(object);
	return remsim_dbus_object_get_client1_slot(REMSIM_DBUS_OBJECT(object));
}

/* the daemon's own object, once it owns its name */
static RemsimDbusClient1 *
root_wait(GDBusConnection *bus)
{
	g_autoptr(GError) error = NULL;
	RemsimDbusClient1 *root;

	g_assert_true(remsim_test_dbus_wait_name(bus, REMSIM_DBUS_CLIENT_NAME, WAIT_MS));
	root = remsim_dbus_client1_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE,
						  REMSIM_DBUS_CLIENT_NAME, REMSIM_DBUS_CLIENT_PATH,
						  NULL, &error);
	g_assert_no_error(error);
	return root;
}

static gboolean
slot_state_is(RemsimDbusClient1Slot *slot, const gchar *state)
{
	return g_strcmp0(remsim_dbus_client1_slot_get_state(slot), state) == 0;
}

static void
test_dbus_properties(void)
{
	g_autoptr(GTestDBus) dbus = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusObjectManager) objects = NULL;
	g_autoptr(RemsimDbusClient1) root = NULL;
	g_autoptr(RemsimDbusClient1Slot) slot = NULL;
	g_autoptr(GVariant) atr = NULL;
	g_autofree gchar *want_addr = NULL;
	const gchar *args[] = { "-c", "23", "-n", "0", "--session", NULL };
	TestPeer *server, *bank;
	TestClient *client;
	guint status_inds;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	dbus = remsim_test_dbus_up(&bus);

	server = test_peer_new_server();
	bank = test_peer_new_bank(1);
	test_peer_map(server, 1, 5, bank->port);
	client = test_client_spawn(server->port, args, NULL);
	TEST_WAIT_FOR(bank->set_atr_res == 1, WAIT_MS);
	root = root_wait(bus);
	objects = objects_new(bus);
	slot = slot_wait(objects);
	TEST_WAIT_FOR(slot_state_is(slot, "card-powered"), WAIT_MS);

	g_assert_cmpstr(remsim_dbus_client1_get_version(root), ==, PACKAGE_VERSION);
	g_assert_cmpuint(remsim_dbus_client1_get_api_version(root), ==, REMSIM_DBUS_API_VERSION);
	g_assert_cmpuint(remsim_dbus_client1_get_slot_count(root), ==, 1);
	/* the links in the words every daemon uses */
	g_assert_cmpstr(remsim_dbus_client1_slot_get_server_state(slot), ==, "connected");
	g_assert_cmpstr(remsim_dbus_client1_slot_get_bankd_state(slot), ==, "connected");
	want_addr = g_strdup_printf("127.0.0.1:%u", bank->port);
	g_assert_cmpstr(remsim_dbus_client1_slot_get_bankd_address(slot), ==, want_addr);
	g_assert_cmpuint(remsim_dbus_client1_slot_get_bank_id(slot), ==, 1);
	atr = remsim_dbus_client1_slot_dup_atr(slot);
	g_assert_cmpmem(g_variant_get_data(atr), g_variant_get_size(atr),
			g_bytes_get_data(bank->atr, NULL), g_bytes_get_size(bank->atr));

	/* counters follow the relay */
	test_client_write(client, "a0a4000002\n");
	TEST_WAIT_FOR(remsim_dbus_client1_slot_get_tpdus_to_modem(slot) == 1, WAIT_MS);
	g_assert_cmpuint(remsim_dbus_client1_slot_get_tpdus_to_card(slot), ==, 1);

	/* ResetCard: RST active, then inactive, to the bank, as the modem's reset */
	status_inds = bank->status_inds;
	g_assert_true(remsim_dbus_client1_slot_call_reset_card_sync(slot, NULL, &error));
	g_assert_no_error(error);
	TEST_WAIT_FOR(bank->status_inds == status_inds + 2, WAIT_MS);
	g_assert_false(bank->last_status.reset_active);

	/* unmapped: the state says so, and there is no card to reset */
	test_peer_map(server, 0, 0, 0);
	TEST_WAIT_FOR(!slot_state_is(slot, "card-powered"), WAIT_MS);
	g_assert_cmpstr(remsim_dbus_client1_slot_get_state(slot), ==, "idle");
	g_assert_false(remsim_dbus_client1_slot_call_reset_card_sync(slot, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_WRONG_STATE,
				      "org.remsim.Error.WrongState");
	g_clear_error(&error);

	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
	g_clear_object(&slot);
	g_clear_object(&objects);
	g_clear_object(&root);
	remsim_test_dbus_down(dbus, &bus);
}

static gchar *
write_config(const gchar *path, guint16 server_port, const gchar *extra)
{
	g_autofree gchar *text = g_strdup_printf("[client]\nserver-host=127.0.0.1\n"
						 "server-port=%u\n%s",
						 server_port, extra);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return g_strdup_printf("127.0.0.1:%u", server_port);
}

static gboolean
pending_is(RemsimDbusClient1 *root, const gchar *const *want)
{
	const gchar *const *pending = remsim_dbus_client1_get_restart_pending(root);

	return pending != NULL && g_strv_equal(pending, want);
}

/* Reload and SIGHUP: the server moves at run time, the bank link stays; the ATR waits */
static void
test_dbus_reload(void)
{
	g_autoptr(GTestDBus) dbus = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusObjectManager) objects = NULL;
	g_autoptr(RemsimDbusClient1) root = NULL;
	g_autoptr(RemsimDbusClient1Slot) slot = NULL;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	const gchar *const none[] = { NULL };
	const gchar *const atr_only[] = { "atr", NULL };
	TestPeer *server, *server2, *bank;
	TestClient *client;

	if (remsim_test_dbus_skip_without_daemon())
		return;
	dbus = remsim_test_dbus_up(&bus);
	dir = g_dir_make_tmp("remsim-client-dbus-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(dir, "client.conf", NULL);

	server = test_peer_new_server();
	server2 = test_peer_new_server();
	bank = test_peer_new_bank(1);
	test_peer_map(server, 1, 5, bank->port);
	test_peer_map(server2, 1, 5, bank->port);
	first = write_config(path, server->port, "");
	{
		/* the server comes from the file, not from the command line */
		const gchar *const argv[] = { g_getenv("REMSIM_CLIENT"),
					      "--session",
					      "--config",
					      path,
					      "-c",
					      "23",
					      "-n",
					      "0",
					      NULL };

		client = test_process_spawn(argv, NULL);
	}
	TEST_WAIT_FOR(bank->set_atr_res == 1, WAIT_MS);
	root = root_wait(bus);
	objects = objects_new(bus);
	slot = slot_wait(objects);
	TEST_WAIT_FOR(slot_state_is(slot, "card-powered"), WAIT_MS);
	g_assert_cmpstr(remsim_dbus_client1_slot_get_server_address(slot), ==, first);
	g_assert_true(pending_is(root, none));

	/* another server and another ATR: the server now, the ATR after a restart */
	second = write_config(path, server2->port, "atr=3b 02 14 50\n");
	g_assert_true(
	    remsim_dbus_client1_call_reload_sync(root, &applied, &needs_restart, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_strv_equal((const gchar *const *)applied,
				   (const gchar *const[]){ "server-port", NULL }));
	g_assert_true(g_strv_equal((const gchar *const *)needs_restart, atr_only));
	TEST_WAIT_FOR(pending_is(root, atr_only), WAIT_MS);
	TEST_WAIT_FOR(server2->hellos >= 1, WAIT_MS);
	TEST_WAIT_FOR(g_strcmp0(remsim_dbus_client1_slot_get_server_address(slot), second) == 0,
		      WAIT_MS);
	TEST_WAIT_FOR(remsim_dbus_client1_slot_get_server_connects(slot) == 2, WAIT_MS);
	/* the relay went on: one bank connection all along */
	g_assert_true(slot_state_is(slot, "card-powered"));
	g_assert_cmpuint(bank->accepted, ==, 1);

	/* a bad file: the registered error names file and line, nothing changes */
	g_assert_true(g_file_set_contents(path, "[client]\nserver-port=banana\n", -1, NULL));
	g_assert_false(remsim_dbus_client1_call_reload_sync(root, NULL, NULL, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_INVALID_CONFIG,
				      "org.remsim.Error.InvalidConfig");
	{
		g_autofree gchar *where = g_strdup_printf("%s:2:", path);

		g_assert_nonnull(strstr(error->message, where));
	}
	g_clear_error(&error);
	g_subprocess_send_signal(client->proc, SIGHUP);
	remsim_test_common_spin_for(300);
	g_assert_true(pending_is(root, atr_only));
	g_assert_cmpstr(remsim_dbus_client1_slot_get_server_address(slot), ==, second);

	/* SIGHUP with the file as it was: the first server again, nothing waits */
	g_free(write_config(path, server->port, ""));
	g_subprocess_send_signal(client->proc, SIGHUP);
	TEST_WAIT_FOR(pending_is(root, none), WAIT_MS);
	TEST_WAIT_FOR(g_strcmp0(remsim_dbus_client1_slot_get_server_address(slot), first) == 0,
		      WAIT_MS);
	g_assert_false(client->exited);

	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server2);
	test_peer_free(server);
	g_clear_object(&slot);
	g_clear_object(&objects);
	g_clear_object(&root);
	remsim_test_dbus_down(dbus, &bus);
	remsim_test_common_remove_tree(dir);
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
	g_test_add_func("/client/dbus/reload", test_dbus_reload);
	g_test_add_func("/client/dbus/no-bus", test_no_bus);
	return g_test_run();
}
