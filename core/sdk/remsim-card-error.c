/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-card-error.h"

/**
 * remsim_card_error_quark:
 *
 * The error domain of card slot operations; use %REMSIM_CARD_ERROR.
 *
 * Returns: the quark of the %REMSIM_CARD_ERROR domain
 */
G_DEFINE_QUARK(remsim_card_error_quark, remsim_card_error)
