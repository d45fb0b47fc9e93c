/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl slot reset BANK:SLOT: one bank slot's operations */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static gboolean
remsim_ctl_slot_reset(RemsimCtl *ctl, const gchar *text, GError **error)
{
	RemsimCtlSource *source;
	RemsimCtlModelSlotKind kind;
	guint bank_id, slot;
	g_autoptr(JsonObject) after = NULL;
	g_autoptr(JsonObject) out = NULL;
	const gchar *atr;

	if (!remsim_ctl_model_parse_slot(text, &kind, &bank_id, &slot, error))
		return FALSE;
	if (kind == REMSIM_CTL_MODEL_SLOT_CLIENT) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("slot reset resets a card in a bank slot: give BANK:SLOT, as "
			      "remsim-ctl slots lists them"));
		return FALSE;
	}
	if ((source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (after = remsim_ctl_source_reset_slot(source, bank_id, slot, error)) == NULL)
		return FALSE;
	if (ctl->json) {
		out = json_object_new();
		json_object_set_object_member(out, "slot", g_steal_pointer(&after));
		remsim_ctl_output_json(out, FALSE);
		return TRUE;
	}
	atr = remsim_ctl_model_get_string(after, "atr");
	if (atr != NULL)
		/* TRANSLATORS: bank id:slot, the card's answer to reset in hex */
		printf(_("Reset the card in bank slot %u:%u; it answered with ATR %s.\n"), bank_id,
		       slot, atr);
	else
		/* TRANSLATORS: bank id:slot */
		printf(_("Reset the card in bank slot %u:%u.\n"), bank_id, slot);
	return TRUE;
}

static gboolean
remsim_ctl_slot_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	if (!remsim_ctl_parse(ctl, &remsim_ctl_slot_command, NULL, &argc, &argv, 2, 2, error))
		return FALSE;
	if (g_str_equal(argv[1], "reset"))
		return remsim_ctl_slot_reset(ctl, argv[2], error);
	g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
		    /* TRANSLATORS: %s: what was given after "slot" */
		    _("slot has no operation %s: remsim-ctl slot reset BANK:SLOT resets a card"),
		    argv[1]);
	return FALSE;
}

const RemsimCtlCommand remsim_ctl_slot_command = {
	.name = "slot",
	/* TRANSLATORS: the arguments of "slot"; "reset" is a keyword */
	.arguments = N_("reset BANK:SLOT"),
	.summary = N_("Reset the card in a bank slot (the bank's D-Bus only)"),
	.description = N_("Powers the card off and on again between the client's commands; the "
			  "client is not told. It asks the remsim-bankd of that bank on D-Bus, "
			  "so run it on the bank's machine; the REST API cannot do it."),
	.run = remsim_ctl_slot_run,
};
