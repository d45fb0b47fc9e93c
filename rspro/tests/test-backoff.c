/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reconnect schedule and the keep-alive timers, as values: upstream's
 * back-off table at every step boundary with both ends of the jitter, the
 * delay counted from the start of the last attempt, the reset after a quiet
 * time, and the keep-alive defaults a link hands its connections.
 */
#include <gio/gio.h>
#include <sys/socket.h>

#include "rspro-backoff.h"
#include "rspro-link.h"

#define S (G_USEC_PER_SEC)

/* the delay after @failures failures in a row, each at the same moment as its attempt */
static guint
delay_after(guint failures, gdouble jitter)
{
	RsproBackoff b;
	guint ms = 0;

	rspro_backoff_init(&b, 1.0);
	for (guint i = 0; i <= failures; i++) {
		rspro_backoff_attempt(&b, 1000 * S);
		ms = rspro_backoff_next_delay_ms(&b, 1000 * S, jitter);
	}
	return ms;
}

static void
test_table(void)
{
	/* 50, 100, 250 ms where upstream HEAD retries at once, then its 30×1, 30×2,
	 * 30×4, 30×8 s, then 16 s */
	static const struct {
		guint index;
		guint ms;
	} rows[] = {
		{ 0, 50 },     { 1, 100 },     { 2, 250 },     { 3, 1000 },  { 32, 1000 },
		{ 33, 2000 },  { 62, 2000 },   { 63, 4000 },   { 92, 4000 }, { 93, 8000 },
		{ 122, 8000 }, { 123, 16000 }, { 500, 16000 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++)
		g_assert_cmpuint(rspro_backoff_table_ms(rows[i].index), ==, rows[i].ms);
	g_assert_cmpuint(RSPRO_BACKOFF_LAST_INDEX, ==, 123);
}

static void
test_steps_with_jitter(void)
{
	/* the first three retries about 50, 150 and 400 ms after a loss, ±10 % each */
	g_assert_cmpuint(delay_after(0, 0.0), ==, 50);
	g_assert_cmpuint(delay_after(0, -1.0), ==, 45);
	g_assert_cmpuint(delay_after(0, 1.0), ==, 55);
	g_assert_cmpuint(delay_after(1, 0.0), ==, 100);
	g_assert_cmpuint(delay_after(1, -1.0), ==, 90);
	g_assert_cmpuint(delay_after(1, 1.0), ==, 110);
	g_assert_cmpuint(delay_after(2, 0.0), ==, 250);
	g_assert_cmpuint(delay_after(2, -1.0), ==, 225);
	g_assert_cmpuint(delay_after(2, 1.0), ==, 275);
	/* attempts that fail at once: all three within half a second of the loss */
	{
		RsproBackoff b;
		gint64 t = 1000 * S;

		rspro_backoff_init(&b, 1.0);
		for (guint n = 0; n < 3; n++)
			t += (gint64)rspro_backoff_next_delay_ms(&b, t, 1.0) * 1000;
		g_assert_cmpint(t - 1000 * S, <=, 440 * 1000);
		rspro_backoff_init(&b, 1.0);
		t = 1000 * S;
		for (guint n = 0; n < 3; n++)
			t += (gint64)rspro_backoff_next_delay_ms(&b, t, -1.0) * 1000;
		g_assert_cmpint(t - 1000 * S, >=, 360 * 1000);
	}
	/* then each step exactly, and ±10 % at the ends of the jitter */
	g_assert_cmpuint(delay_after(3, 0.0), ==, 1000);
	g_assert_cmpuint(delay_after(3, -1.0), ==, 900);
	g_assert_cmpuint(delay_after(3, 1.0), ==, 1100);
	g_assert_cmpuint(delay_after(32, 0.0), ==, 1000);
	g_assert_cmpuint(delay_after(33, 0.0), ==, 2000);
	g_assert_cmpuint(delay_after(63, 0.0), ==, 4000);
	g_assert_cmpuint(delay_after(93, 0.0), ==, 8000);
	g_assert_cmpuint(delay_after(123, 0.0), ==, 16000);
	g_assert_cmpuint(delay_after(123, -1.0), ==, 14400);
	g_assert_cmpuint(delay_after(123, 1.0), ==, 17600);
	/* saturates at 16 s */
	g_assert_cmpuint(delay_after(1000, 0.0), ==, 16000);
	/* a jitter outside -1..1 is clamped */
	g_assert_cmpuint(delay_after(3, 5.0), ==, 1100);
}

static void
test_from_attempt_start(void)
{
	RsproBackoff b;

	rspro_backoff_init(&b, 1.0);
	for (guint i = 0; i < 4; i++)
		rspro_backoff_next_delay_ms(&b, 100 * S, 0.0);
	g_assert_cmpuint(b.index, ==, 4);
	/* an attempt that failed 300 ms after it began waits 700 ms more for 1 s */
	rspro_backoff_attempt(&b, 200 * S);
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 200 * S + 300000, 0.0), ==, 700);
	/* one that took longer than its step goes again at once (1 ms) */
	rspro_backoff_attempt(&b, 300 * S);
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 300 * S + 1500000, 0.0), ==, 1);
}

static void
test_reset_after_quiet(void)
{
	RsproBackoff b;

	rspro_backoff_init(&b, 1.0);
	for (guint i = 0; i < 40; i++) {
		rspro_backoff_attempt(&b, 10 * S);
		rspro_backoff_next_delay_ms(&b, 10 * S, 0.0);
	}
	g_assert_cmpuint(b.index, ==, 40);
	/* 32 s after the last attempt began: still counting */
	rspro_backoff_attempt(&b, 100 * S);
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 132 * S, 0.0), ==, 1);
	g_assert_cmpuint(b.index, ==, 41);
	/* a link that lived longer than that starts the table again: 50 ms from the
	 * attempt's start, long past */
	rspro_backoff_attempt(&b, 200 * S);
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 232 * S + 1, 0.0), ==, 1);
	g_assert_cmpuint(b.index, ==, 1);
	/* and the next failure waits the table's second step */
	rspro_backoff_attempt(&b, 300 * S);
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 300 * S, 0.0), ==, 100);
	rspro_backoff_reset(&b);
	g_assert_cmpuint(b.index, ==, 0);
	g_assert_cmpint(b.last_attempt_us, ==, 0);
}

static void
test_scale(void)
{
	RsproBackoff b;

	rspro_backoff_init(&b, 0.01);
	b.index = 123;
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 5 * S, 0.0), ==, 160);
	/* the quiet time that resets the table scales too: 0.32 s */
	b.index = 123;
	rspro_backoff_attempt(&b, 5 * S);
	g_assert_cmpuint(rspro_backoff_next_delay_ms(&b, 5 * S + 330000, 0.0), ==, 1);
	g_assert_cmpuint(b.index, ==, 1);
}

static void
test_keepalive_defaults(void)
{
	g_autoptr(RsproPdu) hello = rspro_pdu_new(RSPRO_MSG_CONNECT_BANK_REQ);
	g_autoptr(RsproLink) link = rspro_link_new(hello, RSPRO_COMPONENT_SERVER);
	guint interval = 0, timeout = 0;

	/* upstream: a PING 30 s after each PONG, 10 s to answer it */
	g_assert_cmpuint(RSPRO_KEEPALIVE_INTERVAL_MS, ==, 30000);
	g_assert_cmpuint(RSPRO_KEEPALIVE_TIMEOUT_MS, ==, 10000);
	rspro_link_get_keepalive(link, &interval, &timeout);
	g_assert_cmpuint(interval, ==, 30000);
	g_assert_cmpuint(timeout, ==, 10000);
	rspro_link_set_keepalive(link, 500, 200);
	rspro_link_get_keepalive(link, &interval, &timeout);
	g_assert_cmpuint(interval, ==, 500);
	g_assert_cmpuint(timeout, ==, 200);
}

static void
test_connection_keepalive_default_timeout(void)
{
	g_autoptr(GSocket) a = NULL, b = NULL;
	gint fds[2];
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) sc = NULL;
	g_autoptr(RsproConnection) conn = NULL;
	guint interval = 1, timeout = 1;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
	a = g_socket_new_from_fd(fds[0], &error);
	g_assert_no_error(error);
	b = g_socket_new_from_fd(fds[1], &error);
	g_assert_no_error(error);
	sc = g_socket_connection_factory_create_connection(a);
	conn = rspro_connection_new(G_IO_STREAM(sc));
	/* no keep-alive until asked for; asked for without a timeout: upstream's 10 s */
	rspro_connection_get_keepalive(conn, &interval, &timeout);
	g_assert_cmpuint(interval, ==, 0);
	rspro_connection_set_keepalive(conn, 30000, 0);
	rspro_connection_get_keepalive(conn, &interval, &timeout);
	g_assert_cmpuint(interval, ==, 30000);
	g_assert_cmpuint(timeout, ==, 10000);
	rspro_connection_close(conn);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/backoff/table", test_table);
	g_test_add_func("/rspro/backoff/steps-with-jitter", test_steps_with_jitter);
	g_test_add_func("/rspro/backoff/from-attempt-start", test_from_attempt_start);
	g_test_add_func("/rspro/backoff/reset-after-quiet", test_reset_after_quiet);
	g_test_add_func("/rspro/backoff/scale", test_scale);
	g_test_add_func("/rspro/keepalive/link-defaults", test_keepalive_defaults);
	g_test_add_func("/rspro/keepalive/connection-default-timeout",
			test_connection_keepalive_default_timeout);
	return g_test_run();
}
