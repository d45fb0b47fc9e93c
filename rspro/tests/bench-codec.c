/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Codec speed on one thread: encode+decode of a tpduModemToCard with 261 bytes of
 * data (a full short APDU and its header), beside a memcpy of the same 261 bytes
 * measured in the same run as the floor. Each decode is checked (its type, its
 * slots and its data); the encoding is checked once to decode to the same PDU
 * and encode to the same bytes again. Run with `meson test --benchmark`.
 */
#include "config.h"

#include <sched.h>
#include <string.h>
#include <glib.h>

#include "rspro-pdu.h"

#define DATA_LEN 261
#define RUN_USEC (2 * G_USEC_PER_SEC)

typedef void (*BenchFunc)(gpointer data);

/* calls of @func per second, over about RUN_USEC */
static gdouble
measure(BenchFunc func, gpointer data)
{
	guint64 calls = 0;
	gint64 start = g_get_monotonic_time();
	gint64 elapsed;

	do {
		for (guint i = 0; i < 1000; i++)
			func(data);
		calls += 1000;
		elapsed = g_get_monotonic_time() - start;
	} while (elapsed < RUN_USEC);
	return (gdouble)calls * G_USEC_PER_SEC / (gdouble)elapsed;
}

/* @back is the tpduModemToCard @pdu was */
static void
check_same(const RsproPdu *pdu, const RsproPdu *back)
{
	const RsproTpduModemToCard *a = &pdu->u.tpdu_modem_to_card;
	const RsproTpduModemToCard *b = &back->u.tpdu_modem_to_card;

	if (back->type != RSPRO_MSG_TPDU_MODEM_TO_CARD ||
	    a->from_client_slot.client_id != b->from_client_slot.client_id ||
	    a->from_client_slot.slot_nr != b->from_client_slot.slot_nr ||
	    a->to_bank_slot.bank_id != b->to_bank_slot.bank_id ||
	    a->to_bank_slot.slot_nr != b->to_bank_slot.slot_nr || !g_bytes_equal(a->data, b->data))
		g_error("the decoded PDU is not the one encoded");
}

static void
encode_decode(gpointer data)
{
	const RsproPdu *pdu = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) der = rspro_pdu_encode(pdu, &error);
	g_autoptr(RsproPdu) back = NULL;

	if (!der)
		g_error("encode: %s", error->message);
	back = rspro_pdu_decode_bytes(der, &error);
	if (!back)
		g_error("decode: %s", error->message);
	check_same(pdu, back);
}

static void
encode_only(gpointer data)
{
	g_autoptr(GBytes) der = rspro_pdu_encode(data, NULL);

	if (!der)
		g_error("encode failed");
}

static void
decode_only(gpointer data)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(data, NULL);

	if (!pdu)
		g_error("decode failed");
}

static guint8 copy_src[DATA_LEN];
static guint8 copy_dst[DATA_LEN];

static void
copy_only(gpointer data)
{
	memcpy(copy_dst, copy_src, DATA_LEN);
	/* keep the compiler from dropping or merging the copies */
	__asm__ __volatile__("" : : "r"(copy_dst), "r"(copy_src) : "memory");
}

/* stay on the CPU we started on, so that one core's speed is measured */
static void
pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		g_printerr("could not pin to CPU %d; measuring unpinned\n", cpu);
}

int
main(void)
{
	const RsproClientSlot from = { 23, 0 };
	const RsproBankSlot to = { 1, 1 };
	g_autoptr(GBytes) payload = NULL;
	g_autoptr(RsproPdu) pdu = NULL;
	g_autoptr(GBytes) der = NULL;
	gdouble both, enc, dec, floor;

	pin_to_current_cpu();
	for (guint i = 0; i < DATA_LEN; i++)
		copy_src[i] = (guint8)i;
	payload = g_bytes_new(copy_src, DATA_LEN);
	pdu = rspro_pdu_new_tpdu_modem_to_card(&from, &to, payload);
	pdu->u.tpdu_modem_to_card.flags.tpdu_header_present = TRUE;
	pdu->u.tpdu_modem_to_card.flags.final_part = TRUE;
	der = rspro_pdu_encode(pdu, NULL);
	g_assert_nonnull(der);
	{
		g_autoptr(RsproPdu) back = rspro_pdu_decode_bytes(der, NULL);
		g_autoptr(GBytes) again = NULL;

		g_assert_nonnull(back);
		check_same(pdu, back);
		g_assert_true(back->u.tpdu_modem_to_card.flags.tpdu_header_present);
		g_assert_true(back->u.tpdu_modem_to_card.flags.final_part);
		again = rspro_pdu_encode(back, NULL);
		g_assert_true(g_bytes_equal(again, der));
	}

	both = measure(encode_decode, pdu);
	enc = measure(encode_only, pdu);
	dec = measure(decode_only, der);
	floor = measure(copy_only, NULL);

	g_print("tpduModemToCard, %u data bytes, %" G_GSIZE_FORMAT " bytes DER, one thread\n",
		DATA_LEN, g_bytes_get_size(der));
	g_print("encode+decode: %12.0f PDUs/s  (%.0f ns each)\n", both, 1e9 / both);
	g_print("encode only:   %12.0f PDUs/s\n", enc);
	g_print("decode only:   %12.0f PDUs/s\n", dec);
	g_print("memcpy %u B:   %12.0f copies/s (the floor)\n", DATA_LEN, floor);
	g_print("ratio memcpy / encode+decode: %.1f\n", floor / both);
	return 0;
}
