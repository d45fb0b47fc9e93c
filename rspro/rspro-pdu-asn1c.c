/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bridge between RsproPdu and the asn1c structures generated from RSPRO.asn.
 * This is the only file that includes asn1c headers. asn1c allocates with
 * calloc() and frees with free(), so everything put into its structures is
 * allocated here with calloc() and released with ASN_STRUCT_FREE*.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <RsproPDU.h>
#include <ber_tlv_length.h>
#include <ber_tlv_tag.h>
#include <constraints.h>

#include "rspro-pdu-private.h"

/* ---- encode: RsproPdu -> asn1c ---- */

static void *
rspro_pdu_asn1c_asn_alloc(gsize size)
{
	void *p = calloc(1, size);

	/* the GLib policy: running out of memory is fatal */
	if (!p)
		g_error("out of memory allocating %" G_GSIZE_FORMAT " bytes", size);
	return p;
}

static void
rspro_pdu_asn1c_set_octets(OCTET_STRING_t *os, const void *data, gsize len)
{
	/* one byte more: never a zero-size allocation, and strings stay NUL-ended */
	os->buf = rspro_pdu_asn1c_asn_alloc(len + 1);
	if (len)
		memcpy(os->buf, data, len);
	os->size = (int)len;
}

static void
rspro_pdu_asn1c_set_bytes(OCTET_STRING_t *os, GBytes *bytes)
{
	gsize len = 0;
	const void *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

	rspro_pdu_asn1c_set_octets(os, data, len);
}

static void
rspro_pdu_asn1c_set_name(ComponentName_t *name, const gchar *str)
{
	rspro_pdu_asn1c_set_octets(name, str, strlen(str));
}

static ComponentName_t *
rspro_pdu_asn1c_opt_name(const gchar *str)
{
	ComponentName_t *name;

	if (!str)
		return NULL;
	name = rspro_pdu_asn1c_asn_alloc(sizeof(*name));
	rspro_pdu_asn1c_set_name(name, str);
	return name;
}

static void
rspro_pdu_asn1c_fill_identity(ComponentIdentity_t *a, const RsproComponentIdentity *id)
{
	a->type = id->type;
	rspro_pdu_asn1c_set_name(&a->name, id->name);
	rspro_pdu_asn1c_set_name(&a->software, id->software);
	rspro_pdu_asn1c_set_name(&a->swVersion, id->sw_version);
	a->hwManufacturer = rspro_pdu_asn1c_opt_name(id->hw_manufacturer);
	a->hwModel = rspro_pdu_asn1c_opt_name(id->hw_model);
	a->hwSerialNr = rspro_pdu_asn1c_opt_name(id->hw_serial_nr);
	a->hwVersion = rspro_pdu_asn1c_opt_name(id->hw_version);
	a->fwVersion = rspro_pdu_asn1c_opt_name(id->fw_version);
}

static void
rspro_pdu_asn1c_fill_client_slot(ClientSlot_t *a, const RsproClientSlot *s)
{
	a->clientId = s->client_id;
	a->slotNr = s->slot_nr;
}

static void
rspro_pdu_asn1c_fill_bank_slot(BankSlot_t *a, const RsproBankSlot *s)
{
	a->bankId = s->bank_id;
	a->slotNr = s->slot_nr;
}

static void
rspro_pdu_asn1c_fill_ip_port(IpPort_t *a, const RsproIpPort *ip)
{
	if (ip->is_ipv6) {
		a->ip.present = IpAddress_PR_ipv6;
		rspro_pdu_asn1c_set_octets(&a->ip.choice.ipv6, ip->addr, 16);
	} else {
		a->ip.present = IpAddress_PR_ipv4;
		rspro_pdu_asn1c_set_octets(&a->ip.choice.ipv4, ip->addr, 4);
	}
	a->port = ip->port;
}

static void
rspro_pdu_asn1c_fill_flags(TpduFlags_t *a, const RsproTpduFlags *f)
{
	a->tpduHeaderPresent = f->tpdu_header_present ? 1 : 0;
	a->finalPart = f->final_part ? 1 : 0;
	a->procByteContinueTx = f->proc_byte_continue_tx ? 1 : 0;
	a->procByteContinueRx = f->proc_byte_continue_rx ? 1 : 0;
}

static BOOLEAN_t *
rspro_pdu_asn1c_opt_bool(gboolean has, gboolean value)
{
	BOOLEAN_t *b;

	if (!has)
		return NULL;
	b = rspro_pdu_asn1c_asn_alloc(sizeof(*b));
	*b = value ? 1 : 0;
	return b;
}

static void
rspro_pdu_asn1c_fill_status(SlotPhysStatus_t *a, const RsproSlotPhysStatus *s)
{
	a->resetActive = s->reset_active ? 1 : 0;
	a->vccPresent = rspro_pdu_asn1c_opt_bool(s->has_vcc_present, s->vcc_present);
	a->clkActive = rspro_pdu_asn1c_opt_bool(s->has_clk_active, s->clk_active);
	a->cardPresent = rspro_pdu_asn1c_opt_bool(s->has_card_present, s->card_present);
}

static void
rspro_pdu_asn1c_fill_connect_bank_req(ConnectBankReq_t *a, const RsproConnectBankReq *r)
{
	rspro_pdu_asn1c_fill_identity(&a->identity, &r->identity);
	a->bankId = r->bank_id;
	a->numberOfSlots = r->number_of_slots;
	if (r->has_bound) {
		a->bound = rspro_pdu_asn1c_asn_alloc(sizeof(*a->bound));
		rspro_pdu_asn1c_fill_ip_port(a->bound, &r->bound);
	}
}

static void
rspro_pdu_asn1c_fill_connect_client_req(ConnectClientReq_t *a, const RsproConnectClientReq *r)
{
	rspro_pdu_asn1c_fill_identity(&a->identity, &r->identity);
	if (r->has_client_slot) {
		a->clientSlot = rspro_pdu_asn1c_asn_alloc(sizeof(*a->clientSlot));
		rspro_pdu_asn1c_fill_client_slot(a->clientSlot, &r->client_slot);
	}
}

static void
rspro_pdu_asn1c_fill_error_ind(ErrorInd_t *a, const RsproErrorInd *e)
{
	a->sender = e->sender;
	a->severity = e->severity;
	a->code = e->code;
	if (e->has_bank_slot) {
		a->bankSlot = rspro_pdu_asn1c_asn_alloc(sizeof(*a->bankSlot));
		rspro_pdu_asn1c_fill_bank_slot(a->bankSlot, &e->bank_slot);
	}
	if (e->has_client_slot) {
		a->clientSlot = rspro_pdu_asn1c_asn_alloc(sizeof(*a->clientSlot));
		rspro_pdu_asn1c_fill_client_slot(a->clientSlot, &e->client_slot);
	}
	if (e->error_string) {
		a->errorString = rspro_pdu_asn1c_asn_alloc(sizeof(*a->errorString));
		rspro_pdu_asn1c_set_octets(a->errorString, e->error_string,
					   strlen(e->error_string));
	}
}

static void
rspro_pdu_asn1c_fill_tpdu_m2c(TpduModemToCard_t *a, const RsproTpduModemToCard *t)
{
	rspro_pdu_asn1c_fill_client_slot(&a->fromClientSlot, &t->from_client_slot);
	rspro_pdu_asn1c_fill_bank_slot(&a->toBankSlot, &t->to_bank_slot);
	rspro_pdu_asn1c_fill_flags(&a->flags, &t->flags);
	rspro_pdu_asn1c_set_bytes(&a->data, t->data);
}

static void
rspro_pdu_asn1c_fill_tpdu_c2m(TpduCardToModem_t *a, const RsproTpduCardToModem *t)
{
	rspro_pdu_asn1c_fill_bank_slot(&a->fromBankSlot, &t->from_bank_slot);
	rspro_pdu_asn1c_fill_client_slot(&a->toClientSlot, &t->to_client_slot);
	rspro_pdu_asn1c_fill_flags(&a->flags, &t->flags);
	rspro_pdu_asn1c_set_bytes(&a->data, t->data);
}

/* the requests, indications and connect responses: everything with more than a result */
static gboolean
rspro_pdu_asn1c_fill_message(RsproPDUchoice_t *c, const RsproPdu *pdu)
{
	const RsproConnectRes *cres = rspro_pdu_get_connect_res(pdu);
	const RsproMappingReq *map = rspro_pdu_get_mapping_req(pdu);
	const RsproClientSlotStatusInd *csi = &pdu->u.client_slot_status_ind;
	const RsproBankSlotStatusInd *bsi = &pdu->u.bank_slot_status_ind;

	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		c->present = RsproPDUchoice_PR_connectBankReq;
		rspro_pdu_asn1c_fill_connect_bank_req(&c->choice.connectBankReq,
						      &pdu->u.connect_bank_req);
		return TRUE;
	case RSPRO_MSG_CONNECT_BANK_RES:
		c->present = RsproPDUchoice_PR_connectBankRes;
		rspro_pdu_asn1c_fill_identity(&c->choice.connectBankRes.identity, &cres->identity);
		c->choice.connectBankRes.result = cres->result;
		return TRUE;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		c->present = RsproPDUchoice_PR_connectClientReq;
		rspro_pdu_asn1c_fill_connect_client_req(&c->choice.connectClientReq,
							&pdu->u.connect_client_req);
		return TRUE;
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		c->present = RsproPDUchoice_PR_connectClientRes;
		rspro_pdu_asn1c_fill_identity(&c->choice.connectClientRes.identity,
					      &cres->identity);
		c->choice.connectClientRes.result = cres->result;
		return TRUE;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		c->present = RsproPDUchoice_PR_createMappingReq;
		rspro_pdu_asn1c_fill_client_slot(&c->choice.createMappingReq.client, &map->client);
		rspro_pdu_asn1c_fill_bank_slot(&c->choice.createMappingReq.bank, &map->bank);
		return TRUE;
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		c->present = RsproPDUchoice_PR_removeMappingReq;
		rspro_pdu_asn1c_fill_client_slot(&c->choice.removeMappingReq.client, &map->client);
		rspro_pdu_asn1c_fill_bank_slot(&c->choice.removeMappingReq.bank, &map->bank);
		return TRUE;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		c->present = RsproPDUchoice_PR_configClientIdReq;
		rspro_pdu_asn1c_fill_client_slot(&c->choice.configClientIdReq.clientSlot,
						 &pdu->u.config_client_id_req.client_slot);
		return TRUE;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		c->present = RsproPDUchoice_PR_configClientBankReq;
		rspro_pdu_asn1c_fill_bank_slot(&c->choice.configClientBankReq.bankSlot,
					       &pdu->u.config_client_bank_req.bank_slot);
		rspro_pdu_asn1c_fill_ip_port(&c->choice.configClientBankReq.bankd,
					     &pdu->u.config_client_bank_req.bankd);
		return TRUE;
	case RSPRO_MSG_SET_ATR_REQ:
		c->present = RsproPDUchoice_PR_setAtrReq;
		rspro_pdu_asn1c_fill_client_slot(&c->choice.setAtrReq.slot,
						 &pdu->u.set_atr_req.slot);
		rspro_pdu_asn1c_set_bytes(&c->choice.setAtrReq.atr, pdu->u.set_atr_req.atr);
		return TRUE;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		c->present = RsproPDUchoice_PR_tpduModemToCard;
		rspro_pdu_asn1c_fill_tpdu_m2c(&c->choice.tpduModemToCard,
					      &pdu->u.tpdu_modem_to_card);
		return TRUE;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		c->present = RsproPDUchoice_PR_tpduCardToModem;
		rspro_pdu_asn1c_fill_tpdu_c2m(&c->choice.tpduCardToModem,
					      &pdu->u.tpdu_card_to_modem);
		return TRUE;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		c->present = RsproPDUchoice_PR_clientSlotStatusInd;
		rspro_pdu_asn1c_fill_client_slot(&c->choice.clientSlotStatusInd.fromClientSlot,
						 &csi->from_client_slot);
		rspro_pdu_asn1c_fill_bank_slot(&c->choice.clientSlotStatusInd.toBankSlot,
					       &csi->to_bank_slot);
		rspro_pdu_asn1c_fill_status(&c->choice.clientSlotStatusInd.slotPhysStatus,
					    &csi->status);
		return TRUE;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		c->present = RsproPDUchoice_PR_bankSlotStatusInd;
		rspro_pdu_asn1c_fill_bank_slot(&c->choice.bankSlotStatusInd.fromBankSlot,
					       &bsi->from_bank_slot);
		rspro_pdu_asn1c_fill_client_slot(&c->choice.bankSlotStatusInd.toClientSlot,
						 &bsi->to_client_slot);
		rspro_pdu_asn1c_fill_status(&c->choice.bankSlotStatusInd.slotPhysStatus,
					    &bsi->status);
		return TRUE;
	case RSPRO_MSG_ERROR_IND:
		c->present = RsproPDUchoice_PR_errorInd;
		rspro_pdu_asn1c_fill_error_ind(&c->choice.errorInd, &pdu->u.error_ind);
		return TRUE;
	case RSPRO_MSG_RESET_STATE_REQ:
		c->present = RsproPDUchoice_PR_resetStateReq;
		return TRUE;
	default:
		return FALSE;
	}
}

/* the *Res that carry only a result */
static gboolean
rspro_pdu_asn1c_fill_result(RsproPDUchoice_t *c, const RsproPdu *pdu)
{
	const RsproResult *res = rspro_pdu_get_result(pdu);

	if (!res)
		return FALSE;
	switch (pdu->type) {
	case RSPRO_MSG_CREATE_MAPPING_RES:
		c->present = RsproPDUchoice_PR_createMappingRes;
		c->choice.createMappingRes.result = res->result;
		break;
	case RSPRO_MSG_REMOVE_MAPPING_RES:
		c->present = RsproPDUchoice_PR_removeMappingRes;
		c->choice.removeMappingRes.result = res->result;
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
		c->present = RsproPDUchoice_PR_configClientIdRes;
		c->choice.configClientIdRes.result = res->result;
		break;
	case RSPRO_MSG_SET_ATR_RES:
		c->present = RsproPDUchoice_PR_setAtrRes;
		c->choice.setAtrRes.result = res->result;
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
		c->present = RsproPDUchoice_PR_configClientBankRes;
		c->choice.configClientBankRes.result = res->result;
		break;
	default:
		c->present = RsproPDUchoice_PR_resetStateRes;
		c->choice.resetStateRes.result = res->result;
		break;
	}
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_data_fits(const RsproPdu *pdu, GError **error)
{
	GBytes *data = NULL;

	if (pdu->type == RSPRO_MSG_TPDU_MODEM_TO_CARD)
		data = pdu->u.tpdu_modem_to_card.data;
	else if (pdu->type == RSPRO_MSG_TPDU_CARD_TO_MODEM)
		data = pdu->u.tpdu_card_to_modem.data;
	/* asn1c keeps sizes in an int */
	if (!data || g_bytes_get_size(data) <= G_MAXINT / 2)
		return TRUE;
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_ENCODE,
		    "msg.%s.data: %zu bytes are too many to encode",
		    rspro_msg_type_to_string(pdu->type), g_bytes_get_size(data));
	return FALSE;
}

static int
rspro_pdu_asn1c_append_cb(const void *buffer, size_t size, void *key)
{
	g_byte_array_append(key, buffer, (guint)size);
	return 0;
}

static GBytes *
rspro_pdu_asn1c_der_encode_pdu(RsproPDU_t *asn, gsize size_hint, GError **error)
{
	GByteArray *out = g_byte_array_sized_new((guint)MIN(size_hint, G_MAXUINT));
	gchar errbuf[160];
	size_t errlen = sizeof(errbuf);
	asn_enc_rval_t rv;

	/* our own checks ran first; this one is the safety net behind them */
	if (asn_check_constraints(&asn_DEF_RsproPDU, asn, errbuf, &errlen) != 0) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
			    "constraint check failed: %s", errbuf);
		g_byte_array_unref(out);
		return NULL;
	}
	rv = der_encode(&asn_DEF_RsproPDU, asn, rspro_pdu_asn1c_append_cb, out);
	if (rv.encoded < 0) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_ENCODE, "cannot encode %s",
			    rv.failed_type ? rv.failed_type->name : "RsproPDU");
		g_byte_array_unref(out);
		return NULL;
	}
	return g_byte_array_free_to_bytes(out);
}

GBytes *
rspro_pdu_asn1c_encode(const RsproPdu *pdu, GError **error)
{
	RsproPDU_t asn;
	GBytes *out = NULL;
	gsize hint = 64;

	if (!rspro_pdu_asn1c_data_fits(pdu, error))
		return NULL;
	memset(&asn, 0, sizeof(asn));
	asn.version = pdu->version;
	asn.tag = pdu->tag;
	if (!rspro_pdu_asn1c_fill_message(&asn.msg, pdu) &&
	    !rspro_pdu_asn1c_fill_result(&asn.msg, pdu)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_UNKNOWN_MESSAGE,
			    "msg: unknown message type %d", (gint)pdu->type);
		return NULL;
	}
	if (asn.msg.present == RsproPDUchoice_PR_tpduModemToCard)
		hint += (gsize)asn.msg.choice.tpduModemToCard.data.size;
	else if (asn.msg.present == RsproPDUchoice_PR_tpduCardToModem)
		hint += (gsize)asn.msg.choice.tpduCardToModem.data.size;
	out = rspro_pdu_asn1c_der_encode_pdu(&asn, hint + 16, error);
	ASN_STRUCT_FREE_CONTENTS_ONLY(asn_DEF_RsproPDU, &asn);
	return out;
}

/* ---- decode: asn1c -> RsproPdu ---- */

static gboolean
rspro_pdu_asn1c_get_name(const ComponentName_t *a, const RsproWhere *w, const gchar *field,
			 gsize max, gchar **out, GError **error)
{
	if (!rspro_pdu_check_ia5((const gchar *)a->buf, (gsize)a->size, 1, max, w, field, error))
		return FALSE;
	*out = g_strndup((const gchar *)a->buf, (gsize)a->size);
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_get_opt_name(const ComponentName_t *a, const RsproWhere *w, const gchar *field,
			     gchar **out, GError **error)
{
	if (!a)
		return TRUE;
	return rspro_pdu_asn1c_get_name(a, w, field, RSPRO_NAME_MAX, out, error);
}

/* extensible enumerations keep unknown values, as long as they fit a gint */
static gboolean
rspro_pdu_asn1c_get_enum(long value, const RsproWhere *w, const gchar *field, gint *out,
			 GError **error)
{
	if (!rspro_pdu_check_int(value, G_MININT, G_MAXINT, w, field, error))
		return FALSE;
	*out = (gint)value;
	return TRUE;
}

/* ComponentType has no extension marker: 0..2 only */
static gboolean
rspro_pdu_asn1c_get_component_type(long value, const RsproWhere *w, const gchar *field,
				   RsproComponentType *out, GError **error)
{
	if (!rspro_pdu_check_int(value, RSPRO_COMPONENT_CLIENT, RSPRO_COMPONENT_BANKD, w, field,
				 error))
		return FALSE;
	*out = (RsproComponentType)value;
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_get_id(long value, const RsproWhere *w, const gchar *field, guint16 *out,
		       GError **error)
{
	if (!rspro_pdu_check_int(value, 0, RSPRO_ID_MAX, w, field, error))
		return FALSE;
	*out = (guint16)value;
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_get_identity(const ComponentIdentity_t *a, const gchar *msg,
			     RsproComponentIdentity *id, GError **error)
{
	const RsproWhere w = { msg, "identity" };

	return rspro_pdu_asn1c_get_component_type(a->type, &w, "type", &id->type, error) &&
	       rspro_pdu_asn1c_get_name(&a->name, &w, "name", RSPRO_NAME_MAX, &id->name, error) &&
	       rspro_pdu_asn1c_get_name(&a->software, &w, "software", RSPRO_NAME_MAX, &id->software,
					error) &&
	       rspro_pdu_asn1c_get_name(&a->swVersion, &w, "swVersion", RSPRO_NAME_MAX,
					&id->sw_version, error) &&
	       rspro_pdu_asn1c_get_opt_name(a->hwManufacturer, &w, "hwManufacturer",
					    &id->hw_manufacturer, error) &&
	       rspro_pdu_asn1c_get_opt_name(a->hwModel, &w, "hwModel", &id->hw_model, error) &&
	       rspro_pdu_asn1c_get_opt_name(a->hwSerialNr, &w, "hwSerialNr", &id->hw_serial_nr,
					    error) &&
	       rspro_pdu_asn1c_get_opt_name(a->hwVersion, &w, "hwVersion", &id->hw_version,
					    error) &&
	       rspro_pdu_asn1c_get_opt_name(a->fwVersion, &w, "fwVersion", &id->fw_version, error);
}

static gboolean
rspro_pdu_asn1c_get_client_slot(const ClientSlot_t *a, const gchar *msg, const gchar *member,
				RsproClientSlot *s, GError **error)
{
	const RsproWhere w = { msg, member };

	return rspro_pdu_asn1c_get_id(a->clientId, &w, "clientId", &s->client_id, error) &&
	       rspro_pdu_asn1c_get_id(a->slotNr, &w, "slotNr", &s->slot_nr, error);
}

static gboolean
rspro_pdu_asn1c_get_bank_slot(const BankSlot_t *a, const gchar *msg, const gchar *member,
			      RsproBankSlot *s, GError **error)
{
	const RsproWhere w = { msg, member };

	return rspro_pdu_asn1c_get_id(a->bankId, &w, "bankId", &s->bank_id, error) &&
	       rspro_pdu_asn1c_get_id(a->slotNr, &w, "slotNr", &s->slot_nr, error);
}

static gboolean
rspro_pdu_asn1c_get_ip_port(const IpPort_t *a, const gchar *msg, const gchar *member,
			    RsproIpPort *ip, GError **error)
{
	const RsproWhere w = { msg, member };
	const OCTET_STRING_t *addr;
	gsize want;

	if (a->ip.present == IpAddress_PR_ipv4) {
		addr = &a->ip.choice.ipv4;
		want = 4;
	} else if (a->ip.present == IpAddress_PR_ipv6) {
		addr = &a->ip.choice.ipv6;
		want = 16;
	} else {
		g_autofree gchar *path = rspro_pdu_check_where_path(&w, "ip");

		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_MALFORMED,
			    "%s: neither ipv4 nor ipv6", path);
		return FALSE;
	}
	if ((gsize)addr->size != want) {
		g_autofree gchar *path =
		    rspro_pdu_check_where_path(&w, want == 4 ? "ip.ipv4" : "ip.ipv6");

		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
			    "%s: %d bytes instead of %zu", path, addr->size, want);
		return FALSE;
	}
	ip->is_ipv6 = want == 16;
	memcpy(ip->addr, addr->buf, want);
	if (!rspro_pdu_check_int(a->port, 0, G_MAXUINT16, &w, "port", error))
		return FALSE;
	ip->port = (guint16)a->port;
	return TRUE;
}

static void
rspro_pdu_asn1c_get_flags(const TpduFlags_t *a, RsproTpduFlags *f)
{
	f->tpdu_header_present = a->tpduHeaderPresent != 0;
	f->final_part = a->finalPart != 0;
	f->proc_byte_continue_tx = a->procByteContinueTx != 0;
	f->proc_byte_continue_rx = a->procByteContinueRx != 0;
}

static void
rspro_pdu_asn1c_get_opt_bool(const BOOLEAN_t *a, gboolean *has, gboolean *value)
{
	*has = a != NULL;
	*value = a && *a;
}

static void
rspro_pdu_asn1c_get_status(const SlotPhysStatus_t *a, RsproSlotPhysStatus *s)
{
	s->reset_active = a->resetActive != 0;
	rspro_pdu_asn1c_get_opt_bool(a->vccPresent, &s->has_vcc_present, &s->vcc_present);
	rspro_pdu_asn1c_get_opt_bool(a->clkActive, &s->has_clk_active, &s->clk_active);
	rspro_pdu_asn1c_get_opt_bool(a->cardPresent, &s->has_card_present, &s->card_present);
}

static GBytes *
rspro_pdu_asn1c_get_bytes(const OCTET_STRING_t *a)
{
	return g_bytes_new(a->buf, (gsize)a->size);
}

static gboolean
rspro_pdu_asn1c_get_connect_bank_req(const ConnectBankReq_t *a, const gchar *msg,
				     RsproConnectBankReq *r, GError **error)
{
	const RsproWhere w = { msg, NULL };

	if (!rspro_pdu_asn1c_get_identity(&a->identity, msg, &r->identity, error) ||
	    !rspro_pdu_asn1c_get_id(a->bankId, &w, "bankId", &r->bank_id, error) ||
	    !rspro_pdu_asn1c_get_id(a->numberOfSlots, &w, "numberOfSlots", &r->number_of_slots,
				    error))
		return FALSE;
	r->has_bound = a->bound != NULL;
	return !a->bound || rspro_pdu_asn1c_get_ip_port(a->bound, msg, "bound", &r->bound, error);
}

static gboolean
rspro_pdu_asn1c_get_connect_res(const ComponentIdentity_t *identity, long result, const gchar *msg,
				RsproConnectRes *r, GError **error)
{
	const RsproWhere w = { msg, NULL };

	return rspro_pdu_asn1c_get_identity(identity, msg, &r->identity, error) &&
	       rspro_pdu_asn1c_get_enum(result, &w, "result", &r->result, error);
}

static gboolean
rspro_pdu_asn1c_get_connect_client_req(const ConnectClientReq_t *a, const gchar *msg,
				       RsproConnectClientReq *r, GError **error)
{
	if (!rspro_pdu_asn1c_get_identity(&a->identity, msg, &r->identity, error))
		return FALSE;
	r->has_client_slot = a->clientSlot != NULL;
	return !a->clientSlot || rspro_pdu_asn1c_get_client_slot(a->clientSlot, msg, "clientSlot",
								 &r->client_slot, error);
}

static gboolean
rspro_pdu_asn1c_get_error_ind(const ErrorInd_t *a, const gchar *msg, RsproErrorInd *e,
			      GError **error)
{
	const RsproWhere w = { msg, NULL };

	if (!rspro_pdu_asn1c_get_component_type(a->sender, &w, "sender", &e->sender, error) ||
	    !rspro_pdu_asn1c_get_enum(a->severity, &w, "severity", &e->severity, error) ||
	    !rspro_pdu_asn1c_get_enum(a->code, &w, "code", &e->code, error))
		return FALSE;
	e->has_bank_slot = a->bankSlot != NULL;
	if (a->bankSlot &&
	    !rspro_pdu_asn1c_get_bank_slot(a->bankSlot, msg, "bankSlot", &e->bank_slot, error))
		return FALSE;
	e->has_client_slot = a->clientSlot != NULL;
	if (a->clientSlot && !rspro_pdu_asn1c_get_client_slot(a->clientSlot, msg, "clientSlot",
							      &e->client_slot, error))
		return FALSE;
	return !a->errorString ||
	       rspro_pdu_asn1c_get_name(a->errorString, &w, "errorString", RSPRO_ERROR_STRING_MAX,
					&e->error_string, error);
}

static gboolean
rspro_pdu_asn1c_get_set_atr_req(const SetAtrReq_t *a, const gchar *msg, RsproSetAtrReq *r,
				GError **error)
{
	/* the ATR's size is checked with the other constraints on the result */
	if (!rspro_pdu_asn1c_get_client_slot(&a->slot, msg, "slot", &r->slot, error))
		return FALSE;
	r->atr = rspro_pdu_asn1c_get_bytes(&a->atr);
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_get_tpdu_m2c(const TpduModemToCard_t *a, const gchar *msg, RsproTpduModemToCard *t,
			     GError **error)
{
	if (!rspro_pdu_asn1c_get_client_slot(&a->fromClientSlot, msg, "fromClientSlot",
					     &t->from_client_slot, error) ||
	    !rspro_pdu_asn1c_get_bank_slot(&a->toBankSlot, msg, "toBankSlot", &t->to_bank_slot,
					   error))
		return FALSE;
	rspro_pdu_asn1c_get_flags(&a->flags, &t->flags);
	t->data = rspro_pdu_asn1c_get_bytes(&a->data);
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_get_tpdu_c2m(const TpduCardToModem_t *a, const gchar *msg, RsproTpduCardToModem *t,
			     GError **error)
{
	if (!rspro_pdu_asn1c_get_bank_slot(&a->fromBankSlot, msg, "fromBankSlot",
					   &t->from_bank_slot, error) ||
	    !rspro_pdu_asn1c_get_client_slot(&a->toClientSlot, msg, "toClientSlot",
					     &t->to_client_slot, error))
		return FALSE;
	rspro_pdu_asn1c_get_flags(&a->flags, &t->flags);
	t->data = rspro_pdu_asn1c_get_bytes(&a->data);
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_get_client_status(const ClientSlotStatusInd_t *a, const gchar *msg,
				  RsproClientSlotStatusInd *s, GError **error)
{
	rspro_pdu_asn1c_get_status(&a->slotPhysStatus, &s->status);
	return rspro_pdu_asn1c_get_client_slot(&a->fromClientSlot, msg, "fromClientSlot",
					       &s->from_client_slot, error) &&
	       rspro_pdu_asn1c_get_bank_slot(&a->toBankSlot, msg, "toBankSlot", &s->to_bank_slot,
					     error);
}

static gboolean
rspro_pdu_asn1c_get_bank_status(const BankSlotStatusInd_t *a, const gchar *msg,
				RsproBankSlotStatusInd *s, GError **error)
{
	rspro_pdu_asn1c_get_status(&a->slotPhysStatus, &s->status);
	return rspro_pdu_asn1c_get_bank_slot(&a->fromBankSlot, msg, "fromBankSlot",
					     &s->from_bank_slot, error) &&
	       rspro_pdu_asn1c_get_client_slot(&a->toClientSlot, msg, "toClientSlot",
					       &s->to_client_slot, error);
}

static gboolean
rspro_pdu_asn1c_get_mapping_req(const ClientSlot_t *client, const BankSlot_t *bank,
				const gchar *msg, RsproMappingReq *r, GError **error)
{
	return rspro_pdu_asn1c_get_client_slot(client, msg, "client", &r->client, error) &&
	       rspro_pdu_asn1c_get_bank_slot(bank, msg, "bank", &r->bank, error);
}

static gboolean
rspro_pdu_asn1c_get_result(long result, const gchar *msg, RsproResult *r, GError **error)
{
	const RsproWhere w = { msg, NULL };

	return rspro_pdu_asn1c_get_enum(result, &w, "result", &r->result, error);
}

/* the asn1c alternative and the message type it becomes, in asn1c's order */
static const RsproMsgType type_of_present[] = {
	[RsproPDUchoice_PR_connectBankReq] = RSPRO_MSG_CONNECT_BANK_REQ,
	[RsproPDUchoice_PR_connectBankRes] = RSPRO_MSG_CONNECT_BANK_RES,
	[RsproPDUchoice_PR_connectClientReq] = RSPRO_MSG_CONNECT_CLIENT_REQ,
	[RsproPDUchoice_PR_connectClientRes] = RSPRO_MSG_CONNECT_CLIENT_RES,
	[RsproPDUchoice_PR_createMappingReq] = RSPRO_MSG_CREATE_MAPPING_REQ,
	[RsproPDUchoice_PR_createMappingRes] = RSPRO_MSG_CREATE_MAPPING_RES,
	[RsproPDUchoice_PR_removeMappingReq] = RSPRO_MSG_REMOVE_MAPPING_REQ,
	[RsproPDUchoice_PR_removeMappingRes] = RSPRO_MSG_REMOVE_MAPPING_RES,
	[RsproPDUchoice_PR_configClientIdReq] = RSPRO_MSG_CONFIG_CLIENT_ID_REQ,
	[RsproPDUchoice_PR_configClientIdRes] = RSPRO_MSG_CONFIG_CLIENT_ID_RES,
	[RsproPDUchoice_PR_configClientBankReq] = RSPRO_MSG_CONFIG_CLIENT_BANK_REQ,
	[RsproPDUchoice_PR_configClientBankRes] = RSPRO_MSG_CONFIG_CLIENT_BANK_RES,
	[RsproPDUchoice_PR_errorInd] = RSPRO_MSG_ERROR_IND,
	[RsproPDUchoice_PR_resetStateReq] = RSPRO_MSG_RESET_STATE_REQ,
	[RsproPDUchoice_PR_resetStateRes] = RSPRO_MSG_RESET_STATE_RES,
	[RsproPDUchoice_PR_setAtrReq] = RSPRO_MSG_SET_ATR_REQ,
	[RsproPDUchoice_PR_setAtrRes] = RSPRO_MSG_SET_ATR_RES,
	[RsproPDUchoice_PR_tpduModemToCard] = RSPRO_MSG_TPDU_MODEM_TO_CARD,
	[RsproPDUchoice_PR_tpduCardToModem] = RSPRO_MSG_TPDU_CARD_TO_MODEM,
	[RsproPDUchoice_PR_clientSlotStatusInd] = RSPRO_MSG_CLIENT_SLOT_STATUS_IND,
	[RsproPDUchoice_PR_bankSlotStatusInd] = RSPRO_MSG_BANK_SLOT_STATUS_IND,
};

static gboolean
rspro_pdu_asn1c_get_message(const RsproPDUchoice_t *c, RsproPdu *pdu, GError **error)
{
	const gchar *msg = rspro_msg_type_to_string(pdu->type);
	const union RsproPDUchoice_u *u = &c->choice;

	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		return rspro_pdu_asn1c_get_connect_bank_req(&u->connectBankReq, msg,
							    &pdu->u.connect_bank_req, error);
	case RSPRO_MSG_CONNECT_BANK_RES:
		return rspro_pdu_asn1c_get_connect_res(&u->connectBankRes.identity,
						       u->connectBankRes.result, msg,
						       &pdu->u.connect_bank_res, error);
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		return rspro_pdu_asn1c_get_connect_client_req(&u->connectClientReq, msg,
							      &pdu->u.connect_client_req, error);
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		return rspro_pdu_asn1c_get_connect_res(&u->connectClientRes.identity,
						       u->connectClientRes.result, msg,
						       &pdu->u.connect_client_res, error);
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		return rspro_pdu_asn1c_get_mapping_req(&u->createMappingReq.client,
						       &u->createMappingReq.bank, msg,
						       &pdu->u.create_mapping_req, error);
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		return rspro_pdu_asn1c_get_mapping_req(&u->removeMappingReq.client,
						       &u->removeMappingReq.bank, msg,
						       &pdu->u.remove_mapping_req, error);
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		return rspro_pdu_asn1c_get_client_slot(
		    &u->configClientIdReq.clientSlot, msg, "clientSlot",
		    &pdu->u.config_client_id_req.client_slot, error);
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		return rspro_pdu_asn1c_get_bank_slot(
			   &u->configClientBankReq.bankSlot, msg, "bankSlot",
			   &pdu->u.config_client_bank_req.bank_slot, error) &&
		       rspro_pdu_asn1c_get_ip_port(&u->configClientBankReq.bankd, msg, "bankd",
						   &pdu->u.config_client_bank_req.bankd, error);
	case RSPRO_MSG_SET_ATR_REQ:
		return rspro_pdu_asn1c_get_set_atr_req(&u->setAtrReq, msg, &pdu->u.set_atr_req,
						       error);
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		return rspro_pdu_asn1c_get_tpdu_m2c(&u->tpduModemToCard, msg,
						    &pdu->u.tpdu_modem_to_card, error);
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		return rspro_pdu_asn1c_get_tpdu_c2m(&u->tpduCardToModem, msg,
						    &pdu->u.tpdu_card_to_modem, error);
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		return rspro_pdu_asn1c_get_client_status(&u->clientSlotStatusInd, msg,
							 &pdu->u.client_slot_status_ind, error);
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		return rspro_pdu_asn1c_get_bank_status(&u->bankSlotStatusInd, msg,
						       &pdu->u.bank_slot_status_ind, error);
	case RSPRO_MSG_ERROR_IND:
		return rspro_pdu_asn1c_get_error_ind(&u->errorInd, msg, &pdu->u.error_ind, error);
	case RSPRO_MSG_CREATE_MAPPING_RES:
		return rspro_pdu_asn1c_get_result(u->createMappingRes.result, msg,
						  &pdu->u.create_mapping_res, error);
	case RSPRO_MSG_REMOVE_MAPPING_RES:
		return rspro_pdu_asn1c_get_result(u->removeMappingRes.result, msg,
						  &pdu->u.remove_mapping_res, error);
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
		return rspro_pdu_asn1c_get_result(u->configClientIdRes.result, msg,
						  &pdu->u.config_client_id_res, error);
	case RSPRO_MSG_SET_ATR_RES:
		return rspro_pdu_asn1c_get_result(u->setAtrRes.result, msg, &pdu->u.set_atr_res,
						  error);
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
		return rspro_pdu_asn1c_get_result(u->configClientBankRes.result, msg,
						  &pdu->u.config_client_bank_res, error);
	case RSPRO_MSG_RESET_STATE_RES:
		return rspro_pdu_asn1c_get_result(u->resetStateRes.result, msg,
						  &pdu->u.reset_state_res, error);
	case RSPRO_MSG_RESET_STATE_REQ:
	default:
		return TRUE;
	}
}

static RsproPdu *
rspro_pdu_asn1c_pdu_from_asn(const RsproPDU_t *asn, GError **error)
{
	g_autoptr(RsproPdu) pdu = NULL;
	RsproMsgType type;

	if (asn->msg.present <= RsproPDUchoice_PR_NOTHING ||
	    (gsize)asn->msg.present >= G_N_ELEMENTS(type_of_present)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_UNKNOWN_MESSAGE,
			    "msg: unknown message alternative");
		return NULL;
	}
	if (!rspro_pdu_check_int(asn->version, 0, RSPRO_VERSION_MAX, NULL, "version", error) ||
	    !rspro_pdu_check_int(asn->tag, 0, RSPRO_TAG_MAX, NULL, "tag", error))
		return NULL;
	type = type_of_present[asn->msg.present];
	pdu = rspro_pdu_new(type);
	pdu->version = (guint)asn->version;
	pdu->tag = (guint32)asn->tag;
	if (!rspro_pdu_asn1c_get_message(&asn->msg, pdu, error) ||
	    !rspro_pdu_check_constraints(pdu, error))
		return NULL;
	return g_steal_pointer(&pdu);
}

/* The length of the TLV header at @data, 0 if it is not a whole one. */
static gsize
rspro_pdu_asn1c_tlv_header(const guint8 *data, gsize len, gboolean *constructed,
			   ber_tlv_len_t *value_len)
{
	ber_tlv_tag_t tag;
	ssize_t tag_len = ber_fetch_tag(data, len, &tag);
	ssize_t len_len;

	if (tag_len <= 0)
		return 0;
	*constructed = BER_TLV_CONSTRUCTED(data);
	len_len = ber_fetch_length(*constructed, data + tag_len, len - (gsize)tag_len, value_len);
	if (len_len <= 0)
		return 0;
	return (gsize)(tag_len + len_len);
}

/*
 * asn1c 0.9.28 accepts the envelope's explicitly tagged msg [2] in primitive
 * form; X.690 requires an explicit tag to be constructed. Walk past version and
 * tag of an already decoded PDU and look at the form of the third element.
 */
static gboolean
rspro_pdu_asn1c_msg_is_constructed(const guint8 *data, gsize len)
{
	gboolean constructed;
	ber_tlv_len_t value_len;
	gsize off = rspro_pdu_asn1c_tlv_header(data, len, &constructed, &value_len);
	const guint8 *msg;

	if (off == 0)
		return FALSE;
	for (guint i = 0; i < 2; i++) {
		gsize hdr =
		    rspro_pdu_asn1c_tlv_header(data + off, len - off, &constructed, &value_len);

		/* version and tag are primitive INTEGERs with a definite length */
		if (hdr == 0 || constructed || value_len < 0 || (gsize)value_len > len - off - hdr)
			return FALSE;
		off += hdr + (gsize)value_len;
	}
	if (off >= len)
		return FALSE;
	/* asn1c's macro does not parenthesise its argument: pass a plain pointer */
	msg = data + off;
	return BER_TLV_CONSTRUCTED(msg);
}

static gboolean
rspro_pdu_asn1c_check_decoded(asn_dec_rval_t rv, const guint8 *data, gsize len, GError **error)
{
	if (rv.code == RC_WMORE) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_MALFORMED,
			    "truncated PDU: %zu bytes are not a whole RsproPDU", len);
		return FALSE;
	}
	if (rv.code != RC_OK) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_MALFORMED,
			    "malformed PDU: BER decoding failed near byte %zu", (gsize)rv.consumed);
		return FALSE;
	}
	if ((gsize)rv.consumed != len) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_TRAILING_DATA,
			    "%zu trailing byte(s) after the end of the PDU",
			    len - (gsize)rv.consumed);
		return FALSE;
	}
	if (!rspro_pdu_asn1c_msg_is_constructed(data, len)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_MALFORMED,
			    "malformed PDU: msg [2] must be constructed");
		return FALSE;
	}
	return TRUE;
}

static gboolean
rspro_pdu_asn1c_check_asn_constraints(const RsproPDU_t *asn, GError **error)
{
	gchar errbuf[160];
	size_t errlen = sizeof(errbuf);

	if (asn_check_constraints(&asn_DEF_RsproPDU, asn, errbuf, &errlen) == 0)
		return TRUE;
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT,
		    "constraint check failed: %s", errbuf);
	return FALSE;
}

RsproPdu *
rspro_pdu_asn1c_decode(const guint8 *data, gsize len, GError **error)
{
	RsproPDU_t *asn = NULL;
	RsproPdu *pdu = NULL;
	asn_dec_rval_t rv;

	rv = ber_decode(NULL, &asn_DEF_RsproPDU, (void **)&asn, data, len);
	/* our conversion names the field that breaks a constraint; asn1c's check
	 * runs after it as a safety net */
	if (rspro_pdu_asn1c_check_decoded(rv, data, len, error)) {
		pdu = rspro_pdu_asn1c_pdu_from_asn(asn, error);
		if (pdu && !rspro_pdu_asn1c_check_asn_constraints(asn, error))
			g_clear_pointer(&pdu, rspro_pdu_free);
	}
	ASN_STRUCT_FREE(asn_DEF_RsproPDU, asn);
	return pdu;
}
