/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl help [COMMAND]: the commands, or one command's help */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-ctl.h"

static gboolean
remsim_ctl_help_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	if (!remsim_ctl_parse(ctl, &remsim_ctl_help_command, NULL, &argc, &argv, 0, 1, error))
		return FALSE;
	return remsim_ctl_print_help(ctl, argc == 2 ? argv[1] : NULL, error);
}

const RemsimCtlCommand remsim_ctl_help_command = {
	.name = "help",
	/* TRANSLATORS: the argument of "help" */
	.arguments = N_("[COMMAND]"),
	.summary = N_("Show the commands, or one command's options"),
	.description = NULL,
	.run = remsim_ctl_help_run,
};
