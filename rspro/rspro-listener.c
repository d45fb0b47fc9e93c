/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "rspro-listener.h"

#include <errno.h>
#include <sys/socket.h>

/* the first byte of a TLS record that carries a handshake (a ClientHello) */
#define RSPRO_LISTENER_TLS_HANDSHAKE_BYTE 0x16

/*
 * One accepted connection on a TLS port, until it is handed out or dropped:
 * first its first byte is awaited (peeked, not read), then its handshake.
 */
typedef struct {
	RsproListener *listener; /* NULL once the listener is gone */
	GSocketConnection *socket_conn;
	GTlsConnection *tls;
	GSource *peek;	  /* the first byte awaited */
	GSource *timeout; /* the whole of it bounded */
	GCancellable *cancellable;
	gchar *peer; /* for logs */
} RsproListenerPending;

struct _RsproListener {
	GObject parent_instance;

	RsproAcceptor *acceptor;
	guint max_connections;
	guint max_per_address;
	guint ka_interval_ms;
	guint ka_timeout_ms;

	RsproListenerTls tls_mode;
	GTlsCertificate *certificate;
	GTlsDatabase *ca;
	gboolean require_peer_certificate;
	guint handshake_timeout_ms;
	GPtrArray *pending; /* RsproListenerPending */
};

enum { SIGNAL_CONNECTION, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(RsproListener, rspro_listener, G_TYPE_OBJECT)

static void
rspro_listener_dispose(GObject *object)
{
	RsproListener *self = RSPRO_LISTENER(object);

	rspro_listener_close(self);
	g_clear_object(&self->certificate);
	g_clear_object(&self->ca);
	G_OBJECT_CLASS(rspro_listener_parent_class)->dispose(object);
}

static void
rspro_listener_finalize(GObject *object)
{
	RsproListener *self = RSPRO_LISTENER(object);

	g_ptr_array_unref(self->pending);
	G_OBJECT_CLASS(rspro_listener_parent_class)->finalize(object);
}

static void
rspro_listener_class_init(RsproListenerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = rspro_listener_dispose;
	object_class->finalize = rspro_listener_finalize;

	signals[SIGNAL_CONNECTION] =
	    g_signal_new("connection", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, RSPRO_TYPE_CONNECTION);
}

static void
rspro_listener_init(RsproListener *self)
{
	self->handshake_timeout_ms = RSPRO_LISTENER_HANDSHAKE_TIMEOUT_MS;
	self->pending = g_ptr_array_new();
}

RsproListener *
rspro_listener_new(void)
{
	return g_object_new(RSPRO_TYPE_LISTENER, NULL);
}

void
rspro_listener_set_keepalive(RsproListener *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail(RSPRO_IS_LISTENER(self));

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms;
}

void
rspro_listener_set_limits(RsproListener *self, guint max_connections, guint max_per_address)
{
	g_return_if_fail(RSPRO_IS_LISTENER(self));

	self->max_connections = max_connections;
	self->max_per_address = max_per_address;
	if (self->acceptor)
		rspro_acceptor_set_limits(self->acceptor, max_connections, max_per_address);
}

void
rspro_listener_set_tls(RsproListener *self, RsproListenerTls mode, GTlsCertificate *certificate,
		       GTlsDatabase *ca, gboolean require_peer_certificate)
{
	g_return_if_fail(RSPRO_IS_LISTENER(self));
	g_return_if_fail(mode == RSPRO_LISTENER_TLS_OFF || G_IS_TLS_CERTIFICATE(certificate));

	self->tls_mode = mode;
	g_set_object(&self->certificate, certificate);
	g_set_object(&self->ca, ca);
	self->require_peer_certificate = require_peer_certificate;
}

void
rspro_listener_set_handshake_timeout(RsproListener *self, guint timeout_ms)
{
	g_return_if_fail(RSPRO_IS_LISTENER(self));
	self->handshake_timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
}

guint
rspro_listener_get_n_pending(RsproListener *self)
{
	g_return_val_if_fail(RSPRO_IS_LISTENER(self), 0);
	return self->pending->len;
}

/* hands a connection ready for RSPRO (plain, or TLS after its handshake) out */
static void
rspro_listener_hand_out(RsproListener *self, GIOStream *stream)
{
	g_autoptr(RsproConnection) conn = rspro_connection_new(stream);

	g_debug("RSPRO connection from %s%s", rspro_connection_get_peer_name(conn),
		G_IS_TLS_CONNECTION(stream) ? " (TLS)" : "");
	rspro_connection_set_keepalive(conn, self->ka_interval_ms, self->ka_timeout_ms);
	g_signal_emit(self, signals[SIGNAL_CONNECTION], 0, conn);
	/* a connection nobody took a reference on is closed when conn goes out of scope */
	rspro_connection_start(conn);
}

/* stops what a pending connection waits for; its streams close when freed */
static void
rspro_listener_pending_free(RsproListenerPending *pending)
{
	if (pending->listener != NULL)
		g_ptr_array_remove_fast(pending->listener->pending, pending);
	if (pending->peek != NULL) {
		g_source_destroy(pending->peek);
		g_source_unref(pending->peek);
	}
	if (pending->timeout != NULL) {
		g_source_destroy(pending->timeout);
		g_source_unref(pending->timeout);
	}
	g_cancellable_cancel(pending->cancellable);
	g_object_unref(pending->cancellable);
	g_clear_object(&pending->tls);
	g_object_unref(pending->socket_conn);
	g_free(pending->peer);
	g_free(pending);
}

static void
rspro_listener_handshake_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RsproListenerPending *pending = user_data;
	g_autoptr(GError) error = NULL;

	/*
	 * The handshake's end frees what waited for it, whatever ended it: a
	 * timeout or the listener's close cancel it and leave it to this.
	 */
	if (!g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error)) {
		/* cancelled: the timeout or the listener's close said why already */
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("RSPRO from %s: TLS handshake failed, closed: %s", pending->peer,
				  error->message);
		rspro_listener_pending_free(pending);
		return;
	}
	if (pending->listener == NULL) {
		rspro_listener_pending_free(pending);
		return;
	}

	RsproListener *self = g_object_ref(pending->listener);
	g_autoptr(GTlsConnection) tls = g_object_ref(pending->tls);

	rspro_listener_pending_free(pending);
	rspro_listener_hand_out(self, G_IO_STREAM(tls));
	g_object_unref(self);
}

/*
 * A server connection asks about every client certificate, even one its
 * database verified without a fault: take exactly those. (@errors never has
 * BAD_IDENTITY here: a client has no identity to check at this layer; what
 * it may claim is checked against its names later, by the daemon.)
 */
static gboolean
rspro_listener_accept_certificate_cb(GTlsConnection *tls, GTlsCertificate *cert,
				     GTlsCertificateFlags errors, gpointer user_data)
{
	RsproListenerPending *pending = user_data;

	if (errors == 0)
		return TRUE;

	g_autofree gchar *subject = g_tls_certificate_get_subject_name(cert);
	g_autoptr(GFlagsClass) klass = g_type_class_ref(G_TYPE_TLS_CERTIFICATE_FLAGS);
	g_autoptr(GString) why = g_string_new(NULL);

	for (guint i = 0; i < klass->n_values; i++) {
		if ((errors & klass->values[i].value) == klass->values[i].value &&
		    klass->values[i].value != 0)
			g_string_append_printf(why, "%s%s", why->len ? ", " : "",
					       klass->values[i].value_nick);
	}
	g_message("RSPRO from %s: client certificate %s not accepted: %s", pending->peer,
		  subject != NULL ? subject : "(no subject)", why->str);
	return FALSE;
}

static void
rspro_listener_start_handshake(RsproListenerPending *pending)
{
	RsproListener *self = pending->listener;
	g_autoptr(GError) error = NULL;
	GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(pending->socket_conn),
						     self->certificate, &error);

	if (tls == NULL) {
		g_warning("RSPRO from %s: cannot start TLS, closed: %s", pending->peer,
			  error->message);
		rspro_listener_pending_free(pending);
		return;
	}
	pending->tls = G_TLS_CONNECTION(tls);
	if (self->ca != NULL)
		g_tls_connection_set_database(pending->tls, self->ca);
	/* IPA frames say where a message ends: a peer that goes without TLS's goodbye
	 * has only closed, as over plain TCP, and is logged so */
	g_tls_connection_set_require_close_notify(pending->tls, FALSE);
	g_object_set(tls, "authentication-mode",
		     self->require_peer_certificate ? G_TLS_AUTHENTICATION_REQUIRED
						    : G_TLS_AUTHENTICATION_NONE,
		     NULL);
	g_signal_connect(tls, "accept-certificate",
			 G_CALLBACK(rspro_listener_accept_certificate_cb), pending);
	g_tls_connection_handshake_async(pending->tls, G_PRIORITY_DEFAULT, pending->cancellable,
					 rspro_listener_handshake_ready, pending);
}

/* the first byte is there: TLS, plain, or refused */
static gboolean
rspro_listener_peek_cb(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	RsproListenerPending *pending = user_data;
	RsproListener *self = pending->listener;
	guint8 first;
	ssize_t n = recv(g_socket_get_fd(socket), &first, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&pending->peek, g_source_unref);
	if (n <= 0) {
		/* gone before it said anything: nothing to tell the operator */
		g_debug("RSPRO from %s: closed before its first byte", pending->peer);
		rspro_listener_pending_free(pending);
		return G_SOURCE_REMOVE;
	}
	if (first == RSPRO_LISTENER_TLS_HANDSHAKE_BYTE) {
		rspro_listener_start_handshake(pending);
		return G_SOURCE_REMOVE;
	}
	if (self->tls_mode == RSPRO_LISTENER_TLS_ON) {
		g_message("RSPRO from %s: refused: plain RSPRO on a TLS-only port (first byte "
			  "0x%02x, not a TLS handshake)",
			  pending->peer, first);
		rspro_listener_pending_free(pending);
		return G_SOURCE_REMOVE;
	}

	/* EITHER, and a plain peer */
	g_autoptr(GSocketConnection) socket_conn = g_object_ref(pending->socket_conn);

	rspro_listener_pending_free(pending);
	rspro_listener_hand_out(self, G_IO_STREAM(socket_conn));
	return G_SOURCE_REMOVE;
}

static gboolean
rspro_listener_timeout_cb(gpointer user_data)
{
	RsproListenerPending *pending = user_data;

	g_clear_pointer(&pending->timeout, g_source_unref);
	g_message("RSPRO from %s: no %s within %u ms, closed", pending->peer,
		  pending->tls != NULL ? "TLS handshake" : "first byte",
		  pending->listener->handshake_timeout_ms);
	if (pending->tls != NULL) {
		/* the handshake's callback frees it, once cancelled */
		g_ptr_array_remove_fast(pending->listener->pending, pending);
		pending->listener = NULL;
		g_cancellable_cancel(pending->cancellable);
		return G_SOURCE_REMOVE;
	}
	rspro_listener_pending_free(pending);
	return G_SOURCE_REMOVE;
}

static void
rspro_listener_incoming_cb(RsproAcceptor *acceptor, GSocketConnection *socket_conn,
			   gpointer user_data)
{
	RsproListener *self = user_data;

	if (self->tls_mode == RSPRO_LISTENER_TLS_OFF) {
		rspro_listener_hand_out(self, G_IO_STREAM(socket_conn));
		return;
	}

	RsproListenerPending *pending = g_new0(RsproListenerPending, 1);
	GSocket *socket = g_socket_connection_get_socket(socket_conn);
	g_autoptr(GSocketAddress) remote =
	    g_socket_connection_get_remote_address(socket_conn, NULL);

	pending->listener = self;
	pending->socket_conn = g_object_ref(socket_conn);
	pending->cancellable = g_cancellable_new();
	if (G_IS_INET_SOCKET_ADDRESS(remote)) {
		g_autofree gchar *ip = g_inet_address_to_string(
		    g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(remote)));

		pending->peer = g_strdup_printf(
		    "%s:%u", ip, g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(remote)));
	} else {
		pending->peer = g_strdup("(unknown)");
	}
	g_ptr_array_add(self->pending, pending);
	pending->timeout = g_timeout_source_new(self->handshake_timeout_ms);
	g_source_set_callback(pending->timeout, rspro_listener_timeout_cb, pending, NULL);
	g_source_set_static_name(pending->timeout, "[rspro] handshake timeout");
	g_source_attach(pending->timeout, g_main_context_get_thread_default());
	pending->peek = g_socket_create_source(socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
	g_source_set_callback(pending->peek, G_SOURCE_FUNC(rspro_listener_peek_cb), pending, NULL);
	g_source_set_static_name(pending->peek, "[rspro] first byte");
	g_source_attach(pending->peek, g_main_context_get_thread_default());
}

gboolean
rspro_listener_listen(RsproListener *self, const gchar *bind_ip, guint16 port, GError **error)
{
	g_return_val_if_fail(RSPRO_IS_LISTENER(self), FALSE);
	g_return_val_if_fail(self->acceptor == NULL, FALSE);

	g_autoptr(RsproAcceptor) acceptor = rspro_acceptor_new("RSPRO");

	rspro_acceptor_set_limits(acceptor, self->max_connections, self->max_per_address);
	if (!rspro_acceptor_listen(acceptor, bind_ip, port, error))
		return FALSE;
	g_signal_connect(acceptor, "incoming", G_CALLBACK(rspro_listener_incoming_cb), self);
	self->acceptor = g_steal_pointer(&acceptor);
	return TRUE;
}

guint16
rspro_listener_get_port(RsproListener *self)
{
	g_return_val_if_fail(RSPRO_IS_LISTENER(self), 0);
	return self->acceptor ? rspro_acceptor_get_port(self->acceptor) : 0;
}

guint
rspro_listener_get_n_connections(RsproListener *self)
{
	g_return_val_if_fail(RSPRO_IS_LISTENER(self), 0);
	return self->acceptor ? rspro_acceptor_get_n_connections(self->acceptor) : 0;
}

void
rspro_listener_close(RsproListener *self)
{
	g_return_if_fail(RSPRO_IS_LISTENER(self));

	/* connections still in their handshake go with the port */
	while (self->pending->len > 0) {
		RsproListenerPending *pending = g_ptr_array_index(self->pending, 0);

		g_ptr_array_remove_index_fast(self->pending, 0);
		pending->listener = NULL;
		if (pending->tls == NULL) {
			rspro_listener_pending_free(pending);
			continue;
		}
		/* the handshake frees it once cancelled; its timer must not fire meanwhile */
		if (pending->timeout != NULL) {
			g_source_destroy(pending->timeout);
			g_clear_pointer(&pending->timeout, g_source_unref);
		}
		g_cancellable_cancel(pending->cancellable);
	}
	if (!self->acceptor)
		return;
	g_signal_handlers_disconnect_by_data(self->acceptor, self);
	rspro_acceptor_close(self->acceptor);
	g_clear_object(&self->acceptor);
}
