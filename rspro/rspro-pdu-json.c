/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproPdu <-> JSON in the shape of the test vectors: ASN.1 field names,
 * enumerations by their ASN.1 names, OCTET STRINGs as lowercase hex, optional
 * fields absent when not present.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

/* ---- to JSON ---- */

static JsonNode *
object_node(JsonObject *obj)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	json_node_take_object(node, obj);
	return node;
}

static void
set_hex(JsonObject *o, const gchar *key, const guint8 *data, gsize len)
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
set_bytes(JsonObject *o, const gchar *key, GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

	set_hex(o, key, data, len);
}

/* unknown values of the extensible enumerations stay numbers */
static void
set_enum(JsonObject *o, const gchar *key, const RsproEnumName *table, gint value)
{
	const gchar *name = rspro_enum_to_string(table, value);

	if (name)
		json_object_set_string_member(o, key, name);
	else
		json_object_set_int_member(o, key, value);
}

static void
set_opt_string(JsonObject *o, const gchar *key, const gchar *value)
{
	if (value)
		json_object_set_string_member(o, key, value);
}

static JsonObject *
identity_json(const RsproComponentIdentity *id)
{
	JsonObject *o = json_object_new();

	set_enum(o, "type", rspro_component_type_names, id->type);
	json_object_set_string_member(o, "name", id->name ? id->name : "");
	json_object_set_string_member(o, "software", id->software ? id->software : "");
	json_object_set_string_member(o, "swVersion", id->sw_version ? id->sw_version : "");
	set_opt_string(o, "hwManufacturer", id->hw_manufacturer);
	set_opt_string(o, "hwModel", id->hw_model);
	set_opt_string(o, "hwSerialNr", id->hw_serial_nr);
	set_opt_string(o, "hwVersion", id->hw_version);
	set_opt_string(o, "fwVersion", id->fw_version);
	return o;
}

static JsonObject *
client_slot_json(const RsproClientSlot *s)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "clientId", s->client_id);
	json_object_set_int_member(o, "slotNr", s->slot_nr);
	return o;
}

static JsonObject *
bank_slot_json(const RsproBankSlot *s)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "bankId", s->bank_id);
	json_object_set_int_member(o, "slotNr", s->slot_nr);
	return o;
}

static JsonObject *
ip_port_json(const RsproIpPort *ip)
{
	JsonObject *o = json_object_new();
	JsonObject *addr = json_object_new();

	if (ip->is_ipv6)
		set_hex(addr, "ipv6", ip->addr, 16);
	else
		set_hex(addr, "ipv4", ip->addr, 4);
	json_object_set_object_member(o, "ip", addr);
	json_object_set_int_member(o, "port", ip->port);
	return o;
}

static JsonObject *
flags_json(const RsproTpduFlags *f)
{
	JsonObject *o = json_object_new();

	json_object_set_boolean_member(o, "tpduHeaderPresent", f->tpdu_header_present);
	json_object_set_boolean_member(o, "finalPart", f->final_part);
	json_object_set_boolean_member(o, "procByteContinueTx", f->proc_byte_continue_tx);
	json_object_set_boolean_member(o, "procByteContinueRx", f->proc_byte_continue_rx);
	return o;
}

static JsonObject *
status_json(const RsproSlotPhysStatus *s)
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
connect_bank_req_json(JsonObject *o, const RsproConnectBankReq *r)
{
	json_object_set_object_member(o, "identity", identity_json(&r->identity));
	json_object_set_int_member(o, "bankId", r->bank_id);
	json_object_set_int_member(o, "numberOfSlots", r->number_of_slots);
	if (r->has_bound)
		json_object_set_object_member(o, "bound", ip_port_json(&r->bound));
}

static void
connect_client_req_json(JsonObject *o, const RsproConnectClientReq *r)
{
	json_object_set_object_member(o, "identity", identity_json(&r->identity));
	if (r->has_client_slot)
		json_object_set_object_member(o, "clientSlot", client_slot_json(&r->client_slot));
}

static void
error_ind_json(JsonObject *o, const RsproErrorInd *e)
{
	set_enum(o, "sender", rspro_component_type_names, e->sender);
	set_enum(o, "severity", rspro_error_severity_names, e->severity);
	set_enum(o, "code", rspro_error_code_names, e->code);
	if (e->has_bank_slot)
		json_object_set_object_member(o, "bankSlot", bank_slot_json(&e->bank_slot));
	if (e->has_client_slot)
		json_object_set_object_member(o, "clientSlot", client_slot_json(&e->client_slot));
	set_opt_string(o, "errorString", e->error_string);
}

static void
slots_json(JsonObject *o, const gchar *from_key, JsonObject *from, const gchar *to_key,
	   JsonObject *to)
{
	json_object_set_object_member(o, from_key, from);
	json_object_set_object_member(o, to_key, to);
}

static void
message_json(JsonObject *o, const RsproPdu *pdu)
{
	const RsproConnectRes *cres = rspro_pdu_get_connect_res(pdu);
	const RsproMappingReq *map = rspro_pdu_get_mapping_req(pdu);
	const RsproResult *res = rspro_pdu_get_result(pdu);
	const RsproTpduModemToCard *m2c = &pdu->u.tpdu_modem_to_card;
	const RsproTpduCardToModem *c2m = &pdu->u.tpdu_card_to_modem;
	const RsproClientSlotStatusInd *csi = &pdu->u.client_slot_status_ind;
	const RsproBankSlotStatusInd *bsi = &pdu->u.bank_slot_status_ind;

	if (res) {
		set_enum(o, "result", rspro_result_code_names, res->result);
		return;
	}
	if (cres) {
		json_object_set_object_member(o, "identity", identity_json(&cres->identity));
		set_enum(o, "result", rspro_result_code_names, cres->result);
		return;
	}
	if (map) {
		slots_json(o, "client", client_slot_json(&map->client), "bank",
			   bank_slot_json(&map->bank));
		return;
	}
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		connect_bank_req_json(o, &pdu->u.connect_bank_req);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		connect_client_req_json(o, &pdu->u.connect_client_req);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		json_object_set_object_member(
		    o, "clientSlot", client_slot_json(&pdu->u.config_client_id_req.client_slot));
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		json_object_set_object_member(
		    o, "bankSlot", bank_slot_json(&pdu->u.config_client_bank_req.bank_slot));
		json_object_set_object_member(o, "bankd",
					      ip_port_json(&pdu->u.config_client_bank_req.bankd));
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		json_object_set_object_member(o, "slot",
					      client_slot_json(&pdu->u.set_atr_req.slot));
		set_bytes(o, "atr", pdu->u.set_atr_req.atr);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		slots_json(o, "fromClientSlot", client_slot_json(&m2c->from_client_slot),
			   "toBankSlot", bank_slot_json(&m2c->to_bank_slot));
		json_object_set_object_member(o, "flags", flags_json(&m2c->flags));
		set_bytes(o, "data", m2c->data);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		slots_json(o, "fromBankSlot", bank_slot_json(&c2m->from_bank_slot), "toClientSlot",
			   client_slot_json(&c2m->to_client_slot));
		json_object_set_object_member(o, "flags", flags_json(&c2m->flags));
		set_bytes(o, "data", c2m->data);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		slots_json(o, "fromClientSlot", client_slot_json(&csi->from_client_slot),
			   "toBankSlot", bank_slot_json(&csi->to_bank_slot));
		json_object_set_object_member(o, "slotPhysStatus", status_json(&csi->status));
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		slots_json(o, "fromBankSlot", bank_slot_json(&bsi->from_bank_slot), "toClientSlot",
			   client_slot_json(&bsi->to_client_slot));
		json_object_set_object_member(o, "slotPhysStatus", status_json(&bsi->status));
		break;
	case RSPRO_MSG_ERROR_IND:
		error_ind_json(o, &pdu->u.error_ind);
		break;
	default:
		/* resetStateReq: no fields */
		break;
	}
}

JsonNode *
rspro_pdu_to_json(const RsproPdu *pdu)
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
	message_json(fields, pdu);
	json_object_set_object_member(msg, name, fields);
	json_object_set_object_member(top, "msg", msg);
	return object_node(top);
}

gchar *
rspro_pdu_to_json_string(const RsproPdu *pdu)
{
	g_autoptr(JsonNode) node = NULL;

	g_return_val_if_fail(pdu != NULL, NULL);
	node = rspro_pdu_to_json(pdu);
	if (!node)
		return NULL;
	return json_to_string(node, FALSE);
}

/* ---- from JSON ---- */

/* one JSON object being read, and where it sits ("msg.setAtrReq.slot") */
typedef struct {
	JsonObject *obj;
	const gchar *path;
} Reader;

static gchar *
join_path(const gchar *path, const gchar *key)
{
	return path && *path ? g_strconcat(path, ".", key, NULL) : g_strdup(key);
}

G_GNUC_PRINTF(4, 5)
static gboolean
json_error(GError **error, const Reader *r, const gchar *key, const gchar *format, ...)
{
	g_autofree gchar *path = join_path(r->path, key);
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
check_keys(const Reader *r, const gchar *const *allowed, GError **error)
{
	g_autoptr(GList) members = json_object_get_members(r->obj);

	for (GList *l = members; l; l = l->next) {
		if (!g_strv_contains(allowed, l->data))
			return json_error(error, r, l->data, _("unknown field"));
	}
	return TRUE;
}

/* the member @key, or NULL; missing members are an error unless @optional */
static gboolean
get_node(const Reader *r, const gchar *key, gboolean optional, JsonNode **node, GError **error)
{
	*node = json_object_get_member(r->obj, key);
	if (*node || optional)
		return TRUE;
	return json_error(error, r, key, _("missing field"));
}

static gboolean
get_int(const Reader *r, const gchar *key, gint64 min, gint64 max, gint64 *out, GError **error)
{
	JsonNode *node;
	gint64 value;

	if (!get_node(r, key, FALSE, &node, error))
		return FALSE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
		return json_error(error, r, key, _("expected an integer"));
	value = json_node_get_int(node);
	if (value < min || value > max)
		return json_error(error, r, key, _("%lld is outside %lld..%lld"), (long long)value,
				  (long long)min, (long long)max);
	*out = value;
	return TRUE;
}

static gboolean
get_u16(const Reader *r, const gchar *key, gint64 max, guint16 *out, GError **error)
{
	gint64 value;

	if (!get_int(r, key, 0, max, &value, error))
		return FALSE;
	*out = (guint16)value;
	return TRUE;
}

static gboolean
get_bool(const Reader *r, const gchar *key, gboolean optional, gboolean *has, gboolean *out,
	 GError **error)
{
	JsonNode *node;

	if (!get_node(r, key, optional, &node, error))
		return FALSE;
	if (has)
		*has = node != NULL;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
		return json_error(error, r, key, _("expected true or false"));
	*out = json_node_get_boolean(node);
	return TRUE;
}

/* a string member; *out stays NULL when an optional one is absent */
static gboolean
get_string(const Reader *r, const gchar *key, gboolean optional, gchar **out, GError **error)
{
	JsonNode *node;

	if (!get_node(r, key, optional, &node, error))
		return FALSE;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return json_error(error, r, key, _("expected a string"));
	*out = g_strdup(json_node_get_string(node));
	return TRUE;
}

static gint
hex_digit(gchar c)
{
	return g_ascii_xdigit_value(c);
}

static gboolean
get_hex(const Reader *r, const gchar *key, GBytes **out, GError **error)
{
	g_autofree gchar *hex = NULL;
	gsize len;
	guint8 *buf;

	if (!get_string(r, key, FALSE, &hex, error))
		return FALSE;
	len = strlen(hex);
	if (len % 2)
		return json_error(error, r, key, _("odd number of hex digits"));
	buf = g_malloc(len / 2 + 1);
	for (gsize i = 0; i < len / 2; i++) {
		gint hi = hex_digit(hex[2 * i]);
		gint lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			g_free(buf);
			return json_error(error, r, key, _("not a hex string"));
		}
		buf[i] = (guint8)(hi << 4 | lo);
	}
	*out = g_bytes_new_take(buf, len / 2);
	return TRUE;
}

/* a name of @table, or for an extensible enumeration also any integer */
static gboolean
get_enum(const Reader *r, const gchar *key, const RsproEnumName *table, gboolean extensible,
	 gint *out, GError **error)
{
	JsonNode *node;

	if (!get_node(r, key, FALSE, &node, error))
		return FALSE;
	if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING) {
		if (rspro_enum_from_string(table, json_node_get_string(node), out))
			return TRUE;
		return json_error(error, r, key, _("unknown value \"%s\""),
				  json_node_get_string(node));
	}
	if (extensible) {
		gint64 value;

		if (!get_int(r, key, G_MININT, G_MAXINT, &value, error))
			return FALSE;
		*out = (gint)value;
		return TRUE;
	}
	return json_error(error, r, key, _("expected one of the value names"));
}

/* the object member @key as a Reader whose path the caller frees */
static gboolean
get_object(const Reader *r, const gchar *key, gboolean optional, Reader *sub, GError **error)
{
	JsonNode *node;

	sub->obj = NULL;
	sub->path = NULL;
	if (!get_node(r, key, optional, &node, error))
		return FALSE;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(node))
		return json_error(error, r, key, _("expected an object"));
	sub->obj = json_node_get_object(node);
	sub->path = join_path(r->path, key);
	return TRUE;
}

static void
reader_clear(Reader *r)
{
	g_free((gchar *)r->path);
	r->path = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Reader, reader_clear)

static gboolean
read_client_slot(const Reader *r, const gchar *key, RsproClientSlot *s, GError **error)
{
	static const gchar *const keys[] = { "clientId", "slotNr", NULL };
	g_auto(Reader) sub = { 0 };

	return get_object(r, key, FALSE, &sub, error) && check_keys(&sub, keys, error) &&
	       get_u16(&sub, "clientId", RSPRO_ID_MAX, &s->client_id, error) &&
	       get_u16(&sub, "slotNr", RSPRO_ID_MAX, &s->slot_nr, error);
}

static gboolean
read_bank_slot(const Reader *r, const gchar *key, RsproBankSlot *s, GError **error)
{
	static const gchar *const keys[] = { "bankId", "slotNr", NULL };
	g_auto(Reader) sub = { 0 };

	return get_object(r, key, FALSE, &sub, error) && check_keys(&sub, keys, error) &&
	       get_u16(&sub, "bankId", RSPRO_ID_MAX, &s->bank_id, error) &&
	       get_u16(&sub, "slotNr", RSPRO_ID_MAX, &s->slot_nr, error);
}

/* an optional ClientSlot/BankSlot: is it there? */
static gboolean
has_member(const Reader *r, const gchar *key)
{
	return json_object_has_member(r->obj, key);
}

static gboolean
read_ip_address(const Reader *r, RsproIpPort *ip, GError **error)
{
	static const gchar *const keys[] = { "ipv4", "ipv6", NULL };
	g_auto(Reader) sub = { 0 };
	g_autoptr(GBytes) addr = NULL;
	const gchar *which;
	gsize want;

	if (!get_object(r, "ip", FALSE, &sub, error) || !check_keys(&sub, keys, error))
		return FALSE;
	if (json_object_get_size(sub.obj) != 1)
		return json_error(error, r, "ip", _("expected exactly one of ipv4 and ipv6"));
	ip->is_ipv6 = json_object_has_member(sub.obj, "ipv6");
	which = ip->is_ipv6 ? "ipv6" : "ipv4";
	want = ip->is_ipv6 ? 16 : 4;
	if (!get_hex(&sub, which, &addr, error))
		return FALSE;
	if (g_bytes_get_size(addr) != want)
		return json_error(error, &sub, which, _("%zu bytes instead of %zu"),
				  g_bytes_get_size(addr), want);
	memcpy(ip->addr, g_bytes_get_data(addr, NULL), want);
	return TRUE;
}

static gboolean
read_ip_port(const Reader *r, const gchar *key, RsproIpPort *ip, GError **error)
{
	static const gchar *const keys[] = { "ip", "port", NULL };
	g_auto(Reader) sub = { 0 };

	memset(ip, 0, sizeof(*ip));
	return get_object(r, key, FALSE, &sub, error) && check_keys(&sub, keys, error) &&
	       read_ip_address(&sub, ip, error) &&
	       get_u16(&sub, "port", G_MAXUINT16, &ip->port, error);
}

static gboolean
read_identity(const Reader *r, RsproComponentIdentity *id, GError **error)
{
	static const gchar *const keys[] = { "type",	       "name",	  "software",	"swVersion",
					     "hwManufacturer", "hwModel", "hwSerialNr", "hwVersion",
					     "fwVersion",      NULL };
	g_auto(Reader) sub = { 0 };
	gint type = 0;

	if (!get_object(r, "identity", FALSE, &sub, error) || !check_keys(&sub, keys, error) ||
	    !get_enum(&sub, "type", rspro_component_type_names, FALSE, &type, error))
		return FALSE;
	id->type = (RsproComponentType)type;
	return get_string(&sub, "name", FALSE, &id->name, error) &&
	       get_string(&sub, "software", FALSE, &id->software, error) &&
	       get_string(&sub, "swVersion", FALSE, &id->sw_version, error) &&
	       get_string(&sub, "hwManufacturer", TRUE, &id->hw_manufacturer, error) &&
	       get_string(&sub, "hwModel", TRUE, &id->hw_model, error) &&
	       get_string(&sub, "hwSerialNr", TRUE, &id->hw_serial_nr, error) &&
	       get_string(&sub, "hwVersion", TRUE, &id->hw_version, error) &&
	       get_string(&sub, "fwVersion", TRUE, &id->fw_version, error);
}

static gboolean
read_flags(const Reader *r, RsproTpduFlags *f, GError **error)
{
	static const gchar *const keys[] = { "tpduHeaderPresent", "finalPart", "procByteContinueTx",
					     "procByteContinueRx", NULL };
	g_auto(Reader) sub = { 0 };

	return get_object(r, "flags", FALSE, &sub, error) && check_keys(&sub, keys, error) &&
	       get_bool(&sub, "tpduHeaderPresent", FALSE, NULL, &f->tpdu_header_present, error) &&
	       get_bool(&sub, "finalPart", FALSE, NULL, &f->final_part, error) &&
	       get_bool(&sub, "procByteContinueTx", FALSE, NULL, &f->proc_byte_continue_tx,
			error) &&
	       get_bool(&sub, "procByteContinueRx", FALSE, NULL, &f->proc_byte_continue_rx, error);
}

static gboolean
read_status(const Reader *r, RsproSlotPhysStatus *s, GError **error)
{
	static const gchar *const keys[] = { "resetActive", "vccPresent", "clkActive",
					     "cardPresent", NULL };
	g_auto(Reader) sub = { 0 };

	return get_object(r, "slotPhysStatus", FALSE, &sub, error) &&
	       check_keys(&sub, keys, error) &&
	       get_bool(&sub, "resetActive", FALSE, NULL, &s->reset_active, error) &&
	       get_bool(&sub, "vccPresent", TRUE, &s->has_vcc_present, &s->vcc_present, error) &&
	       get_bool(&sub, "clkActive", TRUE, &s->has_clk_active, &s->clk_active, error) &&
	       get_bool(&sub, "cardPresent", TRUE, &s->has_card_present, &s->card_present, error);
}

static gboolean
read_connect_bank_req(const Reader *r, RsproConnectBankReq *m, GError **error)
{
	static const gchar *const keys[] = { "identity", "bankId", "numberOfSlots", "bound", NULL };

	if (!check_keys(r, keys, error) || !read_identity(r, &m->identity, error) ||
	    !get_u16(r, "bankId", RSPRO_ID_MAX, &m->bank_id, error) ||
	    !get_u16(r, "numberOfSlots", RSPRO_ID_MAX, &m->number_of_slots, error))
		return FALSE;
	m->has_bound = has_member(r, "bound");
	return !m->has_bound || read_ip_port(r, "bound", &m->bound, error);
}

static gboolean
read_connect_res(const Reader *r, RsproConnectRes *m, GError **error)
{
	static const gchar *const keys[] = { "identity", "result", NULL };

	return check_keys(r, keys, error) && read_identity(r, &m->identity, error) &&
	       get_enum(r, "result", rspro_result_code_names, TRUE, &m->result, error);
}

static gboolean
read_connect_client_req(const Reader *r, RsproConnectClientReq *m, GError **error)
{
	static const gchar *const keys[] = { "identity", "clientSlot", NULL };

	if (!check_keys(r, keys, error) || !read_identity(r, &m->identity, error))
		return FALSE;
	m->has_client_slot = has_member(r, "clientSlot");
	return !m->has_client_slot || read_client_slot(r, "clientSlot", &m->client_slot, error);
}

static gboolean
read_mapping_req(const Reader *r, RsproMappingReq *m, GError **error)
{
	static const gchar *const keys[] = { "client", "bank", NULL };

	return check_keys(r, keys, error) && read_client_slot(r, "client", &m->client, error) &&
	       read_bank_slot(r, "bank", &m->bank, error);
}

static gboolean
read_result(const Reader *r, RsproResult *m, GError **error)
{
	static const gchar *const keys[] = { "result", NULL };

	return check_keys(r, keys, error) &&
	       get_enum(r, "result", rspro_result_code_names, TRUE, &m->result, error);
}

static gboolean
read_config_client_bank_req(const Reader *r, RsproConfigClientBankReq *m, GError **error)
{
	static const gchar *const keys[] = { "bankSlot", "bankd", NULL };

	return check_keys(r, keys, error) && read_bank_slot(r, "bankSlot", &m->bank_slot, error) &&
	       read_ip_port(r, "bankd", &m->bankd, error);
}

static gboolean
read_set_atr_req(const Reader *r, RsproSetAtrReq *m, GError **error)
{
	static const gchar *const keys[] = { "slot", "atr", NULL };

	return check_keys(r, keys, error) && read_client_slot(r, "slot", &m->slot, error) &&
	       get_hex(r, "atr", &m->atr, error);
}

static gboolean
read_tpdu_m2c(const Reader *r, RsproTpduModemToCard *m, GError **error)
{
	static const gchar *const keys[] = { "fromClientSlot", "toBankSlot", "flags", "data",
					     NULL };

	return check_keys(r, keys, error) &&
	       read_client_slot(r, "fromClientSlot", &m->from_client_slot, error) &&
	       read_bank_slot(r, "toBankSlot", &m->to_bank_slot, error) &&
	       read_flags(r, &m->flags, error) && get_hex(r, "data", &m->data, error);
}

static gboolean
read_tpdu_c2m(const Reader *r, RsproTpduCardToModem *m, GError **error)
{
	static const gchar *const keys[] = { "fromBankSlot", "toClientSlot", "flags", "data",
					     NULL };

	return check_keys(r, keys, error) &&
	       read_bank_slot(r, "fromBankSlot", &m->from_bank_slot, error) &&
	       read_client_slot(r, "toClientSlot", &m->to_client_slot, error) &&
	       read_flags(r, &m->flags, error) && get_hex(r, "data", &m->data, error);
}

static gboolean
read_client_status(const Reader *r, RsproClientSlotStatusInd *m, GError **error)
{
	static const gchar *const keys[] = { "fromClientSlot", "toBankSlot", "slotPhysStatus",
					     NULL };

	return check_keys(r, keys, error) &&
	       read_client_slot(r, "fromClientSlot", &m->from_client_slot, error) &&
	       read_bank_slot(r, "toBankSlot", &m->to_bank_slot, error) &&
	       read_status(r, &m->status, error);
}

static gboolean
read_bank_status(const Reader *r, RsproBankSlotStatusInd *m, GError **error)
{
	static const gchar *const keys[] = { "fromBankSlot", "toClientSlot", "slotPhysStatus",
					     NULL };

	return check_keys(r, keys, error) &&
	       read_bank_slot(r, "fromBankSlot", &m->from_bank_slot, error) &&
	       read_client_slot(r, "toClientSlot", &m->to_client_slot, error) &&
	       read_status(r, &m->status, error);
}

static gboolean
read_error_ind(const Reader *r, RsproErrorInd *m, GError **error)
{
	static const gchar *const keys[] = { "sender",	   "severity",	  "code", "bankSlot",
					     "clientSlot", "errorString", NULL };
	gint sender = 0;

	if (!check_keys(r, keys, error) ||
	    !get_enum(r, "sender", rspro_component_type_names, FALSE, &sender, error) ||
	    !get_enum(r, "severity", rspro_error_severity_names, TRUE, &m->severity, error) ||
	    !get_enum(r, "code", rspro_error_code_names, TRUE, &m->code, error))
		return FALSE;
	m->sender = (RsproComponentType)sender;
	m->has_bank_slot = has_member(r, "bankSlot");
	if (m->has_bank_slot && !read_bank_slot(r, "bankSlot", &m->bank_slot, error))
		return FALSE;
	m->has_client_slot = has_member(r, "clientSlot");
	if (m->has_client_slot && !read_client_slot(r, "clientSlot", &m->client_slot, error))
		return FALSE;
	return get_string(r, "errorString", TRUE, &m->error_string, error);
}

static gboolean
read_message(const Reader *r, RsproPdu *pdu, GError **error)
{
	static const gchar *const no_keys[] = { NULL };

	if (rspro_pdu_get_result(pdu))
		return read_result(r, rspro_pdu_get_result(pdu), error);
	if (rspro_pdu_get_connect_res(pdu))
		return read_connect_res(r, rspro_pdu_get_connect_res(pdu), error);
	if (rspro_pdu_get_mapping_req(pdu))
		return read_mapping_req(r, rspro_pdu_get_mapping_req(pdu), error);
	switch (pdu->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		return read_connect_bank_req(r, &pdu->u.connect_bank_req, error);
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		return read_connect_client_req(r, &pdu->u.connect_client_req, error);
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ: {
		static const gchar *const keys[] = { "clientSlot", NULL };

		return check_keys(r, keys, error) &&
		       read_client_slot(r, "clientSlot", &pdu->u.config_client_id_req.client_slot,
					error);
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		return read_config_client_bank_req(r, &pdu->u.config_client_bank_req, error);
	case RSPRO_MSG_SET_ATR_REQ:
		return read_set_atr_req(r, &pdu->u.set_atr_req, error);
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		return read_tpdu_m2c(r, &pdu->u.tpdu_modem_to_card, error);
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		return read_tpdu_c2m(r, &pdu->u.tpdu_card_to_modem, error);
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		return read_client_status(r, &pdu->u.client_slot_status_ind, error);
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		return read_bank_status(r, &pdu->u.bank_slot_status_ind, error);
	case RSPRO_MSG_ERROR_IND:
		return read_error_ind(r, &pdu->u.error_ind, error);
	default:
		/* resetStateReq */
		return check_keys(r, no_keys, error);
	}
}

/* "msg": {"<alternative>": {...}} */
static RsproPdu *
read_msg(const Reader *top, GError **error)
{
	g_auto(Reader) msg = { 0 };
	g_auto(Reader) fields = { 0 };
	g_autoptr(GList) members = NULL;
	g_autoptr(RsproPdu) pdu = NULL;
	RsproMsgType type;
	const gchar *name;

	if (!get_object(top, "msg", FALSE, &msg, error))
		return NULL;
	members = json_object_get_members(msg.obj);
	if (g_list_length(members) != 1) {
		json_error(error, top, "msg", _("expected exactly one message, found %u"),
			   g_list_length(members));
		return NULL;
	}
	name = members->data;
	if (!rspro_msg_type_from_string(name, &type)) {
		json_error(error, &msg, name, _("unknown message"));
		return NULL;
	}
	pdu = rspro_pdu_new(type);
	if (!get_object(&msg, name, FALSE, &fields, error) || !read_message(&fields, pdu, error))
		return NULL;
	return g_steal_pointer(&pdu);
}

RsproPdu *
rspro_pdu_from_json(JsonNode *node, GError **error)
{
	static const gchar *const keys[] = { "version", "tag", "msg", NULL };
	g_autoptr(RsproPdu) pdu = NULL;
	Reader top = { NULL, "" };
	gint64 version;
	gint64 tag;

	g_return_val_if_fail(node != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON,
			    _("a PDU must be a JSON object"));
		return NULL;
	}
	top.obj = json_node_get_object(node);
	if (!check_keys(&top, keys, error) ||
	    !get_int(&top, "version", 0, RSPRO_VERSION_MAX, &version, error) ||
	    !get_int(&top, "tag", 0, RSPRO_TAG_MAX, &tag, error))
		return NULL;
	pdu = read_msg(&top, error);
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
rspro_pdu_from_json_string(const gchar *json, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) local = NULL;
	JsonNode *root;

	g_return_val_if_fail(json != NULL, NULL);
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, json, -1, &local)) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON, _("invalid JSON: %s"),
			    local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root) {
		g_set_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_JSON, _("empty JSON input"));
		return NULL;
	}
	return rspro_pdu_from_json(root, error);
}
