/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimFrontend: the modem side of one client slot. A front end presents the
 * remote card to a modem (or a PC/SC stack, or a shell) and reports what the
 * modem does: command TPDUs and changes of reset, VCC and clock.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-client-config.h"
#include "rspro-pdu.h"

G_BEGIN_DECLS

#define REMSIM_FRONTEND_ERROR (remsim_frontend_error_quark())
GQuark remsim_frontend_error_quark(void);

typedef enum {
	REMSIM_FRONTEND_ERROR_FAILED,
	REMSIM_FRONTEND_ERROR_UNKNOWN, /* no front end of that name */
	REMSIM_FRONTEND_ERROR_CONFIG,  /* a bad setting for this front end */
} RemsimFrontendError;

/* upstream (HEAD) relays only command TPDUs of this size: a header plus up to 255 bytes */
#define REMSIM_TPDU_MIN 5
#define REMSIM_TPDU_MAX 260

#define REMSIM_TYPE_FRONTEND (remsim_frontend_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimFrontend, remsim_frontend, REMSIM, FRONTEND, GObject)

/**
 * RemsimFrontendClass:
 * @start: begin serving the modem side; called once, on the main context
 * @stop: release the modem side; no signal fires afterwards
 * @set_atr: the ATR the modem side should see from now on
 * @receive_response: a tpduCardToModem payload for the last command
 * @set_card_present: the card appears (remote card usable) or disappears
 * @set_sim_remote: switch the modem to the remote (TRUE) or local SIM
 * @reset_modem: ask the modem to restart
 * @get_script_vars: extra event script variables, or NULL
 *
 * Only @receive_response is mandatory; the other requests are ignored by
 * front ends that cannot act on them (the shell has no modem to reset).
 */
struct _RemsimFrontendClass {
	GObjectClass parent_class;

	gboolean (*start)(RemsimFrontend *self, GError **error);
	void (*stop)(RemsimFrontend *self);
	void (*set_atr)(RemsimFrontend *self, GBytes *atr);
	void (*receive_response)(RemsimFrontend *self, GBytes *data);
	void (*set_card_present)(RemsimFrontend *self, gboolean present);
	void (*set_sim_remote)(RemsimFrontend *self, gboolean remote);
	void (*reset_modem)(RemsimFrontend *self);
	/* extra "NAME=value" entries for the event script (REMSIM_USB_PATH ...) */
	gchar **(*get_script_vars)(RemsimFrontend *self);

	gpointer padding[7];
};

/* "shell", "vpcd" or "simtrace2"; @group is the config group of this slot (may be NULL) */
RemsimFrontend *remsim_frontend_new(const gchar *name, RemsimClientConfig *config,
				    const gchar *group, GError **error);
/* the names remsim_frontend_new() knows, NULL-terminated */
const gchar *const *remsim_frontend_list_names(void);

gboolean remsim_frontend_start(RemsimFrontend *self, GError **error);
void remsim_frontend_stop(RemsimFrontend *self);
void remsim_frontend_set_atr(RemsimFrontend *self, GBytes *atr);
void remsim_frontend_receive_response(RemsimFrontend *self, GBytes *data);
void remsim_frontend_set_card_present(RemsimFrontend *self, gboolean present);
void remsim_frontend_set_sim_remote(RemsimFrontend *self, gboolean remote);
void remsim_frontend_reset_modem(RemsimFrontend *self);

/* the ATR last given to set_atr, or NULL */
GBytes *remsim_frontend_get_atr(RemsimFrontend *self);
gboolean remsim_frontend_get_card_present(RemsimFrontend *self);
/* the modem status last reported with ::status-changed (all FALSE before) */
const RsproSlotPhysStatus *remsim_frontend_get_status(RemsimFrontend *self);
gboolean remsim_frontend_get_finished(RemsimFrontend *self);
/* the error that ended the front end (::finished after a failure), or NULL */
const GError *remsim_frontend_get_error(RemsimFrontend *self);
/* NULL-terminated, possibly empty */
gchar **remsim_frontend_get_script_vars(RemsimFrontend *self);

/* for subclasses: emit the signals */
void remsim_frontend_emit_command(RemsimFrontend *self, GBytes *tpdu);
void remsim_frontend_emit_status(RemsimFrontend *self, const RsproSlotPhysStatus *status);
void remsim_frontend_emit_finished(RemsimFrontend *self);
/* the modem side is lost for good (a USB device unplugged): logs and ends */
void remsim_frontend_emit_failed(RemsimFrontend *self, const GError *error);

/*
 * Signals:
 *  ::command (GBytes *tpdu) — the modem sent a command TPDU.
 *  ::status-changed (gpointer status) — a const RsproSlotPhysStatus *: reset, VCC or
 *   clock changed.
 *  ::finished — the front end has nothing more to do (the shell at end of input,
 *   after its last response); the daemon may exit.
 */

G_END_DECLS
