/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "bankd-test-harness.h"

GBytes *
test_hex_bytes(const gchar *hex)
{
	GByteArray *out = g_byte_array_new();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 b;

		if (g_ascii_isspace(*p)) {
			p++;
			continue;
		}
		g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
		b = (g_ascii_xdigit_value(p[0]) << 4) | g_ascii_xdigit_value(p[1]);
		g_byte_array_append(out, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes(out);
}

gchar *
test_bytes_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02X", data[i]);
	return g_string_free(s, FALSE);
}

/* --- server peer --- */

static void
test_server_on_bank_closed(RsproConnection *conn, GError *reason, gpointer user_data)
{
	TestServer *server = user_data;

	if (server->bank == conn)
		g_clear_object(&server->bank);
}

static void
test_server_on_message(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	TestServer *server = user_data;

	if (pdu->type == RSPRO_MSG_CONNECT_BANK_REQ) {
		RsproComponentIdentity id = { 0 };
		g_autoptr(RsproPdu) res = NULL;

		rspro_component_identity_init(&id, RSPRO_COMPONENT_SERVER, "test-server",
					      "remsim-server");
		res = rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_BANK_RES, &id, RSPRO_RESULT_OK);
		rspro_component_identity_clear(&id);
		g_assert_true(rspro_connection_send(conn, res, NULL));
		g_clear_pointer(&server->last_hello, rspro_pdu_free);
		server->last_hello = rspro_pdu_copy(pdu);
		if (server->bank != NULL && server->bank != conn)
			rspro_connection_close(server->bank);
		g_set_object(&server->bank, conn);
		server->n_hellos++;
	} else if (pdu->type == RSPRO_MSG_ERROR_IND) {
		g_ptr_array_add(server->error_inds, rspro_pdu_copy(pdu));
	}
}

static void
test_server_on_connection(RsproListener *listener, RsproConnection *conn, gpointer user_data)
{
	g_signal_connect(conn, "message", G_CALLBACK(test_server_on_message), user_data);
	g_signal_connect(conn, "closed", G_CALLBACK(test_server_on_bank_closed), user_data);
	/* kept alive by the connection's own reference until the bank says hello */
	g_object_set_data_full(G_OBJECT(listener), "pending", g_object_ref(conn), g_object_unref);
}

static void
test_server_listen(TestServer *server, guint16 port)
{
	g_autoptr(GError) error = NULL;

	server->listener = rspro_listener_new();
	g_signal_connect(server->listener, "connection", G_CALLBACK(test_server_on_connection),
			 server);
	g_assert_true(rspro_listener_listen(server->listener, "127.0.0.1", port, &error));
	g_assert_no_error(error);
	server->port = rspro_listener_get_port(server->listener);
}

TestServer *
test_server_new(void)
{
	TestServer *server = g_new0(TestServer, 1);

	server->error_inds = g_ptr_array_new_with_free_func((GDestroyNotify)rspro_pdu_free);
	test_server_listen(server, 0);
	return server;
}

void
test_server_kill(TestServer *server)
{
	if (server->listener != NULL) {
		rspro_listener_close(server->listener);
		g_clear_object(&server->listener);
	}
	if (server->bank != NULL) {
		g_signal_handlers_disconnect_by_data(server->bank, server);
		rspro_connection_close(server->bank);
		g_clear_object(&server->bank);
	}
}

void
test_server_restart(TestServer *server)
{
	test_server_listen(server, server->port);
}

void
test_server_free(TestServer *server)
{
	test_server_kill(server);
	g_clear_pointer(&server->last_hello, rspro_pdu_free);
	g_ptr_array_unref(server->error_inds);
	g_free(server);
}

typedef struct {
	TestServer *server;
	guint n;
} TestHelloWait;

static gboolean
test_server_has_hellos(gpointer data)
{
	TestHelloWait *wait = data;

	return wait->server->n_hellos >= wait->n && wait->server->bank != NULL;
}

gboolean
test_server_wait_hellos(TestServer *server, guint n)
{
	TestHelloWait wait = { server, n };

	return remsim_test_spin_until(test_server_has_hellos, &wait, TEST_TIMEOUT_MS);
}

typedef struct {
	gboolean done;
	RsproPdu *response;
} TestRequest;

static void
test_on_request_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestRequest *req = user_data;

	req->response = rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);
	req->done = TRUE;
}

static gboolean
test_request_done(gpointer data)
{
	return ((TestRequest *)data)->done;
}

static gint
test_server_mapping(TestServer *server, RsproMsgType type, guint16 bank_slot, guint16 client_id,
		    guint16 client_slot)
{
	RsproClientSlot client = { client_id, client_slot };
	RsproBankSlot bank = { TEST_BANK_ID, bank_slot };
	g_autoptr(RsproPdu) req = rspro_pdu_new_mapping_req(type, &client, &bank);
	TestRequest wait = { 0 };
	gint result;

	g_assert_nonnull(server->bank);
	rspro_connection_request_async(server->bank, req, rspro_msg_type_response(type),
				       TEST_TIMEOUT_MS, NULL, test_on_request_done, &wait);
	remsim_test_spin_until(test_request_done, &wait, TEST_TIMEOUT_MS + 1000);
	if (wait.response == NULL)
		return -1;
	result = wait.response->u.create_mapping_res.result;
	rspro_pdu_free(wait.response);
	return result;
}

gint
test_server_map(TestServer *server, guint16 bank_slot, guint16 client_id, guint16 client_slot)
{
	return test_server_mapping(server, RSPRO_MSG_CREATE_MAPPING_REQ, bank_slot, client_id,
				   client_slot);
}

gint
test_server_unmap(TestServer *server, guint16 bank_slot, guint16 client_id, guint16 client_slot)
{
	return test_server_mapping(server, RSPRO_MSG_REMOVE_MAPPING_REQ, bank_slot, client_id,
				   client_slot);
}

/* --- the bankd process --- */

static void
test_bankd_link_plugins(const gchar *plugin_dir)
{
	const gchar *list = g_getenv("REMSIM_TEST_PLUGINS");
	g_auto(GStrv) paths = NULL;

	g_assert_nonnull(list);
	paths = g_strsplit(list, ":", -1);
	g_assert_cmpint(g_mkdir_with_parents(plugin_dir, 0700), ==, 0);
	for (guint i = 0; paths[i] != NULL; i++) {
		g_autofree gchar *base = g_path_get_basename(paths[i]);
		g_autofree gchar *link = g_build_filename(plugin_dir, base, NULL);

		if (paths[i][0] != '\0')
			g_assert_cmpint(symlink(paths[i], link), ==, 0);
	}
}

static gboolean
test_bankd_has_port(gpointer data)
{
	TestBankd *bankd = data;
	g_autofree gchar *path = g_build_filename(bankd->dir, "port", NULL);

	bankd->port = remsim_test_read_port_file(path);
	return bankd->port != 0;
}

TestBankd *
test_bankd_start(const gchar *backend, guint n_slots, guint16 server_port,
		 const gchar *backend_conf)
{
	return test_bankd_start_full(backend, n_slots, server_port, backend_conf, NULL);
}

TestBankd *
test_bankd_start_full(const gchar *backend, guint n_slots, guint16 server_port,
		      const gchar *backend_conf, const gchar *bus_address)
{
	TestBankd *bankd = g_new0(TestBankd, 1);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf_path = NULL, *conf = NULL, *plugin_dir = NULL, *port_file = NULL;
	g_autofree gchar *server = g_strdup_printf("%u", server_port);
	g_autofree gchar *slots = g_strdup_printf("%u", n_slots);
	const gchar *exe = g_getenv("REMSIM_BANKD");
	g_autoptr(GSubprocessLauncher) launcher = NULL;

	g_assert_nonnull(exe);
	bankd->dir = g_dir_make_tmp("remsim-bankd-test-XXXXXX", &error);
	g_assert_no_error(error);
	conf_path = g_build_filename(bankd->dir, "bankd.conf", NULL);
	plugin_dir = g_build_filename(bankd->dir, "plugins", NULL);
	port_file = g_build_filename(bankd->dir, "port", NULL);
	/* a short back-off so that a restarted server is found again within the test */
	conf = g_strdup_printf("[bankd]\nbackoff-scale=0.02\n\n[%s]\n%s\n", backend,
			       backend_conf != NULL ? backend_conf : "");
	g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
	test_bankd_link_plugins(plugin_dir);
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	if (bus_address != NULL)
		g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address,
					     TRUE);
	/* a test that fails half-way must not leave its bankd running */
	{
		const gchar *dbus = bus_address != NULL ? "--session" : "--no-dbus";
		const gchar *const argv[] = { exe,	   "-c",	  conf_path,
					      "-i",	   "127.0.0.1",	  "-p",
					      server,	   "-b",	  "1",
					      "-n",	   slots,	  "-I",
					      "127.0.0.1", "-P",	  "0",
					      "--backend", backend,	  "--plugin-dir",
					      plugin_dir,  "--port-file", port_file,
					      dbus,	   NULL };

		bankd->proc = remsim_test_daemon_spawn(launcher, argv, SIGTERM);
	}
	g_assert_true(remsim_test_spin_until(test_bankd_has_port, bankd, TEST_TIMEOUT_MS));
	return bankd;
}

void
test_bankd_stop(TestBankd *bankd)
{
	/* a bankd that does not go in time is killed, and fails the test */
	g_assert_true(remsim_test_daemon_stop(bankd->proc, SIGTERM, TEST_TIMEOUT_MS));
	/* a clean exit: the bank must not crash or be killed by a sanitizer */
	g_assert_true(g_subprocess_get_if_exited(bankd->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(bankd->proc), ==, 0);
	g_object_unref(bankd->proc);
	remsim_test_remove_tree(bankd->dir);
	g_free(bankd->dir);
	g_free(bankd);
}

/* --- client peer --- */

static void
test_client_on_message(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	TestClient *client = user_data;

	if (pdu->type == RSPRO_MSG_SET_ATR_REQ) {
		g_autoptr(RsproPdu) res = rspro_pdu_new_result(RSPRO_MSG_SET_ATR_RES, 0);

		g_clear_pointer(&client->atr, g_bytes_unref);
		client->atr = g_bytes_ref(pdu->u.set_atr_req.atr);
		rspro_connection_send(conn, res, NULL);
		return;
	}
	g_ptr_array_add(client->others, rspro_pdu_copy(pdu));
}

static void
test_client_on_closed(RsproConnection *conn, GError *reason, gpointer user_data)
{
	((TestClient *)user_data)->closed = TRUE;
}

static gboolean
test_client_has_result(gpointer data)
{
	TestClient *client = data;

	return client->result >= 0 || client->closed;
}

static void
test_client_on_hello_res(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestClient *client = user_data;
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);

	if (res != NULL)
		client->result = res->u.connect_client_res.result;
}

TestClient *
test_client_connect(guint16 port, guint16 client_id, guint16 slot_nr)
{
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GSocketConnection) sock = NULL;
	g_autoptr(RsproPdu) hello = NULL;
	RsproComponentIdentity id = { 0 };
	RsproClientSlot slot = { client_id, slot_nr };
	TestClient *client;

	sock = g_socket_client_connect_to_host(sc, "127.0.0.1", port, NULL, NULL);
	if (sock == NULL)
		return NULL;
	client = g_new0(TestClient, 1);
	client->client_id = client_id;
	client->slot_nr = slot_nr;
	client->result = -1;
	client->others = g_ptr_array_new_with_free_func((GDestroyNotify)rspro_pdu_free);
	client->conn = rspro_connection_new(G_IO_STREAM(sock));
	g_signal_connect(client->conn, "message", G_CALLBACK(test_client_on_message), client);
	g_signal_connect(client->conn, "closed", G_CALLBACK(test_client_on_closed), client);
	rspro_connection_start(client->conn);
	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "test-client", "remsim-client");
	hello = rspro_pdu_new_connect_client_req(&id, &slot);
	rspro_component_identity_clear(&id);
	rspro_connection_request_async(client->conn, hello, RSPRO_MSG_CONNECT_CLIENT_RES,
				       TEST_TIMEOUT_MS, NULL, test_client_on_hello_res, client);
	remsim_test_spin_until(test_client_has_result, client, TEST_TIMEOUT_MS + 1000);
	return client;
}

static gboolean
test_client_has_atr(gpointer data)
{
	TestClient *client = data;

	return client->atr != NULL || client->closed;
}

gboolean
test_client_wait_atr(TestClient *client)
{
	remsim_test_spin_until(test_client_has_atr, client, TEST_TIMEOUT_MS);
	return client->atr != NULL;
}

static gboolean
test_client_is_closed(gpointer data)
{
	return ((TestClient *)data)->closed;
}

gboolean
test_client_wait_closed(TestClient *client)
{
	return remsim_test_spin_until(test_client_is_closed, client, TEST_TIMEOUT_MS);
}

void
test_client_free(TestClient *client)
{
	if (client == NULL)
		return;
	g_signal_handlers_disconnect_by_data(client->conn, client);
	rspro_connection_close(client->conn);
	g_object_unref(client->conn);
	g_clear_pointer(&client->atr, g_bytes_unref);
	g_ptr_array_unref(client->others);
	g_free(client);
}

void
test_client_apdu_async(TestClient *client, guint16 bank_slot, GBytes *apdu,
		       GAsyncReadyCallback callback, gpointer user_data)
{
	RsproClientSlot from = { client->client_id, client->slot_nr };
	RsproBankSlot to = { TEST_BANK_ID, bank_slot };
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_tpdu_modem_to_card(&from, &to, apdu);

	rspro_connection_request_async(client->conn, pdu, RSPRO_MSG_TPDU_CARD_TO_MODEM,
				       TEST_TIMEOUT_MS, NULL, callback, user_data);
}

GBytes *
test_client_apdu(TestClient *client, guint16 bank_slot, GBytes *apdu)
{
	TestRequest wait = { 0 };
	GBytes *data;

	test_client_apdu_async(client, bank_slot, apdu, test_on_request_done, &wait);
	remsim_test_spin_until(test_request_done, &wait, TEST_TIMEOUT_MS + 1000);
	if (wait.response == NULL)
		return NULL;
	g_assert_cmpuint(wait.response->u.tpdu_card_to_modem.to_client_slot.client_id, ==,
			 client->client_id);
	g_assert_cmpuint(wait.response->u.tpdu_card_to_modem.to_client_slot.slot_nr, ==,
			 client->slot_nr);
	g_assert_cmpuint(wait.response->u.tpdu_card_to_modem.from_bank_slot.slot_nr, ==, bank_slot);
	data = g_bytes_ref(wait.response->u.tpdu_card_to_modem.data);
	rspro_pdu_free(wait.response);
	return data;
}
