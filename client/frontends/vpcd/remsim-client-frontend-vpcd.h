/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientFrontendVpcd: the remote card as a vsmartcard virtual card (vicc). The
 * front end dials vpcd, the driver inside pcscd (TCP, 2-byte length framing),
 * while a card is mapped, so the card appears in a PC/SC reader.
 */
#pragma once

#include "remsim-client-frontend.h"

G_BEGIN_DECLS

#define REMSIM_VPCD_DEFAULT_PORT 35963

#define REMSIM_TYPE_CLIENT_FRONTEND_VPCD (remsim_client_frontend_vpcd_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientFrontendVpcd, remsim_client_frontend_vpcd, REMSIM,
		     CLIENT_FRONTEND_VPCD, RemsimClientFrontend)

/* keys: vpcd-host (default 127.0.0.1), vpcd-port (default 35963) */
RemsimClientFrontend *remsim_client_frontend_vpcd_new(RemsimConfig *config, const gchar *group,
						      GError **error);

G_END_DECLS
