/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientFrontend: the modem side of one client slot. A front end presents the
 * remote card to a modem (or a PC/SC stack, or a shell) and reports what the
 * modem does: command TPDUs and changes of reset, VCC and clock.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-config.h"
#include "rspro-pdu.h"

G_BEGIN_DECLS

#define REMSIM_CLIENT_FRONTEND_ERROR (remsim_client_frontend_error_quark())
GQuark remsim_client_frontend_error_quark(void);

typedef enum {
	REMSIM_CLIENT_FRONTEND_ERROR_FAILED,
	REMSIM_CLIENT_FRONTEND_ERROR_UNKNOWN, /* no front end of that name */
	REMSIM_CLIENT_FRONTEND_ERROR_CONFIG,  /* a bad setting for this front end */
} RemsimClientFrontendError;

/* upstream (HEAD) relays only command TPDUs of this size: a header plus up to 255 bytes */
#define REMSIM_TPDU_MIN 5
#define REMSIM_TPDU_MAX 260

#define REMSIM_TYPE_CLIENT_FRONTEND (remsim_client_frontend_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimClientFrontend, remsim_client_frontend, REMSIM, CLIENT_FRONTEND,
			 GObject)

/**
 * RemsimClientFrontendClass:
 * @start: begin serving the modem side; called once, on the main context
 * @stop: release the modem side; no signal fires afterwards
 * @set_atr: the ATR the modem side should see from now on
 * @set_default_atr: the stand-in ATR (-a, or 3B 00) a modem needs before the
 *  bank's comes; NULL: @set_atr takes it too
 * @receive_response: a tpduCardToModem payload for the last command
 * @set_card_present: the card appears (remote card usable) or disappears
 * @set_sim_remote: switch the modem to the remote (TRUE) or local SIM
 * @reset_modem: ask the modem to restart
 * @get_script_vars: extra event script variables, or NULL
 *
 * Only @receive_response is mandatory; the other requests are ignored by
 * front ends that cannot act on them (the shell has no modem to reset).
 */
struct _RemsimClientFrontendClass {
	GObjectClass parent_class;

	gboolean (*start)(RemsimClientFrontend *self, GError **error);
	void (*stop)(RemsimClientFrontend *self);
	void (*set_atr)(RemsimClientFrontend *self, GBytes *atr);
	void (*receive_response)(RemsimClientFrontend *self, GBytes *data);
	void (*set_card_present)(RemsimClientFrontend *self, gboolean present);
	void (*set_sim_remote)(RemsimClientFrontend *self, gboolean remote);
	void (*reset_modem)(RemsimClientFrontend *self);
	/* extra "NAME=value" entries for the event script (REMSIM_USB_PATH ...) */
	gchar **(*get_script_vars)(RemsimClientFrontend *self);
	void (*set_default_atr)(RemsimClientFrontend *self, GBytes *atr);

	gpointer padding[6];
};

/* "shell", "vpcd" or "simtrace2"; @group is the config group of this slot (may be NULL) */
RemsimClientFrontend *remsim_client_frontend_new(const gchar *name, RemsimConfig *config,
						 const gchar *group, GError **error);
/* the names remsim_client_frontend_new() knows, NULL-terminated */
const gchar *const *remsim_client_frontend_list_names(void);

gboolean remsim_client_frontend_start(RemsimClientFrontend *self, GError **error);
void remsim_client_frontend_stop(RemsimClientFrontend *self);
void remsim_client_frontend_set_atr(RemsimClientFrontend *self, GBytes *atr);
void remsim_client_frontend_set_default_atr(RemsimClientFrontend *self, GBytes *atr);
void remsim_client_frontend_receive_response(RemsimClientFrontend *self, GBytes *data);
void remsim_client_frontend_set_card_present(RemsimClientFrontend *self, gboolean present);
void remsim_client_frontend_set_sim_remote(RemsimClientFrontend *self, gboolean remote);
void remsim_client_frontend_reset_modem(RemsimClientFrontend *self);

/* the ATR last given to set_atr or set_default_atr, or NULL */
GBytes *remsim_client_frontend_get_atr(RemsimClientFrontend *self);
gboolean remsim_client_frontend_get_card_present(RemsimClientFrontend *self);
/* the modem status last reported with ::status-changed (all FALSE before) */
const RsproSlotPhysStatus *remsim_client_frontend_get_status(RemsimClientFrontend *self);
gboolean remsim_client_frontend_get_finished(RemsimClientFrontend *self);
/* the error that ended the front end (::finished after a failure), or NULL */
const GError *remsim_client_frontend_get_error(RemsimClientFrontend *self);
/* NULL-terminated, possibly empty */
gchar **remsim_client_frontend_get_script_vars(RemsimClientFrontend *self);

/* for subclasses: emit the signals */
void remsim_client_frontend_emit_command(RemsimClientFrontend *self, GBytes *tpdu);
void remsim_client_frontend_emit_status(RemsimClientFrontend *self,
					const RsproSlotPhysStatus *status);
void remsim_client_frontend_emit_finished(RemsimClientFrontend *self);
/* the modem side is lost for good (a USB device unplugged): logs and ends */
void remsim_client_frontend_emit_failed(RemsimClientFrontend *self, const GError *error);

/*
 * Signals:
 *  ::command (GBytes *tpdu) — the modem sent a command TPDU.
 *  ::status-changed (gpointer status) — a const RsproSlotPhysStatus *: reset, VCC or
 *   clock changed.
 *  ::finished — the front end has nothing more to do (the shell at end of input,
 *   after its last response); the daemon may exit.
 */

G_END_DECLS
