/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors a reader backend reports for a card slot, and their RSPRO result codes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * REMSIM_CARD_ERROR:
 *
 * The error domain of every card slot operation. A backend reports card
 * trouble in this domain so that remsim-bankd can tell the client why with
 * the matching RSPRO result code (see remsim_card_error_to_rspro_result()).
 */
#define REMSIM_CARD_ERROR (remsim_card_error_quark())
GQuark remsim_card_error_quark(void);

/**
 * RemsimCardError:
 * @REMSIM_CARD_ERROR_NO_CARD: no card in the slot (RSPRO cardNotPresent)
 * @REMSIM_CARD_ERROR_UNRESPONSIVE: the card gives no answer (RSPRO cardUnresponsive)
 * @REMSIM_CARD_ERROR_TRANSMISSION: the exchange with the card failed (RSPRO cardTransmissionError)
 * @REMSIM_CARD_ERROR_NOT_POWERED: the operation needs a powered card (RSPRO cardUnresponsive)
 * @REMSIM_CARD_ERROR_IN_USE: the card is held by someone else (RSPRO cardNotPresent)
 * @REMSIM_CARD_ERROR_INVALID: the command is not valid, e.g. an APDU of a bad length
 *  (RSPRO cardTransmissionError)
 * @REMSIM_CARD_ERROR_FAILED: anything else (RSPRO cardTransmissionError)
 */
typedef enum {
	REMSIM_CARD_ERROR_NO_CARD,
	REMSIM_CARD_ERROR_UNRESPONSIVE,
	REMSIM_CARD_ERROR_TRANSMISSION,
	REMSIM_CARD_ERROR_NOT_POWERED,
	REMSIM_CARD_ERROR_IN_USE,
	REMSIM_CARD_ERROR_INVALID,
	REMSIM_CARD_ERROR_FAILED,
} RemsimCardError;

/* RSPRO ResultCode values (rspro.md 2.3) a card error maps onto */
#define REMSIM_RSPRO_RESULT_OK 0
#define REMSIM_RSPRO_RESULT_CARD_NOT_PRESENT 100
#define REMSIM_RSPRO_RESULT_CARD_UNRESPONSIVE 101
#define REMSIM_RSPRO_RESULT_CARD_TRANSMISSION_ERROR 102

/**
 * remsim_card_error_to_rspro_result:
 * @error: (nullable): an error from a card slot operation
 *
 * Returns: the RSPRO ResultCode for @error: ok for %NULL, the mapping listed
 * in #RemsimCardError for this domain, cardTransmissionError for any other
 * domain.
 */
gint remsim_card_error_to_rspro_result(const GError *error);

G_END_DECLS
