/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-server-rest-refusal.h"

/* how long and how much of the unwanted body is read and dropped before closing */
#define REMSIM_SERVER_REST_REFUSAL_DRAIN_MS 1000
#define REMSIM_SERVER_REST_REFUSAL_DRAIN_MAX (1024 * 1024)

typedef struct {
	GIOStream *stream;
	gchar *response;
	gsize response_len;
	GCancellable *cancellable; /* ends the drain */
	guint timer;
	gsize drained;
	guint8 buf[4096];
} RemsimServerRestRefusal;

static void
remsim_server_rest_refusal_free(RemsimServerRestRefusal *r)
{
	g_clear_handle_id(&r->timer, g_source_remove);
	g_clear_object(&r->stream);
	g_clear_object(&r->cancellable);
	g_free(r->response);
	g_free(r);
}

static void
remsim_server_rest_refusal_closed_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_io_stream_close_finish(G_IO_STREAM(source), result, NULL);
	remsim_server_rest_refusal_free(data);
}

static void
remsim_server_rest_refusal_close(RemsimServerRestRefusal *r)
{
	g_io_stream_close_async(r->stream, G_PRIORITY_DEFAULT, NULL,
				remsim_server_rest_refusal_closed_ready, r);
}

static gboolean
remsim_server_rest_refusal_timeout_cb(gpointer data)
{
	RemsimServerRestRefusal *r = data;

	r->timer = 0;
	g_cancellable_cancel(r->cancellable);
	return G_SOURCE_REMOVE;
}

static void remsim_server_rest_refusal_drain(RemsimServerRestRefusal *r);

static void
remsim_server_rest_refusal_drained_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerRestRefusal *r = data;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, NULL);

	/* the end, an error, the time or the amount: close */
	if (n <= 0 || (r->drained += n) >= REMSIM_SERVER_REST_REFUSAL_DRAIN_MAX) {
		remsim_server_rest_refusal_close(r);
		return;
	}
	remsim_server_rest_refusal_drain(r);
}

static void
remsim_server_rest_refusal_drain(RemsimServerRestRefusal *r)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(r->stream), r->buf, sizeof(r->buf),
				  G_PRIORITY_DEFAULT, r->cancellable,
				  remsim_server_rest_refusal_drained_ready, r);
}

static void
remsim_server_rest_refusal_written_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerRestRefusal *r = data;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, NULL)) {
		remsim_server_rest_refusal_close(r);
		return;
	}
	r->timer = g_timeout_add(REMSIM_SERVER_REST_REFUSAL_DRAIN_MS,
				 remsim_server_rest_refusal_timeout_cb, r);
	remsim_server_rest_refusal_drain(r);
}

void
remsim_server_rest_refusal_send(SoupServerMessage *msg, guint status, const gchar *headers,
				const gchar *body)
{
	GIOStream *stream;
	RemsimServerRestRefusal *r;

	/* set on the message too, for libsoup's log of it, before the message goes */
	soup_server_message_set_status(msg, status, NULL);
	stream = soup_server_message_steal_connection(msg);
	if (stream == NULL)
		return;
	r = g_new0(RemsimServerRestRefusal, 1);
	r->stream = stream;
	r->cancellable = g_cancellable_new();
	r->response = g_strdup_printf("HTTP/1.1 %u %s\r\nServer: remsim-server/" PACKAGE_VERSION
				      "\r\nConnection: close\r\n%sContent-Type: "
				      "application/json\r\nContent-Length: %zu\r\n\r\n%s",
				      status, soup_status_get_phrase(status),
				      headers != NULL ? headers : "", strlen(body), body);
	r->response_len = strlen(r->response);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(stream), r->response,
					r->response_len, G_PRIORITY_DEFAULT, NULL,
					remsim_server_rest_refusal_written_ready, r);
}
