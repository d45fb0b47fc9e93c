/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gunixsocketaddress.h>

#include "remsim-ccid-error.h"
#include "remsim-ccid-socket.h"
#include "remsim-ccid-wire.h"

#define REMSIM_CCID_SOCKET_READ_SIZE 16384
#define REMSIM_CCID_SOCKET_RETRY_MIN_MS 100
#define REMSIM_CCID_SOCKET_RETRY_MAX_MS 2000

typedef struct {
	RemsimCcidSocket *self;
	guint32 tag;
	guint device;
	GTask *task;
	guint timeout_id;
	GCancellable *cancellable;
	gulong cancel_id;
} RemsimCcidSocketPending;

struct _RemsimCcidSocket {
	RemsimCcidTransport parent_instance;
	gchar *path;
	GSocketClient *client;
	GSocketConnection *conn;
	GCancellable *cancellable; /* of the connection's reads, writes and dialling */
	GByteArray *in;
	guint8 *chunk; /* one read: reused, not allocated per read */
	GQueue out;    /* GBytes */
	gboolean writing;
	GHashTable *pending; /* tag → RemsimCcidSocketPending */
	GHashTable *devices; /* id → (nothing) */
	guint32 next_tag;
	guint retry_id;
	guint retry_ms;
	gboolean warned;
};

G_DEFINE_FINAL_TYPE(RemsimCcidSocket, remsim_ccid_socket, REMSIM_TYPE_CCID_TRANSPORT)

static void remsim_ccid_socket_dial(RemsimCcidSocket *self);
static void remsim_ccid_socket_read(RemsimCcidSocket *self);

static void
remsim_ccid_socket_pending_free(gpointer data)
{
	RemsimCcidSocketPending *p = data;

	g_clear_handle_id(&p->timeout_id, g_source_remove);
	if (p->cancellable != NULL)
		g_cancellable_disconnect(p->cancellable, p->cancel_id);
	g_clear_object(&p->cancellable);
	g_clear_object(&p->task);
	g_free(p);
}

/* ends transfer @tag: with @data, or with @error (taken) */
static void
remsim_ccid_socket_finish_pending(RemsimCcidSocket *self, guint32 tag, GBytes *data, GError *error)
{
	RemsimCcidSocketPending *p = NULL;
	g_autoptr(GTask) task = NULL;

	if (!g_hash_table_steal_extended(self->pending, GUINT_TO_POINTER(tag), NULL,
					 (gpointer *)&p)) {
		g_clear_error(&error);
		return;
	}
	task = g_steal_pointer(&p->task);
	remsim_ccid_socket_pending_free(p);
	if (error != NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, g_bytes_ref(data), (GDestroyNotify)g_bytes_unref);
}

static void
remsim_ccid_socket_write_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimCcidSocket *self = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("CCID simulator: write failed: %s", error->message);
		g_object_unref(self);
		return;
	}
	g_bytes_unref(g_queue_pop_head(&self->out));
	self->writing = FALSE;
	if (!g_queue_is_empty(&self->out) && self->conn != NULL) {
		GBytes *next = g_queue_peek_head(&self->out);

		self->writing = TRUE;
		g_output_stream_write_all_async(
		    g_io_stream_get_output_stream(G_IO_STREAM(self->conn)),
		    g_bytes_get_data(next, NULL), g_bytes_get_size(next), G_PRIORITY_DEFAULT,
		    self->cancellable, remsim_ccid_socket_write_ready, g_object_ref(self));
	}
	g_object_unref(self);
}

static void
remsim_ccid_socket_send(RemsimCcidSocket *self, guint8 op, guint device, guint32 tag, guint32 value,
			GBytes *data)
{
	RemsimCcidWireFrame frame = { op, 0, (guint16)device, tag, value, data };
	GBytes *bytes;

	if (self->conn == NULL)
		return;
	bytes = remsim_ccid_wire_encode(&frame);
	/* most frames go at once without blocking; the rest waits for the socket */
	if (!self->writing) {
		GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM(
		    g_io_stream_get_output_stream(G_IO_STREAM(self->conn)));
		gsize len = g_bytes_get_size(bytes);
		gssize n = g_pollable_output_stream_write_nonblocking(
		    out, g_bytes_get_data(bytes, NULL), len, NULL, NULL);

		if (n == (gssize)len) {
			g_bytes_unref(bytes);
			return;
		}
		if (n > 0) {
			GBytes *rest = g_bytes_new_from_bytes(bytes, (gsize)n, len - (gsize)n);

			g_bytes_unref(bytes);
			bytes = rest;
		}
	}
	g_queue_push_tail(&self->out, bytes);
	if (self->writing)
		return;
	self->writing = TRUE;
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(self->conn)),
					g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes),
					G_PRIORITY_DEFAULT, self->cancellable,
					remsim_ccid_socket_write_ready, g_object_ref(self));
}

static GError *
remsim_ccid_socket_no_device(guint device)
{
	return g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE,
			   "simulated device %u is gone", device);
}

/* every transfer of @device (of all devices if G_MAXUINT) ends with NO_DEVICE */
static void
remsim_ccid_socket_fail_device(RemsimCcidSocket *self, guint device)
{
	g_autoptr(GList) tags = g_hash_table_get_keys(self->pending);

	for (GList *l = tags; l != NULL; l = l->next) {
		RemsimCcidSocketPending *p = g_hash_table_lookup(self->pending, l->data);

		if (p != NULL && (device == G_MAXUINT || p->device == device))
			remsim_ccid_socket_finish_pending(self, GPOINTER_TO_UINT(l->data), NULL,
							  remsim_ccid_socket_no_device(p->device));
	}
}

static void
remsim_ccid_socket_on_frame(RemsimCcidSocket *self, const RemsimCcidWireFrame *frame)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimCcidDeviceInfo) info = NULL;

	switch (frame->op) {
	case REMSIM_CCID_WIRE_DEVICE_ADDED:
		info = remsim_ccid_wire_decode_device(frame->device, frame->data, &error);
		if (info == NULL) {
			g_warning("CCID simulator: %s", error->message);
			return;
		}
		g_hash_table_add(self->devices, GUINT_TO_POINTER(frame->device));
		remsim_ccid_transport_emit_device_added(REMSIM_CCID_TRANSPORT(self), info);
		break;
	case REMSIM_CCID_WIRE_DEVICE_REMOVED:
		if (!g_hash_table_remove(self->devices, GUINT_TO_POINTER(frame->device)))
			return;
		remsim_ccid_socket_fail_device(self, frame->device);
		remsim_ccid_transport_emit_device_removed(REMSIM_CCID_TRANSPORT(self),
							  frame->device);
		break;
	case REMSIM_CCID_WIRE_COMPLETE:
		if (frame->status == REMSIM_CCID_WIRE_STATUS_OK)
			remsim_ccid_socket_finish_pending(self, frame->tag, frame->data, NULL);
		else if (frame->status == REMSIM_CCID_WIRE_STATUS_NO_DEVICE)
			remsim_ccid_socket_finish_pending(
			    self, frame->tag, NULL, remsim_ccid_socket_no_device(frame->device));
		else
			remsim_ccid_socket_finish_pending(
			    self, frame->tag, NULL,
			    g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_IO,
					"simulated transfer failed (status %u)", frame->status));
		break;
	default:
		g_debug("CCID simulator: frame of unknown type 0x%02x", frame->op);
	}
}

static gboolean
remsim_ccid_socket_retry_cb(gpointer user_data)
{
	RemsimCcidSocket *self = user_data;

	self->retry_id = 0;
	remsim_ccid_socket_dial(self);
	return G_SOURCE_REMOVE;
}

/* the simulator is gone: its devices too; dial again later */
static void
remsim_ccid_socket_lost(RemsimCcidSocket *self, const gchar *why)
{
	g_autoptr(GList) ids = g_hash_table_get_keys(self->devices);

	if (self->conn != NULL)
		g_message("CCID simulator %s: connection lost: %s", self->path, why);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	g_clear_object(&self->conn);
	g_queue_clear_full(&self->out, (GDestroyNotify)g_bytes_unref);
	self->writing = FALSE;
	g_byte_array_set_size(self->in, 0);
	remsim_ccid_socket_fail_device(self, G_MAXUINT);
	g_hash_table_remove_all(self->devices);
	for (GList *l = ids; l != NULL; l = l->next)
		remsim_ccid_transport_emit_device_removed(REMSIM_CCID_TRANSPORT(self),
							  GPOINTER_TO_UINT(l->data));
	self->retry_ms = CLAMP(self->retry_ms * 2, REMSIM_CCID_SOCKET_RETRY_MIN_MS,
			       REMSIM_CCID_SOCKET_RETRY_MAX_MS);
	if (self->retry_id == 0)
		self->retry_id = g_timeout_add(self->retry_ms, remsim_ccid_socket_retry_cb, self);
}

static void
remsim_ccid_socket_read_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimCcidSocket *self = user_data;
	g_autoptr(GError) error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
	RemsimCcidWireFrame frame = { 0 };

	if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_object_unref(self);
		return;
	}
	if (n <= 0) {
		remsim_ccid_socket_lost(self, error != NULL ? error->message : "closed");
		g_object_unref(self);
		return;
	}
	g_byte_array_append(self->in, self->chunk, (guint)n);
	while (self->conn != NULL && remsim_ccid_wire_next(self->in, &frame, &error)) {
		remsim_ccid_socket_on_frame(self, &frame);
		remsim_ccid_wire_clear(&frame);
	}
	if (error != NULL)
		remsim_ccid_socket_lost(self, error->message);
	else if (self->conn != NULL)
		remsim_ccid_socket_read(self);
	g_object_unref(self);
}

static void
remsim_ccid_socket_read(RemsimCcidSocket *self)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(self->conn)),
				  self->chunk, REMSIM_CCID_SOCKET_READ_SIZE, G_PRIORITY_DEFAULT,
				  self->cancellable, remsim_ccid_socket_read_ready,
				  g_object_ref(self));
}

static void
remsim_ccid_socket_connect_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimCcidSocket *self = user_data;
	g_autoptr(GError) error = NULL;
	GSocketConnection *conn =
	    g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &error);

	if (conn == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			if (!self->warned)
				g_message("CCID simulator %s: %s; trying again", self->path,
					  error->message);
			self->warned = TRUE;
			remsim_ccid_socket_lost(self, error->message);
		}
		g_object_unref(self);
		return;
	}
	self->conn = conn;
	self->retry_ms = 0;
	self->warned = FALSE;
	g_message("CCID simulator %s: connected", self->path);
	remsim_ccid_socket_read(self);
	g_object_unref(self);
}

static void
remsim_ccid_socket_dial(RemsimCcidSocket *self)
{
	g_autoptr(GSocketAddress) address = g_unix_socket_address_new(self->path);

	g_socket_client_connect_async(self->client, G_SOCKET_CONNECTABLE(address),
				      self->cancellable, remsim_ccid_socket_connect_ready,
				      g_object_ref(self));
}

static gboolean
remsim_ccid_socket_start(RemsimCcidTransport *transport, GError **error)
{
	remsim_ccid_socket_dial(REMSIM_CCID_SOCKET(transport));
	return TRUE;
}

static gboolean
remsim_ccid_socket_open(RemsimCcidTransport *transport, guint device, GError **error)
{
	RemsimCcidSocket *self = REMSIM_CCID_SOCKET(transport);

	if (!g_hash_table_contains(self->devices, GUINT_TO_POINTER(device))) {
		g_propagate_error(error, remsim_ccid_socket_no_device(device));
		return FALSE;
	}
	remsim_ccid_socket_send(self, REMSIM_CCID_WIRE_OPEN, device, 0, 0, NULL);
	return TRUE;
}

static void
remsim_ccid_socket_close(RemsimCcidTransport *transport, guint device)
{
	RemsimCcidSocket *self = REMSIM_CCID_SOCKET(transport);

	remsim_ccid_socket_fail_device(self, device);
	if (g_hash_table_contains(self->devices, GUINT_TO_POINTER(device)))
		remsim_ccid_socket_send(self, REMSIM_CCID_WIRE_CLOSE, device, 0, 0, NULL);
}

static gboolean
remsim_ccid_socket_timeout_cb(gpointer user_data)
{
	RemsimCcidSocketPending *p = user_data;
	RemsimCcidSocket *self = p->self;
	guint32 tag = p->tag;

	p->timeout_id = 0;
	remsim_ccid_socket_send(self, REMSIM_CCID_WIRE_CANCEL, p->device, tag, 0, NULL);
	remsim_ccid_socket_finish_pending(
	    self, tag, NULL,
	    g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_TIMEOUT, "USB transfer timed out"));
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_ccid_socket_cancel_cb(gpointer user_data)
{
	RemsimCcidSocket *self = g_object_get_data(G_OBJECT(user_data), "socket");
	guint32 tag = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(user_data), "tag"));
	RemsimCcidSocketPending *p = g_hash_table_lookup(self->pending, GUINT_TO_POINTER(tag));

	if (p != NULL && p->task == user_data) {
		remsim_ccid_socket_send(self, REMSIM_CCID_WIRE_CANCEL, p->device, tag, 0, NULL);
		remsim_ccid_socket_finish_pending(
		    self, tag, NULL,
		    g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED, "USB transfer cancelled"));
	}
	return G_SOURCE_REMOVE;
}

static void
remsim_ccid_socket_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	/* not here: disconnecting from within the handler would deadlock */
	g_idle_add_full(G_PRIORITY_DEFAULT, remsim_ccid_socket_cancel_cb, g_object_ref(user_data),
			g_object_unref);
}

static void
remsim_ccid_socket_transfer_async(RemsimCcidTransport *transport, guint device,
				  const RemsimCcidTransfer *transfer, GCancellable *cancellable,
				  GAsyncReadyCallback callback, gpointer user_data)
{
	static const guint8 ops[] = {
		[REMSIM_CCID_TRANSFER_BULK_OUT] = REMSIM_CCID_WIRE_BULK_OUT,
		[REMSIM_CCID_TRANSFER_BULK_IN] = REMSIM_CCID_WIRE_BULK_IN,
		[REMSIM_CCID_TRANSFER_INTERRUPT_IN] = REMSIM_CCID_WIRE_INTERRUPT_IN,
		[REMSIM_CCID_TRANSFER_CONTROL] = REMSIM_CCID_WIRE_CONTROL,
	};
	RemsimCcidSocket *self = REMSIM_CCID_SOCKET(transport);
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimCcidSocketPending *p;
	g_autoptr(GBytes) data = NULL;

	g_task_set_source_tag(task, remsim_ccid_socket_transfer_async);
	if (self->conn == NULL || !g_hash_table_contains(self->devices, GUINT_TO_POINTER(device))) {
		g_task_return_error(task, remsim_ccid_socket_no_device(device));
		g_object_unref(task);
		return;
	}
	if (g_task_return_error_if_cancelled(task)) {
		g_object_unref(task);
		return;
	}
	if (transfer->kind == REMSIM_CCID_TRANSFER_CONTROL) {
		GByteArray *b = g_byte_array_new();

		g_byte_array_append(b, transfer->setup, 8);
		if (transfer->data != NULL)
			g_byte_array_append(b, g_bytes_get_data(transfer->data, NULL),
					    (guint)g_bytes_get_size(transfer->data));
		data = g_byte_array_free_to_bytes(b);
	} else if (transfer->data != NULL) {
		data = g_bytes_ref(transfer->data);
	}
	p = g_new0(RemsimCcidSocketPending, 1);
	p->self = self;
	p->tag = ++self->next_tag;
	p->device = device;
	p->task = task;
	g_object_set_data(G_OBJECT(task), "socket", self);
	g_object_set_data(G_OBJECT(task), "tag", GUINT_TO_POINTER(p->tag));
	p->timeout_id = g_timeout_add(transfer->timeout_ms, remsim_ccid_socket_timeout_cb, p);
	if (cancellable != NULL) {
		p->cancellable = g_object_ref(cancellable);
		p->cancel_id = g_cancellable_connect(
		    cancellable, G_CALLBACK(remsim_ccid_socket_cancelled_cb), task, NULL);
	}
	g_hash_table_insert(self->pending, GUINT_TO_POINTER(p->tag), p);
	remsim_ccid_socket_send(self, ops[transfer->kind], device, p->tag,
				(guint32)MIN(transfer->length, G_MAXUINT32), data);
}

static GBytes *
remsim_ccid_socket_transfer_finish(RemsimCcidTransport *transport, GAsyncResult *result,
				   GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_ccid_socket_dispose(GObject *object)
{
	RemsimCcidSocket *self = REMSIM_CCID_SOCKET(object);

	g_clear_handle_id(&self->retry_id, g_source_remove);
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	if (self->pending != NULL)
		remsim_ccid_socket_fail_device(self, G_MAXUINT);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(remsim_ccid_socket_parent_class)->dispose(object);
}

static void
remsim_ccid_socket_finalize(GObject *object)
{
	RemsimCcidSocket *self = REMSIM_CCID_SOCKET(object);

	g_queue_clear_full(&self->out, (GDestroyNotify)g_bytes_unref);
	g_hash_table_unref(self->pending);
	g_hash_table_unref(self->devices);
	g_byte_array_unref(self->in);
	g_free(self->chunk);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->client);
	g_free(self->path);
	G_OBJECT_CLASS(remsim_ccid_socket_parent_class)->finalize(object);
}

static void
remsim_ccid_socket_class_init(RemsimCcidSocketClass *klass)
{
	RemsimCcidTransportClass *transport_class = REMSIM_CCID_TRANSPORT_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_ccid_socket_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_ccid_socket_finalize;
	transport_class->start = remsim_ccid_socket_start;
	transport_class->open = remsim_ccid_socket_open;
	transport_class->close = remsim_ccid_socket_close;
	transport_class->transfer_async = remsim_ccid_socket_transfer_async;
	transport_class->transfer_finish = remsim_ccid_socket_transfer_finish;
}

static void
remsim_ccid_socket_init(RemsimCcidSocket *self)
{
	self->client = g_socket_client_new();
	self->cancellable = g_cancellable_new();
	self->in = g_byte_array_new();
	self->chunk = g_malloc(REMSIM_CCID_SOCKET_READ_SIZE);
	g_queue_init(&self->out);
	self->pending = g_hash_table_new_full(NULL, NULL, NULL, remsim_ccid_socket_pending_free);
	self->devices = g_hash_table_new(NULL, NULL);
}

RemsimCcidTransport *
remsim_ccid_socket_new(const gchar *path)
{
	RemsimCcidSocket *self = g_object_new(REMSIM_TYPE_CCID_SOCKET, NULL);

	self->path = g_strdup(path);
	return REMSIM_CCID_TRANSPORT(self);
}
