/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCcidTransport: the seam under the CCID protocol code. One interface
 * for everything the protocol needs of USB: devices coming and going
 * (::device-added with a RemsimCcidDeviceInfo, ::device-removed with its id),
 * opening a device's smart-card interface, and bulk OUT, bulk IN, interrupt
 * IN and control transfers, each with a timeout. RemsimCcidUsb is libusb;
 * RemsimCcidSocket is a CCID device simulator behind a socket. Everything
 * completes on the thread-default main context of start(); nothing blocks.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-ccid-device-info.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_CCID_TRANSFER_BULK_OUT,
	REMSIM_CCID_TRANSFER_BULK_IN,
	REMSIM_CCID_TRANSFER_INTERRUPT_IN,
	REMSIM_CCID_TRANSFER_CONTROL,
} RemsimCcidTransferKind;

/*
 * One transfer. BULK_OUT sends @data. BULK_IN and INTERRUPT_IN take up to
 * @length bytes. CONTROL sends the @setup packet (its wLength says how much
 * comes back for an IN request) and @data for an OUT request.
 */
typedef struct {
	RemsimCcidTransferKind kind;
	GBytes *data;
	gsize length;
	guint8 setup[8];
	guint timeout_ms; /* 0 is not allowed: every transfer ends */
} RemsimCcidTransfer;

#define REMSIM_TYPE_CCID_TRANSPORT (remsim_ccid_transport_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimCcidTransport, remsim_ccid_transport, REMSIM, CCID_TRANSPORT,
			 GObject)

struct _RemsimCcidTransportClass {
	GObjectClass parent_class;

	/* announce the devices there now, then follow hotplug; FALSE if it cannot start */
	gboolean (*start)(RemsimCcidTransport *self, GError **error);
	gboolean (*open)(RemsimCcidTransport *self, guint device, GError **error);
	/* cancels the device's transfers, releases it; never fails */
	void (*close)(RemsimCcidTransport *self, guint device);
	void (*transfer_async)(RemsimCcidTransport *self, guint device,
			       const RemsimCcidTransfer *transfer, GCancellable *cancellable,
			       GAsyncReadyCallback callback, gpointer user_data);
	GBytes *(*transfer_finish)(RemsimCcidTransport *self, GAsyncResult *result, GError **error);

	gpointer padding[8];
};

gboolean remsim_ccid_transport_start(RemsimCcidTransport *self, GError **error);
gboolean remsim_ccid_transport_open(RemsimCcidTransport *self, guint device, GError **error);
void remsim_ccid_transport_close(RemsimCcidTransport *self, guint device);

/*
 * Any transfer. Completes with what an IN transfer brought (empty for OUT), or
 * an error: REMSIM_CCID_ERROR_TIMEOUT, _NO_DEVICE, _IO, or G_IO_ERROR_CANCELLED.
 */
void remsim_ccid_transport_transfer_async(RemsimCcidTransport *self, guint device,
					  const RemsimCcidTransfer *transfer,
					  GCancellable *cancellable, GAsyncReadyCallback callback,
					  gpointer user_data);
GBytes *remsim_ccid_transport_transfer_finish(RemsimCcidTransport *self, GAsyncResult *result,
					      GError **error);

/* for implementations */
void remsim_ccid_transport_emit_device_added(RemsimCcidTransport *self,
					     const RemsimCcidDeviceInfo *info);
void remsim_ccid_transport_emit_device_removed(RemsimCcidTransport *self, guint device);

G_END_DECLS
