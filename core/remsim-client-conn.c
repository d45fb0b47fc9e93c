/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-client-conn.h"

typedef enum {
	REMSIM_CLIENT_CONN_WAIT_ID,
	REMSIM_CLIENT_CONN_IDENTIFIED,
	REMSIM_CLIENT_CONN_LINGER,
	REMSIM_CLIENT_CONN_CLOSED,
} RemsimClientConnPhase;

struct _RemsimClientConn {
	GObject parent_instance;
	RsproConnection *conn;
	RsproComponentIdentity identity;
	RsproClientSlot client_slot;
	RemsimClientConnPhase phase;
	guint timer_id;
	gulong message_id;
	gulong closed_id;
};

G_DEFINE_TYPE(RemsimClientConn, remsim_client_conn, G_TYPE_OBJECT)

enum { SIGNAL_IDENTIFIED, SIGNAL_PDU, SIGNAL_CLOSED, N_SIGNALS };
static guint remsim_client_conn_signals[N_SIGNALS];

static void
remsim_client_conn_clear_timer(RemsimClientConn *self)
{
	if (self->timer_id != 0) {
		g_source_remove(self->timer_id);
		self->timer_id = 0;
	}
}

static void
remsim_client_conn_disconnect_handlers(RemsimClientConn *self)
{
	if (self->conn == NULL)
		return;
	g_clear_signal_handler(&self->message_id, self->conn);
	g_clear_signal_handler(&self->closed_id, self->conn);
}

static void
remsim_client_conn_dispose(GObject *object)
{
	RemsimClientConn *self = REMSIM_CLIENT_CONN(object);

	remsim_client_conn_clear_timer(self);
	remsim_client_conn_disconnect_handlers(self);
	if (self->conn != NULL)
		rspro_connection_close(self->conn);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(remsim_client_conn_parent_class)->dispose(object);
}

static void
remsim_client_conn_finalize(GObject *object)
{
	RemsimClientConn *self = REMSIM_CLIENT_CONN(object);

	rspro_component_identity_clear(&self->identity);
	G_OBJECT_CLASS(remsim_client_conn_parent_class)->finalize(object);
}

static void
remsim_client_conn_class_init(RemsimClientConnClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_client_conn_dispose;
	object_class->finalize = remsim_client_conn_finalize;
	remsim_client_conn_signals[SIGNAL_IDENTIFIED] =
	    g_signal_new("identified", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
	remsim_client_conn_signals[SIGNAL_PDU] =
	    g_signal_new("pdu", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 1, RSPRO_TYPE_PDU | G_SIGNAL_TYPE_STATIC_SCOPE);
	remsim_client_conn_signals[SIGNAL_CLOSED] =
	    g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 0);
}

static void
remsim_client_conn_init(RemsimClientConn *self)
{
}

static void
remsim_client_conn_mark_closed(RemsimClientConn *self)
{
	g_autoptr(RemsimClientConn) keep = g_object_ref(self);

	if (self->phase == REMSIM_CLIENT_CONN_CLOSED)
		return;
	self->phase = REMSIM_CLIENT_CONN_CLOSED;
	remsim_client_conn_clear_timer(self);
	g_signal_emit(self, remsim_client_conn_signals[SIGNAL_CLOSED], 0);
}

static void
remsim_client_conn_on_closed(RsproConnection *conn, GError *reason, gpointer user_data)
{
	RemsimClientConn *self = user_data;

	g_debug("client %s: connection closed: %s", rspro_connection_get_peer_name(conn),
		reason != NULL ? reason->message : "-");
	remsim_client_conn_mark_closed(self);
}

static void
remsim_client_conn_refuse_id(RemsimClientConn *self, const gchar *why)
{
	g_message(_("Client %s: %s"), remsim_client_conn_get_peer_name(self), why);
	remsim_client_conn_refuse(self, RSPRO_RESULT_ILLEGAL_CLIENT_ID, NULL);
}

static void
remsim_client_conn_handle_connect(RemsimClientConn *self, const RsproPdu *pdu)
{
	const RsproConnectClientReq *req = &pdu->u.connect_client_req;

	if (self->phase != REMSIM_CLIENT_CONN_WAIT_ID) {
		remsim_client_conn_refuse_id(self, _("connectClientReq on an identified "
						     "connection"));
		return;
	}
	if (!req->has_client_slot) {
		remsim_client_conn_refuse_id(self, _("connectClientReq without a client slot"));
		return;
	}
	remsim_client_conn_clear_timer(self);
	self->client_slot = req->client_slot;
	self->phase = REMSIM_CLIENT_CONN_IDENTIFIED;
	g_signal_emit(self, remsim_client_conn_signals[SIGNAL_IDENTIFIED], 0);
}

static void
remsim_client_conn_on_message(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	g_autoptr(RemsimClientConn) self = g_object_ref(user_data);

	if (self->phase == REMSIM_CLIENT_CONN_LINGER || self->phase == REMSIM_CLIENT_CONN_CLOSED)
		return;
	if (pdu->type == RSPRO_MSG_CONNECT_CLIENT_REQ) {
		remsim_client_conn_handle_connect(self, pdu);
		return;
	}
	if (self->phase == REMSIM_CLIENT_CONN_WAIT_ID) {
		/* upstream's worker closes on anything but a hello here */
		g_message(_("Client %s: %s before connectClientReq, closing"),
			  remsim_client_conn_get_peer_name(self),
			  rspro_msg_type_to_string(pdu->type));
		remsim_client_conn_close(self);
		return;
	}
	g_signal_emit(self, remsim_client_conn_signals[SIGNAL_PDU], 0, pdu);
}

static gboolean
remsim_client_conn_on_id_timeout(gpointer user_data)
{
	RemsimClientConn *self = user_data;

	self->timer_id = 0;
	g_message(_("Client %s: no connectClientReq in time, closing"),
		  remsim_client_conn_get_peer_name(self));
	remsim_client_conn_close(self);
	return G_SOURCE_REMOVE;
}

RemsimClientConn *
remsim_client_conn_new(RsproConnection *conn, const RsproComponentIdentity *identity)
{
	RemsimClientConn *self = g_object_new(REMSIM_TYPE_CLIENT_CONN, NULL);

	self->conn = g_object_ref(conn);
	rspro_component_identity_copy(&self->identity, identity);
	self->message_id =
	    g_signal_connect(conn, "message", G_CALLBACK(remsim_client_conn_on_message), self);
	self->closed_id =
	    g_signal_connect(conn, "closed", G_CALLBACK(remsim_client_conn_on_closed), self);
	self->timer_id =
	    g_timeout_add(REMSIM_CLIENT_CONN_ID_TIMEOUT_MS, remsim_client_conn_on_id_timeout, self);
	return self;
}

RsproConnection *
remsim_client_conn_get_connection(RemsimClientConn *self)
{
	return self->conn;
}

const gchar *
remsim_client_conn_get_peer_name(RemsimClientConn *self)
{
	const gchar *name = rspro_connection_get_peer_name(self->conn);

	return name != NULL ? name : "?";
}

const RsproClientSlot *
remsim_client_conn_get_client_slot(RemsimClientConn *self)
{
	return &self->client_slot;
}

void
remsim_client_conn_send(RemsimClientConn *self, const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;

	if (self->phase == REMSIM_CLIENT_CONN_CLOSED)
		return;
	if (!rspro_connection_send(self->conn, pdu, &error)) {
		g_message(_("Client %s: cannot send %s: %s"),
			  remsim_client_conn_get_peer_name(self),
			  rspro_msg_type_to_string(pdu->type), error->message);
		remsim_client_conn_close(self);
	}
}

void
remsim_client_conn_accept(RemsimClientConn *self)
{
	g_autoptr(RsproPdu) res = rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES,
							    &self->identity, RSPRO_RESULT_OK);

	remsim_client_conn_send(self, res);
}

static gboolean
remsim_client_conn_on_linger_done(gpointer user_data)
{
	RemsimClientConn *self = user_data;

	self->timer_id = 0;
	remsim_client_conn_close(self);
	return G_SOURCE_REMOVE;
}

void
remsim_client_conn_refuse(RemsimClientConn *self, gint result, const RsproPdu *error_ind)
{
	g_autoptr(RsproPdu) res =
	    rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES, &self->identity, result);

	if (self->phase == REMSIM_CLIENT_CONN_CLOSED || self->phase == REMSIM_CLIENT_CONN_LINGER)
		return;
	remsim_client_conn_send(self, res);
	if (error_ind != NULL)
		remsim_client_conn_send(self, error_ind);
	remsim_client_conn_shutdown(self);
}

void
remsim_client_conn_shutdown(RemsimClientConn *self)
{
	if (self->phase == REMSIM_CLIENT_CONN_CLOSED || self->phase == REMSIM_CLIENT_CONN_LINGER)
		return;
	/* closing at once would drop what is still queued: give the peer time to read it */
	self->phase = REMSIM_CLIENT_CONN_LINGER;
	remsim_client_conn_clear_timer(self);
	self->timer_id =
	    g_timeout_add(REMSIM_CLIENT_CONN_LINGER_MS, remsim_client_conn_on_linger_done, self);
}

void
remsim_client_conn_close(RemsimClientConn *self)
{
	g_autoptr(RemsimClientConn) keep = g_object_ref(self);

	rspro_connection_close(self->conn);
	/* in case the connection had closed already without telling us */
	remsim_client_conn_mark_closed(self);
}

gboolean
remsim_client_conn_is_closed(RemsimClientConn *self)
{
	return self->phase == REMSIM_CLIENT_CONN_CLOSED;
}
