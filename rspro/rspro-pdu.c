/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproPdu: the plain C view of an RSPRO message, its memory management, names,
 * constructors and the module's constraints. The wire codec is in
 * rspro-pdu-asn1c.c, the JSON form in rspro-pdu-json.c.
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

GQuark
rspro_pdu_error_quark(void)
{
	return g_quark_from_static_string("rspro-pdu-error-quark");
}

G_DEFINE_BOXED_TYPE(RsproPdu, rspro_pdu, rspro_pdu_copy, rspro_pdu_free)

/* in wire (context tag) order, which is RsproMsgType's order */
static const gchar *const msg_type_names[RSPRO_MSG_TYPE_COUNT] = {
	"connectBankReq",    "connectBankRes",	    "connectClientReq",	   "connectClientRes",
	"createMappingReq",  "createMappingRes",    "removeMappingReq",	   "removeMappingRes",
	"configClientIdReq", "configClientIdRes",   "setAtrReq",	   "setAtrRes",
	"tpduModemToCard",   "tpduCardToModem",	    "clientSlotStatusInd", "bankSlotStatusInd",
	"errorInd",	     "configClientBankReq", "configClientBankRes", "resetStateReq",
	"resetStateRes",
};

const RsproEnumName rspro_component_type_names[] = {
	{ RSPRO_COMPONENT_CLIENT, "remsimClient" },
	{ RSPRO_COMPONENT_SERVER, "remsimServer" },
	{ RSPRO_COMPONENT_BANKD, "remsimBankd" },
	{ 0, NULL },
};

const RsproEnumName rspro_result_code_names[] = {
	{ RSPRO_RESULT_OK, "ok" },
	{ RSPRO_RESULT_ILLEGAL_CLIENT_ID, "illegalClientId" },
	{ RSPRO_RESULT_ILLEGAL_BANK_ID, "illegalBankId" },
	{ RSPRO_RESULT_ILLEGAL_SLOT_ID, "illegalSlotId" },
	{ RSPRO_RESULT_UNSUPPORTED_PROTOCOL_VERSION, "unsupportedProtocolVersion" },
	{ RSPRO_RESULT_UNKNOWN_SLOTMAP, "unknownSlotmap" },
	{ RSPRO_RESULT_IDENTITY_IN_USE, "identityInUse" },
	{ RSPRO_RESULT_CARD_NOT_PRESENT, "cardNotPresent" },
	{ RSPRO_RESULT_CARD_UNRESPONSIVE, "cardUnresponsive" },
	{ RSPRO_RESULT_CARD_TRANSMISSION_ERROR, "cardTransmissionError" },
	{ 0, NULL },
};

const RsproEnumName rspro_error_code_names[] = {
	{ RSPRO_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED, "unknownClientConnected" },
	{ RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT, "unexpectedDisconnect" },
	{ RSPRO_ERROR_CODE_UNEXPECTED_PROTOCOL_VERSION, "unexpectedProtocolVersion" },
	{ 0, NULL },
};

const RsproEnumName rspro_error_severity_names[] = {
	{ RSPRO_SEVERITY_MINOR, "minor" },
	{ RSPRO_SEVERITY_MAJOR, "major" },
	{ RSPRO_SEVERITY_FATAL, "fatal" },
	{ 0, NULL },
};

const gchar *
rspro_enum_to_string(const RsproEnumName *table, gint value)
{
	for (; table->name; table++) {
		if (table->value == value)
			return table->name;
	}
	return NULL;
}

gboolean
rspro_enum_from_string(const RsproEnumName *table, const gchar *name, gint *value)
{
	for (; table->name; table++) {
		if (g_strcmp0(table->name, name) == 0) {
			*value = table->value;
			return TRUE;
		}
	}
	return FALSE;
}

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

const gchar *
rspro_result_code_to_string(gint result)
{
	return rspro_enum_to_string(rspro_result_code_names, result);
}

const gchar *
rspro_component_type_to_string(RsproComponentType type)
{
	return rspro_enum_to_string(rspro_component_type_names, type);
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

void
rspro_component_identity_clear(RsproComponentIdentity *id)
{
	g_clear_pointer(&id->name, g_free);
	g_clear_pointer(&id->software, g_free);
	g_clear_pointer(&id->sw_version, g_free);
	g_clear_pointer(&id->hw_manufacturer, g_free);
	g_clear_pointer(&id->hw_model, g_free);
	g_clear_pointer(&id->hw_serial_nr, g_free);
	g_clear_pointer(&id->hw_version, g_free);
	g_clear_pointer(&id->fw_version, g_free);
}

void
rspro_component_identity_copy(RsproComponentIdentity *dst, const RsproComponentIdentity *src)
{
	dst->type = src->type;
	dst->name = g_strdup(src->name);
	dst->software = g_strdup(src->software);
	dst->sw_version = g_strdup(src->sw_version);
	dst->hw_manufacturer = g_strdup(src->hw_manufacturer);
	dst->hw_model = g_strdup(src->hw_model);
	dst->hw_serial_nr = g_strdup(src->hw_serial_nr);
	dst->hw_version = g_strdup(src->hw_version);
	dst->fw_version = g_strdup(src->fw_version);
}

void
rspro_component_identity_init(RsproComponentIdentity *id, RsproComponentType type,
			      const gchar *name, const gchar *software)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	/* upstream cuts host names to what ComponentName allows; names from the
	 * configuration are cut the same way, so that every identity encodes */
	id->name = g_strndup(name ? name : g_get_host_name(), RSPRO_NAME_MAX);
	id->software = g_strdup(software);
	id->sw_version = g_strdup(PACKAGE_VERSION);
}

static GBytes *
bytes_ref0(GBytes *bytes)
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
		copy->u.set_atr_req.atr = bytes_ref0(pdu->u.set_atr_req.atr);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		copy->u.tpdu_modem_to_card.data = bytes_ref0(pdu->u.tpdu_modem_to_card.data);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		copy->u.tpdu_card_to_modem.data = bytes_ref0(pdu->u.tpdu_card_to_modem.data);
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

/* ---- constraints ---- */

gchar *
rspro_where_path(const RsproWhere *where, const gchar *field)
{
	if (!where || !where->msg)
		return g_strdup(field);
	if (!where->member)
		return g_strdup_printf("msg.%s.%s", where->msg, field);
	return g_strdup_printf("msg.%s.%s.%s", where->msg, where->member, field);
}

gboolean
rspro_check_int(gint64 value, gint64 min, gint64 max, const RsproWhere *where, const gchar *field,
		GError **error)
{
	g_autofree gchar *path = NULL;

	if (value >= min && value <= max)
		return TRUE;
	path = rspro_where_path(where, field);
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
		    _("%s: %lld is outside %lld..%lld"), path, (long long)value, (long long)min,
		    (long long)max);
	return FALSE;
}

gboolean
rspro_check_ia5(const gchar *str, gsize len, gsize min, gsize max, const RsproWhere *where,
		const gchar *field, GError **error)
{
	g_autofree gchar *path = NULL;

	if (!str) {
		path = rspro_where_path(where, field);
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT, _("%s: missing"),
			    path);
		return FALSE;
	}
	if (len < min || len > max) {
		path = rspro_where_path(where, field);
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
			    _("%s: length %zu is outside %zu"
			      "..%zu"),
			    path, len, min, max);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)str[i];

		/* NUL is IA5 but cannot live in a C string: refuse it rather than cut */
		if (c > 0x7f || c == 0) {
			path = rspro_where_path(where, field);
			g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
				    _("%s: character 0x%02x at %zu"
				      " is not allowed (IA5String 1..127)"),
				    path, c, i);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_name(const gchar *str, gboolean optional, const RsproWhere *where, const gchar *field,
	   GError **error)
{
	if (!str && optional)
		return TRUE;
	return rspro_check_ia5(str, str ? strlen(str) : 0, 1, RSPRO_NAME_MAX, where, field, error);
}

static gboolean
check_identity(const RsproComponentIdentity *id, const gchar *msg, GError **error)
{
	const RsproWhere w = { msg, "identity" };

	return rspro_check_int(id->type, 0, 2, &w, "type", error) &&
	       check_name(id->name, FALSE, &w, "name", error) &&
	       check_name(id->software, FALSE, &w, "software", error) &&
	       check_name(id->sw_version, FALSE, &w, "swVersion", error) &&
	       check_name(id->hw_manufacturer, TRUE, &w, "hwManufacturer", error) &&
	       check_name(id->hw_model, TRUE, &w, "hwModel", error) &&
	       check_name(id->hw_serial_nr, TRUE, &w, "hwSerialNr", error) &&
	       check_name(id->hw_version, TRUE, &w, "hwVersion", error) &&
	       check_name(id->fw_version, TRUE, &w, "fwVersion", error);
}

static gboolean
check_client_slot(const RsproClientSlot *s, const gchar *msg, const gchar *member, GError **error)
{
	const RsproWhere w = { msg, member };

	return rspro_check_int(s->client_id, 0, RSPRO_ID_MAX, &w, "clientId", error) &&
	       rspro_check_int(s->slot_nr, 0, RSPRO_ID_MAX, &w, "slotNr", error);
}

static gboolean
check_bank_slot(const RsproBankSlot *s, const gchar *msg, const gchar *member, GError **error)
{
	const RsproWhere w = { msg, member };

	return rspro_check_int(s->bank_id, 0, RSPRO_ID_MAX, &w, "bankId", error) &&
	       rspro_check_int(s->slot_nr, 0, RSPRO_ID_MAX, &w, "slotNr", error);
}

static gboolean
check_atr(GBytes *atr, const gchar *msg, GError **error)
{
	if (atr && g_bytes_get_size(atr) >= 1 && g_bytes_get_size(atr) <= RSPRO_ATR_MAX)
		return TRUE;
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
		    _("msg.%s.atr: length %zu is outside 1..%d"), msg,
		    atr ? g_bytes_get_size(atr) : 0, RSPRO_ATR_MAX);
	return FALSE;
}

static gboolean
check_error_ind(const RsproErrorInd *e, const gchar *msg, GError **error)
{
	const RsproWhere w = { msg, NULL };

	if (!rspro_check_int(e->sender, 0, 2, &w, "sender", error))
		return FALSE;
	if (e->has_bank_slot && !check_bank_slot(&e->bank_slot, msg, "bankSlot", error))
		return FALSE;
	if (e->has_client_slot && !check_client_slot(&e->client_slot, msg, "clientSlot", error))
		return FALSE;
	if (!e->error_string)
		return TRUE;
	return rspro_check_ia5(e->error_string, strlen(e->error_string), 1, RSPRO_ERROR_STRING_MAX,
			       &w, "errorString", error);
}

static gboolean
check_message(const RsproPdu *pdu, const gchar *msg, GError **error)
{
	const RsproConnectBankReq *cbr = &pdu->u.connect_bank_req;
	const RsproConnectClientReq *ccr = &pdu->u.connect_client_req;
	const RsproWhere w = { msg, NULL };

	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		return check_identity(&cbr->identity, msg, error) &&
		       rspro_check_int(cbr->bank_id, 0, RSPRO_ID_MAX, &w, "bankId", error) &&
		       rspro_check_int(cbr->number_of_slots, 0, RSPRO_ID_MAX, &w, "numberOfSlots",
				       error);
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		return check_identity(&rspro_pdu_get_connect_res(pdu)->identity, msg, error);
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		return check_identity(&ccr->identity, msg, error) &&
		       (!ccr->has_client_slot ||
			check_client_slot(&ccr->client_slot, msg, "clientSlot", error));
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		return check_client_slot(&rspro_pdu_get_mapping_req(pdu)->client, msg, "client",
					 error) &&
		       check_bank_slot(&rspro_pdu_get_mapping_req(pdu)->bank, msg, "bank", error);
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		return check_client_slot(&pdu->u.config_client_id_req.client_slot, msg,
					 "clientSlot", error);
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		return check_bank_slot(&pdu->u.config_client_bank_req.bank_slot, msg, "bankSlot",
				       error);
	case RSPRO_MSG_SET_ATR_REQ:
		return check_client_slot(&pdu->u.set_atr_req.slot, msg, "slot", error) &&
		       check_atr(pdu->u.set_atr_req.atr, msg, error);
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		return check_client_slot(&pdu->u.tpdu_modem_to_card.from_client_slot, msg,
					 "fromClientSlot", error) &&
		       check_bank_slot(&pdu->u.tpdu_modem_to_card.to_bank_slot, msg, "toBankSlot",
				       error);
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		return check_bank_slot(&pdu->u.tpdu_card_to_modem.from_bank_slot, msg,
				       "fromBankSlot", error) &&
		       check_client_slot(&pdu->u.tpdu_card_to_modem.to_client_slot, msg,
					 "toClientSlot", error);
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		return check_client_slot(&pdu->u.client_slot_status_ind.from_client_slot, msg,
					 "fromClientSlot", error) &&
		       check_bank_slot(&pdu->u.client_slot_status_ind.to_bank_slot, msg,
				       "toBankSlot", error);
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		return check_bank_slot(&pdu->u.bank_slot_status_ind.from_bank_slot, msg,
				       "fromBankSlot", error) &&
		       check_client_slot(&pdu->u.bank_slot_status_ind.to_client_slot, msg,
					 "toClientSlot", error);
	case RSPRO_MSG_ERROR_IND:
		return check_error_ind(&pdu->u.error_ind, msg, error);
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
			    _("msg: unknown message type %d"), (gint)pdu->type);
		return FALSE;
	}
	return rspro_check_int(pdu->version, 0, RSPRO_VERSION_MAX, NULL, "version", error) &&
	       rspro_check_int(pdu->tag, 0, RSPRO_TAG_MAX, NULL, "tag", error) &&
	       check_message(pdu, msg, error);
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
	pdu->u.set_atr_req.atr = bytes_ref0(atr);
	return pdu;
}

RsproPdu *
rspro_pdu_new_tpdu_modem_to_card(const RsproClientSlot *from, const RsproBankSlot *to, GBytes *data)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_TPDU_MODEM_TO_CARD);

	pdu->u.tpdu_modem_to_card.from_client_slot = *from;
	pdu->u.tpdu_modem_to_card.to_bank_slot = *to;
	pdu->u.tpdu_modem_to_card.data = bytes_ref0(data);
	return pdu;
}

RsproPdu *
rspro_pdu_new_tpdu_card_to_modem(const RsproBankSlot *from, const RsproClientSlot *to, GBytes *data)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_TPDU_CARD_TO_MODEM);

	pdu->u.tpdu_card_to_modem.from_bank_slot = *from;
	pdu->u.tpdu_card_to_modem.to_client_slot = *to;
	pdu->u.tpdu_card_to_modem.data = bytes_ref0(data);
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

/* ---- addresses ---- */

gboolean
rspro_ip_port_from_string(RsproIpPort *ip_port, const gchar *ip, guint16 port)
{
	g_autoptr(GInetAddress) addr = NULL;
	gsize size;

	g_return_val_if_fail(ip_port != NULL, FALSE);
	if (!ip)
		return FALSE;
	addr = g_inet_address_new_from_string(ip);
	if (!addr)
		return FALSE;
	size = g_inet_address_get_native_size(addr);
	memset(ip_port, 0, sizeof(*ip_port));
	ip_port->is_ipv6 = g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6;
	memcpy(ip_port->addr, g_inet_address_to_bytes(addr), MIN(size, sizeof(ip_port->addr)));
	ip_port->port = port;
	return TRUE;
}

gchar *
rspro_ip_port_to_string(const RsproIpPort *ip_port)
{
	g_autoptr(GInetAddress) addr = NULL;

	g_return_val_if_fail(ip_port != NULL, NULL);
	addr = g_inet_address_new_from_bytes(
	    ip_port->addr, ip_port->is_ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
	return g_inet_address_to_string(addr);
}

/* ---- log summary ---- */

static void
append_result(GString *s, gint result)
{
	const gchar *name = rspro_result_code_to_string(result);

	if (name)
		g_string_append_printf(s, " %s", name);
	else
		g_string_append_printf(s, " result %d", result);
}

static void
append_identity(GString *s, const RsproComponentIdentity *id)
{
	const gchar *type = rspro_component_type_to_string(id->type);

	g_string_append_printf(s, " %s \"%s\"", type ? type : "?", id->name ? id->name : "");
}

static void
append_slots(GString *s, gchar from_kind, guint from_id, guint from_slot, gchar to_kind,
	     guint to_id, guint to_slot)
{
	g_string_append_printf(s, " %c%u:%u->%c%u:%u", from_kind, from_id, from_slot, to_kind,
			       to_id, to_slot);
}

static gsize
bytes_size0(GBytes *bytes)
{
	return bytes ? g_bytes_get_size(bytes) : 0;
}

static void
append_details(GString *s, const RsproPdu *pdu)
{
	const RsproMappingReq *map = rspro_pdu_get_mapping_req(pdu);
	const RsproConnectRes *cres = rspro_pdu_get_connect_res(pdu);
	const RsproResult *res = rspro_pdu_get_result(pdu);
	const RsproTpduModemToCard *m2c = &pdu->u.tpdu_modem_to_card;
	const RsproTpduCardToModem *c2m = &pdu->u.tpdu_card_to_modem;
	const RsproClientSlotStatusInd *csi = &pdu->u.client_slot_status_ind;
	const RsproBankSlotStatusInd *bsi = &pdu->u.bank_slot_status_ind;

	if (res) {
		append_result(s, res->result);
		return;
	}
	if (cres) {
		append_identity(s, &cres->identity);
		append_result(s, cres->result);
		return;
	}
	if (map) {
		append_slots(s, 'C', map->client.client_id, map->client.slot_nr, 'B',
			     map->bank.bank_id, map->bank.slot_nr);
		return;
	}
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		append_identity(s, &pdu->u.connect_bank_req.identity);
		g_string_append_printf(s, " B%u %u slots", pdu->u.connect_bank_req.bank_id,
				       pdu->u.connect_bank_req.number_of_slots);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		append_identity(s, &pdu->u.connect_client_req.identity);
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
		    pdu->u.set_atr_req.slot.slot_nr, bytes_size0(pdu->u.set_atr_req.atr));
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		append_slots(s, 'C', m2c->from_client_slot.client_id, m2c->from_client_slot.slot_nr,
			     'B', m2c->to_bank_slot.bank_id, m2c->to_bank_slot.slot_nr);
		g_string_append_printf(s, " %" G_GSIZE_FORMAT " bytes", bytes_size0(m2c->data));
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		append_slots(s, 'B', c2m->from_bank_slot.bank_id, c2m->from_bank_slot.slot_nr, 'C',
			     c2m->to_client_slot.client_id, c2m->to_client_slot.slot_nr);
		g_string_append_printf(s, " %" G_GSIZE_FORMAT " bytes", bytes_size0(c2m->data));
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		append_slots(s, 'C', csi->from_client_slot.client_id, csi->from_client_slot.slot_nr,
			     'B', csi->to_bank_slot.bank_id, csi->to_bank_slot.slot_nr);
		g_string_append_printf(s, " reset=%d", csi->status.reset_active ? 1 : 0);
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		append_slots(s, 'B', bsi->from_bank_slot.bank_id, bsi->from_bank_slot.slot_nr, 'C',
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
	append_details(s, pdu);
	return g_string_free(s, FALSE);
}
