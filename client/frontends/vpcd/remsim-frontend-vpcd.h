/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimFrontendVpcd: the remote card as a vsmartcard virtual card (vicc). The
 * front end dials vpcd, the driver inside pcscd (TCP, 2-byte length framing),
 * while a card is mapped, so the card appears in a PC/SC reader.
 */
#pragma once

#include "remsim-frontend.h"

G_BEGIN_DECLS

#define REMSIM_VPCD_DEFAULT_PORT 35963

#define REMSIM_TYPE_FRONTEND_VPCD (remsim_frontend_vpcd_get_type())
G_DECLARE_FINAL_TYPE(RemsimFrontendVpcd, remsim_frontend_vpcd, REMSIM, FRONTEND_VPCD,
		     RemsimFrontend)

/* keys: vpcd-host (default 127.0.0.1), vpcd-port (default 35963) */
RemsimFrontend *remsim_frontend_vpcd_new(RemsimClientConfig *config, const gchar *group,
					 GError **error);

G_END_DECLS
