/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The module's constraints on the plain C view, with errors that name the field
 * ("msg.createMappingReq.client.clientId: 1024 is outside 0..1023").
 */
#include "config.h"

#include <string.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

gchar *
rspro_pdu_check_where_path(const RsproWhere *where, const gchar *field)
{
	if (!where || !where->msg)
		return g_strdup(field);
	if (!where->member)
		return g_strdup_printf("msg.%s.%s", where->msg, field);
	return g_strdup_printf("msg.%s.%s.%s", where->msg, where->member, field);
}

gboolean
rspro_pdu_check_int(gint64 value, gint64 min, gint64 max, const RsproWhere *where,
		    const gchar *field, GError **error)
{
	g_autofree gchar *path = NULL;

	if (value >= min && value <= max)
		return TRUE;
	path = rspro_pdu_check_where_path(where, field);
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
		    "%s: %lld is outside %lld..%lld", path, (long long)value, (long long)min,
		    (long long)max);
	return FALSE;
}

gboolean
rspro_pdu_check_ia5(const gchar *str, gsize len, gsize min, gsize max, const RsproWhere *where,
		    const gchar *field, GError **error)
{
	g_autofree gchar *path = NULL;

	if (!str) {
		path = rspro_pdu_check_where_path(where, field);
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT, "%s: missing",
			    path);
		return FALSE;
	}
	if (len < min || len > max) {
		path = rspro_pdu_check_where_path(where, field);
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
			    "%s: length %zu is outside %zu"
			    "..%zu",
			    path, len, min, max);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)str[i];

		/* NUL is IA5 but cannot live in a C string: refuse it rather than cut */
		if (c > 0x7f || c == 0) {
			path = rspro_pdu_check_where_path(where, field);
			g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
				    "%s: character 0x%02x at %zu"
				    " is not allowed (IA5String 1..127)",
				    path, c, i);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
rspro_pdu_check_name(const gchar *str, gboolean optional, const RsproWhere *where,
		     const gchar *field, GError **error)
{
	if (!str && optional)
		return TRUE;
	return rspro_pdu_check_ia5(str, str ? strlen(str) : 0, 1, RSPRO_NAME_MAX, where, field,
				   error);
}

static gboolean
rspro_pdu_check_identity(const RsproComponentIdentity *id, const gchar *msg, GError **error)
{
	const RsproWhere w = { msg, "identity" };

	return rspro_pdu_check_int(id->type, 0, 2, &w, "type", error) &&
	       rspro_pdu_check_name(id->name, FALSE, &w, "name", error) &&
	       rspro_pdu_check_name(id->software, FALSE, &w, "software", error) &&
	       rspro_pdu_check_name(id->sw_version, FALSE, &w, "swVersion", error) &&
	       rspro_pdu_check_name(id->hw_manufacturer, TRUE, &w, "hwManufacturer", error) &&
	       rspro_pdu_check_name(id->hw_model, TRUE, &w, "hwModel", error) &&
	       rspro_pdu_check_name(id->hw_serial_nr, TRUE, &w, "hwSerialNr", error) &&
	       rspro_pdu_check_name(id->hw_version, TRUE, &w, "hwVersion", error) &&
	       rspro_pdu_check_name(id->fw_version, TRUE, &w, "fwVersion", error);
}

static gboolean
rspro_pdu_check_client_slot(const RsproClientSlot *s, const gchar *msg, const gchar *member,
			    GError **error)
{
	const RsproWhere w = { msg, member };

	return rspro_pdu_check_int(s->client_id, 0, RSPRO_ID_MAX, &w, "clientId", error) &&
	       rspro_pdu_check_int(s->slot_nr, 0, RSPRO_ID_MAX, &w, "slotNr", error);
}

static gboolean
rspro_pdu_check_bank_slot(const RsproBankSlot *s, const gchar *msg, const gchar *member,
			  GError **error)
{
	const RsproWhere w = { msg, member };

	return rspro_pdu_check_int(s->bank_id, 0, RSPRO_ID_MAX, &w, "bankId", error) &&
	       rspro_pdu_check_int(s->slot_nr, 0, RSPRO_ID_MAX, &w, "slotNr", error);
}

static gboolean
rspro_pdu_check_atr(GBytes *atr, const gchar *msg, GError **error)
{
	if (atr && g_bytes_get_size(atr) >= 1 && g_bytes_get_size(atr) <= RSPRO_ATR_MAX)
		return TRUE;
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
		    "msg.%s.atr: length %zu is outside 1..%d", msg, atr ? g_bytes_get_size(atr) : 0,
		    RSPRO_ATR_MAX);
	return FALSE;
}

static gboolean
rspro_pdu_check_error_ind(const RsproErrorInd *e, const gchar *msg, GError **error)
{
	const RsproWhere w = { msg, NULL };

	if (!rspro_pdu_check_int(e->sender, 0, 2, &w, "sender", error))
		return FALSE;
	if (e->has_bank_slot && !rspro_pdu_check_bank_slot(&e->bank_slot, msg, "bankSlot", error))
		return FALSE;
	if (e->has_client_slot &&
	    !rspro_pdu_check_client_slot(&e->client_slot, msg, "clientSlot", error))
		return FALSE;
	if (!e->error_string)
		return TRUE;
	return rspro_pdu_check_ia5(e->error_string, strlen(e->error_string), 1,
				   RSPRO_ERROR_STRING_MAX, &w, "errorString", error);
}

static gboolean
rspro_pdu_check_message(const RsproPdu *pdu, const gchar *msg, GError **error)
{
	const RsproConnectBankReq *cbr = &pdu->u.connect_bank_req;
	const RsproConnectClientReq *ccr = &pdu->u.connect_client_req;
	const RsproWhere w = { msg, NULL };

	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		return rspro_pdu_check_identity(&cbr->identity, msg, error) &&
		       rspro_pdu_check_int(cbr->bank_id, 0, RSPRO_ID_MAX, &w, "bankId", error) &&
		       rspro_pdu_check_int(cbr->number_of_slots, 0, RSPRO_ID_MAX, &w,
					   "numberOfSlots", error);
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		return rspro_pdu_check_identity(&rspro_pdu_get_connect_res(pdu)->identity, msg,
						error);
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		return rspro_pdu_check_identity(&ccr->identity, msg, error) &&
		       (!ccr->has_client_slot ||
			rspro_pdu_check_client_slot(&ccr->client_slot, msg, "clientSlot", error));
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		return rspro_pdu_check_client_slot(&rspro_pdu_get_mapping_req(pdu)->client, msg,
						   "client", error) &&
		       rspro_pdu_check_bank_slot(&rspro_pdu_get_mapping_req(pdu)->bank, msg, "bank",
						 error);
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		return rspro_pdu_check_client_slot(&pdu->u.config_client_id_req.client_slot, msg,
						   "clientSlot", error);
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		return rspro_pdu_check_bank_slot(&pdu->u.config_client_bank_req.bank_slot, msg,
						 "bankSlot", error);
	case RSPRO_MSG_SET_ATR_REQ:
		return rspro_pdu_check_client_slot(&pdu->u.set_atr_req.slot, msg, "slot", error) &&
		       rspro_pdu_check_atr(pdu->u.set_atr_req.atr, msg, error);
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		return rspro_pdu_check_client_slot(&pdu->u.tpdu_modem_to_card.from_client_slot, msg,
						   "fromClientSlot", error) &&
		       rspro_pdu_check_bank_slot(&pdu->u.tpdu_modem_to_card.to_bank_slot, msg,
						 "toBankSlot", error);
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		return rspro_pdu_check_bank_slot(&pdu->u.tpdu_card_to_modem.from_bank_slot, msg,
						 "fromBankSlot", error) &&
		       rspro_pdu_check_client_slot(&pdu->u.tpdu_card_to_modem.to_client_slot, msg,
						   "toClientSlot", error);
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		return rspro_pdu_check_client_slot(&pdu->u.client_slot_status_ind.from_client_slot,
						   msg, "fromClientSlot", error) &&
		       rspro_pdu_check_bank_slot(&pdu->u.client_slot_status_ind.to_bank_slot, msg,
						 "toBankSlot", error);
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		return rspro_pdu_check_bank_slot(&pdu->u.bank_slot_status_ind.from_bank_slot, msg,
						 "fromBankSlot", error) &&
		       rspro_pdu_check_client_slot(&pdu->u.bank_slot_status_ind.to_client_slot, msg,
						   "toClientSlot", error);
	case RSPRO_MSG_ERROR_IND:
		return rspro_pdu_check_error_ind(&pdu->u.error_ind, msg, error);
	default:
		/* the *Res that carry a result and resetStateReq: nothing constrained */
		return TRUE;
	}
}

gboolean
rspro_pdu_check_constraints(const RsproPdu *pdu, GError **error)
{
	const gchar *msg = rspro_msg_type_to_string(pdu->type);

	if (!msg) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_UNKNOWN_MESSAGE,
			    "msg: unknown message type %d", (gint)pdu->type);
		return FALSE;
	}
	return rspro_pdu_check_int(pdu->version, 0, RSPRO_VERSION_MAX, NULL, "version", error) &&
	       rspro_pdu_check_int(pdu->tag, 0, RSPRO_TAG_MAX, NULL, "tag", error) &&
	       rspro_pdu_check_message(pdu, msg, error);
}
