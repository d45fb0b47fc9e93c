/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: rspro_pdu_decode() on arbitrary bytes. Beyond "no crash, no
 * leak", whatever decodes must survive the round trips: DER encoding, decoding
 * that again, and the JSON form, all giving the same PDU.
 */
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "rspro-pdu.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_json_roundtrip(const RsproPdu *pdu, JsonNode *json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) back = rspro_pdu_from_json(json, &error);
	g_autoptr(JsonNode) json_back = NULL;

	if (!back)
		g_error("JSON of a decoded PDU is refused: %s", error->message);
	json_back = rspro_pdu_to_json(back);
	if (!json_node_equal(json, json_back))
		g_error("JSON round trip changed the %s", rspro_msg_type_to_string(pdu->type));
}

static void
check_der_roundtrip(const RsproPdu *pdu, JsonNode *json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) der = rspro_pdu_encode(pdu, &error);
	g_autoptr(RsproPdu) again = NULL;
	g_autoptr(JsonNode) json_again = NULL;

	if (!der)
		g_error("a decoded PDU does not encode: %s", error->message);
	again = rspro_pdu_decode_bytes(der, &error);
	if (!again)
		g_error("our own DER does not decode: %s", error->message);
	json_again = rspro_pdu_to_json(again);
	if (!json_node_equal(json, json_again))
		g_error("DER round trip changed the %s", rspro_msg_type_to_string(pdu->type));
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode(data, size, &error);
	g_autoptr(JsonNode) json = NULL;
	g_autofree gchar *summary = NULL;

	if (!pdu) {
		if (!error || !error->message || !*error->message)
			g_error("decode failed without an error message");
		return 0;
	}
	json = rspro_pdu_to_json(pdu);
	summary = rspro_pdu_to_string(pdu);
	check_der_roundtrip(pdu, json);
	check_json_roundtrip(pdu, json);
	return 0;
}
