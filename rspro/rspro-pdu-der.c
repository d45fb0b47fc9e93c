/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hot path of the codec: tpduModemToCard and tpduCardToModem, one of each
 * per relayed APDU, written and read straight from DER. asn1c's DER encoder
 * sizes every nested element by encoding it again, which for these five
 * levels costs some 28,000 instructions per PDU; this costs a few hundred.
 *
 * The encoder writes exactly what asn1c writes (DER has one encoding per
 * value; the codec tests compare the two). The decoder takes only that form:
 * definite lengths, minimal INTEGERs in range, BOOLEANs 00/FF, a primitive
 * OCTET STRING, no extension additions, nothing after the end. Anything else,
 * even valid BER, returns NULL and goes through asn1c, which also names what
 * is wrong.
 */
#include "config.h"

#include <string.h>

#include "rspro-pdu-private.h"

#define DER_INTEGER 0x02
#define DER_BOOLEAN 0x01
#define DER_OCTET_STRING 0x04
#define DER_SEQUENCE 0x30
#define DER_VERSION 0x80  /* [0] IMPLICIT INTEGER */
#define DER_TAG 0x81	  /* [1] IMPLICIT OperationTag */
#define DER_MSG 0xa2	  /* [2] EXPLICIT RsproPDUchoice */
#define DER_TPDU_M2C 0xac /* [12] IMPLICIT TpduModemToCard */
#define DER_TPDU_C2M 0xad /* [13] IMPLICIT TpduCardToModem */
/* TpduFlags: four BOOLEANs */
#define DER_FLAGS_LEN 12

/* --- encode --- */

static gsize
rspro_pdu_der_int_len(guint32 value)
{
	gsize n = 1;

	/* one more byte whenever the top bit of the first one would be set */
	while (n < 5 && value >= (1u << (8 * n - 1)))
		n++;
	return n;
}

static gsize
rspro_pdu_der_len_len(gsize len)
{
	gsize n = 1;

	if (len < 0x80)
		return 1;
	for (; len > 0; len >>= 8)
		n++;
	return n;
}

static guint8 *
rspro_pdu_der_put_len(guint8 *p, gsize len)
{
	gsize n = rspro_pdu_der_len_len(len) - 1;

	if (n == 0) {
		*p++ = (guint8)len;
		return p;
	}
	*p++ = (guint8)(0x80 | n);
	for (gsize i = n; i > 0; i--)
		*p++ = (guint8)(len >> (8 * (i - 1)));
	return p;
}

static guint8 *
rspro_pdu_der_put_int(guint8 *p, guint8 tag, guint32 value)
{
	gsize n = rspro_pdu_der_int_len(value);

	*p++ = tag;
	*p++ = (guint8)n;
	for (gsize i = n; i > 0; i--)
		*p++ = i > 4 ? 0 : (guint8)(value >> (8 * (i - 1)));
	return p;
}

static gsize
rspro_pdu_der_pair_len(guint16 a, guint16 b)
{
	return 2 + 2 + rspro_pdu_der_int_len(a) + 2 + rspro_pdu_der_int_len(b);
}

static guint8 *
rspro_pdu_der_put_pair(guint8 *p, guint16 a, guint16 b)
{
	*p++ = DER_SEQUENCE;
	*p++ = (guint8)(2 + rspro_pdu_der_int_len(a) + 2 + rspro_pdu_der_int_len(b));
	p = rspro_pdu_der_put_int(p, DER_INTEGER, a);
	return rspro_pdu_der_put_int(p, DER_INTEGER, b);
}

static guint8 *
rspro_pdu_der_put_flags(guint8 *p, const RsproTpduFlags *f)
{
	const gboolean values[] = { f->tpdu_header_present, f->final_part, f->proc_byte_continue_tx,
				    f->proc_byte_continue_rx };

	*p++ = DER_SEQUENCE;
	*p++ = DER_FLAGS_LEN;
	for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
		*p++ = DER_BOOLEAN;
		*p++ = 1;
		*p++ = values[i] ? 0xff : 0x00;
	}
	return p;
}

/* the DER length of @view's PDU */
static gsize
rspro_pdu_der_tpdu_len(const RsproTpduView *view, gsize *content, gsize *choice, gsize *body)
{
	gsize msg;

	*body = rspro_pdu_der_pair_len(view->client_slot.client_id, view->client_slot.slot_nr) +
		rspro_pdu_der_pair_len(view->bank_slot.bank_id, view->bank_slot.slot_nr) + 2 +
		DER_FLAGS_LEN + 1 + rspro_pdu_der_len_len(view->data_len) + view->data_len;
	*choice = 1 + rspro_pdu_der_len_len(*body) + *body;
	msg = 1 + rspro_pdu_der_len_len(*choice) + *choice;
	*content =
	    2 + rspro_pdu_der_int_len(view->version) + 2 + rspro_pdu_der_int_len(view->tag) + msg;
	return 1 + rspro_pdu_der_len_len(*content) + *content;
}

gsize
rspro_pdu_der_write_tpdu(const RsproTpduView *view, guint8 *out, gsize cap)
{
	gboolean m2c = view->type == RSPRO_MSG_TPDU_MODEM_TO_CARD;
	gsize content, choice, body, total;
	guint8 *p = out;

	/* asn1c's limit */
	if ((!m2c && view->type != RSPRO_MSG_TPDU_CARD_TO_MODEM) || view->data_len > G_MAXINT / 2)
		return 0;
	total = rspro_pdu_der_tpdu_len(view, &content, &choice, &body);
	if (total > cap)
		return 0;
	*p++ = DER_SEQUENCE;
	p = rspro_pdu_der_put_len(p, content);
	p = rspro_pdu_der_put_int(p, DER_VERSION, view->version);
	p = rspro_pdu_der_put_int(p, DER_TAG, view->tag);
	*p++ = DER_MSG;
	p = rspro_pdu_der_put_len(p, choice);
	*p++ = m2c ? DER_TPDU_M2C : DER_TPDU_C2M;
	p = rspro_pdu_der_put_len(p, body);
	/* the sender's slot first */
	if (m2c) {
		p = rspro_pdu_der_put_pair(p, view->client_slot.client_id,
					   view->client_slot.slot_nr);
		p = rspro_pdu_der_put_pair(p, view->bank_slot.bank_id, view->bank_slot.slot_nr);
	} else {
		p = rspro_pdu_der_put_pair(p, view->bank_slot.bank_id, view->bank_slot.slot_nr);
		p = rspro_pdu_der_put_pair(p, view->client_slot.client_id,
					   view->client_slot.slot_nr);
	}
	p = rspro_pdu_der_put_flags(p, &view->flags);
	*p++ = DER_OCTET_STRING;
	p = rspro_pdu_der_put_len(p, view->data_len);
	if (view->data_len > 0)
		memcpy(p, view->data, view->data_len);
	g_assert((gsize)(p + view->data_len - out) == total);
	return total;
}

GBytes *
rspro_pdu_der_encode_tpdu(const RsproPdu *pdu)
{
	RsproTpduView view = { .type = pdu->type, .version = pdu->version, .tag = pdu->tag };
	gsize content, choice, body, total;
	GBytes *data;
	guint8 *out;

	if (pdu->type == RSPRO_MSG_TPDU_MODEM_TO_CARD) {
		const RsproTpduModemToCard *t = &pdu->u.tpdu_modem_to_card;

		view.client_slot = t->from_client_slot;
		view.bank_slot = t->to_bank_slot;
		view.flags = t->flags;
		data = t->data;
	} else if (pdu->type == RSPRO_MSG_TPDU_CARD_TO_MODEM) {
		const RsproTpduCardToModem *t = &pdu->u.tpdu_card_to_modem;

		view.client_slot = t->to_client_slot;
		view.bank_slot = t->from_bank_slot;
		view.flags = t->flags;
		data = t->data;
	} else {
		return NULL;
	}
	view.data = data != NULL ? g_bytes_get_data(data, &view.data_len) : NULL;
	if (view.data_len > G_MAXINT / 2)
		return NULL;
	total = rspro_pdu_der_tpdu_len(&view, &content, &choice, &body);
	out = g_malloc(total);
	rspro_pdu_der_write_tpdu(&view, out, total);
	return g_bytes_new_take(out, total);
}

/* --- decode --- */

typedef struct {
	const guint8 *p;
	gsize left;
} RsproDerReader;

/* the value of the next element if its tag is @tag and its length is definite and whole */
static gboolean
rspro_pdu_der_enter(RsproDerReader *r, guint8 tag, RsproDerReader *value)
{
	gsize len = 0, n;

	if (r->left < 2 || r->p[0] != tag)
		return FALSE;
	n = r->p[1];
	r->p += 2;
	r->left -= 2;
	if (n & 0x80) {
		n &= 0x7f;
		/* 0x80 is the indefinite form; more than four length bytes is no PDU of ours */
		if (n == 0 || n > 4 || r->left < n)
			return FALSE;
		for (gsize i = 0; i < n; i++)
			len = (len << 8) | r->p[i];
		r->p += n;
		r->left -= n;
	} else {
		len = n;
	}
	if (len > r->left)
		return FALSE;
	value->p = r->p;
	value->left = len;
	r->p += len;
	r->left -= len;
	return TRUE;
}

static gboolean
rspro_pdu_der_get_int(RsproDerReader *r, guint8 tag, guint32 max, guint32 *out)
{
	RsproDerReader v;
	guint32 value = 0;

	if (!rspro_pdu_der_enter(r, tag, &v) || v.left == 0 || v.left > 5 || (v.p[0] & 0x80))
		return FALSE;
	/* minimal: a leading zero only in front of a byte with its top bit set */
	if (v.left > 1 && v.p[0] == 0 && !(v.p[1] & 0x80))
		return FALSE;
	if (v.left == 5 && v.p[0] != 0)
		return FALSE;
	for (gsize i = 0; i < v.left; i++)
		value = (value << 8) | v.p[i];
	if (value > max)
		return FALSE;
	*out = value;
	return TRUE;
}

static gboolean
rspro_pdu_der_get_pair(RsproDerReader *r, guint16 *a, guint16 *b)
{
	RsproDerReader seq;
	guint32 x, y;

	if (!rspro_pdu_der_enter(r, DER_SEQUENCE, &seq) ||
	    !rspro_pdu_der_get_int(&seq, DER_INTEGER, RSPRO_ID_MAX, &x) ||
	    !rspro_pdu_der_get_int(&seq, DER_INTEGER, RSPRO_ID_MAX, &y) || seq.left != 0)
		return FALSE;
	*a = (guint16)x;
	*b = (guint16)y;
	return TRUE;
}

static gboolean
rspro_pdu_der_get_flags(RsproDerReader *r, RsproTpduFlags *f)
{
	gboolean *values[] = { &f->tpdu_header_present, &f->final_part, &f->proc_byte_continue_tx,
			       &f->proc_byte_continue_rx };
	RsproDerReader seq;

	if (!rspro_pdu_der_enter(r, DER_SEQUENCE, &seq))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
		RsproDerReader v;

		if (!rspro_pdu_der_enter(&seq, DER_BOOLEAN, &v) || v.left != 1 ||
		    (v.p[0] != 0x00 && v.p[0] != 0xff))
			return FALSE;
		*values[i] = v.p[0] != 0;
	}
	return seq.left == 0;
}

gboolean
rspro_pdu_der_read_tpdu(RsproTpduView *view, const guint8 *data, gsize len)
{
	RsproDerReader in = { data, len }, pdu_seq, msg, body, octets;
	guint32 version, tag;
	guint16 first[2], second[2];
	gboolean m2c;

	if (!rspro_pdu_der_enter(&in, DER_SEQUENCE, &pdu_seq) || in.left != 0 ||
	    !rspro_pdu_der_get_int(&pdu_seq, DER_VERSION, RSPRO_VERSION_MAX, &version) ||
	    !rspro_pdu_der_get_int(&pdu_seq, DER_TAG, RSPRO_TAG_MAX, &tag) ||
	    !rspro_pdu_der_enter(&pdu_seq, DER_MSG, &msg) || pdu_seq.left != 0 || msg.left < 1)
		return FALSE;
	m2c = msg.p[0] == DER_TPDU_M2C;
	if (!rspro_pdu_der_enter(&msg, m2c ? DER_TPDU_M2C : DER_TPDU_C2M, &body) || msg.left != 0 ||
	    !rspro_pdu_der_get_pair(&body, &first[0], &first[1]) ||
	    !rspro_pdu_der_get_pair(&body, &second[0], &second[1]) ||
	    !rspro_pdu_der_get_flags(&body, &view->flags) ||
	    !rspro_pdu_der_enter(&body, DER_OCTET_STRING, &octets) || body.left != 0)
		return FALSE;
	view->type = m2c ? RSPRO_MSG_TPDU_MODEM_TO_CARD : RSPRO_MSG_TPDU_CARD_TO_MODEM;
	view->version = version;
	view->tag = tag;
	/* the sender's slot comes first; the slots' ranges are the module's constraints */
	view->client_slot = m2c ? (RsproClientSlot){ first[0], first[1] }
				: (RsproClientSlot){ second[0], second[1] };
	view->bank_slot =
	    m2c ? (RsproBankSlot){ second[0], second[1] } : (RsproBankSlot){ first[0], first[1] };
	view->data = octets.p;
	view->data_len = octets.left;
	return TRUE;
}

RsproPdu *
rspro_pdu_der_decode_tpdu(const guint8 *data, gsize len)
{
	g_autoptr(RsproPdu) pdu = NULL;
	RsproTpduView view;

	if (!rspro_pdu_der_read_tpdu(&view, data, len))
		return NULL;
	pdu = rspro_pdu_new(view.type);
	pdu->version = view.version;
	pdu->tag = view.tag;
	if (view.type == RSPRO_MSG_TPDU_MODEM_TO_CARD) {
		RsproTpduModemToCard *t = &pdu->u.tpdu_modem_to_card;

		t->from_client_slot = view.client_slot;
		t->to_bank_slot = view.bank_slot;
		t->flags = view.flags;
		t->data = g_bytes_new(view.data, view.data_len);
	} else {
		RsproTpduCardToModem *t = &pdu->u.tpdu_card_to_modem;

		t->from_bank_slot = view.bank_slot;
		t->to_client_slot = view.client_slot;
		t->flags = view.flags;
		t->data = g_bytes_new(view.data, view.data_len);
	}
	/* the same check the asn1c path ends with */
	if (!rspro_pdu_check_constraints(pdu, NULL))
		return NULL;
	return g_steal_pointer(&pdu);
}
