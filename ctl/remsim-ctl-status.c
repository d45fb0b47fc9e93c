/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl status: which daemons answer, their versions, and the links between them */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

/* where a daemon was asked, as people read it */
static const gchar *
remsim_ctl_status_via(JsonObject *daemon)
{
	const gchar *via = json_object_get_string_member(daemon, "via");

	if (g_str_equal(via, "system-bus"))
		return _("system bus");
	if (g_str_equal(via, "session-bus"))
		return _("session bus");
	return json_object_get_string_member(daemon, "address");
}

static void
remsim_ctl_status_print(RemsimCtl *ctl, JsonObject *status)
{
	JsonArray *daemons = json_object_get_array_member(status, "daemons");
	JsonArray *links = json_object_get_array_member(status, "links");
	g_autoptr(RemsimCtlTable) table = remsim_ctl_table_new();

	remsim_ctl_table_add_column(table, _("DAEMON"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("STATE"), REMSIM_CTL_COLUMN_STATE);
	remsim_ctl_table_add_column(table, _("VERSION"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("ASKED ON"), REMSIM_CTL_COLUMN_TEXT);
	for (guint i = 0; i < json_array_get_length(daemons); i++) {
		JsonObject *d = json_array_get_object_element(daemons, i);

		remsim_ctl_table_add_row(
		    table, json_object_get_string_member(d, "daemon"),
		    json_object_get_boolean_member(d, "reachable") ? "running" : "unreachable",
		    remsim_ctl_model_get_string(d, "version"), remsim_ctl_status_via(d));
	}
	remsim_ctl_table_print(table, ctl->colour);
	if (json_array_get_length(links) == 0) {
		printf("\n%s\n", _("No links: no bank or client is connected."));
		return;
	}
	g_clear_pointer(&table, remsim_ctl_table_free);
	table = remsim_ctl_table_new();
	remsim_ctl_table_add_column(table, _("FROM"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("TO"), REMSIM_CTL_COLUMN_TEXT);
	remsim_ctl_table_add_column(table, _("STATE"), REMSIM_CTL_COLUMN_STATE);
	remsim_ctl_table_add_column(table, _("ADDRESS"), REMSIM_CTL_COLUMN_TEXT);
	/* TRANSLATORS: the daemon that reports a link */
	remsim_ctl_table_add_column(table, _("SEEN BY"), REMSIM_CTL_COLUMN_TEXT);
	for (guint i = 0; i < json_array_get_length(links); i++) {
		JsonObject *l = json_array_get_object_element(links, i);

		remsim_ctl_table_add_row(table, json_object_get_string_member(l, "from"),
					 json_object_get_string_member(l, "to"),
					 json_object_get_string_member(l, "state"),
					 remsim_ctl_model_get_string(l, "address"),
					 json_object_get_string_member(l, "daemon"));
	}
	fputc('\n', stdout);
	remsim_ctl_table_print(table, ctl->colour);
}

static gboolean
remsim_ctl_status_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonObject) status = NULL;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_status_command, NULL, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL ||
	    (status = remsim_ctl_source_get_status(source, error)) == NULL)
		return FALSE;
	if (ctl->json)
		remsim_ctl_output_json(status, FALSE);
	else
		remsim_ctl_status_print(ctl, status);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_status_command = {
	.name = "status",
	.arguments = "",
	.summary = N_("Show which daemons answer, their versions, and their links"),
	.description = N_("On D-Bus: remsim-server, remsim-bankd and remsim-client on the bus, "
			  "and the links each reports. With --server: the server, and the "
			  "banks and clients connected to it."),
	.run = remsim_ctl_status_run,
};
