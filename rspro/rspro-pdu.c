/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproPdu: the plain C view of an RSPRO message, its memory management,
 * constructors, codec entry points and log summary. Names are in rspro-enum.c
 * and rspro-msg-type.c, constraints in rspro-pdu-check.c, the wire codec in
 * rspro-pdu-asn1c.c and rspro-pdu-der.c, the JSON form in rspro-pdu-json.c.
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

GQuark
rspro_pdu_error_quark(void)
{
	return g_quark_from_static_string("rspro-pdu-error-quark");
}

G_DEFINE_BOXED_TYPE(RsproPdu, rspro_pdu, rspro_pdu_copy, rspro_pdu_free)

RsproConnectRes *
rspro_pdu_get_connect_res(const RsproPdu *pdu)
{
	RsproPdu *p = (RsproPdu *)pdu;

	if (p->type == RSPRO_MSG_CONNECT_BANK_RES)
		return &p->u.connect_bank_res;
	if (p->type == RSPRO_MSG_CONNECT_CLIENT_RES)
		return &p->u.connect_client_res;
	return NULL;
}

RsproMappingReq *
rspro_pdu_get_mapping_req(const RsproPdu *pdu)
{
	RsproPdu *p = (RsproPdu *)pdu;

	if (p->type == RSPRO_MSG_CREATE_MAPPING_REQ)
		return &p->u.create_mapping_req;
	if (p->type == RSPRO_MSG_REMOVE_MAPPING_REQ)
		return &p->u.remove_mapping_req;
	return NULL;
}

RsproResult *
rspro_pdu_get_result(const RsproPdu *pdu)
{
	RsproPdu *p = (RsproPdu *)pdu;

	switch (p->type) {
	case RSPRO_MSG_CREATE_MAPPING_RES:
		return &p->u.create_mapping_res;
	case RSPRO_MSG_REMOVE_MAPPING_RES:
		return &p->u.remove_mapping_res;
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
		return &p->u.config_client_id_res;
	case RSPRO_MSG_SET_ATR_RES:
		return &p->u.set_atr_res;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
		return &p->u.config_client_bank_res;
	case RSPRO_MSG_RESET_STATE_RES:
		return &p->u.reset_state_res;
	default:
		return NULL;
	}
}

/* ---- memory ---- */

RsproPdu *
rspro_pdu_new(RsproMsgType type)
{
	RsproPdu *pdu;

	g_return_val_if_fail((guint)type < RSPRO_MSG_TYPE_COUNT, NULL);
	pdu = g_new0(RsproPdu, 1);
	pdu->version = RSPRO_VERSION;
	pdu->tag = type == RSPRO_MSG_CONNECT_CLIENT_RES ? RSPRO_TAG_CONNECT_CLIENT_RES : 0;
	pdu->type = type;
	return pdu;
}

static GBytes *
rspro_pdu_bytes_ref0(GBytes *bytes)
{
	return bytes ? g_bytes_ref(bytes) : NULL;
}

RsproPdu *
rspro_pdu_copy(const RsproPdu *pdu)
{
	RsproPdu *copy;

	g_return_val_if_fail(pdu != NULL, NULL);
	copy = g_new(RsproPdu, 1);
	*copy = *pdu;
	/* then replace every owned pointer by a copy or a new reference */
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		rspro_component_identity_copy(&copy->u.connect_bank_req.identity,
					      &pdu->u.connect_bank_req.identity);
		break;
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		rspro_component_identity_copy(&rspro_pdu_get_connect_res(copy)->identity,
					      &rspro_pdu_get_connect_res(pdu)->identity);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		rspro_component_identity_copy(&copy->u.connect_client_req.identity,
					      &pdu->u.connect_client_req.identity);
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		copy->u.set_atr_req.atr = rspro_pdu_bytes_ref0(pdu->u.set_atr_req.atr);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		copy->u.tpdu_modem_to_card.data =
		    rspro_pdu_bytes_ref0(pdu->u.tpdu_modem_to_card.data);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		copy->u.tpdu_card_to_modem.data =
		    rspro_pdu_bytes_ref0(pdu->u.tpdu_card_to_modem.data);
		break;
	case RSPRO_MSG_ERROR_IND:
		copy->u.error_ind.error_string = g_strdup(pdu->u.error_ind.error_string);
		break;
	default:
		break;
	}
	return copy;
}

void
rspro_pdu_free(RsproPdu *pdu)
{
	if (!pdu)
		return;
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		rspro_component_identity_clear(&pdu->u.connect_bank_req.identity);
		break;
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		rspro_component_identity_clear(&rspro_pdu_get_connect_res(pdu)->identity);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		rspro_component_identity_clear(&pdu->u.connect_client_req.identity);
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		g_clear_pointer(&pdu->u.set_atr_req.atr, g_bytes_unref);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		g_clear_pointer(&pdu->u.tpdu_modem_to_card.data, g_bytes_unref);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		g_clear_pointer(&pdu->u.tpdu_card_to_modem.data, g_bytes_unref);
		break;
	case RSPRO_MSG_ERROR_IND:
		g_clear_pointer(&pdu->u.error_ind.error_string, g_free);
		break;
	default:
		break;
	}
	g_free(pdu);
}

/* ---- codec entry points ---- */

GBytes *
rspro_pdu_encode(const RsproPdu *pdu, GError **error)
{
	g_return_val_if_fail(pdu != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	GBytes *der;

	if (!rspro_pdu_check_constraints(pdu, error))
		return NULL;
	/* the two messages of every APDU skip asn1c's slow encoder */
	der = rspro_pdu_der_encode_tpdu(pdu);
	if (der)
		return der;
	return rspro_pdu_asn1c_encode(pdu, error);
}

RsproPdu *
rspro_pdu_decode(const guint8 *data, gsize len, GError **error)
{
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	RsproPdu *pdu = rspro_pdu_der_decode_tpdu(data, len);

	if (pdu)
		return pdu;
	return rspro_pdu_asn1c_decode(data, len, error);
}

RsproPdu *
rspro_pdu_decode_bytes(GBytes *bytes, GError **error)
{
	gsize len = 0;
	const guint8 *data;

	g_return_val_if_fail(bytes != NULL, NULL);
	data = g_bytes_get_data(bytes, &len);
	return rspro_pdu_decode(data, len, error);
}

/* ---- constructors ---- */

RsproPdu *
rspro_pdu_new_connect_bank_req(const RsproComponentIdentity *identity, guint16 bank_id,
			       guint16 number_of_slots)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_CONNECT_BANK_REQ);

	rspro_component_identity_copy(&pdu->u.connect_bank_req.identity, identity);
	pdu->u.connect_bank_req.bank_id = bank_id;
	pdu->u.connect_bank_req.number_of_slots = number_of_slots;
	return pdu;
}

RsproPdu *
rspro_pdu_new_connect_client_req(const RsproComponentIdentity *identity,
				 const RsproClientSlot *client_slot)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_CONNECT_CLIENT_REQ);

	rspro_component_identity_copy(&pdu->u.connect_client_req.identity, identity);
	if (client_slot) {
		pdu->u.connect_client_req.has_client_slot = TRUE;
		pdu->u.connect_client_req.client_slot = *client_slot;
	}
	return pdu;
}

RsproPdu *
rspro_pdu_new_connect_res(RsproMsgType type, const RsproComponentIdentity *identity, gint result)
{
	RsproPdu *pdu;
	RsproConnectRes *res;

	g_return_val_if_fail(
	    type == RSPRO_MSG_CONNECT_BANK_RES || type == RSPRO_MSG_CONNECT_CLIENT_RES, NULL);
	pdu = rspro_pdu_new(type);
	res = rspro_pdu_get_connect_res(pdu);
	rspro_component_identity_copy(&res->identity, identity);
	res->result = result;
	return pdu;
}

RsproPdu *
rspro_pdu_new_mapping_req(RsproMsgType type, const RsproClientSlot *client,
			  const RsproBankSlot *bank)
{
	RsproPdu *pdu;
	RsproMappingReq *req;

	g_return_val_if_fail(
	    type == RSPRO_MSG_CREATE_MAPPING_REQ || type == RSPRO_MSG_REMOVE_MAPPING_REQ, NULL);
	pdu = rspro_pdu_new(type);
	req = rspro_pdu_get_mapping_req(pdu);
	req->client = *client;
	req->bank = *bank;
	return pdu;
}

RsproPdu *
rspro_pdu_new_result(RsproMsgType type, gint result)
{
	RsproPdu *pdu;

	g_return_val_if_fail(rspro_msg_type_is_result(type), NULL);
	pdu = rspro_pdu_new(type);
	rspro_pdu_get_result(pdu)->result = result;
	return pdu;
}

RsproPdu *
rspro_pdu_new_config_client_bank_req(const RsproBankSlot *bank_slot, const RsproIpPort *bankd)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);

	pdu->u.config_client_bank_req.bank_slot = *bank_slot;
	pdu->u.config_client_bank_req.bankd = *bankd;
	return pdu;
}

RsproPdu *
rspro_pdu_new_set_atr_req(const RsproClientSlot *slot, GBytes *atr)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_SET_ATR_REQ);

	pdu->u.set_atr_req.slot = *slot;
	pdu->u.set_atr_req.atr = rspro_pdu_bytes_ref0(atr);
	return pdu;
}

RsproPdu *
rspro_pdu_new_tpdu_modem_to_card(const RsproClientSlot *from, const RsproBankSlot *to, GBytes *data)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_TPDU_MODEM_TO_CARD);

	pdu->u.tpdu_modem_to_card.from_client_slot = *from;
	pdu->u.tpdu_modem_to_card.to_bank_slot = *to;
	pdu->u.tpdu_modem_to_card.data = rspro_pdu_bytes_ref0(data);
	return pdu;
}

RsproPdu *
rspro_pdu_new_tpdu_card_to_modem(const RsproBankSlot *from, const RsproClientSlot *to, GBytes *data)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_TPDU_CARD_TO_MODEM);

	pdu->u.tpdu_card_to_modem.from_bank_slot = *from;
	pdu->u.tpdu_card_to_modem.to_client_slot = *to;
	pdu->u.tpdu_card_to_modem.data = rspro_pdu_bytes_ref0(data);
	return pdu;
}

RsproPdu *
rspro_pdu_new_error_ind(RsproComponentType sender, RsproErrorSeverity severity, RsproErrorCode code,
			const RsproBankSlot *bank_slot, const RsproClientSlot *client_slot,
			const gchar *error_string)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_ERROR_IND);
	RsproErrorInd *e = &pdu->u.error_ind;

	e->sender = sender;
	e->severity = severity;
	e->code = code;
	if (bank_slot) {
		e->has_bank_slot = TRUE;
		e->bank_slot = *bank_slot;
	}
	if (client_slot) {
		e->has_client_slot = TRUE;
		e->client_slot = *client_slot;
	}
	e->error_string = g_strdup(error_string);
	return pdu;
}

/* ---- log summary ---- */

static void
rspro_pdu_append_result(GString *s, gint result)
{
	const gchar *name = rspro_enum_result_code_to_string(result);

	if (name)
		g_string_append_printf(s, " %s", name);
	else
		g_string_append_printf(s, " result %d", result);
}

static void
rspro_pdu_append_identity(GString *s, const RsproComponentIdentity *id)
{
	const gchar *type = rspro_enum_component_type_to_string(id->type);

	g_string_append_printf(s, " %s \"%s\"", type ? type : "?", id->name ? id->name : "");
}

static void
rspro_pdu_append_slots(GString *s, gchar from_kind, guint from_id, guint from_slot, gchar to_kind,
		       guint to_id, guint to_slot)
{
	g_string_append_printf(s, " %c%u:%u->%c%u:%u", from_kind, from_id, from_slot, to_kind,
			       to_id, to_slot);
}

static gsize
rspro_pdu_bytes_size0(GBytes *bytes)
{
	return bytes ? g_bytes_get_size(bytes) : 0;
}

static void
rspro_pdu_append_details(GString *s, const RsproPdu *pdu)
{
	const RsproMappingReq *map = rspro_pdu_get_mapping_req(pdu);
	const RsproConnectRes *cres = rspro_pdu_get_connect_res(pdu);
	const RsproResult *res = rspro_pdu_get_result(pdu);
	const RsproTpduModemToCard *m2c = &pdu->u.tpdu_modem_to_card;
	const RsproTpduCardToModem *c2m = &pdu->u.tpdu_card_to_modem;
	const RsproClientSlotStatusInd *csi = &pdu->u.client_slot_status_ind;
	const RsproBankSlotStatusInd *bsi = &pdu->u.bank_slot_status_ind;

	if (res) {
		rspro_pdu_append_result(s, res->result);
		return;
	}
	if (cres) {
		rspro_pdu_append_identity(s, &cres->identity);
		rspro_pdu_append_result(s, cres->result);
		return;
	}
	if (map) {
		rspro_pdu_append_slots(s, 'C', map->client.client_id, map->client.slot_nr, 'B',
				       map->bank.bank_id, map->bank.slot_nr);
		return;
	}
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		rspro_pdu_append_identity(s, &pdu->u.connect_bank_req.identity);
		g_string_append_printf(s, " B%u %u slots", pdu->u.connect_bank_req.bank_id,
				       pdu->u.connect_bank_req.number_of_slots);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		rspro_pdu_append_identity(s, &pdu->u.connect_client_req.identity);
		if (pdu->u.connect_client_req.has_client_slot)
			g_string_append_printf(s, " C%u:%u",
					       pdu->u.connect_client_req.client_slot.client_id,
					       pdu->u.connect_client_req.client_slot.slot_nr);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		g_string_append_printf(s, " C%u:%u",
				       pdu->u.config_client_id_req.client_slot.client_id,
				       pdu->u.config_client_id_req.client_slot.slot_nr);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ: {
		g_autofree gchar *ip =
		    rspro_ip_port_to_string(&pdu->u.config_client_bank_req.bankd);

		g_string_append_printf(s, " B%u:%u %s port %u",
				       pdu->u.config_client_bank_req.bank_slot.bank_id,
				       pdu->u.config_client_bank_req.bank_slot.slot_nr, ip,
				       pdu->u.config_client_bank_req.bankd.port);
		break;
	}
	case RSPRO_MSG_SET_ATR_REQ:
		g_string_append_printf(
		    s, " C%u:%u %" G_GSIZE_FORMAT " bytes", pdu->u.set_atr_req.slot.client_id,
		    pdu->u.set_atr_req.slot.slot_nr, rspro_pdu_bytes_size0(pdu->u.set_atr_req.atr));
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		rspro_pdu_append_slots(s, 'C', m2c->from_client_slot.client_id,
				       m2c->from_client_slot.slot_nr, 'B',
				       m2c->to_bank_slot.bank_id, m2c->to_bank_slot.slot_nr);
		g_string_append_printf(s, " %" G_GSIZE_FORMAT " bytes",
				       rspro_pdu_bytes_size0(m2c->data));
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		rspro_pdu_append_slots(s, 'B', c2m->from_bank_slot.bank_id,
				       c2m->from_bank_slot.slot_nr, 'C',
				       c2m->to_client_slot.client_id, c2m->to_client_slot.slot_nr);
		g_string_append_printf(s, " %" G_GSIZE_FORMAT " bytes",
				       rspro_pdu_bytes_size0(c2m->data));
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		rspro_pdu_append_slots(s, 'C', csi->from_client_slot.client_id,
				       csi->from_client_slot.slot_nr, 'B',
				       csi->to_bank_slot.bank_id, csi->to_bank_slot.slot_nr);
		g_string_append_printf(s, " reset=%d", csi->status.reset_active ? 1 : 0);
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		rspro_pdu_append_slots(s, 'B', bsi->from_bank_slot.bank_id,
				       bsi->from_bank_slot.slot_nr, 'C',
				       bsi->to_client_slot.client_id, bsi->to_client_slot.slot_nr);
		g_string_append_printf(s, " reset=%d", bsi->status.reset_active ? 1 : 0);
		break;
	case RSPRO_MSG_ERROR_IND:
		g_string_append_printf(s, " severity %d code %d \"%s\"", pdu->u.error_ind.severity,
				       pdu->u.error_ind.code,
				       pdu->u.error_ind.error_string ? pdu->u.error_ind.error_string
								     : "");
		break;
	default:
		break;
	}
}

gchar *
rspro_pdu_to_string(const RsproPdu *pdu)
{
	const gchar *name;
	GString *s;

	g_return_val_if_fail(pdu != NULL, NULL);
	name = rspro_msg_type_to_string(pdu->type);
	if (!name)
		return g_strdup_printf("message %d", (gint)pdu->type);
	s = g_string_new(name);
	rspro_pdu_append_details(s, pdu);
	return g_string_free(s, FALSE);
}
