/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * I/O on the main thread without a GTask per read or write: one socket source
 * (which may recurse, so GLib does not take its fd out of the poll set for
 * each dispatch and wake the loop twice) reads what vpcd sent, and each answer
 * is written at once from one buffer; only a full socket adds a source that
 * waits for room. vpcd writes a message's length and its payload apart, with
 * Nagle on: the payload waits for our ACK of the length, so every read is
 * followed by TCP_QUICKACK, or each APDU would wait out a delayed ACK (40 ms).
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "remsim-client-frontend-vpcd.h"
#include "remsim-log.h"

#define VPCD_CTRL_OFF 0x00
#define VPCD_CTRL_ON 0x01
#define VPCD_CTRL_RESET 0x02
#define VPCD_CTRL_ATR 0x04
#define VPCD_READ_CHUNK 4096
/* vpcd may start after us, or restart: dial again this often while a card is mapped */
#define VPCD_RETRY_MS 1000
/* without an ATR from the bank (-r), show the card with the local ATR after this */
#define VPCD_ATR_WAIT_MS 2000

struct _RemsimClientFrontendVpcd {
	RemsimClientFrontend parent_instance;

	gchar *host;
	guint16 port;
	RemsimLogTag log; /* [vpcd HOST:PORT] */

	GCancellable *cancellable; /* this connection or connect attempt */
	GSocketConnection *conn;
	GSocket *socket;
	gboolean connecting;
	GSource *in_source;
	GSource *out_source; /* only while the socket has no room */
	GByteArray *rx;
	guint8 read_buf[VPCD_READ_CHUNK];
	GByteArray *tx; /* frames not yet written, from tx_off on */
	gsize tx_off;
	gboolean apdu_in_flight;
	gboolean want_connection;
	guint retry_id;
	guint atr_wait_id;
};

G_DEFINE_FINAL_TYPE(RemsimClientFrontendVpcd, remsim_client_frontend_vpcd,
		    REMSIM_TYPE_CLIENT_FRONTEND)

static void remsim_client_frontend_vpcd_connect(RemsimClientFrontendVpcd *self);

static void
remsim_client_frontend_vpcd_drop_source(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_clear_pointer(source, g_source_unref);
}

static void
remsim_client_frontend_vpcd_disconnect(RemsimClientFrontendVpcd *self)
{
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	remsim_client_frontend_vpcd_drop_source(&self->in_source);
	remsim_client_frontend_vpcd_drop_source(&self->out_source);
	if (self->conn != NULL) {
		remsim_log_debug(&self->log, "closing the connection");
		g_io_stream_close(G_IO_STREAM(self->conn), NULL, NULL);
	}
	g_clear_object(&self->conn);
	self->socket = NULL;
	g_byte_array_set_size(self->rx, 0);
	g_byte_array_set_size(self->tx, 0);
	self->tx_off = 0;
	self->connecting = FALSE;
	self->apdu_in_flight = FALSE;
}

static gboolean
remsim_client_frontend_vpcd_retry_cb(gpointer user_data)
{
	RemsimClientFrontendVpcd *self = user_data;

	self->retry_id = 0;
	remsim_client_frontend_vpcd_connect(self);
	return G_SOURCE_REMOVE;
}

/* the connection failed or ended: try again later while the card should be visible */
static void
remsim_client_frontend_vpcd_connection_lost(RemsimClientFrontendVpcd *self)
{
	remsim_client_frontend_vpcd_disconnect(self);
	if (self->want_connection && self->retry_id == 0)
		self->retry_id =
		    g_timeout_add(VPCD_RETRY_MS, remsim_client_frontend_vpcd_retry_cb, self);
}

static void remsim_client_frontend_vpcd_flush(RemsimClientFrontendVpcd *self);

static gboolean
remsim_client_frontend_vpcd_writable_cb(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	RemsimClientFrontendVpcd *self = user_data;

	/* the dispatch removes the source: a socket still full gets a new one */
	g_clear_pointer(&self->out_source, g_source_unref);
	remsim_client_frontend_vpcd_flush(self);
	return G_SOURCE_REMOVE;
}

/* writes what waits without blocking; a full socket waits for room */
static void
remsim_client_frontend_vpcd_flush(RemsimClientFrontendVpcd *self)
{
	while (self->socket != NULL && self->out_source == NULL && self->tx_off < self->tx->len) {
		g_autoptr(GError) error = NULL;
		gssize n = g_socket_send_with_blocking(
		    self->socket, (const gchar *)self->tx->data + self->tx_off,
		    self->tx->len - self->tx_off, FALSE, NULL, &error);

		if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
			self->out_source = g_socket_create_source(self->socket, G_IO_OUT, NULL);
			g_source_set_callback(
			    self->out_source,
			    G_SOURCE_FUNC(remsim_client_frontend_vpcd_writable_cb), self, NULL);
			g_source_set_static_name(self->out_source, "[remsim-client] vpcd room");
			g_source_set_can_recurse(self->out_source, TRUE);
			g_source_attach(self->out_source, NULL);
			return;
		}
		if (n < 0) {
			remsim_log_message(&self->log, "write failed: %s", error->message);
			remsim_client_frontend_vpcd_connection_lost(self);
			return;
		}
		self->tx_off += (gsize)n;
	}
	if (self->tx_off == self->tx->len) {
		g_byte_array_set_size(self->tx, 0);
		self->tx_off = 0;
	}
}

static void
remsim_client_frontend_vpcd_send(RemsimClientFrontendVpcd *self, const guint8 *data, gsize len)
{
	guint at = self->tx->len;

	g_byte_array_set_size(self->tx, (guint)(at + len + 2));
	self->tx->data[at] = (guint8)(len >> 8);
	self->tx->data[at + 1] = (guint8)len;
	if (len > 0)
		memcpy(self->tx->data + at + 2, data, len);
	remsim_client_frontend_vpcd_flush(self);
}

static void
remsim_client_frontend_vpcd_emit_power(RemsimClientFrontendVpcd *self, gboolean reset,
				       gboolean powered)
{
	/* as upstream's PC/SC driver reports power changes */
	RsproSlotPhysStatus status = {
		.reset_active = reset,
		.has_vcc_present = TRUE,
		.vcc_present = powered,
		.has_clk_active = TRUE,
		.clk_active = powered,
		.has_card_present = TRUE,
		.card_present = TRUE,
	};

	remsim_client_frontend_emit_status(REMSIM_CLIENT_FRONTEND(self), &status);
}

static void
remsim_client_frontend_vpcd_handle_control(RemsimClientFrontendVpcd *self, guint8 code)
{
	GBytes *atr;

	remsim_log_debug(&self->log, "control 0x%02x", code);
	switch (code) {
	case VPCD_CTRL_OFF:
		remsim_client_frontend_vpcd_emit_power(self, TRUE, FALSE);
		break;
	case VPCD_CTRL_ON:
		remsim_client_frontend_vpcd_emit_power(self, FALSE, TRUE);
		break;
	case VPCD_CTRL_RESET:
		remsim_client_frontend_vpcd_emit_power(self, TRUE, TRUE);
		remsim_client_frontend_vpcd_emit_power(self, FALSE, TRUE);
		break;
	case VPCD_CTRL_ATR:
		/* the presence heartbeat: answer from the cache, never via the bank */
		atr = remsim_client_frontend_get_atr(REMSIM_CLIENT_FRONTEND(self));
		if (atr != NULL)
			remsim_client_frontend_vpcd_send(self, g_bytes_get_data(atr, NULL),
							 g_bytes_get_size(atr));
		else
			remsim_client_frontend_vpcd_send(self, NULL, 0);
		break;
	default:
		remsim_log_message(&self->log, "unknown control byte 0x%02x ignored", code);
		break;
	}
}

static void
remsim_client_frontend_vpcd_handle_apdu(RemsimClientFrontendVpcd *self, const guint8 *apdu,
					gsize len)
{
	static const guint8 wrong_length[] = { 0x67, 0x00 };
	g_autoptr(GBytes) tpdu = NULL;

	if (self->apdu_in_flight) {
		remsim_log_message(&self->log, "APDU while another is outstanding; closing");
		remsim_client_frontend_vpcd_connection_lost(self);
		return;
	}
	if (len == 4) {
		/* case 1: T=0 sends the header with P3 = 0 */
		guint8 header[5] = { apdu[0], apdu[1], apdu[2], apdu[3], 0 };

		tpdu = g_bytes_new(header, sizeof(header));
	} else if (len >= REMSIM_TPDU_MIN && len <= REMSIM_TPDU_MAX) {
		tpdu = g_bytes_new(apdu, len);
	} else {
		/* the bank only takes short TPDUs: answer here rather than leave pcscd waiting */
		remsim_log_message(&self->log, "%zu-byte APDU cannot be relayed; answering 6700",
				   len);
		remsim_client_frontend_vpcd_send(self, wrong_length, sizeof(wrong_length));
		return;
	}
	self->apdu_in_flight = TRUE;
	remsim_client_frontend_emit_command(REMSIM_CLIENT_FRONTEND(self), tpdu);
}

/* take every whole frame out of the receive buffer */
static void
remsim_client_frontend_vpcd_process_rx(RemsimClientFrontendVpcd *self)
{
	gsize off = 0;

	while (self->conn != NULL && self->rx->len - off >= 2) {
		const guint8 *p = self->rx->data + off;
		gsize len = ((gsize)p[0] << 8) | p[1];

		if (self->rx->len - off < len + 2)
			break;
		off += len + 2;
		if (len == 0)
			remsim_log_message(&self->log, "empty message ignored");
		else if (len == 1)
			remsim_client_frontend_vpcd_handle_control(self, p[2]);
		else
			remsim_client_frontend_vpcd_handle_apdu(self, p + 2, len);
	}
	/* a handler may have dropped the connection, and the buffer with it */
	if (self->conn != NULL && off > 0)
		g_byte_array_remove_range(self->rx, 0, (guint)off);
}

static gboolean
remsim_client_frontend_vpcd_readable_cb(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	g_autoptr(RemsimClientFrontendVpcd) self = g_object_ref(user_data);
	g_autoptr(GError) error = NULL;
	gssize n = g_socket_receive_with_blocking(socket, (gchar *)self->read_buf,
						  sizeof(self->read_buf), FALSE, NULL, &error);

	if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		remsim_log_message(&self->log, "connection closed: %s",
				   error != NULL ? error->message : "end of stream");
		/* the source goes with the connection */
		g_clear_pointer(&self->in_source, g_source_unref);
		remsim_client_frontend_vpcd_connection_lost(self);
		return G_SOURCE_REMOVE;
	}
	/* vpcd's next piece must not wait for a delayed ACK (see the top) */
	g_socket_set_option(socket, IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
	g_byte_array_append(self->rx, self->read_buf, (guint)n);
	remsim_client_frontend_vpcd_process_rx(self);
	return self->in_source != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
remsim_client_frontend_vpcd_connect_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimClientFrontendVpcd) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn = NULL;

	conn = g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
	if (conn == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		remsim_log_debug(&self->log, "cannot reach it: %s", error->message);
		remsim_client_frontend_vpcd_connection_lost(self);
		return;
	}
	self->connecting = FALSE;
	remsim_log_message(&self->log, "card presented");
	if (G_IS_TCP_CONNECTION(conn)) {
		GSocket *sock = g_socket_connection_get_socket(conn);

		/* vpcd waits for each answer: do not let Nagle hold it back */
		g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	}
	self->conn = g_steal_pointer(&conn);
	self->socket = g_socket_connection_get_socket(self->conn);
	self->in_source = g_socket_create_source(self->socket, G_IO_IN, NULL);
	g_source_set_callback(self->in_source,
			      G_SOURCE_FUNC(remsim_client_frontend_vpcd_readable_cb), self, NULL);
	g_source_set_static_name(self->in_source, "[remsim-client] vpcd read");
	g_source_set_can_recurse(self->in_source, TRUE);
	g_source_attach(self->in_source, NULL);
}

static void
remsim_client_frontend_vpcd_connect(RemsimClientFrontendVpcd *self)
{
	g_autoptr(GSocketClient) client = NULL;

	if (!self->want_connection || self->conn != NULL || self->connecting)
		return;
	g_clear_handle_id(&self->retry_id, g_source_remove);
	client = g_socket_client_new();
	g_socket_client_set_timeout(client, 10);
	g_socket_client_set_enable_proxy(client, FALSE); /* vpcd is raw TCP on this host */
	self->cancellable = g_cancellable_new();
	self->connecting = TRUE;
	g_socket_client_connect_to_host_async(client, self->host, self->port, self->cancellable,
					      remsim_client_frontend_vpcd_connect_ready,
					      g_object_ref(self));
}

static void
remsim_client_frontend_vpcd_set_wanted(RemsimClientFrontendVpcd *self, gboolean wanted)
{
	self->want_connection = wanted;
	if (wanted) {
		remsim_client_frontend_vpcd_connect(self);
	} else {
		g_clear_handle_id(&self->retry_id, g_source_remove);
		remsim_client_frontend_vpcd_disconnect(self);
	}
}

static gboolean
remsim_client_frontend_vpcd_atr_wait_cb(gpointer user_data)
{
	RemsimClientFrontendVpcd *self = user_data;

	self->atr_wait_id = 0;
	remsim_client_frontend_vpcd_set_wanted(self, TRUE);
	return G_SOURCE_REMOVE;
}

static void
remsim_client_frontend_vpcd_set_card_present(RemsimClientFrontend *frontend, gboolean present)
{
	RemsimClientFrontendVpcd *self = REMSIM_CLIENT_FRONTEND_VPCD(frontend);

	g_clear_handle_id(&self->atr_wait_id, g_source_remove);
	if (present) {
		/* the bank's setAtrReq follows at once: pcscd should read that ATR, not ours */
		self->atr_wait_id =
		    g_timeout_add(VPCD_ATR_WAIT_MS, remsim_client_frontend_vpcd_atr_wait_cb, self);
	} else {
		remsim_client_frontend_vpcd_set_wanted(self, FALSE);
	}
}

static void
remsim_client_frontend_vpcd_set_atr(RemsimClientFrontend *frontend, GBytes *atr)
{
	RemsimClientFrontendVpcd *self = REMSIM_CLIENT_FRONTEND_VPCD(frontend);

	if (self->atr_wait_id != 0) {
		g_clear_handle_id(&self->atr_wait_id, g_source_remove);
		remsim_client_frontend_vpcd_set_wanted(self, TRUE);
	}
}

static void
remsim_client_frontend_vpcd_receive_response(RemsimClientFrontend *frontend, GBytes *data)
{
	RemsimClientFrontendVpcd *self = REMSIM_CLIENT_FRONTEND_VPCD(frontend);

	if (!self->apdu_in_flight) {
		remsim_log_debug(&self->log, "response without a command dropped");
		return;
	}
	self->apdu_in_flight = FALSE;
	remsim_client_frontend_vpcd_send(self, g_bytes_get_data(data, NULL),
					 g_bytes_get_size(data));
}

static void
remsim_client_frontend_vpcd_stop(RemsimClientFrontend *frontend)
{
	RemsimClientFrontendVpcd *self = REMSIM_CLIENT_FRONTEND_VPCD(frontend);

	g_clear_handle_id(&self->atr_wait_id, g_source_remove);
	remsim_client_frontend_vpcd_set_wanted(self, FALSE);
}

static void
remsim_client_frontend_vpcd_dispose(GObject *object)
{
	remsim_client_frontend_vpcd_stop(REMSIM_CLIENT_FRONTEND(object));
	G_OBJECT_CLASS(remsim_client_frontend_vpcd_parent_class)->dispose(object);
}

static void
remsim_client_frontend_vpcd_finalize(GObject *object)
{
	RemsimClientFrontendVpcd *self = REMSIM_CLIENT_FRONTEND_VPCD(object);

	g_free(self->host);
	g_byte_array_unref(self->rx);
	g_byte_array_unref(self->tx);
	G_OBJECT_CLASS(remsim_client_frontend_vpcd_parent_class)->finalize(object);
}

static void
remsim_client_frontend_vpcd_class_init(RemsimClientFrontendVpcdClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	RemsimClientFrontendClass *frontend_class = REMSIM_CLIENT_FRONTEND_CLASS(klass);

	object_class->dispose = remsim_client_frontend_vpcd_dispose;
	object_class->finalize = remsim_client_frontend_vpcd_finalize;
	frontend_class->stop = remsim_client_frontend_vpcd_stop;
	frontend_class->set_atr = remsim_client_frontend_vpcd_set_atr;
	frontend_class->receive_response = remsim_client_frontend_vpcd_receive_response;
	frontend_class->set_card_present = remsim_client_frontend_vpcd_set_card_present;
}

static void
remsim_client_frontend_vpcd_init(RemsimClientFrontendVpcd *self)
{
	self->rx = g_byte_array_new();
	self->tx = g_byte_array_new();
}

RemsimClientFrontend *
remsim_client_frontend_vpcd_new(RemsimConfig *config, const gchar *group, GError **error)
{
	g_autoptr(RemsimClientFrontendVpcd) self =
	    g_object_new(REMSIM_TYPE_CLIENT_FRONTEND_VPCD, NULL);
	guint port = REMSIM_VPCD_DEFAULT_PORT;

	if (config != NULL) {
		self->host = g_strdup(remsim_config_get_string(config, group, "vpcd-host"));
		port = (guint)remsim_config_get_int(config, group, "vpcd-port");
	} else {
		self->host = g_strdup("127.0.0.1");
	}
	self->port = (guint16)port;
	{
		g_autofree gchar *name = g_strdup_printf("vpcd %s:%u", self->host, self->port);

		remsim_log_tag_set_name(&self->log, name);
	}
	return REMSIM_CLIENT_FRONTEND(g_steal_pointer(&self));
}
