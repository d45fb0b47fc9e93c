/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl clients: the client slots the server knows, and those of the local remsim-client */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static gboolean
remsim_ctl_clients_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonArray) clients = NULL;
	g_autoptr(RemsimCtlTable) table = NULL;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_clients_command, NULL, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (clients = remsim_ctl_source_list_clients(source, error)) == NULL)
		return FALSE;
	if (ctl->json) {
		remsim_ctl_print_list(clients, "clients");
		return TRUE;
	}
	if (json_array_get_length(clients) == 0) {
		printf("%s\n", _("No client is connected."));
		return TRUE;
	}
	table = remsim_ctl_table_new();
	remsim_ctl_table_add_column(table, _("CLIENT"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("NAME"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("SOFTWARE"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("ADDRESS"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("STATE"), REMSIM_CTL_COLUMN_STATE);
	remsim_ctl_table_add_column(table, _("FRONT END"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("BANK"), REMSIM_CTL_COLUMN_TEXT);
	for (guint i = 0; i < json_array_get_length(clients); i++) {
		JsonObject *client = json_array_get_object_element(clients, i);
		gchar **cells = g_new0(gchar *, 7);

		cells[0] = remsim_ctl_model_dup_pair(client, "client_id", "slot");
		cells[1] = g_strdup(remsim_ctl_model_get_string(client, "name"));
		cells[2] = remsim_ctl_model_dup_software(client);
		cells[3] = g_strdup(remsim_ctl_model_get_string(client, "address"));
		cells[4] = g_strdup(remsim_ctl_model_get_string(client, "state"));
		cells[5] = g_strdup(remsim_ctl_model_get_string(client, "frontend"));
		cells[6] = remsim_ctl_model_dup_pair(client, "bank_id", "bank_slot");
		remsim_ctl_table_add_row_take(table, cells);
	}
	remsim_ctl_table_print(table, ctl->colour);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_clients_command = {
	.name = "clients",
	.arguments = "",
	.summary = N_("List the client slots: the server's, and the local remsim-client's"),
	.description = N_("STATE, FRONT END and BANK come from a remsim-client on the same bus; "
			  "they are unknown (-) over REST."),
	.run = remsim_ctl_clients_run,
};
