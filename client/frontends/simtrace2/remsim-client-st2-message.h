/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIMtrace2 card-emulation messages (spec: simtrace2-cardem.md): an 8-byte
 * little-endian header and a payload per type. Building and checked parsing.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CLIENT_ST2_ERROR (remsim_client_st2_error_quark())
GQuark remsim_client_st2_error_quark(void);

typedef enum {
	REMSIM_CLIENT_ST2_ERROR_FAILED,	   /* anything else */
	REMSIM_CLIENT_ST2_ERROR_MALFORMED, /* a message that does not fit its transfer or type */
	REMSIM_CLIENT_ST2_ERROR_DEVICE,	   /* no such device, or it cannot be used */
	REMSIM_CLIENT_ST2_ERROR_IO,	   /* a USB transfer failed */
} RemsimClientSt2Error;

#define REMSIM_CLIENT_ST2_HEADER_LEN 8

#define REMSIM_CLIENT_ST2_CLASS_GENERIC 0
#define REMSIM_CLIENT_ST2_CLASS_CARDEM 1
#define REMSIM_CLIENT_ST2_CLASS_MODEM 2

#define REMSIM_CLIENT_ST2_CEMU_TX_DATA 1
#define REMSIM_CLIENT_ST2_CEMU_SET_ATR 2
#define REMSIM_CLIENT_ST2_CEMU_STATUS 4
#define REMSIM_CLIENT_ST2_CEMU_CARDINSERT 5
#define REMSIM_CLIENT_ST2_CEMU_RX_DATA 6
#define REMSIM_CLIENT_ST2_CEMU_PTS 7
#define REMSIM_CLIENT_ST2_CEMU_CONFIG 8
#define REMSIM_CLIENT_ST2_MODEM_RESET 1
#define REMSIM_CLIENT_ST2_MODEM_SIM_SELECT 2

/* data flags of TX_DATA / RX_DATA */
#define REMSIM_CLIENT_ST2_DATA_TPDU_HDR 0x01
#define REMSIM_CLIENT_ST2_DATA_FINAL 0x02
#define REMSIM_CLIENT_ST2_DATA_PB_AND_TX 0x04
#define REMSIM_CLIENT_ST2_DATA_PB_AND_RX 0x08

/* STATUS flags */
#define REMSIM_CLIENT_ST2_STATUS_VCC_PRESENT 0x01
#define REMSIM_CLIENT_ST2_STATUS_CLK_ACTIVE 0x02
#define REMSIM_CLIENT_ST2_STATUS_CARD_INSERT 0x08
#define REMSIM_CLIENT_ST2_STATUS_RESET_ACTIVE 0x10

#define REMSIM_CLIENT_ST2_FEATURE_STATUS_IRQ 0x01
/* the firmware keeps at most TS + 32 ATR bytes */
#define REMSIM_CLIENT_ST2_ATR_MAX 33

typedef struct {
	guint8 msg_class;
	guint8 msg_type;
	const guint8 *payload; /* points into the parsed buffer */
	gsize payload_len;
} RemsimClientSt2Msg;

/* a whole message: header (slot 0) and @payload */
GBytes *remsim_client_st2_message_build(guint8 msg_class, guint8 msg_type, const guint8 *payload,
					gsize payload_len);
GBytes *remsim_client_st2_message_tx_data(guint32 flags, const guint8 *data, gsize len);
GBytes *remsim_client_st2_message_set_atr(GBytes *atr);
GBytes *remsim_client_st2_message_u8(guint8 msg_class, guint8 msg_type, guint8 value);
GBytes *remsim_client_st2_message_modem_reset(guint8 asserted, guint16 pulse_ms);
GBytes *remsim_client_st2_message_config(guint32 features, gboolean has_pres_pol, guint8 pres_pol);

/*
 * Take the next message from @data/@len at *@offset. FALSE at the end (error
 * unset) or for a message that does not fit (error set; the rest is unusable).
 */
gboolean remsim_client_st2_message_next(const guint8 *data, gsize len, gsize *offset,
					RemsimClientSt2Msg *msg, GError **error);

/* RX_DATA / TX_DATA payload: FALSE with @error when data_len exceeds the payload */
gboolean remsim_client_st2_message_parse_data(const RemsimClientSt2Msg *msg, guint32 *flags,
					      const guint8 **data, gsize *len, GError **error);

G_END_DECLS
