/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientFrontendSimtrace2: a modem's SIM slot driven by a SIMtrace2-family card
 * emulator. It turns the firmware's T=0 pieces (header, procedure bytes, data)
 * into whole command TPDUs and the card's responses back into T=0.
 */
#pragma once

#include "remsim-client-frontend.h"
#include "remsim-client-st2-transport.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_FRONTEND_SIMTRACE2 (remsim_client_frontend_simtrace2_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientFrontendSimtrace2, remsim_client_frontend_simtrace2, REMSIM,
		     CLIENT_FRONTEND_SIMTRACE2, RemsimClientFrontend)

/* how long the modem reset line is pulsed, as upstream */
#define REMSIM_CLIENT_ST2_MODEM_RESET_PULSE_MS 300

/*
 * Over USB. Keys: usb-vendor, usb-product (hex), usb-config, usb-interface,
 * usb-altsetting, usb-address, usb-path, sim-presence (1 high / 0 low).
 */
RemsimClientFrontend *remsim_client_frontend_simtrace2_new(RemsimConfig *config, const gchar *group,
							   GError **error);
/* over any transport (tests); @sim_presence < 0 leaves the firmware's default */
RemsimClientFrontend *
remsim_client_frontend_simtrace2_new_for_transport(RemsimClientSt2Transport *transport,
						   gint sim_presence);

/* messages from the device that could not be used, for tests and logs */
guint remsim_client_frontend_simtrace2_get_errors(RemsimClientFrontendSimtrace2 *self);

G_END_DECLS
