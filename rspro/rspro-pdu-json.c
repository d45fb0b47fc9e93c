/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproPdu <-> JSON in the shape of the test vectors: ASN.1 field names,
 * enumerations by their ASN.1 names, OCTET STRINGs as lowercase hex, optional
 * fields absent when not present.
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

/* ---- to JSON ---- */

static JsonNode *
rspro_pdu_json_object_node(JsonObject *obj)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	json_node_take_object(node, obj);
	return node;
}

static void
rspro_pdu_json_set_hex(JsonObject *o, const gchar *key, const guint8 *data, gsize len)
{
	static const gchar digits[] = "0123456789abcdef";
	gchar *hex = g_malloc(len * 2 + 1);

	for (gsize i = 0; i < len; i++) {
		hex[2 * i] = digits[data[i] >> 4];
		hex[2 * i + 1] = digits[data[i] & 0xf];
	}
	hex[len * 2] = '\0';
	json_object_set_string_member(o, key, hex);
	g_free(hex);
}

static void
rspro_pdu_json_set_bytes(JsonObject *o, const gchar *key, GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

	rspro_pdu_json_set_hex(o, key, data, len);
}

/* unknown values of the extensible enumerations stay numbers */
static void
rspro_pdu_json_set_enum(JsonObject *o, const gchar *key, const RsproEnumName *table, gint value)
{
	const gchar *name = rspro_enum_to_string(table, value);

	if (name)
		json_object_set_string_member(o, key, name);
	else
		json_object_set_int_member(o, key, value);
}

static void
rspro_pdu_json_set_opt_string(JsonObject *o, const gchar *key, const gchar *value)
{
	if (value)
		json_object_set_string_member(o, key, value);
}

static JsonObject *
rspro_pdu_json_write_identity(const RsproComponentIdentity *id)
{
	JsonObject *o = json_object_new();

	rspro_pdu_json_set_enum(o, "type", rspro_component_type_names, id->type);
	json_object_set_string_member(o, "name", id->name ? id->name : "");
	json_object_set_string_member(o, "software", id->software ? id->software : "");
	json_object_set_string_member(o, "swVersion", id->sw_version ? id->sw_version : "");
	rspro_pdu_json_set_opt_string(o, "hwManufacturer", id->hw_manufacturer);
	rspro_pdu_json_set_opt_string(o, "hwModel", id->hw_model);
	rspro_pdu_json_set_opt_string(o, "hwSerialNr", id->hw_serial_nr);
	rspro_pdu_json_set_opt_string(o, "hwVersion", id->hw_version);
	rspro_pdu_json_set_opt_string(o, "fwVersion", id->fw_version);
	return o;
}

static JsonObject *
rspro_pdu_json_write_client_slot(const RsproClientSlot *s)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "clientId", s->client_id);
	json_object_set_int_member(o, "slotNr", s->slot_nr);
	return o;
}

static JsonObject *
rspro_pdu_json_write_bank_slot(const RsproBankSlot *s)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "bankId", s->bank_id);
	json_object_set_int_member(o, "slotNr", s->slot_nr);
	return o;
}

static JsonObject *
rspro_pdu_json_write_ip_port(const RsproIpPort *ip)
{
	JsonObject *o = json_object_new();
	JsonObject *addr = json_object_new();

	if (ip->is_ipv6)
		rspro_pdu_json_set_hex(addr, "ipv6", ip->addr, 16);
	else
		rspro_pdu_json_set_hex(addr, "ipv4", ip->addr, 4);
	json_object_set_object_member(o, "ip", addr);
	json_object_set_int_member(o, "port", ip->port);
	return o;
}

static JsonObject *
rspro_pdu_json_write_flags(const RsproTpduFlags *f)
{
	JsonObject *o = json_object_new();

	json_object_set_boolean_member(o, "tpduHeaderPresent", f->tpdu_header_present);
	json_object_set_boolean_member(o, "finalPart", f->final_part);
	json_object_set_boolean_member(o, "procByteContinueTx", f->proc_byte_continue_tx);
	json_object_set_boolean_member(o, "procByteContinueRx", f->proc_byte_continue_rx);
	return o;
}

static JsonObject *
rspro_pdu_json_write_status(const RsproSlotPhysStatus *s)
{
	JsonObject *o = json_object_new();

	json_object_set_boolean_member(o, "resetActive", s->reset_active);
	if (s->has_vcc_present)
		json_object_set_boolean_member(o, "vccPresent", s->vcc_present);
	if (s->has_clk_active)
		json_object_set_boolean_member(o, "clkActive", s->clk_active);
	if (s->has_card_present)
		json_object_set_boolean_member(o, "cardPresent", s->card_present);
	return o;
}

static void
rspro_pdu_json_write_connect_bank_req(JsonObject *o, const RsproConnectBankReq *r)
{
	json_object_set_object_member(o, "identity", rspro_pdu_json_write_identity(&r->identity));
	json_object_set_int_member(o, "bankId", r->bank_id);
	json_object_set_int_member(o, "numberOfSlots", r->number_of_slots);
	if (r->has_bound)
		json_object_set_object_member(o, "bound", rspro_pdu_json_write_ip_port(&r->bound));
}

static void
rspro_pdu_json_write_connect_client_req(JsonObject *o, const RsproConnectClientReq *r)
{
	json_object_set_object_member(o, "identity", rspro_pdu_json_write_identity(&r->identity));
	if (r->has_client_slot)
		json_object_set_object_member(o, "clientSlot",
					      rspro_pdu_json_write_client_slot(&r->client_slot));
}

static void
rspro_pdu_json_write_error_ind(JsonObject *o, const RsproErrorInd *e)
{
	rspro_pdu_json_set_enum(o, "sender", rspro_component_type_names, e->sender);
	rspro_pdu_json_set_enum(o, "severity", rspro_error_severity_names, e->severity);
	rspro_pdu_json_set_enum(o, "code", rspro_error_code_names, e->code);
	if (e->has_bank_slot)
		json_object_set_object_member(o, "bankSlot",
					      rspro_pdu_json_write_bank_slot(&e->bank_slot));
	if (e->has_client_slot)
		json_object_set_object_member(o, "clientSlot",
					      rspro_pdu_json_write_client_slot(&e->client_slot));
	rspro_pdu_json_set_opt_string(o, "errorString", e->error_string);
}

static void
rspro_pdu_json_write_slots(JsonObject *o, const gchar *from_key, JsonObject *from,
			   const gchar *to_key, JsonObject *to)
{
	json_object_set_object_member(o, from_key, from);
	json_object_set_object_member(o, to_key, to);
}

static void
rspro_pdu_json_write_message(JsonObject *o, const RsproPdu *pdu)
{
	const RsproConnectRes *cres = rspro_pdu_get_connect_res(pdu);
	const RsproMappingReq *map = rspro_pdu_get_mapping_req(pdu);
	const RsproResult *res = rspro_pdu_get_result(pdu);
	const RsproTpduModemToCard *m2c = &pdu->u.tpdu_modem_to_card;
	const RsproTpduCardToModem *c2m = &pdu->u.tpdu_card_to_modem;
	const RsproClientSlotStatusInd *csi = &pdu->u.client_slot_status_ind;
	const RsproBankSlotStatusInd *bsi = &pdu->u.bank_slot_status_ind;

	if (res) {
		rspro_pdu_json_set_enum(o, "result", rspro_result_code_names, res->result);
		return;
	}
	if (cres) {
		json_object_set_object_member(o, "identity",
					      rspro_pdu_json_write_identity(&cres->identity));
		rspro_pdu_json_set_enum(o, "result", rspro_result_code_names, cres->result);
		return;
	}
	if (map) {
		rspro_pdu_json_write_slots(o, "client",
					   rspro_pdu_json_write_client_slot(&map->client), "bank",
					   rspro_pdu_json_write_bank_slot(&map->bank));
		return;
	}
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		rspro_pdu_json_write_connect_bank_req(o, &pdu->u.connect_bank_req);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		rspro_pdu_json_write_connect_client_req(o, &pdu->u.connect_client_req);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		json_object_set_object_member(
		    o, "clientSlot",
		    rspro_pdu_json_write_client_slot(&pdu->u.config_client_id_req.client_slot));
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		json_object_set_object_member(
		    o, "bankSlot",
		    rspro_pdu_json_write_bank_slot(&pdu->u.config_client_bank_req.bank_slot));
		json_object_set_object_member(
		    o, "bankd", rspro_pdu_json_write_ip_port(&pdu->u.config_client_bank_req.bankd));
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		json_object_set_object_member(
		    o, "slot", rspro_pdu_json_write_client_slot(&pdu->u.set_atr_req.slot));
		rspro_pdu_json_set_bytes(o, "atr", pdu->u.set_atr_req.atr);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		rspro_pdu_json_write_slots(
		    o, "fromClientSlot", rspro_pdu_json_write_client_slot(&m2c->from_client_slot),
		    "toBankSlot", rspro_pdu_json_write_bank_slot(&m2c->to_bank_slot));
		json_object_set_object_member(o, "flags", rspro_pdu_json_write_flags(&m2c->flags));
		rspro_pdu_json_set_bytes(o, "data", m2c->data);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		rspro_pdu_json_write_slots(
		    o, "fromBankSlot", rspro_pdu_json_write_bank_slot(&c2m->from_bank_slot),
		    "toClientSlot", rspro_pdu_json_write_client_slot(&c2m->to_client_slot));
		json_object_set_object_member(o, "flags", rspro_pdu_json_write_flags(&c2m->flags));
		rspro_pdu_json_set_bytes(o, "data", c2m->data);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		rspro_pdu_json_write_slots(
		    o, "fromClientSlot", rspro_pdu_json_write_client_slot(&csi->from_client_slot),
		    "toBankSlot", rspro_pdu_json_write_bank_slot(&csi->to_bank_slot));
		json_object_set_object_member(o, "slotPhysStatus",
					      rspro_pdu_json_write_status(&csi->status));
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		rspro_pdu_json_write_slots(
		    o, "fromBankSlot", rspro_pdu_json_write_bank_slot(&bsi->from_bank_slot),
		    "toClientSlot", rspro_pdu_json_write_client_slot(&bsi->to_client_slot));
		json_object_set_object_member(o, "slotPhysStatus",
					      rspro_pdu_json_write_status(&bsi->status));
		break;
	case RSPRO_MSG_ERROR_IND:
		rspro_pdu_json_write_error_ind(o, &pdu->u.error_ind);
		break;
	default:
		/* resetStateReq: no fields */
		break;
	}
}

JsonNode *
rspro_pdu_json_encode(const RsproPdu *pdu)
{
	JsonObject *top;
	JsonObject *msg;
	JsonObject *fields;
	const gchar *name;

	g_return_val_if_fail(pdu != NULL, NULL);
	name = rspro_msg_type_to_string(pdu->type);
	g_return_val_if_fail(name != NULL, NULL);

	top = json_object_new();
	msg = json_object_new();
	fields = json_object_new();
	json_object_set_int_member(top, "version", pdu->version);
	json_object_set_int_member(top, "tag", pdu->tag);
	rspro_pdu_json_write_message(fields, pdu);
	json_object_set_object_member(msg, name, fields);
	json_object_set_object_member(top, "msg", msg);
	return rspro_pdu_json_object_node(top);
}

gchar *
rspro_pdu_json_encode_string(const RsproPdu *pdu)
{
	g_autoptr(JsonNode) node = NULL;

	g_return_val_if_fail(pdu != NULL, NULL);
	node = rspro_pdu_json_encode(pdu);
	if (!node)
		return NULL;
	return json_to_string(node, FALSE);
}

/* ---- from JSON ---- */

/* one JSON object being read, and where it sits ("msg.setAtrReq.slot") */
typedef struct {
	JsonObject *obj;
	const gchar *path;
} RsproJsonReader;

static gchar *
rspro_pdu_json_join_path(const gchar *path, const gchar *key)
{
	return path && *path ? g_strconcat(path, ".", key, NULL) : g_strdup(key);
}

G_GNUC_PRINTF(4, 5)
static gboolean
rspro_pdu_json_error(GError **error, const RsproJsonReader *r, const gchar *key,
		     const gchar *format, ...)
{
	g_autofree gchar *path = rspro_pdu_json_join_path(r->path, key);
	g_autofree gchar *what = NULL;
	va_list args;

	va_start(args, format);
	what = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON, "%s: %s", path, what);
	return FALSE;
}

/* every member must be one of @allowed (NULL-ended) */
static gboolean
rspro_pdu_json_check_keys(const RsproJsonReader *r, const gchar *const *allowed, GError **error)
{
	g_autoptr(GList) members = json_object_get_members(r->obj);

	for (GList *l = members; l; l = l->next) {
		if (!g_strv_contains(allowed, l->data))
			return rspro_pdu_json_error(error, r, l->data, "unknown field");
	}
	return TRUE;
}

/* the member @key, or NULL; missing members are an error unless @optional */
static gboolean
rspro_pdu_json_get_node(const RsproJsonReader *r, const gchar *key, gboolean optional,
			JsonNode **node, GError **error)
{
	*node = json_object_get_member(r->obj, key);
	if (*node || optional)
		return TRUE;
	return rspro_pdu_json_error(error, r, key, "missing field");
}

static gboolean
rspro_pdu_json_get_int(const RsproJsonReader *r, const gchar *key, gint64 min, gint64 max,
		       gint64 *out, GError **error)
{
	JsonNode *node;
	gint64 value;

	if (!rspro_pdu_json_get_node(r, key, FALSE, &node, error))
		return FALSE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
		return rspro_pdu_json_error(error, r, key, "expected an integer");
	value = json_node_get_int(node);
	if (value < min || value > max)
		return rspro_pdu_json_error(error, r, key, "%lld is outside %lld..%lld",
					    (long long)value, (long long)min, (long long)max);
	*out = value;
	return TRUE;
}

static gboolean
rspro_pdu_json_get_u16(const RsproJsonReader *r, const gchar *key, gint64 max, guint16 *out,
		       GError **error)
{
	gint64 value;

	if (!rspro_pdu_json_get_int(r, key, 0, max, &value, error))
		return FALSE;
	*out = (guint16)value;
	return TRUE;
}

static gboolean
rspro_pdu_json_get_bool(const RsproJsonReader *r, const gchar *key, gboolean optional,
			gboolean *has, gboolean *out, GError **error)
{
	JsonNode *node;

	if (!rspro_pdu_json_get_node(r, key, optional, &node, error))
		return FALSE;
	if (has)
		*has = node != NULL;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
		return rspro_pdu_json_error(error, r, key, "expected true or false");
	*out = json_node_get_boolean(node);
	return TRUE;
}

/* a string member; *out stays NULL when an optional one is absent */
static gboolean
rspro_pdu_json_get_string(const RsproJsonReader *r, const gchar *key, gboolean optional,
			  gchar **out, GError **error)
{
	JsonNode *node;

	if (!rspro_pdu_json_get_node(r, key, optional, &node, error))
		return FALSE;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return rspro_pdu_json_error(error, r, key, "expected a string");
	*out = g_strdup(json_node_get_string(node));
	return TRUE;
}

static gint
rspro_pdu_json_hex_digit(gchar c)
{
	return g_ascii_xdigit_value(c);
}

static gboolean
rspro_pdu_json_get_hex(const RsproJsonReader *r, const gchar *key, GBytes **out, GError **error)
{
	g_autofree gchar *hex = NULL;
	gsize len;
	guint8 *buf;

	if (!rspro_pdu_json_get_string(r, key, FALSE, &hex, error))
		return FALSE;
	len = strlen(hex);
	if (len % 2)
		return rspro_pdu_json_error(error, r, key, "odd number of hex digits");
	buf = g_malloc(len / 2 + 1);
	for (gsize i = 0; i < len / 2; i++) {
		gint hi = rspro_pdu_json_hex_digit(hex[2 * i]);
		gint lo = rspro_pdu_json_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			g_free(buf);
			return rspro_pdu_json_error(error, r, key, "not a hex string");
		}
		buf[i] = (guint8)(hi << 4 | lo);
	}
	*out = g_bytes_new_take(buf, len / 2);
	return TRUE;
}

/* a name of @table, or for an extensible enumeration also any integer */
static gboolean
rspro_pdu_json_get_enum(const RsproJsonReader *r, const gchar *key, const RsproEnumName *table,
			gboolean extensible, gint *out, GError **error)
{
	JsonNode *node;

	if (!rspro_pdu_json_get_node(r, key, FALSE, &node, error))
		return FALSE;
	if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING) {
		if (rspro_enum_from_string(table, json_node_get_string(node), out))
			return TRUE;
		return rspro_pdu_json_error(error, r, key, "unknown value \"%s\"",
					    json_node_get_string(node));
	}
	if (extensible) {
		gint64 value;

		if (!rspro_pdu_json_get_int(r, key, G_MININT, G_MAXINT, &value, error))
			return FALSE;
		*out = (gint)value;
		return TRUE;
	}
	return rspro_pdu_json_error(error, r, key, "expected one of the value names");
}

/* the object member @key as a RsproJsonReader whose path the caller frees */
static gboolean
rspro_pdu_json_get_object(const RsproJsonReader *r, const gchar *key, gboolean optional,
			  RsproJsonReader *sub, GError **error)
{
	JsonNode *node;

	sub->obj = NULL;
	sub->path = NULL;
	if (!rspro_pdu_json_get_node(r, key, optional, &node, error))
		return FALSE;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(node))
		return rspro_pdu_json_error(error, r, key, "expected an object");
	sub->obj = json_node_get_object(node);
	sub->path = rspro_pdu_json_join_path(r->path, key);
	return TRUE;
}

static void
rspro_pdu_json_reader_clear(RsproJsonReader *r)
{
	g_free((gchar *)r->path);
	r->path = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RsproJsonReader, rspro_pdu_json_reader_clear)

static gboolean
rspro_pdu_json_read_client_slot(const RsproJsonReader *r, const gchar *key, RsproClientSlot *s,
				GError **error)
{
	static const gchar *const keys[] = { "clientId", "slotNr", NULL };
	g_auto(RsproJsonReader) sub = { 0 };

	return rspro_pdu_json_get_object(r, key, FALSE, &sub, error) &&
	       rspro_pdu_json_check_keys(&sub, keys, error) &&
	       rspro_pdu_json_get_u16(&sub, "clientId", RSPRO_ID_MAX, &s->client_id, error) &&
	       rspro_pdu_json_get_u16(&sub, "slotNr", RSPRO_ID_MAX, &s->slot_nr, error);
}

static gboolean
rspro_pdu_json_read_bank_slot(const RsproJsonReader *r, const gchar *key, RsproBankSlot *s,
			      GError **error)
{
	static const gchar *const keys[] = { "bankId", "slotNr", NULL };
	g_auto(RsproJsonReader) sub = { 0 };

	return rspro_pdu_json_get_object(r, key, FALSE, &sub, error) &&
	       rspro_pdu_json_check_keys(&sub, keys, error) &&
	       rspro_pdu_json_get_u16(&sub, "bankId", RSPRO_ID_MAX, &s->bank_id, error) &&
	       rspro_pdu_json_get_u16(&sub, "slotNr", RSPRO_ID_MAX, &s->slot_nr, error);
}

/* an optional ClientSlot/BankSlot: is it there? */
static gboolean
rspro_pdu_json_has_member(const RsproJsonReader *r, const gchar *key)
{
	return json_object_has_member(r->obj, key);
}

static gboolean
rspro_pdu_json_read_ip_address(const RsproJsonReader *r, RsproIpPort *ip, GError **error)
{
	static const gchar *const keys[] = { "ipv4", "ipv6", NULL };
	g_auto(RsproJsonReader) sub = { 0 };
	g_autoptr(GBytes) addr = NULL;
	const gchar *which;
	gsize want;

	if (!rspro_pdu_json_get_object(r, "ip", FALSE, &sub, error) ||
	    !rspro_pdu_json_check_keys(&sub, keys, error))
		return FALSE;
	if (json_object_get_size(sub.obj) != 1)
		return rspro_pdu_json_error(error, r, "ip",
					    "expected exactly one of ipv4 and ipv6");
	ip->is_ipv6 = json_object_has_member(sub.obj, "ipv6");
	which = ip->is_ipv6 ? "ipv6" : "ipv4";
	want = ip->is_ipv6 ? 16 : 4;
	if (!rspro_pdu_json_get_hex(&sub, which, &addr, error))
		return FALSE;
	if (g_bytes_get_size(addr) != want)
		return rspro_pdu_json_error(error, &sub, which, "%zu bytes instead of %zu",
					    g_bytes_get_size(addr), want);
	memcpy(ip->addr, g_bytes_get_data(addr, NULL), want);
	return TRUE;
}

static gboolean
rspro_pdu_json_read_ip_port(const RsproJsonReader *r, const gchar *key, RsproIpPort *ip,
			    GError **error)
{
	static const gchar *const keys[] = { "ip", "port", NULL };
	g_auto(RsproJsonReader) sub = { 0 };

	memset(ip, 0, sizeof(*ip));
	return rspro_pdu_json_get_object(r, key, FALSE, &sub, error) &&
	       rspro_pdu_json_check_keys(&sub, keys, error) &&
	       rspro_pdu_json_read_ip_address(&sub, ip, error) &&
	       rspro_pdu_json_get_u16(&sub, "port", G_MAXUINT16, &ip->port, error);
}

static gboolean
rspro_pdu_json_read_identity(const RsproJsonReader *r, RsproComponentIdentity *id, GError **error)
{
	static const gchar *const keys[] = { "type",	       "name",	  "software",	"swVersion",
					     "hwManufacturer", "hwModel", "hwSerialNr", "hwVersion",
					     "fwVersion",      NULL };
	g_auto(RsproJsonReader) sub = { 0 };
	gint type = 0;

	if (!rspro_pdu_json_get_object(r, "identity", FALSE, &sub, error) ||
	    !rspro_pdu_json_check_keys(&sub, keys, error) ||
	    !rspro_pdu_json_get_enum(&sub, "type", rspro_component_type_names, FALSE, &type, error))
		return FALSE;
	id->type = (RsproComponentType)type;
	return rspro_pdu_json_get_string(&sub, "name", FALSE, &id->name, error) &&
	       rspro_pdu_json_get_string(&sub, "software", FALSE, &id->software, error) &&
	       rspro_pdu_json_get_string(&sub, "swVersion", FALSE, &id->sw_version, error) &&
	       rspro_pdu_json_get_string(&sub, "hwManufacturer", TRUE, &id->hw_manufacturer,
					 error) &&
	       rspro_pdu_json_get_string(&sub, "hwModel", TRUE, &id->hw_model, error) &&
	       rspro_pdu_json_get_string(&sub, "hwSerialNr", TRUE, &id->hw_serial_nr, error) &&
	       rspro_pdu_json_get_string(&sub, "hwVersion", TRUE, &id->hw_version, error) &&
	       rspro_pdu_json_get_string(&sub, "fwVersion", TRUE, &id->fw_version, error);
}

static gboolean
rspro_pdu_json_read_flags(const RsproJsonReader *r, RsproTpduFlags *f, GError **error)
{
	static const gchar *const keys[] = { "tpduHeaderPresent", "finalPart", "procByteContinueTx",
					     "procByteContinueRx", NULL };
	g_auto(RsproJsonReader) sub = { 0 };

	return rspro_pdu_json_get_object(r, "flags", FALSE, &sub, error) &&
	       rspro_pdu_json_check_keys(&sub, keys, error) &&
	       rspro_pdu_json_get_bool(&sub, "tpduHeaderPresent", FALSE, NULL,
				       &f->tpdu_header_present, error) &&
	       rspro_pdu_json_get_bool(&sub, "finalPart", FALSE, NULL, &f->final_part, error) &&
	       rspro_pdu_json_get_bool(&sub, "procByteContinueTx", FALSE, NULL,
				       &f->proc_byte_continue_tx, error) &&
	       rspro_pdu_json_get_bool(&sub, "procByteContinueRx", FALSE, NULL,
				       &f->proc_byte_continue_rx, error);
}

static gboolean
rspro_pdu_json_read_status(const RsproJsonReader *r, RsproSlotPhysStatus *s, GError **error)
{
	static const gchar *const keys[] = { "resetActive", "vccPresent", "clkActive",
					     "cardPresent", NULL };
	g_auto(RsproJsonReader) sub = { 0 };

	return rspro_pdu_json_get_object(r, "slotPhysStatus", FALSE, &sub, error) &&
	       rspro_pdu_json_check_keys(&sub, keys, error) &&
	       rspro_pdu_json_get_bool(&sub, "resetActive", FALSE, NULL, &s->reset_active, error) &&
	       rspro_pdu_json_get_bool(&sub, "vccPresent", TRUE, &s->has_vcc_present,
				       &s->vcc_present, error) &&
	       rspro_pdu_json_get_bool(&sub, "clkActive", TRUE, &s->has_clk_active, &s->clk_active,
				       error) &&
	       rspro_pdu_json_get_bool(&sub, "cardPresent", TRUE, &s->has_card_present,
				       &s->card_present, error);
}

static gboolean
rspro_pdu_json_read_connect_bank_req(const RsproJsonReader *r, RsproConnectBankReq *m,
				     GError **error)
{
	static const gchar *const keys[] = { "identity", "bankId", "numberOfSlots", "bound", NULL };

	if (!rspro_pdu_json_check_keys(r, keys, error) ||
	    !rspro_pdu_json_read_identity(r, &m->identity, error) ||
	    !rspro_pdu_json_get_u16(r, "bankId", RSPRO_ID_MAX, &m->bank_id, error) ||
	    !rspro_pdu_json_get_u16(r, "numberOfSlots", RSPRO_ID_MAX, &m->number_of_slots, error))
		return FALSE;
	m->has_bound = rspro_pdu_json_has_member(r, "bound");
	return !m->has_bound || rspro_pdu_json_read_ip_port(r, "bound", &m->bound, error);
}

static gboolean
rspro_pdu_json_read_connect_res(const RsproJsonReader *r, RsproConnectRes *m, GError **error)
{
	static const gchar *const keys[] = { "identity", "result", NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_identity(r, &m->identity, error) &&
	       rspro_pdu_json_get_enum(r, "result", rspro_result_code_names, TRUE, &m->result,
				       error);
}

static gboolean
rspro_pdu_json_read_connect_client_req(const RsproJsonReader *r, RsproConnectClientReq *m,
				       GError **error)
{
	static const gchar *const keys[] = { "identity", "clientSlot", NULL };

	if (!rspro_pdu_json_check_keys(r, keys, error) ||
	    !rspro_pdu_json_read_identity(r, &m->identity, error))
		return FALSE;
	m->has_client_slot = rspro_pdu_json_has_member(r, "clientSlot");
	return !m->has_client_slot ||
	       rspro_pdu_json_read_client_slot(r, "clientSlot", &m->client_slot, error);
}

static gboolean
rspro_pdu_json_read_mapping_req(const RsproJsonReader *r, RsproMappingReq *m, GError **error)
{
	static const gchar *const keys[] = { "client", "bank", NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_client_slot(r, "client", &m->client, error) &&
	       rspro_pdu_json_read_bank_slot(r, "bank", &m->bank, error);
}

static gboolean
rspro_pdu_json_read_result(const RsproJsonReader *r, RsproResult *m, GError **error)
{
	static const gchar *const keys[] = { "result", NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_get_enum(r, "result", rspro_result_code_names, TRUE, &m->result,
				       error);
}

static gboolean
rspro_pdu_json_read_config_client_bank_req(const RsproJsonReader *r, RsproConfigClientBankReq *m,
					   GError **error)
{
	static const gchar *const keys[] = { "bankSlot", "bankd", NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_bank_slot(r, "bankSlot", &m->bank_slot, error) &&
	       rspro_pdu_json_read_ip_port(r, "bankd", &m->bankd, error);
}

static gboolean
rspro_pdu_json_read_set_atr_req(const RsproJsonReader *r, RsproSetAtrReq *m, GError **error)
{
	static const gchar *const keys[] = { "slot", "atr", NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_client_slot(r, "slot", &m->slot, error) &&
	       rspro_pdu_json_get_hex(r, "atr", &m->atr, error);
}

static gboolean
rspro_pdu_json_read_tpdu_m2c(const RsproJsonReader *r, RsproTpduModemToCard *m, GError **error)
{
	static const gchar *const keys[] = { "fromClientSlot", "toBankSlot", "flags", "data",
					     NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_client_slot(r, "fromClientSlot", &m->from_client_slot, error) &&
	       rspro_pdu_json_read_bank_slot(r, "toBankSlot", &m->to_bank_slot, error) &&
	       rspro_pdu_json_read_flags(r, &m->flags, error) &&
	       rspro_pdu_json_get_hex(r, "data", &m->data, error);
}

static gboolean
rspro_pdu_json_read_tpdu_c2m(const RsproJsonReader *r, RsproTpduCardToModem *m, GError **error)
{
	static const gchar *const keys[] = { "fromBankSlot", "toClientSlot", "flags", "data",
					     NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_bank_slot(r, "fromBankSlot", &m->from_bank_slot, error) &&
	       rspro_pdu_json_read_client_slot(r, "toClientSlot", &m->to_client_slot, error) &&
	       rspro_pdu_json_read_flags(r, &m->flags, error) &&
	       rspro_pdu_json_get_hex(r, "data", &m->data, error);
}

static gboolean
rspro_pdu_json_read_client_status(const RsproJsonReader *r, RsproClientSlotStatusInd *m,
				  GError **error)
{
	static const gchar *const keys[] = { "fromClientSlot", "toBankSlot", "slotPhysStatus",
					     NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_client_slot(r, "fromClientSlot", &m->from_client_slot, error) &&
	       rspro_pdu_json_read_bank_slot(r, "toBankSlot", &m->to_bank_slot, error) &&
	       rspro_pdu_json_read_status(r, &m->status, error);
}

static gboolean
rspro_pdu_json_read_bank_status(const RsproJsonReader *r, RsproBankSlotStatusInd *m, GError **error)
{
	static const gchar *const keys[] = { "fromBankSlot", "toClientSlot", "slotPhysStatus",
					     NULL };

	return rspro_pdu_json_check_keys(r, keys, error) &&
	       rspro_pdu_json_read_bank_slot(r, "fromBankSlot", &m->from_bank_slot, error) &&
	       rspro_pdu_json_read_client_slot(r, "toClientSlot", &m->to_client_slot, error) &&
	       rspro_pdu_json_read_status(r, &m->status, error);
}

static gboolean
rspro_pdu_json_read_error_ind(const RsproJsonReader *r, RsproErrorInd *m, GError **error)
{
	static const gchar *const keys[] = { "sender",	   "severity",	  "code", "bankSlot",
					     "clientSlot", "errorString", NULL };
	gint sender = 0;

	if (!rspro_pdu_json_check_keys(r, keys, error) ||
	    !rspro_pdu_json_get_enum(r, "sender", rspro_component_type_names, FALSE, &sender,
				     error) ||
	    !rspro_pdu_json_get_enum(r, "severity", rspro_error_severity_names, TRUE, &m->severity,
				     error) ||
	    !rspro_pdu_json_get_enum(r, "code", rspro_error_code_names, TRUE, &m->code, error))
		return FALSE;
	m->sender = (RsproComponentType)sender;
	m->has_bank_slot = rspro_pdu_json_has_member(r, "bankSlot");
	if (m->has_bank_slot && !rspro_pdu_json_read_bank_slot(r, "bankSlot", &m->bank_slot, error))
		return FALSE;
	m->has_client_slot = rspro_pdu_json_has_member(r, "clientSlot");
	if (m->has_client_slot &&
	    !rspro_pdu_json_read_client_slot(r, "clientSlot", &m->client_slot, error))
		return FALSE;
	return rspro_pdu_json_get_string(r, "errorString", TRUE, &m->error_string, error);
}

static gboolean
rspro_pdu_json_read_message(const RsproJsonReader *r, RsproPdu *pdu, GError **error)
{
	static const gchar *const no_keys[] = { NULL };

	if (rspro_pdu_get_result(pdu))
		return rspro_pdu_json_read_result(r, rspro_pdu_get_result(pdu), error);
	if (rspro_pdu_get_connect_res(pdu))
		return rspro_pdu_json_read_connect_res(r, rspro_pdu_get_connect_res(pdu), error);
	if (rspro_pdu_get_mapping_req(pdu))
		return rspro_pdu_json_read_mapping_req(r, rspro_pdu_get_mapping_req(pdu), error);
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		return rspro_pdu_json_read_connect_bank_req(r, &pdu->u.connect_bank_req, error);
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		return rspro_pdu_json_read_connect_client_req(r, &pdu->u.connect_client_req, error);
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ: {
		static const gchar *const keys[] = { "clientSlot", NULL };

		return rspro_pdu_json_check_keys(r, keys, error) &&
		       rspro_pdu_json_read_client_slot(
			   r, "clientSlot", &pdu->u.config_client_id_req.client_slot, error);
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		return rspro_pdu_json_read_config_client_bank_req(r, &pdu->u.config_client_bank_req,
								  error);
	case RSPRO_MSG_SET_ATR_REQ:
		return rspro_pdu_json_read_set_atr_req(r, &pdu->u.set_atr_req, error);
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		return rspro_pdu_json_read_tpdu_m2c(r, &pdu->u.tpdu_modem_to_card, error);
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		return rspro_pdu_json_read_tpdu_c2m(r, &pdu->u.tpdu_card_to_modem, error);
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		return rspro_pdu_json_read_client_status(r, &pdu->u.client_slot_status_ind, error);
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		return rspro_pdu_json_read_bank_status(r, &pdu->u.bank_slot_status_ind, error);
	case RSPRO_MSG_ERROR_IND:
		return rspro_pdu_json_read_error_ind(r, &pdu->u.error_ind, error);
	default:
		/* resetStateReq */
		return rspro_pdu_json_check_keys(r, no_keys, error);
	}
}

/* "msg": {"<alternative>": {...}} */
static RsproPdu *
rspro_pdu_json_read_msg(const RsproJsonReader *top, GError **error)
{
	g_auto(RsproJsonReader) msg = { 0 };
	g_auto(RsproJsonReader) fields = { 0 };
	g_autoptr(GList) members = NULL;
	g_autoptr(RsproPdu) pdu = NULL;
	RsproMsgType type;
	const gchar *name;

	if (!rspro_pdu_json_get_object(top, "msg", FALSE, &msg, error))
		return NULL;
	members = json_object_get_members(msg.obj);
	if (g_list_length(members) != 1) {
		rspro_pdu_json_error(error, top, "msg", "expected exactly one message, found %u",
				     g_list_length(members));
		return NULL;
	}
	name = members->data;
	if (!rspro_msg_type_from_string(name, &type)) {
		rspro_pdu_json_error(error, &msg, name, "unknown message");
		return NULL;
	}
	pdu = rspro_pdu_new(type);
	if (!rspro_pdu_json_get_object(&msg, name, FALSE, &fields, error) ||
	    !rspro_pdu_json_read_message(&fields, pdu, error))
		return NULL;
	return g_steal_pointer(&pdu);
}

RsproPdu *
rspro_pdu_json_decode(JsonNode *node, GError **error)
{
	static const gchar *const keys[] = { "version", "tag", "msg", NULL };
	g_autoptr(RsproPdu) pdu = NULL;
	RsproJsonReader top = { NULL, "" };
	gint64 version;
	gint64 tag;

	g_return_val_if_fail(node != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON,
			    "a PDU must be a JSON object");
		return NULL;
	}
	top.obj = json_node_get_object(node);
	if (!rspro_pdu_json_check_keys(&top, keys, error) ||
	    !rspro_pdu_json_get_int(&top, "version", 0, RSPRO_VERSION_MAX, &version, error) ||
	    !rspro_pdu_json_get_int(&top, "tag", 0, RSPRO_TAG_MAX, &tag, error))
		return NULL;
	pdu = rspro_pdu_json_read_msg(&top, error);
	if (!pdu)
		return NULL;
	pdu->version = (guint)version;
	pdu->tag = (guint32)tag;
	/* names, strings and the ATR are checked here, with the field's path */
	if (!rspro_pdu_check_constraints(pdu, error))
		return NULL;
	return g_steal_pointer(&pdu);
}

RsproPdu *
rspro_pdu_json_decode_string(const gchar *json, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) local = NULL;
	JsonNode *root;

	g_return_val_if_fail(json != NULL, NULL);
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, json, -1, &local)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON, "invalid JSON: %s",
			    local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON, "empty JSON input");
		return NULL;
	}
	return rspro_pdu_json_decode(root, error);
}
