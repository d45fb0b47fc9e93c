/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-server: a drop-in for osmo-remsim-server with persistent slot maps. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "remsim-daemon.h"
#include "remsim-i18n.h"
#include "remsim-reload.h"
#include "remsim-server-trust.h"
#include "remsim-tls.h"
#include "remsim-server-api.h"
#include "remsim-server-dbus.h"
#include "remsim-server-events.h"
#include "remsim-server-metrics.h"
#include "remsim-server-web.h"
#include "remsim-server-rest.h"
#include "remsim-server-config.h"
#include "remsim-server.h"

typedef struct {
	RemsimServerConfig *cfg; /* the settings in force */
	RemsimReload *reload;
	GMainLoop *loop;
	RemsimServerSlotmapStore *store;
	RemsimServer *server;
	RemsimServerRest *rest;
	RemsimServerApi *api;
	RemsimServerEvents *events;
	RemsimServerWeb *web;
	RemsimServerMetrics *metrics;
	RemsimServerDbus *dbus;
} RemsimServerApp;

/* the keys a reload puts in force; every other one waits for a restart */
static const gchar *const remsim_server_main_live_keys[] = { "rest-tokens-file", NULL };

static void remsim_server_main_warn_open_rest(RemsimServerApp *app);

/*
 * The REST tokens as the reloaded settings say: the file is read again even
 * when its name is the same (a token added or revoked); none: REST open.
 */
static gboolean
remsim_server_main_reload_tokens(RemsimServerApp *app, const RemsimServerConfig *next,
				 GPtrArray *applied, GError **error)
{
	g_autoptr(RemsimServerAuth) auth = NULL;

	if (next->rest_tokens_file != NULL &&
	    (auth = remsim_server_auth_new_from_file(next->rest_tokens_file, error)) == NULL)
		return FALSE;
	if (auth == NULL && !remsim_server_rest_has_auth(app->rest))
		return TRUE;
	remsim_reload_note(applied, NULL, "rest-tokens-file");
	remsim_server_rest_set_auth(app->rest, auth);
	if (auth != NULL)
		g_message("REST: %u tokens from %s", remsim_server_auth_get_count(auth),
			  next->rest_tokens_file);
	else
		remsim_server_main_warn_open_rest(app);
	return TRUE;
}

/*
 * SIGHUP and the D-Bus method Reload: parse the file with the command line we
 * started with; logging (debug, log-personal-info), dbus-group and the REST
 * tokens change at run time, every other key differing from the value in
 * force waits for a restart. A tokens file that does not read changes nothing.
 */
static gboolean
remsim_server_main_reload(gint argc, gchar **argv, GPtrArray *applied, GPtrArray *needs_restart,
			  gpointer user_data, GError **error)
{
	RemsimServerApp *app = user_data;
	g_autoptr(RemsimServerConfig) next = NULL;
	gint status = 0;

	next = remsim_server_config_parse(&argc, &argv, &status, error);
	if (next == NULL)
		return FALSE;
	if (app->rest != NULL && !remsim_server_main_reload_tokens(app, next, applied, error))
		return FALSE;
	remsim_reload_compare_common(app->cfg->file, next->file, applied, needs_restart);
	remsim_reload_compare_keys(app->cfg->file, next->file, NULL, remsim_server_main_live_keys,
				   needs_restart);
	remsim_config_apply_logging(next->file);
	return TRUE;
}

static gboolean
remsim_server_main_write_port_file(RemsimServerApp *app, GError **error)
{
	g_autofree gchar *text = NULL;

	if (!app->cfg->port_file)
		return TRUE;
	text = g_strdup_printf("rspro=%u\nrest=%u\n", remsim_server_get_port(app->server),
			       remsim_server_rest_get_port(app->rest));
	/* written whole, so that a reader never sees half of it */
	return g_file_set_contents(app->cfg->port_file, text, -1, error);
}

static gboolean
remsim_server_main_open_store(RemsimServerApp *app, GError **error)
{
	g_autofree gchar *path = remsim_server_config_get_db_path(app->cfg);

	if (g_mkdir_with_parents(app->cfg->state_dir, 0755) != 0) {
		int err = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
			    _("Cannot create the state directory %s: %s"), app->cfg->state_dir,
			    g_strerror(err));
		return FALSE;
	}
	app->store = remsim_server_slotmap_store_open(path, error);
	return app->store != NULL;
}

/* the tokens of rest-tokens-file, if set: the REST API then needs one */
static gboolean
remsim_server_main_load_tokens(RemsimServerApp *app, GError **error)
{
	g_autoptr(RemsimServerAuth) auth = NULL;

	if (app->cfg->rest_tokens_file == NULL)
		return TRUE;
	auth = remsim_server_auth_new_from_file(app->cfg->rest_tokens_file, error);
	if (auth == NULL)
		return FALSE;
	remsim_server_rest_set_auth(app->rest, auth);
	g_message("REST: %u tokens from %s", remsim_server_auth_get_count(auth),
		  app->cfg->rest_tokens_file);
	return TRUE;
}

/* HTTPS for REST when rest-tls-cert is set */
static gboolean
remsim_server_main_load_tls(RemsimServerApp *app, GError **error)
{
	RemsimConfig *file = app->cfg->file;
	const gchar *cert = remsim_config_get_string(file, NULL, "rest-tls-cert");
	const gchar *key = remsim_config_get_string(file, NULL, "rest-tls-key");
	const gchar *ca = remsim_config_get_string(file, NULL, "rest-tls-ca");
	g_autoptr(RemsimServerRestTls) tls = NULL;

	if (cert == NULL || *cert == '\0') {
		if ((key != NULL && *key != '\0') || (ca != NULL && *ca != '\0') ||
		    remsim_config_get_boolean(file, NULL, "rest-tls-require-peer-certificate")) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    _("rest-tls-key, rest-tls-ca and "
				      "rest-tls-require-peer-certificate need rest-tls-cert"));
			return FALSE;
		}
		return TRUE;
	}
	if (!remsim_tls_check_backend(error))
		return FALSE;
	tls = g_new0(RemsimServerRestTls, 1);
	tls->certificate = remsim_tls_load_certificate(cert, key, error);
	if (tls->certificate == NULL)
		return FALSE;
	if (ca != NULL && *ca != '\0' && (tls->ca = remsim_tls_load_ca(ca, error)) == NULL)
		return FALSE;
	tls->require_peer_certificate =
	    remsim_config_get_boolean(file, NULL, "rest-tls-require-peer-certificate");
	if (tls->require_peer_certificate && tls->ca == NULL) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    _("rest-tls-require-peer-certificate needs rest-tls-ca"));
		return FALSE;
	}
	remsim_server_rest_set_tls(app->rest, g_steal_pointer(&tls));
	return TRUE;
}

/* upstream's REST, open to every address without tokens: said once, at start */
static void
remsim_server_main_warn_open_rest(RemsimServerApp *app)
{
	const gchar *ip = app->cfg->rest_bind_ip;
	g_autoptr(GInetAddress) addr = ip != NULL ? g_inet_address_new_from_string(ip) : NULL;

	if (remsim_server_rest_has_auth(app->rest) ||
	    (addr != NULL && g_inet_address_get_is_loopback(addr)))
		return;
	g_warning("REST on %s port %u is open to the network without tokens: anyone who "
		  "reaches it may change every slot map (set rest-tokens-file, or "
		  "rest-bind-ip=127.0.0.1)",
		  ip != NULL ? ip : "every address", remsim_server_rest_get_port(app->rest));
}

/* TLS on the RSPRO port, and the addresses banks may announce */
static gboolean
remsim_server_main_setup_trust(RemsimServerApp *app, GError **error)
{
	const RemsimServerConfig *cfg = app->cfg;
	RsproListenerTls mode;
	g_autoptr(GTlsCertificate) cert = NULL;
	g_autoptr(GTlsDatabase) ca = NULL;
	g_autoptr(GPtrArray) allowed = NULL;

	if (!remsim_tls_load_listener(cfg->tls, cfg->tls_cert_file, cfg->tls_key_file,
				      cfg->tls_ca_file, cfg->tls_require_peer_certificate, &mode,
				      &cert, &ca, error))
		return FALSE;
	remsim_server_set_tls(app->server, mode, cert, ca, cfg->tls_require_peer_certificate);
	if (mode != RSPRO_LISTENER_TLS_OFF)
		g_message("RSPRO port: tls=%s%s", cfg->tls,
			  cfg->tls_require_peer_certificate
			      ? ", peer certificates required and bound to the ids they name"
			      : "");
	allowed = remsim_server_trust_parse_addresses(cfg->bank_allowed_addresses, error);
	if (allowed == NULL)
		return FALSE;
	remsim_server_set_bank_allowed_addresses(app->server, allowed);
	return TRUE;
}

static gboolean
remsim_server_main_start(RemsimServerApp *app, GError **error)
{
	const RemsimServerConfig *cfg = app->cfg;
	g_autoptr(GError) local = NULL;

	if (!remsim_server_main_open_store(app, error))
		return FALSE;
	app->server = remsim_server_new(app->store);
	if (!remsim_server_restore(app->server, error))
		return FALSE;
	remsim_server_set_limits(app->server, cfg->max_connections,
				 cfg->max_connections_per_address);
	if (!remsim_server_main_setup_trust(app, error))
		return FALSE;
	if (!remsim_server_listen(app->server, cfg->bind_ip, cfg->rspro_port, &local)) {
		g_set_error(error, local->domain, local->code, _("RSPRO port %u: %s"),
			    cfg->rspro_port, local->message);
		return FALSE;
	}
	app->rest = remsim_server_rest_new(app->server);
	app->api = remsim_server_api_new(app->server, app->rest);
	app->events = remsim_server_events_new(app->server, app->rest);
	app->web = remsim_server_web_new(app->rest);
	app->metrics = remsim_server_metrics_new(app->server, app->rest, app->events);
	remsim_server_rest_set_limits(app->rest, cfg->max_connections,
				      cfg->max_connections_per_address);
	if (!remsim_server_main_load_tokens(app, error) || !remsim_server_main_load_tls(app, error))
		return FALSE;
	if (!remsim_server_rest_listen(app->rest, cfg->rest_bind_ip, cfg->rest_port, &local)) {
		g_set_error(error, local->domain, local->code, _("REST port %u: %s"),
			    cfg->rest_port, local->message);
		return FALSE;
	}
	remsim_server_main_warn_open_rest(app);
	if (cfg->bus != G_BUS_TYPE_NONE) {
		app->dbus = remsim_server_dbus_new(app->server, app->reload, app->events,
						   remsim_server_get_port(app->server),
						   remsim_server_rest_get_port(app->rest));
		remsim_server_dbus_start(app->dbus, cfg->bus);
	}
	g_message("remsim-server %s: RSPRO on port %u, REST (%s) on port %u, restart "
		  "%" G_GUINT64_FORMAT,
		  PACKAGE_VERSION, remsim_server_get_port(app->server),
		  remsim_server_rest_has_tls(app->rest) ? "HTTPS" : "HTTP",
		  remsim_server_rest_get_port(app->rest),
		  remsim_server_get_restart_counter(app->server));
	return remsim_server_main_write_port_file(app, error);
}

static void
remsim_server_main_stop(RemsimServerApp *app)
{
	/* writes still queued are committed and answered while everything is alive */
	if (app->store)
		remsim_server_slotmap_store_close(app->store);
	g_clear_object(&app->dbus);
	g_clear_object(&app->metrics);
	g_clear_object(&app->web);
	g_clear_object(&app->events);
	g_clear_object(&app->api);
	g_clear_object(&app->rest);
	g_clear_object(&app->server);
	g_clear_object(&app->store);
	g_clear_object(&app->reload);
	g_clear_pointer(&app->loop, g_main_loop_unref);
	g_clear_pointer(&app->cfg, remsim_server_config_free);
}

int
main(int argc, char **argv)
{
	RemsimServerApp app = { 0 };
	g_autoptr(GError) error = NULL;
	/* the command line as given, for reloading: parsing takes options out of argv */
	g_auto(GStrv) args = g_strdupv(argv);
	int status = 0;

	remsim_i18n_init();
	app.cfg = remsim_server_config_parse(&argc, &argv, &status, &error);
	if (app.cfg == NULL) {
		if (error != NULL)
			g_printerr("remsim-server: %s\n", error->message);
		return status;
	}
	remsim_config_apply_logging(app.cfg->file);
	remsim_daemon_raise_fd_limit();
	app.loop = g_main_loop_new(NULL, FALSE);
	app.reload = remsim_reload_new((const gchar *const *)args, remsim_server_main_reload, &app);
	remsim_reload_watch_sighup(app.reload);
	if (remsim_server_main_start(&app, &error)) {
		remsim_daemon_run(app.loop);
	} else {
		g_printerr("remsim-server: %s\n", error->message);
		status = 1;
	}
	remsim_server_main_stop(&app);
	return status;
}
