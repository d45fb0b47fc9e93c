/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RemsimClientSt2Usb: the SIMtrace2 transport over libusb-1.0, driven by the GLib main loop. */
#pragma once

#include "remsim-config.h"
#include "remsim-client-st2-transport.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_ST2_USB (remsim_client_st2_usb_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientSt2Usb, remsim_client_st2_usb, REMSIM, CLIENT_ST2_USB,
		     RemsimClientSt2Transport)

/* bulk IN transfers kept in flight: upstream lost data after PTS with fewer */
#define REMSIM_CLIENT_ST2_USB_IN_TRANSFERS 4
#define REMSIM_CLIENT_ST2_USB_IN_SIZE 4096

/*
 * Device selection from @config: usb-vendor, usb-product (hex; default: any
 * SIMtrace2-family device), usb-config, usb-interface, usb-altsetting,
 * usb-address, usb-path ("2-1.1"). Nothing is opened before open().
 */
RemsimClientSt2Transport *remsim_client_st2_usb_new(RemsimConfig *config, const gchar *group);

G_END_DECLS
