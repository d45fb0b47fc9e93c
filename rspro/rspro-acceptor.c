/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accept loop is our own rather than GSocketService's: that one warns and
 * accepts again at once when accept() fails, so at the descriptor limit it
 * spins on the backlog and writes tens of thousands of lines a second (and
 * libsoup's listener stops accepting for good). Here a failure removes the
 * accept source and a timer puts it back.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/socket.h>

#include "rspro-acceptor.h"

/* the kernel caps this at net.core.somaxconn */
#define RSPRO_ACCEPTOR_BACKLOG 4096
/* connections taken per dispatch, so that a storm does not starve the peers already there */
#define RSPRO_ACCEPTOR_BATCH 64

/* one accepted connection, counted until its socket is freed */
typedef struct {
	RsproAcceptor *acceptor; /* NULL once the acceptor is gone */
	gchar *address;
} RsproAcceptorTicket;

/* one kind of event that is logged at most once per interval */
typedef struct {
	gint64 logged; /* monotonic µs of the last line, 0: none yet */
	guint unlogged;
} RsproAcceptorLogRate;

struct _RsproAcceptor {
	GObject parent_instance;

	gchar *name;
	GSocket *socket;  /* listening */
	GSource *source;  /* accepting; NULL while backing off */
	GSource *backoff; /* puts the accept source back */
	GMainContext *context;
	guint16 port;
	guint max_connections; /* 0: no limit */
	guint max_per_address;
	guint n_connections;
	GHashTable *per_address;	      /* address -> count */
	GHashTable *tickets;		      /* RsproAcceptorTicket set */
	RsproAcceptorLogRate refused_total;   /* past max_connections */
	RsproAcceptorLogRate refused_address; /* past max_per_address */
	RsproAcceptorLogRate failures;
};

enum { SIGNAL_INCOMING, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(RsproAcceptor, rspro_acceptor, G_TYPE_OBJECT)

static void
rspro_acceptor_ticket_free(RsproAcceptorTicket *ticket)
{
	g_free(ticket->address);
	g_free(ticket);
}

static void
rspro_acceptor_dispose(GObject *object)
{
	RsproAcceptor *self = RSPRO_ACCEPTOR(object);
	GHashTableIter iter;
	gpointer ticket;

	rspro_acceptor_close(self);
	/* the connections outlive us: their tickets free themselves with their sockets */
	if (self->tickets != NULL) {
		g_hash_table_iter_init(&iter, self->tickets);
		while (g_hash_table_iter_next(&iter, &ticket, NULL))
			((RsproAcceptorTicket *)ticket)->acceptor = NULL;
		g_clear_pointer(&self->tickets, g_hash_table_unref);
	}
	G_OBJECT_CLASS(rspro_acceptor_parent_class)->dispose(object);
}

static void
rspro_acceptor_finalize(GObject *object)
{
	RsproAcceptor *self = RSPRO_ACCEPTOR(object);

	g_free(self->name);
	g_clear_pointer(&self->per_address, g_hash_table_unref);
	G_OBJECT_CLASS(rspro_acceptor_parent_class)->finalize(object);
}

static void
rspro_acceptor_class_init(RsproAcceptorClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = rspro_acceptor_dispose;
	object_class->finalize = rspro_acceptor_finalize;

	signals[SIGNAL_INCOMING] =
	    g_signal_new("incoming", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_SOCKET_CONNECTION);
}

static void
rspro_acceptor_init(RsproAcceptor *self)
{
	self->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->tickets = g_hash_table_new(NULL, NULL);
}

RsproAcceptor *
rspro_acceptor_new(const gchar *name)
{
	RsproAcceptor *self = g_object_new(RSPRO_TYPE_ACCEPTOR, NULL);

	self->name = g_strdup(name);
	return self;
}

void
rspro_acceptor_set_limits(RsproAcceptor *self, guint max_connections, guint max_per_address)
{
	g_return_if_fail(RSPRO_IS_ACCEPTOR(self));

	self->max_connections = max_connections;
	self->max_per_address = max_per_address;
}

guint
rspro_acceptor_get_n_connections(RsproAcceptor *self)
{
	g_return_val_if_fail(RSPRO_IS_ACCEPTOR(self), 0);
	return self->n_connections;
}

guint16
rspro_acceptor_get_port(RsproAcceptor *self)
{
	g_return_val_if_fail(RSPRO_IS_ACCEPTOR(self), 0);
	return self->port;
}

/* TRUE when a line is due: the first, or the first after an interval */
static gboolean
rspro_acceptor_log_due(RsproAcceptorLogRate *rate, guint *unlogged)
{
	gint64 now = g_get_monotonic_time();

	if (rate->logged != 0 && now - rate->logged < RSPRO_ACCEPTOR_LOG_INTERVAL_MS * 1000) {
		rate->unlogged++;
		return FALSE;
	}
	*unlogged = rate->unlogged;
	rate->unlogged = 0;
	rate->logged = now;
	return TRUE;
}

/* "1.2.3.4" or "::1"; an IPv4 peer of a dual-stack socket as IPv4 */
static gchar *
rspro_acceptor_peer_address(GSocket *socket)
{
	g_autoptr(GSocketAddress) address = g_socket_get_remote_address(socket, NULL);
	GInetAddress *ip;
	const guint8 *bytes;
	static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (address == NULL || !G_IS_INET_SOCKET_ADDRESS(address))
		return g_strdup("?");
	ip = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address));
	bytes = g_inet_address_to_bytes(ip);
	if (g_inet_address_get_family(ip) == G_SOCKET_FAMILY_IPV6 &&
	    memcmp(bytes, v4_mapped, sizeof(v4_mapped)) == 0)
		return g_strdup_printf("%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
	return g_inet_address_to_string(ip);
}

/* a counted connection's socket is freed */
static void
rspro_acceptor_ticket_done(gpointer data, GObject *where_the_socket_was)
{
	RsproAcceptorTicket *ticket = data;
	RsproAcceptor *self = ticket->acceptor;

	if (self != NULL) {
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(self->per_address, ticket->address));

		if (n <= 1)
			g_hash_table_remove(self->per_address, ticket->address);
		else
			g_hash_table_insert(self->per_address, g_strdup(ticket->address),
					    GUINT_TO_POINTER(n - 1));
		self->n_connections--;
		g_hash_table_remove(self->tickets, ticket);
	}
	rspro_acceptor_ticket_free(ticket);
}

static void
rspro_acceptor_refuse(RsproAcceptor *self, GSocket *socket, RsproAcceptorLogRate *rate,
		      const gchar *address, const gchar *why)
{
	guint unlogged = 0;

	g_socket_close(socket, NULL);
	if (!rspro_acceptor_log_due(rate, &unlogged))
		return;
	if (unlogged > 0)
		g_message("%s: refused a connection from %s: %s (and %u more since the last "
			  "such line)",
			  self->name, address, why, unlogged);
	else
		g_message("%s: refused a connection from %s: %s", self->name, address, why);
}

/* counts @socket and hands it out, or closes it past a limit */
static void
rspro_acceptor_take(RsproAcceptor *self, GSocket *socket)
{
	g_autofree gchar *address = rspro_acceptor_peer_address(socket);
	guint from_address = GPOINTER_TO_UINT(g_hash_table_lookup(self->per_address, address));
	RsproAcceptorTicket *ticket;
	g_autoptr(GSocketConnection) conn = NULL;

	if (self->max_per_address > 0 && from_address >= self->max_per_address) {
		g_autofree gchar *why = g_strdup_printf(
		    "%u connections from that address are open, the limit", from_address);

		rspro_acceptor_refuse(self, socket, &self->refused_address, address, why);
		return;
	}
	if (self->max_connections > 0 && self->n_connections >= self->max_connections) {
		g_autofree gchar *why =
		    g_strdup_printf("%u connections are open, the limit", self->n_connections);

		rspro_acceptor_refuse(self, socket, &self->refused_total, address, why);
		return;
	}
	ticket = g_new0(RsproAcceptorTicket, 1);
	ticket->acceptor = self;
	ticket->address = g_strdup(address);
	g_hash_table_add(self->tickets, ticket);
	g_hash_table_insert(self->per_address, g_steal_pointer(&address),
			    GUINT_TO_POINTER(from_address + 1));
	self->n_connections++;
	g_object_weak_ref(G_OBJECT(socket), rspro_acceptor_ticket_done, ticket);
	conn = g_socket_connection_factory_create_connection(socket);
	g_signal_emit(self, signals[SIGNAL_INCOMING], 0, conn);
}

static gboolean rspro_acceptor_incoming_cb(GSocket *socket, GIOCondition condition,
					   gpointer user_data);

static void
rspro_acceptor_start_source(RsproAcceptor *self)
{
	self->source = g_socket_create_source(self->socket, G_IO_IN, NULL);
	g_source_set_callback(self->source, G_SOURCE_FUNC(rspro_acceptor_incoming_cb), self, NULL);
	g_source_set_static_name(self->source, "[rspro] accept");
	g_source_attach(self->source, self->context);
}

static void
rspro_acceptor_stop_sources(RsproAcceptor *self)
{
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_clear_pointer(&self->source, g_source_unref);
	}
	if (self->backoff != NULL) {
		g_source_destroy(self->backoff);
		g_clear_pointer(&self->backoff, g_source_unref);
	}
}

static gboolean
rspro_acceptor_backoff_cb(gpointer user_data)
{
	RsproAcceptor *self = user_data;

	g_clear_pointer(&self->backoff, g_source_unref);
	rspro_acceptor_start_source(self);
	return G_SOURCE_REMOVE;
}

/* accept() failed (out of descriptors, most likely): wait before trying again */
static void
rspro_acceptor_back_off(RsproAcceptor *self, const GError *error)
{
	guint unlogged = 0;

	rspro_acceptor_stop_sources(self);
	self->backoff = g_timeout_source_new(RSPRO_ACCEPTOR_BACKOFF_MS);
	g_source_set_callback(self->backoff, rspro_acceptor_backoff_cb, self, NULL);
	g_source_set_static_name(self->backoff, "[rspro] accept back-off");
	g_source_attach(self->backoff, self->context);
	if (!rspro_acceptor_log_due(&self->failures, &unlogged))
		return;
	if (unlogged > 0)
		g_warning("%s: cannot accept connections: %s; %u connections open; trying "
			  "again every %u ms (%u failures since the last such line)",
			  self->name, error->message, self->n_connections,
			  RSPRO_ACCEPTOR_BACKOFF_MS, unlogged);
	else
		g_warning("%s: cannot accept connections: %s; %u connections open; trying "
			  "again in %u ms",
			  self->name, error->message, self->n_connections,
			  RSPRO_ACCEPTOR_BACKOFF_MS);
}

static gboolean
rspro_acceptor_incoming_cb(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	g_autoptr(RsproAcceptor) self = g_object_ref(user_data);

	for (guint i = 0; i < RSPRO_ACCEPTOR_BATCH; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GSocket) accepted = g_socket_accept(socket, NULL, &error);

		if (accepted == NULL) {
			if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
				return G_SOURCE_CONTINUE;
			rspro_acceptor_back_off(self, error);
			return G_SOURCE_REMOVE;
		}
		rspro_acceptor_take(self, accepted);
		/* closed from a handler */
		if (self->source == NULL)
			return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static GSocket *
rspro_acceptor_bind(GInetAddress *ip, guint16 port, GError **error)
{
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new(ip, port);
	g_autoptr(GSocket) socket = g_socket_new(
	    g_inet_address_get_family(ip), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

	if (socket == NULL)
		return NULL;
	g_socket_set_blocking(socket, FALSE);
	/* banks and clients reconnect all at once after an outage; GLib's default
	 * backlog of 10 would make most of them wait for a SYN retry */
	g_socket_set_listen_backlog(socket, RSPRO_ACCEPTOR_BACKLOG);
	if (!g_socket_bind(socket, address, TRUE, error) || !g_socket_listen(socket, error))
		return NULL;
	return g_steal_pointer(&socket);
}

gboolean
rspro_acceptor_listen(RsproAcceptor *self, const gchar *bind_ip, guint16 port, GError **error)
{
	g_autoptr(GSocketAddress) bound = NULL;

	g_return_val_if_fail(RSPRO_IS_ACCEPTOR(self), FALSE);
	g_return_val_if_fail(self->socket == NULL, FALSE);

	if (bind_ip == NULL || *bind_ip == '\0') {
		/* GLib's IPv6 sockets take IPv4 too; a host without IPv6 gets IPv4 only */
		g_autoptr(GInetAddress) any6 = g_inet_address_new_any(G_SOCKET_FAMILY_IPV6);
		g_autoptr(GInetAddress) any4 = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);

		self->socket = rspro_acceptor_bind(any6, port, NULL);
		if (self->socket == NULL)
			self->socket = rspro_acceptor_bind(any4, port, error);
	} else {
		g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(bind_ip);

		if (ip == NULL) {
			/* a setting's value (bind-ip): for the person who configured it */
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    _("“%s” is not an IP address"), bind_ip);
			return FALSE;
		}
		self->socket = rspro_acceptor_bind(ip, port, error);
	}
	if (self->socket == NULL)
		return FALSE;
	bound = g_socket_get_local_address(self->socket, error);
	if (bound == NULL) {
		g_clear_object(&self->socket);
		return FALSE;
	}
	self->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	self->context = g_main_context_ref_thread_default();
	rspro_acceptor_start_source(self);
	return TRUE;
}

void
rspro_acceptor_close(RsproAcceptor *self)
{
	g_return_if_fail(RSPRO_IS_ACCEPTOR(self));

	rspro_acceptor_stop_sources(self);
	if (self->socket != NULL)
		g_socket_close(self->socket, NULL);
	g_clear_object(&self->socket);
	g_clear_pointer(&self->context, g_main_context_unref);
	self->port = 0;
}
