/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host side of the T=1 block protocol (ISO/IEC 7816-3), for TPDU-level
 * readers that carry one block per XfrBlock: I-blocks chained by the card's
 * IFSC, R-blocks for acknowledgements and errors, S(IFS), S(WTX) and
 * S(ABORT). Block framing (NAD PCB LEN INF EDC, LRC or CRC) is shared with
 * the test device. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CCID_T1_MAX_INF 254
#define REMSIM_CCID_T1_IFSD 254

/* PCB values */
#define REMSIM_CCID_T1_I_NS 0x40
#define REMSIM_CCID_T1_I_MORE 0x20
#define REMSIM_CCID_T1_R 0x80
#define REMSIM_CCID_T1_R_NR 0x10
#define REMSIM_CCID_T1_S 0xc0
#define REMSIM_CCID_T1_S_RESPONSE 0x20
#define REMSIM_CCID_T1_S_RESYNCH 0x00
#define REMSIM_CCID_T1_S_IFS 0x01
#define REMSIM_CCID_T1_S_ABORT 0x02
#define REMSIM_CCID_T1_S_WTX 0x03

typedef struct {
	guint8 nad;
	guint8 pcb;
	const guint8 *inf;
	gsize len;
} RemsimCcidT1Block;

typedef enum {
	REMSIM_CCID_T1_SEND,  /* send the block in *out next */
	REMSIM_CCID_T1_DONE,  /* *out is the answer (empty after an S(IFS) exchange) */
	REMSIM_CCID_T1_ERROR, /* error is set */
} RemsimCcidT1Step;

typedef struct _RemsimCcidT1 RemsimCcidT1;

/* @ifsc from the ATR, @crc: the ATR asks for CRC instead of LRC */
RemsimCcidT1 *remsim_ccid_t1_new(guint ifsc, gboolean crc);
RemsimCcidT1 *remsim_ccid_t1_ref(RemsimCcidT1 *t1);
void remsim_ccid_t1_unref(RemsimCcidT1 *t1);

/* the first block of an APDU exchange (NULL with REMSIM_CARD_ERROR_INVALID if too long) */
GBytes *remsim_ccid_t1_start(RemsimCcidT1 *t1, const guint8 *apdu, gsize len, GError **error);
/* S(IFS request) announcing our IFSD */
GBytes *remsim_ccid_t1_start_ifs(RemsimCcidT1 *t1, guint8 ifsd);
/* the card's block; @wtx gets the multiplier of an S(WTX request) answered (else 0) */
RemsimCcidT1Step remsim_ccid_t1_feed(RemsimCcidT1 *t1, const guint8 *block, gsize len, GBytes **out,
				     guint8 *wtx, GError **error);

GBytes *remsim_ccid_t1_build_block(guint8 nad, guint8 pcb, const guint8 *inf, gsize len,
				   gboolean crc);
/* FALSE with REMSIM_CARD_ERROR_TRANSMISSION for a bad length or EDC */
gboolean remsim_ccid_t1_parse_block(const guint8 *buf, gsize len, gboolean crc,
				    RemsimCcidT1Block *block, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCcidT1, remsim_ccid_t1_unref)

G_END_DECLS
