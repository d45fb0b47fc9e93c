/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-client: the command line, upstream's options first. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>

#include "remsim-client-dbus.h"
#include "remsim-client.h"

typedef struct {
	gchar *server_ip;
	gint server_port;
	gint client_id;
	gint client_slot;
	gchar *atr;
	gboolean atr_ignore_rspro;
	gchar *event_script;
	gchar *frontend;
	gchar *config_path;
	gboolean session;
	gboolean no_dbus;
	gboolean version;
	gchar *debug;
	gboolean no_color;
	/* SIMtrace2 device selection (upstream's -st2 options) */
	gchar *usb_vendor;
	gchar *usb_product;
	gint usb_config;
	gint usb_interface;
	gint usb_altsetting;
	gint usb_address;
	gchar *usb_path;
	gint sim_presence;
} RemsimClientOptions;

static RemsimClientOptions opts = {
	.server_port = -1,
	.client_id = -1,
	.client_slot = -1,
	.usb_config = -1,
	.usb_interface = -1,
	.usb_altsetting = -1,
	.usb_address = -1,
	.sim_presence = -1,
};

static const GOptionEntry option_entries[] = {
	{ "server-ip", 'i', 0, G_OPTION_ARG_STRING, &opts.server_ip,
	  N_("Server address (default 127.0.0.1)"), N_("HOST") },
	{ "server-port", 'p', 0, G_OPTION_ARG_INT, &opts.server_port,
	  N_("Server RSPRO port (default 9998)"), N_("PORT") },
	{ "client-id", 'c', 0, G_OPTION_ARG_INT, &opts.client_id, N_("Own client id (default 0)"),
	  N_("N") },
	{ "client-slot", 'n', 0, G_OPTION_ARG_INT, &opts.client_slot,
	  N_("Own client slot number (default 0)"), N_("N") },
	{ "atr", 'a', 0, G_OPTION_ARG_STRING, &opts.atr,
	  N_("ATR shown before the bank's (default 3B 00)"), N_("HEX") },
	{ "atr-ignore-rspro", 'r', 0, G_OPTION_ARG_NONE, &opts.atr_ignore_rspro,
	  N_("Keep the local ATR; ignore the bank's setAtrReq"), NULL },
	{ "event-script", 'e', 0, G_OPTION_ARG_STRING, &opts.event_script,
	  N_("Run CMD <cause> on events"), N_("CMD") },
	{ "frontend", 0, 0, G_OPTION_ARG_STRING, &opts.frontend,
	  N_("Modem side: shell (default), vpcd or simtrace2"), N_("NAME") },
	{ "config", 0, 0, G_OPTION_ARG_FILENAME, &opts.config_path,
	  N_("Configuration file (default " REMSIM_SYSCONFDIR "/client.conf)"), N_("FILE") },
	{ "session", 0, 0, G_OPTION_ARG_NONE, &opts.session,
	  N_("Use the session bus instead of the system bus"), NULL },
	{ "no-dbus", 0, 0, G_OPTION_ARG_NONE, &opts.no_dbus, N_("Do not use D-Bus at all"), NULL },
	{ "version", 'v', 0, G_OPTION_ARG_NONE, &opts.version, N_("Print the version"), NULL },
	{ "debug", 'd', 0, G_OPTION_ARG_STRING, &opts.debug,
	  N_("Log debug messages (upstream's mask is accepted)"), N_("MASK") },
	{ "disable-color", 'L', 0, G_OPTION_ARG_NONE, &opts.no_color,
	  N_("Accepted for compatibility"), NULL },
	{ "usb-vendor", 'V', 0, G_OPTION_ARG_STRING, &opts.usb_vendor,
	  N_("SIMtrace2: USB vendor id"), N_("HEX") },
	{ "usb-product", 'P', 0, G_OPTION_ARG_STRING, &opts.usb_product,
	  N_("SIMtrace2: USB product id"), N_("HEX") },
	{ "usb-config", 'C', 0, G_OPTION_ARG_INT, &opts.usb_config,
	  N_("SIMtrace2: USB configuration"), N_("N") },
	{ "usb-interface", 'I', 0, G_OPTION_ARG_INT, &opts.usb_interface,
	  N_("SIMtrace2: USB interface (modem slot)"), N_("N") },
	{ "usb-altsetting", 'S', 0, G_OPTION_ARG_INT, &opts.usb_altsetting,
	  N_("SIMtrace2: USB alternate setting"), N_("N") },
	{ "usb-address", 'A', 0, G_OPTION_ARG_INT, &opts.usb_address,
	  N_("SIMtrace2: USB device address"), N_("N") },
	{ "usb-path", 'H', 0, G_OPTION_ARG_STRING, &opts.usb_path,
	  N_("SIMtrace2: USB port path, e.g. 2-1.1"), N_("PATH") },
	{ "sim-presence", 'Z', 0, G_OPTION_ARG_INT, &opts.sim_presence,
	  N_("SIMtrace2: SIM presence polarity"), N_("N") },
	{ NULL },
};

static void
remsim_client_main_options_clear(void)
{
	g_free(opts.server_ip);
	g_free(opts.atr);
	g_free(opts.event_script);
	g_free(opts.frontend);
	g_free(opts.config_path);
	g_free(opts.debug);
	g_free(opts.usb_vendor);
	g_free(opts.usb_product);
	g_free(opts.usb_path);
}

static void
remsim_client_main_set_int_override(RemsimClientConfig *config, const gchar *key, gint value)
{
	g_autofree gchar *text = NULL;

	if (value < 0)
		return;
	text = g_strdup_printf("%d", value);
	remsim_client_config_set_override(config, key, text);
}

static void
remsim_client_main_apply_options(RemsimClientConfig *config)
{
	if (opts.server_ip != NULL)
		remsim_client_config_set_override(config, "server-host", opts.server_ip);
	remsim_client_main_set_int_override(config, "server-port", opts.server_port);
	remsim_client_main_set_int_override(config, "client-id", opts.client_id);
	remsim_client_main_set_int_override(config, "client-slot", opts.client_slot);
	if (opts.atr != NULL)
		remsim_client_config_set_override(config, "atr", opts.atr);
	if (opts.atr_ignore_rspro)
		remsim_client_config_set_override(config, "atr-ignore-rspro", "true");
	if (opts.event_script != NULL)
		remsim_client_config_set_override(config, "event-script", opts.event_script);
	if (opts.frontend != NULL)
		remsim_client_config_set_override(config, "frontend", opts.frontend);
	if (opts.usb_vendor != NULL)
		remsim_client_config_set_override(config, "usb-vendor", opts.usb_vendor);
	if (opts.usb_product != NULL)
		remsim_client_config_set_override(config, "usb-product", opts.usb_product);
	if (opts.usb_path != NULL)
		remsim_client_config_set_override(config, "usb-path", opts.usb_path);
	remsim_client_main_set_int_override(config, "usb-config", opts.usb_config);
	remsim_client_main_set_int_override(config, "usb-interface", opts.usb_interface);
	remsim_client_main_set_int_override(config, "usb-altsetting", opts.usb_altsetting);
	remsim_client_main_set_int_override(config, "usb-address", opts.usb_address);
	remsim_client_main_set_int_override(config, "sim-presence", opts.sim_presence);
}

static gboolean
remsim_client_main_quit_cb(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_CONTINUE;
}

static void
remsim_client_main_finished_cb(RemsimClient *client, gpointer user_data)
{
	g_main_loop_quit(user_data);
}

static gint
remsim_client_main_run(RemsimClientConfig *config)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimClient) client = NULL;
	g_autoptr(RemsimClientDbus) dbus = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	guint sigint_id, sigterm_id;

	client = remsim_client_new(config, &error);
	if (client == NULL) {
		g_printerr("remsim-client: %s\n", error->message);
		return EXIT_FAILURE;
	}
	g_signal_connect(client, "finished", G_CALLBACK(remsim_client_main_finished_cb), loop);
	if (!remsim_client_start(client, &error)) {
		g_printerr("remsim-client: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (!opts.no_dbus) {
		dbus = remsim_client_dbus_new(client);
		remsim_client_dbus_start(dbus,
					 opts.session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM);
	}
	sigint_id = g_unix_signal_add(SIGINT, remsim_client_main_quit_cb, loop);
	sigterm_id = g_unix_signal_add(SIGTERM, remsim_client_main_quit_cb, loop);
	g_main_loop_run(loop);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	remsim_client_stop(client);
	/* a lost device ends us with an error, so that systemd starts us again */
	return remsim_client_get_failed(client) ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimClientConfig) config = NULL;
	gint status;

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	/* a shell user who closes our stdout must not kill the relay mid-write */
	signal(SIGPIPE, SIG_IGN);

	ctx = g_option_context_new(NULL);
	g_option_context_set_summary(ctx, _("remsim-client: use a SIM card in a remote bank"));
	g_option_context_add_main_entries(ctx, option_entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("remsim-client: %s\n", error->message);
		remsim_client_main_options_clear();
		return 2;
	}
	if (argc > 1) {
		g_printerr(_("remsim-client: unexpected argument “%s”\n"), argv[1]);
		remsim_client_main_options_clear();
		return 2;
	}
	if (opts.version) {
		g_print("remsim-client %s\n", PACKAGE_VERSION);
		remsim_client_main_options_clear();
		return EXIT_SUCCESS;
	}
	if (opts.debug != NULL)
		g_log_set_debug_enabled(TRUE);

	config = remsim_client_config_new();
	if (!remsim_client_config_load(
		config, opts.config_path ? opts.config_path : REMSIM_SYSCONFDIR "/client.conf",
		opts.config_path != NULL, &error)) {
		g_printerr("remsim-client: %s\n", error->message);
		remsim_client_main_options_clear();
		return EXIT_FAILURE;
	}
	remsim_client_main_apply_options(config);
	status = remsim_client_main_run(config);
	remsim_client_main_options_clear();
	return status;
}
