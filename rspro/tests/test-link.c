/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RsproLink against a test server on loopback: hello, back-off, loss, stop. */
#include "rspro-link.h"
#include "rspro-listener.h"
#include "transport-util.h"

/* back-off table scaled to a tenth: 1 s entries become 100 ms */
#define SCALE 0.1
/* timers may fire a little before their nominal time by GLib's cached loop time */
#define MARGIN_US (10 * 1000)

/* --- a server that answers connectClientReq as told --- */

typedef struct {
	RsproComponentType type;
	gint result;
} Answer;

typedef struct {
	RsproListener *listener;
	guint16 port;
	GPtrArray *conns;
	guint hellos;
	gboolean silent;
	gboolean push_after_hello; /* a resetStateReq right behind the hello response */
	GArray *answers;	   /* Answer, used in turn; then ok from a server */
	GQueue received;	   /* other PDUs */
} LinkServer;

static void
server_reply_hello(LinkServer *s, RsproConnection *conn)
{
	Answer a = { RSPRO_COMPONENT_SERVER, RSPRO_RESULT_OK };
	RsproComponentIdentity id = { 0 };

	if (s->answers->len) {
		a = g_array_index(s->answers, Answer, 0);
		g_array_remove_index(s->answers, 0);
	}
	rspro_component_identity_init(&id, a.type, "test-server", "remsim-test");
	g_autoptr(RsproPdu) res =
	    rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES, &id, a.result);
	rspro_component_identity_clear(&id);
	g_assert_true(rspro_connection_send(conn, res, NULL));
}

static void
server_message_cb(RsproConnection *conn, RsproPdu *pdu, LinkServer *s)
{
	if (pdu->type != RSPRO_MSG_CONNECT_CLIENT_REQ) {
		g_queue_push_tail(&s->received, rspro_pdu_copy(pdu));
		return;
	}
	s->hellos++;
	if (s->silent)
		return;
	server_reply_hello(s, conn);
	if (s->push_after_hello) {
		g_autoptr(RsproPdu) push = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);
		g_assert_true(rspro_connection_send(conn, push, NULL));
	}
}

static void
server_connection_cb(RsproListener *listener, RsproConnection *conn, LinkServer *s)
{
	g_ptr_array_add(s->conns, g_object_ref(conn));
	g_signal_connect(conn, "message", G_CALLBACK(server_message_cb), s);
}

static LinkServer *
server_new(void)
{
	LinkServer *s = g_new0(LinkServer, 1);
	g_autoptr(GError) error = NULL;

	s->listener = rspro_listener_new();
	s->conns = g_ptr_array_new_with_free_func(g_object_unref);
	s->answers = g_array_new(FALSE, FALSE, sizeof(Answer));
	g_signal_connect(s->listener, "connection", G_CALLBACK(server_connection_cb), s);
	g_assert_true(rspro_listener_listen(s->listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);
	s->port = rspro_listener_get_port(s->listener);
	return s;
}

/* drops every accepted connection, as a server going away */
static void
server_drop_connections(LinkServer *s)
{
	for (guint i = 0; i < s->conns->len; i++)
		rspro_connection_close(s->conns->pdata[i]);
	g_ptr_array_set_size(s->conns, 0);
}

static void
server_free(LinkServer *s)
{
	server_drop_connections(s);
	g_ptr_array_unref(s->conns);
	g_array_unref(s->answers);
	g_queue_clear_full(&s->received, (GDestroyNotify)rspro_pdu_free);
	g_object_unref(s->listener);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LinkServer, server_free)

/* --- the link under test --- */

typedef struct {
	RsproLink *link;
	guint connected;
	guint disconnected;
	GError *reason;
	GQueue messages;
	GArray *states;	 /* RsproLinkState, every change */
	GArray *dial_us; /* monotonic time of each entry into CONNECTING */
} LinkWatch;

static void
state_cb(RsproLink *link, GParamSpec *pspec, LinkWatch *w)
{
	RsproLinkState state = rspro_link_get_state(link);
	RsproLinkState by_property;

	g_object_get(link, "state", &by_property, NULL);
	g_assert_cmpint(state, ==, by_property);
	g_array_append_val(w->states, state);
	if (state == RSPRO_LINK_STATE_CONNECTING) {
		gint64 now = g_get_monotonic_time();
		gint64 began = rspro_link_get_backoff(link)->last_attempt_us;

		/* the back-off counts from the start of this attempt: after the last, not later */
		g_assert_cmpint(began, >, 0);
		g_assert_cmpint(began, <=, now);
		if (w->dial_us->len > 0)
			g_assert_cmpint(began, >=,
					g_array_index(w->dial_us, gint64, w->dial_us->len - 1));
		g_array_append_val(w->dial_us, now);
	}
}

static void
connected_cb(RsproLink *link, RsproConnection *conn, LinkWatch *w)
{
	g_assert_true(rspro_link_get_connection(link) == conn);
	g_assert_cmpint(rspro_link_get_state(link), ==, RSPRO_LINK_STATE_CONNECTED);
	w->connected++;
}

static void
disconnected_cb(RsproLink *link, GError *reason, LinkWatch *w)
{
	g_assert_nonnull(reason);
	w->disconnected++;
	g_clear_error(&w->reason);
	w->reason = g_error_copy(reason);
}

static void
message_cb(RsproLink *link, RsproPdu *pdu, LinkWatch *w)
{
	g_queue_push_tail(&w->messages, rspro_pdu_copy(pdu));
}

static LinkWatch *
watch_new(guint16 port)
{
	LinkWatch *w = g_new0(LinkWatch, 1);
	RsproComponentIdentity id = { 0 };
	RsproClientSlot slot = { 23, 0 };

	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "test-client", "remsim-test");
	g_autoptr(RsproPdu) hello = rspro_pdu_new_connect_client_req(&id, &slot);
	rspro_component_identity_clear(&id);

	w->link = rspro_link_new(hello, RSPRO_COMPONENT_SERVER);
	w->states = g_array_new(FALSE, FALSE, sizeof(RsproLinkState));
	w->dial_us = g_array_new(FALSE, FALSE, sizeof(gint64));
	rspro_link_set_target(w->link, "127.0.0.1", port);
	rspro_link_set_timeouts(w->link, 1000, 1000);
	rspro_link_set_backoff_scale(w->link, SCALE);
	g_signal_connect(w->link, "notify::state", G_CALLBACK(state_cb), w);
	g_signal_connect(w->link, "connected", G_CALLBACK(connected_cb), w);
	g_signal_connect(w->link, "disconnected", G_CALLBACK(disconnected_cb), w);
	g_signal_connect(w->link, "message", G_CALLBACK(message_cb), w);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_IDLE);
	return w;
}

static void
watch_free(LinkWatch *w)
{
	g_object_unref(w->link);
	g_clear_error(&w->reason);
	g_queue_clear_full(&w->messages, (GDestroyNotify)rspro_pdu_free);
	g_array_unref(w->states);
	g_array_unref(w->dial_us);
	g_free(w);
	run_for(20); /* let closed streams settle */
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LinkWatch, watch_free)

static gint64
dial_gap(LinkWatch *w, guint i)
{
	return g_array_index(w->dial_us, gint64, i + 1) - g_array_index(w->dial_us, gint64, i);
}

/* --- tests --- */

static void
test_connect(void)
{
	g_autoptr(LinkServer) s = server_new();
	g_autoptr(LinkWatch) w = watch_new(s->port);
	const RsproLinkState expect[] = { RSPRO_LINK_STATE_WAITING, RSPRO_LINK_STATE_CONNECTING,
					  RSPRO_LINK_STATE_ESTABLISHED,
					  RSPRO_LINK_STATE_CONNECTED };

	/* keep-alive runs on the link; the server side answers PINGs */
	rspro_link_set_keepalive(w->link, 50, 300);
	g_assert_null(rspro_link_get_connection(w->link));
	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpmem(w->states->data, w->states->len * sizeof(RsproLinkState), expect,
			sizeof(expect));
	g_assert_cmpuint(s->hellos, ==, 1);

	const RsproPdu *res = rspro_link_get_hello_response(w->link);
	g_assert_nonnull(res);
	g_assert_cmpint(res->type, ==, RSPRO_MSG_CONNECT_CLIENT_RES);
	g_assert_cmpint(res->u.connect_client_res.result, ==, RSPRO_RESULT_OK);
	g_assert_cmpint(res->u.connect_client_res.identity.type, ==, RSPRO_COMPONENT_SERVER);

	/* PDUs both ways */
	RsproClientSlot client = { 23, 0 };
	RsproBankSlot bank = { 1, 2 };
	g_autoptr(GBytes) apdu = g_bytes_new_static("\xa0\xa4\x00\x00\x02", 5);
	g_autoptr(RsproPdu) tpdu = rspro_pdu_new_tpdu_modem_to_card(&client, &bank, apdu);
	g_autoptr(GError) error = NULL;
	g_assert_true(rspro_link_send(w->link, tpdu, &error));
	g_assert_no_error(error);
	WAIT_FOR(s->received.length == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpint(((RsproPdu *)g_queue_peek_head(&s->received))->type, ==,
			RSPRO_MSG_TPDU_MODEM_TO_CARD);

	g_autoptr(RsproPdu) reset = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);
	g_assert_true(rspro_connection_send(s->conns->pdata[0], reset, NULL));
	WAIT_FOR(w->messages.length == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpint(((RsproPdu *)g_queue_peek_head(&w->messages))->type, ==,
			RSPRO_MSG_RESET_STATE_REQ);

	/* several keep-alive rounds pass without a disconnect */
	run_for(400);
	g_assert_cmpuint(w->disconnected, ==, 0);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_CONNECTED);
	g_assert_cmpuint(s->hellos, ==, 1);
}

static void
connected_check_order_cb(RsproLink *link, RsproConnection *conn, LinkWatch *w)
{
	/* nothing may be delivered before ::connected */
	g_assert_cmpuint(w->messages.length, ==, 0);
}

static void
test_push_after_hello(void)
{
	g_autoptr(LinkServer) s = server_new();
	g_autoptr(LinkWatch) w = watch_new(s->port);

	/* a peer that sends a request right behind its hello response (one TCP write) */
	s->push_after_hello = TRUE;
	g_signal_connect(w->link, "connected", G_CALLBACK(connected_check_order_cb), w);
	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 1 && w->messages.length == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpint(((RsproPdu *)g_queue_peek_head(&w->messages))->type, ==,
			RSPRO_MSG_RESET_STATE_REQ);
}

static void
test_refused_then_ok(void)
{
	g_autoptr(LinkServer) s = server_new();
	g_autoptr(LinkWatch) w = watch_new(s->port);
	const Answer answers[] = {
		{ RSPRO_COMPONENT_SERVER, RSPRO_RESULT_IDENTITY_IN_USE },
		{ RSPRO_COMPONENT_BANKD, RSPRO_RESULT_OK }, /* the wrong kind of peer */
		{ RSPRO_COMPONENT_SERVER, RSPRO_RESULT_ILLEGAL_CLIENT_ID },
		{ RSPRO_COMPONENT_SERVER, RSPRO_RESULT_IDENTITY_IN_USE },
	};

	g_array_append_vals(s->answers, answers, G_N_ELEMENTS(answers));
	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpuint(s->hellos, ==, 5);
	g_assert_cmpuint(w->dial_us->len, ==, 5);
	/* a failed hello is not a disconnect: the link was never connected */
	g_assert_cmpuint(w->disconnected, ==, 0);

	/* upstream's table: three immediate retries, then 1 s (scaled) apart */
	gint64 second = G_USEC_PER_SEC * SCALE;
	g_assert_cmpint(dial_gap(w, 2), >=, second * 0.9 - MARGIN_US);
	g_assert_cmpint(dial_gap(w, 3), >=, second * 0.9 - MARGIN_US);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_CONNECTED);
	/* the start and four refusals each took one entry of the table */
	g_assert_cmpuint(rspro_link_get_backoff(w->link)->index, ==, 5);
	/* a new start begins the table again: the start takes its first entry */
	rspro_link_stop(w->link);
	rspro_link_start(w->link);
	g_assert_cmpuint(rspro_link_get_backoff(w->link)->index, ==, 1);
	WAIT_FOR(w->connected == 2, RSPRO_TEST_TIMEOUT_MS);
}

static void
test_peer_goes_away(void)
{
	g_autoptr(LinkServer) s = server_new();
	g_autoptr(LinkWatch) w = watch_new(s->port);

	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 1, RSPRO_TEST_TIMEOUT_MS);
	server_drop_connections(s);
	WAIT_FOR(w->disconnected == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(w->reason, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER);
	WAIT_FOR(w->connected == 2, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpuint(s->hellos, ==, 2);
	g_assert_false(rspro_connection_is_closed(rspro_link_get_connection(w->link)));

	/* the owner asks for a fresh connection */
	rspro_link_reconnect(w->link);
	g_assert_cmpuint(w->disconnected, ==, 2);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_WAITING);
	WAIT_FOR(w->connected == 3, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpuint(s->hellos, ==, 3);
}

static void
test_hello_timeout(void)
{
	g_autoptr(LinkServer) s = server_new();
	g_autoptr(LinkWatch) w = watch_new(s->port);

	s->silent = TRUE;
	rspro_link_set_timeouts(w->link, 1000, 150);
	rspro_link_start(w->link);
	WAIT_FOR(s->hellos >= 3, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpuint(w->connected, ==, 0);
	g_assert_cmpuint(w->disconnected, ==, 0);
	/* each attempt waited out T1 before the next one */
	for (guint i = 0; i + 1 < w->dial_us->len; i++)
		g_assert_cmpint(dial_gap(w, i), >=, 150 * 1000 - MARGIN_US);

	s->silent = FALSE;
	WAIT_FOR(w->connected == 1, RSPRO_TEST_TIMEOUT_MS);
}

static void
test_stop(void)
{
	g_autoptr(LinkServer) s = server_new();
	g_autoptr(LinkWatch) w = watch_new(s->port);
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_new(RSPRO_MSG_RESET_STATE_RES);

	/* stopping before start, or twice, is harmless */
	rspro_link_stop(w->link);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_IDLE);

	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 1, RSPRO_TEST_TIMEOUT_MS);
	RsproConnection *server_side = s->conns->pdata[0];
	rspro_link_stop(w->link);
	rspro_link_stop(w->link);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_IDLE);
	g_assert_cmpuint(w->disconnected, ==, 1);
	g_assert_error(w->reason, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED);
	g_assert_null(rspro_link_get_connection(w->link));
	g_assert_null(rspro_link_get_hello_response(w->link));
	g_assert_false(rspro_link_send(w->link, pdu, &error));
	g_assert_error(error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED);
	WAIT_FOR(rspro_connection_is_closed(server_side), RSPRO_TEST_TIMEOUT_MS);

	/* and it stays idle */
	guint n_states = w->states->len;
	run_for(500);
	g_assert_cmpuint(s->hellos, ==, 1);
	g_assert_cmpuint(s->conns->len, ==, 1);
	g_assert_cmpuint(w->states->len, ==, n_states);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_IDLE);

	/* until started again */
	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 2, RSPRO_TEST_TIMEOUT_MS);
}

static guint16
unused_port(void)
{
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GError) error = NULL;
	guint16 port = g_socket_listener_add_any_inet_port(listener, NULL, &error);

	g_assert_no_error(error);
	g_socket_listener_close(listener);
	return port;
}

static void
test_connect_refused(void)
{
	g_autoptr(LinkWatch) w = watch_new(unused_port());
	gint64 second = G_USEC_PER_SEC * SCALE;

	/* a refused connect backs off at once: three immediate retries, then the table.
	 * None of them waits for the connect timeout: longer than the wait itself, it
	 * would fail the wait. */
	rspro_link_set_timeouts(w->link, 4 * RSPRO_TEST_TIMEOUT_MS, 1000);
	rspro_link_start(w->link);
	WAIT_FOR(w->dial_us->len >= 6, RSPRO_TEST_TIMEOUT_MS);
	for (guint i = 2; i + 1 < w->dial_us->len; i++)
		g_assert_cmpint(dial_gap(w, i), >=, second * 0.9 - MARGIN_US);
	g_assert_cmpuint(w->connected, ==, 0);
	g_assert_cmpuint(w->disconnected, ==, 0);
	rspro_link_stop(w->link);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_IDLE);
}

static void
test_new_target(void)
{
	g_autoptr(LinkServer) a = server_new();
	g_autoptr(LinkServer) b = server_new();
	g_autoptr(LinkWatch) w = watch_new(a->port);

	rspro_link_start(w->link);
	WAIT_FOR(w->connected == 1, RSPRO_TEST_TIMEOUT_MS);
	/* the same target again changes nothing */
	rspro_link_set_target(w->link, "127.0.0.1", a->port);
	g_assert_cmpint(rspro_link_get_state(w->link), ==, RSPRO_LINK_STATE_CONNECTED);

	rspro_link_set_target(w->link, "127.0.0.1", b->port);
	g_assert_cmpuint(w->disconnected, ==, 1);
	WAIT_FOR(w->connected == 2, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpuint(a->hellos, ==, 1);
	g_assert_cmpuint(b->hellos, ==, 1);
	WAIT_FOR(rspro_connection_is_closed(a->conns->pdata[0]), RSPRO_TEST_TIMEOUT_MS);
}

static void
test_drop_while_connecting(void)
{
	g_autoptr(LinkServer) s = server_new();
	LinkWatch *w = watch_new(s->port);

	/* releasing the link mid-attempt must leave nothing behind */
	s->silent = TRUE;
	rspro_link_start(w->link);
	WAIT_FOR(s->hellos == 1, RSPRO_TEST_TIMEOUT_MS);
	watch_free(w);
	WAIT_FOR(rspro_connection_is_closed(s->conns->pdata[0]), RSPRO_TEST_TIMEOUT_MS);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/link/connect", test_connect);
	g_test_add_func("/rspro/link/push-after-hello", test_push_after_hello);
	g_test_add_func("/rspro/link/refused-then-ok", test_refused_then_ok);
	g_test_add_func("/rspro/link/peer-goes-away", test_peer_goes_away);
	g_test_add_func("/rspro/link/hello-timeout", test_hello_timeout);
	g_test_add_func("/rspro/link/stop", test_stop);
	g_test_add_func("/rspro/link/connect-refused", test_connect_refused);
	g_test_add_func("/rspro/link/new-target", test_new_target);
	g_test_add_func("/rspro/link/drop-while-connecting", test_drop_while_connecting);
	return g_test_run();
}
