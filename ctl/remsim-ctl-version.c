/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl version: remsim-ctl's version and those of the daemons that answer */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl.h"

static gboolean
remsim_ctl_version_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	g_autoptr(JsonObject) status = NULL;
	g_autoptr(JsonObject) out = json_object_new();
	JsonArray *daemons = json_array_new();

	if (!remsim_ctl_parse(ctl, &remsim_ctl_version_command, NULL, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL) {
		json_array_unref(daemons);
		return FALSE;
	}
	/* a daemon that does not answer has no version: that is no failure here */
	status = remsim_ctl_source_get_status(source, NULL);
	if (status != NULL) {
		JsonArray *all = json_object_get_array_member(status, "daemons");

		for (guint i = 0; i < json_array_get_length(all); i++) {
			JsonObject *d = json_array_get_object_element(all, i);

			if (json_object_get_boolean_member(d, "reachable"))
				json_array_add_object_element(daemons, json_object_ref(d));
		}
	}
	json_object_set_string_member(out, "version", PACKAGE_VERSION);
	json_object_set_array_member(out, "daemons", daemons);
	if (ctl->json) {
		remsim_ctl_output_json(out, FALSE);
		return TRUE;
	}
	printf("remsim-ctl %s\n", PACKAGE_VERSION);
	for (guint i = 0; i < json_array_get_length(daemons); i++) {
		JsonObject *d = json_array_get_object_element(daemons, i);
		const gchar *version = remsim_ctl_model_get_string(d, "version");

		printf("%s %s\n", json_object_get_string_member(d, "daemon"),
		       /* TRANSLATORS: the version of a daemon that does not say it */
		       version != NULL ? version : _("(version unknown)"));
	}
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_version_command = {
	.name = "version",
	.arguments = "",
	.summary = N_("Show the versions of remsim-ctl and of the daemons that answer"),
	.description = NULL,
	.run = remsim_ctl_version_run,
};
