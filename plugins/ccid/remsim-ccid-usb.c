/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <libusb.h>
#include <poll.h>

#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-usb.h"

/* bInterfaceClass of smart-card readers, and the vendor class some use */
#define REMSIM_CCID_USB_CLASS 0x0b
#define REMSIM_CCID_USB_VENDOR_CLASS 0xff

/* the GSource that runs libusb's events */
typedef struct {
	GSource source;
	libusb_context *ctx;
	GHashTable *tags; /* fd → tag of g_source_add_unix_fd() */
} RemsimCcidUsbSource;

typedef struct {
	guint id;
	libusb_device *dev;
	RemsimCcidDeviceInfo *info;
	libusb_device_handle *handle;
	guint8 ep_out, ep_in, ep_int;
	GHashTable *transfers; /* struct libusb_transfer * in flight */
	gboolean closing;
} RemsimCcidUsbDevice;

typedef struct {
	RemsimCcidUsb *self;
	RemsimCcidUsbDevice *device;
	GTask *task;
	struct libusb_transfer *xfer;
	gulong cancel_id;
	RemsimCcidTransferKind kind;
} RemsimCcidUsbPending;

struct _RemsimCcidUsb {
	RemsimCcidTransport parent_instance;
	libusb_context *ctx;
	RemsimCcidUsbSource *source;
	libusb_hotplug_callback_handle hotplug;
	gboolean has_hotplug;
	GHashTable *devices; /* id → RemsimCcidUsbDevice */
	guint next_id;
	GQueue events; /* hotplug events for the idle: libusb_device * (ref), with add/remove */
	guint events_id;
};

G_DEFINE_FINAL_TYPE(RemsimCcidUsb, remsim_ccid_usb, REMSIM_TYPE_CCID_TRANSPORT)

/* --- the GSource --- */

static gboolean
remsim_ccid_usb_source_prepare(GSource *source, gint *timeout)
{
	RemsimCcidUsbSource *s = (RemsimCcidUsbSource *)source;
	struct timeval tv;

	*timeout = -1;
	/* on Linux libusb keeps its timeouts in a timerfd; elsewhere we wake it up */
	if (!libusb_pollfds_handle_timeouts(s->ctx) && libusb_get_next_timeout(s->ctx, &tv) == 1) {
		if (tv.tv_sec == 0 && tv.tv_usec == 0)
			return TRUE;
		*timeout =
		    (gint)MIN((gint64)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000, G_MAXINT);
	}
	return FALSE;
}

static gboolean
remsim_ccid_usb_source_check(GSource *source)
{
	RemsimCcidUsbSource *s = (RemsimCcidUsbSource *)source;
	GHashTableIter iter;
	gpointer tag;
	struct timeval tv;

	g_hash_table_iter_init(&iter, s->tags);
	while (g_hash_table_iter_next(&iter, NULL, &tag)) {
		if (g_source_query_unix_fd(source, tag) != 0)
			return TRUE;
	}
	return !libusb_pollfds_handle_timeouts(s->ctx) &&
	       libusb_get_next_timeout(s->ctx, &tv) == 1 && tv.tv_sec == 0 && tv.tv_usec == 0;
}

static gboolean
remsim_ccid_usb_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	RemsimCcidUsbSource *s = (RemsimCcidUsbSource *)source;
	struct timeval zero = { 0, 0 };

	libusb_handle_events_timeout_completed(s->ctx, &zero, NULL);
	return G_SOURCE_CONTINUE;
}

static void
remsim_ccid_usb_source_finalize(GSource *source)
{
	RemsimCcidUsbSource *s = (RemsimCcidUsbSource *)source;

	g_hash_table_unref(s->tags);
}

static GSourceFuncs remsim_ccid_usb_source_funcs = {
	remsim_ccid_usb_source_prepare,
	remsim_ccid_usb_source_check,
	remsim_ccid_usb_source_dispatch,
	remsim_ccid_usb_source_finalize,
	NULL,
	NULL,
};

static void LIBUSB_CALL
remsim_ccid_usb_pollfd_added(int fd, short events, void *user_data)
{
	RemsimCcidUsbSource *s = user_data;
	GIOCondition cond = G_IO_ERR | G_IO_HUP;

	if (events & POLLIN)
		cond |= G_IO_IN;
	if (events & POLLOUT)
		cond |= G_IO_OUT;
	if (g_hash_table_contains(s->tags, GINT_TO_POINTER(fd)))
		g_source_remove_unix_fd(&s->source,
					g_hash_table_lookup(s->tags, GINT_TO_POINTER(fd)));
	g_hash_table_insert(s->tags, GINT_TO_POINTER(fd),
			    g_source_add_unix_fd(&s->source, fd, cond));
}

static void LIBUSB_CALL
remsim_ccid_usb_pollfd_removed(int fd, void *user_data)
{
	RemsimCcidUsbSource *s = user_data;
	gpointer tag = g_hash_table_lookup(s->tags, GINT_TO_POINTER(fd));

	if (tag == NULL)
		return;
	g_source_remove_unix_fd(&s->source, tag);
	g_hash_table_remove(s->tags, GINT_TO_POINTER(fd));
}

static RemsimCcidUsbSource *
remsim_ccid_usb_source_new(libusb_context *ctx)
{
	RemsimCcidUsbSource *s = (RemsimCcidUsbSource *)g_source_new(&remsim_ccid_usb_source_funcs,
								     sizeof(RemsimCcidUsbSource));
	const struct libusb_pollfd **fds = libusb_get_pollfds(ctx);

	s->ctx = ctx;
	s->tags = g_hash_table_new(NULL, NULL);
	g_source_set_name(&s->source, "libusb");
	for (guint i = 0; fds != NULL && fds[i] != NULL; i++)
		remsim_ccid_usb_pollfd_added(fds[i]->fd, fds[i]->events, s);
	libusb_free_pollfds(fds);
	libusb_set_pollfd_notifiers(ctx, remsim_ccid_usb_pollfd_added,
				    remsim_ccid_usb_pollfd_removed, s);
	return s;
}

/* --- devices --- */

static void
remsim_ccid_usb_device_free(gpointer data)
{
	RemsimCcidUsbDevice *d = data;

	if (d->handle != NULL) {
		libusb_release_interface(d->handle, d->info->interface_number);
		libusb_close(d->handle);
	}
	g_hash_table_unref(d->transfers);
	remsim_ccid_device_info_free(d->info);
	libusb_unref_device(d->dev);
	g_free(d);
}

static gchar *
remsim_ccid_usb_path(libusb_device *dev)
{
	guint8 ports[8];
	gint n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "%u", libusb_get_bus_number(dev));
	for (gint i = 0; i < n; i++)
		g_string_append_printf(s, "%c%u", i == 0 ? '-' : '.', ports[i]);
	return g_string_free(s, FALSE);
}

/* the interface's class descriptor, or the endpoints' where a reader puts it there */
static GBytes *
remsim_ccid_usb_extra(const struct libusb_interface_descriptor *d)
{
	if (d->extra_length > 0)
		return g_bytes_new(d->extra, (gsize)d->extra_length);
	for (guint e = 0; e < d->bNumEndpoints; e++) {
		if (d->endpoint[e].extra_length > 0)
			return g_bytes_new(d->endpoint[e].extra,
					   (gsize)d->endpoint[e].extra_length);
	}
	return g_bytes_new(NULL, 0);
}

/* the first smart-card interface of @dev with bulk OUT and IN endpoints */
static RemsimCcidUsbDevice *
remsim_ccid_usb_probe(RemsimCcidUsb *self, libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	RemsimCcidUsbDevice *found = NULL;

	if (libusb_get_device_descriptor(dev, &dd) != 0 ||
	    libusb_get_active_config_descriptor(dev, &cfg) != 0)
		return NULL;
	for (guint i = 0; i < cfg->bNumInterfaces && found == NULL; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		const struct libusb_interface_descriptor *d;
		RemsimCcidUsbDevice *dv;

		if (itf->num_altsetting < 1)
			continue;
		d = &itf->altsetting[0];
		if (d->bInterfaceClass != REMSIM_CCID_USB_CLASS &&
		    d->bInterfaceClass != REMSIM_CCID_USB_VENDOR_CLASS)
			continue;
		dv = g_new0(RemsimCcidUsbDevice, 1);
		for (guint e = 0; e < d->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];
			guint type = ep->bmAttributes & 0x03;
			gboolean in = (ep->bEndpointAddress & 0x80) != 0;

			if (type == LIBUSB_TRANSFER_TYPE_BULK && !in)
				dv->ep_out = ep->bEndpointAddress;
			else if (type == LIBUSB_TRANSFER_TYPE_BULK)
				dv->ep_in = ep->bEndpointAddress;
			else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in)
				dv->ep_int = ep->bEndpointAddress;
		}
		if (dv->ep_out == 0 || dv->ep_in == 0) {
			g_free(dv);
			continue;
		}
		dv->info = g_new0(RemsimCcidDeviceInfo, 1);
		dv->info->vendor = dd.idVendor;
		dv->info->product = dd.idProduct;
		dv->info->usb_path = remsim_ccid_usb_path(dev);
		dv->info->interface_number = d->bInterfaceNumber;
		dv->info->interface_class = d->bInterfaceClass;
		dv->info->interface_subclass = d->bInterfaceSubClass;
		dv->info->interface_protocol = d->bInterfaceProtocol;
		dv->info->i_manufacturer = dd.iManufacturer;
		dv->info->i_product = dd.iProduct;
		dv->info->i_serial = dd.iSerialNumber;
		dv->info->i_interface = d->iInterface;
		dv->info->has_interrupt = dv->ep_int != 0;
		dv->info->extra = remsim_ccid_usb_extra(d);
		found = dv;
	}
	libusb_free_config_descriptor(cfg);
	if (found == NULL)
		return NULL;
	found->id = ++self->next_id;
	found->info->id = found->id;
	found->dev = libusb_ref_device(dev);
	found->transfers = g_hash_table_new(NULL, NULL);
	return found;
}

static RemsimCcidUsbDevice *
remsim_ccid_usb_find(RemsimCcidUsb *self, libusb_device *dev)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		if (((RemsimCcidUsbDevice *)value)->dev == dev)
			return value;
	}
	return NULL;
}

static void
remsim_ccid_usb_arrived(RemsimCcidUsb *self, libusb_device *dev)
{
	RemsimCcidUsbDevice *d;

	if (remsim_ccid_usb_find(self, dev) != NULL)
		return;
	d = remsim_ccid_usb_probe(self, dev);
	if (d == NULL)
		return;
	g_hash_table_insert(self->devices, GUINT_TO_POINTER(d->id), d);
	g_debug("USB %s: smart-card interface %u (%04x:%04x)", d->info->usb_path,
		d->info->interface_number, d->info->vendor, d->info->product);
	remsim_ccid_transport_emit_device_added(REMSIM_CCID_TRANSPORT(self), d->info);
}

static void
remsim_ccid_usb_left(RemsimCcidUsb *self, libusb_device *dev)
{
	RemsimCcidUsbDevice *d = remsim_ccid_usb_find(self, dev);
	guint id;

	if (d == NULL)
		return;
	id = d->id;
	remsim_ccid_transport_emit_device_removed(REMSIM_CCID_TRANSPORT(self), id);
	/* the backend closed it; transfers still in flight end with NO_DEVICE */
	d = g_hash_table_lookup(self->devices, GUINT_TO_POINTER(id));
	if (d != NULL && g_hash_table_size(d->transfers) == 0)
		g_hash_table_remove(self->devices, GUINT_TO_POINTER(id));
	else if (d != NULL)
		d->closing = TRUE;
}

/* hotplug events are handled outside libusb's callback, where any libusb call is allowed */
static gboolean
remsim_ccid_usb_events_cb(gpointer user_data)
{
	RemsimCcidUsb *self = user_data;
	libusb_device *dev;

	self->events_id = 0;
	while ((dev = g_queue_pop_head(&self->events)) != NULL) {
		gboolean arrived = GPOINTER_TO_INT(g_queue_pop_head(&self->events));

		if (arrived)
			remsim_ccid_usb_arrived(self, dev);
		else
			remsim_ccid_usb_left(self, dev);
		libusb_unref_device(dev);
	}
	return G_SOURCE_REMOVE;
}

static int LIBUSB_CALL
remsim_ccid_usb_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event,
			void *user_data)
{
	RemsimCcidUsb *self = user_data;

	g_queue_push_tail(&self->events, libusb_ref_device(dev));
	g_queue_push_tail(&self->events,
			  GINT_TO_POINTER(event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED));
	if (self->events_id == 0)
		self->events_id = g_idle_add(remsim_ccid_usb_events_cb, self);
	return 0;
}

static gboolean
remsim_ccid_usb_start(RemsimCcidTransport *transport, GError **error)
{
	RemsimCcidUsb *self = REMSIM_CCID_USB(transport);
	gint rc = libusb_init(&self->ctx);

	if (rc != 0) {
		self->ctx = NULL;
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_IO,
			    "libusb cannot start: %s", libusb_strerror(rc));
		return FALSE;
	}
	self->source = remsim_ccid_usb_source_new(self->ctx);
	g_source_attach(&self->source->source, NULL);
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		rc = libusb_hotplug_register_callback(
		    self->ctx,
		    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
		    LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
		    LIBUSB_HOTPLUG_MATCH_ANY, remsim_ccid_usb_hotplug, self, &self->hotplug);
		self->has_hotplug = rc == 0;
	}
	if (!self->has_hotplug) {
		libusb_device **list = NULL;
		ssize_t n = libusb_get_device_list(self->ctx, &list);

		g_warning("libusb has no hotplug here: readers plugged in later are not seen");
		for (ssize_t i = 0; i < n; i++)
			remsim_ccid_usb_hotplug(self->ctx, list[i],
						LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, self);
		if (n >= 0)
			libusb_free_device_list(list, 1);
	}
	return TRUE;
}

static gboolean
remsim_ccid_usb_open(RemsimCcidTransport *transport, guint id, GError **error)
{
	RemsimCcidUsb *self = REMSIM_CCID_USB(transport);
	RemsimCcidUsbDevice *d = g_hash_table_lookup(self->devices, GUINT_TO_POINTER(id));
	gint rc;

	if (d == NULL || d->closing) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE,
			    "USB device %u is gone", id);
		return FALSE;
	}
	if (d->handle != NULL)
		return TRUE;
	rc = libusb_open(d->dev, &d->handle);
	if (rc == 0) {
		libusb_set_auto_detach_kernel_driver(d->handle, 1);
		rc = libusb_claim_interface(d->handle, d->info->interface_number);
		if (rc != 0) {
			libusb_close(d->handle);
			d->handle = NULL;
		}
	}
	if (rc != 0) {
		g_set_error(error, REMSIM_CCID_ERROR,
			    rc == LIBUSB_ERROR_NO_DEVICE ? REMSIM_CCID_ERROR_NO_DEVICE
							 : REMSIM_CCID_ERROR_IO,
			    "USB %s: cannot open interface %u: %s", d->info->usb_path,
			    d->info->interface_number, libusb_strerror(rc));
		return FALSE;
	}
	return TRUE;
}

static void
remsim_ccid_usb_close(RemsimCcidTransport *transport, guint id)
{
	RemsimCcidUsb *self = REMSIM_CCID_USB(transport);
	RemsimCcidUsbDevice *d = g_hash_table_lookup(self->devices, GUINT_TO_POINTER(id));
	GHashTableIter iter;
	gpointer xfer;

	if (d == NULL)
		return;
	g_hash_table_iter_init(&iter, d->transfers);
	while (g_hash_table_iter_next(&iter, &xfer, NULL))
		libusb_cancel_transfer(xfer);
	/* released when the cancelled transfers are back, or now */
	if (g_hash_table_size(d->transfers) == 0 && d->handle != NULL) {
		libusb_release_interface(d->handle, d->info->interface_number);
		libusb_close(d->handle);
		d->handle = NULL;
	}
}

static GError *
remsim_ccid_usb_status_error(const RemsimCcidUsbDevice *d, enum libusb_transfer_status status)
{
	switch (status) {
	case LIBUSB_TRANSFER_TIMED_OUT:
		return g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_TIMEOUT,
				   "USB %s: transfer timed out", d->info->usb_path);
	case LIBUSB_TRANSFER_NO_DEVICE:
		return g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE,
				   "USB %s: the device is gone", d->info->usb_path);
	case LIBUSB_TRANSFER_CANCELLED:
		return g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED, "USB %s: transfer cancelled",
				   d->info->usb_path);
	default:
		return g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_IO,
				   "USB %s: transfer failed (%s)", d->info->usb_path,
				   libusb_error_name(status));
	}
}

static void LIBUSB_CALL
remsim_ccid_usb_transfer_done(struct libusb_transfer *xfer)
{
	RemsimCcidUsbPending *p = xfer->user_data;
	RemsimCcidUsbDevice *d = p->device;
	RemsimCcidUsb *self = p->self;
	g_autoptr(GTask) task = g_steal_pointer(&p->task);
	GCancellable *cancellable = g_task_get_cancellable(task);

	g_hash_table_remove(d->transfers, xfer);
	if (cancellable != NULL)
		g_cancellable_disconnect(cancellable, p->cancel_id);
	if (xfer->status == LIBUSB_TRANSFER_COMPLETED) {
		const guint8 *data = xfer->buffer;
		gsize len = (gsize)xfer->actual_length;

		if (p->kind == REMSIM_CCID_TRANSFER_CONTROL)
			data += LIBUSB_CONTROL_SETUP_SIZE;
		if (p->kind == REMSIM_CCID_TRANSFER_BULK_OUT)
			len = 0;
		g_task_return_pointer(task, g_bytes_new(data, len), (GDestroyNotify)g_bytes_unref);
	} else {
		g_task_return_error(task, remsim_ccid_usb_status_error(d, xfer->status));
	}
	g_free(p);
	libusb_free_transfer(xfer);
	if (d->closing && g_hash_table_size(d->transfers) == 0)
		g_hash_table_remove(self->devices, GUINT_TO_POINTER(d->id));
}

static void
remsim_ccid_usb_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	/* completes through the event loop with LIBUSB_TRANSFER_CANCELLED */
	libusb_cancel_transfer(user_data);
}

static void
remsim_ccid_usb_transfer_async(RemsimCcidTransport *transport, guint id,
			       const RemsimCcidTransfer *t, GCancellable *cancellable,
			       GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimCcidUsb *self = REMSIM_CCID_USB(transport);
	RemsimCcidUsbDevice *d = g_hash_table_lookup(self->devices, GUINT_TO_POINTER(id));
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	RemsimCcidUsbPending *p;
	struct libusb_transfer *xfer;
	gsize out_len = t->data != NULL ? g_bytes_get_size(t->data) : 0;
	guint8 *buf;
	gint rc;

	g_task_set_source_tag(task, remsim_ccid_usb_transfer_async);
	if (d == NULL || d->handle == NULL || d->closing) {
		g_task_return_new_error(task, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE,
					"USB device %u is not open", id);
		return;
	}
	if (g_task_return_error_if_cancelled(task))
		return;
	xfer = libusb_alloc_transfer(0);
	p = g_new0(RemsimCcidUsbPending, 1);
	p->self = self;
	p->device = d;
	p->kind = t->kind;
	p->xfer = xfer;
	switch (t->kind) {
	case REMSIM_CCID_TRANSFER_BULK_OUT:
		buf = g_memdup2(g_bytes_get_data(t->data, NULL), out_len);
		libusb_fill_bulk_transfer(xfer, d->handle, d->ep_out, buf, (gint)out_len,
					  remsim_ccid_usb_transfer_done, p, t->timeout_ms);
		break;
	case REMSIM_CCID_TRANSFER_BULK_IN:
	case REMSIM_CCID_TRANSFER_INTERRUPT_IN:
		buf = g_malloc(MAX(t->length, 1));
		if (t->kind == REMSIM_CCID_TRANSFER_BULK_IN)
			libusb_fill_bulk_transfer(xfer, d->handle, d->ep_in, buf, (gint)t->length,
						  remsim_ccid_usb_transfer_done, p, t->timeout_ms);
		else
			libusb_fill_interrupt_transfer(
			    xfer, d->handle, d->ep_int, buf, (gint)t->length,
			    remsim_ccid_usb_transfer_done, p, t->timeout_ms);
		break;
	default: {
		guint16 w_length = (guint16)(t->setup[6] | t->setup[7] << 8);

		buf = g_malloc0(LIBUSB_CONTROL_SETUP_SIZE + MAX(w_length, out_len));
		for (guint i = 0; i < LIBUSB_CONTROL_SETUP_SIZE; i++)
			buf[i] = t->setup[i];
		if (out_len > 0)
			memcpy(buf + LIBUSB_CONTROL_SETUP_SIZE, g_bytes_get_data(t->data, NULL),
			       MIN(out_len, w_length));
		libusb_fill_control_transfer(xfer, d->handle, buf, remsim_ccid_usb_transfer_done, p,
					     t->timeout_ms);
	}
	}
	xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	p->task = g_steal_pointer(&task);
	rc = libusb_submit_transfer(xfer);
	if (rc != 0) {
		g_task_return_new_error(p->task, REMSIM_CCID_ERROR,
					rc == LIBUSB_ERROR_NO_DEVICE ? REMSIM_CCID_ERROR_NO_DEVICE
								     : REMSIM_CCID_ERROR_IO,
					"USB %s: cannot submit a transfer: %s", d->info->usb_path,
					libusb_strerror(rc));
		g_object_unref(p->task);
		g_free(p);
		libusb_free_transfer(xfer);
		return;
	}
	g_hash_table_add(d->transfers, xfer);
	if (cancellable != NULL)
		p->cancel_id = g_cancellable_connect(
		    cancellable, G_CALLBACK(remsim_ccid_usb_cancelled_cb), xfer, NULL);
}

static GBytes *
remsim_ccid_usb_transfer_finish(RemsimCcidTransport *transport, GAsyncResult *result,
				GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_ccid_usb_dispose(GObject *object)
{
	RemsimCcidUsb *self = REMSIM_CCID_USB(object);
	struct timeval tv = { 0, 10000 };
	GHashTableIter iter;
	gpointer value;

	g_clear_handle_id(&self->events_id, g_source_remove);
	while (!g_queue_is_empty(&self->events)) {
		libusb_unref_device(g_queue_pop_head(&self->events));
		g_queue_pop_head(&self->events);
	}
	if (self->ctx != NULL) {
		if (self->has_hotplug)
			libusb_hotplug_deregister_callback(self->ctx, self->hotplug);
		self->has_hotplug = FALSE;
		g_hash_table_iter_init(&iter, self->devices);
		while (g_hash_table_iter_next(&iter, NULL, &value))
			remsim_ccid_usb_close(REMSIM_CCID_TRANSPORT(self),
					      ((RemsimCcidUsbDevice *)value)->id);
		/* cancelled transfers come back through the event loop; bounded, at exit only */
		for (guint i = 0; i < 50; i++) {
			gboolean busy = FALSE;

			g_hash_table_iter_init(&iter, self->devices);
			while (g_hash_table_iter_next(&iter, NULL, &value))
				busy |= g_hash_table_size(
					    ((RemsimCcidUsbDevice *)value)->transfers) > 0;
			if (!busy)
				break;
			libusb_handle_events_timeout_completed(self->ctx, &tv, NULL);
		}
	}
	G_OBJECT_CLASS(remsim_ccid_usb_parent_class)->dispose(object);
}

static void
remsim_ccid_usb_finalize(GObject *object)
{
	RemsimCcidUsb *self = REMSIM_CCID_USB(object);

	g_hash_table_unref(self->devices);
	if (self->ctx != NULL) {
		libusb_set_pollfd_notifiers(self->ctx, NULL, NULL, NULL);
		g_source_destroy(&self->source->source);
		g_source_unref(&self->source->source);
		libusb_exit(self->ctx);
	}
	G_OBJECT_CLASS(remsim_ccid_usb_parent_class)->finalize(object);
}

static void
remsim_ccid_usb_class_init(RemsimCcidUsbClass *klass)
{
	RemsimCcidTransportClass *transport_class = REMSIM_CCID_TRANSPORT_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_ccid_usb_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_ccid_usb_finalize;
	transport_class->start = remsim_ccid_usb_start;
	transport_class->open = remsim_ccid_usb_open;
	transport_class->close = remsim_ccid_usb_close;
	transport_class->transfer_async = remsim_ccid_usb_transfer_async;
	transport_class->transfer_finish = remsim_ccid_usb_transfer_finish;
}

static void
remsim_ccid_usb_init(RemsimCcidUsb *self)
{
	self->devices = g_hash_table_new_full(NULL, NULL, NULL, remsim_ccid_usb_device_free);
	g_queue_init(&self->events);
}

RemsimCcidTransport *
remsim_ccid_usb_new(void)
{
	return g_object_new(REMSIM_TYPE_CCID_USB, NULL);
}
