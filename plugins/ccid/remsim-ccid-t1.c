/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-error.h"
#include "remsim-ccid-t1.h"

/* retransmissions of one block before the exchange fails */
#define REMSIM_CCID_T1_MAX_RETRIES 3
/* blocks in one exchange before a card that never ends it counts as broken */
#define REMSIM_CCID_T1_MAX_BLOCKS 1024
/* the largest answer collected from chained blocks */
#define REMSIM_CCID_T1_MAX_ANSWER (65536 + 2)

struct _RemsimCcidT1 {
	guint ifsc;
	gboolean crc;
	guint8 ns; /* N(S) of our next I-block */
	guint8 nr; /* N(S) we expect of the card's next I-block */
	GBytes *apdu;
	gsize offset; /* bytes of the APDU acknowledged so far */
	gsize chunk;  /* bytes in the I-block last sent */
	GBytes *last; /* the block last sent, for retransmission */
	GByteArray *answer;
	guint retries;
	guint blocks;
	gboolean ifs_pending;
};

static guint16
remsim_ccid_t1_crc(const guint8 *buf, gsize len)
{
	guint16 crc = 0xffff;

	/* ISO/IEC 13239 (CCITT, reflected polynomial 0x8408) */
	for (gsize i = 0; i < len; i++) {
		crc ^= buf[i];
		for (guint b = 0; b < 8; b++)
			crc = (crc & 1) ? (guint16)((crc >> 1) ^ 0x8408) : (guint16)(crc >> 1);
	}
	return (guint16)~crc;
}

GBytes *
remsim_ccid_t1_build_block(guint8 nad, guint8 pcb, const guint8 *inf, gsize len, gboolean crc)
{
	GByteArray *b = g_byte_array_sized_new((guint)(len + 5));
	guint8 head[3] = { nad, pcb, (guint8)len };

	g_byte_array_append(b, head, 3);
	if (len > 0)
		g_byte_array_append(b, inf, (guint)len);
	if (crc) {
		guint16 c = remsim_ccid_t1_crc(b->data, b->len);
		guint8 edc[2] = { (guint8)(c & 0xff), (guint8)(c >> 8) };

		g_byte_array_append(b, edc, 2);
	} else {
		guint8 lrc = 0;

		for (guint i = 0; i < b->len; i++)
			lrc ^= b->data[i];
		g_byte_array_append(b, &lrc, 1);
	}
	return g_byte_array_free_to_bytes(b);
}

static gboolean
remsim_ccid_t1_edc_ok(const guint8 *buf, gsize len, gboolean crc)
{
	guint8 lrc = 0;

	if (crc) {
		guint16 c = remsim_ccid_t1_crc(buf, len - 2);

		return buf[len - 2] == (c & 0xff) && buf[len - 1] == (c >> 8);
	}
	for (gsize i = 0; i < len; i++)
		lrc ^= buf[i];
	return lrc == 0;
}

gboolean
remsim_ccid_t1_parse_block(const guint8 *buf, gsize len, gboolean crc, RemsimCcidT1Block *block,
			   GError **error)
{
	gsize edc = crc ? 2 : 1;

	if (len < 3 + edc || buf[2] == 0xff || len != 3 + (gsize)buf[2] + edc) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "T=1 block of %" G_GSIZE_FORMAT " bytes with a bad length", len);
		return FALSE;
	}
	if (!remsim_ccid_t1_edc_ok(buf, len, crc)) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "T=1 block with a bad check code");
		return FALSE;
	}
	block->nad = buf[0];
	block->pcb = buf[1];
	block->inf = buf + 3;
	block->len = buf[2];
	return TRUE;
}

RemsimCcidT1 *
remsim_ccid_t1_new(guint ifsc, gboolean crc)
{
	RemsimCcidT1 *t1 = g_rc_box_new0(RemsimCcidT1);

	/* IFSC 0 and 255 are reserved: take the default */
	t1->ifsc = ifsc >= 1 && ifsc <= REMSIM_CCID_T1_MAX_INF ? ifsc : 32;
	t1->crc = crc;
	t1->answer = g_byte_array_new();
	return t1;
}

static void
remsim_ccid_t1_clear(gpointer data)
{
	RemsimCcidT1 *t1 = data;

	g_clear_pointer(&t1->apdu, g_bytes_unref);
	g_clear_pointer(&t1->last, g_bytes_unref);
	g_byte_array_unref(t1->answer);
}

RemsimCcidT1 *
remsim_ccid_t1_ref(RemsimCcidT1 *t1)
{
	return g_rc_box_acquire(t1);
}

void
remsim_ccid_t1_unref(RemsimCcidT1 *t1)
{
	if (t1 != NULL)
		g_rc_box_release_full(t1, remsim_ccid_t1_clear);
}

static GBytes *
remsim_ccid_t1_keep(RemsimCcidT1 *t1, GBytes *block)
{
	g_clear_pointer(&t1->last, g_bytes_unref);
	t1->last = g_bytes_ref(block);
	return block;
}

/* the I-block with the APDU bytes from t1->offset */
static GBytes *
remsim_ccid_t1_next_i_block(RemsimCcidT1 *t1)
{
	gsize len = 0;
	const guint8 *apdu = g_bytes_get_data(t1->apdu, &len);
	gsize left = len - t1->offset;
	guint8 pcb = t1->ns ? REMSIM_CCID_T1_I_NS : 0;

	t1->chunk = MIN(left, t1->ifsc);
	if (left > t1->chunk)
		pcb |= REMSIM_CCID_T1_I_MORE;
	return remsim_ccid_t1_keep(
	    t1, remsim_ccid_t1_build_block(0, pcb, apdu + t1->offset, t1->chunk, t1->crc));
}

static void
remsim_ccid_t1_reset_exchange(RemsimCcidT1 *t1)
{
	g_clear_pointer(&t1->apdu, g_bytes_unref);
	g_byte_array_set_size(t1->answer, 0);
	t1->offset = t1->chunk = 0;
	t1->retries = t1->blocks = 0;
	t1->ifs_pending = FALSE;
}

GBytes *
remsim_ccid_t1_start(RemsimCcidT1 *t1, const guint8 *apdu, gsize len, GError **error)
{
	remsim_ccid_t1_reset_exchange(t1);
	if (len == 0 || len > REMSIM_CCID_T1_MAX_ANSWER) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
			    "APDU of %" G_GSIZE_FORMAT " bytes", len);
		return NULL;
	}
	t1->apdu = g_bytes_new(apdu, len);
	return remsim_ccid_t1_next_i_block(t1);
}

GBytes *
remsim_ccid_t1_start_ifs(RemsimCcidT1 *t1, guint8 ifsd)
{
	remsim_ccid_t1_reset_exchange(t1);
	t1->ifs_pending = TRUE;
	return remsim_ccid_t1_keep(
	    t1, remsim_ccid_t1_build_block(0, REMSIM_CCID_T1_S | REMSIM_CCID_T1_S_IFS, &ifsd, 1,
					   t1->crc));
}

static RemsimCcidT1Step
remsim_ccid_t1_fail(GError **error, const gchar *what)
{
	g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION, "T=1: %s", what);
	return REMSIM_CCID_T1_ERROR;
}

/* the card did not get our last block right: send it again, or an R-block asking for its own */
static RemsimCcidT1Step
remsim_ccid_t1_retry(RemsimCcidT1 *t1, GBytes **out, GError **error, const gchar *what)
{
	if (++t1->retries > REMSIM_CCID_T1_MAX_RETRIES || t1->last == NULL)
		return remsim_ccid_t1_fail(error, what);
	*out = g_bytes_ref(t1->last);
	return REMSIM_CCID_T1_SEND;
}

static RemsimCcidT1Step
remsim_ccid_t1_on_i_block(RemsimCcidT1 *t1, const RemsimCcidT1Block *b, GBytes **out,
			  GError **error)
{
	gsize apdu_len = t1->apdu != NULL ? g_bytes_get_size(t1->apdu) : 0;

	if (t1->apdu == NULL || t1->offset + t1->chunk < apdu_len)
		return remsim_ccid_t1_fail(error, "I-block from the card before our command ended");
	if (((b->pcb & REMSIM_CCID_T1_I_NS) ? 1 : 0) != t1->nr)
		return remsim_ccid_t1_fail(error, "I-block out of sequence");
	/* our last I-block is acknowledged by this answer */
	if (t1->offset < apdu_len) {
		t1->offset = apdu_len;
		t1->ns ^= 1;
	}
	if (t1->answer->len + b->len > REMSIM_CCID_T1_MAX_ANSWER)
		return remsim_ccid_t1_fail(error, "answer too long");
	g_byte_array_append(t1->answer, b->inf, (guint)b->len);
	t1->nr ^= 1;
	t1->retries = 0;
	if (b->pcb & REMSIM_CCID_T1_I_MORE) {
		*out = remsim_ccid_t1_keep(
		    t1, remsim_ccid_t1_build_block(
			    0, REMSIM_CCID_T1_R | (t1->nr ? REMSIM_CCID_T1_R_NR : 0), NULL, 0,
			    t1->crc));
		return REMSIM_CCID_T1_SEND;
	}
	*out = g_bytes_new(t1->answer->data, t1->answer->len);
	return REMSIM_CCID_T1_DONE;
}

static RemsimCcidT1Step
remsim_ccid_t1_on_r_block(RemsimCcidT1 *t1, const RemsimCcidT1Block *b, GBytes **out,
			  GError **error)
{
	guint8 nr = (b->pcb & REMSIM_CCID_T1_R_NR) ? 1 : 0;
	gsize apdu_len = t1->apdu != NULL ? g_bytes_get_size(t1->apdu) : 0;
	gboolean chaining = t1->apdu != NULL && t1->offset + t1->chunk < apdu_len;

	/* the card acknowledges our chained I-block and asks for the next */
	if (chaining && nr != t1->ns && (b->pcb & 0x0f) == 0) {
		t1->offset += t1->chunk;
		t1->ns ^= 1;
		t1->retries = 0;
		*out = remsim_ccid_t1_next_i_block(t1);
		return REMSIM_CCID_T1_SEND;
	}
	return remsim_ccid_t1_retry(t1, out, error, "the card keeps asking for a retransmission");
}

static RemsimCcidT1Step
remsim_ccid_t1_on_s_block(RemsimCcidT1 *t1, const RemsimCcidT1Block *b, GBytes **out, guint8 *wtx,
			  GError **error)
{
	guint8 type = b->pcb & 0x3f;

	if (type == (REMSIM_CCID_T1_S_RESPONSE | REMSIM_CCID_T1_S_IFS) && t1->ifs_pending) {
		t1->ifs_pending = FALSE;
		*out = g_bytes_new(NULL, 0);
		return REMSIM_CCID_T1_DONE;
	}
	if ((type == REMSIM_CCID_T1_S_WTX || type == REMSIM_CCID_T1_S_IFS) && b->len == 1) {
		if (type == REMSIM_CCID_T1_S_WTX)
			*wtx = b->inf[0];
		else if (b->inf[0] >= 1 && b->inf[0] <= REMSIM_CCID_T1_MAX_INF)
			t1->ifsc = b->inf[0];
		else
			return remsim_ccid_t1_fail(error, "S(IFS request) with a reserved size");
		/* the answer is not kept for retransmission: the card repeats its request */
		*out = remsim_ccid_t1_build_block(0, b->pcb | REMSIM_CCID_T1_S_RESPONSE, b->inf, 1,
						  t1->crc);
		return REMSIM_CCID_T1_SEND;
	}
	if (type == REMSIM_CCID_T1_S_ABORT)
		return remsim_ccid_t1_fail(error, "the card aborted the exchange");
	return remsim_ccid_t1_fail(error, "unexpected S-block");
}

RemsimCcidT1Step
remsim_ccid_t1_feed(RemsimCcidT1 *t1, const guint8 *buf, gsize len, GBytes **out, guint8 *wtx,
		    GError **error)
{
	RemsimCcidT1Block b;
	g_autoptr(GError) local_error = NULL;

	*wtx = 0;
	if (++t1->blocks > REMSIM_CCID_T1_MAX_BLOCKS)
		return remsim_ccid_t1_fail(error, "exchange without end");
	if (!remsim_ccid_t1_parse_block(buf, len, t1->crc, &b, &local_error)) {
		/* ask for the card's block again: R-block with N(R) and "EDC error" */
		if (++t1->retries > REMSIM_CCID_T1_MAX_RETRIES) {
			g_propagate_error(error, g_steal_pointer(&local_error));
			return REMSIM_CCID_T1_ERROR;
		}
		*out = remsim_ccid_t1_build_block(
		    0, REMSIM_CCID_T1_R | (t1->nr ? REMSIM_CCID_T1_R_NR : 0) | 0x01, NULL, 0,
		    t1->crc);
		return REMSIM_CCID_T1_SEND;
	}
	if ((b.pcb & 0x80) == 0)
		return remsim_ccid_t1_on_i_block(t1, &b, out, error);
	if ((b.pcb & 0xc0) == REMSIM_CCID_T1_R)
		return remsim_ccid_t1_on_r_block(t1, &b, out, error);
	return remsim_ccid_t1_on_s_block(t1, &b, out, wtx, error);
}
