/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TPDU fast path against asn1c: the same bytes for every value at the edges
 * of each field's encoding, the same PDU back, and anything outside the exact
 * DER form left to asn1c with the same outcome.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rspro-pdu-private.h"

static const guint16 ids[] = { 0, 1, 127, 128, 255, 256, 1023 };
static const guint32 tags[] = { 0,     127,   128,     255,	256,	  32767,    32768,
				65535, 65536, 8388607, 8388608, 16777215, 16777216, 2147483647 };
static const gsize data_lens[] = { 0, 1, 5, 127, 128, 255, 256, 261, 65535, 65536, 70000 };

static RsproPdu *
make_tpdu(gboolean m2c, guint16 a, guint16 b, guint flags, guint32 tag, gsize data_len)
{
	g_autofree guint8 *data = g_malloc(data_len + 1);
	g_autoptr(GBytes) bytes = NULL;
	RsproClientSlot client = { a, b };
	RsproBankSlot bank = { b, a };
	RsproTpduFlags *f;
	RsproPdu *pdu;

	for (gsize i = 0; i < data_len; i++)
		data[i] = (guint8)(i * 7 + 3);
	bytes = g_bytes_new(data, data_len);
	if (m2c) {
		pdu = rspro_pdu_new_tpdu_modem_to_card(&client, &bank, bytes);
		f = &pdu->u.tpdu_modem_to_card.flags;
	} else {
		pdu = rspro_pdu_new_tpdu_card_to_modem(&bank, &client, bytes);
		f = &pdu->u.tpdu_card_to_modem.flags;
	}
	f->tpdu_header_present = (flags & 1) != 0;
	f->final_part = (flags & 2) != 0;
	f->proc_byte_continue_tx = (flags & 4) != 0;
	f->proc_byte_continue_rx = (flags & 8) != 0;
	pdu->tag = tag;
	return pdu;
}

static gchar *
json_of(const RsproPdu *pdu)
{
	return rspro_pdu_json_encode_string(pdu);
}

/* fast and asn1c encodings are equal, and both decoders give the PDU back */
static void
check_same(const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) fast = rspro_pdu_der_encode_tpdu(pdu);
	g_autoptr(GBytes) slow = rspro_pdu_asn1c_encode(pdu, &error);
	g_autoptr(RsproPdu) fast_back = NULL;
	g_autoptr(RsproPdu) slow_back = NULL;
	g_autofree gchar *want = json_of(pdu);
	g_autofree gchar *got_fast = NULL, *got_slow = NULL;
	gsize len = 0;
	const guint8 *data;

	g_assert_no_error(error);
	g_assert_nonnull(fast);
	g_assert_true(g_bytes_equal(fast, slow));
	data = g_bytes_get_data(fast, &len);
	fast_back = rspro_pdu_der_decode_tpdu(data, len);
	slow_back = rspro_pdu_asn1c_decode(data, len, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fast_back);
	got_fast = json_of(fast_back);
	got_slow = json_of(slow_back);
	g_assert_cmpstr(got_fast, ==, want);
	g_assert_cmpstr(got_slow, ==, want);
}

static void
test_same_bytes(void)
{
	for (guint m2c = 0; m2c < 2; m2c++) {
		for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
			for (guint j = 0; j < G_N_ELEMENTS(ids); j++) {
				g_autoptr(RsproPdu) pdu =
				    make_tpdu(m2c, ids[i], ids[j], i + j, 0, 7);

				check_same(pdu);
			}
		for (guint i = 0; i < G_N_ELEMENTS(tags); i++)
			for (guint version = 0; version <= RSPRO_VERSION_MAX; version += 16) {
				g_autoptr(RsproPdu) pdu = make_tpdu(m2c, 5, 6, i, tags[i], 2);

				pdu->version = version;
				check_same(pdu);
			}
		for (guint flags = 0; flags < 16; flags++) {
			g_autoptr(RsproPdu) pdu = make_tpdu(m2c, 1, 0, flags, 1, 5);

			check_same(pdu);
		}
		for (guint i = 0; i < G_N_ELEMENTS(data_lens); i++) {
			g_autoptr(RsproPdu) pdu = make_tpdu(m2c, 1023, 1023, 15, 0, data_lens[i]);

			check_same(pdu);
		}
	}
}

static void
test_other_messages_not_taken(void)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_result(RSPRO_MSG_SET_ATR_RES, 0);
	g_autoptr(GBytes) encoded = rspro_pdu_encode(pdu, NULL);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(encoded, &len);

	g_assert_null(rspro_pdu_der_encode_tpdu(pdu));
	g_assert_null(rspro_pdu_der_decode_tpdu(data, len));
}

/*
 * Each edit of a good encoding: the fast decoder declines it, and the public
 * decoder's answer (a PDU or an error) is asn1c's.
 */
typedef struct {
	const gchar *what;
	gsize at;	   /* byte to change, or G_MAXSIZE */
	guint8 value;	   /* its new value */
	gboolean append;   /* add a byte at the end */
	gboolean truncate; /* drop the last byte */
} Edit;

static void
check_left_to_asn1c(const guint8 *data, gsize len, const gchar *what)
{
	g_autoptr(GError) slow_error = NULL, error = NULL;
	g_autoptr(RsproPdu) slow = rspro_pdu_asn1c_decode(data, len, &slow_error);
	g_autoptr(RsproPdu) got = rspro_pdu_decode(data, len, &error);

	g_test_message("%s", what);
	g_assert_null(rspro_pdu_der_decode_tpdu(data, len));
	if (slow == NULL) {
		g_assert_null(got);
		g_assert_cmpstr(error->message, ==, slow_error->message);
	} else {
		g_autofree gchar *a = json_of(slow);
		g_autofree gchar *b = json_of(got);

		g_assert_cmpstr(a, ==, b);
	}
}

static void
test_other_forms_left_to_asn1c(void)
{
	g_autoptr(RsproPdu) pdu = make_tpdu(TRUE, 1, 2, 0, 0, 5);
	g_autoptr(GBytes) good = rspro_pdu_encode(pdu, NULL);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(good, &len);
	/* 30 L 80 01 02 81 01 00 a2 L ac L 30 06 02 01 01 02 01 02 30 06 ... */
	const Edit edits[] = {
		{ "trailing byte", G_MAXSIZE, 0, TRUE, FALSE },
		{ "truncated", G_MAXSIZE, 0, FALSE, TRUE },
		{ "indefinite outer length", 1, 0x80, FALSE, FALSE },
		{ "version out of range", 4, 33, FALSE, FALSE },
		{ "negative tag", 7, 0xff, FALSE, FALSE },
		{ "msg [2] primitive", 8, 0x82, FALSE, FALSE },
		{ "another message", 10, 0xab, FALSE, FALSE },
		{ "negative clientId", 16, 0x80, FALSE, FALSE },
		{ "BOOLEAN 01", 0, 0, FALSE, FALSE },
	};

	g_assert_cmphex(data[0], ==, 0x30);
	g_assert_cmphex(data[10], ==, 0xac);
	for (guint i = 0; i < G_N_ELEMENTS(edits); i++) {
		GByteArray *buf = g_byte_array_new();
		const Edit *e = &edits[i];

		g_byte_array_append(buf, data, len);
		if (e->append)
			g_byte_array_append(buf, (const guint8 *)"", 1);
		if (e->truncate)
			g_byte_array_set_size(buf, buf->len - 1);
		if (e->at != G_MAXSIZE && e->at != 0)
			buf->data[e->at] = e->value;
		if (e->at == 0) {
			/* the first flag BOOLEAN's value: 01 is TRUE in BER, not DER */
			for (guint j = 0; j + 2 < buf->len; j++)
				if (buf->data[j] == 0x01 && buf->data[j + 1] == 0x01) {
					buf->data[j + 2] = 0x01;
					break;
				}
		}
		check_left_to_asn1c(buf->data, buf->len, e->what);
		g_byte_array_unref(buf);
	}
}

/*
 * A length that claims more than its container holds is refused before it is
 * read: each TPDU below ends at the last readable byte of a page, with the
 * next page unreadable, so that a read past its end stops the test. Every
 * length that encloses it is right; only the innermost claims too much.
 */
static void
test_no_read_past_the_end(void)
{
	static const guint8 short_int[] = {
		/* 30 12 [version 2] [tag 0] a2 0a ac 08 30 06 [02 01 17] 02 05 00 */
		0x30, 0x12, 0x80, 0x01, 0x02, 0x81, 0x01, 0x00, 0xa2, 0x0a,
		0xac, 0x08, 0x30, 0x06, 0x02, 0x01, 0x17, 0x02, 0x05, 0x00,
	};
	static const guint8 short_length[] = {
		/* ... 30 05 [02 01 17] 02 82: the INTEGER's two length bytes are missing */
		0x30, 0x11, 0x80, 0x01, 0x02, 0x81, 0x01, 0x00, 0xa2, 0x09,
		0xac, 0x07, 0x30, 0x05, 0x02, 0x01, 0x17, 0x02, 0x82,
	};
	static const struct {
		const guint8 *der;
		gsize len;
	} cases[] = { { short_int, sizeof(short_int) }, { short_length, sizeof(short_length) } };
	gsize page = (gsize)sysconf(_SC_PAGESIZE);
	guint8 *map =
	    mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	g_assert_true(map != MAP_FAILED);
	g_assert_cmpint(mprotect(map + page, page, PROT_NONE), ==, 0);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		guint8 *at = map + page - cases[i].len;
		g_autoptr(GError) error = NULL;

		memcpy(at, cases[i].der, cases[i].len);
		g_assert_null(rspro_pdu_der_decode_tpdu(at, cases[i].len));
		g_assert_null(rspro_pdu_decode(at, cases[i].len, &error));
		g_assert_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_MALFORMED);
	}
	munmap(map, 2 * page);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/der/same-bytes-as-asn1c", test_same_bytes);
	g_test_add_func("/rspro/der/other-messages-not-taken", test_other_messages_not_taken);
	g_test_add_func("/rspro/der/other-forms-left-to-asn1c", test_other_forms_left_to_asn1c);
	g_test_add_func("/rspro/der/no-read-past-the-end", test_no_read_past_the_end);
	return g_test_run();
}
