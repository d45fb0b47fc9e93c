/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl maps: the server's slot maps */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static gboolean
remsim_ctl_maps_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonArray) maps = NULL;
	g_autoptr(RemsimCtlTable) table = NULL;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_maps_command, NULL, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (maps = remsim_ctl_source_list_maps(source, error)) == NULL)
		return FALSE;
	if (ctl->json) {
		remsim_ctl_print_list(maps, "maps");
		return TRUE;
	}
	if (json_array_get_length(maps) == 0) {
		printf("%s\n", _("No slot maps."));
		return TRUE;
	}
	table = remsim_ctl_table_new();
	remsim_ctl_table_add_column(table, _("ID"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("CLIENT"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("BANK"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("STATE"), REMSIM_CTL_COLUMN_STATE);
	remsim_ctl_table_add_column(table, _("ERROR"), REMSIM_CTL_COLUMN_TEXT);
	for (guint i = 0; i < json_array_get_length(maps); i++) {
		JsonObject *map = json_array_get_object_element(maps, i);
		gchar **cells = g_new0(gchar *, 5);

		cells[0] = remsim_ctl_model_dup_int(map, "id");
		cells[1] = remsim_ctl_model_dup_pair(map, "client_id", "client_slot");
		cells[2] = remsim_ctl_model_dup_pair(map, "bank_id", "bank_slot");
		cells[3] = g_strdup(remsim_ctl_model_get_string(map, "state"));
		cells[4] = g_strdup(remsim_ctl_model_get_string(map, "error"));
		remsim_ctl_table_add_row_take(table, cells);
	}
	remsim_ctl_table_print(table, ctl->colour);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_maps_command = {
	.name = "maps",
	.arguments = "",
	.summary = N_("List the slot maps: which client slot uses which bank slot"),
	.description = NULL,
	.run = remsim_ctl_maps_run,
};
