/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "rspro-listener.h"

struct _RsproListener {
	GObject parent_instance;

	RsproAcceptor *acceptor;
	guint max_connections;
	guint max_per_address;
	guint ka_interval_ms;
	guint ka_timeout_ms;
};

enum { SIGNAL_CONNECTION, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(RsproListener, rspro_listener, G_TYPE_OBJECT)

static void
rspro_listener_dispose(GObject *object)
{
	rspro_listener_close(RSPRO_LISTENER(object));
	G_OBJECT_CLASS(rspro_listener_parent_class)->dispose(object);
}

static void
rspro_listener_class_init(RsproListenerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = rspro_listener_dispose;

	signals[SIGNAL_CONNECTION] =
	    g_signal_new("connection", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, RSPRO_TYPE_CONNECTION);
}

static void
rspro_listener_init(RsproListener *self)
{
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

static void
rspro_listener_incoming_cb(RsproAcceptor *acceptor, GSocketConnection *socket_conn,
			   gpointer user_data)
{
	RsproListener *self = user_data;
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(socket_conn));

	g_debug("RSPRO connection from %s", rspro_connection_get_peer_name(conn));
	rspro_connection_set_keepalive(conn, self->ka_interval_ms, self->ka_timeout_ms);
	g_signal_emit(self, signals[SIGNAL_CONNECTION], 0, conn);
	/* a connection nobody took a reference on is closed when conn goes out of scope */
	rspro_connection_start(conn);
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

	if (!self->acceptor)
		return;
	g_signal_handlers_disconnect_by_data(self->acceptor, self);
	rspro_acceptor_close(self->acceptor);
	g_clear_object(&self->acceptor);
}
