/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real libusb transport (RemsimCcidUsb) against a CCID reader that
 * umockdev presents (umockdev preloaded, as umockdev-wrapper does): found by class through
 * libusb hotplug inside the GLib main loop, its class descriptor and ids
 * handed up, unplugged and plugged back. umockdev here has no usbdevfs URB
 * emulation of ours, so opening the device fails, cleanly: transfers over
 * real libusb are not tested (see README.md).
 */
#include "config.h"

#include <umockdev.h>

#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-usb.h"
#include "remsim-test-common.h"

/* a one-slot TPDU reader: device descriptor, then its configuration */
static guint8 descriptors[] = {
	18,   1,    0x00, 0x02, 0,    0,    0,	  64,	0x50, 0x1d, 0x01, 0x00, 0x00, 0x01,
	1,    2,    3,	  1,	9,    2,    93,	  0,	1,    1,    0,	  0x80, 50,   9,
	4,    0,    0,	  3,	0x0b, 0,    0,	  0,	54,   0x21, 0x10, 0x01, 0,    7,
	3,    0,    0,	  0,	0xc0, 0x12, 0,	  0,	0xc0, 0x12, 0,	  0,	0,    0x67,
	0x32, 0,    0,	  0xce, 0x99, 0xcc, 0x0c, 0,	0xfe, 0,    0,	  0,	0,    0,
	0,    0,    0,	  0,	0,    0,    0xba, 0x04, 0x01, 0,    0x0f, 0x01, 0,    0,
	0,    0,    0,	  0,	0,    1,    7,	  5,	0x01, 2,    64,	  0,	0,    7,
	5,    0x82, 2,	  64,	0,    0,    7,	  5,	0x83, 3,    8,	  0,	16,
};

typedef struct {
	GPtrArray *added; /* RemsimCcidDeviceInfo */
	GArray *removed;  /* guint */
} Events;

static void
added_cb(RemsimCcidTransport *t, gpointer info, gpointer user_data)
{
	g_ptr_array_add(((Events *)user_data)->added, remsim_ccid_device_info_copy(info));
}

static void
removed_cb(RemsimCcidTransport *t, guint id, gpointer user_data)
{
	g_array_append_val(((Events *)user_data)->removed, id);
}

static gboolean
added_n(gpointer data)
{
	Events *e = ((gpointer *)data)[0];

	return e->added->len >= GPOINTER_TO_UINT(((gpointer *)data)[1]);
}

static gboolean
removed_one(gpointer data)
{
	return ((Events *)data)->removed->len >= 1;
}

static gchar *
add_reader(UMockdevTestbed *tb)
{
	gchar *sys = umockdev_testbed_add_device(
	    tb, "usb", "1-1", NULL, "busnum", "1", "devnum", "2", "speed", "12",
	    "bConfigurationValue", "1", "idVendor", "1d50", "idProduct", "0001", NULL, "DEVNAME",
	    "/dev/bus/usb/001/002", "DEVTYPE", "usb_device", "BUSNUM", "001", "DEVNUM", "002",
	    NULL);

	umockdev_testbed_set_attribute_binary(tb, sys, "descriptors", descriptors,
					      sizeof(descriptors));
	return sys;
}

static void
test_hotplug(void)
{
	g_autoptr(UMockdevTestbed) tb = NULL;
	g_autofree gchar *sys = NULL;
	g_autoptr(RemsimCcidTransport) usb = NULL;
	g_autoptr(GError) error = NULL;
	Events e = { g_ptr_array_new_with_free_func((GDestroyNotify)remsim_ccid_device_info_free),
		     g_array_new(FALSE, FALSE, sizeof(guint)) };
	gpointer want_one[] = { &e, GUINT_TO_POINTER(1) }, want_two[] = { &e, GUINT_TO_POINTER(2) };
	const RemsimCcidDeviceInfo *info;
	RemsimCcidDescriptor desc;
	gsize len = 0;
	const guint8 *extra;

	tb = umockdev_testbed_new();
	if (remsim_test_common_skip_unless(umockdev_in_mock_environment(),
					   "umockdev preloaded (Debian package umockdev)"))
		return;
	sys = add_reader(tb);
	usb = remsim_ccid_usb_new();
	g_signal_connect(usb, "device-added", G_CALLBACK(added_cb), &e);
	g_signal_connect(usb, "device-removed", G_CALLBACK(removed_cb), &e);
	g_assert_true(remsim_ccid_transport_start(usb, &error));
	g_assert_no_error(error);
	g_assert_true(remsim_test_common_spin_until(added_n, want_one, 5000));
	info = e.added->pdata[0];
	g_assert_cmphex(info->vendor, ==, 0x1d50);
	g_assert_cmphex(info->product, ==, 0x0001);
	g_assert_cmpuint(info->interface_class, ==, 0x0b);
	g_assert_cmpuint(info->i_serial, ==, 3);
	g_assert_true(info->has_interrupt);
	g_assert_cmpstr(info->usb_path, ==, "1-1");
	extra = g_bytes_get_data(info->extra, &len);
	g_assert_true(remsim_ccid_descriptor_parse(extra, len, &desc, &error));
	g_assert_no_error(error);
	g_assert_cmpint(remsim_ccid_descriptor_get_level(&desc), ==, REMSIM_CCID_LEVEL_TPDU);
	g_assert_cmpuint(desc.max_message_length, ==, 271);

	/* no usbdevfs behind the node: opening fails with an error, nothing worse */
	g_assert_false(remsim_ccid_transport_open(usb, info->id, &error));
	g_assert_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE);
	g_clear_error(&error);

	/* unplugged: libusb's hotplug event arrives through the main loop */
	umockdev_testbed_uevent(tb, sys, "remove");
	umockdev_testbed_remove_device(tb, sys);
	g_assert_true(remsim_test_common_spin_until(removed_one, &e, 5000));
	g_assert_cmpuint(g_array_index(e.removed, guint, 0), ==, info->id);

	/* and plugged back */
	g_free(sys);
	sys = add_reader(tb);
	umockdev_testbed_uevent(tb, sys, "add");
	g_assert_true(remsim_test_common_spin_until(added_n, want_two, 5000));
	g_assert_cmpstr(((RemsimCcidDeviceInfo *)e.added->pdata[1])->usb_path, ==, "1-1");

	g_ptr_array_unref(e.added);
	g_array_unref(e.removed);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ccid/umockdev/hotplug", test_hotplug);
	return g_test_run();
}
