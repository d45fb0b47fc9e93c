/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPA multiplex framing as osmo-remsim uses it: RSPRO PDUs in protocol 0xEE with
 * extension 0x07, and the CCM keep-alive messages in protocol 0xFE.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RSPRO_IPA_ERROR (rspro_ipa_error_quark())
GQuark rspro_ipa_error_quark(void);

typedef enum {
	RSPRO_IPA_ERROR_FAILED,		   /* anything else */
	RSPRO_IPA_ERROR_UNKNOWN_PROTOCOL,  /* neither 0xEE nor 0xFE */
	RSPRO_IPA_ERROR_UNKNOWN_EXTENSION, /* 0xEE with an extension other than 0x07, 0x52 */
	RSPRO_IPA_ERROR_BAD_FRAME,	   /* a frame too short for its protocol */
	RSPRO_IPA_ERROR_TOO_LARGE,	   /* a payload that does not fit one frame */
} RsproIpaError;

#define RSPRO_IPA_PROTO_OSMO 0xEE
#define RSPRO_IPA_PROTO_CCM 0xFE
#define RSPRO_IPA_EXT_RSPRO 0x07
/*
 * remsim's own messages (JSON) between remsim daemons on the RSPRO link, beside
 * RSPRO: sent only to a peer that said it takes them (rspro-pdu.h,
 * rspro_component_identity_has_remsim_ext()), so upstream peers never see one
 */
#define RSPRO_IPA_EXT_REMSIM 0x52
#define RSPRO_IPA_HEADER_LEN 3
/* an RSPRO PDU and its extension byte must fit the 16-bit length */
#define RSPRO_IPA_PDU_MAX (G_MAXUINT16 - 1)

typedef enum {
	RSPRO_IPA_CCM_PING = 0x00,
	RSPRO_IPA_CCM_PONG = 0x01,
	RSPRO_IPA_CCM_ID_GET = 0x04,
	RSPRO_IPA_CCM_ID_RESP = 0x05,
	RSPRO_IPA_CCM_ID_ACK = 0x06,
} RsproIpaCcm;

typedef enum {
	RSPRO_IPA_FRAME_RSPRO,	/* payload: one DER/BER RsproPDU */
	RSPRO_IPA_FRAME_CCM,	/* payload: the CCM message type byte and any TLVs */
	RSPRO_IPA_FRAME_REMSIM, /* payload: one remsim message */
} RsproIpaFrameKind;

typedef struct {
	RsproIpaFrameKind kind;
	GBytes *payload;
} RsproIpaFrame;

void rspro_ipa_frame_clear(RsproIpaFrame *frame);

/* the whole frame for one encoded PDU: LL LL EE 07 <pdu> */
GBytes *rspro_ipa_wrap_rspro(GBytes *pdu, GError **error);
/* the whole frame for one remsim message: LL LL EE 52 <payload> */
GBytes *rspro_ipa_wrap_remsim(GBytes *payload, GError **error);
/* one CCM message without TLVs: 00 01 FE <type> */
GBytes *rspro_ipa_wrap_ccm(RsproIpaCcm type);

/* the 4-byte header of an RSPRO frame whose PDU has @pdu_len bytes: LL LL EE 07 */
void rspro_ipa_put_rspro_header(guint8 *out, gsize pdu_len);

/* a frame read in place: @payload points into the buffer it was read from */
typedef struct {
	RsproIpaFrameKind kind;
	const guint8 *payload;
	gsize len;
} RsproIpaFrameView;

/*
 * The frame at the start of @data, without copying it: its whole length
 * (header included) with @view filled, 0 when more bytes are needed, or -1
 * with @error set for a stream that must end (as rspro_ipa_deframer_next()).
 */
gssize rspro_ipa_peek(const guint8 *data, gsize len, RsproIpaFrameView *view, GError **error);

/*
 * RsproIpaDeframer: turns a TCP byte stream, split and coalesced anyhow, back
 * into frames. Feed it what you read, then take frames until it has none.
 */
typedef struct _RsproIpaDeframer RsproIpaDeframer;

RsproIpaDeframer *rspro_ipa_deframer_new(void);
void rspro_ipa_deframer_free(RsproIpaDeframer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsproIpaDeframer, rspro_ipa_deframer_free)

void rspro_ipa_deframer_feed(RsproIpaDeframer *self, const guint8 *data, gsize len);
/*
 * TRUE and fills @frame when a whole frame is buffered; FALSE with @error unset
 * when more bytes are needed; FALSE with @error set for a frame that must end
 * the connection (unknown protocol or extension). After an error the deframer
 * yields nothing more.
 */
gboolean rspro_ipa_deframer_next(RsproIpaDeframer *self, RsproIpaFrame *frame, GError **error);
/* bytes buffered but not yet returned as a frame */
gsize rspro_ipa_deframer_get_pending(RsproIpaDeframer *self);
/* as _next(), with the payload in place: valid until the next _feed() */
gboolean rspro_ipa_deframer_next_view(RsproIpaDeframer *self, RsproIpaFrameView *view,
				      GError **error);
/* moves the bytes not yet returned as a frame to the end of @out */
void rspro_ipa_deframer_take_pending(RsproIpaDeframer *self, GByteArray *out);

G_END_DECLS
