/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-builtin-plugins.h"
#include "remsim-bankd-dbus.h"
#include "remsim-bankd.h"
#include "remsim-daemon.h"

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

int
main(int argc, char **argv)
{
	g_autoptr(RemsimBankdConfig) config = NULL;
	g_autoptr(RemsimBankdPluginLoader) loader = NULL;
	g_autoptr(RemsimBankd) bankd = NULL;
	g_autoptr(RemsimBankdDbus) dbus = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GError) error = NULL;
	gint status = 0;

	remsim_daemon_init_i18n();
	config = remsim_bankd_config_parse(&argc, &argv, &status, &error);
	if (config == NULL) {
		if (error != NULL)
			g_printerr("remsim-bankd: %s\n", error->message);
		return status;
	}
	loader = remsim_bankd_main_load_plugins(config);
	bankd = remsim_bankd_new(config, loader);
	if (!remsim_bankd_start(bankd, &error)) {
		g_printerr("remsim-bankd: %s\n", error->message);
		return 1;
	}
	if (config->bus != G_BUS_TYPE_NONE)
		dbus = remsim_bankd_dbus_new(bankd, config->bus == G_BUS_TYPE_SESSION);
	loop = g_main_loop_new(NULL, FALSE);
	remsim_daemon_run(loop);
	return 0;
}
