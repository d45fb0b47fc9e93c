/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A command for a T=0 card through a TPDU-level reader, as a reader driver
 * transports it (ISO/IEC 7816-3, transportation of APDUs by T=0):
 * - a T=0 TPDU (5 bytes, or 5 + P3) goes as it is, and the card's answer,
 *   61xx and 6Cxx included, comes back as it is: the modem behind remsim
 *   drives the card and sends its own GET RESPONSE, as with any reader;
 * - a case 1 APDU (4 bytes) gets P3 = 00;
 * - a case 4 APDU (header, Lc, data, Le) goes as a case 3 TPDU; 61xx (9Fxx
 *   for class A0) is followed by GET RESPONSE, 6Cxx by the same GET
 *   RESPONSE with P3 = xx, and the data collected up to Le is the answer.
 * The reader handles the procedure bytes (ACK, NULL) itself. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RemsimCcidT0 RemsimCcidT0;

typedef enum {
	REMSIM_CCID_T0_SEND,  /* send the TPDU in *out next */
	REMSIM_CCID_T0_DONE,  /* *out is the answer */
	REMSIM_CCID_T0_ERROR, /* error is set */
} RemsimCcidT0Step;

/* NULL with REMSIM_CARD_ERROR_INVALID for a command T=0 cannot carry */
RemsimCcidT0 *remsim_ccid_t0_new(const guint8 *command, gsize len, GError **error);
void remsim_ccid_t0_free(RemsimCcidT0 *t0);

/* the first TPDU */
GBytes *remsim_ccid_t0_start(RemsimCcidT0 *t0);
/* the reader's answer to the last TPDU (data and SW1 SW2) */
RemsimCcidT0Step remsim_ccid_t0_feed(RemsimCcidT0 *t0, const guint8 *answer, gsize len,
				     GBytes **out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCcidT0, remsim_ccid_t0_free)

G_END_DECLS
