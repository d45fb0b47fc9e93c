/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <PCSC/pcsclite.h>

#include "remsim-pcsc-error.h"

RemsimCardError
remsim_pcsc_error_code(LONG rv)
{
	switch (rv) {
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_NO_READERS_AVAILABLE:
		return REMSIM_CARD_ERROR_NO_CARD;
	case SCARD_W_RESET_CARD:
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_E_TIMEOUT:
		return REMSIM_CARD_ERROR_UNRESPONSIVE;
	case SCARD_W_UNPOWERED_CARD:
		return REMSIM_CARD_ERROR_NOT_POWERED;
	case SCARD_E_SHARING_VIOLATION:
		return REMSIM_CARD_ERROR_IN_USE;
	case SCARD_E_NOT_TRANSACTED:
	case SCARD_F_COMM_ERROR:
	case SCARD_E_COMM_DATA_LOST:
		return REMSIM_CARD_ERROR_TRANSMISSION;
	case SCARD_E_INSUFFICIENT_BUFFER:
	case SCARD_E_INVALID_PARAMETER:
	case SCARD_E_INVALID_VALUE:
		return REMSIM_CARD_ERROR_INVALID;
	default:
		return REMSIM_CARD_ERROR_FAILED;
	}
}

const gchar *
remsim_pcsc_error_name(LONG rv)
{
	switch (rv) {
#define NAME(code)                                                                                 \
	case code:                                                                                 \
		return #code;
		NAME(SCARD_S_SUCCESS)
		NAME(SCARD_E_CANCELLED)
		NAME(SCARD_E_INVALID_HANDLE)
		NAME(SCARD_E_INVALID_PARAMETER)
		NAME(SCARD_E_INVALID_VALUE)
		NAME(SCARD_E_NO_MEMORY)
		NAME(SCARD_E_INSUFFICIENT_BUFFER)
		NAME(SCARD_E_UNKNOWN_READER)
		NAME(SCARD_E_TIMEOUT)
		NAME(SCARD_E_SHARING_VIOLATION)
		NAME(SCARD_E_NO_SMARTCARD)
		NAME(SCARD_E_PROTO_MISMATCH)
		NAME(SCARD_E_NOT_READY)
		NAME(SCARD_E_NOT_TRANSACTED)
		NAME(SCARD_E_READER_UNAVAILABLE)
		NAME(SCARD_E_NO_SERVICE)
		NAME(SCARD_E_SERVICE_STOPPED)
		NAME(SCARD_E_NO_READERS_AVAILABLE)
		NAME(SCARD_E_COMM_DATA_LOST)
		NAME(SCARD_F_COMM_ERROR)
		NAME(SCARD_F_INTERNAL_ERROR)
		NAME(SCARD_W_UNSUPPORTED_CARD)
		NAME(SCARD_W_UNRESPONSIVE_CARD)
		NAME(SCARD_W_UNPOWERED_CARD)
		NAME(SCARD_W_RESET_CARD)
		NAME(SCARD_W_REMOVED_CARD)
#undef NAME
	}
	return "SCARD_?";
}

static const gchar *
remsim_pcsc_error_text(LONG rv)
{
	switch (rv) {
	case SCARD_E_NO_SMARTCARD:
		return "no card in the reader";
	case SCARD_W_REMOVED_CARD:
		return "the card was removed";
	case SCARD_W_RESET_CARD:
		return "the card was reset by another program";
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_NO_READERS_AVAILABLE:
		return "the reader is gone";
	case SCARD_E_SHARING_VIOLATION:
		return "the card is in use by another program";
	case SCARD_E_PROTO_MISMATCH:
		return "the card speaks neither of the allowed protocols";
	case SCARD_W_UNRESPONSIVE_CARD:
		return "the card does not answer";
	case SCARD_W_UNPOWERED_CARD:
		return "the card is not powered";
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
		return "pcscd is not running";
	case SCARD_E_NOT_TRANSACTED:
	case SCARD_F_COMM_ERROR:
		return "the exchange with the card failed";
	default:
		return "PC/SC failure";
	}
}

void
remsim_pcsc_error_set(GError **error, const gchar *reader, const gchar *what, LONG rv)
{
	g_set_error(error, REMSIM_CARD_ERROR, remsim_pcsc_error_code(rv), "%s: %s: %s (%s 0x%08lX)",
		    reader != NULL ? reader : "(no reader)", what, remsim_pcsc_error_text(rv),
		    remsim_pcsc_error_name(rv), (unsigned long)rv);
}

gboolean
remsim_pcsc_error_loses_card(LONG rv)
{
	return rv != SCARD_S_SUCCESS && rv != SCARD_E_INSUFFICIENT_BUFFER &&
	       rv != SCARD_E_INVALID_PARAMETER && rv != SCARD_E_INVALID_VALUE &&
	       rv != SCARD_E_SHARING_VIOLATION;
}

gboolean
remsim_pcsc_error_loses_context(LONG rv)
{
	return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED ||
	       rv == SCARD_E_INVALID_HANDLE || rv == SCARD_F_COMM_ERROR;
}
