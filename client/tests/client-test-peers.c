/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "client-test-peers.h"

static gboolean
test_noop_cb(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

void
test_iterate(void)
{
	guint id = g_timeout_add(20, test_noop_cb, NULL);

	g_main_context_iteration(NULL, TRUE);
	g_source_remove(id);
}

static void
peer_send(RsproConnection *conn, RsproPdu *pdu)
{
	g_autoptr(RsproPdu) owned = pdu;
	g_autoptr(GError) error = NULL;

	if (!rspro_connection_send(conn, owned, &error))
		g_test_message("test peer cannot send: %s", error->message);
}

/* client slot n gets bank slot map_bank.slot_nr + n, so that slots can be told apart */
static RsproPdu *
peer_config_pdu(TestPeer *peer, guint16 client_slot_nr)
{
	RsproIpPort ip = { 0 };
	RsproBankSlot bank = peer->map_bank;

	if (peer->map_port != 0)
		bank.slot_nr += client_slot_nr;
	g_assert_true(rspro_ip_port_from_string(&ip, peer->map_port ? "127.0.0.1" : "0.0.0.0",
						peer->map_port));
	return rspro_pdu_new_config_client_bank_req(&bank, &ip);
}

GBytes *
test_peer_expected_response(guint16 bank_id, GBytes *command)
{
	const guint8 *cmd = g_bytes_get_data(command, NULL);
	guint8 rsp[4] = { (guint8)bank_id, g_bytes_get_size(command) > 1 ? cmd[1] : 0, 0x90, 0x00 };

	return g_bytes_new(rsp, sizeof(rsp));
}

static void
peer_handle_hello(TestPeer *peer, RsproConnection *conn, const RsproConnectClientReq *req)
{
	peer->hellos++;
	peer->hello_slot = req->client_slot;
	g_free(peer->hello_software);
	peer->hello_software = g_strdup(req->identity.software);
	peer_send(conn, rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES, &peer->identity,
						  peer->reject ? RSPRO_RESULT_ILLEGAL_CLIENT_ID
							       : RSPRO_RESULT_OK));
	if (peer->reject)
		return;
	if (!peer->is_bank && peer->has_map)
		peer_send(conn, peer_config_pdu(peer, req->client_slot.slot_nr));
	g_object_set_data(G_OBJECT(conn), "client-slot-nr",
			  GUINT_TO_POINTER(req->client_slot.slot_nr));
	if (peer->is_bank)
		peer_send(conn, rspro_pdu_new_set_atr_req(&req->client_slot, peer->atr));
}

static void
peer_handle_tpdu(TestPeer *peer, RsproConnection *conn, const RsproTpduModemToCard *tpdu)
{
	g_autoptr(GBytes) rsp = NULL;

	peer->tpdus++;
	peer->tpdu_from = tpdu->from_client_slot;
	peer->tpdu_to = tpdu->to_bank_slot;
	g_clear_pointer(&peer->last_tpdu, g_bytes_unref);
	peer->last_tpdu = g_bytes_ref(tpdu->data);
	rsp = peer->respond != NULL ? peer->respond(tpdu->data, peer->respond_data)
				    : test_peer_expected_response(peer->bank_id, tpdu->data);
	peer_send(conn, rspro_pdu_new_tpdu_card_to_modem(&tpdu->to_bank_slot,
							 &tpdu->from_client_slot, rsp));
}

static void
peer_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	TestPeer *peer = user_data;

	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		peer_handle_hello(peer, conn, &pdu->u.connect_client_req);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
		peer->config_bank_res++;
		break;
	case RSPRO_MSG_SET_ATR_RES:
		peer->set_atr_res++;
		break;
	case RSPRO_MSG_RESET_STATE_RES:
		peer->reset_state_res++;
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		peer_handle_tpdu(peer, conn, &pdu->u.tpdu_modem_to_card);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		peer->status_inds++;
		peer->last_status = pdu->u.client_slot_status_ind.status;
		break;
	default:
		break;
	}
}

static void
peer_closed_cb(RsproConnection *conn, GError *reason, gpointer user_data)
{
	TestPeer *peer = user_data;

	g_signal_handlers_disconnect_by_data(conn, peer);
	g_ptr_array_remove(peer->conns, conn);
}

static void
peer_connection_cb(RsproListener *listener, RsproConnection *conn, gpointer user_data)
{
	TestPeer *peer = user_data;

	peer->accepted++;
	g_ptr_array_add(peer->conns, g_object_ref(conn));
	g_signal_connect(conn, "message", G_CALLBACK(peer_message_cb), peer);
	g_signal_connect(conn, "closed", G_CALLBACK(peer_closed_cb), peer);
}

void
test_peer_listen(TestPeer *peer)
{
	g_autoptr(GError) error = NULL;

	g_assert_null(peer->listener);
	peer->listener = rspro_listener_new();
	g_signal_connect(peer->listener, "connection", G_CALLBACK(peer_connection_cb), peer);
	g_assert_true(rspro_listener_listen(peer->listener, "127.0.0.1", peer->port, &error));
	g_assert_no_error(error);
	peer->port = rspro_listener_get_port(peer->listener);
}

void
test_peer_stop(TestPeer *peer)
{
	g_autoptr(GPtrArray) conns = NULL;

	if (peer->listener != NULL) {
		rspro_listener_close(peer->listener);
		g_signal_handlers_disconnect_by_data(peer->listener, peer);
		g_clear_object(&peer->listener);
	}
	conns = g_ptr_array_copy(peer->conns, (GCopyFunc)(void (*)(void))g_object_ref, NULL);
	g_ptr_array_set_free_func(conns, g_object_unref);
	for (guint i = 0; i < conns->len; i++)
		rspro_connection_close(conns->pdata[i]);
}

static TestPeer *
peer_new(gboolean is_bank, RsproComponentType type, const gchar *software)
{
	TestPeer *peer = g_new0(TestPeer, 1);

	peer->is_bank = is_bank;
	peer->conns = g_ptr_array_new_with_free_func(g_object_unref);
	rspro_component_identity_init(&peer->identity, type, "test-peer", software);
	test_peer_listen(peer);
	return peer;
}

TestPeer *
test_peer_new_server(void)
{
	return peer_new(FALSE, RSPRO_COMPONENT_SERVER, "test-server");
}

TestPeer *
test_peer_new_bank(guint16 bank_id)
{
	/* a T=0 ATR, different per bank so a test can tell them apart */
	guint8 atr[] = { 0x3b, 0x9f, 0x96, 0x80, 0x1f, (guint8)bank_id };
	TestPeer *peer = peer_new(TRUE, RSPRO_COMPONENT_BANKD, "test-bankd");

	peer->bank_id = bank_id;
	peer->atr = g_bytes_new(atr, sizeof(atr));
	return peer;
}

void
test_peer_send_all(TestPeer *peer, const RsproPdu *pdu)
{
	for (guint i = 0; i < peer->conns->len; i++)
		peer_send(peer->conns->pdata[i], rspro_pdu_copy(pdu));
}

void
test_peer_map(TestPeer *peer, guint16 bank_id, guint16 slot_nr, guint16 bank_port)
{
	peer->has_map = TRUE;
	peer->map_bank.bank_id = bank_id;
	peer->map_bank.slot_nr = slot_nr;
	peer->map_port = bank_port;
	for (guint i = 0; i < peer->conns->len; i++) {
		RsproConnection *conn = peer->conns->pdata[i];
		guint nr = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(conn), "client-slot-nr"));

		peer_send(conn, peer_config_pdu(peer, (guint16)nr));
	}
}

void
test_peer_free(TestPeer *peer)
{
	test_peer_stop(peer);
	/* let the closes finish before the connections go */
	for (guint i = 0; i < 5; i++)
		g_main_context_iteration(NULL, FALSE);
	for (guint i = 0; i < peer->conns->len; i++)
		g_signal_handlers_disconnect_by_data(peer->conns->pdata[i], peer);
	g_ptr_array_unref(peer->conns);
	rspro_component_identity_clear(&peer->identity);
	g_free(peer->hello_software);
	g_clear_pointer(&peer->last_tpdu, g_bytes_unref);
	g_clear_pointer(&peer->atr, g_bytes_unref);
	g_free(peer);
}

static void client_read_next(TestClient *client);

static void
client_line_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestClient *client = user_data;
	g_autoptr(GError) error = NULL;
	gchar *line =
	    g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (line == NULL) {
		client->stdout_eof = TRUE;
		return;
	}
	g_test_message("stdout: %s", line);
	g_ptr_array_add(client->lines, line);
	client_read_next(client);
}

static void
client_read_next(TestClient *client)
{
	g_data_input_stream_read_line_async(client->stdout_data, G_PRIORITY_DEFAULT,
					    client->cancellable, client_line_ready, client);
}

static void
client_wait_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	TestClient *client = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_subprocess_wait_finish(G_SUBPROCESS(source), result, &error))
		return;
	client->exited = TRUE;
	client->exit_status = g_subprocess_get_if_exited(G_SUBPROCESS(source))
				  ? g_subprocess_get_exit_status(G_SUBPROCESS(source))
				  : -1;
}

TestClient *
test_process_spawn(const gchar *const *argv, const gchar *const *env)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) error = NULL;
	TestClient *client = g_new0(TestClient, 1);

	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
					     G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	for (guint i = 0; env != NULL && env[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(env[i], "=", 2);

		g_subprocess_launcher_setenv(launcher, kv[0], kv[1] ? kv[1] : "", TRUE);
	}
	client->proc = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	client->cancellable = g_cancellable_new();
	client->lines = g_ptr_array_new_with_free_func(g_free);
	client->stdin_pipe = g_object_ref(g_subprocess_get_stdin_pipe(client->proc));
	client->stdout_data = g_data_input_stream_new(g_subprocess_get_stdout_pipe(client->proc));
	client_read_next(client);
	g_subprocess_wait_async(client->proc, client->cancellable, client_wait_ready, client);
	return client;
}

TestClient *
test_client_spawn(guint16 server_port, const gchar *const *args, const gchar *const *env)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	const gchar *bin = g_getenv("REMSIM_CLIENT");

	g_assert_nonnull(bin);
	g_ptr_array_add(argv, g_strdup(bin));
	if (!(args != NULL && g_strv_contains(args, "--session")))
		g_ptr_array_add(argv, g_strdup("--no-dbus"));
	g_ptr_array_add(argv, g_strdup("--config=/dev/null"));
	g_ptr_array_add(argv, g_strdup("-i"));
	g_ptr_array_add(argv, g_strdup("127.0.0.1"));
	g_ptr_array_add(argv, g_strdup("-p"));
	g_ptr_array_add(argv, g_strdup_printf("%u", server_port));
	for (guint i = 0; args != NULL && args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(args[i]));
	g_ptr_array_add(argv, NULL);
	return test_process_spawn((const gchar *const *)argv->pdata, env);
}

void
test_client_write(TestClient *client, const gchar *text)
{
	g_autoptr(GError) error = NULL;

	/* small writes into a pipe: done at once */
	g_output_stream_write_all(client->stdin_pipe, text, strlen(text), NULL, NULL, &error);
	g_assert_no_error(error);
}

void
test_client_close_stdin(TestClient *client)
{
	g_output_stream_close(client->stdin_pipe, NULL, NULL);
}

gint
test_client_find_line(TestClient *client, guint start, const gchar *line)
{
	for (guint i = start; i < client->lines->len; i++) {
		if (g_strcmp0(client->lines->pdata[i], line) == 0)
			return (gint)i;
	}
	return -1;
}

void
test_client_free(TestClient *client)
{
	if (!client->exited) {
		g_subprocess_send_signal(client->proc, SIGTERM);
		TEST_WAIT_FOR(client->exited, 10000);
	}
	g_cancellable_cancel(client->cancellable);
	for (guint i = 0; i < 5; i++)
		g_main_context_iteration(NULL, FALSE);
	g_object_unref(client->cancellable);
	g_object_unref(client->stdin_pipe);
	g_object_unref(client->stdout_data);
	g_object_unref(client->proc);
	g_ptr_array_unref(client->lines);
	g_free(client);
}

static gboolean
port_is_free(guint16 port)
{
	g_autoptr(GSocket) sock =
	    g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
	g_autoptr(GInetAddress) lo = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, port);

	return sock != NULL && g_socket_bind(sock, addr, FALSE, NULL);
}

guint16
test_free_port_pair(void)
{
	for (guint attempt = 0; attempt < 50; attempt++) {
		g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
						       G_SOCKET_PROTOCOL_TCP, NULL);
		g_autoptr(GInetAddress) lo = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
		g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
		g_autoptr(GSocketAddress) bound = NULL;
		guint16 port;

		g_assert_true(g_socket_bind(sock, addr, FALSE, NULL));
		bound = g_socket_get_local_address(sock, NULL);
		port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
		g_socket_close(sock, NULL);
		if (port < G_MAXUINT16 && port_is_free(port) && port_is_free(port + 1))
			return port;
	}
	g_assert_not_reached();
	return 0;
}
