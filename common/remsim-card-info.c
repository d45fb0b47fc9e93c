/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "remsim-card-info.h"

G_DEFINE_BOXED_TYPE(RemsimCardInfo, remsim_card_info, remsim_card_info_copy, remsim_card_info_free)

RemsimCardInfo *
remsim_card_info_new(RemsimCardInfoState state)
{
	RemsimCardInfo *info = g_new0(RemsimCardInfo, 1);

	info->state = state;
	return info;
}

RemsimCardInfo *
remsim_card_info_copy(const RemsimCardInfo *info)
{
	RemsimCardInfo *copy = remsim_card_info_new(info->state);

	copy->type = g_strdup(info->type);
	copy->atr = info->atr != NULL ? g_bytes_ref(info->atr) : NULL;
	copy->iccid = g_strdup(info->iccid);
	copy->imsi = g_strdup(info->imsi);
	copy->msisdn = g_strdup(info->msisdn);
	copy->spn = g_strdup(info->spn);
	copy->pin1 = g_strdup(info->pin1);
	copy->error = g_strdup(info->error);
	copy->read_at = info->read_at;
	return copy;
}

void
remsim_card_info_free(RemsimCardInfo *info)
{
	if (info == NULL)
		return;
	g_free(info->type);
	g_clear_pointer(&info->atr, g_bytes_unref);
	g_free(info->iccid);
	g_free(info->imsi);
	g_free(info->msisdn);
	g_free(info->spn);
	g_free(info->pin1);
	g_free(info->error);
	g_free(info);
}

static const gchar *const remsim_card_info_states[] = { "empty", "read", "failed" };

const gchar *
remsim_card_info_state_to_string(RemsimCardInfoState state)
{
	return (guint)state < G_N_ELEMENTS(remsim_card_info_states) ? remsim_card_info_states[state]
								    : "empty";
}

gboolean
remsim_card_info_equal(const RemsimCardInfo *a, const RemsimCardInfo *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->state == b->state && g_strcmp0(a->type, b->type) == 0 &&
	       ((a->atr == NULL && b->atr == NULL) ||
		(a->atr != NULL && b->atr != NULL && g_bytes_equal(a->atr, b->atr))) &&
	       g_strcmp0(a->iccid, b->iccid) == 0 && g_strcmp0(a->imsi, b->imsi) == 0 &&
	       g_strcmp0(a->msisdn, b->msisdn) == 0 && g_strcmp0(a->spn, b->spn) == 0 &&
	       g_strcmp0(a->pin1, b->pin1) == 0 && g_strcmp0(a->error, b->error) == 0;
}

static void
remsim_card_info_set_string(JsonObject *o, const gchar *member, const gchar *value)
{
	if (value != NULL)
		json_object_set_string_member(o, member, value);
	else
		json_object_set_null_member(o, member);
}

JsonObject *
remsim_card_info_to_json(const RemsimCardInfo *info)
{
	JsonObject *o = json_object_new();
	g_autofree gchar *atr = NULL;

	if (info->atr != NULL && g_bytes_get_size(info->atr) > 0) {
		gsize len = 0;
		const guint8 *p = g_bytes_get_data(info->atr, &len);
		GString *hex = g_string_sized_new(len * 2);

		for (gsize i = 0; i < len; i++)
			g_string_append_printf(hex, "%02X", p[i]);
		atr = g_string_free(hex, FALSE);
	}
	json_object_set_string_member(o, "state", remsim_card_info_state_to_string(info->state));
	remsim_card_info_set_string(o, "type", info->type);
	remsim_card_info_set_string(o, "atr", atr);
	remsim_card_info_set_string(o, "iccid", info->iccid);
	remsim_card_info_set_string(o, "imsi", info->imsi);
	remsim_card_info_set_string(o, "msisdn", info->msisdn);
	remsim_card_info_set_string(o, "spn", info->spn);
	remsim_card_info_set_string(o, "pin1", info->pin1);
	remsim_card_info_set_string(o, "error", info->error);
	json_object_set_int_member(o, "read_at", info->read_at);
	return o;
}

/* a string member, NULL for null or missing; FALSE for another type */
static gboolean
remsim_card_info_get_string(JsonObject *o, const gchar *member, gchar **out, GError **error)
{
	JsonNode *node = json_object_get_member(o, member);

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "card member %s is not a string", member);
		return FALSE;
	}
	*out = g_strdup(json_node_get_string(node));
	return TRUE;
}

static GBytes *
remsim_card_info_parse_hex(const gchar *text)
{
	gsize len = strlen(text);
	g_autoptr(GByteArray) bytes = g_byte_array_sized_new(len / 2);

	if (len % 2 != 0)
		return NULL;
	for (gsize i = 0; i < len; i += 2) {
		gint hi = g_ascii_xdigit_value(text[i]);
		gint lo = g_ascii_xdigit_value(text[i + 1]);
		guint8 b;

		if (hi < 0 || lo < 0)
			return NULL;
		b = (guint8)(hi << 4 | lo);
		g_byte_array_append(bytes, &b, 1);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&bytes));
}

RemsimCardInfo *
remsim_card_info_from_json(JsonObject *object, GError **error)
{
	g_autoptr(RemsimCardInfo) info = remsim_card_info_new(REMSIM_CARD_INFO_EMPTY);
	const gchar *state = json_object_get_string_member_with_default(object, "state", "");
	g_autofree gchar *atr = NULL;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(remsim_card_info_states); i++)
		if (g_str_equal(state, remsim_card_info_states[i]))
			break;
	if (i == G_N_ELEMENTS(remsim_card_info_states)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown card state “%s”",
			    state);
		return NULL;
	}
	info->state = i;
	if (!remsim_card_info_get_string(object, "type", &info->type, error) ||
	    !remsim_card_info_get_string(object, "atr", &atr, error) ||
	    !remsim_card_info_get_string(object, "iccid", &info->iccid, error) ||
	    !remsim_card_info_get_string(object, "imsi", &info->imsi, error) ||
	    !remsim_card_info_get_string(object, "msisdn", &info->msisdn, error) ||
	    !remsim_card_info_get_string(object, "spn", &info->spn, error) ||
	    !remsim_card_info_get_string(object, "pin1", &info->pin1, error) ||
	    !remsim_card_info_get_string(object, "error", &info->error, error))
		return NULL;
	if (atr != NULL && (info->atr = remsim_card_info_parse_hex(atr)) == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "card ATR is not hex");
		return NULL;
	}
	info->read_at = json_object_get_int_member_with_default(object, "read_at", 0);
	return g_steal_pointer(&info);
}
