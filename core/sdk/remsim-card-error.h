/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors a reader backend reports for a card slot.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * REMSIM_CARD_ERROR:
 *
 * The error domain of every card slot operation. A backend reports card
 * trouble in this domain so that remsim-bankd can tell the client why.
 */
#define REMSIM_CARD_ERROR (remsim_card_error_quark())
GQuark remsim_card_error_quark(void);

/**
 * RemsimCardError:
 * @REMSIM_CARD_ERROR_FAILED: anything else
 * @REMSIM_CARD_ERROR_NO_CARD: no card in the slot
 * @REMSIM_CARD_ERROR_UNRESPONSIVE: the card gives no answer
 * @REMSIM_CARD_ERROR_TRANSMISSION: the exchange with the card failed
 * @REMSIM_CARD_ERROR_NOT_POWERED: the operation needs a powered card
 * @REMSIM_CARD_ERROR_IN_USE: the card is held by someone else
 * @REMSIM_CARD_ERROR_INVALID: the command is not valid, e.g. an APDU of a bad length
 *
 * What went wrong with a card, as far as the bank must tell its client.
 */
typedef enum {
	REMSIM_CARD_ERROR_FAILED,
	REMSIM_CARD_ERROR_NO_CARD,
	REMSIM_CARD_ERROR_UNRESPONSIVE,
	REMSIM_CARD_ERROR_TRANSMISSION,
	REMSIM_CARD_ERROR_NOT_POWERED,
	REMSIM_CARD_ERROR_IN_USE,
	REMSIM_CARD_ERROR_INVALID,
} RemsimCardError;

G_END_DECLS
