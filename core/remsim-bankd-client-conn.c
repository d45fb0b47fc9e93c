/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-client-conn.h"
#include "remsim-tls.h"
#include "remsim-log.h"

typedef enum {
	REMSIM_BANKD_CLIENT_CONN_WAIT_ID,
	REMSIM_BANKD_CLIENT_CONN_IDENTIFIED,
	REMSIM_BANKD_CLIENT_CONN_LINGER,
	REMSIM_BANKD_CLIENT_CONN_CLOSED,
} RemsimBankdClientConnPhase;

struct _RemsimBankdClientConn {
	GObject parent_instance;
	RsproConnection *conn;
	RsproComponentIdentity identity;
	RsproClientSlot client_slot;
	RemsimLogTag log; /* [peer ADDRESS], then [client C:N] */
	RemsimBankdClientConnPhase phase;
	gboolean answered; /* connectClientRes went out */
	guint timer_id;
	gulong message_id;
	gulong closed_id;
	gboolean require_certificate; /* mutual TLS: claims bound to the certificate */
};

G_DEFINE_TYPE(RemsimBankdClientConn, remsim_bankd_client_conn, G_TYPE_OBJECT)

enum { SIGNAL_IDENTIFIED, SIGNAL_PDU, SIGNAL_CLOSED, N_SIGNALS };
static guint remsim_bankd_client_conn_signals[N_SIGNALS];

static void
remsim_bankd_client_conn_clear_timer(RemsimBankdClientConn *self)
{
	if (self->timer_id != 0) {
		g_source_remove(self->timer_id);
		self->timer_id = 0;
	}
}

static void
remsim_bankd_client_conn_disconnect_handlers(RemsimBankdClientConn *self)
{
	if (self->conn == NULL)
		return;
	g_clear_signal_handler(&self->message_id, self->conn);
	g_clear_signal_handler(&self->closed_id, self->conn);
}

static void
remsim_bankd_client_conn_dispose(GObject *object)
{
	RemsimBankdClientConn *self = REMSIM_BANKD_CLIENT_CONN(object);

	remsim_bankd_client_conn_clear_timer(self);
	remsim_bankd_client_conn_disconnect_handlers(self);
	if (self->conn != NULL)
		rspro_connection_close(self->conn);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(remsim_bankd_client_conn_parent_class)->dispose(object);
}

static void
remsim_bankd_client_conn_finalize(GObject *object)
{
	RemsimBankdClientConn *self = REMSIM_BANKD_CLIENT_CONN(object);

	rspro_component_identity_clear(&self->identity);
	G_OBJECT_CLASS(remsim_bankd_client_conn_parent_class)->finalize(object);
}

static void
remsim_bankd_client_conn_class_init(RemsimBankdClientConnClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_bankd_client_conn_dispose;
	object_class->finalize = remsim_bankd_client_conn_finalize;
	remsim_bankd_client_conn_signals[SIGNAL_IDENTIFIED] =
	    g_signal_new("identified", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
	remsim_bankd_client_conn_signals[SIGNAL_PDU] =
	    g_signal_new("pdu", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 1, RSPRO_TYPE_PDU | G_SIGNAL_TYPE_STATIC_SCOPE);
	remsim_bankd_client_conn_signals[SIGNAL_CLOSED] =
	    g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 0);
}

static void
remsim_bankd_client_conn_init(RemsimBankdClientConn *self)
{
}

static void
remsim_bankd_client_conn_mark_closed(RemsimBankdClientConn *self)
{
	g_autoptr(RemsimBankdClientConn) keep = g_object_ref(self);

	if (self->phase == REMSIM_BANKD_CLIENT_CONN_CLOSED)
		return;
	self->phase = REMSIM_BANKD_CLIENT_CONN_CLOSED;
	remsim_bankd_client_conn_clear_timer(self);
	g_signal_emit(self, remsim_bankd_client_conn_signals[SIGNAL_CLOSED], 0);
}

static void
remsim_bankd_client_conn_closed_cb(RsproConnection *conn, GError *reason, gpointer user_data)
{
	RemsimBankdClientConn *self = user_data;

	if (rspro_connection_reason_is_clean(reason))
		remsim_log_debug(&self->log, "connection from %s closed",
				 remsim_bankd_client_conn_get_peer_name(self));
	else
		remsim_log_message(&self->log, "connection from %s lost: %s",
				   remsim_bankd_client_conn_get_peer_name(self), reason->message);
	remsim_bankd_client_conn_mark_closed(self);
}

static void
remsim_bankd_client_conn_refuse_id(RemsimBankdClientConn *self, const gchar *why)
{
	remsim_log_message(&self->log, "%s", why);
	remsim_bankd_client_conn_refuse(self, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
}

static void
remsim_bankd_client_conn_handle_connect(RemsimBankdClientConn *self, const RsproPdu *pdu)
{
	const RsproConnectClientReq *req = &pdu->u.connect_client_req;

	if (self->phase != REMSIM_BANKD_CLIENT_CONN_WAIT_ID) {
		remsim_bankd_client_conn_refuse_id(self, "connectClientReq on an identified "
							 "connection");
		return;
	}
	if (!req->has_client_slot) {
		remsim_bankd_client_conn_refuse_id(self, "connectClientReq without a client slot");
		return;
	}
	g_autofree gchar *subject = NULL;
	if (!remsim_tls_peer_may_claim_client(self->conn, self->require_certificate,
					      req->client_slot.client_id, req->client_slot.slot_nr,
					      &subject)) {
		g_autofree gchar *why =
		    g_strdup_printf("certificate %s does not name client %u:%u", subject,
				    req->client_slot.client_id, req->client_slot.slot_nr);

		remsim_bankd_client_conn_refuse_id(self, why);
		return;
	}
	remsim_bankd_client_conn_clear_timer(self);
	self->client_slot = req->client_slot;
	remsim_log_tag_set_client(&self->log, self->client_slot.client_id,
				  self->client_slot.slot_nr);
	remsim_log_debug(&self->log, "identified on %s",
			 remsim_bankd_client_conn_get_peer_name(self));
	self->phase = REMSIM_BANKD_CLIENT_CONN_IDENTIFIED;
	g_signal_emit(self, remsim_bankd_client_conn_signals[SIGNAL_IDENTIFIED], 0);
}

static void
remsim_bankd_client_conn_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	g_autoptr(RemsimBankdClientConn) self = g_object_ref(user_data);

	if (self->phase == REMSIM_BANKD_CLIENT_CONN_LINGER ||
	    self->phase == REMSIM_BANKD_CLIENT_CONN_CLOSED)
		return;
	if (pdu->type == RSPRO_MSG_CONNECT_CLIENT_REQ) {
		remsim_bankd_client_conn_handle_connect(self, pdu);
		return;
	}
	if (self->phase == REMSIM_BANKD_CLIENT_CONN_WAIT_ID) {
		/* upstream's worker closes on anything but a hello here */
		remsim_log_message(&self->log, "%s before connectClientReq, closing",
				   rspro_msg_type_to_string(pdu->type));
		remsim_bankd_client_conn_close(self);
		return;
	}
	g_signal_emit(self, remsim_bankd_client_conn_signals[SIGNAL_PDU], 0, pdu);
}

static gboolean
remsim_bankd_client_conn_id_timeout_cb(gpointer user_data)
{
	RemsimBankdClientConn *self = user_data;

	self->timer_id = 0;
	remsim_log_message(&self->log, "no connectClientReq in time, closing");
	remsim_bankd_client_conn_close(self);
	return G_SOURCE_REMOVE;
}

void
remsim_bankd_client_conn_set_require_certificate(RemsimBankdClientConn *self, gboolean require)
{
	self->require_certificate = require;
}

RemsimBankdClientConn *
remsim_bankd_client_conn_new(RsproConnection *conn, const RsproComponentIdentity *identity)
{
	RemsimBankdClientConn *self = g_object_new(REMSIM_TYPE_BANKD_CLIENT_CONN, NULL);

	self->conn = g_object_ref(conn);
	{
		g_autofree gchar *name =
		    g_strdup_printf("peer %s", remsim_bankd_client_conn_get_peer_name(self));

		remsim_log_tag_set_name(&self->log, name);
	}
	rspro_component_identity_copy(&self->identity, identity);
	self->message_id = g_signal_connect(conn, "message",
					    G_CALLBACK(remsim_bankd_client_conn_message_cb), self);
	self->closed_id =
	    g_signal_connect(conn, "closed", G_CALLBACK(remsim_bankd_client_conn_closed_cb), self);
	self->timer_id = g_timeout_add(REMSIM_BANKD_CLIENT_CONN_ID_TIMEOUT_MS,
				       remsim_bankd_client_conn_id_timeout_cb, self);
	return self;
}

RsproConnection *
remsim_bankd_client_conn_get_connection(RemsimBankdClientConn *self)
{
	return self->conn;
}

const gchar *
remsim_bankd_client_conn_get_peer_name(RemsimBankdClientConn *self)
{
	const gchar *name = rspro_connection_get_peer_name(self->conn);

	return name != NULL ? name : "?";
}

const RemsimLogTag *
remsim_bankd_client_conn_get_log_tag(RemsimBankdClientConn *self)
{
	return &self->log;
}

const RsproClientSlot *
remsim_bankd_client_conn_get_client_slot(RemsimBankdClientConn *self)
{
	return &self->client_slot;
}

void
remsim_bankd_client_conn_send(RemsimBankdClientConn *self, const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;

	if (self->phase == REMSIM_BANKD_CLIENT_CONN_CLOSED)
		return;
	if (!rspro_connection_send(self->conn, pdu, &error)) {
		remsim_log_message(&self->log, "cannot send %s: %s",
				   rspro_msg_type_to_string(pdu->type), error->message);
		remsim_bankd_client_conn_close(self);
	}
}

/* connectClientRes(@result), once per connection */
static void
remsim_bankd_client_conn_answer(RemsimBankdClientConn *self, gint result)
{
	g_autoptr(RsproPdu) res = NULL;

	if (self->answered)
		return;
	res = rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES, &self->identity, result);
	self->answered = TRUE;
	remsim_bankd_client_conn_send(self, res);
}

void
remsim_bankd_client_conn_accept(RemsimBankdClientConn *self)
{
	remsim_bankd_client_conn_answer(self, RSPRO_RESULT_OK);
}

void
remsim_bankd_client_conn_answer_no_card(RemsimBankdClientConn *self)
{
	remsim_bankd_client_conn_answer(self, RSPRO_RESULT_CARD_NOT_PRESENT);
}

gboolean
remsim_bankd_client_conn_is_answered(RemsimBankdClientConn *self)
{
	return self->answered;
}

static gboolean
remsim_bankd_client_conn_linger_done_cb(gpointer user_data)
{
	RemsimBankdClientConn *self = user_data;

	self->timer_id = 0;
	remsim_bankd_client_conn_close(self);
	return G_SOURCE_REMOVE;
}

void
remsim_bankd_client_conn_refuse(RemsimBankdClientConn *self, gint result)
{
	g_autoptr(RsproPdu) res =
	    rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES, &self->identity, result);

	if (self->phase == REMSIM_BANKD_CLIENT_CONN_CLOSED ||
	    self->phase == REMSIM_BANKD_CLIENT_CONN_LINGER)
		return;
	remsim_bankd_client_conn_send(self, res);
	remsim_bankd_client_conn_shutdown(self);
}

void
remsim_bankd_client_conn_shutdown(RemsimBankdClientConn *self)
{
	if (self->phase == REMSIM_BANKD_CLIENT_CONN_CLOSED ||
	    self->phase == REMSIM_BANKD_CLIENT_CONN_LINGER)
		return;
	/* closing at once would drop what is still queued: give the peer time to read it */
	self->phase = REMSIM_BANKD_CLIENT_CONN_LINGER;
	remsim_bankd_client_conn_clear_timer(self);
	self->timer_id = g_timeout_add(REMSIM_BANKD_CLIENT_CONN_LINGER_MS,
				       remsim_bankd_client_conn_linger_done_cb, self);
}

void
remsim_bankd_client_conn_close(RemsimBankdClientConn *self)
{
	g_autoptr(RemsimBankdClientConn) keep = g_object_ref(self);

	rspro_connection_close(self->conn);
	/* in case the connection had closed already without telling us */
	remsim_bankd_client_conn_mark_closed(self);
}

gboolean
remsim_bankd_client_conn_is_closed(RemsimBankdClientConn *self)
{
	return self->phase == REMSIM_BANKD_CLIENT_CONN_CLOSED;
}
