/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCcidUsb: the transport to real readers, libusb-1.0 run asynchronously
 * inside the GLib main loop. libusb's file descriptors (and, where libusb
 * cannot put its timeouts into one, its next timeout) make one GSource: no
 * thread, no polling. Readers come and go through libusb hotplug.
 */
#pragma once

#include "remsim-ccid-transport.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CCID_USB (remsim_ccid_usb_get_type())
G_DECLARE_FINAL_TYPE(RemsimCcidUsb, remsim_ccid_usb, REMSIM, CCID_USB, RemsimCcidTransport)

RemsimCcidTransport *remsim_ccid_usb_new(void);

G_END_DECLS
