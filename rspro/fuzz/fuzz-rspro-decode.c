/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: rspro_pdu_decode() on arbitrary bytes. Beyond "no crash, no
 * leak", whatever decodes must survive the round trips: DER encoding, decoding
 * that again, and the JSON form, all giving the same PDU. And the hand-written
 * DER path for the two TPDU messages must agree with asn1c on every input it
 * takes, both ways.
 */
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_json_roundtrip(const RsproPdu *pdu, JsonNode *json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) back = rspro_pdu_json_decode(json, &error);
	g_autoptr(JsonNode) json_back = NULL;

	if (!back)
		g_error("JSON of a decoded PDU is refused: %s", error->message);
	json_back = rspro_pdu_json_encode(back);
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
	json_again = rspro_pdu_json_encode(again);
	if (!json_node_equal(json, json_again))
		g_error("DER round trip changed the %s", rspro_msg_type_to_string(pdu->type));
}

static void
check_fast_path_agrees(const guint8 *data, size_t size)
{
	g_autoptr(RsproPdu) fast = rspro_pdu_der_decode_tpdu(data, size);
	g_autoptr(RsproPdu) slow = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) json_fast = NULL;
	g_autoptr(JsonNode) json_slow = NULL;
	g_autoptr(GBytes) der_fast = NULL;
	g_autoptr(GBytes) der_slow = NULL;

	if (!fast)
		return;
	slow = rspro_pdu_asn1c_decode(data, size, &error);
	if (!slow)
		g_error("the fast TPDU decoder takes what asn1c refuses: %s", error->message);
	json_fast = rspro_pdu_json_encode(fast);
	json_slow = rspro_pdu_json_encode(slow);
	if (!json_node_equal(json_fast, json_slow))
		g_error("the fast TPDU decoder and asn1c disagree");
	der_fast = rspro_pdu_der_encode_tpdu(fast);
	der_slow = rspro_pdu_asn1c_encode(fast, &error);
	if (!der_fast || !der_slow || !g_bytes_equal(der_fast, der_slow))
		g_error("the fast TPDU encoder and asn1c write different bytes");
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode(data, size, &error);
	g_autoptr(JsonNode) json = NULL;
	g_autofree gchar *summary = NULL;

	check_fast_path_agrees(data, size);
	if (!pdu) {
		if (!error || !error->message || !*error->message)
			g_error("decode failed without an error message");
		return 0;
	}
	json = rspro_pdu_json_encode(pdu);
	summary = rspro_pdu_to_string(pdu);
	check_der_roundtrip(pdu, json);
	check_json_roundtrip(pdu, json);
	return 0;
}
