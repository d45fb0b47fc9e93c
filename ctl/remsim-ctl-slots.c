/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl slots [BANK]: the bank slots, their maps, and what the local bank daemon adds */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static const gchar *
remsim_ctl_slots_card(JsonObject *slot)
{
	JsonNode *node = json_object_get_member(slot, "card_present");

	if (JSON_NODE_HOLDS_NULL(node))
		return NULL;
	return json_node_get_boolean(node) ? "yes" : "no";
}

static void
remsim_ctl_slots_print(RemsimCtl *ctl, JsonArray *slots)
{
	g_autoptr(RemsimCtlTable) table = remsim_ctl_table_new();

	remsim_ctl_table_add_column(table, _("SLOT"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("CLIENT"), REMSIM_CTL_COLUMN_TEXT);
	/* TRANSLATORS: the state of the slot's map on the server */
	remsim_ctl_table_add_column(table, _("MAP"), REMSIM_CTL_COLUMN_STATE);
	/* TRANSLATORS: the state of the slot in the bank */
	remsim_ctl_table_add_column(table, _("STATE"), REMSIM_CTL_COLUMN_STATE);
	remsim_ctl_table_add_column(table, _("CARD"), REMSIM_CTL_COLUMN_STATE);
	remsim_ctl_table_add_column(table, _("APDUS"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("ERRORS"), REMSIM_CTL_COLUMN_TEXT);
	for (guint i = 0; i < json_array_get_length(slots); i++) {
		JsonObject *slot = json_array_get_object_element(slots, i);
		gchar **cells = g_new0(gchar *, 7);

		cells[0] = remsim_ctl_model_dup_pair(slot, "bank_id", "slot");
		cells[1] = remsim_ctl_model_dup_pair(slot, "client_id", "client_slot");
		cells[2] = g_strdup(remsim_ctl_model_get_string(slot, "map_state"));
		cells[3] = g_strdup(remsim_ctl_model_get_string(slot, "state"));
		cells[4] = g_strdup(remsim_ctl_slots_card(slot));
		cells[5] = remsim_ctl_model_dup_int(slot, "apdus");
		cells[6] = remsim_ctl_model_dup_int(slot, "errors");
		remsim_ctl_table_add_row_take(table, cells);
	}
	remsim_ctl_table_print(table, ctl->colour);
}

static gboolean
remsim_ctl_slots_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonArray) slots = NULL;
	guint bank_id = 0;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_slots_command, NULL, &argc, &argv, 0, 1, error) ||
	    (argc == 2 && !remsim_ctl_model_parse_bank(argv[1], &bank_id, error)) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (slots = remsim_ctl_source_list_slots(source, argc == 2 ? (gint)bank_id : -1, error)) ==
		NULL)
		return FALSE;
	if (ctl->json)
		remsim_ctl_print_list(slots, "slots");
	else if (json_array_get_length(slots) == 0)
		printf("%s\n", _("No bank is connected, so there are no bank slots."));
	else
		remsim_ctl_slots_print(ctl, slots);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_slots_command = {
	.name = "slots",
	/* TRANSLATORS: the argument of "slots" */
	.arguments = N_("[BANK]"),
	.summary = N_("List the bank slots (of one bank), their maps and cards"),
	.description = N_("STATE, CARD, APDUS and ERRORS come from a remsim-bankd on the same "
			  "bus; they are unknown (-) over REST."),
	.run = remsim_ctl_slots_run,
};
