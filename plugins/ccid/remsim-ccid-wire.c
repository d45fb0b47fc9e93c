/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-error.h"
#include "remsim-ccid-wire.h"

static void
remsim_ccid_wire_put(guint8 *p, guint32 v, guint n)
{
	for (guint i = 0; i < n; i++)
		p[i] = (guint8)(v >> (8 * i));
}

static guint32
remsim_ccid_wire_get(const guint8 *p, guint n)
{
	guint32 v = 0;

	for (guint i = 0; i < n; i++)
		v |= (guint32)p[i] << (8 * i);
	return v;
}

GBytes *
remsim_ccid_wire_encode(const RemsimCcidWireFrame *frame)
{
	gsize len = frame->data != NULL ? g_bytes_get_size(frame->data) : 0;
	GByteArray *b = g_byte_array_sized_new((guint)(REMSIM_CCID_WIRE_HEADER + len));
	guint8 head[REMSIM_CCID_WIRE_HEADER];

	remsim_ccid_wire_put(head, (guint32)(REMSIM_CCID_WIRE_HEADER - 4 + len), 4);
	head[4] = frame->op;
	head[5] = frame->status;
	remsim_ccid_wire_put(head + 6, frame->device, 2);
	remsim_ccid_wire_put(head + 8, frame->tag, 4);
	remsim_ccid_wire_put(head + 12, frame->value, 4);
	g_byte_array_append(b, head, sizeof(head));
	if (len > 0)
		g_byte_array_append(b, g_bytes_get_data(frame->data, NULL), (guint)len);
	return g_byte_array_free_to_bytes(b);
}

gboolean
remsim_ccid_wire_next(GByteArray *buffer, RemsimCcidWireFrame *frame, GError **error)
{
	guint32 len;

	if (buffer->len < 4)
		return FALSE;
	len = remsim_ccid_wire_get(buffer->data, 4);
	if (len < REMSIM_CCID_WIRE_HEADER - 4 ||
	    len > REMSIM_CCID_WIRE_HEADER - 4 + REMSIM_CCID_WIRE_MAX_DATA) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "simulator frame of %u bytes", len);
		return FALSE;
	}
	if (buffer->len < 4 + len)
		return FALSE;
	frame->op = buffer->data[4];
	frame->status = buffer->data[5];
	frame->device = (guint16)remsim_ccid_wire_get(buffer->data + 6, 2);
	frame->tag = remsim_ccid_wire_get(buffer->data + 8, 4);
	frame->value = remsim_ccid_wire_get(buffer->data + 12, 4);
	frame->data = g_bytes_new(buffer->data + REMSIM_CCID_WIRE_HEADER,
				  len - (REMSIM_CCID_WIRE_HEADER - 4));
	g_byte_array_remove_range(buffer, 0, 4 + len);
	return TRUE;
}

void
remsim_ccid_wire_clear(RemsimCcidWireFrame *frame)
{
	g_clear_pointer(&frame->data, g_bytes_unref);
}

GBytes *
remsim_ccid_wire_encode_device(const RemsimCcidDeviceInfo *info)
{
	gsize path_len = info->usb_path != NULL ? MIN(strlen(info->usb_path), 255) : 0;
	gsize extra_len = info->extra != NULL ? MIN(g_bytes_get_size(info->extra), 1024) : 0;
	GByteArray *b = g_byte_array_new();
	guint8 head[16];

	remsim_ccid_wire_put(head, info->vendor, 2);
	remsim_ccid_wire_put(head + 2, info->product, 2);
	head[4] = info->interface_number;
	head[5] = info->interface_class;
	head[6] = info->interface_subclass;
	head[7] = info->interface_protocol;
	head[8] = info->i_manufacturer;
	head[9] = info->i_product;
	head[10] = info->i_serial;
	head[11] = info->i_interface;
	head[12] = info->has_interrupt ? 1 : 0;
	head[13] = (guint8)path_len;
	remsim_ccid_wire_put(head + 14, (guint32)extra_len, 2);
	g_byte_array_append(b, head, sizeof(head));
	if (path_len > 0)
		g_byte_array_append(b, (const guint8 *)info->usb_path, (guint)path_len);
	if (extra_len > 0)
		g_byte_array_append(b, g_bytes_get_data(info->extra, NULL), (guint)extra_len);
	return g_byte_array_free_to_bytes(b);
}

RemsimCcidDeviceInfo *
remsim_ccid_wire_decode_device(guint16 device, GBytes *data, GError **error)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(data, &len);
	g_autoptr(RemsimCcidDeviceInfo) info = NULL;
	gsize path_len, extra_len;

	if (len < 16 || len != 16 + (gsize)p[13] + remsim_ccid_wire_get(p + 14, 2)) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "device description of %" G_GSIZE_FORMAT " bytes", len);
		return NULL;
	}
	path_len = p[13];
	extra_len = remsim_ccid_wire_get(p + 14, 2);
	info = g_new0(RemsimCcidDeviceInfo, 1);
	info->id = device;
	info->vendor = (guint16)remsim_ccid_wire_get(p, 2);
	info->product = (guint16)remsim_ccid_wire_get(p + 2, 2);
	info->interface_number = p[4];
	info->interface_class = p[5];
	info->interface_subclass = p[6];
	info->interface_protocol = p[7];
	info->i_manufacturer = p[8];
	info->i_product = p[9];
	info->i_serial = p[10];
	info->i_interface = p[11];
	info->has_interrupt = p[12] != 0;
	info->usb_path = g_strndup((const gchar *)p + 16, path_len);
	info->extra = g_bytes_new(p + 16 + path_len, extra_len);
	return g_steal_pointer(&info);
}
