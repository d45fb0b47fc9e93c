/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a transport knows of a USB device with a smart-card interface before
 * opening it: ids, port path, the interface and its class descriptors, the
 * string indexes to ask for. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	guint id; /* unique within its transport while the device is there */
	guint16 vendor;
	guint16 product;
	gchar *usb_path; /* "BUS-PORT.PORT...", as in sysfs */
	guint8 interface_number;
	guint8 interface_class;
	guint8 interface_subclass;
	guint8 interface_protocol;
	guint8 i_manufacturer, i_product, i_serial, i_interface; /* 0: none */
	gboolean has_interrupt;
	GBytes *extra; /* the interface's class-specific descriptors */
} RemsimCcidDeviceInfo;

RemsimCcidDeviceInfo *remsim_ccid_device_info_copy(const RemsimCcidDeviceInfo *info);
void remsim_ccid_device_info_free(RemsimCcidDeviceInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCcidDeviceInfo, remsim_ccid_device_info_free)

G_END_DECLS
