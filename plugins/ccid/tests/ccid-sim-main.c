/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-ccid-sim: the CCID device simulator as a program, for a real
 * remsim-bankd (the ccid backend's "simulator" key names its socket):
 *   remsim-ccid-sim --socket PATH --profile CARD.json [--slots N]
 *                   [--level tpdu|short|extended] [--protocol 0|1]
 * One reader ("Remsim CCID Simulator", serial SIM0001) with a simulated SIM
 * from the profile in each slot. Runs until SIGTERM or SIGINT.
 */
#include "config.h"

#include <glib-unix.h>
#include <stdlib.h>

#include "ccid-sim.h"

static gboolean
quit_cb(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	g_autofree gchar *socket_path = NULL;
	g_autofree gchar *profile = NULL;
	g_autofree gchar *level = NULL;
	gint slots = 1, protocol = 0;
	GOptionEntry entries[] = {
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path, "Unix socket to listen on",
		  "PATH" },
		{ "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, "card profile (JSON)", "FILE" },
		{ "slots", 0, 0, G_OPTION_ARG_INT, &slots, "slots of the reader (1..8)", "N" },
		{ "level", 0, 0, G_OPTION_ARG_STRING, &level, "tpdu, short or extended", "LEVEL" },
		{ "protocol", 0, 0, G_OPTION_ARG_INT, &protocol, "card protocol, 0 or 1", "T" },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new("- CCID device simulator");
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	CcidSimDeviceSpec spec = {
		.vendor = 0x1d50,
		.product = 0x0001,
		.manufacturer = "Remsim",
		.product_name = "CCID Simulator",
		.serial = "SIM0001",
		.level = REMSIM_CCID_LEVEL_SHORT_APDU,
		.voltages =
		    REMSIM_CCID_VOLTAGE_5V | REMSIM_CCID_VOLTAGE_3V | REMSIM_CCID_VOLTAGE_1V8,
		.max_message_length = 271,
		.max_busy_slots = 8,
	};
	CcidSim *sim;
	guint dev;

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error) || socket_path == NULL ||
	    profile == NULL) {
		g_printerr("%s\n",
			   error != NULL ? error->message : "--socket and --profile needed");
		return 2;
	}
	if (g_strcmp0(level, "tpdu") == 0)
		spec.level = REMSIM_CCID_LEVEL_TPDU;
	else if (g_strcmp0(level, "extended") == 0)
		spec.level = REMSIM_CCID_LEVEL_EXTENDED_APDU;
	spec.n_slots = (guint)CLAMP(slots, 1, 8);
	sim = ccid_sim_new(socket_path, &error);
	if (sim == NULL) {
		g_printerr("%s: %s\n", socket_path, error->message);
		return 1;
	}
	dev = ccid_sim_add_device(sim, &spec);
	for (guint i = 0; i < spec.n_slots; i++) {
		g_autoptr(RemsimSimcardCard) card =
		    remsim_simcard_card_new_from_file(profile, &error);

		if (card == NULL) {
			g_printerr("%s\n", error->message);
			ccid_sim_free(sim);
			return 1;
		}
		ccid_sim_insert(sim, dev, i, card, (guint)protocol, 0);
	}
	g_unix_signal_add(SIGTERM, quit_cb, loop);
	g_unix_signal_add(SIGINT, quit_cb, loop);
	g_main_loop_run(loop);
	ccid_sim_free(sim);
	return 0;
}
