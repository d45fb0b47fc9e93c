/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientFrontendIfd: the modem side as a PC/SC reader inside pcscd. The slot
 * and this object live on a worker thread's main context; pcscd's threads call
 * the *_sync functions, which hand work to that context and wait with a
 * deadline, so a lost answer never blocks pcscd for good.
 */
#pragma once

#include "remsim-client-frontend.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_FRONTEND_IFD (remsim_client_frontend_ifd_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientFrontendIfd, remsim_client_frontend_ifd, REMSIM,
		     CLIENT_FRONTEND_IFD, RemsimClientFrontend)

/* how long a transmit waits for the card's answer */
#define REMSIM_CLIENT_IFD_TRANSMIT_TIMEOUT_MS 30000

typedef enum {
	REMSIM_CLIENT_IFD_OK,
	REMSIM_CLIENT_IFD_NO_CARD,
	REMSIM_CLIENT_IFD_TIMEOUT,
} RemsimClientIfdResult;

/* @context: the worker's main context, where signals are emitted */
RemsimClientFrontend *remsim_client_frontend_ifd_new(GMainContext *context);

/* from any thread: a card is mapped and its ATR is known */
gboolean remsim_client_frontend_ifd_is_present(RemsimClientFrontendIfd *self);
/* from any thread: a copy of the current ATR, or NULL */
GBytes *remsim_client_frontend_ifd_dup_atr(RemsimClientFrontendIfd *self);
/* from any thread: power changes as upstream's driver reports them */
void remsim_client_frontend_ifd_power_up(RemsimClientFrontendIfd *self);
void remsim_client_frontend_ifd_power_down(RemsimClientFrontendIfd *self);
void remsim_client_frontend_ifd_reset(RemsimClientFrontendIfd *self);
/* from a pcscd thread: one APDU to the card and its answer */
RemsimClientIfdResult remsim_client_frontend_ifd_transmit_sync(RemsimClientFrontendIfd *self,
							       GBytes *apdu, guint timeout_ms,
							       GBytes **response);

G_END_DECLS
