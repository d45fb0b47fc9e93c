/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-transport.h"

G_DEFINE_ABSTRACT_TYPE(RemsimCcidTransport, remsim_ccid_transport, G_TYPE_OBJECT)

enum { SIGNAL_DEVICE_ADDED, SIGNAL_DEVICE_REMOVED, N_SIGNALS };
static guint remsim_ccid_transport_signals[N_SIGNALS];

static void
remsim_ccid_transport_class_init(RemsimCcidTransportClass *klass)
{
	remsim_ccid_transport_signals[SIGNAL_DEVICE_ADDED] =
	    g_signal_new("device-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
	remsim_ccid_transport_signals[SIGNAL_DEVICE_REMOVED] =
	    g_signal_new("device-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
remsim_ccid_transport_init(RemsimCcidTransport *self)
{
}

gboolean
remsim_ccid_transport_start(RemsimCcidTransport *self, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CCID_TRANSPORT(self), FALSE);
	return REMSIM_CCID_TRANSPORT_GET_CLASS(self)->start(self, error);
}

gboolean
remsim_ccid_transport_open(RemsimCcidTransport *self, guint device, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CCID_TRANSPORT(self), FALSE);
	return REMSIM_CCID_TRANSPORT_GET_CLASS(self)->open(self, device, error);
}

void
remsim_ccid_transport_close(RemsimCcidTransport *self, guint device)
{
	g_return_if_fail(REMSIM_IS_CCID_TRANSPORT(self));
	REMSIM_CCID_TRANSPORT_GET_CLASS(self)->close(self, device);
}

void
remsim_ccid_transport_transfer_async(RemsimCcidTransport *self, guint device,
				     const RemsimCcidTransfer *transfer, GCancellable *cancellable,
				     GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(REMSIM_IS_CCID_TRANSPORT(self));
	g_return_if_fail(transfer->timeout_ms > 0);
	REMSIM_CCID_TRANSPORT_GET_CLASS(self)->transfer_async(self, device, transfer, cancellable,
							      callback, user_data);
}

GBytes *
remsim_ccid_transport_transfer_finish(RemsimCcidTransport *self, GAsyncResult *result,
				      GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CCID_TRANSPORT(self), NULL);
	return REMSIM_CCID_TRANSPORT_GET_CLASS(self)->transfer_finish(self, result, error);
}

void
remsim_ccid_transport_emit_device_added(RemsimCcidTransport *self, const RemsimCcidDeviceInfo *info)
{
	g_signal_emit(self, remsim_ccid_transport_signals[SIGNAL_DEVICE_ADDED], 0, info);
}

void
remsim_ccid_transport_emit_device_removed(RemsimCcidTransport *self, guint device)
{
	g_signal_emit(self, remsim_ccid_transport_signals[SIGNAL_DEVICE_REMOVED], 0, device);
}
