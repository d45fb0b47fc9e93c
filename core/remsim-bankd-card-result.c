/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-bankd-card-result.h"

#include "remsim-card-error.h"
#include "rspro-pdu.h"

gint
remsim_bankd_card_result_from_error(const GError *error)
{
	if (error == NULL)
		return RSPRO_RESULT_OK;
	if (error->domain != REMSIM_CARD_ERROR)
		return RSPRO_RESULT_CARD_TRANSMISSION_ERROR;
	switch ((RemsimCardError)error->code) {
	case REMSIM_CARD_ERROR_NO_CARD:
	case REMSIM_CARD_ERROR_IN_USE:
		return RSPRO_RESULT_CARD_NOT_PRESENT;
	case REMSIM_CARD_ERROR_UNRESPONSIVE:
	case REMSIM_CARD_ERROR_NOT_POWERED:
		return RSPRO_RESULT_CARD_UNRESPONSIVE;
	case REMSIM_CARD_ERROR_FAILED:
	case REMSIM_CARD_ERROR_TRANSMISSION:
	case REMSIM_CARD_ERROR_INVALID:
		break;
	}
	return RSPRO_RESULT_CARD_TRANSMISSION_ERROR;
}
