/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientFrontendShell: hex command APDUs on a text stream (stdin), responses
 * printed as upstream's shell client prints them ("SET_ATR: 3b 00 ",
 * "R-APDU: 90 00 "). For scripts, tests and the quick-start demo.
 */
#pragma once

#include "remsim-client-frontend.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_FRONTEND_SHELL (remsim_client_frontend_shell_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientFrontendShell, remsim_client_frontend_shell, REMSIM,
		     CLIENT_FRONTEND_SHELL, RemsimClientFrontend)

/* reads stdin, writes stdout */
RemsimClientFrontend *remsim_client_frontend_shell_new(void);
/* reads @input, writes @output: GUnixInputStream and GUnixOutputStream (tests) */
RemsimClientFrontend *remsim_client_frontend_shell_new_for_streams(GInputStream *input,
								   GOutputStream *output);

/* "3b 00 " (upstream's osmo_hexdump: every byte followed by a space) */
gchar *remsim_client_frontend_shell_format_hex(GBytes *bytes);
/* hex digits with any white space between bytes; NULL with @error when not hex */
GBytes *remsim_client_frontend_shell_parse_hex(const gchar *text, GError **error);

G_END_DECLS
