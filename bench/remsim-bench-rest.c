/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "remsim-bench-rest.h"

#define REMSIM_BENCH_REST_PREFIX "/api/backend/v1"

struct _RemsimBenchRest {
	guint16 port;
	GSocketConnection *conn;
	GDataInputStream *in;
};

RemsimBenchRest *
remsim_bench_rest_new(guint16 port)
{
	RemsimBenchRest *self = g_new0(RemsimBenchRest, 1);

	self->port = port;
	return self;
}

static void
remsim_bench_rest_drop(RemsimBenchRest *self)
{
	g_clear_object(&self->in);
	g_clear_object(&self->conn);
}

void
remsim_bench_rest_free(RemsimBenchRest *self)
{
	if (self == NULL)
		return;
	remsim_bench_rest_drop(self);
	g_free(self);
}

static gboolean
remsim_bench_rest_connect(RemsimBenchRest *self, GError **error)
{
	g_autoptr(GSocketClient) client = NULL;

	if (self->conn != NULL)
		return TRUE;
	client = g_socket_client_new();
	/* loopback: no proxy to look up for each new connection (a server that
	 * closes every connection would make the bench time its own lookups) */
	g_socket_client_set_enable_proxy(client, FALSE);
	self->conn = g_socket_client_connect_to_host(client, "127.0.0.1", self->port, NULL, error);
	if (self->conn == NULL)
		return FALSE;
	g_socket_set_option(g_socket_connection_get_socket(self->conn), IPPROTO_TCP, TCP_NODELAY, 1,
			    NULL);
	self->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(self->conn)));
	g_data_input_stream_set_newline_type(self->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
	return TRUE;
}

/*
 * status line and headers; the body's length (-1: until the connection
 * closes), and whether the server ends the connection after this response
 */
static guint
remsim_bench_rest_read_head(RemsimBenchRest *self, gssize *length, gboolean *closing,
			    GError **error)
{
	g_autofree gchar *status_line = g_data_input_stream_read_line(self->in, NULL, NULL, error);
	guint status;

	if (status_line == NULL) {
		if (error != NULL && *error == NULL)
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED,
					    "the server closed the connection");
		return 0;
	}
	status = (guint)g_ascii_strtoull(
	    strchr(status_line, ' ') ? strchr(status_line, ' ') + 1 : "0", NULL, 10);
	*length = -1;
	*closing = FALSE;
	for (;;) {
		g_autofree gchar *line = g_data_input_stream_read_line(self->in, NULL, NULL, error);

		if (line == NULL)
			return 0;
		if (*line == '\0')
			break;
		if (g_ascii_strncasecmp(line, "Content-Length:", 15) == 0)
			*length = (gssize)g_ascii_strtoll(line + 15, NULL, 10);
		else if (g_ascii_strncasecmp(line, "Connection:", 11) == 0 &&
			 strstr(line + 11, "close") != NULL)
			*closing = TRUE;
	}
	return status;
}

guint
remsim_bench_rest_request(RemsimBenchRest *self, const gchar *method, const gchar *path,
			  const gchar *body, gchar **body_out, GError **error)
{
	g_autofree gchar *request = NULL;
	g_autofree gchar *data = NULL;
	GOutputStream *out;
	gssize length;
	gboolean closing = FALSE;
	guint status;

	for (guint attempt = 0;; attempt++) {
		g_autoptr(GError) local = NULL;

		if (!remsim_bench_rest_connect(self, error))
			return 0;
		request = g_strdup_printf(
		    "%s " REMSIM_BENCH_REST_PREFIX "%s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
		    "%sContent-Length: %zu\r\n\r\n%s",
		    method, path, self->port,
		    body != NULL ? "Content-Type: application/json\r\n" : "",
		    body != NULL ? strlen(body) : 0, body != NULL ? body : "");
		out = g_io_stream_get_output_stream(G_IO_STREAM(self->conn));
		if (g_output_stream_write_all(out, request, strlen(request), NULL, NULL, &local) &&
		    (status = remsim_bench_rest_read_head(self, &length, &closing, &local)) != 0)
			break;
		g_clear_pointer(&request, g_free);
		remsim_bench_rest_drop(self);
		/* a kept-alive connection the server closed meanwhile: once more on a new one */
		if (attempt > 0) {
			g_propagate_error(error, g_steal_pointer(&local));
			return 0;
		}
	}
	if (length < 0) {
		/* no length: the body ends with the connection */
		g_autoptr(GBytes) rest = NULL;
		GByteArray *all = g_byte_array_new();

		while ((rest = g_input_stream_read_bytes(G_INPUT_STREAM(self->in), 65536, NULL,
							 NULL)) != NULL &&
		       g_bytes_get_size(rest) > 0) {
			g_byte_array_append(all, g_bytes_get_data(rest, NULL),
					    g_bytes_get_size(rest));
			g_clear_pointer(&rest, g_bytes_unref);
		}
		g_byte_array_append(all, (const guint8 *)"", 1);
		data = (gchar *)g_byte_array_free(all, FALSE);
		remsim_bench_rest_drop(self);
	} else {
		gsize got = 0;

		data = g_malloc(length + 1);
		if (!g_input_stream_read_all(G_INPUT_STREAM(self->in), data, length, &got, NULL,
					     error) ||
		    got != (gsize)length) {
			remsim_bench_rest_drop(self);
			return 0;
		}
		data[length] = '\0';
		/* as an HTTP client does: the next request goes on a new connection,
		 * not on this one, where it would meet a reset */
		if (closing)
			remsim_bench_rest_drop(self);
	}
	if (body_out != NULL)
		*body_out = g_steal_pointer(&data);
	return status;
}

gboolean
remsim_bench_rest_map(RemsimBenchRest *self, guint bank, guint bank_slot, guint client,
		      guint client_slot, GError **error)
{
	g_autofree gchar *body = g_strdup_printf(
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    bank, bank_slot, client, client_slot);
	g_autofree gchar *answer = NULL;
	guint status = remsim_bench_rest_request(self, "POST", "/slotmaps", body, &answer, error);

	if (status == 0)
		return FALSE;
	if (status < 200 || status > 299) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "POST /slotmaps B%u:%u -> C%u:%u: HTTP %u %s", bank, bank_slot, client,
			    client_slot, status, answer != NULL ? answer : "");
		return FALSE;
	}
	return TRUE;
}

gboolean
remsim_bench_rest_has_bank(RemsimBenchRest *self, guint bank)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *needle = g_strdup_printf("\"bankId\":%u", bank);

	if (remsim_bench_rest_request(self, "GET", "/banks", NULL, &body, NULL) != 200 ||
	    body == NULL)
		return FALSE;
	for (const gchar *p = strstr(body, needle); p != NULL; p = strstr(p + 1, needle))
		if (!g_ascii_isdigit(p[strlen(needle)]))
			return TRUE;
	return FALSE;
}

guint
remsim_bench_rest_count_maps(RemsimBenchRest *self, const gchar *state)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *needle = g_strdup_printf("\"state\":\"%s\"", state);
	guint n = 0;

	if (remsim_bench_rest_request(self, "GET", "/slotmaps", NULL, &body, NULL) != 200 ||
	    body == NULL)
		return 0;
	for (const gchar *p = strstr(body, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}
