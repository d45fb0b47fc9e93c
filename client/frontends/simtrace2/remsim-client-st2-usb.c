/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libusb.h>
#include <poll.h>
#include <string.h>

#include "remsim-client-st2-message.h"
#include "remsim-client-st2-usb.h"

#define ST2_VENDOR 0x1d50
#define ST2_CLOSE_WAIT_ROUNDS 50

static const guint16 st2_products[] = { 0x4001, 0x4004, 0x60e3, 0x616d, 0x616e };

struct _RemsimClientSt2Usb {
	RemsimClientSt2Transport parent_instance;

	/* selection; -1 (or NULL) = any */
	gint vendor, product, config, interface, altsetting, address;
	gchar *path;

	libusb_context *ctx;
	libusb_device_handle *devh;
	gint claimed;
	guint8 ep_out, ep_in, ep_irq;
	gchar *dev_path;
	GHashTable *watches; /* fd → GSource */
	struct libusb_transfer *in[REMSIM_CLIENT_ST2_USB_IN_TRANSFERS];
	struct libusb_transfer *irq;
	struct libusb_transfer *out;
	GQueue out_queue; /* GBytes */
	gboolean closing;
	gboolean failed;
};

G_DEFINE_FINAL_TYPE(RemsimClientSt2Usb, remsim_client_st2_usb, REMSIM_TYPE_CLIENT_ST2_TRANSPORT)

static void remsim_client_st2_usb_submit_out(RemsimClientSt2Usb *self);

static void
remsim_client_st2_usb_fail(RemsimClientSt2Usb *self, const gchar *what, gint rc)
{
	g_autoptr(GError) error = NULL;

	if (self->failed || self->closing)
		return;
	self->failed = TRUE;
	error =
	    g_error_new(REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_IO, "SIMtrace2 %s: %s: %s",
			self->dev_path ? self->dev_path : "?", what, libusb_strerror(rc));
	remsim_client_st2_transport_emit_failed(REMSIM_CLIENT_ST2_TRANSPORT(self), error);
}

static gboolean
remsim_client_st2_usb_fd_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	RemsimClientSt2Usb *self = user_data;
	struct timeval zero = { 0, 0 };

	libusb_handle_events_timeout_completed(self->ctx, &zero, NULL);
	return G_SOURCE_CONTINUE;
}

static void LIBUSB_CALL
remsim_client_st2_usb_pollfd_added(int fd, short events, void *user_data)
{
	RemsimClientSt2Usb *self = user_data;
	GIOCondition cond = 0;
	GSource *source;

	if (events & POLLIN)
		cond |= G_IO_IN;
	if (events & POLLOUT)
		cond |= G_IO_OUT;
	source = g_unix_fd_source_new(fd, cond | G_IO_ERR | G_IO_HUP);
	g_source_set_callback(source, G_SOURCE_FUNC(remsim_client_st2_usb_fd_cb), self, NULL);
	/*
	 * GLib takes the fd of a source that cannot recurse out of the poll set
	 * for each dispatch and puts it back after, waking the loop twice per
	 * USB event; libusb's handler runs no nested loop.
	 */
	g_source_set_can_recurse(source, TRUE);
	g_source_attach(source, NULL);
	g_hash_table_replace(self->watches, GINT_TO_POINTER(fd), source);
}

static void LIBUSB_CALL
remsim_client_st2_usb_pollfd_removed(int fd, void *user_data)
{
	RemsimClientSt2Usb *self = user_data;

	g_hash_table_remove(self->watches, GINT_TO_POINTER(fd));
}

static void
remsim_client_st2_usb_watch_free(gpointer data)
{
	g_source_destroy(data);
	g_source_unref(data);
}

static gchar *
remsim_client_st2_usb_device_path(libusb_device *dev)
{
	guint8 ports[8];
	gint n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "%u", libusb_get_bus_number(dev));
	for (gint i = 0; i < n; i++)
		g_string_append_printf(s, "%c%u", i == 0 ? '-' : '.', ports[i]);
	return g_string_free(s, FALSE);
}

static gboolean
remsim_client_st2_usb_matches(RemsimClientSt2Usb *self, libusb_device *dev)
{
	struct libusb_device_descriptor desc;
	gboolean known = FALSE;

	if (libusb_get_device_descriptor(dev, &desc) != 0)
		return FALSE;
	if (self->vendor >= 0 && desc.idVendor != self->vendor)
		return FALSE;
	if (self->product >= 0 && desc.idProduct != self->product)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(st2_products); i++)
		known |= desc.idVendor == ST2_VENDOR && desc.idProduct == st2_products[i];
	if (self->vendor < 0 && self->product < 0 && !known)
		return FALSE;
	if (self->address >= 0 && libusb_get_device_address(dev) != self->address)
		return FALSE;
	if (self->path != NULL) {
		g_autofree gchar *p = remsim_client_st2_usb_device_path(dev);

		if (g_strcmp0(p, self->path) != 0)
			return FALSE;
	}
	return TRUE;
}

/* the interface to claim and its three endpoints, from the active configuration */
static gboolean
remsim_client_st2_usb_find_endpoints(RemsimClientSt2Usb *self, GError **error)
{
	struct libusb_config_descriptor *cfg = NULL;
	gboolean found = FALSE;
	gint rc = libusb_get_active_config_descriptor(libusb_get_device(self->devh), &cfg);

	if (rc != 0) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_DEVICE,
			    /* TRANSLATORS: the device's USB path, then libusb's reason */
			    _("SIMtrace2 %s: no configuration: %s"), self->dev_path,
			    libusb_strerror(rc));
		return FALSE;
	}
	for (guint i = 0; i < cfg->bNumInterfaces && !found; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		for (gint a = 0; a < itf->num_altsetting && !found; a++) {
			const struct libusb_interface_descriptor *d = &itf->altsetting[a];

			if ((self->interface >= 0 && d->bInterfaceNumber != self->interface) ||
			    d->bAlternateSetting != MAX(self->altsetting, 0) ||
			    d->bInterfaceClass != 0xff || d->bInterfaceSubClass != 0x02)
				continue;
			self->ep_out = self->ep_in = self->ep_irq = 0;
			for (guint e = 0; e < d->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];
				guint type = ep->bmAttributes & 0x03;
				gboolean in = (ep->bEndpointAddress & 0x80) != 0;

				if (type == LIBUSB_TRANSFER_TYPE_BULK && !in)
					self->ep_out = ep->bEndpointAddress;
				else if (type == LIBUSB_TRANSFER_TYPE_BULK)
					self->ep_in = ep->bEndpointAddress;
				else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in)
					self->ep_irq = ep->bEndpointAddress;
			}
			if (self->ep_out && self->ep_in && self->ep_irq) {
				self->claimed = d->bInterfaceNumber;
				found = TRUE;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	if (!found)
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_DEVICE,
			    /* TRANSLATORS: %s: the device's USB path */
			    _("SIMtrace2 %s: no card-emulation interface with bulk OUT, bulk "
			      "IN and interrupt IN endpoints"),
			    self->dev_path);
	return found;
}

static gboolean
remsim_client_st2_usb_open_device(RemsimClientSt2Usb *self, GError **error)
{
	libusb_device **list = NULL;
	ssize_t n = libusb_get_device_list(self->ctx, &list);
	gint rc = LIBUSB_ERROR_NOT_FOUND;

	for (ssize_t i = 0; i < n && self->devh == NULL; i++) {
		if (!remsim_client_st2_usb_matches(self, list[i]))
			continue;
		rc = libusb_open(list[i], &self->devh);
		if (rc == 0)
			self->dev_path = remsim_client_st2_usb_device_path(list[i]);
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	if (self->devh == NULL) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_DEVICE,
			    _("No SIMtrace2 device found that matches the USB options (%s)"),
			    libusb_strerror(rc));
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_client_st2_usb_claim(RemsimClientSt2Usb *self, GError **error)
{
	gint current = -1, rc;

	libusb_set_auto_detach_kernel_driver(self->devh, 1);
	if (self->config >= 0 && libusb_get_configuration(self->devh, &current) == 0 &&
	    current != self->config) {
		rc = libusb_set_configuration(self->devh, self->config);
		if (rc != 0) {
			g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_DEVICE,
				    /* TRANSLATORS: USB path, configuration, libusb's reason */
				    _("SIMtrace2 %s: cannot select configuration %d: %s"),
				    self->dev_path, self->config, libusb_strerror(rc));
			return FALSE;
		}
	}
	if (!remsim_client_st2_usb_find_endpoints(self, error))
		return FALSE;
	rc = libusb_claim_interface(self->devh, self->claimed);
	if (rc == 0 && self->altsetting > 0)
		rc = libusb_set_interface_alt_setting(self->devh, self->claimed, self->altsetting);
	if (rc != 0) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_DEVICE,
			    /* TRANSLATORS: USB path, interface number, libusb's reason */
			    _("SIMtrace2 %s: cannot claim interface %d: %s"), self->dev_path,
			    self->claimed, libusb_strerror(rc));
		self->claimed = -1;
		return FALSE;
	}
	return TRUE;
}

static void LIBUSB_CALL remsim_client_st2_usb_in_cb(struct libusb_transfer *xfer);

static gboolean
remsim_client_st2_usb_submit_in(RemsimClientSt2Usb *self, struct libusb_transfer **slot, guint8 ep,
				gboolean irq)
{
	guint len = irq ? 64 : REMSIM_CLIENT_ST2_USB_IN_SIZE;
	struct libusb_transfer *xfer = libusb_alloc_transfer(0);
	gint rc;

	if (irq)
		libusb_fill_interrupt_transfer(xfer, self->devh, ep, g_malloc(len), (gint)len,
					       remsim_client_st2_usb_in_cb, self, 0);
	else
		libusb_fill_bulk_transfer(xfer, self->devh, ep, g_malloc(len), (gint)len,
					  remsim_client_st2_usb_in_cb, self, 0);
	xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	rc = libusb_submit_transfer(xfer);
	if (rc != 0) {
		libusb_free_transfer(xfer);
		remsim_client_st2_usb_fail(self, "cannot start reading", rc);
		return FALSE;
	}
	*slot = xfer;
	return TRUE;
}

static struct libusb_transfer **
remsim_client_st2_usb_slot_of(RemsimClientSt2Usb *self, struct libusb_transfer *xfer)
{
	if (self->irq == xfer)
		return &self->irq;
	for (guint i = 0; i < REMSIM_CLIENT_ST2_USB_IN_TRANSFERS; i++) {
		if (self->in[i] == xfer)
			return &self->in[i];
	}
	return NULL;
}

static void LIBUSB_CALL
remsim_client_st2_usb_in_cb(struct libusb_transfer *xfer)
{
	RemsimClientSt2Usb *self = xfer->user_data;
	gboolean irq = xfer->endpoint == self->ep_irq;
	struct libusb_transfer **slot = remsim_client_st2_usb_slot_of(self, xfer);
	gint rc;

	if (xfer->status == LIBUSB_TRANSFER_COMPLETED && !self->closing) {
		g_autoptr(GBytes) data = g_bytes_new(xfer->buffer, (gsize)xfer->actual_length);

		g_object_ref(self);
		remsim_client_st2_transport_emit_received(REMSIM_CLIENT_ST2_TRANSPORT(self), irq,
							  data);
		/* keep the transfer in flight, as the firmware may send at any time */
		rc = self->closing ? LIBUSB_ERROR_INTERRUPTED : libusb_submit_transfer(xfer);
		g_object_unref(self);
		if (rc == 0)
			return;
		if (rc != LIBUSB_ERROR_INTERRUPTED)
			remsim_client_st2_usb_fail(self, "cannot continue reading", rc);
	} else if (xfer->status != LIBUSB_TRANSFER_CANCELLED && !self->closing) {
		remsim_client_st2_usb_fail(self, "read failed",
					   xfer->status == LIBUSB_TRANSFER_NO_DEVICE
					       ? LIBUSB_ERROR_NO_DEVICE
					       : LIBUSB_ERROR_IO);
	}
	if (slot != NULL)
		*slot = NULL;
	libusb_free_transfer(xfer);
}

static void LIBUSB_CALL
remsim_client_st2_usb_out_cb(struct libusb_transfer *xfer)
{
	RemsimClientSt2Usb *self = xfer->user_data;
	gboolean ok = xfer->status == LIBUSB_TRANSFER_COMPLETED;

	self->out = NULL;
	libusb_free_transfer(xfer);
	if (self->closing)
		return;
	if (!ok) {
		remsim_client_st2_usb_fail(self, "write failed", LIBUSB_ERROR_IO);
		return;
	}
	remsim_client_st2_usb_submit_out(self);
}

static void
remsim_client_st2_usb_submit_out(RemsimClientSt2Usb *self)
{
	g_autoptr(GBytes) msg = NULL;
	struct libusb_transfer *xfer;
	gsize len;
	gint rc;

	if (self->out != NULL || self->devh == NULL || self->failed ||
	    g_queue_is_empty(&self->out_queue))
		return;
	msg = g_queue_pop_head(&self->out_queue);
	xfer = libusb_alloc_transfer(0);
	libusb_fill_bulk_transfer(xfer, self->devh, self->ep_out,
				  g_memdup2(g_bytes_get_data(msg, &len), g_bytes_get_size(msg)),
				  (gint)g_bytes_get_size(msg), remsim_client_st2_usb_out_cb, self,
				  0);
	xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	rc = libusb_submit_transfer(xfer);
	if (rc != 0) {
		libusb_free_transfer(xfer);
		remsim_client_st2_usb_fail(self, "cannot write", rc);
		return;
	}
	self->out = xfer;
}

static gboolean
remsim_client_st2_usb_open(RemsimClientSt2Transport *transport, GError **error)
{
	RemsimClientSt2Usb *self = REMSIM_CLIENT_ST2_USB(transport);
	const struct libusb_pollfd **fds;
	gint rc = libusb_init(&self->ctx);

	if (rc != 0) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_DEVICE,
			    /* TRANSLATORS: %s: libusb's reason */
			    _("libusb cannot start: %s"), libusb_strerror(rc));
		self->ctx = NULL;
		return FALSE;
	}
	/* libusb's file descriptors become main loop sources: no thread, no polling */
	fds = libusb_get_pollfds(self->ctx);
	for (guint i = 0; fds != NULL && fds[i] != NULL; i++)
		remsim_client_st2_usb_pollfd_added(fds[i]->fd, fds[i]->events, self);
	libusb_free_pollfds(fds);
	libusb_set_pollfd_notifiers(self->ctx, remsim_client_st2_usb_pollfd_added,
				    remsim_client_st2_usb_pollfd_removed, self);

	if (!remsim_client_st2_usb_open_device(self, error) ||
	    !remsim_client_st2_usb_claim(self, error))
		return FALSE;
	g_message("SIMtrace2 %s interface %d opened", self->dev_path, self->claimed);
	if (!remsim_client_st2_usb_submit_in(self, &self->irq, self->ep_irq, TRUE))
		return TRUE; /* the failure is reported through ::failed */
	for (guint i = 0; i < REMSIM_CLIENT_ST2_USB_IN_TRANSFERS; i++) {
		if (!remsim_client_st2_usb_submit_in(self, &self->in[i], self->ep_in, FALSE))
			break;
	}
	return TRUE;
}

static void
remsim_client_st2_usb_send(RemsimClientSt2Transport *transport, GBytes *data)
{
	RemsimClientSt2Usb *self = REMSIM_CLIENT_ST2_USB(transport);

	g_queue_push_tail(&self->out_queue, g_bytes_ref(data));
	remsim_client_st2_usb_submit_out(self);
}

static gboolean
remsim_client_st2_usb_busy(RemsimClientSt2Usb *self)
{
	if (self->irq != NULL || self->out != NULL)
		return TRUE;
	for (guint i = 0; i < REMSIM_CLIENT_ST2_USB_IN_TRANSFERS; i++) {
		if (self->in[i] != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
remsim_client_st2_usb_close(RemsimClientSt2Transport *transport)
{
	RemsimClientSt2Usb *self = REMSIM_CLIENT_ST2_USB(transport);
	struct timeval tv = { 0, 20000 };

	if (self->ctx == NULL)
		return;
	self->closing = TRUE;
	if (self->irq != NULL)
		libusb_cancel_transfer(self->irq);
	if (self->out != NULL)
		libusb_cancel_transfer(self->out);
	for (guint i = 0; i < REMSIM_CLIENT_ST2_USB_IN_TRANSFERS; i++) {
		if (self->in[i] != NULL)
			libusb_cancel_transfer(self->in[i]);
	}
	/* the cancelled transfers complete in libusb's event handling; bounded, at exit only */
	for (guint i = 0; i < ST2_CLOSE_WAIT_ROUNDS && remsim_client_st2_usb_busy(self); i++)
		libusb_handle_events_timeout_completed(self->ctx, &tv, NULL);
	if (self->devh != NULL) {
		if (self->claimed >= 0)
			libusb_release_interface(self->devh, self->claimed);
		libusb_close(self->devh);
		self->devh = NULL;
	}
	libusb_set_pollfd_notifiers(self->ctx, NULL, NULL, NULL);
	g_hash_table_remove_all(self->watches);
	libusb_exit(self->ctx);
	self->ctx = NULL;
	g_queue_clear_full(&self->out_queue, (GDestroyNotify)g_bytes_unref);
}

static gchar **
remsim_client_st2_usb_get_script_vars(RemsimClientSt2Transport *transport)
{
	RemsimClientSt2Usb *self = REMSIM_CLIENT_ST2_USB(transport);
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_autofree gchar *path =
	    g_strdup_printf("REMSIM_USB_PATH=%s", self->dev_path ? self->dev_path : "");
	g_autofree gchar *itf = g_strdup_printf("REMSIM_USB_INTERFACE=%d", self->interface);

	g_strv_builder_add(b, path);
	g_strv_builder_add(b, itf);
	return g_strv_builder_end(b);
}

static void
remsim_client_st2_usb_finalize(GObject *object)
{
	RemsimClientSt2Usb *self = REMSIM_CLIENT_ST2_USB(object);

	remsim_client_st2_usb_close(REMSIM_CLIENT_ST2_TRANSPORT(self));
	g_hash_table_unref(self->watches);
	g_free(self->path);
	g_free(self->dev_path);
	G_OBJECT_CLASS(remsim_client_st2_usb_parent_class)->finalize(object);
}

static void
remsim_client_st2_usb_class_init(RemsimClientSt2UsbClass *klass)
{
	RemsimClientSt2TransportClass *transport_class = REMSIM_CLIENT_ST2_TRANSPORT_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = remsim_client_st2_usb_finalize;
	transport_class->open = remsim_client_st2_usb_open;
	transport_class->send = remsim_client_st2_usb_send;
	transport_class->close = remsim_client_st2_usb_close;
	transport_class->get_script_vars = remsim_client_st2_usb_get_script_vars;
}

static void
remsim_client_st2_usb_init(RemsimClientSt2Usb *self)
{
	self->watches = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					      remsim_client_st2_usb_watch_free);
	self->claimed = -1;
	g_queue_init(&self->out_queue);
}

RemsimClientSt2Transport *
remsim_client_st2_usb_new(RemsimConfig *config, const gchar *group)
{
	g_autoptr(RemsimClientSt2Usb) self = g_object_new(REMSIM_TYPE_CLIENT_ST2_USB, NULL);

	/* -1: not given, any device or setting will do */
	self->vendor = remsim_config_get_int(config, group, "usb-vendor");
	self->product = remsim_config_get_int(config, group, "usb-product");
	self->config = remsim_config_get_int(config, group, "usb-config");
	self->interface = remsim_config_get_int(config, group, "usb-interface");
	self->altsetting = remsim_config_get_int(config, group, "usb-altsetting");
	self->address = remsim_config_get_int(config, group, "usb-address");
	self->path = g_strdup(remsim_config_get_string(config, group, "usb-path"));
	return REMSIM_CLIENT_ST2_TRANSPORT(g_steal_pointer(&self));
}
