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

#include "remsim-dbus.h"
#include "remsim-test-daemon.h"
#include "remsim-test-dbus.h"
#include "remsim-test-peer.h"

/* what a daemon logs when SIGHUP found a config it cannot use */
#define RELOAD_FAILED "Configuration not reloaded"

/* a private bus, a server and bank 1 (mapped for 23:0); each test starts the client */
typedef struct {
	RemsimTestDbus *tbus;
	GDBusConnection *bus;
	RemsimTestPeer *server;
	RemsimTestPeer *bank;
	RemsimTestDaemon *client;
	RemsimDbusClient1 *root;
	GDBusObjectManager *objects;
	RemsimDbusClient1Slot *slot;
} ClientDbusFixture;

static RemsimTestPeer *
server_new(RemsimTestPeer *bank)
{
	RemsimTestPeer *server = remsim_test_peer_new_server();

	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_CLIENT);
	remsim_test_peer_set_config(server, 1, 5, remsim_test_peer_get_port(bank));
	return server;
}

static void
fixture_setup(ClientDbusFixture *f, gconstpointer data)
{
	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->tbus = remsim_test_dbus_up(&f->bus);
	f->bank = remsim_test_peer_new_bank(1, 1);
	remsim_test_peer_serve(f->bank, REMSIM_TEST_PEER_BANK_FOR_CLIENT);
	f->server = server_new(f->bank);
}

static void
fixture_teardown(ClientDbusFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->slot);
	g_clear_object(&f->objects);
	g_clear_object(&f->root);
	g_clear_object(&f->bank);
	g_clear_object(&f->server);
	if (f->tbus != NULL)
		remsim_test_dbus_down(f->tbus, &f->bus);
	f->tbus = NULL;
}

/* the slot 23:0, once the object manager client has it */
static RemsimDbusClient1Slot *
slot_wait(GDBusObjectManager *objects)
{
	g_autofree gchar *path = remsim_dbus_names_client_slot_path(23, 0);
	g_autoptr(GDBusObject) object = NULL;

	REMSIM_TEST_WAIT_FOR((object = g_dbus_object_manager_get_object(objects, path)) != NULL);
	return remsim_dbus_object_get_client1_slot(REMSIM_DBUS_OBJECT(object));
}

static gboolean
slot_state_is(RemsimDbusClient1Slot *slot, const gchar *state)
{
	return g_strcmp0(remsim_dbus_client1_slot_get_state(slot), state) == 0;
}

/* the client on the bus with @options; once it relays, its objects through the proxies */
static void
client_start(ClientDbusFixture *f, RemsimTestDaemonOptions *options)
{
	g_autoptr(GError) error = NULL;

	options->bus_address = remsim_test_dbus_get_address(f->tbus);
	options->capture_stderr = TRUE;
	f->client = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_CLIENT, options);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(f->bank, RSPRO_MSG_SET_ATR_RES) == 1);
	/* the daemon's own object, once it owns its name */
	g_assert_true(
	    remsim_test_dbus_wait_name(f->bus, REMSIM_DBUS_CLIENT_NAME, REMSIM_TEST_TIMEOUT_MS));
	f->root = remsim_dbus_client1_proxy_new_sync(f->bus, G_DBUS_PROXY_FLAGS_NONE,
						     REMSIM_DBUS_CLIENT_NAME,
						     REMSIM_DBUS_CLIENT_PATH, NULL, &error);
	g_assert_no_error(error);
	f->objects = remsim_dbus_object_manager_client_new_sync(
	    f->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, REMSIM_DBUS_CLIENT_NAME,
	    REMSIM_DBUS_CLIENT_PATH, NULL, &error);
	g_assert_no_error(error);
	f->slot = slot_wait(f->objects);
	REMSIM_TEST_WAIT_FOR(slot_state_is(f->slot, "card-powered"));
}

/* the client on slot 23:0 with the server on its command line */
static void
client_start_args(ClientDbusFixture *f)
{
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };

	client_start(f, &(RemsimTestDaemonOptions){
			    .server_port = remsim_test_peer_get_port(f->server), .args = args });
}

static void
test_dbus_properties(ClientDbusFixture *f, gconstpointer data)
{
	g_autoptr(GVariant) atr = NULL;
	g_autofree gchar *want_addr = NULL;
	GBytes *bank_atr;

	if (f->tbus == NULL)
		return;
	client_start_args(f);
	g_assert_cmpstr(remsim_dbus_client1_get_version(f->root), ==, PACKAGE_VERSION);
	g_assert_cmpuint(remsim_dbus_client1_get_api_version(f->root), ==, REMSIM_DBUS_API_VERSION);
	g_assert_cmpuint(remsim_dbus_client1_get_slot_count(f->root), ==, 1);
	/* the links in the words every daemon uses */
	g_assert_cmpstr(remsim_dbus_client1_slot_get_server_state(f->slot), ==, "connected");
	g_assert_cmpstr(remsim_dbus_client1_slot_get_bankd_state(f->slot), ==, "connected");
	want_addr = g_strdup_printf("127.0.0.1:%u", remsim_test_peer_get_port(f->bank));
	g_assert_cmpstr(remsim_dbus_client1_slot_get_bankd_address(f->slot), ==, want_addr);
	g_assert_cmpuint(remsim_dbus_client1_slot_get_bank_id(f->slot), ==, 1);
	atr = remsim_dbus_client1_slot_dup_atr(f->slot);
	bank_atr = remsim_test_peer_get_atr(f->bank);
	g_assert_cmpmem(g_variant_get_data(atr), g_variant_get_size(atr),
			g_bytes_get_data(bank_atr, NULL), g_bytes_get_size(bank_atr));
}

/* counters follow the relay */
static void
test_dbus_counters(ClientDbusFixture *f, gconstpointer data)
{
	if (f->tbus == NULL)
		return;
	client_start_args(f);
	remsim_test_daemon_write(f->client, "a0a4000002\n");
	REMSIM_TEST_WAIT_FOR(remsim_dbus_client1_slot_get_tpdus_to_modem(f->slot) == 1);
	g_assert_cmpuint(remsim_dbus_client1_slot_get_tpdus_to_card(f->slot), ==, 1);
}

/* ResetCard: RST active, then inactive, to the bank, as the modem's reset */
static void
test_dbus_reset_card(ClientDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	guint status_inds;

	if (f->tbus == NULL)
		return;
	client_start_args(f);
	status_inds = remsim_test_peer_count(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND);
	g_assert_true(remsim_dbus_client1_slot_call_reset_card_sync(f->slot, NULL, &error));
	g_assert_no_error(error);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND) ==
			     status_inds + 2);
	g_assert_false(remsim_test_peer_last(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND)
			   ->u.client_slot_status_ind.status.reset_active);
}

/* unmapped: the state says so, and there is no card to reset */
static void
test_dbus_unmapped(ClientDbusFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	if (f->tbus == NULL)
		return;
	client_start_args(f);
	remsim_test_peer_set_config(f->server, 0, 0, 0);
	REMSIM_TEST_WAIT_FOR(!slot_state_is(f->slot, "card-powered"));
	g_assert_cmpstr(remsim_dbus_client1_slot_get_state(f->slot), ==, "idle");
	g_assert_false(remsim_dbus_client1_slot_call_reset_card_sync(f->slot, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_WRONG_STATE,
				      "org.remsim.Error.WrongState");
}

/* the client's config file: the server @server_port, and @extra */
static gchar *
write_config(ClientDbusFixture *f, guint16 server_port, const gchar *extra)
{
	g_autofree gchar *text = g_strdup_printf("[client]\nserver-host=127.0.0.1\n"
						 "server-port=%u\n%s",
						 server_port, extra);

	g_assert_true(
	    g_file_set_contents(remsim_test_daemon_get_config_path(f->client), text, -1, NULL));
	return g_strdup_printf("127.0.0.1:%u", server_port);
}

static gboolean
pending_is(RemsimDbusClient1 *root, const gchar *const *want)
{
	const gchar *const *pending = remsim_dbus_client1_get_restart_pending(root);

	return pending != NULL && g_strv_equal(pending, want);
}

static const gchar *const none[] = { NULL };
static const gchar *const atr_only[] = { "atr", NULL };

/*
 * The client with the server from its file, not from the command line; then
 * Reload with another server and another ATR: the server changes now, the ATR
 * after a restart, and the bank link stays. Returns the second server.
 */
static RemsimTestPeer *
reload_to_second(ClientDbusFixture *f)
{
	RemsimTestPeer *server2 = server_new(f->bank);
	g_autofree gchar *config =
	    g_strdup_printf("[client]\nserver-host=127.0.0.1\nserver-port=%u\n",
			    remsim_test_peer_get_port(f->server));
	g_autofree gchar *first =
	    g_strdup_printf("127.0.0.1:%u", remsim_test_peer_get_port(f->server));
	g_autofree gchar *second = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };

	client_start(f, &(RemsimTestDaemonOptions){ .config = config, .args = args });
	g_assert_cmpstr(remsim_dbus_client1_slot_get_server_address(f->slot), ==, first);
	g_assert_true(pending_is(f->root, none));

	second = write_config(f, remsim_test_peer_get_port(server2), "atr=3b 02 14 50\n");
	g_assert_true(
	    remsim_dbus_client1_call_reload_sync(f->root, &applied, &needs_restart, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_strv_equal((const gchar *const *)applied,
				   (const gchar *const[]){ "server-port", NULL }));
	g_assert_true(g_strv_equal((const gchar *const *)needs_restart, atr_only));
	REMSIM_TEST_WAIT_FOR(pending_is(f->root, atr_only));
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(server2, RSPRO_MSG_CONNECT_CLIENT_REQ) >= 1);
	REMSIM_TEST_WAIT_FOR(
	    g_strcmp0(remsim_dbus_client1_slot_get_server_address(f->slot), second) == 0);
	REMSIM_TEST_WAIT_FOR(remsim_dbus_client1_slot_get_server_connects(f->slot) == 2);
	/* the relay went on: one bank connection all along */
	g_assert_true(slot_state_is(f->slot, "card-powered"));
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(f->bank), ==, 1);
	return server2;
}

/* Reload: the server moves at run time, the bank link stays; the ATR waits */
static void
test_dbus_reload(ClientDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) server2 = NULL;

	if (f->tbus == NULL)
		return;
	server2 = reload_to_second(f);
}

/* a bad file: the registered error names file and line, nothing changes; SIGHUP the same */
static void
test_dbus_reload_bad_file(ClientDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) server2 = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *where = NULL;
	g_autofree gchar *second = NULL;

	if (f->tbus == NULL)
		return;
	server2 = reload_to_second(f);
	second = g_strdup_printf("127.0.0.1:%u", remsim_test_peer_get_port(server2));
	g_assert_true(g_file_set_contents(remsim_test_daemon_get_config_path(f->client),
					  "[client]\nserver-port=banana\n", -1, NULL));
	g_assert_false(remsim_dbus_client1_call_reload_sync(f->root, NULL, NULL, NULL, &error));
	remsim_test_dbus_assert_error(error, REMSIM_DBUS_ERROR_INVALID_CONFIG,
				      "org.remsim.Error.InvalidConfig");
	where = g_strdup_printf("%s:2:", remsim_test_daemon_get_config_path(f->client));
	g_assert_nonnull(strstr(error->message, where));
	g_subprocess_send_signal(remsim_test_daemon_get_process(f->client), SIGHUP);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->client, RELOAD_FAILED) == 1);
	g_assert_true(pending_is(f->root, atr_only));
	g_assert_cmpstr(remsim_dbus_client1_slot_get_server_address(f->slot), ==, second);
}

/* SIGHUP with the file as it was: the first server again, nothing waits */
static void
test_dbus_sighup(ClientDbusFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) server2 = NULL;
	g_autofree gchar *first = NULL;

	if (f->tbus == NULL)
		return;
	server2 = reload_to_second(f);
	first = write_config(f, remsim_test_peer_get_port(f->server), "");
	g_subprocess_send_signal(remsim_test_daemon_get_process(f->client), SIGHUP);
	REMSIM_TEST_WAIT_FOR(pending_is(f->root, none));
	REMSIM_TEST_WAIT_FOR(
	    g_strcmp0(remsim_dbus_client1_slot_get_server_address(f->slot), first) == 0);
	g_assert_false(remsim_test_daemon_has_exited(f->client));
}

/* no bus at all: one warning, and the relay works */
static void
test_no_bus(ClientDbusFixture *f, gconstpointer data)
{
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };

	f->bank = remsim_test_peer_new_bank(1, 1);
	remsim_test_peer_serve(f->bank, REMSIM_TEST_PEER_BANK_FOR_CLIENT);
	f->server = server_new(f->bank);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.args = args,
					.bus_address = "unix:path=/nonexistent/remsim-bus" });
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(f->bank, RSPRO_MSG_SET_ATR_RES) == 1);
	remsim_test_daemon_write(f->client, "a0a4000002\n");
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, "R-APDU: 01 a4 90 00 ") >=
			     0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/client/dbus/" name, ClientDbusFixture, NULL, fixture_setup, fn,               \
		   fixture_teardown)
	ADD("properties", test_dbus_properties);
	ADD("counters", test_dbus_counters);
	ADD("reset-card", test_dbus_reset_card);
	ADD("unmapped", test_dbus_unmapped);
	ADD("reload", test_dbus_reload);
	ADD("reload-bad-file", test_dbus_reload_bad_file);
	ADD("sighup", test_dbus_sighup);
	g_test_add("/client/dbus/no-bus", ClientDbusFixture, NULL, NULL, test_no_bus,
		   fixture_teardown);
	return g_test_run();
}
