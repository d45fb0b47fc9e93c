/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifetime: the connection's sources hold no reference to it (it destroys them
 * when it closes or goes), so the owner's references decide how long a
 * connection lives. Dropping the last one closes it silently (no ::closed,
 * nobody is listening); pending requests keep it alive since their GTask holds
 * it as source object.
 *
 * Request pairing: requests wait in one FIFO. A response of type T goes to the
 * oldest entry waiting for T. An entry whose request timed out or was cancelled
 * stays in the FIFO as a tombstone, so its late response is consumed and
 * dropped there instead of being handed to the next request of the same type
 * (the peer answers in order, so that response belongs to the abandoned one).
 *
 * I/O: every stream is pollable (a socket, or TLS over one). One long-lived
 * source reads whatever is there without blocking, and the first frame sent in
 * a main loop iteration is written at once. Frames sent after it in the same
 * iteration wait in the queue for a flush source that is made ready for the
 * next iteration, so a burst costs one write. Only a full socket adds a source
 * that waits for room.
 *
 * Back-pressure: the output queue is counted (bytes plus a fixed overhead per
 * frame, so that many tiny PONGs count for the memory they hold). Above the
 * high water the read source goes away until the queue is down to half of it:
 * a peer that floods requests without reading the answers stops being read,
 * its socket fills, and its own writes block. A peer whose queue, once above
 * the high water, is not empty again within the stall time is closed, so that
 * it holds neither our memory nor a descriptor for longer (the kernel lets a
 * trickle through to a peer that never reads, enough to resume reading now
 * and then but never to empty the queue). Output that grows
 * without reading (pushes from elsewhere) closes the connection past the hard limit.
 *
 * Frames are read in place, and a TPDU message is written into a buffer the
 * connection keeps, so a relayed APDU allocates little.
 *
 * Lending: the socket of a plain socket connection can be lent to another
 * thread (remsim-bankd's relay thread), which then reads and writes it itself
 * while this side neither reads nor writes: what is sent meanwhile waits in
 * the queue, and the borrower is asked to give the socket back. A close while
 * lent ends the connection at once but closes the socket only once it is back.
 */
#include "config.h"

#include "rspro-connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "rspro-ipa.h"
#include "rspro-pdu-private.h"

#define READ_CHUNK 16384
/* upper bound for one coalesced write */
#define WRITE_COALESCE_MAX 65536
/*
 * what a queued frame costs beyond its bytes, as glibc allocates: the GBytes,
 * its data block and the queue link, with their malloc headers
 */
#define FRAME_OVERHEAD 128

typedef struct {
	RsproMsgType type;
	GTask *task; /* NULL once the request was abandoned (timeout, cancel) */
	GSource *timeout;
	GSource *cancel;
} RsproConnectionRequest;

struct _RsproConnection {
	GObject parent_instance;

	GIOStream *stream;
	GCancellable *cancellable; /* cancelled at close: stops reads and writes */
	GMainContext *context;
	RsproIpaDeframer *deframer;
	gchar *peer_name;
	GInetSocketAddress *remote;
	GInetSocketAddress *local;
	gboolean started;
	gboolean closed;

	GQueue write_queue;    /* GBytes frames not yet handed to the stream */
	GSource *read_source;  /* there once started, unless reading is paused */
	GSource *write_source; /* only while the socket has no room */
	GSource *flush_source; /* writes what was queued behind an iteration's first frame */
	GBytes *pending;       /* frames partly written, from pending_off on */
	gsize pending_off;
	gsize queued;	      /* the frames of write_queue, counted with FRAME_OVERHEAD */
	gsize high_water;     /* above it reading pauses */
	gsize hard_limit;     /* above it the connection closes */
	guint stall_ms;	      /* paused this long: closed */
	gboolean read_paused; /* the queue went above the high water */
	GSource *stall_timer; /* while reading is paused */
	gboolean wrote_now;   /* a frame went out at once in this main loop iteration */
	GError *write_error;  /* reported from the flush source, not inside send() */
	guint8 *read_buf;
	gboolean in_read;
	GByteArray *frame_buf; /* a TPDU message's frame, written in place */
	RsproPdu *rx_tpdu;     /* a received TPDU message, filled again for each */

	gboolean lent;
	RsproConnectionWantedFunc wanted;
	gpointer wanted_data;
	gboolean wanted_told;
	gboolean close_deferred;  /* closed while lent: the stream closes when it is back */
	gboolean close_on_return; /* closed locally while lent: queued frames go first */

	guint ka_interval_ms;
	guint ka_timeout_ms;
	GSource *ka_timer;
	gboolean ka_waiting_pong;

	GQueue requests; /* RsproConnectionRequest, oldest first */

	guint64 pdus_received;
	guint64 pdus_sent;
};

enum { SIGNAL_MESSAGE, SIGNAL_CLOSED, SIGNAL_REMSIM_MESSAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(RsproConnection, rspro_connection, G_TYPE_OBJECT)

GQuark
rspro_connection_error_quark(void)
{
	return g_quark_from_static_string("rspro-connection-error-quark");
}

static void rspro_connection_close_with(RsproConnection *self, GError *reason);
static void rspro_connection_kick_write(RsproConnection *self);
static void rspro_connection_stop_io(RsproConnection *self);

static void
rspro_connection_request_free(RsproConnectionRequest *req)
{
	if (req->timeout) {
		g_source_destroy(req->timeout);
		g_source_unref(req->timeout);
	}
	if (req->cancel) {
		g_source_destroy(req->cancel);
		g_source_unref(req->cancel);
	}
	g_clear_object(&req->task);
	g_free(req);
}

/* keep the FIFO slot, stop the timers, give the task its error */
static void
rspro_connection_request_abandon(RsproConnectionRequest *req, GError *error)
{
	GTask *task = g_steal_pointer(&req->task);

	if (req->timeout) {
		g_source_destroy(req->timeout);
		g_clear_pointer(&req->timeout, g_source_unref);
	}
	if (req->cancel) {
		g_source_destroy(req->cancel);
		g_clear_pointer(&req->cancel, g_source_unref);
	}
	if (task) {
		g_task_return_error(task, error);
		g_object_unref(task);
	} else {
		g_error_free(error);
	}
}

static void
rspro_connection_stop_keepalive_timer(RsproConnection *self)
{
	if (self->ka_timer) {
		g_source_destroy(self->ka_timer);
		g_clear_pointer(&self->ka_timer, g_source_unref);
	}
}

static void
rspro_connection_dispose(GObject *object)
{
	RsproConnection *self = RSPRO_CONNECTION(object);

	if (!self->closed) {
		/* nobody can hear ::closed any more: close without it */
		g_signal_handlers_destroy(self);
		rspro_connection_close_with(self, g_error_new(RSPRO_CONNECTION_ERROR,
							      RSPRO_CONNECTION_ERROR_CLOSED,
							      "connection released by its owner"));
	}
	G_OBJECT_CLASS(rspro_connection_parent_class)->dispose(object);
}

static void
rspro_connection_finalize(GObject *object)
{
	RsproConnection *self = RSPRO_CONNECTION(object);

	rspro_connection_stop_io(self);
	g_queue_clear_full(&self->write_queue, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&self->requests, (GDestroyNotify)rspro_connection_request_free);
	g_clear_pointer(&self->pending, g_bytes_unref);
	g_clear_error(&self->write_error);
	g_free(self->read_buf);
	g_clear_pointer(&self->frame_buf, g_byte_array_unref);
	g_clear_pointer(&self->rx_tpdu, rspro_pdu_free);
	g_clear_object(&self->stream);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->context, g_main_context_unref);
	g_clear_pointer(&self->deframer, rspro_ipa_deframer_free);
	g_free(self->peer_name);
	g_clear_object(&self->remote);
	g_clear_object(&self->local);
	G_OBJECT_CLASS(rspro_connection_parent_class)->finalize(object);
}

static void
rspro_connection_class_init(RsproConnectionClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = rspro_connection_dispose;
	object_class->finalize = rspro_connection_finalize;

	signals[SIGNAL_MESSAGE] =
	    g_signal_new("message", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, RSPRO_TYPE_PDU | G_SIGNAL_TYPE_STATIC_SCOPE);
	signals[SIGNAL_REMSIM_MESSAGE] =
	    g_signal_new("remsim-message", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES | G_SIGNAL_TYPE_STATIC_SCOPE);
	signals[SIGNAL_CLOSED] =
	    g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
rspro_connection_init(RsproConnection *self)
{
	self->cancellable = g_cancellable_new();
	self->deframer = rspro_ipa_deframer_new();
	self->high_water = RSPRO_CONNECTION_HIGH_WATER;
	self->hard_limit = RSPRO_CONNECTION_HARD_LIMIT;
	self->stall_ms = RSPRO_CONNECTION_STALL_MS;
	g_queue_init(&self->write_queue);
	g_queue_init(&self->requests);
}

/* "a.b.c.d:port" or "[v6]:port"; an IPv4 peer on a dual-stack socket shows as IPv4 */
static gchar *
rspro_connection_format_address(GInetSocketAddress *address)
{
	GInetAddress *ip = g_inet_socket_address_get_address(address);
	guint16 port = g_inet_socket_address_get_port(address);
	static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	g_autofree gchar *text = g_inet_address_to_string(ip);
	const guint8 *bytes = g_inet_address_to_bytes(ip);

	if (g_inet_address_get_family(ip) == G_SOCKET_FAMILY_IPV4)
		return g_strdup_printf("%s:%u", text, port);
	if (memcmp(bytes, v4_mapped, sizeof(v4_mapped)) == 0)
		return g_strdup_printf("%u.%u.%u.%u:%u", bytes[12], bytes[13], bytes[14], bytes[15],
				       port);
	return g_strdup_printf("[%s]:%u", text, port);
}

/*
 * The TCP connection under @stream: @stream itself, or the base stream of a
 * TLS connection (or of GSocketClient's wrapper around one), for addresses and
 * socket options; NULL for anything else.
 */
/* what a TLS connection runs over (transfer none: the TLS connection keeps it) */
static GIOStream *
rspro_connection_tls_base(GTlsConnection *tls)
{
	GIOStream *base = NULL;

	g_object_get(tls, "base-io-stream", &base, NULL);
	if (base != NULL)
		g_object_unref(base);
	return base;
}

static GSocketConnection *
rspro_connection_base_socket(GIOStream *stream)
{
	while (stream != NULL) {
		if (G_IS_TCP_WRAPPER_CONNECTION(stream))
			stream = g_tcp_wrapper_connection_get_base_io_stream(
			    G_TCP_WRAPPER_CONNECTION(stream));
		else if (G_IS_SOCKET_CONNECTION(stream))
			return G_SOCKET_CONNECTION(stream);
		else if (G_IS_TLS_CONNECTION(stream))
			stream = rspro_connection_tls_base(G_TLS_CONNECTION(stream));
		else
			return NULL;
	}
	return NULL;
}

/*
 * TRUE if the bytes of @stream are the socket's own: a socket connection
 * that is no wrapper around something (TLS) that reads the socket itself
 */
static gboolean
rspro_connection_stream_is_plain(GIOStream *stream)
{
	return G_IS_SOCKET_CONNECTION(stream) && !G_IS_TCP_WRAPPER_CONNECTION(stream);
}

static GInetSocketAddress *
rspro_connection_socket_address(GIOStream *stream, gboolean remote)
{
	GSocketConnection *conn = rspro_connection_base_socket(stream);

	if (conn == NULL)
		return NULL;

	GSocketAddress *address = remote ? g_socket_connection_get_remote_address(conn, NULL)
					 : g_socket_connection_get_local_address(conn, NULL);

	if (address && !G_IS_INET_SOCKET_ADDRESS(address))
		g_clear_object(&address);
	return (GInetSocketAddress *)address;
}

static void
rspro_connection_set_nodelay(GIOStream *stream)
{
	GSocketConnection *conn = rspro_connection_base_socket(stream);

	if (conn == NULL)
		return;

	GSocket *socket = g_socket_connection_get_socket(conn);
	GSocketFamily family = g_socket_get_family(socket);

	if (family != G_SOCKET_FAMILY_IPV4 && family != G_SOCKET_FAMILY_IPV6)
		return;
	/* small request/response PDUs: Nagle would only add latency */
	g_autoptr(GError) error = NULL;
	if (!g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
		g_debug("TCP_NODELAY: %s", error->message);
}

static gboolean
rspro_connection_stream_can_poll(GIOStream *stream)
{
	GInputStream *in = g_io_stream_get_input_stream(stream);
	GOutputStream *out = g_io_stream_get_output_stream(stream);

	return G_IS_POLLABLE_INPUT_STREAM(in) &&
	       g_pollable_input_stream_can_poll(G_POLLABLE_INPUT_STREAM(in)) &&
	       G_IS_POLLABLE_OUTPUT_STREAM(out) &&
	       g_pollable_output_stream_can_poll(G_POLLABLE_OUTPUT_STREAM(out));
}

RsproConnection *
rspro_connection_new(GIOStream *stream)
{
	g_return_val_if_fail(G_IS_IO_STREAM(stream), NULL);
	g_return_val_if_fail(rspro_connection_stream_can_poll(stream), NULL);

	RsproConnection *self = g_object_new(RSPRO_TYPE_CONNECTION, NULL);

	self->stream = g_object_ref(stream);
	rspro_connection_set_nodelay(stream);

	/* fetched once: the peer's address is gone from the socket after close */
	self->remote = rspro_connection_socket_address(stream, TRUE);
	self->local = rspro_connection_socket_address(stream, FALSE);
	self->peer_name =
	    self->remote ? rspro_connection_format_address(self->remote) : g_strdup("(stream)");
	return self;
}

void
rspro_connection_set_keepalive(RsproConnection *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail(RSPRO_IS_CONNECTION(self));

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms ? timeout_ms : RSPRO_KEEPALIVE_TIMEOUT_MS;
}

void
rspro_connection_get_keepalive(RsproConnection *self, guint *interval_ms, guint *timeout_ms)
{
	g_return_if_fail(RSPRO_IS_CONNECTION(self));

	*interval_ms = self->ka_interval_ms;
	*timeout_ms = self->ka_timeout_ms;
}

void
rspro_connection_set_queue_limits(RsproConnection *self, gsize high_water, gsize hard_limit,
				  guint stall_ms)
{
	g_return_if_fail(RSPRO_IS_CONNECTION(self));
	g_return_if_fail(high_water > 0 && high_water <= hard_limit && stall_ms > 0);

	self->high_water = high_water;
	self->hard_limit = hard_limit;
	self->stall_ms = stall_ms;
}

gsize
rspro_connection_get_queued_bytes(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), 0);

	return self->queued +
	       (self->pending ? g_bytes_get_size(self->pending) - self->pending_off : 0);
}

gboolean
rspro_connection_is_reading_paused(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), FALSE);
	return self->read_paused;
}

/* --- writing --- */

static void rspro_connection_attach_read_source(RsproConnection *self);
static GMainContext *rspro_connection_context(RsproConnection *self);

static void
rspro_connection_stop_stall_timer(RsproConnection *self)
{
	if (self->stall_timer) {
		g_source_destroy(self->stall_timer);
		g_clear_pointer(&self->stall_timer, g_source_unref);
	}
}

/*
 * The queue went above the high water and has not been empty since, for the
 * stall time: the peer does not read its answers
 */
static gboolean
rspro_connection_stall_cb(gpointer user_data)
{
	RsproConnection *self = user_data;

	g_clear_pointer(&self->stall_timer, g_source_unref);
	rspro_connection_close_with(
	    self, g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_QUEUE_FULL,
			      "the peer did not read the %" G_GSIZE_FORMAT
			      " bytes waiting for it within %u ms",
			      rspro_connection_get_queued_bytes(self), self->stall_ms));
	return G_SOURCE_REMOVE;
}

/* the output queue is above its high water: stop reading what would add to it */
static void
rspro_connection_pause_reading(RsproConnection *self)
{
	self->read_paused = TRUE;
	/* from the first pause until the queue is empty again */
	if (!self->stall_timer) {
		self->stall_timer = g_timeout_source_new(self->stall_ms);
		g_source_set_callback(self->stall_timer, rspro_connection_stall_cb, self, NULL);
		g_source_set_static_name(self->stall_timer, "[rspro] peer not reading");
		g_source_attach(self->stall_timer, rspro_connection_context(self));
	}
	g_debug("RSPRO peer %s: %" G_GSIZE_FORMAT " bytes waiting to go out, not reading",
		self->peer_name, rspro_connection_get_queued_bytes(self));
	/* inside the read loop: it stops after this chunk and removes its source */
	if (self->in_read || !self->read_source)
		return;
	g_source_destroy(self->read_source);
	g_clear_pointer(&self->read_source, g_source_unref);
}

static void
rspro_connection_resume_reading_if_drained(RsproConnection *self)
{
	if (!self->read_paused || rspro_connection_get_queued_bytes(self) > self->high_water / 2)
		return;
	self->read_paused = FALSE;
	g_debug("RSPRO peer %s: output drained, reading again", self->peer_name);
	if (!self->read_source && self->started && !self->closed)
		rspro_connection_attach_read_source(self);
}

/* the context the connection's sources live on: the one of start(), or of the first send */
static GMainContext *
rspro_connection_context(RsproConnection *self)
{
	if (!self->context)
		self->context = g_main_context_ref_thread_default();
	return self->context;
}

/* the queued frames as one buffer, so many small PDUs cost one syscall */
static GBytes *
rspro_connection_take_coalesced(RsproConnection *self)
{
	GBytes *first = g_queue_pop_head(&self->write_queue);

	self->queued -= g_bytes_get_size(first) + FRAME_OVERHEAD;
	if (g_queue_is_empty(&self->write_queue))
		return first;

	GByteArray *buf = g_byte_array_sized_new(WRITE_COALESCE_MAX);
	GBytes *next = first;

	while (next) {
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(next, &len);

		g_byte_array_append(buf, data, len);
		g_bytes_unref(next);
		next = g_queue_peek_head(&self->write_queue);
		if (next && buf->len + g_bytes_get_size(next) > WRITE_COALESCE_MAX)
			break;
		next = g_queue_pop_head(&self->write_queue);
		if (next)
			self->queued -= g_bytes_get_size(next) + FRAME_OVERHEAD;
	}
	return g_byte_array_free_to_bytes(buf);
}

static gboolean rspro_connection_flush_queue(RsproConnection *self, GError **error);

static gboolean
rspro_connection_on_writable(GObject *stream, gpointer user_data)
{
	g_autoptr(RsproConnection) self = g_object_ref(user_data);
	g_autoptr(GError) error = NULL;

	/* the dispatch removes the source: a socket still full gets a new one */
	g_clear_pointer(&self->write_source, g_source_unref);
	if (!rspro_connection_flush_queue(self, &error))
		rspro_connection_close_with(self, g_steal_pointer(&error));
	return G_SOURCE_REMOVE;
}

static void
rspro_connection_wait_for_room(RsproConnection *self)
{
	GPollableOutputStream *out =
	    G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(self->stream));

	self->write_source = g_pollable_output_stream_create_source(out, NULL);
	g_source_set_callback(self->write_source, G_SOURCE_FUNC(rspro_connection_on_writable), self,
			      NULL);
	g_source_set_static_name(self->write_source, "[rspro] socket room");
	g_source_attach(self->write_source, rspro_connection_context(self));
}

/*
 * Write without blocking what is pending, then what is queued, until done or
 * the socket is full (then a source waits for room). FALSE on an I/O error,
 * as the error to close with.
 */
static gboolean
rspro_connection_flush_queue(RsproConnection *self, GError **error)
{
	GPollableOutputStream *out =
	    G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(self->stream));

	/* the borrower writes meanwhile: the queue waits for the socket to be back */
	if (self->lent)
		return TRUE;
	while (!self->write_source) {
		g_autoptr(GError) local = NULL;
		gsize len = 0;
		const guint8 *data;
		gssize n;

		if (!self->pending) {
			if (g_queue_is_empty(&self->write_queue)) {
				/* all out: the peer reads what it is sent */
				rspro_connection_stop_stall_timer(self);
				rspro_connection_resume_reading_if_drained(self);
				return TRUE;
			}
			self->pending = rspro_connection_take_coalesced(self);
			self->pending_off = 0;
		}
		data = g_bytes_get_data(self->pending, &len);
		n = g_pollable_output_stream_write_nonblocking(
		    out, data + self->pending_off, len - self->pending_off, NULL, &local);
		if (n < 0 && g_error_matches(local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
			rspro_connection_wait_for_room(self);
			rspro_connection_resume_reading_if_drained(self);
			return TRUE;
		}
		if (n < 0) {
			g_message("RSPRO peer %s: write failed: %s", self->peer_name,
				  local->message);
			g_set_error(error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_IO,
				    "write failed: %s", local->message);
			return FALSE;
		}
		self->pending_off += n;
		if (self->pending_off == len)
			g_clear_pointer(&self->pending, g_bytes_unref);
	}
	return TRUE;
}

/*
 * The flush source writes, in its dispatch, the frames queued behind the first
 * one of an iteration, and reports write errors from the main loop. Its prepare
 * step, run before every poll, only marks the end of the iteration.
 */
typedef struct {
	GSource source;
	RsproConnection *conn; /* the connection destroys the source before it goes */
} RsproConnectionFlushSource;

static gboolean
rspro_connection_flush_prepare(GSource *source, gint *timeout)
{
	RsproConnection *self = ((RsproConnectionFlushSource *)source)->conn;

	*timeout = -1;
	self->wrote_now = FALSE;
	return FALSE;
}

static gboolean
rspro_connection_flush_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	g_autoptr(RsproConnection) self =
	    g_object_ref(((RsproConnectionFlushSource *)source)->conn);

	g_source_set_ready_time(source, -1);
	if (!self->write_error && !self->closed)
		rspro_connection_flush_queue(self, &self->write_error);
	if (self->write_error)
		rspro_connection_close_with(self, g_steal_pointer(&self->write_error));
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs rspro_connection_flush_source_funcs = {
	.prepare = rspro_connection_flush_prepare,
	.dispatch = rspro_connection_flush_dispatch,
};

static void
rspro_connection_ensure_flush_source(RsproConnection *self)
{
	if (self->flush_source)
		return;
	self->flush_source =
	    g_source_new(&rspro_connection_flush_source_funcs, sizeof(RsproConnectionFlushSource));
	((RsproConnectionFlushSource *)self->flush_source)->conn = self;
	g_source_set_static_name(self->flush_source, "[rspro] write flush");
	g_source_attach(self->flush_source, rspro_connection_context(self));
}

/* the socket is lent and this side needs it: tell the borrower, once */
static void
rspro_connection_want_back(RsproConnection *self)
{
	if (!self->lent || self->wanted_told || self->wanted == NULL)
		return;
	self->wanted_told = TRUE;
	self->wanted(self->wanted_data);
}

static void
rspro_connection_kick_write(RsproConnection *self)
{
	if (self->closed || g_queue_is_empty(&self->write_queue))
		return;
	if (self->lent) {
		rspro_connection_want_back(self);
		return;
	}
	rspro_connection_ensure_flush_source(self);
	if (self->write_source || self->write_error)
		return;
	/* a second frame in the same iteration waits for the flush: one write for the burst */
	if (self->wrote_now) {
		g_source_set_ready_time(self->flush_source, 0);
		return;
	}
	self->wrote_now = TRUE;
	/* an error here is reported from the main loop, never from inside send() */
	if (!rspro_connection_flush_queue(self, &self->write_error))
		g_source_set_ready_time(self->flush_source, 0);
}

/*
 * Past the hard limit: the flush source closes the connection from the main
 * loop; the owner's ::closed handler logs the reason.
 */
static void
rspro_connection_overflow(RsproConnection *self)
{
	self->write_error =
	    g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_QUEUE_FULL,
			"more than %" G_GSIZE_FORMAT " bytes of output waiting", self->hard_limit);
	rspro_connection_ensure_flush_source(self);
	g_source_set_ready_time(self->flush_source, 0);
}

static void
rspro_connection_queue_frame(RsproConnection *self, GBytes *frame)
{
	gsize size = g_bytes_get_size(frame) + FRAME_OVERHEAD;

	/* a connection on its way out takes nothing more */
	if (self->write_error || self->closed) {
		g_bytes_unref(frame);
		return;
	}
	if (rspro_connection_get_queued_bytes(self) + size > self->hard_limit) {
		g_bytes_unref(frame);
		rspro_connection_overflow(self);
		return;
	}
	g_queue_push_tail(&self->write_queue, frame);
	self->queued += size;
	rspro_connection_kick_write(self);
	if (!self->read_paused && rspro_connection_get_queued_bytes(self) > self->high_water)
		rspro_connection_pause_reading(self);
}

static void
rspro_connection_stop_io(RsproConnection *self)
{
	GSource **sources[] = { &self->read_source, &self->write_source, &self->flush_source };

	for (guint i = 0; i < G_N_ELEMENTS(sources); i++) {
		if (*sources[i]) {
			g_source_destroy(*sources[i]);
			g_clear_pointer(sources[i], g_source_unref);
		}
	}
}

/* --- keep-alive --- */

static gboolean rspro_connection_keepalive_timer_cb(gpointer user_data);

static void
rspro_connection_arm_keepalive_timer(RsproConnection *self, guint ms)
{
	rspro_connection_stop_keepalive_timer(self);
	self->ka_timer = g_timeout_source_new(ms);
	g_source_set_callback(self->ka_timer, rspro_connection_keepalive_timer_cb, self, NULL);
	g_source_attach(self->ka_timer, self->context);
}

static void
rspro_connection_send_ping(RsproConnection *self)
{
	self->ka_waiting_pong = TRUE;
	rspro_connection_queue_frame(self, rspro_ipa_wrap_ccm(RSPRO_IPA_CCM_PING));
	rspro_connection_arm_keepalive_timer(self, self->ka_timeout_ms);
}

static gboolean
rspro_connection_keepalive_timer_cb(gpointer user_data)
{
	g_autoptr(RsproConnection) self = g_object_ref(user_data);

	g_clear_pointer(&self->ka_timer, g_source_unref);
	if (!self->ka_waiting_pong) {
		rspro_connection_send_ping(self);
		return G_SOURCE_REMOVE;
	}
	rspro_connection_close_with(
	    self, g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_KEEPALIVE,
			      "no keep-alive PONG within %u ms", self->ka_timeout_ms));
	return G_SOURCE_REMOVE;
}

static void
rspro_connection_on_pong(RsproConnection *self)
{
	if (!self->ka_interval_ms || !self->ka_waiting_pong)
		return;
	self->ka_waiting_pong = FALSE;
	rspro_connection_arm_keepalive_timer(self, self->ka_interval_ms);
}

/* --- reading --- */

static void
rspro_connection_handle_ccm(RsproConnection *self, const guint8 *p)
{
	switch (p[0]) {
	case RSPRO_IPA_CCM_PING:
		rspro_connection_queue_frame(self, rspro_ipa_wrap_ccm(RSPRO_IPA_CCM_PONG));
		break;
	case RSPRO_IPA_CCM_PONG:
		rspro_connection_on_pong(self);
		break;
	case RSPRO_IPA_CCM_ID_ACK:
		rspro_connection_queue_frame(self, rspro_ipa_wrap_ccm(RSPRO_IPA_CCM_ID_ACK));
		break;
	default:
		g_debug("RSPRO peer %s: ignoring IPA CCM message 0x%02x", self->peer_name, p[0]);
		break;
	}
}

/* TRUE if a waiting request took the PDU; then *@pdu is consumed (set to NULL) */
static gboolean
rspro_connection_dispatch_to_request(RsproConnection *self, RsproPdu **pdu)
{
	for (GList *l = self->requests.head; l; l = l->next) {
		RsproConnectionRequest *req = l->data;

		if (req->type != (*pdu)->type)
			continue;
		g_queue_delete_link(&self->requests, l);

		GTask *task = g_steal_pointer(&req->task);

		rspro_connection_request_free(req);
		if (!task) {
			g_debug("RSPRO peer %s: dropping the response of an abandoned request",
				self->peer_name);
			return TRUE;
		}
		g_task_return_pointer(task, g_steal_pointer(pdu), (GDestroyNotify)rspro_pdu_free);
		g_object_unref(task);
		return TRUE;
	}
	return FALSE;
}

/* TRUE if a request waits for a response of @type: it takes a PDU of its own */
static gboolean
rspro_connection_awaits(RsproConnection *self, RsproMsgType type)
{
	for (GList *l = self->requests.head; l; l = l->next)
		if (((RsproConnectionRequest *)l->data)->type == type)
			return TRUE;
	return FALSE;
}

/*
 * A TPDU message (one each way per relayed APDU) decoded into the PDU the
 * connection keeps: ::message handlers see a PDU only while they run, and keep
 * what they need (the data, by reference). FALSE: decode it the long way.
 */
static gboolean
rspro_connection_handle_tpdu(RsproConnection *self, const guint8 *data, gsize len)
{
	RsproTpduView view;
	RsproPdu *pdu;
	GBytes **payload;

	if (!rspro_pdu_der_read_tpdu(&view, data, len) || rspro_connection_awaits(self, view.type))
		return FALSE;
	if (self->rx_tpdu == NULL)
		self->rx_tpdu = rspro_pdu_new(view.type);
	pdu = self->rx_tpdu;
	pdu->type = view.type;
	pdu->version = view.version;
	pdu->tag = view.tag;
	if (view.type == RSPRO_MSG_TPDU_MODEM_TO_CARD) {
		pdu->u.tpdu_modem_to_card.from_client_slot = view.client_slot;
		pdu->u.tpdu_modem_to_card.to_bank_slot = view.bank_slot;
		pdu->u.tpdu_modem_to_card.flags = view.flags;
		payload = &pdu->u.tpdu_modem_to_card.data;
	} else {
		pdu->u.tpdu_card_to_modem.from_bank_slot = view.bank_slot;
		pdu->u.tpdu_card_to_modem.to_client_slot = view.client_slot;
		pdu->u.tpdu_card_to_modem.flags = view.flags;
		payload = &pdu->u.tpdu_card_to_modem.data;
	}
	*payload = g_bytes_new(view.data, view.data_len);
	self->pdus_received++;
	g_signal_emit(self, signals[SIGNAL_MESSAGE], 0, pdu);
	g_clear_pointer(payload, g_bytes_unref);
	return TRUE;
}

static void
rspro_connection_handle_rspro(RsproConnection *self, const guint8 *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = NULL;

	if (rspro_connection_handle_tpdu(self, data, len))
		return;
	pdu = rspro_pdu_decode(data, len, &error);
	if (!pdu) {
		rspro_connection_close_with(
		    self, g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_DECODE,
				      "undecodable PDU: %s", error->message));
		return;
	}
	self->pdus_received++;
	if (!rspro_connection_dispatch_to_request(self, &pdu))
		g_signal_emit(self, signals[SIGNAL_MESSAGE], 0, pdu);
}

static void
rspro_connection_handle_remsim(RsproConnection *self, const guint8 *data, gsize len)
{
	g_autoptr(GBytes) payload = g_bytes_new(data, len);

	g_signal_emit(self, signals[SIGNAL_REMSIM_MESSAGE], 0, payload);
}

static void
rspro_connection_process_frames(RsproConnection *self)
{
	/* a ::message handler may close the connection or lend its socket */
	while (!self->closed && !self->lent) {
		g_autoptr(GError) error = NULL;
		RsproIpaFrameView frame;

		if (!rspro_ipa_deframer_next_view(self->deframer, &frame, &error)) {
			if (!error)
				return;
			rspro_connection_close_with(
			    self,
			    g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_FRAMING,
					"bad IPA frame: %s", error->message));
			return;
		}
		if (frame.kind == RSPRO_IPA_FRAME_CCM)
			rspro_connection_handle_ccm(self, frame.payload);
		else if (frame.kind == RSPRO_IPA_FRAME_REMSIM)
			rspro_connection_handle_remsim(self, frame.payload, frame.len);
		else
			rspro_connection_handle_rspro(self, frame.payload, frame.len);
	}
}

/* FALSE once the connection is closed: the caller stops reading */
static gboolean
rspro_connection_take_bytes(RsproConnection *self, const guint8 *data, gsize len)
{
	if (len == 0) {
		g_debug("RSPRO peer %s closed the connection", self->peer_name);
		rspro_connection_close_with(self, g_error_new(RSPRO_CONNECTION_ERROR,
							      RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER,
							      "connection closed by the peer"));
		return FALSE;
	}
	rspro_ipa_deframer_feed(self->deframer, data, len);
	rspro_connection_process_frames(self);
	return !self->closed && !self->lent;
}

static void
rspro_connection_read_failed(RsproConnection *self, const GError *error)
{
	rspro_connection_close_with(self,
				    g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_IO,
						"read failed: %s", error->message));
}

static gboolean rspro_connection_read_available(RsproConnection *self);

static gboolean
rspro_connection_on_readable(gpointer user_data)
{
	g_autoptr(RsproConnection) self = g_object_ref(user_data);
	gboolean keep;

	/* a nested main loop in a ::message handler: the outer call reads on when it returns */
	if (self->in_read)
		return G_SOURCE_CONTINUE;
	self->in_read = TRUE;
	keep = rspro_connection_read_available(self);
	self->in_read = FALSE;
	return keep;
}

static gboolean
rspro_connection_on_socket_readable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	return rspro_connection_on_readable(user_data);
}

static gboolean
rspro_connection_on_stream_readable(GObject *stream, gpointer user_data)
{
	return rspro_connection_on_readable(user_data);
}

static gboolean
rspro_connection_read_available(RsproConnection *self)
{
	GPollableInputStream *stream =
	    G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(self->stream));

	for (;;) {
		g_autoptr(GError) error = NULL;
		gssize n = g_pollable_input_stream_read_nonblocking(stream, self->read_buf,
								    READ_CHUNK, NULL, &error);

		if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			return G_SOURCE_CONTINUE;
		if (n < 0) {
			rspro_connection_read_failed(self, error);
			return G_SOURCE_REMOVE;
		}
		if (!rspro_connection_take_bytes(self, self->read_buf, n))
			return G_SOURCE_REMOVE;
		if (self->read_paused) {
			/* the dispatch removes the source; resuming makes a new one */
			g_clear_pointer(&self->read_source, g_source_unref);
			return G_SOURCE_REMOVE;
		}
		/* a short read emptied the socket: no need to hear EAGAIN from it */
		if (n < READ_CHUNK)
			return G_SOURCE_CONTINUE;
	}
}

static void
rspro_connection_attach_read_source(RsproConnection *self)
{
	GInputStream *in = g_io_stream_get_input_stream(self->stream);

	if (rspro_connection_stream_is_plain(self->stream)) {
		GSocket *socket = g_socket_connection_get_socket(G_SOCKET_CONNECTION(self->stream));

		/*
		 * The socket's own source rather than the stream's, which wraps it as
		 * a child: GLib takes the fd of a dispatching source that cannot
		 * recurse out of the poll set and puts it back after, waking the loop
		 * twice per read. rspro_connection_on_readable refuses to nest on its own instead.
		 */
		self->read_source = g_socket_create_source(socket, G_IO_IN, NULL);
		g_source_set_callback(self->read_source,
				      G_SOURCE_FUNC(rspro_connection_on_socket_readable), self,
				      NULL);
		g_source_set_can_recurse(self->read_source, TRUE);
	} else {
		self->read_source =
		    g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(in), NULL);
		g_source_set_callback(self->read_source,
				      G_SOURCE_FUNC(rspro_connection_on_stream_readable), self,
				      NULL);
	}
	g_source_set_static_name(self->read_source, "[rspro] read");
	g_source_attach(self->read_source, self->context);
}

void
rspro_connection_start(RsproConnection *self)
{
	g_return_if_fail(RSPRO_IS_CONNECTION(self));

	if (self->started || self->closed)
		return;
	self->started = TRUE;
	rspro_connection_context(self);
	self->read_buf = g_malloc(READ_CHUNK);
	if (!self->read_paused)
		rspro_connection_attach_read_source(self);
	if (self->ka_interval_ms)
		rspro_connection_send_ping(self);
}

/* --- closing --- */

static void
rspro_connection_stream_closed_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	if (!g_io_stream_close_finish(G_IO_STREAM(source), result, &error))
		g_debug("closing an RSPRO stream: %s", error->message);
}

static void
rspro_connection_close_with(RsproConnection *self, GError *reason)
{
	if (self->closed) {
		g_error_free(reason);
		return;
	}
	g_object_ref(self);
	self->closed = TRUE;
	g_cancellable_cancel(self->cancellable);
	rspro_connection_stop_io(self);
	rspro_connection_stop_keepalive_timer(self);
	rspro_connection_stop_stall_timer(self);
	g_queue_clear_full(&self->write_queue, (GDestroyNotify)g_bytes_unref);
	self->queued = 0;

	RsproConnectionRequest *req;
	while ((req = g_queue_pop_head(&self->requests))) {
		rspro_connection_request_abandon(req, g_error_copy(reason));
		rspro_connection_request_free(req);
	}
	g_signal_emit(self, signals[SIGNAL_CLOSED], 0, reason);
	if (self->lent) {
		/* the borrower may be using the socket: it closes when it is back */
		self->close_deferred = TRUE;
		rspro_connection_want_back(self);
	} else {
		/* non-blocking for sockets; a TLS stream may need a round trip */
		g_io_stream_close_async(self->stream, G_PRIORITY_DEFAULT, NULL,
					rspro_connection_stream_closed_ready, NULL);
	}
	g_error_free(reason);
	g_object_unref(self);
}

void
rspro_connection_close(RsproConnection *self)
{
	g_return_if_fail(RSPRO_IS_CONNECTION(self));

	/* what was sent before must still go: the close waits for the socket to be back */
	if (self->lent && !self->closed) {
		self->close_on_return = TRUE;
		rspro_connection_want_back(self);
		return;
	}
	/* what was sent before a local close goes out if the socket takes it now */
	if (!self->closed && !self->lent && !self->write_error && !self->write_source)
		rspro_connection_flush_queue(self, NULL);
	rspro_connection_close_with(self, g_error_new(RSPRO_CONNECTION_ERROR,
						      RSPRO_CONNECTION_ERROR_CLOSED,
						      "connection closed locally"));
}

gboolean
rspro_connection_reason_is_clean(const GError *reason)
{
	return reason == NULL ||
	       g_error_matches(reason, RSPRO_CONNECTION_ERROR,
			       RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER) ||
	       g_error_matches(reason, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED);
}

gboolean
rspro_connection_is_closed(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), TRUE);
	return self->closed;
}

/* --- sending --- */

static GBytes *
rspro_connection_encode_frame(const RsproPdu *pdu, GError **error)
{
	g_autoptr(GBytes) encoded = rspro_pdu_encode(pdu, error);

	if (!encoded)
		return NULL;
	return rspro_ipa_wrap_rspro(encoded, error);
}

/* a TPDU message's view, or FALSE for any other message */
static gboolean
rspro_connection_tpdu_view(const RsproPdu *pdu, RsproTpduView *view)
{
	GBytes *data;

	view->type = pdu->type;
	view->version = pdu->version;
	view->tag = pdu->tag;
	if (pdu->type == RSPRO_MSG_TPDU_MODEM_TO_CARD) {
		view->client_slot = pdu->u.tpdu_modem_to_card.from_client_slot;
		view->bank_slot = pdu->u.tpdu_modem_to_card.to_bank_slot;
		view->flags = pdu->u.tpdu_modem_to_card.flags;
		data = pdu->u.tpdu_modem_to_card.data;
	} else if (pdu->type == RSPRO_MSG_TPDU_CARD_TO_MODEM) {
		view->client_slot = pdu->u.tpdu_card_to_modem.to_client_slot;
		view->bank_slot = pdu->u.tpdu_card_to_modem.from_bank_slot;
		view->flags = pdu->u.tpdu_card_to_modem.flags;
		data = pdu->u.tpdu_card_to_modem.data;
	} else {
		return FALSE;
	}
	view->data = data != NULL ? g_bytes_get_data(data, &view->data_len) : NULL;
	if (data == NULL)
		view->data_len = 0;
	return TRUE;
}

/*
 * A TPDU message that can go out at once is framed in the connection's own
 * buffer and written from there: no allocation on the relay's path. TRUE if
 * it went (or is now pending: then it was copied).
 */
static gboolean
rspro_connection_send_in_place(RsproConnection *self, const RsproPdu *pdu)
{
	GPollableOutputStream *out;
	RsproTpduView view;
	gsize cap, len;
	gssize n;

	if (self->lent || self->wrote_now || self->write_source || self->write_error ||
	    self->pending != NULL || !g_queue_is_empty(&self->write_queue) || !self->started ||
	    !rspro_connection_tpdu_view(pdu, &view) || !rspro_pdu_check_constraints(pdu, NULL))
		return FALSE;
	cap = view.data_len + 64;
	if (self->frame_buf == NULL)
		self->frame_buf = g_byte_array_sized_new(512);
	g_byte_array_set_size(self->frame_buf, cap + 4);
	len = rspro_pdu_der_write_tpdu(&view, self->frame_buf->data + 4, cap);
	if (len == 0 || len > RSPRO_IPA_PDU_MAX)
		return FALSE;
	rspro_ipa_put_rspro_header(self->frame_buf->data, len);
	len += 4;
	rspro_connection_ensure_flush_source(self);
	self->wrote_now = TRUE;
	self->pdus_sent++;
	out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(self->stream));
	n = g_pollable_output_stream_write_nonblocking(out, self->frame_buf->data, len, NULL,
						       &self->write_error);
	if (n < 0 && g_error_matches(self->write_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
		g_clear_error(&self->write_error);
		n = 0;
	}
	if (n < 0) {
		/* reported from the main loop, never from inside send() */
		g_source_set_ready_time(self->flush_source, 0);
		return TRUE;
	}
	if ((gsize)n < len) {
		/* the rest goes out when the socket has room */
		self->pending = g_bytes_new(self->frame_buf->data + n, len - n);
		self->pending_off = 0;
		rspro_connection_wait_for_room(self);
	}
	return TRUE;
}

gboolean
rspro_connection_send(RsproConnection *self, const RsproPdu *pdu, GError **error)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), FALSE);
	g_return_val_if_fail(pdu != NULL, FALSE);

	if (self->closed) {
		g_set_error(error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED,
			    "connection is closed");
		return FALSE;
	}
	if (rspro_connection_send_in_place(self, pdu))
		return TRUE;

	GBytes *frame = rspro_connection_encode_frame(pdu, error);

	if (!frame)
		return FALSE;
	self->pdus_sent++;
	rspro_connection_queue_frame(self, frame);
	return TRUE;
}

gboolean
rspro_connection_send_remsim(RsproConnection *self, GBytes *payload, GError **error)
{
	GBytes *frame;

	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), FALSE);

	if (self->closed) {
		g_set_error(error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED,
			    "connection is closed");
		return FALSE;
	}
	frame = rspro_ipa_wrap_remsim(payload, error);
	if (!frame)
		return FALSE;
	rspro_connection_queue_frame(self, frame);
	return TRUE;
}

/* --- requests --- */

static gboolean
rspro_connection_request_timeout_cb(gpointer user_data)
{
	RsproConnectionRequest *req = user_data;

	g_clear_pointer(&req->timeout, g_source_unref);
	rspro_connection_request_abandon(
	    req, g_error_new(RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_TIMEOUT,
			     "no %s within the time limit", rspro_msg_type_to_string(req->type)));
	return G_SOURCE_REMOVE;
}

static gboolean
rspro_connection_on_request_cancelled(GCancellable *cancellable, gpointer user_data)
{
	RsproConnectionRequest *req = user_data;

	g_clear_pointer(&req->cancel, g_source_unref);
	rspro_connection_request_abandon(
	    req, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "operation was cancelled"));
	return G_SOURCE_REMOVE;
}

void
rspro_connection_request_async(RsproConnection *self, const RsproPdu *request,
			       RsproMsgType response_type, guint timeout_ms,
			       GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data)
{
	g_return_if_fail(RSPRO_IS_CONNECTION(self));
	g_return_if_fail(request != NULL);

	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GError) error = NULL;

	g_task_set_source_tag(task, rspro_connection_request_async);
	if (!rspro_connection_send(self, request, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}

	RsproConnectionRequest *req = g_new0(RsproConnectionRequest, 1);
	GMainContext *context = g_task_get_context(task);

	req->type = response_type;
	req->task = g_object_ref(task);
	if (timeout_ms) {
		req->timeout = g_timeout_source_new(timeout_ms);
		g_source_set_callback(req->timeout, rspro_connection_request_timeout_cb, req, NULL);
		g_source_attach(req->timeout, context);
	}
	if (cancellable) {
		req->cancel = g_cancellable_source_new(cancellable);
		g_source_set_callback(
		    req->cancel, G_SOURCE_FUNC(rspro_connection_on_request_cancelled), req, NULL);
		g_source_attach(req->cancel, context);
	}
	g_queue_push_tail(&self->requests, req);
}

RsproPdu *
rspro_connection_request_finish(RsproConnection *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* --- lending the socket --- */

gboolean
rspro_connection_lend(RsproConnection *self, RsproConnectionWantedFunc wanted, gpointer user_data,
		      int *fd, GByteArray *unread)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), FALSE);
	g_return_val_if_fail(wanted != NULL, FALSE);

	/*
	 * only a plain socket with nothing of ours on its way, and no answer
	 * awaited: never the socket under TLS, whose bytes only the TLS
	 * connection may read and write
	 */
	if (self->closed || self->lent || !self->started ||
	    !rspro_connection_stream_is_plain(self->stream) || self->read_paused ||
	    self->pending != NULL || self->write_source != NULL || self->write_error != NULL ||
	    !g_queue_is_empty(&self->write_queue) || !g_queue_is_empty(&self->requests) ||
	    self->ka_interval_ms != 0)
		return FALSE;
	if (self->read_source != NULL) {
		g_source_destroy(self->read_source);
		g_clear_pointer(&self->read_source, g_source_unref);
	}
	self->lent = TRUE;
	self->wanted = wanted;
	self->wanted_data = user_data;
	self->wanted_told = FALSE;
	rspro_ipa_deframer_take_pending(self->deframer, unread);
	*fd = g_socket_get_fd(g_socket_connection_get_socket(G_SOCKET_CONNECTION(self->stream)));
	return TRUE;
}

void
rspro_connection_give_back(RsproConnection *self, const guint8 *unread, gsize unread_len,
			   const guint8 *unsent, gsize unsent_len, guint64 received, guint64 sent)
{
	g_autoptr(RsproConnection) keep = NULL;

	g_return_if_fail(RSPRO_IS_CONNECTION(self));
	g_return_if_fail(self->lent);

	keep = g_object_ref(self);
	self->lent = FALSE;
	self->wanted = NULL;
	self->wanted_data = NULL;
	self->pdus_received += received;
	self->pdus_sent += sent;
	if (self->closed) {
		if (self->close_deferred)
			g_io_stream_close_async(self->stream, G_PRIORITY_DEFAULT, NULL,
						rspro_connection_stream_closed_ready, NULL);
		self->close_deferred = FALSE;
		return;
	}
	/* a frame the borrower began to write ends before anything of ours */
	if (unsent_len > 0) {
		g_queue_push_head(&self->write_queue, g_bytes_new(unsent, unsent_len));
		self->queued += unsent_len + FRAME_OVERHEAD;
	}
	if (self->close_on_return) {
		self->close_on_return = FALSE;
		rspro_connection_close(self);
		return;
	}
	if (!self->read_paused)
		rspro_connection_attach_read_source(self);
	if (unread_len > 0) {
		rspro_ipa_deframer_feed(self->deframer, unread, unread_len);
		rspro_connection_process_frames(self);
	}
	if (!self->closed && !self->lent && !self->write_error && !self->write_source &&
	    !rspro_connection_flush_queue(self, &self->write_error))
		rspro_connection_close_with(self, g_steal_pointer(&self->write_error));
}

gboolean
rspro_connection_is_lent(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), FALSE);
	return self->lent;
}

/* --- accessors --- */

GInetSocketAddress *
rspro_connection_get_remote_address(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), NULL);
	return self->remote;
}

GInetSocketAddress *
rspro_connection_get_local_address(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), NULL);
	return self->local;
}

GTlsCertificate *
rspro_connection_get_peer_certificate(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), NULL);
	if (!G_IS_TLS_CONNECTION(self->stream))
		return NULL;
	return g_tls_connection_get_peer_certificate(G_TLS_CONNECTION(self->stream));
}

gboolean
rspro_connection_is_tls(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), FALSE);
	return G_IS_TLS_CONNECTION(self->stream);
}

const gchar *
rspro_connection_get_peer_name(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), NULL);
	return self->peer_name;
}

guint64
rspro_connection_get_pdus_received(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), 0);
	return self->pdus_received;
}

guint64
rspro_connection_get_pdus_sent(RsproConnection *self)
{
	g_return_val_if_fail(RSPRO_IS_CONNECTION(self), 0);
	return self->pdus_sent;
}
