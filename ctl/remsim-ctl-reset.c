/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl reset: delete every slot map (the server's global reset), after asking */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "remsim-ctl.h"

/* asks on the terminal; TRUE if the person said yes (in their language) */
static gboolean
remsim_ctl_reset_confirm(guint n_maps)
{
	gchar answer[64] = { 0 };

	/* TRANSLATORS: a question; y/N: the answers, "no" the default (the locale's yes counts) */
	g_printerr(ngettext("Delete %u slot map? Its bank drops its client. [y/N] ",
			    "Delete all %u slot maps? Their banks drop their clients. [y/N] ",
			    n_maps),
		   n_maps);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return FALSE;
	g_strchomp(answer);
	/* the locale's yes ("y", "j" ...) */
	return rpmatch(answer) == 1;
}

static gboolean
remsim_ctl_reset_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	gboolean yes = FALSE;
	const GOptionEntry entries[] = {
		{ "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
		  N_("Do not ask: delete every slot map at once (for scripts)"), NULL },
		G_OPTION_ENTRY_NULL,
	};
	RemsimCtlSource *source;
	g_autoptr(JsonArray) maps = NULL;
	g_autoptr(JsonObject) out = NULL;
	guint n;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_reset_command, entries, &argc, &argv, 0, 0, error))
		return FALSE;
	if (!yes && !isatty(STDIN_FILENO)) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("reset deletes every slot map and asks first, but there is no "
			      "terminal to ask on: add --yes to delete them without asking"));
		return FALSE;
	}
	if ((source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (maps = remsim_ctl_source_list_maps(source, error)) == NULL)
		return FALSE;
	n = json_array_get_length(maps);
	if (!yes && n > 0 && !remsim_ctl_reset_confirm(n)) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_REFUSED,
			    _("not confirmed: nothing was deleted"));
		return FALSE;
	}
	if (!remsim_ctl_source_reset(source, error))
		return FALSE;
	if (ctl->json) {
		out = json_object_new();
		json_object_set_int_member(out, "removed", n);
		remsim_ctl_output_json(out, FALSE);
		return TRUE;
	}
	/* TRANSLATORS: %u: how many slot maps there were */
	printf(ngettext("Deleted %u slot map.\n", "Deleted %u slot maps.\n", n), n);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_reset_command = {
	.name = "reset",
	.arguments = "",
	.summary = N_("Delete every slot map (asks first unless --yes)"),
	.description = N_("The server's global reset: every bank drops every mapped client. "
			  "Without a terminal it needs --yes."),
	.run = remsim_ctl_reset_run,
};
