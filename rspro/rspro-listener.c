/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rspro-listener.h"

/* the kernel caps this at net.core.somaxconn */
#define RSPRO_LISTENER_BACKLOG 4096

struct _RsproListener {
	GObject parent_instance;

	GSocketService *service;
	guint16 port;
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

static gboolean
rspro_listener_incoming_cb(GSocketService *service, GSocketConnection *socket_conn, GObject *source,
			   gpointer user_data)
{
	RsproListener *self = user_data;
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(socket_conn));

	g_debug("RSPRO connection from %s", rspro_connection_get_peer_name(conn));
	rspro_connection_set_keepalive(conn, self->ka_interval_ms, self->ka_timeout_ms);
	g_signal_emit(self, signals[SIGNAL_CONNECTION], 0, conn);
	/* a connection nobody took a reference on is closed when conn goes out of scope */
	rspro_connection_start(conn);
	return TRUE;
}

static GSocketAddress *
rspro_listener_bind_address(const gchar *bind_ip, guint16 port, GError **error)
{
	g_autoptr(GInetAddress) address = g_inet_address_new_from_string(bind_ip);

	if (!address) {
		/* a setting's value (bind-ip): for the person who configured it */
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    _("“%s” is not an IP address"), bind_ip);
		return NULL;
	}
	return g_inet_socket_address_new(address, port);
}

gboolean
rspro_listener_listen(RsproListener *self, const gchar *bind_ip, guint16 port, GError **error)
{
	g_return_val_if_fail(RSPRO_IS_LISTENER(self), FALSE);
	g_return_val_if_fail(self->service == NULL, FALSE);

	g_autoptr(GSocketService) service = g_socket_service_new();
	GSocketListener *listener = G_SOCKET_LISTENER(service);

	/* a server's banks and clients reconnect all at once after an outage; GLib's
	 * default backlog of 10 would make most of them wait for a SYN retry */
	g_socket_listener_set_backlog(listener, RSPRO_LISTENER_BACKLOG);
	if (!bind_ip || !*bind_ip) {
		if (port == 0)
			port = g_socket_listener_add_any_inet_port(listener, NULL, error);
		else if (!g_socket_listener_add_inet_port(listener, port, NULL, error))
			port = 0;
		if (port == 0)
			return FALSE;
	} else {
		g_autoptr(GSocketAddress) address =
		    rspro_listener_bind_address(bind_ip, port, error);
		g_autoptr(GSocketAddress) effective = NULL;

		if (!address ||
		    !g_socket_listener_add_address(listener, address, G_SOCKET_TYPE_STREAM,
						   G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
			return FALSE;
		port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	}
	g_signal_connect(service, "incoming", G_CALLBACK(rspro_listener_incoming_cb), self);
	g_socket_service_start(service);
	self->service = g_steal_pointer(&service);
	self->port = port;
	return TRUE;
}

guint16
rspro_listener_get_port(RsproListener *self)
{
	g_return_val_if_fail(RSPRO_IS_LISTENER(self), 0);
	return self->port;
}

void
rspro_listener_close(RsproListener *self)
{
	g_return_if_fail(RSPRO_IS_LISTENER(self));

	if (!self->service)
		return;
	g_signal_handlers_disconnect_by_data(self->service, self);
	g_socket_service_stop(self->service);
	g_socket_listener_close(G_SOCKET_LISTENER(self->service));
	g_clear_object(&self->service);
	self->port = 0;
}
