/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-device-info.h"

RemsimCcidDeviceInfo *
remsim_ccid_device_info_copy(const RemsimCcidDeviceInfo *info)
{
	RemsimCcidDeviceInfo *copy = g_new(RemsimCcidDeviceInfo, 1);

	*copy = *info;
	copy->usb_path = g_strdup(info->usb_path);
	copy->extra = info->extra != NULL ? g_bytes_ref(info->extra) : g_bytes_new(NULL, 0);
	return copy;
}

void
remsim_ccid_device_info_free(RemsimCcidDeviceInfo *info)
{
	if (info == NULL)
		return;
	g_free(info->usb_path);
	g_clear_pointer(&info->extra, g_bytes_unref);
	g_free(info);
}
