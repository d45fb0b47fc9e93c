/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproConnection over loopback: one-way PDU throughput and request/response
 * round trips in lockstep (the next request once the last response came).
 * Prints figures; checks that every PDU came, of its type and with its data.
 */
#include "rspro-connection.h"
#include "transport-util.h"

#define STREAM_PDUS 200000
#define ROUND_TRIPS 20000

static RsproPdu *
make_tpdu(RsproMsgType type)
{
	static const guint8 apdu[] = { 0xa0, 0xa4, 0x00, 0x00, 0x02, 0x3f, 0x00 };
	g_autoptr(GBytes) data = g_bytes_new_static(apdu, sizeof(apdu));
	RsproClientSlot client = { 23, 0 };
	RsproBankSlot bank = { 1, 0 };

	if (type == RSPRO_MSG_TPDU_MODEM_TO_CARD)
		return rspro_pdu_new_tpdu_modem_to_card(&client, &bank, data);
	return rspro_pdu_new_tpdu_card_to_modem(&bank, &client, data);
}

/* the TPDU of @type that make_tpdu() makes */
static void
check_tpdu(const RsproPdu *pdu, RsproMsgType type)
{
	g_autoptr(RsproPdu) want = make_tpdu(type);
	GBytes *data = type == RSPRO_MSG_TPDU_MODEM_TO_CARD ? pdu->u.tpdu_modem_to_card.data
							    : pdu->u.tpdu_card_to_modem.data;

	if (pdu->type != type || !g_bytes_equal(data, type == RSPRO_MSG_TPDU_MODEM_TO_CARD
							  ? want->u.tpdu_modem_to_card.data
							  : want->u.tpdu_card_to_modem.data))
		g_error("a PDU came changed");
}

static void
count_cb(RsproConnection *conn, RsproPdu *pdu, guint *count)
{
	check_tpdu(pdu, RSPRO_MSG_TPDU_MODEM_TO_CARD);
	(*count)++;
}

/* the card side: answers every tpduModemToCard */
static void
echo_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	g_autoptr(RsproPdu) res = make_tpdu(RSPRO_MSG_TPDU_CARD_TO_MODEM);

	rspro_connection_send(conn, res, NULL);
}

static void
bench_stream(RsproConnection *a, RsproConnection *b)
{
	g_autoptr(RsproPdu) pdu = make_tpdu(RSPRO_MSG_TPDU_MODEM_TO_CARD);
	guint received = 0;
	gulong id = g_signal_connect(b, "message", G_CALLBACK(count_cb), &received);
	gint64 start = g_get_monotonic_time();

	for (guint i = 0; i < STREAM_PDUS; i++) {
		rspro_connection_send(a, pdu, NULL);
		if (i % 1000 == 999)
			g_main_context_iteration(NULL, FALSE);
	}
	WAIT_FOR(received == STREAM_PDUS, 120000);

	gdouble secs = (g_get_monotonic_time() - start) / (gdouble)G_USEC_PER_SEC;
	g_print("stream: %u tpduModemToCard in %.3f s = %.0f PDU/s\n", STREAM_PDUS, secs,
		STREAM_PDUS / secs);
	g_signal_handler_disconnect(b, id);
}

typedef struct {
	RsproConnection *conn;
	guint done;
	gint64 start;
} RoundTrips;

static void send_next(RoundTrips *rt);

static void
response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RoundTrips *rt = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, &error);

	g_assert_no_error(error);
	check_tpdu(res, RSPRO_MSG_TPDU_CARD_TO_MODEM);
	rt->done++;
	if (rt->done < ROUND_TRIPS)
		send_next(rt);
}

static void
send_next(RoundTrips *rt)
{
	g_autoptr(RsproPdu) req = make_tpdu(RSPRO_MSG_TPDU_MODEM_TO_CARD);

	rspro_connection_request_async(rt->conn, req, RSPRO_MSG_TPDU_CARD_TO_MODEM, 10000, NULL,
				       response_ready, rt);
}

static void
bench_round_trips(RsproConnection *a, RsproConnection *b)
{
	RoundTrips rt = { a, 0, g_get_monotonic_time() };
	gulong id = g_signal_connect(b, "message", G_CALLBACK(echo_cb), NULL);

	send_next(&rt);
	WAIT_FOR(rt.done == ROUND_TRIPS, 120000);

	gint64 us = g_get_monotonic_time() - rt.start;
	g_print("round trips (one in flight): %u request/response pairs in %.3f s = %.1f us "
		"each\n",
		ROUND_TRIPS, us / (gdouble)G_USEC_PER_SEC, us / (gdouble)ROUND_TRIPS);
	g_signal_handler_disconnect(b, id);
}

int
main(int argc, char **argv)
{
	SocketPair pair = socket_pair_new();
	g_autoptr(RsproConnection) a = rspro_connection_new(G_IO_STREAM(pair.connected));
	g_autoptr(RsproConnection) b = rspro_connection_new(G_IO_STREAM(pair.accepted));

	rspro_connection_start(a);
	rspro_connection_start(b);
	bench_stream(a, b);
	bench_round_trips(a, b);
	socket_pair_clear(&pair);
	return 0;
}
