/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl banks: the banks connected to the server */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static gboolean
remsim_ctl_banks_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonArray) banks = NULL;
	g_autoptr(RemsimCtlTable) table = NULL;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_banks_command, NULL, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (banks = remsim_ctl_source_list_banks(source, error)) == NULL)
		return FALSE;
	if (ctl->json) {
		remsim_ctl_print_list(banks, "banks");
		return TRUE;
	}
	if (json_array_get_length(banks) == 0) {
		printf("%s\n", _("No bank is connected to the server."));
		return TRUE;
	}
	table = remsim_ctl_table_new();
	remsim_ctl_table_add_column(table, _("BANK"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("SLOTS"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("NAME"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("SOFTWARE"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("ADDRESS"), REMSIM_CTL_COLUMN_TEXT);
	for (guint i = 0; i < json_array_get_length(banks); i++) {
		JsonObject *bank = json_array_get_object_element(banks, i);
		gchar **cells = g_new0(gchar *, 5);

		cells[0] = remsim_ctl_model_dup_int(bank, "bank_id");
		cells[1] = remsim_ctl_model_dup_int(bank, "slots");
		cells[2] = g_strdup(remsim_ctl_model_get_string(bank, "name"));
		cells[3] = remsim_ctl_model_dup_software(bank);
		cells[4] = g_strdup(remsim_ctl_model_get_string(bank, "address"));
		remsim_ctl_table_add_row_take(table, cells);
	}
	remsim_ctl_table_print(table, ctl->colour);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_banks_command = {
	.name = "banks",
	.arguments = "",
	.summary = N_("List the banks connected to the server"),
	.description = NULL,
	.run = remsim_ctl_banks_run,
};
