/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the transport tests: loopback socket pairs and waiting on the main loop. */
#pragma once

#include <gio/gio.h>

/*
 * How long a test waits for any one event before it fails: generous, so that a
 * loaded machine (sanitizers, tests in parallel) never fails a test that works.
 * The same as tests/common's REMSIM_TEST_TIMEOUT_MS; librspro's tests do not
 * link tests/common.
 */
#define RSPRO_TEST_TIMEOUT_MS 30000

static inline gboolean
tick_cb(gpointer user_data)
{
	return G_SOURCE_REMOVE;
}

/*
 * One turn of the default main context, blocking until an event or at most
 * 10 ms: the waits below look at their condition (or socket) after each event,
 * and every 10 ms for what comes with none.
 */
static inline void
iterate_once(void)
{
	GSource *tick = g_timeout_source_new(10);

	g_source_set_callback(tick, tick_cb, NULL, NULL);
	g_source_attach(tick, NULL);
	g_main_context_iteration(NULL, TRUE);
	g_source_destroy(tick);
	g_source_unref(tick);
}

/* fails the test if @cond does not become true within @timeout_ms of main loop iterations */
#define WAIT_FOR(cond, timeout_ms)                                                                 \
	G_STMT_START                                                                               \
	{                                                                                          \
		gint64 wait_end_ = g_get_monotonic_time() + (gint64)(timeout_ms)*1000;             \
		while (!(cond)) {                                                                  \
			if (g_get_monotonic_time() > wait_end_)                                    \
				g_error("timed out waiting for %s", #cond);                        \
			iterate_once();                                                            \
		}                                                                                  \
	}                                                                                          \
	G_STMT_END

/* runs the main loop for @ms: for negative checks ("nothing happens meanwhile") only */
static inline void
run_for(guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		iterate_once();
}

typedef struct {
	GSocketConnection *accepted;
	GSocketConnection *connected;
} SocketPair;

static inline void
pair_accepted_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SocketPair *pair = user_data;
	g_autoptr(GError) error = NULL;

	pair->accepted =
	    g_socket_listener_accept_finish(G_SOCKET_LISTENER(source), result, NULL, &error);
	g_assert_no_error(error);
}

static inline void
pair_connected_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SocketPair *pair = user_data;
	g_autoptr(GError) error = NULL;

	pair->connected = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &error);
	g_assert_no_error(error);
}

/* a real TCP connection over 127.0.0.1 on an ephemeral port */
static inline SocketPair
socket_pair_new(void)
{
	SocketPair pair = { 0 };
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GError) error = NULL;

	g_socket_listener_add_address(listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
				      NULL, &bound, &error);
	g_assert_no_error(error);
	g_socket_listener_accept_async(listener, NULL, pair_accepted_ready, &pair);
	g_socket_client_connect_async(client, G_SOCKET_CONNECTABLE(bound), NULL,
				      pair_connected_ready, &pair);
	WAIT_FOR(pair.accepted && pair.connected, 10000);
	g_socket_listener_close(listener);
	return pair;
}

static inline void
socket_pair_clear(SocketPair *pair)
{
	g_clear_object(&pair->accepted);
	g_clear_object(&pair->connected);
}

/* raw bytes on a socket, as a peer that does not speak through RsproConnection */
static inline void
raw_send(GSocketConnection *conn, const void *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	gboolean ok = g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)),
						data, len, NULL, NULL, &error);

	g_assert_no_error(error);
	g_assert_true(ok);
}

/* whatever has arrived within @ms (iterating the main loop meanwhile); -1 on end of stream */
static inline gssize
raw_receive(GSocketConnection *conn, guint8 *buf, gsize size, guint ms)
{
	GSocket *socket = g_socket_connection_get_socket(conn);
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	gsize got = 0;

	while (got < size && g_get_monotonic_time() < end) {
		g_autoptr(GError) error = NULL;
		gssize n;

		iterate_once();
		if (!g_socket_condition_check(socket, G_IO_IN | G_IO_HUP | G_IO_ERR))
			continue;
		n = g_socket_receive(socket, (gchar *)buf + got, size - got, NULL, &error);
		if (n == 0 ||
		    (n < 0 && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
			return got ? (gssize)got : -1;
		if (n > 0)
			got += n;
	}
	return got;
}

/* reads whatever the peer still sends until it closes; fails if it does not in time */
static inline void
assert_eof(GSocketConnection *conn)
{
	guint8 buf[4096];
	gssize n;

	do
		n = raw_receive(conn, buf, sizeof(buf), RSPRO_TEST_TIMEOUT_MS);
	while (n > 0);
	g_assert_cmpint(n, ==, -1);
}
