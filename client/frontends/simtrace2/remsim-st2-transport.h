/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimSt2Transport: the seam under the SIMtrace2 front end. It carries whole
 * host→device messages out and hands up what each IN transfer brought. The USB
 * implementation is RemsimSt2Usb; tests put a firmware simulator here.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define REMSIM_TYPE_ST2_TRANSPORT (remsim_st2_transport_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimSt2Transport, remsim_st2_transport, REMSIM, ST2_TRANSPORT, GObject)

struct _RemsimSt2TransportClass {
	GObjectClass parent_class;

	gboolean (*open)(RemsimSt2Transport *self, GError **error);
	/* queue one or more whole messages for the bulk OUT endpoint; never blocks */
	void (*send)(RemsimSt2Transport *self, GBytes *data);
	void (*close)(RemsimSt2Transport *self);
	/* "NAME=value" entries for the event script (REMSIM_USB_PATH ...), may be NULL */
	gchar **(*get_script_vars)(RemsimSt2Transport *self);

	gpointer padding[8];
};

gboolean remsim_st2_transport_open(RemsimSt2Transport *self, GError **error);
void remsim_st2_transport_send(RemsimSt2Transport *self, GBytes *data);
void remsim_st2_transport_close(RemsimSt2Transport *self);
gchar **remsim_st2_transport_get_script_vars(RemsimSt2Transport *self);

/* for implementations */
void remsim_st2_transport_emit_received(RemsimSt2Transport *self, gboolean interrupt, GBytes *data);
void remsim_st2_transport_emit_failed(RemsimSt2Transport *self, const GError *error);

/*
 * Signals:
 *  ::received (gboolean interrupt, GBytes *data) — one IN transfer, from the
 *   interrupt endpoint or the bulk one.
 *  ::failed (GError *error) — the device is gone or a transfer failed; nothing
 *   more will be received.
 */

G_END_DECLS
