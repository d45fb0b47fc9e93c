/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl unmap ID|CLIENT:SLOT|BANK:SLOT: delete a slot map */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

/* the map @text names: its id, or a client or bank slot it uses */
static JsonObject *
remsim_ctl_unmap_find(RemsimCtlSource *source, const gchar *text, GError **error)
{
	RemsimCtlModelSlotKind kind;
	guint id, slot;
	guint64 map_id;
	g_autoptr(JsonArray) maps = NULL;
	JsonObject *as_client = NULL, *as_bank = NULL;

	if (g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, &map_id, NULL))
		return remsim_ctl_source_find_map(source, (guint32)map_id, error);
	if (!remsim_ctl_model_parse_slot(text, &kind, &id, &slot, error) ||
	    (maps = remsim_ctl_source_list_maps(source, error)) == NULL)
		return NULL;
	if (kind != REMSIM_CTL_MODEL_SLOT_BANK)
		as_client = remsim_ctl_model_find(maps, "client_id", id, "client_slot", slot);
	if (kind != REMSIM_CTL_MODEL_SLOT_CLIENT)
		as_bank = remsim_ctl_model_find(maps, "bank_id", id, "bank_slot", slot);
	if (as_client != NULL && as_bank != NULL && as_client != as_bank) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: the slot as given (four times) */
			    _("%s is a client slot of one map and a bank slot of another: write "
			      "client:%s or bank:%s, or the map's id (remsim-ctl maps)"),
			    text, text, text);
		return NULL;
	}
	if (as_client == NULL && as_bank == NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND,
			    /* TRANSLATORS: %s: the slot as given */
			    _("no slot map uses %s: remsim-ctl maps lists them"), text);
		return NULL;
	}
	return json_object_ref(as_client != NULL ? as_client : as_bank);
}

static gboolean
remsim_ctl_unmap_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonObject) map = NULL;
	g_autoptr(JsonObject) out = NULL;
	g_autofree gchar *client = NULL, *bank = NULL;
	guint32 id;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_unmap_command, NULL, &argc, &argv, 1, 1, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (map = remsim_ctl_unmap_find(source, argv[1], error)) == NULL)
		return FALSE;
	id = (guint32)json_object_get_int_member(map, "id");
	if (!remsim_ctl_source_delete_map(source, id, error))
		return FALSE;
	if (ctl->json) {
		out = json_object_new();
		json_object_set_object_member(out, "map", g_steal_pointer(&map));
		remsim_ctl_output_json(out, FALSE);
		return TRUE;
	}
	client = remsim_ctl_model_dup_pair(map, "client_id", "client_slot");
	bank = remsim_ctl_model_dup_pair(map, "bank_id", "bank_slot");
	/* TRANSLATORS: the map's id, client id:slot, bank id:slot */
	printf(_("Deleted slot map %u: client slot %s no longer uses bank slot %s.\n"), id, client,
	       bank);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_unmap_command = {
	.name = "unmap",
	/* TRANSLATORS: the arguments of "unmap" */
	.arguments = N_("ID|CLIENT:SLOT|BANK:SLOT"),
	.summary = N_("Delete a slot map, named by its id or a slot it uses"),
	.description = N_("A bare N:M names the map that uses client slot N:M or bank slot N:M; "
			  "write client:N:M or bank:N:M when both exist. The bank drops the "
			  "client of that slot."),
	.run = remsim_ctl_unmap_run,
};
