/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the bank tells a client when its card fails: the RSPRO ResultCode for
 * an error of a card slot operation.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Returns: ok for %NULL; for the REMSIM_CARD_ERROR domain cardNotPresent (no
 * card, card in use), cardUnresponsive (unresponsive, not powered) or
 * cardTransmissionError (the rest); cardTransmissionError for any other domain.
 */
gint remsim_bankd_card_result_from_error(const GError *error);

G_END_DECLS
