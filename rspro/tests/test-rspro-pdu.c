/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RSPRO codec against upstream's vectors (tests/vectors/rspro-*.tsv), the
 * module's constraints on encode, and the JSON form's error reporting.
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "rspro-pdu.h"
#include "rspro-test-util.h"

static JsonNode *
parse_json(const gchar *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	json_parser_load_from_data(parser, text, -1, &error);
	g_assert_no_error(error);
	return json_node_copy(json_parser_get_root(parser));
}

static void
assert_json_equal(JsonNode *got, const gchar *want_text)
{
	g_autoptr(JsonNode) want = parse_json(want_text);

	if (!json_node_equal(got, want)) {
		g_autofree gchar *got_text = json_to_string(got, FALSE);

		g_test_message("got:  %s", got_text);
		g_test_message("want: %s", want_text);
		g_test_fail();
	}
}

/* ---- rspro-vectors.tsv: columns id, message, fields, hex ---- */

static void
test_vector_encode(gconstpointer data)
{
	gchar **row = (gchar **)data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_json_decode_string(row[2], &error);
	g_autoptr(GBytes) der = NULL;
	g_autofree gchar *hex = NULL;

	g_assert_no_error(error);
	g_assert_nonnull(pdu);
	g_assert_cmpstr(rspro_msg_type_to_string(pdu->type), ==, row[1]);
	der = rspro_pdu_encode(pdu, &error);
	g_assert_no_error(error);
	hex = rspro_test_hex(der);
	g_assert_cmpstr(hex, ==, row[3]);
}

static void
test_vector_decode(gconstpointer data)
{
	gchar **row = (gchar **)data;
	g_autoptr(GBytes) der = rspro_test_unhex(row[3]);
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(der, &error);
	g_autoptr(RsproPdu) copy = NULL;
	g_autoptr(JsonNode) json = NULL;
	g_autoptr(JsonNode) copy_json = NULL;
	g_autofree gchar *summary = NULL;

	g_assert_no_error(error);
	g_assert_nonnull(pdu);
	json = rspro_pdu_json_encode(pdu);
	assert_json_equal(json, row[2]);

	/* a copy is deep and equal */
	copy = rspro_pdu_copy(pdu);
	g_clear_pointer(&pdu, rspro_pdu_free);
	copy_json = rspro_pdu_json_encode(copy);
	assert_json_equal(copy_json, row[2]);
	summary = rspro_pdu_to_string(copy);
	g_assert_true(g_str_has_prefix(summary, row[1]));
}

/* ---- rspro-invalid.tsv: columns id, description, expect, upstream, hex ---- */

static void
test_invalid(gconstpointer data)
{
	gchar **row = (gchar **)data;
	g_autoptr(GBytes) ber = rspro_test_unhex(row[4]);
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(ber, &error);
	g_autoptr(GBytes) der = NULL;
	g_autoptr(RsproPdu) again = NULL;
	g_autoptr(JsonNode) json = NULL;
	g_autoptr(JsonNode) json_again = NULL;

	g_test_message("%s: %s", row[0], row[1]);
	if (g_str_equal(row[2], "reject")) {
		g_assert_null(pdu);
		g_assert_nonnull(error);
		g_assert_true(error->domain == RSPRO_PDU_ERROR);
		g_assert_cmpstr(error->message, !=, "");
		g_test_message("rejected: %s", error->message);
		return;
	}
	g_assert_cmpstr(row[2], ==, "accept");
	g_assert_no_error(error);
	g_assert_nonnull(pdu);

	/* re-encoding gives DER that decodes to the same thing */
	der = rspro_pdu_encode(pdu, &error);
	g_assert_no_error(error);
	again = rspro_pdu_decode_bytes(der, &error);
	g_assert_no_error(error);
	json = rspro_pdu_json_encode(pdu);
	json_again = rspro_pdu_json_encode(again);
	g_assert_true(json_node_equal(json, json_again));
}

/* DER re-encoding of the BER-only cases is canonical: shorter or equal, and stable */
static void
test_reencode_is_der(void)
{
	g_autoptr(GBytes) ber = rspro_test_unhex("30810d800102810100a205a5030a0100");
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(ber, &error);
	g_autoptr(GBytes) der = NULL;
	g_autofree gchar *hex = NULL;

	g_assert_no_error(error);
	der = rspro_pdu_encode(pdu, &error);
	g_assert_no_error(error);
	hex = rspro_test_hex(der);
	g_assert_cmpstr(hex, ==, "300d800102810100a205a5030a0100");
}

/* inputs the fuzzers found; each must be refused, promptly */
static void
test_decode_regressions(void)
{
	static const gchar *const cases[] = {
		/* indefinite-length msg [2] followed by 00 5d: asn1c's CHOICE looped */
		"301f800102810100a280b300005d000000001402",
		/* the same with a proper end-of-contents, then garbage */
		"3080800102810100a280b30000000000ff",
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) ber = rspro_test_unhex(cases[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(ber, &error);

		g_assert_null(pdu);
		g_assert_nonnull(error);
		g_test_message("%s: %s", cases[i], error->message);
	}
}

/* BER's indefinite lengths are accepted where they are well-formed */
static void
test_decode_indefinite(void)
{
	g_autoptr(GBytes) ber = rspro_test_unhex("3080800102810100a280b30000000000");
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(ber, &error);

	g_assert_no_error(error);
	g_assert_cmpint(pdu->type, ==, RSPRO_MSG_RESET_STATE_REQ);
}

/* ---- constraints on encode ---- */

static void
assert_encode_refused(const RsproPdu *pdu, const gchar *field)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) der = rspro_pdu_encode(pdu, &error);

	g_assert_null(der);
	g_assert_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, field));
}

static void
assert_encodes(const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) der = rspro_pdu_encode(pdu, &error);

	g_assert_no_error(error);
	g_assert_nonnull(der);
}

static RsproPdu *
new_identity_pdu(void)
{
	RsproComponentIdentity id;
	RsproPdu *pdu;

	rspro_component_identity_init(&id, RSPRO_COMPONENT_BANKD, "bank", "remsim-bankd");
	pdu = rspro_pdu_new_connect_bank_req(&id, 1, 8);
	rspro_component_identity_clear(&id);
	return pdu;
}

static void
test_encode_atr_size(void)
{
	const RsproClientSlot slot = { 1, 0 };
	guint8 atr[RSPRO_ATR_MAX + 1];
	g_autoptr(GBytes) ok = NULL;
	g_autoptr(GBytes) too_long = NULL;
	g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
	g_autoptr(RsproPdu) pdu = NULL;

	memset(atr, 0x3b, sizeof(atr));
	ok = g_bytes_new(atr, RSPRO_ATR_MAX);
	too_long = g_bytes_new(atr, RSPRO_ATR_MAX + 1);

	pdu = rspro_pdu_new_set_atr_req(&slot, ok);
	assert_encodes(pdu);
	g_bytes_unref(pdu->u.set_atr_req.atr);
	pdu->u.set_atr_req.atr = g_bytes_ref(too_long);
	assert_encode_refused(pdu, "msg.setAtrReq.atr");
	g_bytes_unref(pdu->u.set_atr_req.atr);
	pdu->u.set_atr_req.atr = g_bytes_ref(empty);
	assert_encode_refused(pdu, "msg.setAtrReq.atr");
	g_clear_pointer(&pdu->u.set_atr_req.atr, g_bytes_unref);
	assert_encode_refused(pdu, "msg.setAtrReq.atr");
}

static void
test_encode_name_length(void)
{
	g_autoptr(RsproPdu) pdu = new_identity_pdu();
	RsproComponentIdentity *id = &pdu->u.connect_bank_req.identity;

	g_free(id->name);
	id->name = g_strnfill(RSPRO_NAME_MAX, 'n');
	assert_encodes(pdu);
	g_free(id->name);
	id->name = g_strnfill(RSPRO_NAME_MAX + 1, 'n');
	assert_encode_refused(pdu, "msg.connectBankReq.identity.name");
	g_free(id->name);
	id->name = g_strdup("");
	assert_encode_refused(pdu, "msg.connectBankReq.identity.name");
	g_free(id->name);
	id->name = g_strdup("ok");
	id->hw_model = g_strnfill(RSPRO_NAME_MAX + 1, 'm');
	assert_encode_refused(pdu, "msg.connectBankReq.identity.hwModel");
	g_free(id->hw_model);
	/* IA5 is 7-bit: UTF-8 "ä" is not */
	id->hw_model = g_strdup("\xc3\xa4");
	assert_encode_refused(pdu, "msg.connectBankReq.identity.hwModel");
	g_clear_pointer(&id->hw_model, g_free);
	g_clear_pointer(&id->software, g_free);
	assert_encode_refused(pdu, "msg.connectBankReq.identity.software");
}

static void
test_encode_ids(void)
{
	RsproClientSlot client = { RSPRO_ID_MAX, RSPRO_ID_MAX };
	RsproBankSlot bank = { RSPRO_ID_MAX, RSPRO_ID_MAX };
	g_autoptr(RsproPdu) pdu =
	    rspro_pdu_new_mapping_req(RSPRO_MSG_CREATE_MAPPING_REQ, &client, &bank);

	assert_encodes(pdu);
	pdu->u.create_mapping_req.client.client_id = RSPRO_ID_MAX + 1;
	assert_encode_refused(pdu, "msg.createMappingReq.client.clientId");
	pdu->u.create_mapping_req.client.client_id = 0;
	pdu->u.create_mapping_req.bank.slot_nr = RSPRO_ID_MAX + 1;
	assert_encode_refused(pdu, "msg.createMappingReq.bank.slotNr");
	pdu->u.create_mapping_req.bank.slot_nr = 0;
	pdu->version = RSPRO_VERSION_MAX + 1;
	assert_encode_refused(pdu, "version");
	pdu->version = RSPRO_VERSION;
	pdu->tag = (guint32)RSPRO_TAG_MAX + 1;
	assert_encode_refused(pdu, "tag");
}

static void
test_encode_component_type_and_error_string(void)
{
	const RsproClientSlot slot = { 3, 4 };
	g_autoptr(RsproPdu) pdu =
	    rspro_pdu_new_error_ind(RSPRO_COMPONENT_SERVER, RSPRO_SEVERITY_MAJOR,
				    RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT, NULL, &slot, "bye");
	g_autoptr(RsproPdu) bank = new_identity_pdu();

	assert_encodes(pdu);
	g_free(pdu->u.error_ind.error_string);
	pdu->u.error_ind.error_string = g_strnfill(RSPRO_ERROR_STRING_MAX + 1, 'e');
	assert_encode_refused(pdu, "msg.errorInd.errorString");
	g_free(pdu->u.error_ind.error_string);
	pdu->u.error_ind.error_string = g_strnfill(RSPRO_ERROR_STRING_MAX, 'e');
	assert_encodes(pdu);
	pdu->u.error_ind.sender = 3;
	assert_encode_refused(pdu, "msg.errorInd.sender");
	bank->u.connect_bank_req.identity.type = 3;
	assert_encode_refused(bank, "msg.connectBankReq.identity.type");
}

/* unknown values of the extensible enumerations travel as they are */
static void
test_extensible_enum_roundtrip(void)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_result(RSPRO_MSG_SET_ATR_RES, 77);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) der = rspro_pdu_encode(pdu, &error);
	g_autoptr(RsproPdu) back = NULL;
	g_autofree gchar *json = NULL;

	g_assert_no_error(error);
	back = rspro_pdu_decode_bytes(der, &error);
	g_assert_no_error(error);
	g_assert_cmpint(back->u.set_atr_res.result, ==, 77);
	g_assert_null(rspro_enum_result_code_to_string(77));
	json = rspro_pdu_json_encode_string(back);
	g_assert_nonnull(strstr(json, "\"result\":77"));
}

/* ---- the C API ---- */

static void
test_new_defaults(void)
{
	for (guint t = 0; t < RSPRO_MSG_TYPE_COUNT; t++) {
		g_autoptr(RsproPdu) pdu = rspro_pdu_new(t);
		RsproMsgType back;

		g_assert_cmpuint(pdu->version, ==, RSPRO_VERSION);
		g_assert_cmpuint(pdu->tag, ==,
				 t == RSPRO_MSG_CONNECT_CLIENT_RES ? RSPRO_TAG_CONNECT_CLIENT_RES
								   : 0);
		g_assert_true(rspro_msg_type_from_string(rspro_msg_type_to_string(t), &back));
		g_assert_cmpint(back, ==, t);
	}
	g_assert_null(rspro_msg_type_to_string(RSPRO_MSG_TYPE_COUNT));
	g_assert_cmpint(rspro_msg_type_response(RSPRO_MSG_TPDU_MODEM_TO_CARD), ==,
			RSPRO_MSG_TPDU_CARD_TO_MODEM);
	g_assert_cmpint(rspro_msg_type_response(RSPRO_MSG_CONNECT_CLIENT_REQ), ==,
			RSPRO_MSG_CONNECT_CLIENT_RES);
	g_assert_cmpint(rspro_msg_type_response(RSPRO_MSG_CONFIG_CLIENT_BANK_REQ), ==,
			RSPRO_MSG_CONFIG_CLIENT_BANK_RES);
	g_assert_cmpint(rspro_msg_type_response(RSPRO_MSG_ERROR_IND), ==, -1);
	g_assert_cmpstr(rspro_enum_result_code_to_string(RSPRO_RESULT_CARD_NOT_PRESENT), ==,
			"cardNotPresent");
	g_assert_true(g_type_is_a(RSPRO_TYPE_PDU, G_TYPE_BOXED));
}

static void
test_identity_init(void)
{
	RsproComponentIdentity id;
	g_autofree gchar *host = g_strndup(g_get_host_name(), RSPRO_NAME_MAX);

	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, NULL, "remsim-client");
	g_assert_cmpstr(id.name, ==, host);
	g_assert_cmpuint(strlen(id.name), <=, RSPRO_NAME_MAX);
	g_assert_cmpstr(id.sw_version, ==, PACKAGE_VERSION);
	g_assert_cmpstr(id.software, ==, "remsim-client");
	g_assert_null(id.hw_model);
	rspro_component_identity_clear(&id);

	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT,
				      "a-host-name-that-is-much-longer-than-32-characters", "x");
	g_assert_cmpstr(id.name, ==, "a-host-name-that-is-much-longer-");
	rspro_component_identity_clear(&id);
	g_assert_null(id.name);
}

static void
test_ip_port(void)
{
	RsproIpPort ip;
	g_autofree gchar *v4 = NULL;
	g_autofree gchar *v6 = NULL;
	g_autoptr(RsproPdu) pdu = NULL;
	g_autofree gchar *json = NULL;
	const RsproBankSlot bank = { 1, 2 };

	g_assert_true(rspro_ip_port_from_string(&ip, "127.0.0.1", 9999));
	g_assert_false(ip.is_ipv6);
	g_assert_cmpuint(ip.port, ==, 9999);
	v4 = rspro_ip_port_to_string(&ip);
	g_assert_cmpstr(v4, ==, "127.0.0.1");
	pdu = rspro_pdu_new_config_client_bank_req(&bank, &ip);
	json = rspro_pdu_json_encode_string(pdu);
	g_assert_nonnull(strstr(json, "{\"ipv4\":\"7f000001\"}"));

	g_assert_true(rspro_ip_port_from_string(&ip, "2001:db8::1", 1));
	g_assert_true(ip.is_ipv6);
	v6 = rspro_ip_port_to_string(&ip);
	g_assert_cmpstr(v6, ==, "2001:db8::1");
	g_assert_false(rspro_ip_port_from_string(&ip, "not an address", 1));
	g_assert_false(rspro_ip_port_from_string(&ip, "1.2.3", 1));
}

static void
test_to_string(void)
{
	const RsproClientSlot from = { 23, 0 };
	const RsproBankSlot to = { 1, 1 };
	g_autoptr(GBytes) data = g_bytes_new_static("\xa0\xa4\x00\x00\x02\x3f\x00", 7);
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_tpdu_modem_to_card(&from, &to, data);
	g_autofree gchar *s = rspro_pdu_to_string(pdu);

	g_assert_cmpstr(s, ==, "tpduModemToCard C23:0->B1:1 7 bytes");
}

/* ---- JSON errors ---- */

static void
assert_json_refused(const gchar *json, const gchar *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) pdu = rspro_pdu_json_decode_string(json, &error);

	g_assert_null(pdu);
	g_assert_nonnull(error);
	g_assert_true(error->domain == RSPRO_PDU_ERROR);
	g_test_message("%s -> %s", json, error->message);
	if (!strstr(error->message, needle)) {
		g_test_message("'%s' does not mention '%s'", error->message, needle);
		g_test_fail();
	}
}

#define SLOTS "\"client\":{\"clientId\":1,\"slotNr\":0},\"bank\":{\"bankId\":1,\"slotNr\":0}"

static void
test_json_errors(void)
{
	assert_json_refused("", "JSON");
	assert_json_refused("{\"version\":2,", "invalid JSON");
	assert_json_refused("[1,2]", "JSON object");
	assert_json_refused("{\"version\":2,\"tag\":0}", "msg: missing");
	assert_json_refused("{\"version\":\"2\",\"tag\":0,\"msg\":{\"resetStateReq\":{}}}",
			    "version: expected an integer");
	assert_json_refused("{\"version\":2.5,\"tag\":0,\"msg\":{\"resetStateReq\":{}}}",
			    "version: expected an integer");
	assert_json_refused("{\"version\":33,\"tag\":0,\"msg\":{\"resetStateReq\":{}}}",
			    "version: 33 is outside 0..32");
	assert_json_refused("{\"version\":2,\"tag\":-1,\"msg\":{\"resetStateReq\":{}}}", "tag");
	assert_json_refused("{\"version\":2,\"tag\":0,\"extra\":1,\"msg\":{\"resetStateReq\":{}}}",
			    "extra: unknown field");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"fooReq\":{}}}",
			    "msg.fooReq: unknown message");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{}}", "msg: expected exactly one");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"resetStateReq\":{\"x\":1}}}",
			    "msg.resetStateReq.x: unknown field");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"createMappingReq\":{"
			    "\"client\":{\"clientId\":1024,\"slotNr\":0},"
			    "\"bank\":{\"bankId\":1,\"slotNr\":0}}}}",
			    "msg.createMappingReq.client.clientId: 1024 is outside 0..1023");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"createMappingReq\":{"
			    "\"client\":{\"clientId\":1},"
			    "\"bank\":{\"bankId\":1,\"slotNr\":0}}}}",
			    "msg.createMappingReq.client.slotNr: missing");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"createMappingReq\":{" SLOTS
			    ",\"bonus\":true}}}",
			    "msg.createMappingReq.bonus: unknown field");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"createMappingRes\":"
			    "{\"result\":\"fine\"}}}",
			    "msg.createMappingRes.result: unknown value \"fine\"");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"setAtrReq\":{"
			    "\"slot\":{\"clientId\":1,\"slotNr\":0},\"atr\":\"3b0\"}}}",
			    "msg.setAtrReq.atr: odd number");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"setAtrReq\":{"
			    "\"slot\":{\"clientId\":1,\"slotNr\":0},\"atr\":\"zz\"}}}",
			    "msg.setAtrReq.atr: not a hex");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"setAtrReq\":{"
			    "\"slot\":{\"clientId\":1,\"slotNr\":0},\"atr\":\"\"}}}",
			    "msg.setAtrReq.atr: length 0");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"configClientBankReq\":{"
			    "\"bankSlot\":{\"bankId\":1,\"slotNr\":0},"
			    "\"bankd\":{\"ip\":{\"ipv4\":\"7f00000100\"},\"port\":1}}}}",
			    "msg.configClientBankReq.bankd.ip.ipv4: 5 bytes instead of 4");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"configClientBankReq\":{"
			    "\"bankSlot\":{\"bankId\":1,\"slotNr\":0},"
			    "\"bankd\":{\"ip\":{\"ipv4\":\"7f000001\"},\"port\":65536}}}}",
			    "msg.configClientBankReq.bankd.port: 65536 is outside 0..65535");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"connectClientReq\":{"
			    "\"identity\":{\"type\":\"remsimClient\",\"name\":"
			    "\"abcdefghijklmnopqrstuvwxyz0123456\",\"software\":\"s\","
			    "\"swVersion\":\"1\"}}}}",
			    "msg.connectClientReq.identity.name: length 33");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"connectClientReq\":{"
			    "\"identity\":{\"type\":3,\"name\":\"n\",\"software\":\"s\","
			    "\"swVersion\":\"1\"}}}}",
			    "msg.connectClientReq.identity.type");
	assert_json_refused("{\"version\":2,\"tag\":0,\"msg\":{\"clientSlotStatusInd\":{"
			    "\"fromClientSlot\":{\"clientId\":1,\"slotNr\":0},"
			    "\"toBankSlot\":{\"bankId\":1,\"slotNr\":0},"
			    "\"slotPhysStatus\":{\"resetActive\":1}}}}",
			    "msg.clientSlotStatusInd.slotPhysStatus.resetActive: expected true");
}

static void
add_vector_tests(GPtrArray *vectors, GPtrArray *invalid)
{
	for (guint i = 0; i < vectors->len; i++) {
		gchar **row = vectors->pdata[i];
		g_autofree gchar *enc = g_strdup_printf("/rspro/vectors/encode/%s", row[0]);
		g_autofree gchar *dec = g_strdup_printf("/rspro/vectors/decode/%s", row[0]);

		g_test_add_data_func(enc, row, test_vector_encode);
		g_test_add_data_func(dec, row, test_vector_decode);
	}
	for (guint i = 0; i < invalid->len; i++) {
		gchar **row = invalid->pdata[i];
		g_autofree gchar *path = g_strdup_printf("/rspro/invalid/%s", row[0]);

		g_test_add_data_func(path, row, test_invalid);
	}
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) vectors = NULL;
	g_autoptr(GPtrArray) invalid = NULL;

	g_test_init(&argc, &argv, NULL);
	vectors = rspro_test_load_tsv("rspro-vectors.tsv", 4);
	invalid = rspro_test_load_tsv("rspro-invalid.tsv", 5);
	add_vector_tests(vectors, invalid);

	g_test_add_func("/rspro/pdu/reencode-is-der", test_reencode_is_der);
	g_test_add_func("/rspro/pdu/decode-regressions", test_decode_regressions);
	g_test_add_func("/rspro/pdu/decode-indefinite", test_decode_indefinite);
	g_test_add_func("/rspro/pdu/encode-atr-size", test_encode_atr_size);
	g_test_add_func("/rspro/pdu/encode-name-length", test_encode_name_length);
	g_test_add_func("/rspro/pdu/encode-ids", test_encode_ids);
	g_test_add_func("/rspro/pdu/encode-component-type-error-string",
			test_encode_component_type_and_error_string);
	g_test_add_func("/rspro/pdu/extensible-enum-roundtrip", test_extensible_enum_roundtrip);
	g_test_add_func("/rspro/pdu/new-defaults", test_new_defaults);
	g_test_add_func("/rspro/pdu/identity-init", test_identity_init);
	g_test_add_func("/rspro/pdu/ip-port", test_ip_port);
	g_test_add_func("/rspro/pdu/to-string", test_to_string);
	g_test_add_func("/rspro/json/errors", test_json_errors);
	return g_test_run();
}
