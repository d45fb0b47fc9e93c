/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One command to a powered card through XfrBlock, at the reader's exchange
 * level: a short APDU in one message; an extended APDU chained over several
 * (wLevelParameter, bChainParameter); a T=0 TPDU exchange (remsim-ccid-t0.h);
 * T=1 blocks (remsim-ccid-t1.h), S(WTX) answered with a longer timeout.
 */
#pragma once

#include "remsim-ccid-reader.h"
#include "remsim-ccid-t1.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_CCID_XFR_SHORT_APDU,
	REMSIM_CCID_XFR_EXTENDED_APDU,
	REMSIM_CCID_XFR_TPDU_T0,
	REMSIM_CCID_XFR_TPDU_T1,
} RemsimCcidXfrMode;

/*
 * @t1: the card's T=1 state (TPDU_T1 only); with @command NULL the exchange
 * is S(IFS request) announcing our IFSD. Completes with the answer (data and
 * SW1 SW2), or a REMSIM_CARD_ERROR / REMSIM_CCID_ERROR.
 */
void remsim_ccid_xfr_async(RemsimCcidReader *reader, guint8 slot, RemsimCcidXfrMode mode,
			   RemsimCcidT1 *t1, GBytes *command, GCancellable *cancellable,
			   GAsyncReadyCallback callback, gpointer user_data);
GBytes *remsim_ccid_xfr_finish(RemsimCcidReader *reader, GAsyncResult *result, GError **error);

G_END_DECLS
