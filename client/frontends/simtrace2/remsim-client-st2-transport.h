/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientSt2Transport: the seam under the SIMtrace2 front end. It carries whole
 * host→device messages out and hands up what each IN transfer brought. The USB
 * implementation is RemsimClientSt2Usb; tests put a firmware simulator here.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_ST2_TRANSPORT (remsim_client_st2_transport_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimClientSt2Transport, remsim_client_st2_transport, REMSIM,
			 CLIENT_ST2_TRANSPORT, GObject)

struct _RemsimClientSt2TransportClass {
	GObjectClass parent_class;

	gboolean (*open)(RemsimClientSt2Transport *self, GError **error);
	/* queue one or more whole messages for the bulk OUT endpoint; never blocks */
	void (*send)(RemsimClientSt2Transport *self, GBytes *data);
	void (*close)(RemsimClientSt2Transport *self);
	/* "NAME=value" entries for the event script (REMSIM_USB_PATH ...), may be NULL */
	gchar **(*get_script_vars)(RemsimClientSt2Transport *self);

	gpointer padding[8];
};

gboolean remsim_client_st2_transport_open(RemsimClientSt2Transport *self, GError **error);
void remsim_client_st2_transport_send(RemsimClientSt2Transport *self, GBytes *data);
void remsim_client_st2_transport_close(RemsimClientSt2Transport *self);
gchar **remsim_client_st2_transport_get_script_vars(RemsimClientSt2Transport *self);

/* for implementations */
void remsim_client_st2_transport_emit_received(RemsimClientSt2Transport *self, gboolean interrupt,
					       GBytes *data);
void remsim_client_st2_transport_emit_failed(RemsimClientSt2Transport *self, const GError *error);

/*
 * Signals:
 *  ::received (gboolean interrupt, GBytes *data) — one IN transfer, from the
 *   interrupt endpoint or the bulk one.
 *  ::failed (GError *error) — the device is gone or a transfer failed; nothing
 *   more will be received.
 */

G_END_DECLS
