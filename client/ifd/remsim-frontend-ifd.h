/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimFrontendIfd: the modem side as a PC/SC reader inside pcscd. The slot
 * and this object live on a worker thread's main context; pcscd's threads call
 * the *_sync functions, which hand work to that context and wait with a
 * deadline, so a lost answer never blocks pcscd for good.
 */
#pragma once

#include "remsim-frontend.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_FRONTEND_IFD (remsim_frontend_ifd_get_type())
G_DECLARE_FINAL_TYPE(RemsimFrontendIfd, remsim_frontend_ifd, REMSIM, FRONTEND_IFD, RemsimFrontend)

/* how long a transmit waits for the card's answer */
#define REMSIM_IFD_TRANSMIT_TIMEOUT_MS 30000

typedef enum {
	REMSIM_IFD_OK,
	REMSIM_IFD_NO_CARD,
	REMSIM_IFD_TIMEOUT,
} RemsimIfdResult;

/* @context: the worker's main context, where signals are emitted */
RemsimFrontend *remsim_frontend_ifd_new(GMainContext *context);

/* from any thread: a card is mapped and its ATR is known */
gboolean remsim_frontend_ifd_is_present(RemsimFrontendIfd *self);
/* from any thread: a copy of the current ATR, or NULL */
GBytes *remsim_frontend_ifd_dup_atr(RemsimFrontendIfd *self);
/* from any thread: power changes as upstream's driver reports them */
void remsim_frontend_ifd_power_up(RemsimFrontendIfd *self);
void remsim_frontend_ifd_power_down(RemsimFrontendIfd *self);
void remsim_frontend_ifd_reset(RemsimFrontendIfd *self);
/* from a pcscd thread: one APDU to the card and its answer */
RemsimIfdResult remsim_frontend_ifd_transmit_sync(RemsimFrontendIfd *self, GBytes *apdu,
						  guint timeout_ms, GBytes **response);

G_END_DECLS
