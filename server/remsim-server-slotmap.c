/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-server-slotmap.h"

G_DEFINE_BOXED_TYPE(RemsimServerSlotmap, remsim_server_slotmap, remsim_server_slotmap_ref,
		    remsim_server_slotmap_unref)

RemsimServerSlotmap *
remsim_server_slotmap_new(const RsproBankSlot *bank, const RsproClientSlot *client)
{
	RemsimServerSlotmap *map = g_rc_box_new0(RemsimServerSlotmap);

	map->bank = *bank;
	map->client = *client;
	map->state = REMSIM_SERVER_SLOTMAP_NEW;
	return map;
}

RemsimServerSlotmap *
remsim_server_slotmap_ref(RemsimServerSlotmap *map)
{
	return g_rc_box_acquire(map);
}

static void
remsim_server_slotmap_clear(gpointer data)
{
	RemsimServerSlotmap *map = data;

	g_free(map->json_text);
}

void
remsim_server_slotmap_unref(RemsimServerSlotmap *map)
{
	g_rc_box_release_full(map, remsim_server_slotmap_clear);
}

guint32
remsim_server_slotmap_bank_key(const RsproBankSlot *bank)
{
	return ((guint32)bank->bank_id << 16) | bank->slot_nr;
}

guint32
remsim_server_slotmap_client_key(const RsproClientSlot *client)
{
	return ((guint32)client->client_id << 16) | client->slot_nr;
}

guint32
remsim_server_slotmap_get_id(const RemsimServerSlotmap *map)
{
	return remsim_server_slotmap_bank_key(&map->bank);
}

const gchar *
remsim_server_slotmap_state_to_string(RemsimServerSlotmapState state)
{
	switch (state) {
	case REMSIM_SERVER_SLOTMAP_NEW:
		return "NEW";
	case REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED:
		return "UNACKNOWLEDGED";
	case REMSIM_SERVER_SLOTMAP_ACTIVE:
		return "ACTIVE";
	case REMSIM_SERVER_SLOTMAP_DELETE_REQ:
		return "DELETE_REQ";
	case REMSIM_SERVER_SLOTMAP_DELETING:
		return "DELETING";
	case REMSIM_SERVER_SLOTMAP_ERROR:
		return "ERROR";
	}
	return "UNKNOWN";
}

gchar *
remsim_server_slotmap_dup_error_name(const RemsimServerSlotmap *map)
{
	const gchar *name;

	if (map->state != REMSIM_SERVER_SLOTMAP_ERROR)
		return NULL;
	name = rspro_enum_result_code_to_string(map->error_result);
	return name ? g_strdup(name) : g_strdup_printf("%d", map->error_result);
}

JsonNode *
remsim_server_slotmap_to_json(const RemsimServerSlotmap *map)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "bank");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "bankId");
	json_builder_add_int_value(b, map->bank.bank_id);
	json_builder_set_member_name(b, "slotNr");
	json_builder_add_int_value(b, map->bank.slot_nr);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "client");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "clientId");
	json_builder_add_int_value(b, map->client.client_id);
	json_builder_set_member_name(b, "slotNr");
	json_builder_add_int_value(b, map->client.slot_nr);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, remsim_server_slotmap_state_to_string(map->state));
	if (map->state == REMSIM_SERVER_SLOTMAP_ERROR) {
		g_autofree gchar *name = remsim_server_slotmap_dup_error_name(map);

		json_builder_set_member_name(b, "error");
		json_builder_add_string_value(b, name);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

const gchar *
remsim_server_slotmap_to_json_text(RemsimServerSlotmap *map)
{
	if (map->json_text == NULL || map->json_state != map->state ||
	    map->json_error_result != map->error_result) {
		g_autofree gchar *error = remsim_server_slotmap_dup_error_name(map);

		/* what json-glib writes for remsim_server_slotmap_to_json(), a tenth of the
		 * time: numbers, and names that need no escaping */
		g_free(map->json_text);
		map->json_text = g_strdup_printf(
		    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,"
		    "\"slotNr\":%u},\"state\":\"%s\"%s%s%s}",
		    map->bank.bank_id, map->bank.slot_nr, map->client.client_id,
		    map->client.slot_nr, remsim_server_slotmap_state_to_string(map->state),
		    error != NULL ? ",\"error\":\"" : "", error != NULL ? error : "",
		    error != NULL ? "\"" : "");
		map->json_state = map->state;
		map->json_error_result = map->error_result;
	}
	return map->json_text;
}
