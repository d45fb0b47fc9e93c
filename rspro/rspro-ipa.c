/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rspro-ipa.h"

#include <string.h>

/*
 * Consumed bytes stay at the front of the buffer until they are at least this
 * many and at least half of it, so compaction costs O(1) per byte overall.
 */
#define COMPACT_MIN 4096

struct _RsproIpaDeframer {
	GByteArray *buf;
	gsize off; /* first byte not yet returned as a frame */
	gboolean failed;
};

GQuark
rspro_ipa_error_quark(void)
{
	return g_quark_from_static_string("rspro-ipa-error-quark");
}

void
rspro_ipa_frame_clear(RsproIpaFrame *frame)
{
	g_clear_pointer(&frame->payload, g_bytes_unref);
}

static GBytes *
rspro_ipa_wrap_osmo(GBytes *pdu, guint8 extension, GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(pdu, &len);

	if (len > RSPRO_IPA_PDU_MAX) {
		g_set_error(error, RSPRO_IPA_ERROR, RSPRO_IPA_ERROR_TOO_LARGE,
			    "PDU of %" G_GSIZE_FORMAT " bytes does not fit an IPA frame", len);
		return NULL;
	}
	guint8 *frame = g_malloc(len + 4);
	frame[0] = (len + 1) >> 8;
	frame[1] = (len + 1) & 0xff;
	frame[2] = RSPRO_IPA_PROTO_OSMO;
	frame[3] = extension;
	if (len)
		memcpy(frame + 4, data, len);
	return g_bytes_new_take(frame, len + 4);
}

GBytes *
rspro_ipa_wrap_rspro(GBytes *pdu, GError **error)
{
	return rspro_ipa_wrap_osmo(pdu, RSPRO_IPA_EXT_RSPRO, error);
}

GBytes *
rspro_ipa_wrap_remsim(GBytes *payload, GError **error)
{
	return rspro_ipa_wrap_osmo(payload, RSPRO_IPA_EXT_REMSIM, error);
}

GBytes *
rspro_ipa_wrap_ccm(RsproIpaCcm type)
{
	const guint8 frame[4] = { 0x00, 0x01, RSPRO_IPA_PROTO_CCM, type };

	return g_bytes_new(frame, sizeof(frame));
}

RsproIpaDeframer *
rspro_ipa_deframer_new(void)
{
	RsproIpaDeframer *self = g_new0(RsproIpaDeframer, 1);

	self->buf = g_byte_array_new();
	return self;
}

void
rspro_ipa_deframer_free(RsproIpaDeframer *self)
{
	if (!self)
		return;
	g_byte_array_unref(self->buf);
	g_free(self);
}

static void
rspro_ipa_deframer_compact(RsproIpaDeframer *self)
{
	if (self->off == self->buf->len) {
		g_byte_array_set_size(self->buf, 0);
		self->off = 0;
	} else if (self->off >= COMPACT_MIN && self->off * 2 >= self->buf->len) {
		g_byte_array_remove_range(self->buf, 0, self->off);
		self->off = 0;
	}
}

void
rspro_ipa_deframer_feed(RsproIpaDeframer *self, const guint8 *data, gsize len)
{
	if (self->failed || len == 0)
		return;
	rspro_ipa_deframer_compact(self);
	g_byte_array_append(self->buf, data, len);
}

/* checks what the header already tells, so a bad stream fails before its body arrives */
static gboolean
rspro_ipa_check_header(const guint8 *p, gsize avail, GError **error)
{
	guint16 len = (p[0] << 8) | p[1];

	switch (p[2]) {
	case RSPRO_IPA_PROTO_CCM:
		if (len < 1) {
			g_set_error(error, RSPRO_IPA_ERROR, RSPRO_IPA_ERROR_BAD_FRAME,
				    "empty IPA CCM frame");
			return FALSE;
		}
		return TRUE;
	case RSPRO_IPA_PROTO_OSMO:
		if (len < 2) {
			g_set_error(error, RSPRO_IPA_ERROR, RSPRO_IPA_ERROR_BAD_FRAME,
				    "IPA OSMO frame of %u bytes carries no PDU", len);
			return FALSE;
		}
		if (avail > RSPRO_IPA_HEADER_LEN && p[3] != RSPRO_IPA_EXT_RSPRO &&
		    p[3] != RSPRO_IPA_EXT_REMSIM) {
			g_set_error(error, RSPRO_IPA_ERROR, RSPRO_IPA_ERROR_UNKNOWN_EXTENSION,
				    "unknown IPA extension 0x%02x", p[3]);
			return FALSE;
		}
		return TRUE;
	default:
		g_set_error(error, RSPRO_IPA_ERROR, RSPRO_IPA_ERROR_UNKNOWN_PROTOCOL,
			    "unknown IPA protocol 0x%02x", p[2]);
		return FALSE;
	}
}

void
rspro_ipa_put_rspro_header(guint8 *out, gsize pdu_len)
{
	out[0] = (guint8)((pdu_len + 1) >> 8);
	out[1] = (guint8)((pdu_len + 1) & 0xff);
	out[2] = RSPRO_IPA_PROTO_OSMO;
	out[3] = RSPRO_IPA_EXT_RSPRO;
}

gssize
rspro_ipa_peek(const guint8 *data, gsize avail, RsproIpaFrameView *view, GError **error)
{
	gsize len;

	if (avail < RSPRO_IPA_HEADER_LEN)
		return 0;
	if (!rspro_ipa_check_header(data, avail, error))
		return -1;
	len = (data[0] << 8) | data[1];
	if (avail < RSPRO_IPA_HEADER_LEN + len)
		return 0;
	if (data[2] == RSPRO_IPA_PROTO_OSMO) {
		view->kind = data[3] == RSPRO_IPA_EXT_REMSIM ? RSPRO_IPA_FRAME_REMSIM
							     : RSPRO_IPA_FRAME_RSPRO;
		view->payload = data + RSPRO_IPA_HEADER_LEN + 1;
		view->len = len - 1;
	} else {
		view->kind = RSPRO_IPA_FRAME_CCM;
		view->payload = data + RSPRO_IPA_HEADER_LEN;
		view->len = len;
	}
	return (gssize)(RSPRO_IPA_HEADER_LEN + len);
}

gboolean
rspro_ipa_deframer_next_view(RsproIpaDeframer *self, RsproIpaFrameView *view, GError **error)
{
	gssize n;

	if (self->failed)
		return FALSE;
	n = rspro_ipa_peek(self->buf->data + self->off, self->buf->len - self->off, view, error);
	if (n < 0)
		self->failed = TRUE;
	if (n <= 0)
		return FALSE;
	self->off += (gsize)n;
	return TRUE;
}

gboolean
rspro_ipa_deframer_next(RsproIpaDeframer *self, RsproIpaFrame *frame, GError **error)
{
	RsproIpaFrameView view;

	frame->payload = NULL;
	if (!rspro_ipa_deframer_next_view(self, &view, error))
		return FALSE;
	frame->kind = view.kind;
	frame->payload = g_bytes_new(view.payload, view.len);
	return TRUE;
}

void
rspro_ipa_deframer_take_pending(RsproIpaDeframer *self, GByteArray *out)
{
	g_byte_array_append(out, self->buf->data + self->off, self->buf->len - self->off);
	self->off = self->buf->len;
	rspro_ipa_deframer_compact(self);
}

gsize
rspro_ipa_deframer_get_pending(RsproIpaDeframer *self)
{
	return self->buf->len - self->off;
}
