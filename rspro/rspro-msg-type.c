/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproMsgType: the names of the message alternatives, and which response
 * answers which request.
 */
#include "config.h"

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

/* in wire (context tag) order, which is RsproMsgType's order */
static const gchar *const msg_type_names[RSPRO_MSG_TYPE_COUNT] = {
	"connectBankReq",    "connectBankRes",	    "connectClientReq",	   "connectClientRes",
	"createMappingReq",  "createMappingRes",    "removeMappingReq",	   "removeMappingRes",
	"configClientIdReq", "configClientIdRes",   "setAtrReq",	   "setAtrRes",
	"tpduModemToCard",   "tpduCardToModem",	    "clientSlotStatusInd", "bankSlotStatusInd",
	"errorInd",	     "configClientBankReq", "configClientBankRes", "resetStateReq",
	"resetStateRes",
};

const gchar *
rspro_msg_type_to_string(RsproMsgType type)
{
	if ((guint)type >= RSPRO_MSG_TYPE_COUNT)
		return NULL;
	return msg_type_names[type];
}

gboolean
rspro_msg_type_from_string(const gchar *name, RsproMsgType *type)
{
	for (guint i = 0; i < RSPRO_MSG_TYPE_COUNT; i++) {
		if (g_strcmp0(msg_type_names[i], name) == 0) {
			*type = (RsproMsgType)i;
			return TRUE;
		}
	}
	return FALSE;
}

gint
rspro_msg_type_response(RsproMsgType request)
{
	switch (request) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
	case RSPRO_MSG_SET_ATR_REQ:
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
	case RSPRO_MSG_RESET_STATE_REQ:
		/* every *Req is directly followed by its *Res in the tag numbering */
		return request + 1;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		return RSPRO_MSG_TPDU_CARD_TO_MODEM;
	default:
		return -1;
	}
}

gboolean
rspro_msg_type_is_result(RsproMsgType type)
{
	switch (type) {
	case RSPRO_MSG_CREATE_MAPPING_RES:
	case RSPRO_MSG_REMOVE_MAPPING_RES:
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
	case RSPRO_MSG_SET_ATR_RES:
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
	case RSPRO_MSG_RESET_STATE_RES:
		return TRUE;
	default:
		return FALSE;
	}
}
