/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-client: the command line and the config file (remsim-client-config.c), then the slots. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "remsim-client-dbus.h"
#include "remsim-client-metrics.h"
#include "remsim-metrics-http.h"
#include "remsim-client.h"
#include "remsim-daemon.h"
#include "remsim-i18n.h"
#include "remsim-reload.h"

/* what a reload compares with: the client and the configuration it started from */
typedef struct {
	RemsimClient *client;
	RemsimConfig *started;
} RemsimClientMainReload;

/*
 * SIGHUP and the D-Bus method Reload: the file again, with the options we
 * started with over it, compared key by key with what is in force
 */
static gboolean
remsim_client_main_reload(gint argc, gchar **argv, GPtrArray *applied, GPtrArray *needs_restart,
			  gpointer user_data, GError **error)
{
	RemsimClientMainReload *ctx = user_data;
	g_autoptr(RemsimConfig) next = NULL;
	gint status = 0;

	next = remsim_client_config_parse(&argc, &argv, &status, error);
	if (next == NULL)
		return FALSE;
	if (!remsim_client_reconfigure(ctx->client, next, applied, needs_restart, error))
		return FALSE;
	remsim_reload_compare_common(ctx->started, next, applied, needs_restart);
	remsim_config_apply_logging(next);
	return TRUE;
}

static void
remsim_client_main_finished_cb(RemsimClient *client, gpointer user_data)
{
	g_main_loop_quit(user_data);
}

static gint
remsim_client_main_run(RemsimConfig *config, const gchar *const *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimClient) client = NULL;
	RemsimClientMainReload reload_ctx = { NULL, config };
	g_autoptr(RemsimReload) reload = NULL;
	g_autoptr(RemsimClientDbus) dbus = NULL;
	g_autoptr(RemsimMetricsHttp) metrics = NULL;
	gint metrics_port = remsim_config_get_int(config, NULL, "metrics-port");
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	GBusType bus = remsim_config_get_bus_type(config);

	client = remsim_client_new(config, &error);
	if (client == NULL) {
		g_printerr("remsim-client: %s\n", error->message);
		return EXIT_FAILURE;
	}
	g_signal_connect(client, "finished", G_CALLBACK(remsim_client_main_finished_cb), loop);
	if (!remsim_client_start(client, &error)) {
		g_printerr("remsim-client: %s\n", error->message);
		/* a setting that cannot work: restarting will not help (the units know 2) */
		return g_error_matches(error, REMSIM_CLIENT_FRONTEND_ERROR,
				       REMSIM_CLIENT_FRONTEND_ERROR_CONFIG)
			   ? 2
			   : EXIT_FAILURE;
	}
	if (metrics_port > 0) {
		metrics = remsim_metrics_http_new(remsim_client_metrics_render, client);
		if (!remsim_metrics_http_listen(
			metrics, remsim_config_get_string(config, NULL, "metrics-bind-ip"),
			(guint16)metrics_port, &error)) {
			g_printerr("remsim-client: metrics port %d: %s\n", metrics_port,
				   error->message);
			return EXIT_FAILURE;
		}
	}
	reload_ctx.client = client;
	reload = remsim_reload_new(args, remsim_client_main_reload, &reload_ctx);
	remsim_reload_watch_sighup(reload);
	if (bus != G_BUS_TYPE_NONE) {
		dbus = remsim_client_dbus_new(client, reload);
		remsim_client_dbus_start(dbus, bus);
	}
	remsim_daemon_run(loop);
	remsim_client_stop(client);
	/* a lost device ends us with an error, so that systemd starts us again */
	return remsim_client_get_failed(client) ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimConfig) config = NULL;
	/* the command line as given, for reloading: option parsing takes options out of argv */
	g_auto(GStrv) args = g_strdupv(argv);
	gint status;

	remsim_i18n_init();
	/* a shell user who closes our stdout must not kill the relay mid-write */
	signal(SIGPIPE, SIG_IGN);
	config = remsim_client_config_parse(&argc, &argv, &status, &error);
	if (config == NULL) {
		if (error != NULL)
			g_printerr("remsim-client: %s\n", error->message);
		return status;
	}
	remsim_config_apply_logging(config);
	return remsim_client_main_run(config, (const gchar *const *)args);
}
