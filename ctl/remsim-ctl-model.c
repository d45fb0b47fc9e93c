/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "remsim-ctl-error.h"
#include "remsim-ctl-model.h"

static void
remsim_ctl_model_set_string(JsonObject *object, const gchar *member, const gchar *value)
{
	/* the daemons say "" for a name nobody gave */
	if (value != NULL && *value != '\0')
		json_object_set_string_member(object, member, value);
	else
		json_object_set_null_member(object, member);
}

JsonObject *
remsim_ctl_model_bank_new(guint bank_id, guint slots, const gchar *address, const gchar *name,
			  const gchar *software, const gchar *software_version)
{
	JsonObject *bank = json_object_new();

	json_object_set_int_member(bank, "bank_id", bank_id);
	json_object_set_int_member(bank, "slots", slots);
	remsim_ctl_model_set_string(bank, "address", address);
	remsim_ctl_model_set_string(bank, "name", name);
	remsim_ctl_model_set_string(bank, "software", software);
	remsim_ctl_model_set_string(bank, "software_version", software_version);
	return bank;
}

JsonObject *
remsim_ctl_model_client_new(guint client_id, guint slot)
{
	JsonObject *client = json_object_new();

	json_object_set_int_member(client, "client_id", client_id);
	json_object_set_int_member(client, "slot", slot);
	remsim_ctl_model_client_set_server(client, NULL, NULL, NULL, NULL);
	remsim_ctl_model_client_set_local(client, NULL, NULL, 0, 0);
	return client;
}

void
remsim_ctl_model_client_set_server(JsonObject *client, const gchar *address, const gchar *name,
				   const gchar *software, const gchar *software_version)
{
	remsim_ctl_model_set_string(client, "address", address);
	remsim_ctl_model_set_string(client, "name", name);
	remsim_ctl_model_set_string(client, "software", software);
	remsim_ctl_model_set_string(client, "software_version", software_version);
}

void
remsim_ctl_model_client_set_local(JsonObject *client, const gchar *state, const gchar *frontend,
				  guint bank_id, guint bank_slot)
{
	remsim_ctl_model_set_string(client, "state", state);
	remsim_ctl_model_set_string(client, "frontend", frontend);
	if (bank_id != 0) {
		json_object_set_int_member(client, "bank_id", bank_id);
		json_object_set_int_member(client, "bank_slot", bank_slot);
	} else {
		json_object_set_null_member(client, "bank_id");
		json_object_set_null_member(client, "bank_slot");
	}
}

JsonObject *
remsim_ctl_model_map_new(guint bank_id, guint bank_slot, guint client_id, guint client_slot,
			 const gchar *state, const gchar *error)
{
	JsonObject *map = json_object_new();

	json_object_set_int_member(map, "id", REMSIM_CTL_MODEL_MAP_ID(bank_id, bank_slot));
	json_object_set_int_member(map, "bank_id", bank_id);
	json_object_set_int_member(map, "bank_slot", bank_slot);
	json_object_set_int_member(map, "client_id", client_id);
	json_object_set_int_member(map, "client_slot", client_slot);
	json_object_set_string_member(map, "state", state);
	remsim_ctl_model_set_string(map, "error", error != NULL && *error != '\0' ? error : NULL);
	return map;
}

JsonObject *
remsim_ctl_model_slot_new(guint bank_id, guint slot)
{
	JsonObject *object = json_object_new();
	static const gchar *const nullable[] = { "map_id",    "client_id", "client_slot",
						 "map_state", "state",	   "card_present",
						 "atr",	      "apdus",	   "errors" };

	json_object_set_int_member(object, "bank_id", bank_id);
	json_object_set_int_member(object, "slot", slot);
	for (guint i = 0; i < G_N_ELEMENTS(nullable); i++)
		json_object_set_null_member(object, nullable[i]);
	return object;
}

void
remsim_ctl_model_slot_set_map(JsonObject *slot, JsonObject *map)
{
	json_object_set_int_member(slot, "map_id", json_object_get_int_member(map, "id"));
	json_object_set_int_member(slot, "client_id", json_object_get_int_member(map, "client_id"));
	json_object_set_int_member(slot, "client_slot",
				   json_object_get_int_member(map, "client_slot"));
	json_object_set_string_member(slot, "map_state",
				      json_object_get_string_member(map, "state"));
}

void
remsim_ctl_model_slot_set_local(JsonObject *slot, const gchar *state, gboolean card_present,
				const gchar *atr, guint64 apdus, guint64 errors, gboolean mapped,
				guint client_id, guint client_slot)
{
	remsim_ctl_model_set_string(slot, "state", state);
	json_object_set_boolean_member(slot, "card_present", card_present);
	remsim_ctl_model_set_string(slot, "atr", atr);
	json_object_set_int_member(slot, "apdus", (gint64)apdus);
	json_object_set_int_member(slot, "errors", (gint64)errors);
	/* the bank's own view of its map, when the server is not there to tell */
	if (mapped && json_object_get_null_member(slot, "map_id")) {
		guint bank_id = (guint)json_object_get_int_member(slot, "bank_id");
		guint nr = (guint)json_object_get_int_member(slot, "slot");

		json_object_set_int_member(slot, "map_id", REMSIM_CTL_MODEL_MAP_ID(bank_id, nr));
		json_object_set_int_member(slot, "client_id", client_id);
		json_object_set_int_member(slot, "client_slot", client_slot);
	}
}

JsonArray *
remsim_ctl_model_slots_from(JsonArray *banks, JsonArray *maps, gint bank_id)
{
	JsonArray *slots = json_array_new();

	for (guint i = 0; i < json_array_get_length(banks); i++) {
		JsonObject *bank = json_array_get_object_element(banks, i);
		guint id = (guint)json_object_get_int_member(bank, "bank_id");
		guint n = (guint)json_object_get_int_member(bank, "slots");

		if (bank_id >= 0 && id != (guint)bank_id)
			continue;
		for (guint nr = 0; nr < n; nr++) {
			JsonObject *slot = remsim_ctl_model_slot_new(id, nr);

			for (guint m = 0; m < json_array_get_length(maps); m++) {
				JsonObject *map = json_array_get_object_element(maps, m);

				if (json_object_get_int_member(map, "id") ==
				    REMSIM_CTL_MODEL_MAP_ID(id, nr))
					remsim_ctl_model_slot_set_map(slot, map);
			}
			json_array_add_object_element(slots, slot);
		}
	}
	return slots;
}

JsonObject *
remsim_ctl_model_daemon_new(const gchar *daemon, gboolean reachable, const gchar *via,
			    const gchar *address, const gchar *version)
{
	JsonObject *object = json_object_new();

	json_object_set_string_member(object, "daemon", daemon);
	json_object_set_boolean_member(object, "reachable", reachable);
	json_object_set_string_member(object, "via", via);
	json_object_set_string_member(object, "address", address);
	remsim_ctl_model_set_string(object, "version", version);
	return object;
}

JsonObject *
remsim_ctl_model_link_new(const gchar *daemon, const gchar *from, const gchar *to,
			  const gchar *state, const gchar *address)
{
	JsonObject *link = json_object_new();

	json_object_set_string_member(link, "daemon", daemon);
	json_object_set_string_member(link, "from", from);
	json_object_set_string_member(link, "to", to);
	json_object_set_string_member(link, "state", state);
	remsim_ctl_model_set_string(link, "address", address);
	return link;
}

void
remsim_ctl_model_add_server_links(JsonArray *links, JsonArray *banks, JsonArray *clients)
{
	g_autoptr(JsonArray) sorted_banks = remsim_ctl_model_sort(banks, "bank_id", NULL);
	g_autoptr(JsonArray) sorted_clients = remsim_ctl_model_sort(clients, "client_id", "slot");

	for (guint i = 0; i < json_array_get_length(sorted_banks); i++) {
		JsonObject *bank = json_array_get_object_element(sorted_banks, i);
		g_autofree gchar *from = g_strdup_printf(
		    "bank:%" G_GINT64_FORMAT, json_object_get_int_member(bank, "bank_id"));

		json_array_add_object_element(
		    links, remsim_ctl_model_link_new("remsim-server", from, "server", "connected",
						     remsim_ctl_model_get_string(bank, "address")));
	}
	for (guint i = 0; i < json_array_get_length(sorted_clients); i++) {
		JsonObject *client = json_array_get_object_element(sorted_clients, i);
		g_autofree gchar *from =
		    g_strdup_printf("client:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
				    json_object_get_int_member(client, "client_id"),
				    json_object_get_int_member(client, "slot"));

		json_array_add_object_element(
		    links,
		    remsim_ctl_model_link_new("remsim-server", from, "server", "connected",
					      remsim_ctl_model_get_string(client, "address")));
	}
}

JsonObject *
remsim_ctl_model_event_new(const gchar *event, const gchar *kind, JsonObject *object)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *time = g_date_time_format_iso8601(now);
	JsonObject *e = json_object_new();

	json_object_set_string_member(e, "time", time);
	json_object_set_string_member(e, "event", event);
	json_object_set_object_member(e, kind, object);
	return e;
}

const gchar *
remsim_ctl_model_get_string(JsonObject *object, const gchar *member)
{
	JsonNode *node = json_object_get_member(object, member);

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return NULL;
	return json_node_get_string(node);
}

gchar *
remsim_ctl_model_dup_int(JsonObject *object, const gchar *member)
{
	JsonNode *node = json_object_get_member(object, member);

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return NULL;
	return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node));
}

gchar *
remsim_ctl_model_dup_pair(JsonObject *object, const gchar *first, const gchar *second)
{
	JsonNode *node = json_object_get_member(object, first);

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return NULL;
	return g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, json_node_get_int(node),
			       json_object_get_int_member(object, second));
}

gchar *
remsim_ctl_model_dup_software(JsonObject *object)
{
	const gchar *software = remsim_ctl_model_get_string(object, "software");
	const gchar *version = remsim_ctl_model_get_string(object, "software_version");

	if (software == NULL)
		return NULL;
	return version != NULL ? g_strconcat(software, " ", version, NULL) : g_strdup(software);
}

gchar *
remsim_ctl_model_hex(const guint8 *bytes, gsize len)
{
	GString *hex;

	if (len == 0)
		return NULL;
	hex = g_string_sized_new(len * 2);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(hex, "%02X", bytes[i]);
	return g_string_free(hex, FALSE);
}

JsonObject *
remsim_ctl_model_find(JsonArray *array, const gchar *first, gint64 a, const gchar *second, gint64 b)
{
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonObject *object = json_array_get_object_element(array, i);

		if (json_object_get_int_member(object, first) == a &&
		    (second == NULL || json_object_get_int_member(object, second) == b))
			return object;
	}
	return NULL;
}

typedef struct {
	const gchar *first;
	const gchar *second;
} RemsimCtlModelSortKeys;

static gint
remsim_ctl_model_compare(gconstpointer pa, gconstpointer pb, gpointer data)
{
	const RemsimCtlModelSortKeys *keys = data;
	JsonObject *a = json_node_get_object(*(JsonNode *const *)pa);
	JsonObject *b = json_node_get_object(*(JsonNode *const *)pb);
	gint64 x = json_object_get_int_member(a, keys->first);
	gint64 y = json_object_get_int_member(b, keys->first);

	if (x == y && keys->second != NULL) {
		x = json_object_get_int_member(a, keys->second);
		y = json_object_get_int_member(b, keys->second);
	}
	return x < y ? -1 : x > y;
}

JsonArray *
remsim_ctl_model_sort(JsonArray *array, const gchar *first, const gchar *second)
{
	RemsimCtlModelSortKeys keys = { first, second };
	g_autoptr(GPtrArray) nodes = g_ptr_array_new();
	JsonArray *sorted = json_array_new();

	for (guint i = 0; i < json_array_get_length(array); i++)
		g_ptr_array_add(nodes, json_array_get_element(array, i));
	g_ptr_array_sort_with_data(nodes, remsim_ctl_model_compare, &keys);
	for (guint i = 0; i < nodes->len; i++)
		json_array_add_element(sorted, json_node_copy(nodes->pdata[i]));
	return sorted;
}

gboolean
remsim_ctl_model_equal(JsonObject *a, JsonObject *b)
{
	return json_object_equal(a, b);
}

static gboolean
remsim_ctl_model_parse_number(const gchar *text, guint max, guint *value)
{
	guint64 v = 0;

	if (!g_ascii_string_to_unsigned(text, 10, 0, max, &v, NULL))
		return FALSE;
	*value = (guint)v;
	return TRUE;
}

gboolean
remsim_ctl_model_parse_slot(const gchar *text, RemsimCtlModelSlotKind *kind, guint *id, guint *slot,
			    GError **error)
{
	const gchar *rest = text;
	g_auto(GStrv) parts = NULL;

	*kind = REMSIM_CTL_MODEL_SLOT_ANY;
	if (g_str_has_prefix(text, "client:")) {
		*kind = REMSIM_CTL_MODEL_SLOT_CLIENT;
		rest = text + strlen("client:");
	} else if (g_str_has_prefix(text, "bank:")) {
		*kind = REMSIM_CTL_MODEL_SLOT_BANK;
		rest = text + strlen("bank:");
	}
	parts = g_strsplit(rest, ":", -1);
	if (g_strv_length(parts) != 2 ||
	    !remsim_ctl_model_parse_number(parts[0], REMSIM_CTL_MODEL_ID_MAX, id) ||
	    !remsim_ctl_model_parse_number(parts[1], REMSIM_CTL_MODEL_ID_MAX, slot)) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: %s: what was given, %d: the largest id */
			    _("%s is not a slot: write ID:SLOT, e.g. 1:0 (each 0..%d), or "
			      "client:ID:SLOT or bank:ID:SLOT to say which"),
			    text, REMSIM_CTL_MODEL_ID_MAX);
		return FALSE;
	}
	return TRUE;
}

gboolean
remsim_ctl_model_parse_bank(const gchar *text, guint *bank_id, GError **error)
{
	if (remsim_ctl_model_parse_number(text, REMSIM_CTL_MODEL_ID_MAX, bank_id))
		return TRUE;
	g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
		    /* TRANSLATORS: %s: what was given, %d: the largest bank id */
		    _("%s is not a bank id: give a number 0..%d, as remsim-ctl banks lists them"),
		    text, REMSIM_CTL_MODEL_ID_MAX);
	return FALSE;
}

JsonObject *
remsim_ctl_model_card_new(guint bank_id, guint slot, const gchar *state, const gchar *type,
			  const gchar *iccid, const gchar *imsi, const gchar *msisdn,
			  const gchar *spn, const gchar *pin1, gboolean stale)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "bank_id", bank_id);
	json_object_set_int_member(o, "slot", slot);
	remsim_ctl_model_set_string(o, "state", state);
	remsim_ctl_model_set_string(o, "type", type);
	remsim_ctl_model_set_string(o, "iccid", iccid);
	remsim_ctl_model_set_string(o, "imsi", imsi);
	remsim_ctl_model_set_string(o, "msisdn", msisdn);
	remsim_ctl_model_set_string(o, "spn", spn);
	remsim_ctl_model_set_string(o, "pin1", pin1);
	json_object_set_boolean_member(o, "stale", stale);
	json_object_set_null_member(o, "client_id");
	json_object_set_null_member(o, "client_slot");
	return o;
}

void
remsim_ctl_model_card_set_client(JsonObject *card, guint client_id, guint client_slot)
{
	json_object_set_int_member(card, "client_id", client_id);
	json_object_set_int_member(card, "client_slot", client_slot);
}
