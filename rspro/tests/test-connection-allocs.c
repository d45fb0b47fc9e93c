/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a relayed APDU allocates on the RSPRO side: two RsproConnections over
 * a loopback TCP connection, one sending tpduModemToCard, the other answering
 * each with tpduCardToModem, one in flight, as a client and a bank do. The
 * heap allocations per round trip (both ends: encode, write, read, decode,
 * the main loop) are counted after a warm-up and must not grow: framing, DER
 * and the received message go through buffers each connection keeps. The count comes from
 * this program's own malloc, calloc and realloc in front of glibc's, or from
 * AddressSanitizer's allocation hook in a sanitizer build.
 */
#include <string.h>

#include "rspro-connection.h"
#include "transport-util.h"

#if defined(__SANITIZE_ADDRESS__)
/* sanitizer/allocator_interface.h, which gcc 12 does not install; libasan has it */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					      void (*free_hook)(const volatile void *));
#endif

/*
 * Today 2: the received message's data on each side, which a handler may keep
 * (before the connection kept its buffers: 10). One more for a chunk GLib's
 * slice allocator takes now and then.
 */
#define ALLOCS_PER_ROUND_TRIP_MAX 3
#define WARMUP 200
#define ROUNDS 2000

static gint counting; /* only the main thread's allocations, and only while measuring */
static gint64 allocs;
static GThread *main_thread;

static void
count_one(void)
{
	if (g_atomic_int_get(&counting) && g_thread_self() == main_thread)
		allocs++;
}

#if defined(__SANITIZE_ADDRESS__)
static void
malloc_hook(const volatile void *ptr, size_t size)
{
	count_one();
}

static void
free_hook(const volatile void *ptr)
{
}

static void
install_counter(void)
{
	__sanitizer_install_malloc_and_free_hooks(malloc_hook, free_hook);
}
#else
/* glibc's allocator under its own names: these definitions stand in front of it */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);

void *
malloc(size_t size)
{
	count_one();
	return __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	count_one();
	return __libc_calloc(n, size);
}

void *
realloc(void *ptr, size_t size)
{
	count_one();
	return __libc_realloc(ptr, size);
}

static void
install_counter(void)
{
}
#endif

typedef struct {
	RsproConnection *modem;
	RsproConnection *card;
	RsproPdu *command; /* sent again and again: the test itself allocates nothing */
	RsproPdu *response;
	guint64 answers;
} Relay;

static void
card_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	Relay *r = user_data;

	g_assert_cmpint(pdu->type, ==, RSPRO_MSG_TPDU_MODEM_TO_CARD);
	g_assert_true(rspro_connection_send(r->card, r->response, NULL));
}

static void
modem_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	Relay *r = user_data;

	g_assert_cmpint(pdu->type, ==, RSPRO_MSG_TPDU_CARD_TO_MODEM);
	r->answers++;
}

/* @n round trips, one in flight */
static void
relay_run(Relay *r, guint n)
{
	for (guint i = 0; i < n; i++) {
		guint64 want = r->answers + 1;

		g_assert_true(rspro_connection_send(r->modem, r->command, NULL));
		while (r->answers < want)
			g_main_context_iteration(NULL, TRUE);
	}
}

static void
test_allocations_per_apdu(void)
{
	SocketPair pair = socket_pair_new();
	static const guint8 select_mf[] = { 0xa0, 0xa4, 0x00, 0x00, 0x02, 0x3f, 0x00 };
	static const guint8 status_word[] = { 0x9f, 0x16 };
	g_autoptr(GBytes) command = g_bytes_new_static(select_mf, sizeof(select_mf));
	g_autoptr(GBytes) response = g_bytes_new_static(status_word, sizeof(status_word));
	RsproClientSlot client = { 23, 0 };
	RsproBankSlot bank = { 1, 7 };
	Relay r = { 0 };
	gdouble per_round_trip;

	r.modem = rspro_connection_new(G_IO_STREAM(pair.connected));
	r.card = rspro_connection_new(G_IO_STREAM(pair.accepted));
	r.command = rspro_pdu_new_tpdu_modem_to_card(&client, &bank, command);
	r.response = rspro_pdu_new_tpdu_card_to_modem(&bank, &client, response);
	g_signal_connect(r.card, "message", G_CALLBACK(card_message_cb), &r);
	g_signal_connect(r.modem, "message", G_CALLBACK(modem_message_cb), &r);
	rspro_connection_start(r.modem);
	rspro_connection_start(r.card);

	relay_run(&r, WARMUP);
	allocs = 0;
	g_atomic_int_set(&counting, 1);
	relay_run(&r, ROUNDS);
	g_atomic_int_set(&counting, 0);
	per_round_trip = (gdouble)allocs / ROUNDS;
	g_test_message("%.2f heap allocations per round trip (both ends), at most %d",
		       per_round_trip, ALLOCS_PER_ROUND_TRIP_MAX);
	g_assert_cmpfloat(per_round_trip, <=, ALLOCS_PER_ROUND_TRIP_MAX);

	rspro_pdu_free(r.command);
	rspro_pdu_free(r.response);
	rspro_connection_close(r.modem);
	rspro_connection_close(r.card);
	g_object_unref(r.modem);
	g_object_unref(r.card);
	socket_pair_clear(&pair);
}

int
main(int argc, char **argv)
{
	main_thread = g_thread_self();
	install_counter();
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/connection/allocations-per-apdu", test_allocations_per_apdu);
	return g_test_run();
}
