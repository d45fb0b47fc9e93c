/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-builtin-plugins.h"
#include "remsim-bankd-dbus.h"
#include "remsim-bankd-metrics.h"
#include "remsim-metrics-http.h"
#include "remsim-bankd.h"
#include "remsim-daemon.h"
#include "remsim-i18n.h"
#include "remsim-reload.h"

static RemsimBankdPluginLoader *
remsim_bankd_main_load_plugins(const RemsimBankdConfig *config)
{
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	g_autoptr(GError) error = NULL;

	for (guint i = 0; remsim_bankd_builtin_plugins[i] != NULL; i++) {
		if (!remsim_bankd_plugin_loader_add_info(loader, remsim_bankd_builtin_plugins[i],
							 REMSIM_BANKD_PLUGIN_LOADER_BUILTIN,
							 &error)) {
			g_warning("Skipping plugin: %s", error->message);
			g_clear_error(&error);
		}
	}
	/* with every backend linked in, a plugin folder is only read when asked for */
	if (remsim_bankd_builtin_plugins[0] != NULL &&
	    g_strcmp0(config->plugin_dir, REMSIM_PLUGINDIR) == 0)
		return g_steal_pointer(&loader);
	if (!remsim_bankd_plugin_loader_load_dir(loader, config->plugin_dir, NULL, &error))
		g_warning("Cannot read the plugin directory: %s", error->message);
	return g_steal_pointer(&loader);
}

/*
 * SIGHUP and the D-Bus method Reload: the file with the command line we started
 * with; the bank takes what it can at run time, then logging is put in force
 */
static gboolean
remsim_bankd_main_reload(gint argc, gchar **argv, GPtrArray *applied, GPtrArray *needs_restart,
			 gpointer user_data, GError **error)
{
	RemsimBankd *bankd = REMSIM_BANKD(user_data);
	const RemsimBankdConfig *config = remsim_bankd_get_config(bankd);
	g_autoptr(RemsimBankdConfig) next = NULL;
	gint status = 0;

	next = remsim_bankd_config_parse(&argc, &argv, &status, error);
	if (next == NULL)
		return FALSE;
	if (!remsim_bankd_reconfigure(bankd, next, applied, needs_restart, error))
		return FALSE;
	remsim_reload_compare_common(config->file, next->file, applied, needs_restart);
	remsim_config_apply_logging(next->file);
	return TRUE;
}

int
main(int argc, char **argv)
{
	g_autoptr(RemsimBankdConfig) config = NULL;
	g_autoptr(RemsimBankdPluginLoader) loader = NULL;
	g_autoptr(RemsimBankd) bankd = NULL;
	g_autoptr(RemsimReload) reload = NULL;
	g_autoptr(RemsimBankdDbus) dbus = NULL;
	g_autoptr(RemsimMetricsHttp) metrics = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GError) error = NULL;
	/* the command line as given, for reloading: parsing takes options out of argv */
	g_auto(GStrv) args = g_strdupv(argv);
	gint status = 0;

	remsim_i18n_init();
	config = remsim_bankd_config_parse(&argc, &argv, &status, &error);
	if (config == NULL) {
		if (error != NULL)
			g_printerr("remsim-bankd: %s\n", error->message);
		return status;
	}
	remsim_config_apply_logging(config->file);
	remsim_daemon_raise_fd_limit();
	loader = remsim_bankd_main_load_plugins(config);
	bankd = remsim_bankd_new(config, loader);
	if (!remsim_bankd_start(bankd, &error)) {
		g_printerr("remsim-bankd: %s\n", error->message);
		return 1;
	}
	if (config->metrics_port != 0) {
		metrics = remsim_metrics_http_new(remsim_bankd_metrics_render, bankd);
		if (!remsim_metrics_http_listen(metrics, config->metrics_bind_ip,
						config->metrics_port, &error)) {
			g_printerr("remsim-bankd: metrics port %u: %s\n", config->metrics_port,
				   error->message);
			return 1;
		}
	}
	reload = remsim_reload_new((const gchar *const *)args, remsim_bankd_main_reload, bankd);
	remsim_reload_watch_sighup(reload);
	if (config->bus != G_BUS_TYPE_NONE) {
		dbus = remsim_bankd_dbus_new(bankd, reload);
		remsim_bankd_dbus_start(dbus, config->bus);
	}
	loop = g_main_loop_new(NULL, FALSE);
	remsim_daemon_run(loop);
	remsim_bankd_stop(bankd);
	return 0;
}
