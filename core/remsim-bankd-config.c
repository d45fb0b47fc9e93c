/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remsim-bankd-config.h"
#include "rspro-pdu.h"

/* command-line values; -1 / NULL mean "not given" */
typedef struct {
	gchar *config_path;
	gchar *server_host;
	gint server_port;
	gint bank_id;
	gint num_slots;
	gchar *component_name;
	gchar *bind_ip;
	gint bind_port;
	gchar *advertise;
	gchar *backend;
	gchar *plugin_dir;
	gboolean shared;
	gboolean session_bus;
	gboolean no_dbus;
	gchar *port_file;
	gboolean version;
	gchar *debug_mask;
	gchar *gsmtap_ip;
	gint gsmtap_slot;
	gboolean no_color;
	gboolean timestamps;
	gint log_level;
} RemsimBankdOptions;

static void
remsim_bankd_config_options_clear(RemsimBankdOptions *opt)
{
	g_free(opt->config_path);
	g_free(opt->server_host);
	g_free(opt->component_name);
	g_free(opt->bind_ip);
	g_free(opt->advertise);
	g_free(opt->backend);
	g_free(opt->plugin_dir);
	g_free(opt->port_file);
	g_free(opt->debug_mask);
	g_free(opt->gsmtap_ip);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RemsimBankdOptions, remsim_bankd_config_options_clear)

void
remsim_bankd_config_free(RemsimBankdConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->config_path);
	g_clear_pointer(&config->keyfile, g_key_file_unref);
	g_free(config->server_host);
	g_free(config->component_name);
	g_free(config->bind_ip);
	g_free(config->advertise_host);
	g_free(config->backend);
	g_free(config->plugin_dir);
	g_free(config->port_file);
	g_free(config);
}

gboolean
remsim_bankd_config_parse_endpoint(const gchar *text, gchar **host, guint16 *port, GError **error)
{
	const gchar *colon = strrchr(text, ':');
	g_autofree gchar *h = NULL;
	guint64 value = 0;

	if (colon == NULL || colon == text) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("“%s” is not HOST:PORT"), text);
		return FALSE;
	}
	h = g_strndup(text, colon - text);
	if (h[0] == '[' && g_str_has_suffix(h, "]")) {
		gchar *inner = g_strndup(h + 1, strlen(h) - 2);

		g_free(h);
		h = inner;
	}
	if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, G_MAXUINT16, &value, NULL)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("“%s” has no valid port"), text);
		return FALSE;
	}
	*host = g_steal_pointer(&h);
	*port = (guint16)value;
	return TRUE;
}

/* the 1-based line of @key in @group of @path, or of the line holding @text; 0 if not found */
static guint
remsim_bankd_config_find_line(const gchar *path, const gchar *group, const gchar *key,
			      const gchar *text)
{
	g_autofree gchar *contents = NULL;
	g_auto(GStrv) lines = NULL;
	g_autofree gchar *current = NULL;

	if (path == NULL || !g_file_get_contents(path, &contents, NULL, NULL))
		return 0;
	lines = g_strsplit(contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *line = g_strstrip(g_strdup(lines[i]));
		gsize klen = key != NULL ? strlen(key) : 0;

		if (text != NULL && strstr(lines[i], text) != NULL)
			return i + 1;
		if (line[0] == '[' && g_str_has_suffix(line, "]")) {
			g_free(current);
			current = g_strndup(line + 1, strlen(line) - 2);
			continue;
		}
		if (key != NULL && g_strcmp0(current, group) == 0 &&
		    strncmp(line, key, klen) == 0 &&
		    (line[klen] == '=' || line[klen] == ' ' || line[klen] == '\t'))
			return i + 1;
	}
	return 0;
}

/* GKeyFile quotes the offending line in its parse errors: find that line */
static guint
remsim_bankd_config_parse_error_line(const gchar *path, const gchar *message)
{
	const gchar *open = strstr(message, "“");
	const gchar *close = open != NULL ? strstr(open, "”") : NULL;
	g_autofree gchar *quoted = NULL;

	if (close == NULL)
		return 0;
	quoted = g_strndup(open + strlen("“"), close - open - strlen("“"));
	return remsim_bankd_config_find_line(path, NULL, NULL, quoted);
}

/*
 * Prefix @error with "FILE:LINE: " for a problem with @key of @group (or, with
 * both NULL, for the line GKeyFile quoted), so that a person can go there.
 */
void
remsim_bankd_config_prefix_error(GError **error, const gchar *path, const gchar *group,
				 const gchar *key)
{
	guint line;

	if (error == NULL || *error == NULL || path == NULL)
		return;
	if (key == NULL) {
		gchar g[64] = "", k[64] = "";

		/* backends word their errors "[group] key: ..." */
		if (sscanf((*error)->message, "[%63[^]]] %63[^:]:", g, k) == 2)
			line = remsim_bankd_config_find_line(path, g, k, NULL);
		else
			line = remsim_bankd_config_parse_error_line(path, (*error)->message);
	} else {
		line = remsim_bankd_config_find_line(path, group, key, NULL);
	}
	if (line > 0)
		g_prefix_error(error, "%s:%u: ", path, line);
	else
		g_prefix_error(error, "%s: ", path);
}

static gboolean
remsim_bankd_config_load_file(RemsimBankdConfig *config, const gchar *path, gboolean required,
			      GError **error)
{
	g_autoptr(GError) local_error = NULL;

	if (!g_key_file_load_from_file(config->keyfile, path, G_KEY_FILE_NONE, &local_error)) {
		if (!required && g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		gboolean parse = local_error->domain == G_KEY_FILE_ERROR;

		g_propagate_error(error, g_steal_pointer(&local_error));
		if (parse)
			remsim_bankd_config_prefix_error(error, path, NULL, NULL);
		else
			g_prefix_error(error, "%s: ", path);
		return FALSE;
	}
	config->config_path = g_strdup(path);
	return TRUE;
}

/* an integer key in [bankd], range-checked; @value untouched if the key is absent */
static gboolean
remsim_bankd_config_get_int(RemsimBankdConfig *config, const gchar *key, gint min, gint max,
			    gint *value, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	gint v;

	if (!g_key_file_has_key(config->keyfile, REMSIM_BANKD_GROUP, key, NULL))
		return TRUE;
	v = g_key_file_get_integer(config->keyfile, REMSIM_BANKD_GROUP, key, &local_error);
	if (local_error == NULL && (v < min || v > max))
		g_set_error(&local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    _("%d is not in %d..%d"), v, min, max);
	if (local_error != NULL) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error),
					   "[%s] %s: ", REMSIM_BANKD_GROUP, key);
		remsim_bankd_config_prefix_error(error, config->config_path, REMSIM_BANKD_GROUP,
						 key);
		return FALSE;
	}
	*value = v;
	return TRUE;
}

static void
remsim_bankd_config_get_string(RemsimBankdConfig *config, const gchar *key, gchar **value)
{
	gchar *v = g_key_file_get_string(config->keyfile, REMSIM_BANKD_GROUP, key, NULL);

	if (v == NULL)
		return;
	g_free(*value);
	*value = v;
}

static gboolean
remsim_bankd_config_read_file_values(RemsimBankdConfig *config, GError **error)
{
	gint port = config->server_port, bind_port = config->bind_port;
	gint bank_id = config->bank_id, num_slots = config->num_slots;
	g_autoptr(GError) local_error = NULL;

	if (!remsim_bankd_config_get_int(config, "server-port", 1, G_MAXUINT16, &port, error) ||
	    !remsim_bankd_config_get_int(config, "bind-port", 0, G_MAXUINT16, &bind_port, error) ||
	    !remsim_bankd_config_get_int(config, "bank-id", 1, RSPRO_ID_MAX, &bank_id, error) ||
	    !remsim_bankd_config_get_int(config, "num-slots", 1, REMSIM_BANKD_MAX_SLOTS, &num_slots,
					 error))
		return FALSE;
	config->server_port = port;
	config->bind_port = bind_port;
	config->bank_id = bank_id;
	config->num_slots = num_slots;
	remsim_bankd_config_get_string(config, "server-host", &config->server_host);
	remsim_bankd_config_get_string(config, "component-name", &config->component_name);
	remsim_bankd_config_get_string(config, "bind-ip", &config->bind_ip);
	remsim_bankd_config_get_string(config, "backend", &config->backend);
	remsim_bankd_config_get_string(config, "plugin-dir", &config->plugin_dir);
	if (g_key_file_has_key(config->keyfile, REMSIM_BANKD_GROUP, "permit-shared", NULL)) {
		config->shared = g_key_file_get_boolean(config->keyfile, REMSIM_BANKD_GROUP,
							"permit-shared", &local_error);
	}
	if (local_error == NULL &&
	    g_key_file_has_key(config->keyfile, REMSIM_BANKD_GROUP, "backoff-scale", NULL)) {
		config->backoff_scale = g_key_file_get_double(config->keyfile, REMSIM_BANKD_GROUP,
							      "backoff-scale", &local_error);
	}
	if (local_error != NULL) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error),
					   "%s: [%s]: ", config->config_path, REMSIM_BANKD_GROUP);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_bankd_config_check_range(const gchar *option, gint value, gint min, gint max, GError **error)
{
	if (value >= min && value <= max)
		return TRUE;
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s: %d is not in %d..%d"),
		    option, value, min, max);
	return FALSE;
}

static gboolean
remsim_bankd_config_apply_options(RemsimBankdConfig *config, RemsimBankdOptions *opt,
				  GError **error)
{
	if ((opt->server_port >= 0 &&
	     !remsim_bankd_config_check_range("--server-port", opt->server_port, 1, G_MAXUINT16,
					      error)) ||
	    (opt->bind_port >= 0 && !remsim_bankd_config_check_range("--bind-port", opt->bind_port,
								     0, G_MAXUINT16, error)) ||
	    (opt->bank_id >= 0 &&
	     !remsim_bankd_config_check_range("--bank-id", opt->bank_id, 1, RSPRO_ID_MAX, error)) ||
	    (opt->num_slots >= 0 &&
	     !remsim_bankd_config_check_range("--num-slots", opt->num_slots, 1,
					      REMSIM_BANKD_MAX_SLOTS, error)))
		return FALSE;
	if (opt->server_port >= 0)
		config->server_port = opt->server_port;
	if (opt->bind_port >= 0)
		config->bind_port = opt->bind_port;
	if (opt->bank_id >= 0)
		config->bank_id = opt->bank_id;
	if (opt->num_slots >= 0)
		config->num_slots = opt->num_slots;
#define TAKE(field)                                                                                \
	if (opt->field != NULL) {                                                                  \
		g_free(config->field);                                                             \
		config->field = g_steal_pointer(&opt->field);                                      \
	}
	TAKE(server_host)
	TAKE(component_name)
	TAKE(bind_ip)
	TAKE(backend)
	TAKE(plugin_dir)
	TAKE(port_file)
#undef TAKE
	config->shared = config->shared || opt->shared;
	config->session_bus = opt->session_bus;
	config->no_dbus = opt->no_dbus;
	return TRUE;
}

static gboolean
remsim_bankd_config_finish(RemsimBankdConfig *config, RemsimBankdOptions *opt, GError **error)
{
	g_autofree gchar *advertise = NULL;
	const gchar *env_dir = g_getenv("REMSIM_PLUGIN_DIR");

	remsim_bankd_config_get_string(config, "advertise", &advertise);
	if (opt->advertise != NULL) {
		g_free(advertise);
		advertise = g_strdup(opt->advertise);
	}
	if (advertise != NULL &&
	    !remsim_bankd_config_parse_endpoint(advertise, &config->advertise_host,
						&config->advertise_port, error)) {
		g_prefix_error(error, "--advertise: ");
		return FALSE;
	}
	/* the environment beats the config file, the command line beats both */
	if (opt->plugin_dir == NULL && env_dir != NULL && env_dir[0] != '\0') {
		g_free(config->plugin_dir);
		config->plugin_dir = g_strdup(env_dir);
	}
	if (config->server_host == NULL || config->server_host[0] == '\0') {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("no server host: give -i/--server-host or server-host in [%s]"),
			    REMSIM_BANKD_GROUP);
		return FALSE;
	}
	if (opt->gsmtap_ip != NULL)
		g_message("GSMTAP (-g) is not supported; ignored");
	return TRUE;
}

static GOptionContext *
remsim_bankd_config_context(RemsimBankdOptions *opt)
{
	const GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt->config_path,
		  N_("Configuration file (default " REMSIM_SYSCONFDIR "/bankd.conf)"), N_("FILE") },
		{ "server-host", 'i', 0, G_OPTION_ARG_STRING, &opt->server_host,
		  N_("remsim-server host"), N_("HOST") },
		{ "server-port", 'p', 0, G_OPTION_ARG_INT, &opt->server_port,
		  N_("remsim-server port (default 9998)"), N_("PORT") },
		{ "bank-id", 'b', 0, G_OPTION_ARG_INT, &opt->bank_id,
		  N_("Bank id, 1..1023 (default 1)"), N_("N") },
		{ "num-slots", 'n', 0, G_OPTION_ARG_INT, &opt->num_slots,
		  N_("Number of bank slots, 1..1023 (default 8)"), N_("N") },
		{ "component-name", 'N', 0, G_OPTION_ARG_STRING, &opt->component_name,
		  N_("Name announced to the server (default: host name)"), N_("NAME") },
		{ "bind-ip", 'I', 0, G_OPTION_ARG_STRING, &opt->bind_ip,
		  N_("Address to accept clients on (default: all)"), N_("ADDR") },
		{ "bind-port", 'P', 0, G_OPTION_ARG_INT, &opt->bind_port,
		  N_("Port to accept clients on (default 9999; 0: any)"), N_("PORT") },
		{ "permit-shared-pcsc", 's', 0, G_OPTION_ARG_NONE, &opt->shared,
		  N_("Open cards shared instead of exclusively"), NULL },
		{ "advertise", 0, 0, G_OPTION_ARG_STRING, &opt->advertise,
		  N_("Endpoint clients should dial, sent to the server (behind NAT)"),
		  N_("HOST:PORT") },
		{ "backend", 0, 0, G_OPTION_ARG_STRING, &opt->backend,
		  N_("Reader backend (default pcsc)"), N_("NAME") },
		{ "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt->plugin_dir,
		  N_("Directory of backend plugins"), N_("DIR") },
		{ "session", 0, 0, G_OPTION_ARG_NONE, &opt->session_bus,
		  N_("Use the session bus instead of the system bus"), NULL },
		{ "no-dbus", 0, 0, G_OPTION_ARG_NONE, &opt->no_dbus, N_("Do not use D-Bus at all"),
		  NULL },
		{ "port-file", 0, 0, G_OPTION_ARG_FILENAME, &opt->port_file,
		  N_("Write the client port actually bound to FILE"), N_("FILE") },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &opt->version, N_("Print the version"),
		  NULL },
		/* upstream's logging and GSMTAP options, accepted so that its command lines work */
		{ "debug", 'd', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt->debug_mask, NULL,
		  NULL },
		{ "gsmtap-ip", 'g', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt->gsmtap_ip,
		  NULL, NULL },
		{ "gsmtap-slot", 'G', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt->gsmtap_slot,
		  NULL, NULL },
		{ "disable-color", 'L', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt->no_color,
		  NULL, NULL },
		{ "timestamp", 'T', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt->timestamps, NULL,
		  NULL },
		{ "log-level", 'e', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt->log_level, NULL,
		  NULL },
		{ NULL },
	};
	GOptionContext *context = g_option_context_new(NULL);

	g_option_context_set_summary(context, _("The remsim SIM bank daemon."));
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	return context;
}

static RemsimBankdConfig *
remsim_bankd_config_new_default(void)
{
	RemsimBankdConfig *config = g_new0(RemsimBankdConfig, 1);

	config->keyfile = g_key_file_new();
	config->server_port = REMSIM_BANKD_DEFAULT_SERVER_PORT;
	config->bind_port = REMSIM_BANKD_DEFAULT_BIND_PORT;
	config->bank_id = REMSIM_BANKD_DEFAULT_BANK_ID;
	config->num_slots = REMSIM_BANKD_DEFAULT_NUM_SLOTS;
	config->backend = g_strdup(REMSIM_BANKD_DEFAULT_BACKEND);
	config->plugin_dir = g_strdup(REMSIM_PLUGINDIR);
	config->backoff_scale = 1.0;
	return config;
}

RemsimBankdConfig *
remsim_bankd_config_parse(gint *argc, gchar ***argv, gint *exit_status, GError **error)
{
	g_auto(RemsimBankdOptions)
	    opt = { .server_port = -1, .bank_id = -1, .num_slots = -1, .bind_port = -1 };
	g_autoptr(GOptionContext) context = remsim_bankd_config_context(&opt);
	g_autoptr(RemsimBankdConfig) config = remsim_bankd_config_new_default();
	const gchar *path = opt.config_path;

	*exit_status = 2;
	if (!g_option_context_parse(context, argc, argv, error))
		return NULL;
	if (opt.version) {
		g_print("remsim-bankd %s\n", PACKAGE_VERSION);
		*exit_status = 0;
		return NULL;
	}
	if (*argc > 1) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    _("unexpected argument “%s”"), (*argv)[1]);
		return NULL;
	}
	path = opt.config_path != NULL ? opt.config_path : REMSIM_SYSCONFDIR "/bankd.conf";
	if (!remsim_bankd_config_load_file(config, path, opt.config_path != NULL, error))
		return NULL;
	if (!remsim_bankd_config_read_file_values(config, error) ||
	    !remsim_bankd_config_apply_options(config, &opt, error) ||
	    !remsim_bankd_config_finish(config, &opt, error))
		return NULL;
	return g_steal_pointer(&config);
}
