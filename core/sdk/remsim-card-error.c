/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-card-error.h"

G_DEFINE_QUARK(remsim - card - error - quark, remsim_card_error)

gint
remsim_card_error_to_rspro_result(const GError *error)
{
	if (error == NULL)
		return REMSIM_RSPRO_RESULT_OK;
	if (error->domain != REMSIM_CARD_ERROR)
		return REMSIM_RSPRO_RESULT_CARD_TRANSMISSION_ERROR;
	switch ((RemsimCardError)error->code) {
	case REMSIM_CARD_ERROR_NO_CARD:
	case REMSIM_CARD_ERROR_IN_USE:
		return REMSIM_RSPRO_RESULT_CARD_NOT_PRESENT;
	case REMSIM_CARD_ERROR_UNRESPONSIVE:
	case REMSIM_CARD_ERROR_NOT_POWERED:
		return REMSIM_RSPRO_RESULT_CARD_UNRESPONSIVE;
	case REMSIM_CARD_ERROR_TRANSMISSION:
	case REMSIM_CARD_ERROR_INVALID:
	case REMSIM_CARD_ERROR_FAILED:
		break;
	}
	return REMSIM_RSPRO_RESULT_CARD_TRANSMISSION_ERROR;
}
