/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors of the CCID layer below the card: the device's answers and the USB
 * transfers. remsim_ccid_error_to_card() says what each means for the card
 * slot (REMSIM_CARD_ERROR), which is what the bank tells its client.
 */
#pragma once

#include <glib.h>

#include "remsim-card-error.h"

G_BEGIN_DECLS

#define REMSIM_CCID_ERROR (remsim_ccid_error_quark())
GQuark remsim_ccid_error_quark(void);

/**
 * RemsimCcidError:
 * @REMSIM_CCID_ERROR_FAILED: anything else
 * @REMSIM_CCID_ERROR_MALFORMED: the device's answer is not a valid CCID message
 *  (length, message type, short read)
 * @REMSIM_CCID_ERROR_SEQUENCE: an answer to another command (bSeq, bSlot)
 * @REMSIM_CCID_ERROR_TIMEOUT: no answer in time
 * @REMSIM_CCID_ERROR_NO_DEVICE: the reader is gone
 * @REMSIM_CCID_ERROR_IO: a USB transfer failed
 * @REMSIM_CCID_ERROR_UNSUPPORTED: the reader cannot do what is needed
 */
typedef enum {
	REMSIM_CCID_ERROR_FAILED,
	REMSIM_CCID_ERROR_MALFORMED,
	REMSIM_CCID_ERROR_SEQUENCE,
	REMSIM_CCID_ERROR_TIMEOUT,
	REMSIM_CCID_ERROR_NO_DEVICE,
	REMSIM_CCID_ERROR_IO,
	REMSIM_CCID_ERROR_UNSUPPORTED,
} RemsimCcidError;

/* the REMSIM_CARD_ERROR code for any error of the CCID layer (or the card code itself) */
RemsimCardError remsim_ccid_error_to_card(const GError *error);

/* the reader's bError byte of a failed command, as in the CCID specification */
const gchar *remsim_ccid_error_describe(guint8 b_error);

G_END_DECLS
