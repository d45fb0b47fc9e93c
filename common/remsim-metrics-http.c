/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-metrics-http.h"
#include "remsim-metrics.h"
#include "rspro-acceptor.h"

/* scrapers are few: a handful of connections, none held longer than it is busy */
#define REMSIM_METRICS_HTTP_MAX_CONNECTIONS 64
#define REMSIM_METRICS_HTTP_MAX_PER_ADDRESS 16
#define REMSIM_METRICS_HTTP_IDLE_TIMEOUT_S 30

struct _RemsimMetricsHttp {
	GObject parent_instance;
	RsproAcceptor *acceptor; /* limits, and a back-off when out of descriptors */
	RemsimMetricsHttpRender render;
	gpointer user_data;
};

G_DEFINE_FINAL_TYPE(RemsimMetricsHttp, remsim_metrics_http, G_TYPE_OBJECT)

/* one connection: its request head so far */
typedef struct {
	RemsimMetricsHttp *self; /* strong */
	GSocketConnection *conn;
	GByteArray *head;
	guint8 buf[1024];
	gchar *reply;
} RemsimMetricsHttpRequest;

static void
remsim_metrics_http_request_free(RemsimMetricsHttpRequest *r)
{
	g_object_unref(r->self);
	g_io_stream_close(G_IO_STREAM(r->conn), NULL, NULL);
	g_object_unref(r->conn);
	g_byte_array_unref(r->head);
	g_free(r->reply);
	g_free(r);
}

static void
remsim_metrics_http_dispose(GObject *object)
{
	RemsimMetricsHttp *self = REMSIM_METRICS_HTTP(object);

	if (self->acceptor != NULL) {
		g_signal_handlers_disconnect_by_data(self->acceptor, self);
		rspro_acceptor_close(self->acceptor);
	}
	g_clear_object(&self->acceptor);
	G_OBJECT_CLASS(remsim_metrics_http_parent_class)->dispose(object);
}

static void
remsim_metrics_http_class_init(RemsimMetricsHttpClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_metrics_http_dispose;
}

static void
remsim_metrics_http_init(RemsimMetricsHttp *self)
{
}

static void
remsim_metrics_http_written_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimMetricsHttpRequest *r = user_data;

	g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, NULL);
	remsim_metrics_http_request_free(r);
}

static void
remsim_metrics_http_answer(RemsimMetricsHttpRequest *r, guint status, const gchar *reason,
			   const gchar *type, const gchar *body)
{
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(r->conn));

	r->reply = g_strdup_printf("HTTP/1.0 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
				   "Connection: close\r\n\r\n%s",
				   status, reason, type, strlen(body), body);
	g_output_stream_write_all_async(out, r->reply, strlen(r->reply), G_PRIORITY_DEFAULT, NULL,
					remsim_metrics_http_written_ready, r);
}

/* the whole head is in: "GET /metrics HTTP/1.x" gets the metrics */
static void
remsim_metrics_http_respond(RemsimMetricsHttpRequest *r)
{
	g_autofree gchar *head = g_strndup((const gchar *)r->head->data, r->head->len);
	g_auto(GStrv) words = g_strsplit(head, " ", 3);
	g_autoptr(GString) body = NULL;
	gchar *query;

	if (g_strv_length(words) < 3 || !g_str_equal(words[0], "GET")) {
		remsim_metrics_http_answer(r, 405, "Method Not Allowed", "text/plain",
					   "only GET /metrics\n");
		return;
	}
	if ((query = strchr(words[1], '?')) != NULL)
		*query = '\0';
	if (!g_str_equal(words[1], "/metrics")) {
		remsim_metrics_http_answer(r, 404, "Not Found", "text/plain",
					   "only GET /metrics\n");
		return;
	}
	body = g_string_new(NULL);
	r->self->render(body, r->self->user_data);
	remsim_metrics_http_answer(r, 200, "OK", REMSIM_METRICS_CONTENT_TYPE, body->str);
}

static void remsim_metrics_http_read(RemsimMetricsHttpRequest *r);

static void
remsim_metrics_http_read_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimMetricsHttpRequest *r = user_data;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, NULL);

	if (n <= 0) {
		remsim_metrics_http_request_free(r);
		return;
	}
	g_byte_array_append(r->head, r->buf, (guint)n);
	if (g_strstr_len((const gchar *)r->head->data, r->head->len, "\r\n\r\n") != NULL ||
	    g_strstr_len((const gchar *)r->head->data, r->head->len, "\n\n") != NULL) {
		remsim_metrics_http_respond(r);
		return;
	}
	if (r->head->len > REMSIM_METRICS_HTTP_HEAD_MAX) {
		remsim_metrics_http_answer(r, 431, "Request Header Fields Too Large", "text/plain",
					   "request head too large\n");
		return;
	}
	remsim_metrics_http_read(r);
}

static void
remsim_metrics_http_read(RemsimMetricsHttpRequest *r)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(r->conn));

	g_input_stream_read_async(in, r->buf, sizeof(r->buf), G_PRIORITY_DEFAULT, NULL,
				  remsim_metrics_http_read_ready, r);
}

static void
remsim_metrics_http_incoming_cb(RsproAcceptor *acceptor, GSocketConnection *conn,
				gpointer user_data)
{
	RemsimMetricsHttpRequest *r = g_new0(RemsimMetricsHttpRequest, 1);

	/* a peer that sends or reads nothing (a request it never finishes) is dropped */
	g_socket_set_timeout(g_socket_connection_get_socket(conn),
			     REMSIM_METRICS_HTTP_IDLE_TIMEOUT_S);
	r->self = g_object_ref(REMSIM_METRICS_HTTP(user_data));
	r->conn = g_object_ref(conn);
	r->head = g_byte_array_new();
	remsim_metrics_http_read(r);
}

RemsimMetricsHttp *
remsim_metrics_http_new(RemsimMetricsHttpRender render, gpointer user_data)
{
	RemsimMetricsHttp *self = g_object_new(REMSIM_TYPE_METRICS_HTTP, NULL);

	self->render = render;
	self->user_data = user_data;
	return self;
}

gboolean
remsim_metrics_http_listen(RemsimMetricsHttp *self, const gchar *bind_ip, guint16 port,
			   GError **error)
{
	g_autoptr(RsproAcceptor) acceptor = rspro_acceptor_new("metrics");

	g_return_val_if_fail(self->acceptor == NULL, FALSE);

	rspro_acceptor_set_limits(acceptor, REMSIM_METRICS_HTTP_MAX_CONNECTIONS,
				  REMSIM_METRICS_HTTP_MAX_PER_ADDRESS);
	if (!rspro_acceptor_listen(acceptor, bind_ip, port, error))
		return FALSE;
	g_signal_connect(acceptor, "incoming", G_CALLBACK(remsim_metrics_http_incoming_cb), self);
	self->acceptor = g_steal_pointer(&acceptor);
	return TRUE;
}

guint16
remsim_metrics_http_get_port(RemsimMetricsHttp *self)
{
	return self->acceptor != NULL ? rspro_acceptor_get_port(self->acceptor) : 0;
}
