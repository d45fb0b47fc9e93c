/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl-dbus.h"
#include "remsim-ctl-rest.h"
#include "remsim-ctl.h"
#include "remsim-i18n.h"

/*
 * The commands, in the order --help lists them. A new command is a file
 * remsim-ctl-<name>.c, its extern in remsim-ctl.h and a row here.
 */
static const RemsimCtlCommand *const remsim_ctl_commands[] = {
	&remsim_ctl_status_command, &remsim_ctl_banks_command,	 &remsim_ctl_slots_command,
	&remsim_ctl_cards_command,  &remsim_ctl_clients_command, &remsim_ctl_maps_command,
	&remsim_ctl_map_command,    &remsim_ctl_unmap_command,	 &remsim_ctl_reset_command,
	&remsim_ctl_slot_command,   &remsim_ctl_watch_command,	 &remsim_ctl_version_command,
	&remsim_ctl_help_command,
};

/* a command's synopsis: its name and its (translated) arguments */
static gchar *
remsim_ctl_synopsis(const RemsimCtlCommand *command)
{
	/* _("") would be the catalogue's header */
	if (*command->arguments == '\0')
		return g_strdup(command->name);
	return g_strconcat(command->name, " ", _(command->arguments), NULL);
}

static const RemsimCtlCommand *
remsim_ctl_find_command(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(remsim_ctl_commands); i++)
		if (g_str_equal(remsim_ctl_commands[i]->name, name))
			return remsim_ctl_commands[i];
	return NULL;
}

/* the options every command takes, before or after its name, shown with its own */
static void
remsim_ctl_add_global_entries(GOptionContext *context, RemsimCtl *ctl)
{
	const GOptionEntry entries[] = {
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &ctl->json,
		  N_("Print JSON for scripts (its shape is in remsim-ctl(1))"), NULL },
		{ "session", 0, 0, G_OPTION_ARG_NONE, &ctl->session,
		  N_("Talk to the daemons on the session bus, not the system bus"), NULL },
		{ "server", 's', 0, G_OPTION_ARG_STRING, &ctl->server,
		  N_("Talk to the remsim-server at URL over REST (e.g. http://host:9997), not "
		     "D-Bus"),
		  /* TRANSLATORS: the value of --server */
		  N_("URL") },
		{ "token", 0, 0, G_OPTION_ARG_STRING, &ctl->token,
		  N_("Send TOKEN to the server's REST API (other users may see it in the process "
		     "list: prefer --token-file or REMSIM_TOKEN)"),
		  /* TRANSLATORS: the value of --token */
		  N_("TOKEN") },
		{ "token-file", 0, 0, G_OPTION_ARG_FILENAME, &ctl->token_file,
		  N_("Send the token on the first line of FILE to the server's REST API"),
		  /* TRANSLATORS: the value of --token-file */
		  N_("FILE") },
		{ "ca", 0, 0, G_OPTION_ARG_FILENAME, &ctl->ca_file,
		  N_("Trust the certificates in FILE (PEM) for an https:// server, not the "
		     "system's"),
		  /* TRANSLATORS: the value of --ca */
		  N_("FILE") },
		G_OPTION_ENTRY_NULL,
	};

	/* the entries are copied */
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
}

/* the list of commands for --help */
static gchar *
remsim_ctl_describe_commands(void)
{
	GString *text = g_string_new(_("Commands:"));
	guint width = 0;

	for (guint i = 0; i < G_N_ELEMENTS(remsim_ctl_commands); i++) {
		const RemsimCtlCommand *c = remsim_ctl_commands[i];
		g_autofree gchar *head = remsim_ctl_synopsis(c);

		width = MAX(width, g_utf8_strlen(head, -1));
	}
	g_string_append_c(text, '\n');
	for (guint i = 0; i < G_N_ELEMENTS(remsim_ctl_commands); i++) {
		const RemsimCtlCommand *c = remsim_ctl_commands[i];
		g_autofree gchar *head = remsim_ctl_synopsis(c);

		g_string_append_printf(text, "  %s", head);
		for (guint w = g_utf8_strlen(head, -1); w < width + 2; w++)
			g_string_append_c(text, ' ');
		g_string_append_printf(text, "%s\n", _(c->summary));
	}
	g_string_append_c(text, '\n');
	g_string_append(text,
			_("remsim-ctl COMMAND --help shows a command's options. Exit status: "
			  "0 done, 1 failed, 2 bad command line, 3 a daemon is not reachable, "
			  "4 refused, 5 no such bank, slot, client or map (remsim-ctl(1))."));
	return g_string_free(text, FALSE);
}

static GOptionContext *
remsim_ctl_main_context(RemsimCtl *ctl, gboolean *version)
{
	const GOptionEntry entries[] = {
		{ "version", 'V', 0, G_OPTION_ARG_NONE, version,
		  N_("Print remsim-ctl's version and exit"), NULL },
		G_OPTION_ENTRY_NULL,
	};
	/* TRANSLATORS: the synopsis after "remsim-ctl [OPTION…]" */
	GOptionContext *context = g_option_context_new(N_("COMMAND [ARGUMENT…]"));
	g_autofree gchar *commands = remsim_ctl_describe_commands();

	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_set_summary(context, N_("Look at and change remsim's banks, clients and "
						 "slot maps, on D-Bus or over REST."));
	g_option_context_set_description(context, commands);
	/* options up to the command are remsim-ctl's, the rest the command's */
	g_option_context_set_strict_posix(context, TRUE);
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	remsim_ctl_add_global_entries(context, ctl);
	return context;
}

static GError *
remsim_ctl_usage_error(const GError *error, const gchar *command)
{
	if (command != NULL)
		return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
				   /* TRANSLATORS: the problem (from GLib), the command */
				   _("%s (remsim-ctl %s --help lists its options)"), error->message,
				   command);
	return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			   /* TRANSLATORS: the problem (from GLib) */
			   _("%s (remsim-ctl --help lists the options)"), error->message);
}

gboolean
remsim_ctl_parse(RemsimCtl *ctl, const RemsimCtlCommand *command, const GOptionEntry *entries,
		 gint *argc, gchar ***argv, gint min_args, gint max_args, GError **error)
{
	g_autofree gchar *synopsis = remsim_ctl_synopsis(command);
	g_autoptr(GOptionContext) context = g_option_context_new(synopsis);
	g_autoptr(GError) local = NULL;
	gint n;

	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_set_summary(context, command->summary);
	if (command->description != NULL)
		g_option_context_set_description(context, command->description);
	if (entries != NULL)
		g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	remsim_ctl_add_global_entries(context, ctl);
	if (!g_option_context_parse(context, argc, argv, &local)) {
		g_propagate_error(error, remsim_ctl_usage_error(local, command->name));
		return FALSE;
	}
	n = *argc - 1;
	if (n < min_args || n > max_args) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: the command and its synopsis, then the command again */
			    _("usage: remsim-ctl %s (remsim-ctl %s --help tells more)"), synopsis,
			    command->name);
		return FALSE;
	}
	if (ctl->session && ctl->server != NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("--session and --server exclude each other: the session bus is "
			      "local, --server is a remote server's REST API"));
		return FALSE;
	}
	return TRUE;
}

/* the REST token: --token, else the first line of --token-file, else REMSIM_TOKEN */
static gboolean
remsim_ctl_get_token(RemsimCtl *ctl, gchar **token, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) local = NULL;
	const gchar *env = g_getenv("REMSIM_TOKEN");

	*token = NULL;
	if (ctl->token != NULL) {
		*token = g_strdup(ctl->token);
	} else if (ctl->token_file != NULL) {
		if (!g_file_get_contents(ctl->token_file, &text, NULL, &local)) {
			g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
				    /* TRANSLATORS: %s: the file, %s: why (English) */
				    _("--token-file %s: %s"), ctl->token_file, local->message);
			return FALSE;
		}
		*token = g_strdup(g_strstrip(g_strdelimit(text, "\r\n", '\0')));
	} else if (env != NULL && *env != '\0') {
		*token = g_strdup(env);
	}
	if (*token != NULL && **token == '\0') {
		g_clear_pointer(token, g_free);
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("the token is empty: give the token the server's tokens file "
			      "holds"));
		return FALSE;
	}
	return TRUE;
}

RemsimCtlSource *
remsim_ctl_get_source(RemsimCtl *ctl, GError **error)
{
	g_autofree gchar *token = NULL;

	if (ctl->source == NULL && ctl->server != NULL) {
		if (remsim_ctl_get_token(ctl, &token, error))
			ctl->source = remsim_ctl_rest_new(ctl->server, token, ctl->ca_file, error);
	} else if (ctl->source == NULL &&
		   (ctl->token != NULL || ctl->token_file != NULL || ctl->ca_file != NULL)) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("--token, --token-file and --ca are for the REST API: give "
			      "--server URL too"));
	} else if (ctl->source == NULL) {
		ctl->source =
		    remsim_ctl_dbus_new(ctl->session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM);
	}
	return ctl->source;
}

gboolean
remsim_ctl_print_help(RemsimCtl *ctl, const gchar *name, GError **error)
{
	const RemsimCtlCommand *command = name != NULL ? remsim_ctl_find_command(name) : NULL;
	gboolean version = FALSE;
	g_autoptr(GOptionContext) context = NULL;
	g_autofree gchar *help = NULL;

	if (name != NULL && command == NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: %s: what was given as the command */
			    _("there is no command %s: remsim-ctl --help lists the commands"),
			    name);
		return FALSE;
	}
	if (command != NULL) {
		/* a command's own --help: it knows its options (GOption exits after it) */
		gchar *argv[] = { (gchar *)command->name, (gchar *)"--help", NULL };

		return command->run(ctl, 2, argv, error);
	}
	context = remsim_ctl_main_context(ctl, &version);
	help = g_option_context_get_help(context, TRUE, NULL);
	fputs(help, stdout);
	return TRUE;
}

void
remsim_ctl_print_list(JsonArray *array, const gchar *member)
{
	g_autoptr(JsonObject) object = json_object_new();

	json_object_set_array_member(object, member, json_array_ref(array));
	remsim_ctl_output_json(object, FALSE);
}

static gboolean
remsim_ctl_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	gboolean version = FALSE;
	g_autoptr(GOptionContext) context = remsim_ctl_main_context(ctl, &version);
	g_autoptr(GError) local = NULL;
	const RemsimCtlCommand *command;

	if (!g_option_context_parse(context, &argc, &argv, &local)) {
		g_propagate_error(error, remsim_ctl_usage_error(local, NULL));
		return FALSE;
	}
	if (version) {
		printf("remsim-ctl %s\n", PACKAGE_VERSION);
		return TRUE;
	}
	if (argc < 2) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    _("no command given: remsim-ctl --help lists the commands"));
		return FALSE;
	}
	command = remsim_ctl_find_command(argv[1]);
	if (command == NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: %s: what was given as the command */
			    _("there is no command %s: remsim-ctl --help lists the commands"),
			    argv[1]);
		return FALSE;
	}
	return command->run(ctl, argc - 1, argv + 1, error);
}

int
main(int argc, char *argv[])
{
	RemsimCtl ctl = { 0 };
	g_autoptr(GError) error = NULL;
	gint status = 0;

	remsim_i18n_init();
	g_set_prgname("remsim-ctl");
	ctl.colour = remsim_ctl_output_colour_wanted();

	if (!remsim_ctl_run(&ctl, argc, argv, &error)) {
		g_printerr("remsim-ctl: %s\n", error->message);
		status = remsim_ctl_error_exit_status(error);
	}
	g_clear_object(&ctl.source);
	g_free(ctl.server);
	g_free(ctl.token);
	g_free(ctl.token_file);
	g_free(ctl.ca_file);
	return status;
}
