/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state machine of upstream's RSPRO_CLIENT FSM (HEAD): WAITING is
 * REESTABLISH_DELAY, CONNECTING is REESTABLISH, ESTABLISHED and CONNECTED keep
 * their names. Unlike upstream, a failed TCP connect goes to the back-off at
 * once instead of idling until T2 expires, so a peer that comes back is
 * reached within one back-off step (about 1 s), not up to 10 s later.
 */
#include "config.h"

#include "rspro-link.h"

#include "rspro-backoff.h"

#define DEFAULT_TIMEOUT_MS 10000

struct _RsproLink {
	GObject parent_instance;

	RsproPdu *hello;
	RsproMsgType response_type;
	RsproComponentType peer_type;
	gchar *host;
	guint16 port;
	guint ka_interval_ms;
	guint ka_timeout_ms;
	guint connect_ms;
	guint hello_ms;
	gboolean use_tls;
	GTlsCertificate *certificate; /* ours, for a peer that asks; or NULL */
	GTlsDatabase *ca;	      /* NULL: the system's */

	RsproLinkState state;
	RsproBackoff backoff;
	GSource *timer;	       /* back-off delay (WAITING) or T2 (CONNECTING) */
	GCancellable *attempt; /* the TCP connect and the hello request */
	RsproConnection *conn;
	RsproPdu *hello_response;
	GQueue early; /* PDUs that arrived while ESTABLISHED, before ::connected */
};

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { SIGNAL_CONNECTED, SIGNAL_DISCONNECTED, SIGNAL_MESSAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(RsproLink, rspro_link, G_TYPE_OBJECT)

static void rspro_link_start_attempt(RsproLink *self);

static void
rspro_link_set_state(RsproLink *self, RsproLinkState state)
{
	if (self->state == state)
		return;
	self->state = state;
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
}

static void
rspro_link_stop_timer(RsproLink *self)
{
	if (self->timer) {
		g_source_destroy(self->timer);
		g_clear_pointer(&self->timer, g_source_unref);
	}
}

static void
rspro_link_start_timer(RsproLink *self, guint ms, GSourceFunc func)
{
	rspro_link_stop_timer(self);
	self->timer = g_timeout_source_new(ms);
	g_source_set_callback(self->timer, func, self, NULL);
	g_source_attach(self->timer, g_main_context_get_thread_default());
}

static void
rspro_link_drop_attempt(RsproLink *self)
{
	rspro_link_stop_timer(self);
	if (self->attempt) {
		g_cancellable_cancel(self->attempt);
		g_clear_object(&self->attempt);
	}
}

static void
rspro_link_drop_connection(RsproLink *self)
{
	g_autoptr(RsproConnection) conn = g_steal_pointer(&self->conn);

	g_clear_pointer(&self->hello_response, rspro_pdu_free);
	g_queue_clear_full(&self->early, (GDestroyNotify)rspro_pdu_free);
	if (!conn)
		return;
	g_signal_handlers_disconnect_by_data(conn, self);
	rspro_connection_close(conn);
}

static guint
rspro_link_next_delay_ms(RsproLink *self)
{
	return rspro_backoff_next_delay_ms(&self->backoff, g_get_monotonic_time(),
					   g_random_double_range(-1.0, 1.0));
}

static gboolean
rspro_link_backoff_timer_cb(gpointer user_data)
{
	RsproLink *self = user_data;

	g_clear_pointer(&self->timer, g_source_unref);
	rspro_link_start_attempt(self);
	return G_SOURCE_REMOVE;
}

/* drop whatever is under way and retry after the back-off */
static void
rspro_link_enter_waiting(RsproLink *self, const GError *reason)
{
	gboolean was_connected = self->state == RSPRO_LINK_STATE_CONNECTED;
	guint delay_ms = rspro_link_next_delay_ms(self);

	g_object_ref(self);
	rspro_link_drop_attempt(self);
	rspro_link_drop_connection(self);
	g_debug("RSPRO link to %s:%u: next attempt in %u ms", self->host, self->port, delay_ms);
	rspro_link_start_timer(self, delay_ms, rspro_link_backoff_timer_cb);
	rspro_link_set_state(self, RSPRO_LINK_STATE_WAITING);
	if (was_connected)
		g_signal_emit(self, signals[SIGNAL_DISCONNECTED], 0, reason);
	g_object_unref(self);
}

static void
rspro_link_enter_waiting_with(RsproLink *self, gint code, const gchar *message)
{
	g_autoptr(GError) error = g_error_new_literal(RSPRO_CONNECTION_ERROR, code, message);

	rspro_link_enter_waiting(self, error);
}

/* --- the hello --- */

static gboolean
rspro_link_hello_response_ok(RsproLink *self, const RsproPdu *pdu)
{
	const RsproConnectRes *res = pdu->type == RSPRO_MSG_CONNECT_BANK_RES
					 ? &pdu->u.connect_bank_res
					 : &pdu->u.connect_client_res;

	if (res->result != RSPRO_RESULT_OK) {
		const gchar *name = rspro_enum_result_code_to_string(res->result);

		g_message("RSPRO link to %s:%u: peer refused the connection: %s (%d)", self->host,
			  self->port, name ? name : "?", res->result);
		return FALSE;
	}
	if (res->identity.type != self->peer_type) {
		const gchar *name = rspro_enum_component_type_to_string(res->identity.type);

		g_message("RSPRO link to %s:%u: peer is a %s, not a %s", self->host, self->port,
			  name ? name : "?", rspro_enum_component_type_to_string(self->peer_type));
		return FALSE;
	}
	return TRUE;
}

static void
rspro_link_enter_connected(RsproLink *self, RsproPdu *response)
{
	g_autoptr(RsproConnection) conn = g_object_ref(self->conn);

	self->hello_response = response;
	rspro_link_set_state(self, RSPRO_LINK_STATE_CONNECTED);
	g_signal_emit(self, signals[SIGNAL_CONNECTED], 0, conn);

	RsproPdu *pdu;
	while (self->conn == conn && (pdu = g_queue_pop_head(&self->early))) {
		g_signal_emit(self, signals[SIGNAL_MESSAGE], 0, pdu);
		rspro_pdu_free(pdu);
	}
}

static void
rspro_link_hello_response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GWeakRef *ref = user_data;
	g_autoptr(RsproLink) self = g_weak_ref_get(ref);
	g_autoptr(GError) error = NULL;
	RsproPdu *pdu = rspro_connection_request_finish(RSPRO_CONNECTION(source), result, &error);

	g_weak_ref_clear(ref);
	g_free(ref);
	if (!self || (GObject *)self->conn != source ||
	    self->state != RSPRO_LINK_STATE_ESTABLISHED) {
		g_clear_pointer(&pdu, rspro_pdu_free);
		return;
	}
	if (!pdu) {
		g_message("RSPRO link to %s:%u: no hello response: %s", self->host, self->port,
			  error->message);
		rspro_link_enter_waiting(self, error);
		return;
	}
	if (!rspro_link_hello_response_ok(self, pdu)) {
		rspro_pdu_free(pdu);
		rspro_link_enter_waiting_with(self, RSPRO_CONNECTION_ERROR_CLOSED,
					      "the peer refused the hello");
		return;
	}
	/* ::connected: its handler says it */
	g_debug("RSPRO link to %s:%u connected", self->host, self->port);
	rspro_link_enter_connected(self, pdu);
}

/* --- the connection --- */

static void
rspro_link_conn_closed_cb(RsproConnection *conn, GError *reason, gpointer user_data)
{
	RsproLink *self = user_data;

	if (conn != self->conn)
		return;
	/* a link that was up hands the reason to ::disconnected, whose handler says it */
	if (self->state != RSPRO_LINK_STATE_CONNECTED)
		g_message("RSPRO link to %s:%u lost before its hello was answered: %s", self->host,
			  self->port, reason->message);
	rspro_link_enter_waiting(self, reason);
}

static void
rspro_link_conn_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	RsproLink *self = user_data;

	if (self->state == RSPRO_LINK_STATE_CONNECTED)
		g_signal_emit(self, signals[SIGNAL_MESSAGE], 0, pdu);
	else
		g_queue_push_tail(&self->early, rspro_pdu_copy(pdu));
}

static void
rspro_link_enter_established(RsproLink *self, GIOStream *stream)
{
	GWeakRef *ref = g_new0(GWeakRef, 1);

	rspro_link_stop_timer(self);
	self->conn = rspro_connection_new(stream);
	rspro_connection_set_keepalive(self->conn, self->ka_interval_ms, self->ka_timeout_ms);
	g_signal_connect(self->conn, "closed", G_CALLBACK(rspro_link_conn_closed_cb), self);
	g_signal_connect(self->conn, "message", G_CALLBACK(rspro_link_conn_message_cb), self);
	rspro_link_set_state(self, RSPRO_LINK_STATE_ESTABLISHED);
	/* keep-alive first: upstream sends its PING just before the hello */
	rspro_connection_start(self->conn);
	g_weak_ref_init(ref, self);
	rspro_connection_request_async(self->conn, self->hello, self->response_type, self->hello_ms,
				       self->attempt, rspro_link_hello_response_ready, ref);
}

typedef struct {
	GWeakRef link;
	GCancellable *attempt;
} RsproLinkConnectOp;

/* takes @op; returns the link if @op is still the attempt under way */
static RsproLink *
rspro_link_connect_op_end(RsproLinkConnectOp *op)
{
	RsproLink *self = g_weak_ref_get(&op->link);
	gboolean current =
	    self && self->attempt == op->attempt && self->state == RSPRO_LINK_STATE_CONNECTING;

	g_weak_ref_clear(&op->link);
	g_object_unref(op->attempt);
	g_free(op);
	if (!current)
		g_clear_object(&self);
	return self;
}

static void
rspro_link_tls_handshake_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	gboolean ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error);
	g_autoptr(RsproLink) self = rspro_link_connect_op_end(user_data);

	if (self == NULL)
		return;
	if (!ok) {
		g_message("RSPRO link to %s:%u: TLS handshake failed: %s", self->host, self->port,
			  error->message);
		rspro_link_enter_waiting(self, error);
		return;
	}
	rspro_link_enter_established(self, G_IO_STREAM(source));
}

/*
 * TLS over the new TCP connection, still within T2: the peer's certificate
 * must be one @ca trusts, for the host dialled (name or IP address)
 */
static void
rspro_link_start_tls(RsproLink *self, GSocketConnection *socket_conn)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnectable) identity = g_network_address_new(self->host, self->port);
	g_autoptr(GIOStream) tls =
	    g_tls_client_connection_new(G_IO_STREAM(socket_conn), identity, &error);
	RsproLinkConnectOp *op;

	if (tls == NULL) {
		g_message("RSPRO link to %s:%u: cannot start TLS: %s", self->host, self->port,
			  error->message);
		rspro_link_enter_waiting(self, error);
		return;
	}
	if (self->ca != NULL)
		g_tls_connection_set_database(G_TLS_CONNECTION(tls), self->ca);
	/* IPA frames say where a message ends: an end without TLS's goodbye is a close */
	g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(tls), FALSE);
	if (self->certificate != NULL)
		g_tls_connection_set_certificate(G_TLS_CONNECTION(tls), self->certificate);
	op = g_new0(RsproLinkConnectOp, 1);
	g_weak_ref_init(&op->link, self);
	op->attempt = g_object_ref(self->attempt);
	g_tls_connection_handshake_async(G_TLS_CONNECTION(tls), G_PRIORITY_DEFAULT, self->attempt,
					 rspro_link_tls_handshake_ready, op);
}

static void
rspro_link_tcp_connected_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) socket_conn =
	    g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
	g_autoptr(RsproLink) self = rspro_link_connect_op_end(user_data);

	if (self == NULL)
		return;
	if (!socket_conn) {
		g_message("RSPRO link to %s:%u: connect failed: %s", self->host, self->port,
			  error->message);
		rspro_link_enter_waiting(self, error);
		return;
	}
	if (self->use_tls)
		rspro_link_start_tls(self, socket_conn);
	else
		rspro_link_enter_established(self, G_IO_STREAM(socket_conn));
}

static gboolean
rspro_link_connect_timeout_cb(gpointer user_data)
{
	RsproLink *self = user_data;

	g_clear_pointer(&self->timer, g_source_unref);
	g_debug("RSPRO link to %s:%u: no TCP connection (and TLS handshake) within %u ms",
		self->host, self->port, self->connect_ms);
	rspro_link_enter_waiting_with(self, RSPRO_CONNECTION_ERROR_TIMEOUT, "connect timed out");
	return G_SOURCE_REMOVE;
}

static void
rspro_link_start_attempt(RsproLink *self)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	RsproLinkConnectOp *op = g_new0(RsproLinkConnectOp, 1);

	/* RSPRO is raw TCP: an HTTP or SOCKS proxy from the environment never applies,
	 * and asking libproxy for one costs a thread hop (seconds when it is slow) */
	g_socket_client_set_enable_proxy(client, FALSE);
	rspro_link_drop_attempt(self);
	rspro_backoff_attempt(&self->backoff, g_get_monotonic_time());
	self->attempt = g_cancellable_new();
	rspro_link_set_state(self, RSPRO_LINK_STATE_CONNECTING);
	rspro_link_start_timer(self, self->connect_ms, rspro_link_connect_timeout_cb);
	g_weak_ref_init(&op->link, self);
	op->attempt = g_object_ref(self->attempt);
	/* the host as given, never parsed for a ":port" of its own */
	g_autoptr(GSocketConnectable) target = g_network_address_new(self->host, self->port);
	g_socket_client_connect_async(client, target, self->attempt, rspro_link_tcp_connected_ready,
				      op);
}

/* --- GObject --- */

static void
rspro_link_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RsproLink *self = RSPRO_LINK(object);

	switch (prop_id) {
	case PROP_STATE:
		g_value_set_enum(value, self->state);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
rspro_link_dispose(GObject *object)
{
	RsproLink *self = RSPRO_LINK(object);

	rspro_link_drop_attempt(self);
	rspro_link_drop_connection(self);
	g_clear_object(&self->certificate);
	g_clear_object(&self->ca);
	G_OBJECT_CLASS(rspro_link_parent_class)->dispose(object);
}

static void
rspro_link_finalize(GObject *object)
{
	RsproLink *self = RSPRO_LINK(object);

	g_clear_pointer(&self->hello, rspro_pdu_free);
	g_free(self->host);
	G_OBJECT_CLASS(rspro_link_parent_class)->finalize(object);
}

static void
rspro_link_class_init(RsproLinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = rspro_link_get_property;
	object_class->dispose = rspro_link_dispose;
	object_class->finalize = rspro_link_finalize;

	props[PROP_STATE] =
	    g_param_spec_enum("state", NULL, NULL, RSPRO_TYPE_LINK_STATE, RSPRO_LINK_STATE_IDLE,
			      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, N_PROPS, props);

	signals[SIGNAL_CONNECTED] =
	    g_signal_new("connected", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, RSPRO_TYPE_CONNECTION);
	signals[SIGNAL_DISCONNECTED] =
	    g_signal_new("disconnected", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
	signals[SIGNAL_MESSAGE] =
	    g_signal_new("message", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, RSPRO_TYPE_PDU | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
rspro_link_init(RsproLink *self)
{
	self->connect_ms = DEFAULT_TIMEOUT_MS;
	self->hello_ms = DEFAULT_TIMEOUT_MS;
	/* upstream runs keep-alive on every outbound link */
	self->ka_interval_ms = RSPRO_KEEPALIVE_INTERVAL_MS;
	self->ka_timeout_ms = RSPRO_KEEPALIVE_TIMEOUT_MS;
	rspro_backoff_init(&self->backoff, 1.0);
	g_queue_init(&self->early);
}

RsproLink *
rspro_link_new(const RsproPdu *hello, RsproComponentType peer_type)
{
	g_return_val_if_fail(hello != NULL, NULL);

	RsproLink *self = g_object_new(RSPRO_TYPE_LINK, NULL);

	self->peer_type = peer_type;
	rspro_link_set_hello(self, hello);
	return self;
}

void
rspro_link_set_target(RsproLink *self, const gchar *host, guint16 port)
{
	g_return_if_fail(RSPRO_IS_LINK(self));
	g_return_if_fail(host != NULL);

	if (g_strcmp0(self->host, host) == 0 && self->port == port)
		return;
	g_free(self->host);
	self->host = g_strdup(host);
	self->port = port;
	if (self->state != RSPRO_LINK_STATE_IDLE)
		rspro_link_start(self);
}

void
rspro_link_set_tls(RsproLink *self, gboolean use_tls, GTlsCertificate *certificate,
		   GTlsDatabase *ca)
{
	g_return_if_fail(RSPRO_IS_LINK(self));

	self->use_tls = use_tls;
	g_set_object(&self->certificate, certificate);
	g_set_object(&self->ca, ca);
}

gboolean
rspro_link_get_tls(RsproLink *self)
{
	g_return_val_if_fail(RSPRO_IS_LINK(self), FALSE);
	return self->use_tls;
}

void
rspro_link_set_hello(RsproLink *self, const RsproPdu *hello)
{
	g_return_if_fail(RSPRO_IS_LINK(self));
	g_return_if_fail(hello != NULL);
	g_return_if_fail(rspro_msg_type_response(hello->type) == RSPRO_MSG_CONNECT_BANK_RES ||
			 rspro_msg_type_response(hello->type) == RSPRO_MSG_CONNECT_CLIENT_RES);

	g_clear_pointer(&self->hello, rspro_pdu_free);
	self->hello = rspro_pdu_copy(hello);
	self->response_type = rspro_msg_type_response(hello->type);
}

void
rspro_link_set_keepalive(RsproLink *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail(RSPRO_IS_LINK(self));

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms;
}

void
rspro_link_set_timeouts(RsproLink *self, guint connect_ms, guint hello_ms)
{
	g_return_if_fail(RSPRO_IS_LINK(self));

	self->connect_ms = connect_ms ? connect_ms : DEFAULT_TIMEOUT_MS;
	self->hello_ms = hello_ms ? hello_ms : DEFAULT_TIMEOUT_MS;
}

void
rspro_link_get_keepalive(RsproLink *self, guint *interval_ms, guint *timeout_ms)
{
	g_return_if_fail(RSPRO_IS_LINK(self));

	*interval_ms = self->ka_interval_ms;
	*timeout_ms = self->ka_timeout_ms;
}

void
rspro_link_set_backoff_scale(RsproLink *self, gdouble scale)
{
	g_return_if_fail(RSPRO_IS_LINK(self));
	g_return_if_fail(scale >= 0);

	self->backoff.scale = scale;
}

const RsproBackoff *
rspro_link_get_backoff(RsproLink *self)
{
	g_return_val_if_fail(RSPRO_IS_LINK(self), NULL);
	return &self->backoff;
}

void
rspro_link_start(RsproLink *self)
{
	g_return_if_fail(RSPRO_IS_LINK(self));
	g_return_if_fail(self->host != NULL);

	rspro_backoff_reset(&self->backoff);
	rspro_link_enter_waiting_with(self, RSPRO_CONNECTION_ERROR_CLOSED, "link restarted");
}

void
rspro_link_stop(RsproLink *self)
{
	g_return_if_fail(RSPRO_IS_LINK(self));

	gboolean was_connected = self->state == RSPRO_LINK_STATE_CONNECTED;

	g_object_ref(self);
	rspro_link_drop_attempt(self);
	rspro_link_drop_connection(self);
	rspro_link_set_state(self, RSPRO_LINK_STATE_IDLE);
	if (was_connected) {
		g_autoptr(GError) error = g_error_new_literal(
		    RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED, "link stopped");

		g_signal_emit(self, signals[SIGNAL_DISCONNECTED], 0, error);
	}
	g_object_unref(self);
}

void
rspro_link_reconnect(RsproLink *self)
{
	g_return_if_fail(RSPRO_IS_LINK(self));

	if (self->state == RSPRO_LINK_STATE_IDLE)
		return;
	rspro_link_enter_waiting_with(self, RSPRO_CONNECTION_ERROR_CLOSED, "reconnect requested");
}

RsproLinkState
rspro_link_get_state(RsproLink *self)
{
	g_return_val_if_fail(RSPRO_IS_LINK(self), RSPRO_LINK_STATE_IDLE);
	return self->state;
}

RsproConnection *
rspro_link_get_connection(RsproLink *self)
{
	g_return_val_if_fail(RSPRO_IS_LINK(self), NULL);
	return self->conn;
}

const RsproPdu *
rspro_link_get_hello_response(RsproLink *self)
{
	g_return_val_if_fail(RSPRO_IS_LINK(self), NULL);
	return self->state == RSPRO_LINK_STATE_CONNECTED ? self->hello_response : NULL;
}

gboolean
rspro_link_send(RsproLink *self, const RsproPdu *pdu, GError **error)
{
	g_return_val_if_fail(RSPRO_IS_LINK(self), FALSE);

	if (self->state != RSPRO_LINK_STATE_CONNECTED) {
		g_set_error(error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED,
			    "the RSPRO link to %s:%u is not connected", self->host, self->port);
		return FALSE;
	}
	return rspro_connection_send(self->conn, pdu, error);
}
