/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-client: the command line and the config file (remsim-client-config.c), then the slots. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "remsim-client-dbus.h"
#include "remsim-client.h"
#include "remsim-daemon.h"

static void
remsim_client_main_finished_cb(RemsimClient *client, gpointer user_data)
{
	g_main_loop_quit(user_data);
}

static gint
remsim_client_main_run(RemsimConfig *config)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimClient) client = NULL;
	g_autoptr(RemsimClientDbus) dbus = NULL;
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
		return EXIT_FAILURE;
	}
	if (bus != G_BUS_TYPE_NONE) {
		dbus = remsim_client_dbus_new(client);
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
	gint status;

	remsim_daemon_init_i18n();
	/* a shell user who closes our stdout must not kill the relay mid-write */
	signal(SIGPIPE, SIG_IGN);
	config = remsim_client_config_parse(&argc, &argv, &status, &error);
	if (config == NULL) {
		if (error != NULL)
			g_printerr("remsim-client: %s\n", error->message);
		return status;
	}
	return remsim_client_main_run(config);
}
