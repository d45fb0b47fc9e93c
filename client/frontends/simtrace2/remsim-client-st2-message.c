/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-client-st2-message.h"

G_DEFINE_QUARK(remsim_client_st2_error_quark, remsim_client_st2_error)

static void
remsim_client_st2_message_put_le16(guint8 *p, guint16 v)
{
	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
}

static void
remsim_client_st2_message_put_le32(guint8 *p, guint32 v)
{
	remsim_client_st2_message_put_le16(p, (guint16)v);
	remsim_client_st2_message_put_le16(p + 2, (guint16)(v >> 16));
}

static guint32
remsim_client_st2_message_get_le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

GBytes *
remsim_client_st2_message_build(guint8 msg_class, guint8 msg_type, const guint8 *payload,
				gsize payload_len)
{
	gsize total = REMSIM_CLIENT_ST2_HEADER_LEN + payload_len;
	guint8 *buf;

	g_return_val_if_fail(total <= G_MAXUINT16, NULL);
	buf = g_malloc0(total);
	buf[0] = msg_class;
	buf[1] = msg_type;
	remsim_client_st2_message_put_le16(buf + 6, (guint16)total);
	if (payload_len > 0)
		memcpy(buf + REMSIM_CLIENT_ST2_HEADER_LEN, payload, payload_len);
	return g_bytes_new_take(buf, total);
}

GBytes *
remsim_client_st2_message_tx_data(guint32 flags, const guint8 *data, gsize len)
{
	g_autofree guint8 *p = g_malloc(6 + len);

	g_return_val_if_fail(len <= G_MAXUINT16 - 6 - REMSIM_CLIENT_ST2_HEADER_LEN, NULL);
	remsim_client_st2_message_put_le32(p, flags);
	remsim_client_st2_message_put_le16(p + 4, (guint16)len);
	if (len > 0)
		memcpy(p + 6, data, len);
	return remsim_client_st2_message_build(REMSIM_CLIENT_ST2_CLASS_CARDEM,
					       REMSIM_CLIENT_ST2_CEMU_TX_DATA, p, 6 + len);
}

GBytes *
remsim_client_st2_message_set_atr(GBytes *atr)
{
	gsize len = MIN(g_bytes_get_size(atr), REMSIM_CLIENT_ST2_ATR_MAX);
	guint8 p[1 + REMSIM_CLIENT_ST2_ATR_MAX];

	p[0] = (guint8)len;
	memcpy(p + 1, g_bytes_get_data(atr, NULL), len);
	return remsim_client_st2_message_build(REMSIM_CLIENT_ST2_CLASS_CARDEM,
					       REMSIM_CLIENT_ST2_CEMU_SET_ATR, p, 1 + len);
}

GBytes *
remsim_client_st2_message_u8(guint8 msg_class, guint8 msg_type, guint8 value)
{
	return remsim_client_st2_message_build(msg_class, msg_type, &value, 1);
}

GBytes *
remsim_client_st2_message_modem_reset(guint8 asserted, guint16 pulse_ms)
{
	guint8 p[3] = { asserted, 0, 0 };

	remsim_client_st2_message_put_le16(p + 1, pulse_ms);
	return remsim_client_st2_message_build(REMSIM_CLIENT_ST2_CLASS_MODEM,
					       REMSIM_CLIENT_ST2_MODEM_RESET, p, sizeof(p));
}

GBytes *
remsim_client_st2_message_config(guint32 features, gboolean has_pres_pol, guint8 pres_pol)
{
	guint8 p[6] = { 0 };

	remsim_client_st2_message_put_le32(p, features);
	p[4] = 0; /* slot_mux_nr */
	p[5] = has_pres_pol ? (guint8)(0x02 | (pres_pol ? 0x01 : 0x00)) : 0;
	return remsim_client_st2_message_build(REMSIM_CLIENT_ST2_CLASS_CARDEM,
					       REMSIM_CLIENT_ST2_CEMU_CONFIG, p, sizeof(p));
}

gboolean
remsim_client_st2_message_next(const guint8 *data, gsize len, gsize *offset,
			       RemsimClientSt2Msg *msg, GError **error)
{
	gsize left = len - *offset;
	const guint8 *p = data + *offset;
	gsize msg_len;

	if (left == 0)
		return FALSE;
	if (left < REMSIM_CLIENT_ST2_HEADER_LEN) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_MALFORMED,
			    "SIMtrace2: %zu stray bytes, shorter than a header", left);
		return FALSE;
	}
	msg_len = (gsize)p[6] | (gsize)p[7] << 8;
	if (msg_len < REMSIM_CLIENT_ST2_HEADER_LEN || msg_len > left) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_MALFORMED,
			    "SIMtrace2: message length %zu does not fit the %zu bytes received",
			    msg_len, left);
		return FALSE;
	}
	msg->msg_class = p[0];
	msg->msg_type = p[1];
	msg->payload = p + REMSIM_CLIENT_ST2_HEADER_LEN;
	msg->payload_len = msg_len - REMSIM_CLIENT_ST2_HEADER_LEN;
	*offset += msg_len;
	return TRUE;
}

gboolean
remsim_client_st2_message_parse_data(const RemsimClientSt2Msg *msg, guint32 *flags,
				     const guint8 **data, gsize *len, GError **error)
{
	gsize data_len;

	if (msg->payload_len < 6) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_MALFORMED,
			    "SIMtrace2: data message of %zu bytes is too short", msg->payload_len);
		return FALSE;
	}
	data_len = (gsize)msg->payload[4] | (gsize)msg->payload[5] << 8;
	if (data_len > msg->payload_len - 6) {
		g_set_error(error, REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_MALFORMED,
			    "SIMtrace2: data length %zu exceeds the %zu bytes sent", data_len,
			    msg->payload_len - 6);
		return FALSE;
	}
	*flags = remsim_client_st2_message_get_le32(msg->payload);
	*data = msg->payload + 6;
	*len = data_len;
	return TRUE;
}
