/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the IPA de-framer on an arbitrary byte stream, fed in
 * pieces whose sizes the input chooses, and every RSPRO frame it yields
 * handed on to the PDU decoder as a connection would.
 */
#include <stdlib.h>
#include <string.h>

#include "rspro-ipa.h"
#include "rspro-pdu.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

/* take frames until the de-framer needs more bytes; FALSE once it failed */
static gboolean
drain(RsproIpaDeframer *deframer)
{
	RsproIpaFrame frame = { 0 };
	g_autoptr(GError) error = NULL;

	while (rspro_ipa_deframer_next(deframer, &frame, &error)) {
		if (frame.kind == RSPRO_IPA_FRAME_RSPRO) {
			g_autoptr(GError) pdu_error = NULL;
			g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(frame.payload, &pdu_error);

			if (!pdu && !pdu_error)
				g_error("decode failed without an error");
		}
		rspro_ipa_frame_clear(&frame);
	}
	return error == NULL;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(RsproIpaDeframer) deframer = NULL;
	gsize chunk;

	if (size == 0)
		return 0;
	/* the first byte picks the read size: 1..256 bytes at a time */
	chunk = (gsize)data[0] + 1;
	data++;
	size--;
	deframer = rspro_ipa_deframer_new();
	while (size > 0) {
		gsize n = MIN(chunk, size);

		rspro_ipa_deframer_feed(deframer, data, n);
		data += n;
		size -= n;
		if (!drain(deframer))
			break;
	}
	return 0;
}
