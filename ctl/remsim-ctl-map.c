/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl map CLIENT:SLOT BANK:SLOT: a client slot uses a bank slot's card */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static gboolean remsim_ctl_map_show(RemsimCtl *ctl, RemsimCtlSource *source, guint client_id,
				    guint client_slot, guint bank_id, guint bank_slot);

static gboolean
remsim_ctl_map_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	RemsimCtlModelSlotKind client_kind, bank_kind;
	guint client_id, client_slot, bank_id, bank_slot;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_map_command, NULL, &argc, &argv, 2, 2, error) ||
	    !remsim_ctl_model_parse_slot(argv[1], &client_kind, &client_id, &client_slot, error))
		return FALSE;
	/* the card by its ICCID: the server finds its bank slot */
	if (g_str_has_prefix(argv[2], "iccid:")) {
		if (client_kind == REMSIM_CTL_MODEL_SLOT_BANK) {
			g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
				    _("the client slot comes first: remsim-ctl map CLIENT:SLOT "
				      "iccid:ICCID"));
			return FALSE;
		}
		if ((source = remsim_ctl_get_source(ctl, error)) == NULL ||
		    !remsim_ctl_source_create_map_by_iccid(
			source, client_id, client_slot, argv[2] + 6, &bank_id, &bank_slot, error))
			return FALSE;
		return remsim_ctl_map_show(ctl, source, client_id, client_slot, bank_id, bank_slot);
	}
	if (!remsim_ctl_model_parse_slot(argv[2], &bank_kind, &bank_id, &bank_slot, error))
		return FALSE;
	if (client_kind == REMSIM_CTL_MODEL_SLOT_BANK ||
	    bank_kind == REMSIM_CTL_MODEL_SLOT_CLIENT) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("the client slot comes first, then the bank slot: remsim-ctl map "
			      "CLIENT:SLOT BANK:SLOT"));
		return FALSE;
	}
	if ((source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    !remsim_ctl_source_create_map(source, client_id, client_slot, bank_id, bank_slot,
					  error))
		return FALSE;
	return remsim_ctl_map_show(ctl, source, client_id, client_slot, bank_id, bank_slot);
}

static gboolean
remsim_ctl_map_show(RemsimCtl *ctl, RemsimCtlSource *source, guint client_id, guint client_slot,
		    guint bank_id, guint bank_slot)
{
	g_autoptr(JsonObject) map = NULL;
	g_autoptr(JsonObject) out = NULL;

	/* the map as the server has it now; it may be gone already if someone reset */
	map = remsim_ctl_source_find_map(source, REMSIM_CTL_MODEL_MAP_ID(bank_id, bank_slot), NULL);
	if (map == NULL)
		map = remsim_ctl_model_map_new(bank_id, bank_slot, client_id, client_slot, "new",
					       NULL);
	if (ctl->json) {
		out = json_object_new();
		json_object_set_object_member(out, "map", json_object_ref(map));
		remsim_ctl_output_json(out, FALSE);
		return TRUE;
	}
	/* TRANSLATORS: client id:slot, bank id:slot, the map's id, its state (translated) */
	printf(_("Client slot %u:%u now uses bank slot %u:%u (slot map %u, %s).\n"), client_id,
	       client_slot, bank_id, bank_slot, REMSIM_CTL_MODEL_MAP_ID(bank_id, bank_slot),
	       remsim_ctl_output_state_label(json_object_get_string_member(map, "state")));
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_map_command = {
	.name = "map",
	/* TRANSLATORS: the arguments of "map" */
	.arguments = N_("CLIENT:SLOT BANK:SLOT|iccid:ICCID"),
	.summary = N_("Give a client slot the card in a bank slot"),
	.description = N_("For example remsim-ctl map 23:0 1:7 makes client 23's slot 0 use "
			  "bank 1's slot 7; remsim-ctl map 23:0 iccid:8900101000000000019 gives it "
			  "the card with that ICCID, wherever a remsim bank found it. The server "
			  "keeps the map on disk and tells the bank as soon as it is connected."),
	.run = remsim_ctl_map_run,
};
