/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "remsim-server-config.h"

/* the command line before merging: unset options stay NULL / -1 */
typedef struct {
	gchar *config;
	gchar *bind_ip;
	gint rspro_port;
	gchar *rest_bind_ip;
	gint rest_port;
	gchar *state_dir;
	gchar *port_file;
	gboolean no_dbus;
	gboolean session;
	gchar *debug;
	gboolean version;
	gboolean disable_color;
} RemsimServerOptions;

static const gchar *const known_keys[] = { "bind-ip",	"rspro-port", "rest-bind-ip",
					   "rest-port", "state-dir",  "dbus",
					   "dbus-bus",	"debug",      NULL };

static gboolean
remsim_server_config_parse_options(RemsimServerOptions *o, gint *argc, gchar ***argv,
				   GError **error)
{
	const GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
		  N_("Configuration file (default " REMSIM_SYSCONFDIR "/server.conf)"),
		  N_("PATH") },
		{ "bind-ip", 0, 0, G_OPTION_ARG_STRING, &o->bind_ip,
		  N_("Address for RSPRO connections (default: all)"), N_("ADDR") },
		{ "rspro-port", 0, 0, G_OPTION_ARG_INT, &o->rspro_port,
		  N_("RSPRO port (default 9998, 0: any free port)"), N_("PORT") },
		{ "rest-bind-ip", 0, 0, G_OPTION_ARG_STRING, &o->rest_bind_ip,
		  N_("Address for the REST API (default: all)"), N_("ADDR") },
		{ "rest-port", 0, 0, G_OPTION_ARG_INT, &o->rest_port,
		  N_("REST port (default 9997, 0: any free port)"), N_("PORT") },
		{ "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->state_dir,
		  N_("Directory of the slot map database (default " REMSIM_LOCALSTATEDIR ")"),
		  N_("DIR") },
		{ "port-file", 0, 0, G_OPTION_ARG_FILENAME, &o->port_file,
		  N_("Write the bound ports to this file once listening"), N_("PATH") },
		{ "session", 0, 0, G_OPTION_ARG_NONE, &o->session,
		  N_("Use the session bus instead of the system bus"), NULL },
		{ "no-dbus", 0, 0, G_OPTION_ARG_NONE, &o->no_dbus, N_("Do not use D-Bus"), NULL },
		{ "debug", 'd', 0, G_OPTION_ARG_STRING, &o->debug,
		  N_("Enable debug messages (upstream's log mask is accepted)"), N_("MASK") },
		{ "disable-color", 'L', 0, G_OPTION_ARG_NONE, &o->disable_color,
		  N_("Accepted for compatibility with upstream; logs are never coloured"), NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version, N_("Print the version"),
		  NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

	g_option_context_set_summary(ctx, _("The remsim server: banks, clients and slot maps."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, argc, argv, error))
		return FALSE;
	if (*argc > 1) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    _("Unexpected argument: %s"), (*argv)[1]);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_server_config_check_port(gint port, const gchar *what, GError **error)
{
	if (port >= 0 && port <= G_MAXUINT16)
		return TRUE;
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    _("%s: %d is not a port number (0..65535)"), what, port);
	return FALSE;
}

static gboolean
remsim_server_config_key_error(const gchar *file, const gchar *key, GError *inner, GError **error)
{
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		    _("%s: key \"%s\" in [%s]: %s"), file, key, REMSIM_SERVER_CONFIG_GROUP,
		    inner->message);
	g_error_free(inner);
	return FALSE;
}

static gboolean
remsim_server_config_read_port(GKeyFile *kf, const gchar *file, const gchar *key, guint16 *out,
			       GError **error)
{
	GError *inner = NULL;
	gint v;

	if (!g_key_file_has_key(kf, REMSIM_SERVER_CONFIG_GROUP, key, NULL))
		return TRUE;
	v = g_key_file_get_integer(kf, REMSIM_SERVER_CONFIG_GROUP, key, &inner);
	if (!inner)
		remsim_server_config_check_port(v, key, &inner);
	if (inner)
		return remsim_server_config_key_error(file, key, inner, error);
	*out = (guint16)v;
	return TRUE;
}

static gboolean
remsim_server_config_read_string(GKeyFile *kf, const gchar *key, gchar **out)
{
	gchar *v = g_key_file_get_string(kf, REMSIM_SERVER_CONFIG_GROUP, key, NULL);

	if (v) {
		g_free(*out);
		*out = g_strstrip(v);
	}
	return TRUE;
}

static gboolean
remsim_server_config_read_bool(GKeyFile *kf, const gchar *file, const gchar *key, gboolean *out,
			       GError **error)
{
	GError *inner = NULL;
	gboolean v;

	if (!g_key_file_has_key(kf, REMSIM_SERVER_CONFIG_GROUP, key, NULL))
		return TRUE;
	v = g_key_file_get_boolean(kf, REMSIM_SERVER_CONFIG_GROUP, key, &inner);
	if (inner)
		return remsim_server_config_key_error(file, key, inner, error);
	*out = v;
	return TRUE;
}

static gboolean
remsim_server_config_check_keys(GKeyFile *kf, const gchar *file, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	g_auto(GStrv) keys = NULL;

	for (guint i = 0; groups[i]; i++) {
		if (!g_str_equal(groups[i], REMSIM_SERVER_CONFIG_GROUP)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
				    _("%s: unknown group [%s] (expected [%s])"), file, groups[i],
				    REMSIM_SERVER_CONFIG_GROUP);
			return FALSE;
		}
	}
	keys = g_key_file_get_keys(kf, REMSIM_SERVER_CONFIG_GROUP, NULL, NULL);
	for (guint i = 0; keys && keys[i]; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
				    _("%s: unknown key \"%s\" in [%s]"), file, keys[i],
				    REMSIM_SERVER_CONFIG_GROUP);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
remsim_server_config_read_bus(GKeyFile *kf, const gchar *file, RemsimServerConfig *cfg,
			      GError **error)
{
	g_autofree gchar *bus = NULL;

	remsim_server_config_read_string(kf, "dbus-bus", &bus);
	if (!bus)
		return TRUE;
	if (g_str_equal(bus, "system") || g_str_equal(bus, "session")) {
		cfg->session_bus = g_str_equal(bus, "session");
		return TRUE;
	}
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		    _("%s: key \"dbus-bus\" in [%s]: \"%s\" is neither system nor session"), file,
		    REMSIM_SERVER_CONFIG_GROUP, bus);
	return FALSE;
}

static gboolean
remsim_server_config_load_file(RemsimServerConfig *cfg, const gchar *file, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	GError *inner = NULL;

	if (!g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, &inner)) {
		g_set_error(error, inner->domain, inner->code, "%s: %s", file, inner->message);
		g_error_free(inner);
		return FALSE;
	}
	cfg->config_file = g_strdup(file);
	return remsim_server_config_check_keys(kf, file, error) &&
	       remsim_server_config_read_string(kf, "bind-ip", &cfg->bind_ip) &&
	       remsim_server_config_read_port(kf, file, "rspro-port", &cfg->rspro_port, error) &&
	       remsim_server_config_read_string(kf, "rest-bind-ip", &cfg->rest_bind_ip) &&
	       remsim_server_config_read_port(kf, file, "rest-port", &cfg->rest_port, error) &&
	       remsim_server_config_read_string(kf, "state-dir", &cfg->state_dir) &&
	       remsim_server_config_read_bool(kf, file, "dbus", &cfg->dbus, error) &&
	       remsim_server_config_read_bus(kf, file, cfg, error) &&
	       remsim_server_config_read_bool(kf, file, "debug", &cfg->debug, error);
}

static void
remsim_server_config_take_string(gchar **dst, gchar *src)
{
	if (src) {
		g_free(*dst);
		*dst = src;
	}
}

static gboolean
remsim_server_config_merge(RemsimServerConfig *cfg, RemsimServerOptions *o, GError **error)
{
	if ((o->rspro_port >= 0 &&
	     !remsim_server_config_check_port(o->rspro_port, "--rspro-port", error)) ||
	    (o->rest_port >= 0 &&
	     !remsim_server_config_check_port(o->rest_port, "--rest-port", error)))
		return FALSE;
	remsim_server_config_take_string(&cfg->bind_ip, g_steal_pointer(&o->bind_ip));
	remsim_server_config_take_string(&cfg->rest_bind_ip, g_steal_pointer(&o->rest_bind_ip));
	remsim_server_config_take_string(&cfg->state_dir, g_steal_pointer(&o->state_dir));
	remsim_server_config_take_string(&cfg->port_file, g_steal_pointer(&o->port_file));
	if (o->rspro_port >= 0)
		cfg->rspro_port = (guint16)o->rspro_port;
	if (o->rest_port >= 0)
		cfg->rest_port = (guint16)o->rest_port;
	if (o->no_dbus)
		cfg->dbus = FALSE;
	if (o->session)
		cfg->session_bus = TRUE;
	if (o->debug)
		cfg->debug = TRUE;
	cfg->show_version = o->version;
	return TRUE;
}

gboolean
remsim_server_config_load(RemsimServerConfig *cfg, gint *argc, gchar ***argv, GError **error)
{
	RemsimServerOptions o = { .rspro_port = -1, .rest_port = -1 };
	g_autofree gchar *default_file = g_build_filename(REMSIM_SYSCONFDIR, "server.conf", NULL);
	gboolean ok;

	memset(cfg, 0, sizeof(*cfg));
	cfg->rspro_port = REMSIM_SERVER_DEFAULT_RSPRO_PORT;
	cfg->rest_port = REMSIM_SERVER_DEFAULT_REST_PORT;
	cfg->state_dir = g_strdup(REMSIM_LOCALSTATEDIR);
	cfg->dbus = TRUE;
	ok = remsim_server_config_parse_options(&o, argc, argv, error);
	if (ok && !o.version) {
		if (o.config)
			ok = remsim_server_config_load_file(cfg, o.config, error);
		else if (g_file_test(default_file, G_FILE_TEST_EXISTS))
			ok = remsim_server_config_load_file(cfg, default_file, error);
	}
	ok = ok && remsim_server_config_merge(cfg, &o, error);
	g_free(o.config);
	g_free(o.bind_ip);
	g_free(o.rest_bind_ip);
	g_free(o.state_dir);
	g_free(o.port_file);
	g_free(o.debug);
	return ok;
}

void
remsim_server_config_clear(RemsimServerConfig *cfg)
{
	g_free(cfg->config_file);
	g_free(cfg->bind_ip);
	g_free(cfg->rest_bind_ip);
	g_free(cfg->state_dir);
	g_free(cfg->port_file);
	memset(cfg, 0, sizeof(*cfg));
}

gchar *
remsim_server_config_get_db_path(const RemsimServerConfig *cfg)
{
	return g_build_filename(cfg->state_dir, "server.db", NULL);
}
