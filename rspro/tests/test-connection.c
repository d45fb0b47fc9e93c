/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RsproConnection and RsproListener over real loopback sockets. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "rspro-connection.h"
#include "rspro-ipa.h"
#include "rspro-listener.h"
#include "transport-util.h"

static const guint8 PING[] = { 0x00, 0x01, 0xfe, 0x00 };
static const guint8 PONG[] = { 0x00, 0x01, 0xfe, 0x01 };

typedef struct {
	GQueue messages; /* RsproPdu copies */
	GError *closed;
	guint n_closed;
} Watch;

static void
watch_message_cb(RsproConnection *conn, RsproPdu *pdu, Watch *w)
{
	g_queue_push_tail(&w->messages, rspro_pdu_copy(pdu));
}

static void
watch_closed_cb(RsproConnection *conn, GError *reason, Watch *w)
{
	g_assert_nonnull(reason);
	w->n_closed++;
	g_clear_error(&w->closed);
	w->closed = g_error_copy(reason);
}

static void
watch(RsproConnection *conn, Watch *w)
{
	g_signal_connect(conn, "message", G_CALLBACK(watch_message_cb), w);
	g_signal_connect(conn, "closed", G_CALLBACK(watch_closed_cb), w);
}

static void
watch_clear(Watch *w)
{
	g_queue_clear_full(&w->messages, (GDestroyNotify)rspro_pdu_free);
	g_clear_error(&w->closed);
}

static RsproPdu *
make_tpdu(RsproMsgType type, guint32 seq)
{
	gsize len = 4 + seq % 50;
	guint8 *data = g_malloc0(len);
	RsproClientSlot client = { 23, 1 };
	RsproBankSlot bank = { 7, 3 };

	data[0] = seq >> 24;
	data[1] = seq >> 16;
	data[2] = seq >> 8;
	data[3] = seq;
	g_autoptr(GBytes) bytes = g_bytes_new_take(data, len);
	if (type == RSPRO_MSG_TPDU_MODEM_TO_CARD)
		return rspro_pdu_new_tpdu_modem_to_card(&client, &bank, bytes);
	return rspro_pdu_new_tpdu_card_to_modem(&bank, &client, bytes);
}

/* --- bulk exchange --- */

#define BULK_COUNT 10000

typedef struct {
	RsproMsgType expect_type;
	guint32 next_seq;
} BulkCheck;

static void
bulk_message_cb(RsproConnection *conn, RsproPdu *pdu, BulkCheck *check)
{
	GBytes *data = pdu->type == RSPRO_MSG_TPDU_MODEM_TO_CARD ? pdu->u.tpdu_modem_to_card.data
								 : pdu->u.tpdu_card_to_modem.data;
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(data, &len);

	g_assert_cmpint(pdu->type, ==, check->expect_type);
	g_assert_cmpuint(len, ==, 4 + check->next_seq % 50);
	g_assert_cmpuint((guint32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3], ==, check->next_seq);
	check->next_seq++;
}

static void
test_bulk(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) a = rspro_connection_new(G_IO_STREAM(pair.connected));
	g_autoptr(RsproConnection) b = rspro_connection_new(G_IO_STREAM(pair.accepted));
	BulkCheck at_a = { RSPRO_MSG_TPDU_CARD_TO_MODEM, 0 };
	BulkCheck at_b = { RSPRO_MSG_TPDU_MODEM_TO_CARD, 0 };
	Watch wa = { 0 }, wb = { 0 };

	/* small PDUs must not wait for Nagle */
	for (guint i = 0; i < 2; i++) {
		GSocketConnection *sc = i ? pair.accepted : pair.connected;
		gint nodelay = 0;

		g_assert_true(g_socket_get_option(g_socket_connection_get_socket(sc), IPPROTO_TCP,
						  TCP_NODELAY, &nodelay, NULL));
		g_assert_cmpint(nodelay, !=, 0);
	}
	watch(a, &wa);
	watch(b, &wb);
	g_signal_connect(a, "message", G_CALLBACK(bulk_message_cb), &at_a);
	g_signal_connect(b, "message", G_CALLBACK(bulk_message_cb), &at_b);
	rspro_connection_start(a);
	rspro_connection_start(b);

	/* both directions at once, in bursts so writes overlap with queueing */
	for (guint32 seq = 0; seq < BULK_COUNT; seq++) {
		g_autoptr(RsproPdu) m2c = make_tpdu(RSPRO_MSG_TPDU_MODEM_TO_CARD, seq);
		g_autoptr(RsproPdu) c2m = make_tpdu(RSPRO_MSG_TPDU_CARD_TO_MODEM, seq);
		g_autoptr(GError) error = NULL;

		g_assert_true(rspro_connection_send(a, m2c, &error));
		g_assert_no_error(error);
		g_assert_true(rspro_connection_send(b, c2m, &error));
		g_assert_no_error(error);
		if (seq % 1000 == 999)
			g_main_context_iteration(NULL, FALSE);
	}
	WAIT_FOR(at_a.next_seq == BULK_COUNT && at_b.next_seq == BULK_COUNT, 50000);

	g_assert_cmpuint(rspro_connection_get_pdus_sent(a), ==, BULK_COUNT);
	g_assert_cmpuint(rspro_connection_get_pdus_received(a), ==, BULK_COUNT);
	g_assert_cmpuint(rspro_connection_get_pdus_sent(b), ==, BULK_COUNT);
	g_assert_cmpuint(rspro_connection_get_pdus_received(b), ==, BULK_COUNT);
	g_assert_cmpuint(wa.n_closed + wb.n_closed, ==, 0);

	/* closing one end: the other sees the peer go, each exactly once */
	rspro_connection_close(a);
	WAIT_FOR(wb.n_closed == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(wa.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED);
	g_assert_error(wb.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER);
	rspro_connection_close(a);
	rspro_connection_close(b);
	run_for(50);
	g_assert_cmpuint(wa.n_closed, ==, 1);
	g_assert_cmpuint(wb.n_closed, ==, 1);
	g_assert_true(rspro_connection_is_closed(a));

	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) late = make_tpdu(RSPRO_MSG_TPDU_MODEM_TO_CARD, 0);
	g_assert_false(rspro_connection_send(a, late, &error));
	g_assert_error(error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED);

	watch_clear(&wa);
	watch_clear(&wb);
	socket_pair_clear(&pair);
}

/* --- keep-alive --- */

static gboolean
deadline_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

static void
test_keepalive_silent_peer(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.connected));
	Watch w = { 0 };
	guint8 buf[16];
	gint64 start = g_get_monotonic_time();
	gboolean later = FALSE;

	watch(conn, &w);
	rspro_connection_set_keepalive(conn, 30000, 200);
	rspro_connection_start(conn);
	/* the first PING goes out at once */
	g_assert_cmpint(raw_receive(pair.accepted, buf, sizeof(PING), RSPRO_TEST_TIMEOUT_MS), ==,
			sizeof(PING));
	g_assert_cmpmem(buf, sizeof(PING), PING, sizeof(PING));

	/*
	 * The PONG wait runs from the PING: a timer of 5 × 200 ms started once the
	 * PING is here ends after it on any machine, and by then the connection
	 * has closed. Two deadlines on one clock are compared, not a duration: a
	 * slow machine makes both late, and the earlier one runs first or in the
	 * same turn (hence the turns after).
	 */
	g_timeout_add(5 * 200, deadline_cb, &later);
	WAIT_FOR(later, RSPRO_TEST_TIMEOUT_MS);
	for (guint i = 0; i < 10; i++)
		g_main_context_iteration(NULL, FALSE);
	g_assert_cmpuint(w.n_closed, ==, 1);
	g_assert_error(w.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_KEEPALIVE);
	g_assert_cmpint(g_get_monotonic_time() - start, >=, 200 * 1000);
	/* and the silent peer is disconnected */
	g_assert_cmpint(raw_receive(pair.accepted, buf, sizeof(buf), RSPRO_TEST_TIMEOUT_MS), ==,
			-1);

	watch_clear(&w);
	socket_pair_clear(&pair);
}

static void
test_keepalive_answered(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.connected));
	Watch w = { 0 };
	guint8 buf[4];

	watch(conn, &w);
	rspro_connection_set_keepalive(conn, 100, 300);
	rspro_connection_start(conn);
	/* each PONG is followed by the next PING one interval later */
	for (guint i = 0; i < 4; i++) {
		gint64 sent = g_get_monotonic_time();

		g_assert_cmpint(raw_receive(pair.accepted, buf, sizeof(buf), RSPRO_TEST_TIMEOUT_MS),
				==, 4);
		g_assert_cmpmem(buf, sizeof(buf), PING, sizeof(PING));
		if (i > 0)
			g_assert_cmpint(g_get_monotonic_time() - sent, >=, 100 * 1000);
		raw_send(pair.accepted, PONG, sizeof(PONG));
	}
	g_assert_cmpuint(w.n_closed, ==, 0);
	/* then the peer falls silent */
	WAIT_FOR(w.n_closed == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(w.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_KEEPALIVE);

	watch_clear(&w);
	socket_pair_clear(&pair);
}

/* --- CCM handling --- */

static void
test_ccm_answers(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.accepted));
	Watch w = { 0 };
	guint8 buf[16];
	/* ID_GET, ID_RESP with a TLV, an unknown CCM type: all ignored */
	const guint8 ignored[] = { 0x00, 0x01, 0xfe, 0x04, 0x00, 0x04, 0xfe, 0x05,
				   0x01, 0x08, 0x00, 0x00, 0x01, 0xfe, 0x7f };
	const guint8 id_ack[] = { 0x00, 0x01, 0xfe, 0x06 };

	watch(conn, &w);
	rspro_connection_start(conn);
	raw_send(pair.connected, PING, sizeof(PING));
	g_assert_cmpint(raw_receive(pair.connected, buf, sizeof(PONG), RSPRO_TEST_TIMEOUT_MS), ==,
			sizeof(PONG));
	g_assert_cmpmem(buf, sizeof(PONG), PONG, sizeof(PONG));

	raw_send(pair.connected, ignored, sizeof(ignored));
	raw_send(pair.connected, id_ack, sizeof(id_ack));
	/* the connection answers in order: an answer to one of the ignored CCMs
	 * would come before the ID_ACK's, in these bytes */
	g_assert_cmpint(raw_receive(pair.connected, buf, sizeof(id_ack), RSPRO_TEST_TIMEOUT_MS), ==,
			sizeof(id_ack));
	g_assert_cmpmem(buf, sizeof(id_ack), id_ack, sizeof(id_ack));

	/* a PING split over two writes is still answered */
	raw_send(pair.connected, PING, 1);
	run_for(20);
	raw_send(pair.connected, PING + 1, 3);
	g_assert_cmpint(raw_receive(pair.connected, buf, sizeof(PONG), RSPRO_TEST_TIMEOUT_MS), ==,
			sizeof(PONG));
	g_assert_cmpmem(buf, sizeof(PONG), PONG, sizeof(PONG));
	/* and nothing else came after it: the next bytes are the next PING's PONG */
	raw_send(pair.connected, PING, sizeof(PING));
	g_assert_cmpint(raw_receive(pair.connected, buf, sizeof(PONG), RSPRO_TEST_TIMEOUT_MS), ==,
			sizeof(PONG));
	g_assert_cmpmem(buf, sizeof(PONG), PONG, sizeof(PONG));
	g_assert_cmpuint(w.n_closed, ==, 0);
	g_assert_cmpuint(w.messages.length, ==, 0);

	watch_clear(&w);
	socket_pair_clear(&pair);
}

/* --- bad input --- */

static void
expect_disconnect(const guint8 *bytes, gsize len, gint code, const gchar *detail, guint good_pdus)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.accepted));
	Watch w = { 0 };
	guint8 buf[64];

	watch(conn, &w);
	rspro_connection_start(conn);
	raw_send(pair.connected, bytes, len);
	WAIT_FOR(w.n_closed == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(w.closed, RSPRO_CONNECTION_ERROR, code);
	g_assert_nonnull(strstr(w.closed->message, detail));
	g_assert_cmpuint(w.messages.length, ==, good_pdus);
	/* the peer sees the connection end */
	g_assert_cmpint(raw_receive(pair.connected, buf, sizeof(buf), RSPRO_TEST_TIMEOUT_MS), ==,
			-1);

	watch_clear(&w);
	socket_pair_clear(&pair);
}

static GBytes *
frame_for(const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) encoded = rspro_pdu_encode(pdu, &error);

	g_assert_no_error(error);
	GBytes *frame = rspro_ipa_wrap_rspro(encoded, &error);
	g_assert_no_error(error);
	return frame;
}

static void
test_garbage(void)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);
	g_autoptr(GBytes) good = frame_for(pdu);
	const guint8 unknown_proto[] = { 0x00, 0x02, 0x12, 0x01, 0x02 };
	const guint8 bad_ext[] = { 0x00, 0x03, 0xee, 0x08, 0x30, 0x00 };
	/* a SET where the RsproPDU SEQUENCE belongs */
	const guint8 undecodable[] = { 0x00, 0x06, 0xee, 0x07, 0x31, 0x03, 0x80, 0x01, 0x02 };
	g_autoptr(GByteArray) stream = g_byte_array_new();

	expect_disconnect(unknown_proto, sizeof(unknown_proto), RSPRO_CONNECTION_ERROR_FRAMING,
			  "0x12", 0);
	expect_disconnect(bad_ext, sizeof(bad_ext), RSPRO_CONNECTION_ERROR_FRAMING, "0x08", 0);
	expect_disconnect(undecodable, sizeof(undecodable), RSPRO_CONNECTION_ERROR_DECODE, "PDU",
			  0);

	/* a good PDU before the garbage is still delivered */
	g_byte_array_append(stream, g_bytes_get_data(good, NULL), g_bytes_get_size(good));
	g_byte_array_append(stream, undecodable, sizeof(undecodable));
	expect_disconnect(stream->data, stream->len, RSPRO_CONNECTION_ERROR_DECODE, "PDU", 1);
}

/* --- requests --- */

typedef struct {
	gboolean done;
	RsproPdu *pdu;
	GError *error;
} Reply;

static void
reply_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Reply *r = user_data;

	g_assert_false(r->done);
	r->pdu = rspro_connection_request_finish(RSPRO_CONNECTION(source), result, &r->error);
	r->done = TRUE;
}

static void
reply_clear(Reply *r)
{
	g_clear_pointer(&r->pdu, rspro_pdu_free);
	g_clear_error(&r->error);
	r->done = FALSE;
}

static void
request(RsproConnection *conn, RsproMsgType type, guint timeout_ms, GCancellable *cancellable,
	Reply *r)
{
	RsproClientSlot client = { 1, 0 };
	RsproBankSlot bank = { 1, 0 };
	g_autoptr(RsproPdu) req = rspro_pdu_new_mapping_req(type, &client, &bank);

	rspro_connection_request_async(conn, req, rspro_msg_type_response(type), timeout_ms,
				       cancellable, reply_ready, r);
}

static void
answer(RsproConnection *conn, RsproMsgType type, gint result)
{
	g_autoptr(RsproPdu) res = rspro_pdu_new_result(type, result);
	g_autoptr(GError) error = NULL;

	g_assert_true(rspro_connection_send(conn, res, &error));
	g_assert_no_error(error);
}

static void
assert_result(Reply *r, RsproMsgType type, gint result)
{
	WAIT_FOR(r->done, RSPRO_TEST_TIMEOUT_MS);
	g_assert_no_error(r->error);
	g_assert_nonnull(r->pdu);
	g_assert_cmpint(r->pdu->type, ==, type);
	g_assert_cmpint(r->pdu->u.create_mapping_res.result, ==, result);
	reply_clear(r);
}

static void
test_requests(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) a = rspro_connection_new(G_IO_STREAM(pair.connected));
	g_autoptr(RsproConnection) b = rspro_connection_new(G_IO_STREAM(pair.accepted));
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	Watch wa = { 0 }, wb = { 0 };
	Reply r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	const RsproMsgType CREATE = RSPRO_MSG_CREATE_MAPPING_REQ;
	const RsproMsgType CREATE_RES = RSPRO_MSG_CREATE_MAPPING_RES;
	const RsproMsgType REMOVE = RSPRO_MSG_REMOVE_MAPPING_REQ;
	const RsproMsgType REMOVE_RES = RSPRO_MSG_REMOVE_MAPPING_RES;

	watch(a, &wa);
	watch(b, &wb);
	rspro_connection_start(a);
	rspro_connection_start(b);

	/* a timed-out request's late response does not go to the next request */
	request(a, CREATE, 100, NULL, &r1);
	WAIT_FOR(r1.done, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(r1.error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_TIMEOUT);
	g_assert_null(r1.pdu);
	reply_clear(&r1);
	request(a, CREATE, 0, NULL, &r2);
	WAIT_FOR(wb.messages.length == 2, RSPRO_TEST_TIMEOUT_MS);
	answer(b, CREATE_RES, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	answer(b, CREATE_RES, RSPRO_RESULT_OK);
	assert_result(&r2, CREATE_RES, RSPRO_RESULT_OK);

	/* likewise for a cancelled one */
	request(a, CREATE, 0, cancellable, &r1);
	request(a, CREATE, 5000, NULL, &r2);
	WAIT_FOR(wb.messages.length == 4, RSPRO_TEST_TIMEOUT_MS);
	g_cancellable_cancel(cancellable);
	WAIT_FOR(r1.done, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(r1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	reply_clear(&r1);
	g_assert_false(r2.done);
	answer(b, CREATE_RES, RSPRO_RESULT_ILLEGAL_BANK_ID);
	answer(b, CREATE_RES, RSPRO_RESULT_ILLEGAL_SLOT_ID);
	assert_result(&r2, CREATE_RES, RSPRO_RESULT_ILLEGAL_SLOT_ID);

	/* a request cancelled before it was made still takes its response */
	request(a, CREATE, 0, cancellable, &r1);
	WAIT_FOR(r1.done, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(r1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	reply_clear(&r1);
	request(a, CREATE, 0, NULL, &r2);
	WAIT_FOR(wb.messages.length == 6, RSPRO_TEST_TIMEOUT_MS);
	answer(b, CREATE_RES, RSPRO_RESULT_UNKNOWN_SLOTMAP);
	answer(b, CREATE_RES, RSPRO_RESULT_IDENTITY_IN_USE);
	assert_result(&r2, CREATE_RES, RSPRO_RESULT_IDENTITY_IN_USE);

	/* FIFO per response type, whatever the order between types */
	request(a, CREATE, 0, NULL, &r1);
	request(a, REMOVE, 0, NULL, &r2);
	request(a, CREATE, 0, NULL, &r3);
	WAIT_FOR(wb.messages.length == 9, RSPRO_TEST_TIMEOUT_MS);
	answer(b, REMOVE_RES, RSPRO_RESULT_ILLEGAL_BANK_ID);
	answer(b, CREATE_RES, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	answer(b, CREATE_RES, RSPRO_RESULT_UNSUPPORTED_PROTOCOL_VERSION);
	assert_result(&r2, REMOVE_RES, RSPRO_RESULT_ILLEGAL_BANK_ID);
	assert_result(&r1, CREATE_RES, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	assert_result(&r3, CREATE_RES, RSPRO_RESULT_UNSUPPORTED_PROTOCOL_VERSION);

	/* the dropped late responses never surfaced; an unpaired one does */
	g_assert_cmpuint(wa.messages.length, ==, 0);
	answer(b, CREATE_RES, RSPRO_RESULT_CARD_NOT_PRESENT);
	WAIT_FOR(wa.messages.length == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpint(((RsproPdu *)g_queue_peek_head(&wa.messages))->type, ==, CREATE_RES);

	/* closing fails what still waits, with the reason ::closed carries */
	request(a, CREATE, 0, NULL, &r1);
	WAIT_FOR(wb.messages.length == 10, RSPRO_TEST_TIMEOUT_MS);
	rspro_connection_close(b);
	WAIT_FOR(r1.done && wa.n_closed == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(r1.error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER);
	g_assert_error(wa.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER);
	reply_clear(&r1);

	/* and a request after close fails at once */
	request(a, CREATE, 0, NULL, &r1);
	WAIT_FOR(r1.done, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(r1.error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED);
	reply_clear(&r1);

	watch_clear(&wa);
	watch_clear(&wb);
	socket_pair_clear(&pair);
}

/* --- lifetime --- */

static void
test_drop_last_ref(void)
{
	SocketPair pair = socket_pair_new();
	RsproConnection *conn = rspro_connection_new(G_IO_STREAM(pair.connected));

	rspro_connection_start(conn);
	for (guint32 seq = 0; seq < 2000; seq++) {
		g_autoptr(RsproPdu) pdu = make_tpdu(RSPRO_MSG_TPDU_MODEM_TO_CARD, seq);
		g_assert_true(rspro_connection_send(conn, pdu, NULL));
	}
	g_main_context_iteration(NULL, FALSE);
	/* read and writes pending: releasing it closes it without harm */
	g_object_add_weak_pointer(G_OBJECT(conn), (gpointer *)&conn);
	g_object_unref(conn);
	g_assert_null(conn);
	assert_eof(pair.accepted);
	run_for(20);

	socket_pair_clear(&pair);
}

static void
message_unref_cb(RsproConnection *conn, RsproPdu *pdu, RsproConnection **owner)
{
	/* the owner lets go from inside the handler, with more frames buffered */
	g_clear_object(owner);
}

static void
closed_unref_cb(RsproConnection *conn, GError *reason, RsproConnection **owner)
{
	g_clear_object(owner);
}

static void
test_unref_in_handlers(void)
{
	SocketPair pair = socket_pair_new();
	RsproConnection *by_message = rspro_connection_new(G_IO_STREAM(pair.accepted));
	RsproConnection *by_closed = rspro_connection_new(G_IO_STREAM(pair.connected));
	g_autoptr(GByteArray) stream = g_byte_array_new();

	g_signal_connect(by_message, "message", G_CALLBACK(message_unref_cb), &by_message);
	g_signal_connect(by_closed, "closed", G_CALLBACK(closed_unref_cb), &by_closed);
	rspro_connection_start(by_message);
	rspro_connection_start(by_closed);

	/* three PDUs in one write: the first handler drops the connection */
	for (guint i = 0; i < 3; i++) {
		g_autoptr(RsproPdu) pdu = make_tpdu(RSPRO_MSG_TPDU_CARD_TO_MODEM, i);
		g_assert_true(rspro_connection_send(by_closed, pdu, NULL));
	}
	WAIT_FOR(by_message == NULL, RSPRO_TEST_TIMEOUT_MS);
	/* which closes it, and the other side lets go in its ::closed handler */
	WAIT_FOR(by_closed == NULL, RSPRO_TEST_TIMEOUT_MS);
	run_for(20);
	socket_pair_clear(&pair);
}

static void
test_request_keeps_alive(void)
{
	SocketPair pair = socket_pair_new();
	RsproConnection *conn = rspro_connection_new(G_IO_STREAM(pair.connected));
	Reply r = { 0 };

	rspro_connection_start(conn);
	request(conn, RSPRO_MSG_CREATE_MAPPING_REQ, 200, NULL, &r);
	g_object_add_weak_pointer(G_OBJECT(conn), (gpointer *)&conn);
	g_object_unref(conn);
	/* the waiting request holds the connection until it times out */
	g_assert_nonnull(conn);
	WAIT_FOR(r.done, RSPRO_TEST_TIMEOUT_MS);
	g_assert_error(r.error, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_TIMEOUT);
	reply_clear(&r);
	WAIT_FOR(conn == NULL, RSPRO_TEST_TIMEOUT_MS);
	assert_eof(pair.accepted);

	socket_pair_clear(&pair);
}

/* --- listener --- */

typedef struct {
	GPtrArray *conns;
	gboolean keep;
	Watch watch;
} Accepted;

static void
connection_cb(RsproListener *listener, RsproConnection *conn, Accepted *acc)
{
	g_assert_false(rspro_connection_is_closed(conn));
	if (!acc->keep)
		return;
	g_ptr_array_add(acc->conns, g_object_ref(conn));
	watch(conn, &acc->watch);
}

static GSocketConnection *
dial(guint16 port, GError **error)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();

	return g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, error);
}

static void
test_listener(void)
{
	g_autoptr(RsproListener) listener = rspro_listener_new();
	g_autoptr(GError) error = NULL;
	Accepted acc = { 0 };
	guint8 buf[16];

	acc.conns = g_ptr_array_new_with_free_func(g_object_unref);
	acc.keep = TRUE;
	g_signal_connect(listener, "connection", G_CALLBACK(connection_cb), &acc);
	rspro_listener_set_keepalive(listener, 60000, 10000);
	g_assert_true(rspro_listener_listen(listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);

	guint16 port = rspro_listener_get_port(listener);
	g_assert_cmpuint(port, >, 0);

	g_autoptr(GSocketConnection) peer = dial(port, &error);
	g_assert_no_error(error);
	WAIT_FOR(acc.conns->len == 1, RSPRO_TEST_TIMEOUT_MS);

	RsproConnection *conn = acc.conns->pdata[0];
	g_autoptr(GInetSocketAddress) local =
	    G_INET_SOCKET_ADDRESS(g_socket_connection_get_local_address(peer, &error));
	g_autofree gchar *expect =
	    g_strdup_printf("127.0.0.1:%u", g_inet_socket_address_get_port(local));
	g_assert_cmpstr(rspro_connection_get_peer_name(conn), ==, expect);
	g_assert_cmpuint(g_inet_socket_address_get_port(rspro_connection_get_local_address(conn)),
			 ==, port);

	/* keep-alive applies to accepted connections: the PING comes first */
	g_assert_cmpint(raw_receive(peer, buf, sizeof(PING), RSPRO_TEST_TIMEOUT_MS), ==,
			sizeof(PING));
	g_assert_cmpmem(buf, sizeof(PING), PING, sizeof(PING));
	raw_send(peer, PONG, sizeof(PONG));

	g_autoptr(RsproPdu) pdu = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);
	g_autoptr(GBytes) frame = frame_for(pdu);
	raw_send(peer, g_bytes_get_data(frame, NULL), g_bytes_get_size(frame));
	WAIT_FOR(acc.watch.messages.length == 1, RSPRO_TEST_TIMEOUT_MS);

	/* a connection no handler keeps is closed */
	acc.keep = FALSE;
	g_autoptr(GSocketConnection) unwanted = dial(port, &error);
	g_assert_no_error(error);
	assert_eof(unwanted);

	/* after close nothing listens; the accepted connection lives on */
	rspro_listener_close(listener);
	g_assert_cmpuint(rspro_listener_get_port(listener), ==, 0);
	g_autoptr(GSocketConnection) refused = dial(port, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_assert_null(refused);
	g_assert_false(rspro_connection_is_closed(conn));
	g_assert_cmpuint(acc.watch.n_closed, ==, 0);

	g_ptr_array_unref(acc.conns);
	watch_clear(&acc.watch);
}

static GSocketConnection *
dial_from(const gchar *from_ip, guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(from_ip);
	g_autoptr(GSocketAddress) local = g_inet_socket_address_new(ip, 0);
	g_autoptr(GError) error = NULL;
	GSocketConnection *conn;

	g_socket_client_set_local_address(client, local);
	conn = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);
	g_assert_no_error(error);
	return conn;
}

/* one past the total or the per-address limit is closed at once; a freed one makes room */
static void
test_listener_limits(void)
{
	g_autoptr(RsproListener) listener = rspro_listener_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func(g_object_unref);
	Accepted acc = { 0 };
	const gchar *from[] = { "127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3" };

	acc.conns = g_ptr_array_new_with_free_func(g_object_unref);
	acc.keep = TRUE;
	g_signal_connect(listener, "connection", G_CALLBACK(connection_cb), &acc);
	rspro_listener_set_limits(listener, 4, 2);
	g_assert_true(rspro_listener_listen(listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);

	guint16 port = rspro_listener_get_port(listener);

	for (guint i = 0; i < G_N_ELEMENTS(from); i++) {
		g_ptr_array_add(peers, dial_from(from[i], port));
		WAIT_FOR(acc.conns->len == i + 1, 5000);
	}
	g_assert_cmpuint(rspro_listener_get_n_connections(listener), ==, 4);

	/* a third from 127.0.0.2: the per-address limit; one from 127.0.0.4: the total */
	g_autoptr(GSocketConnection) third = dial_from("127.0.0.2", port);
	assert_eof(third);
	g_autoptr(GSocketConnection) fifth = dial_from("127.0.0.4", port);
	assert_eof(fifth);
	g_assert_cmpuint(acc.conns->len, ==, 4);
	g_assert_cmpuint(rspro_listener_get_n_connections(listener), ==, 4);

	/* one of 127.0.0.2's goes: room for one more from there */
	rspro_connection_close(acc.conns->pdata[0]);
	g_ptr_array_remove_index(acc.conns, 0);
	/* the count goes down once the socket is freed, after its close completes */
	WAIT_FOR(rspro_listener_get_n_connections(listener) == 3, 5000);
	g_ptr_array_add(peers, dial_from("127.0.0.2", port));
	WAIT_FOR(acc.conns->len == 4, 5000);
	g_assert_cmpuint(rspro_listener_get_n_connections(listener), ==, 4);

	rspro_listener_close(listener);
	g_ptr_array_unref(acc.conns);
	watch_clear(&acc.watch);
}

static void
test_listener_any_and_bad_address(void)
{
	g_autoptr(RsproListener) any = rspro_listener_new();
	g_autoptr(RsproListener) bad = rspro_listener_new();
	g_autoptr(GError) error = NULL;
	Accepted acc = { 0 };

	acc.conns = g_ptr_array_new_with_free_func(g_object_unref);
	acc.keep = TRUE;
	g_signal_connect(any, "connection", G_CALLBACK(connection_cb), &acc);
	g_assert_true(rspro_listener_listen(any, NULL, 0, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(rspro_listener_get_port(any), >, 0);
	g_autoptr(GSocketConnection) peer = dial(rspro_listener_get_port(any), &error);
	g_assert_no_error(error);
	WAIT_FOR(acc.conns->len == 1, RSPRO_TEST_TIMEOUT_MS);

	/* an IPv4 peer on a dual-stack socket is named as IPv4 */
	g_autoptr(GInetSocketAddress) local =
	    G_INET_SOCKET_ADDRESS(g_socket_connection_get_local_address(peer, &error));
	g_autofree gchar *expect =
	    g_strdup_printf("127.0.0.1:%u", g_inet_socket_address_get_port(local));
	g_assert_cmpstr(rspro_connection_get_peer_name(acc.conns->pdata[0]), ==, expect);

	g_assert_false(rspro_listener_listen(bad, "not-an-address", 0, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_assert_cmpuint(rspro_listener_get_port(bad), ==, 0);

	g_ptr_array_unref(acc.conns);
	watch_clear(&acc.watch);
}

/* --- writes that do not fit the socket, and what a local close still sends --- */

#define BIG_COUNT 200
#define BIG_LEN 32768

static void
big_message_cb(RsproConnection *conn, RsproPdu *pdu, guint *next)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(pdu->u.tpdu_modem_to_card.data, &len);

	g_assert_cmpuint(len, ==, BIG_LEN);
	g_assert_cmpuint(p[0], ==, *next % 256);
	g_assert_cmpuint(p[BIG_LEN - 1], ==, *next % 256);
	(*next)++;
}

static void
test_full_socket(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) a = rspro_connection_new(G_IO_STREAM(pair.connected));
	g_autoptr(RsproConnection) b = rspro_connection_new(G_IO_STREAM(pair.accepted));
	g_autofree guint8 *data = g_malloc(BIG_LEN);
	RsproClientSlot client = { 23, 1 };
	RsproBankSlot bank = { 7, 3 };
	Watch wa = { 0 }, wb = { 0 };
	guint next = 0;

	g_signal_connect(a, "closed", G_CALLBACK(watch_closed_cb), &wa);
	g_signal_connect(b, "closed", G_CALLBACK(watch_closed_cb), &wb);
	g_signal_connect(b, "message", G_CALLBACK(big_message_cb), &next);
	rspro_connection_start(a);
	rspro_connection_start(b);
	/* megabytes queued at once: writes stop on a full socket, mid-frame, and resume */
	for (guint i = 0; i < BIG_COUNT; i++) {
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(RsproPdu) pdu = NULL;

		memset(data, (gint)(i % 256), BIG_LEN);
		bytes = g_bytes_new(data, BIG_LEN);
		pdu = rspro_pdu_new_tpdu_modem_to_card(&client, &bank, bytes);
		g_assert_true(rspro_connection_send(a, pdu, NULL));
	}
	WAIT_FOR(next == BIG_COUNT, 50000);
	g_assert_cmpuint(rspro_connection_get_pdus_sent(a), ==, BIG_COUNT);
	g_assert_cmpuint(wa.n_closed + wb.n_closed, ==, 0);
	watch_clear(&wa);
	watch_clear(&wb);
	g_clear_object(&a);
	g_clear_object(&b);
	socket_pair_clear(&pair);
}

/* --- back-pressure --- */

#define FLOOD_HIGH_WATER (64 * 1024)
/* the replies to one read chunk (16 KiB of PINGs) may land above the high water */
#define FLOOD_SLACK ((16384 / sizeof(PING)) * (sizeof(PONG) + 128))

/*
 * Writes PINGs without reading the PONGs until the connection stopped reading
 * and the socket takes no more; returns the bytes written.
 */
static gsize
flood_pings(GSocket *socket, RsproConnection *conn)
{
	g_autofree guint8 *batch = g_malloc(65536);
	gsize total = 0;

	for (gsize i = 0; i < 65536; i += sizeof(PING))
		memcpy(batch + i, PING, sizeof(PING));
	g_socket_set_blocking(socket, FALSE);
	while (total < 256 * 1024 * 1024) {
		g_autoptr(GError) error = NULL;
		gssize n = g_socket_send(socket, (const gchar *)batch, 65536, NULL, &error);

		if (n > 0) {
			/* whole frames only keep the peer's deframer in step */
			total += n;
			if (n % sizeof(PING))
				g_assert_true(g_socket_condition_timed_wait(socket, G_IO_OUT, -1,
									    NULL, NULL));
			while (total % sizeof(PING)) {
				gssize m =
				    g_socket_send(socket, (const gchar *)batch,
						  sizeof(PING) - total % sizeof(PING), NULL, NULL);

				if (m > 0)
					total += m;
				else
					g_main_context_iteration(NULL, FALSE);
			}
			continue;
		}
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
		if (rspro_connection_is_reading_paused(conn))
			return total;
		g_main_context_iteration(NULL, FALSE);
	}
	g_assert_not_reached();
}

static void
test_flood_backpressure(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.accepted));
	GSocket *attacker = g_socket_connection_get_socket(pair.connected);
	g_autofree guint8 *sink = g_malloc(65536);
	Watch w = { 0 };
	gsize flooded;

	watch(conn, &w);
	/* no stall close while the test looks (test_flood_stall has it) */
	rspro_connection_set_queue_limits(conn, FLOOD_HIGH_WATER, 1024 * 1024, G_MAXUINT);
	rspro_connection_start(conn);
	flooded = flood_pings(attacker, conn);
	g_test_message("%" G_GSIZE_FORMAT " bytes of PINGs until the connection stopped reading",
		       flooded);
	/* the PONGs wait in the queue, bounded; the connection stays up */
	g_assert_cmpuint(rspro_connection_get_queued_bytes(conn), <=,
			 FLOOD_HIGH_WATER + FLOOD_SLACK);
	g_assert_cmpuint(w.n_closed, ==, 0);

	/* once the peer reads its PONGs, the connection reads again */
	g_socket_set_blocking(attacker, FALSE);
	while (rspro_connection_is_reading_paused(conn)) {
		if (g_socket_receive(attacker, (gchar *)sink, 65536, NULL, NULL) <= 0)
			g_main_context_iteration(NULL, FALSE);
	}
	g_assert_cmpuint(w.n_closed, ==, 0);

	watch_clear(&w);
	g_clear_object(&conn);
	socket_pair_clear(&pair);
}

/*
 * A flooding peer that never reads its answers is closed once the stall time
 * passes with reading paused: the flood goes on until then.
 */
static void
test_flood_stall(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.accepted));
	GSocket *attacker = g_socket_connection_get_socket(pair.connected);
	g_autofree guint8 *batch = g_malloc(65536);
	gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	gsize total = 0;
	Watch w = { 0 };

	for (gsize i = 0; i < 65536; i += sizeof(PING))
		memcpy(batch + i, PING, sizeof(PING));
	watch(conn, &w);
	rspro_connection_set_queue_limits(conn, FLOOD_HIGH_WATER, 1024 * 1024, 1000);
	rspro_connection_start(conn);
	g_socket_set_blocking(attacker, FALSE);
	while (w.n_closed == 0) {
		/* whole PINGs only: a partial write is continued where it stopped */
		gsize off = total % sizeof(PING);
		gssize n =
		    g_socket_send(attacker, (const gchar *)batch + off, 65536 - off, NULL, NULL);

		if (n > 0)
			total += n;
		else
			g_main_context_iteration(NULL, TRUE);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
	}
	g_test_message("%" G_GSIZE_FORMAT " bytes of PINGs until the connection closed", total);
	g_assert_error(w.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_QUEUE_FULL);
	g_assert_nonnull(strstr(w.closed->message, "did not read the"));

	watch_clear(&w);
	g_clear_object(&conn);
	socket_pair_clear(&pair);
}

/* output that grows without the peer reading it closes the connection, with a reason */
static void
test_queue_hard_limit(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) conn = rspro_connection_new(G_IO_STREAM(pair.accepted));
	g_autofree guint8 *data = g_malloc0(BIG_LEN);
	RsproClientSlot client = { 23, 1 };
	RsproBankSlot bank = { 7, 3 };
	Watch w = { 0 };
	guint sent = 0;

	watch(conn, &w);
	rspro_connection_set_queue_limits(conn, 256 * 1024, 1024 * 1024, G_MAXUINT);
	rspro_connection_start(conn);
	/* sending never fails: the limit is reported through ::closed from the main loop */
	for (guint i = 0; i < BIG_COUNT; i++) {
		g_autoptr(GBytes) bytes = g_bytes_new(data, BIG_LEN);
		g_autoptr(RsproPdu) pdu = rspro_pdu_new_tpdu_card_to_modem(&bank, &client, bytes);

		if (rspro_connection_send(conn, pdu, NULL))
			sent++;
		g_assert_cmpuint(rspro_connection_get_queued_bytes(conn), <=, 1024 * 1024);
	}
	g_assert_cmpuint(sent, ==, BIG_COUNT);
	WAIT_FOR(w.n_closed == 1, 5000);
	g_assert_error(w.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_QUEUE_FULL);

	watch_clear(&w);
	g_clear_object(&conn);
	socket_pair_clear(&pair);
}

static void
test_send_then_close(void)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) a = rspro_connection_new(G_IO_STREAM(pair.connected));
	g_autoptr(RsproConnection) b = rspro_connection_new(G_IO_STREAM(pair.accepted));
	Watch wb = { 0 };

	watch(b, &wb);
	rspro_connection_start(a);
	rspro_connection_start(b);
	for (guint32 seq = 0; seq < 3; seq++) {
		g_autoptr(RsproPdu) pdu = make_tpdu(RSPRO_MSG_TPDU_MODEM_TO_CARD, seq);

		g_assert_true(rspro_connection_send(a, pdu, NULL));
	}
	/* in the same main loop iteration as the sends: all three still go out */
	rspro_connection_close(a);
	WAIT_FOR(wb.n_closed == 1, RSPRO_TEST_TIMEOUT_MS);
	g_assert_cmpuint(g_queue_get_length(&wb.messages), ==, 3);
	g_assert_error(wb.closed, RSPRO_CONNECTION_ERROR, RSPRO_CONNECTION_ERROR_CLOSED_BY_PEER);
	watch_clear(&wb);
	g_clear_object(&a);
	g_clear_object(&b);
	socket_pair_clear(&pair);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/connection/bulk", test_bulk);
	g_test_add_func("/rspro/connection/full-socket", test_full_socket);
	g_test_add_func("/rspro/connection/send-then-close", test_send_then_close);
	g_test_add_func("/rspro/connection/flood-backpressure", test_flood_backpressure);
	g_test_add_func("/rspro/connection/flood-stall", test_flood_stall);
	g_test_add_func("/rspro/connection/queue-hard-limit", test_queue_hard_limit);
	g_test_add_func("/rspro/connection/keepalive-silent-peer", test_keepalive_silent_peer);
	g_test_add_func("/rspro/connection/keepalive-answered", test_keepalive_answered);
	g_test_add_func("/rspro/connection/ccm-answers", test_ccm_answers);
	g_test_add_func("/rspro/connection/garbage", test_garbage);
	g_test_add_func("/rspro/connection/requests", test_requests);
	g_test_add_func("/rspro/connection/drop-last-ref", test_drop_last_ref);
	g_test_add_func("/rspro/connection/request-keeps-alive", test_request_keeps_alive);
	g_test_add_func("/rspro/connection/unref-in-handlers", test_unref_in_handlers);
	g_test_add_func("/rspro/listener/accept", test_listener);
	g_test_add_func("/rspro/listener/limits", test_listener_limits);
	g_test_add_func("/rspro/listener/any-and-bad-address", test_listener_any_and_bad_address);
	return g_test_run();
}
