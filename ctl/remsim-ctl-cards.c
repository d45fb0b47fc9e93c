/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl cards [--iccid PREFIX] [--imsi PREFIX]: the cards the banks read */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static void
remsim_ctl_cards_print(RemsimCtl *ctl, JsonArray *cards)
{
	g_autoptr(RemsimCtlTable) table = remsim_ctl_table_new();

	remsim_ctl_table_add_column(table, _("SLOT"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("ICCID"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("IMSI"), REMSIM_CTL_COLUMN_TEXT);
	/* TRANSLATORS: the service provider name read from the card */
	remsim_ctl_table_add_column(table, _("SPN"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("PIN1"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("CLIENT"), REMSIM_CTL_COLUMN_TEXT);
	/* TRANSLATORS: the card's inventory: read, failed, empty; "(stale)" when remembered */
	remsim_ctl_table_add_column(table, _("CARD"), REMSIM_CTL_COLUMN_STATE);
	for (guint i = 0; i < json_array_get_length(cards); i++) {
		JsonObject *card = json_array_get_object_element(cards, i);
		gchar **cells = g_new0(gchar *, 8);
		const gchar *state = remsim_ctl_model_get_string(card, "state");

		cells[0] = remsim_ctl_model_dup_pair(card, "bank_id", "slot");
		cells[1] = g_strdup(remsim_ctl_model_get_string(card, "iccid"));
		cells[2] = g_strdup(remsim_ctl_model_get_string(card, "imsi"));
		cells[3] = g_strdup(remsim_ctl_model_get_string(card, "spn"));
		cells[4] = g_strdup(remsim_ctl_model_get_string(card, "pin1"));
		cells[5] = remsim_ctl_model_dup_pair(card, "client_id", "client_slot");
		cells[6] = json_object_get_boolean_member(card, "stale")
			       /* TRANSLATORS: a card's state the server only remembers */
			       ? g_strdup_printf(_("%s (stale)"), state)
			       : g_strdup(state);
		remsim_ctl_table_add_row_take(table, cells);
	}
	remsim_ctl_table_print(table, ctl->colour);
}

static gboolean
remsim_ctl_cards_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	g_autofree gchar *iccid = NULL, *imsi = NULL;
	const GOptionEntry entries[] = {
		{ "iccid", 0, 0, G_OPTION_ARG_STRING, &iccid,
		  N_("Only the cards whose ICCID starts so"), N_("PREFIX") },
		{ "imsi", 0, 0, G_OPTION_ARG_STRING, &imsi,
		  N_("Only the cards whose IMSI starts so"), N_("PREFIX") },
		G_OPTION_ENTRY_NULL,
	};
	RemsimCtlSource *source;
	g_autoptr(JsonArray) cards = NULL;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_cards_command, entries, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (cards = remsim_ctl_source_list_cards(source, iccid, imsi, error)) == NULL)
		return FALSE;
	if (ctl->json)
		remsim_ctl_print_list(cards, "cards");
	else if (json_array_get_length(cards) == 0)
		printf("%s\n", _("No card: no remsim bank has reported one (upstream banks do "
				 "not), or none matches."));
	else
		remsim_ctl_cards_print(ctl, cards);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_cards_command = {
	.name = "cards",
	/* TRANSLATORS: the arguments of "cards" */
	.arguments = N_("[--iccid PREFIX] [--imsi PREFIX]"),
	.summary = N_("List the cards the banks read: ICCID, IMSI, SPN, and who uses them"),
	.description = N_("remsim-bankd reads each card no client holds; the server keeps what "
			  "its banks report. IMSI shows where PIN1 is disabled or configured "
			  "(inventory-pin1). A stale card is one the server remembers while its "
			  "bank is away."),
	.run = remsim_ctl_cards_run,
};
