/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "remsim-test-bankd.h"

GBytes *
remsim_test_bankd_hex_bytes(const gchar *hex)
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
remsim_test_bankd_bytes_hex(GBytes *bytes)
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
remsim_test_bankd_server_bank_closed_cb(RsproConnection *conn, GError *reason, gpointer user_data)
{
	RemsimTestBankdServer *server = user_data;

	if (server->bank == conn)
		g_clear_object(&server->bank);
}

static void
remsim_test_bankd_server_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	RemsimTestBankdServer *server = user_data;

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
remsim_test_bankd_server_connection_cb(RsproListener *listener, RsproConnection *conn,
				       gpointer user_data)
{
	g_signal_connect(conn, "message", G_CALLBACK(remsim_test_bankd_server_message_cb),
			 user_data);
	g_signal_connect(conn, "closed", G_CALLBACK(remsim_test_bankd_server_bank_closed_cb),
			 user_data);
	/* kept alive by the connection's own reference until the bank says hello */
	g_object_set_data_full(G_OBJECT(listener), "pending", g_object_ref(conn), g_object_unref);
}

static void
remsim_test_bankd_server_listen(RemsimTestBankdServer *server, guint16 port)
{
	g_autoptr(GError) error = NULL;

	server->listener = rspro_listener_new();
	g_signal_connect(server->listener, "connection",
			 G_CALLBACK(remsim_test_bankd_server_connection_cb), server);
	g_assert_true(rspro_listener_listen(server->listener, "127.0.0.1", port, &error));
	g_assert_no_error(error);
	server->port = rspro_listener_get_port(server->listener);
}

RemsimTestBankdServer *
remsim_test_bankd_server_new(void)
{
	RemsimTestBankdServer *server = g_new0(RemsimTestBankdServer, 1);

	server->error_inds = g_ptr_array_new_with_free_func((GDestroyNotify)rspro_pdu_free);
	remsim_test_bankd_server_listen(server, 0);
	return server;
}

void
remsim_test_bankd_server_kill(RemsimTestBankdServer *server)
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
remsim_test_bankd_server_restart(RemsimTestBankdServer *server)
{
	remsim_test_bankd_server_listen(server, server->port);
}

void
remsim_test_bankd_server_free(RemsimTestBankdServer *server)
{
	remsim_test_bankd_server_kill(server);
	g_clear_pointer(&server->last_hello, rspro_pdu_free);
	g_ptr_array_unref(server->error_inds);
	g_free(server);
}

typedef struct {
	RemsimTestBankdServer *server;
	guint n;
} RemsimTestBankdHelloWait;

static gboolean
remsim_test_bankd_server_has_hellos(gpointer data)
{
	RemsimTestBankdHelloWait *wait = data;

	return wait->server->n_hellos >= wait->n && wait->server->bank != NULL;
}

gboolean
remsim_test_bankd_server_wait_hellos(RemsimTestBankdServer *server, guint n)
{
	RemsimTestBankdHelloWait wait = { server, n };

	return remsim_test_common_spin_until(remsim_test_bankd_server_has_hellos, &wait,
					     TEST_TIMEOUT_MS);
}

typedef struct {
	gboolean done;
	RsproPdu *response;
} RemsimTestBankdRequest;

static void
remsim_test_bankd_request_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestBankdRequest *req = user_data;

	req->response = rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);
	req->done = TRUE;
}

static gboolean
remsim_test_bankd_request_done(gpointer data)
{
	return ((RemsimTestBankdRequest *)data)->done;
}

static gint
remsim_test_bankd_server_mapping(RemsimTestBankdServer *server, RsproMsgType type,
				 guint16 bank_slot, guint16 client_id, guint16 client_slot)
{
	RsproClientSlot client = { client_id, client_slot };
	RsproBankSlot bank = { TEST_BANK_ID, bank_slot };
	g_autoptr(RsproPdu) req = rspro_pdu_new_mapping_req(type, &client, &bank);
	RemsimTestBankdRequest wait = { 0 };
	gint result;

	g_assert_nonnull(server->bank);
	rspro_connection_request_async(server->bank, req, rspro_msg_type_response(type),
				       TEST_TIMEOUT_MS, NULL, remsim_test_bankd_request_ready,
				       &wait);
	remsim_test_common_spin_until(remsim_test_bankd_request_done, &wait,
				      TEST_TIMEOUT_MS + 1000);
	if (wait.response == NULL)
		return -1;
	result = wait.response->u.create_mapping_res.result;
	rspro_pdu_free(wait.response);
	return result;
}

gint
remsim_test_bankd_server_map(RemsimTestBankdServer *server, guint16 bank_slot, guint16 client_id,
			     guint16 client_slot)
{
	return remsim_test_bankd_server_mapping(server, RSPRO_MSG_CREATE_MAPPING_REQ, bank_slot,
						client_id, client_slot);
}

gint
remsim_test_bankd_server_unmap(RemsimTestBankdServer *server, guint16 bank_slot, guint16 client_id,
			       guint16 client_slot)
{
	return remsim_test_bankd_server_mapping(server, RSPRO_MSG_REMOVE_MAPPING_REQ, bank_slot,
						client_id, client_slot);
}

/* --- the bankd process --- */

static void
remsim_test_bankd_link_plugins(const gchar *plugin_dir)
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
remsim_test_bankd_has_port(gpointer data)
{
	RemsimTestBankd *bankd = data;
	g_autofree gchar *path = g_build_filename(bankd->dir, "port", NULL);

	bankd->port = remsim_test_common_read_port_file(path);
	return bankd->port != 0;
}

RemsimTestBankd *
remsim_test_bankd_start(const gchar *backend, guint n_slots, guint16 server_port,
			const gchar *backend_conf)
{
	return remsim_test_bankd_start_full(backend, n_slots, server_port, backend_conf, NULL);
}

RemsimTestBankd *
remsim_test_bankd_start_full(const gchar *backend, guint n_slots, guint16 server_port,
			     const gchar *backend_conf, const gchar *bus_address)
{
	RemsimTestBankd *bankd = g_new0(RemsimTestBankd, 1);
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
	remsim_test_bankd_link_plugins(plugin_dir);
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

		bankd->proc = remsim_test_common_daemon_spawn(launcher, argv, SIGTERM);
	}
	g_assert_true(
	    remsim_test_common_spin_until(remsim_test_bankd_has_port, bankd, TEST_TIMEOUT_MS));
	return bankd;
}

void
remsim_test_bankd_stop(RemsimTestBankd *bankd)
{
	/* a bankd that does not go in time is killed, and fails the test */
	g_assert_true(remsim_test_common_daemon_stop(bankd->proc, SIGTERM, TEST_TIMEOUT_MS));
	/* a clean exit: the bank must not crash or be killed by a sanitizer */
	g_assert_true(g_subprocess_get_if_exited(bankd->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(bankd->proc), ==, 0);
	g_object_unref(bankd->proc);
	remsim_test_common_remove_tree(bankd->dir);
	g_free(bankd->dir);
	g_free(bankd);
}

/* --- client peer --- */

static void
remsim_test_bankd_client_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	RemsimTestBankdClient *client = user_data;

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
remsim_test_bankd_client_closed_cb(RsproConnection *conn, GError *reason, gpointer user_data)
{
	((RemsimTestBankdClient *)user_data)->closed = TRUE;
}

static gboolean
remsim_test_bankd_client_has_result(gpointer data)
{
	RemsimTestBankdClient *client = data;

	return client->result >= 0 || client->closed;
}

static void
remsim_test_bankd_client_hello_res_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestBankdClient *client = user_data;
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);

	if (res != NULL)
		client->result = res->u.connect_client_res.result;
}

RemsimTestBankdClient *
remsim_test_bankd_client_connect(guint16 port, guint16 client_id, guint16 slot_nr)
{
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GSocketConnection) sock = NULL;
	g_autoptr(RsproPdu) hello = NULL;
	RsproComponentIdentity id = { 0 };
	RsproClientSlot slot = { client_id, slot_nr };
	RemsimTestBankdClient *client;

	sock = g_socket_client_connect_to_host(sc, "127.0.0.1", port, NULL, NULL);
	if (sock == NULL)
		return NULL;
	client = g_new0(RemsimTestBankdClient, 1);
	client->client_id = client_id;
	client->slot_nr = slot_nr;
	client->result = -1;
	client->others = g_ptr_array_new_with_free_func((GDestroyNotify)rspro_pdu_free);
	client->conn = rspro_connection_new(G_IO_STREAM(sock));
	g_signal_connect(client->conn, "message", G_CALLBACK(remsim_test_bankd_client_message_cb),
			 client);
	g_signal_connect(client->conn, "closed", G_CALLBACK(remsim_test_bankd_client_closed_cb),
			 client);
	rspro_connection_start(client->conn);
	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "test-client", "remsim-client");
	hello = rspro_pdu_new_connect_client_req(&id, &slot);
	rspro_component_identity_clear(&id);
	rspro_connection_request_async(client->conn, hello, RSPRO_MSG_CONNECT_CLIENT_RES,
				       TEST_TIMEOUT_MS, NULL,
				       remsim_test_bankd_client_hello_res_ready, client);
	remsim_test_common_spin_until(remsim_test_bankd_client_has_result, client,
				      TEST_TIMEOUT_MS + 1000);
	return client;
}

static gboolean
remsim_test_bankd_client_has_atr(gpointer data)
{
	RemsimTestBankdClient *client = data;

	return client->atr != NULL || client->closed;
}

gboolean
remsim_test_bankd_client_wait_atr(RemsimTestBankdClient *client)
{
	remsim_test_common_spin_until(remsim_test_bankd_client_has_atr, client, TEST_TIMEOUT_MS);
	return client->atr != NULL;
}

static gboolean
remsim_test_bankd_client_is_closed(gpointer data)
{
	return ((RemsimTestBankdClient *)data)->closed;
}

gboolean
remsim_test_bankd_client_wait_closed(RemsimTestBankdClient *client)
{
	return remsim_test_common_spin_until(remsim_test_bankd_client_is_closed, client,
					     TEST_TIMEOUT_MS);
}

void
remsim_test_bankd_client_free(RemsimTestBankdClient *client)
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
remsim_test_bankd_client_apdu_async(RemsimTestBankdClient *client, guint16 bank_slot, GBytes *apdu,
				    GCancellable *cancellable, GAsyncReadyCallback callback,
				    gpointer user_data)
{
	RsproClientSlot from = { client->client_id, client->slot_nr };
	RsproBankSlot to = { TEST_BANK_ID, bank_slot };
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_tpdu_modem_to_card(&from, &to, apdu);

	rspro_connection_request_async(client->conn, pdu, RSPRO_MSG_TPDU_CARD_TO_MODEM,
				       TEST_TIMEOUT_MS, cancellable, callback, user_data);
}

RsproPdu *
remsim_test_bankd_client_apdu_finish(RemsimTestBankdClient *client, GAsyncResult *result,
				     GError **error)
{
	return rspro_connection_request_finish(client->conn, result, error);
}

GBytes *
remsim_test_bankd_client_apdu(RemsimTestBankdClient *client, guint16 bank_slot, GBytes *apdu)
{
	RemsimTestBankdRequest wait = { 0 };
	GBytes *data;

	remsim_test_bankd_client_apdu_async(client, bank_slot, apdu, NULL,
					    remsim_test_bankd_request_ready, &wait);
	remsim_test_common_spin_until(remsim_test_bankd_request_done, &wait,
				      TEST_TIMEOUT_MS + 1000);
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
