/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every size and character constraint of the module's strings, both ways:
 * encoding refuses a value the module does not allow, and decoding refuses
 * DER that carries one, each with an error naming the field. The DER is
 * built here TLV by TLV, so that the decoder sees exactly one bad field.
 */
#include <gio/gio.h>
#include <string.h>

#include "rspro-pdu.h"

/* the ComponentIdentity members: (ASN.1 name, DER tag, optional) */
static const struct {
	const gchar *field;
	guint8 tag;
	gboolean optional;
} identity_fields[] = {
	{ "name", 0x16, FALSE },	  { "software", 0x80, FALSE }, { "swVersion", 0x81, FALSE },
	{ "hwManufacturer", 0x82, TRUE }, { "hwModel", 0x83, TRUE },   { "hwSerialNr", 0x84, TRUE },
	{ "hwVersion", 0x85, TRUE },	  { "fwVersion", 0x86, TRUE },
};

static void
tlv(GByteArray *out, guint8 tag, const guint8 *value, gsize len)
{
	g_byte_array_append(out, &tag, 1);
	if (len < 0x80) {
		guint8 l = (guint8)len;

		g_byte_array_append(out, &l, 1);
	} else {
		guint8 l[3] = { 0x82, (guint8)(len >> 8), (guint8)len };

		g_byte_array_append(out, l, 3);
	}
	g_byte_array_append(out, value, len);
}

static void
tlv_bytes(GByteArray *out, guint8 tag, GByteArray *value)
{
	tlv(out, tag, value->data, value->len);
}

/*
 * a connectBankReq whose identity has @value (@len bytes) in member @bad, "x"
 * elsewhere; with @ip_tag, the extension bound: IP address @ip (@ip_len bytes,
 * [0] ipv4 0x80, [1] ipv6 0x81) and port 9999
 */
static GBytes *
connect_bank_req_bound_der(guint bad, const guint8 *value, gsize len, guint8 ip_tag,
			   const guint8 *ip, gsize ip_len)
{
	g_autoptr(GByteArray) id = g_byte_array_new();
	g_autoptr(GByteArray) req = g_byte_array_new();
	g_autoptr(GByteArray) choice = g_byte_array_new();
	g_autoptr(GByteArray) body = g_byte_array_new();
	GByteArray *pdu = g_byte_array_new();
	static const guint8 bankd[] = { 2 }, one[] = { 1 }, two[] = { 2 }, zero[] = { 0 };

	tlv(id, 0x0a, bankd, 1); /* type remsimBankd */
	for (guint i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		if (i == bad)
			tlv(id, identity_fields[i].tag, value, len);
		else if (!identity_fields[i].optional)
			tlv(id, identity_fields[i].tag, (const guint8 *)"x", 1);
	}
	tlv_bytes(req, 0x30, id);
	tlv(req, 0x02, one, 1); /* bankId */
	tlv(req, 0x02, two, 1); /* numberOfSlots */
	if (ip_tag != 0) {
		g_autoptr(GByteArray) bound = g_byte_array_new();
		static const guint8 port[] = { 0x27, 0x0f };

		tlv(bound, ip_tag, ip, ip_len);
		tlv(bound, 0x02, port, sizeof(port));
		tlv_bytes(req, 0x30, bound);
	}
	tlv_bytes(choice, 0xa0, req);
	tlv(body, 0x80, two, 1);  /* version 2 */
	tlv(body, 0x81, zero, 1); /* tag 0 */
	tlv_bytes(body, 0xa2, choice);
	tlv_bytes(pdu, 0x30, body);
	return g_byte_array_free_to_bytes(pdu);
}

static GBytes *
connect_bank_req_der(guint bad, const guint8 *value, gsize len)
{
	return connect_bank_req_bound_der(bad, value, len, 0, NULL, 0);
}

static gchar **
identity_member(RsproComponentIdentity *id, guint i)
{
	gchar **members[] = { &id->name,       &id->software,
			      &id->sw_version, &id->hw_manufacturer,
			      &id->hw_model,   &id->hw_serial_nr,
			      &id->hw_version, &id->fw_version };

	return members[i];
}

static void
assert_error_names(const GError *error, const gchar *path, const gchar *what)
{
	g_assert_error(error, RSPRO_PDU_ERROR, RSPRO_PDU_ERROR_CONSTRAINT);
	if (!g_str_has_prefix(error->message, path) || strstr(error->message, what) == NULL)
		g_error("error “%s” does not name %s and %s", error->message, path, what);
}

/* the DER decoder: 32 characters pass, 33, none or one outside IA5String do not */
static void
test_identity_decode(void)
{
	gchar long_name[34];
	static const guint8 bad_chars[] = { 0x80, 0xff, 0x00 };

	memset(long_name, 'a', sizeof(long_name));
	for (guint i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		g_autofree gchar *path =
		    g_strdup_printf("msg.connectBankReq.identity.%s", identity_fields[i].field);
		g_autoptr(GBytes) ok = connect_bank_req_der(i, (const guint8 *)long_name, 32);
		g_autoptr(GBytes) too_long = connect_bank_req_der(i, (const guint8 *)long_name, 33);
		g_autoptr(GBytes) empty = connect_bank_req_der(i, (const guint8 *)"", 0);
		g_autoptr(GError) error = NULL;
		g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(ok, &error);
		RsproPdu *refused;

		g_assert_no_error(error);
		g_assert_cmpuint(strlen(*identity_member(&pdu->u.connect_bank_req.identity, i)), ==,
				 32);
		refused = rspro_pdu_decode_bytes(too_long, &error);
		g_assert_null(refused);
		assert_error_names(error, path, "length 33");
		g_clear_error(&error);
		refused = rspro_pdu_decode_bytes(empty, &error);
		g_assert_null(refused);
		assert_error_names(error, path, "length 0");
		g_clear_error(&error);
		for (guint c = 0; c < G_N_ELEMENTS(bad_chars); c++) {
			guint8 value[3] = { 'a', bad_chars[c], 'b' };
			g_autoptr(GBytes) bad = connect_bank_req_der(i, value, sizeof(value));
			g_autofree gchar *what = g_strdup_printf("0x%02x", bad_chars[c]);

			refused = rspro_pdu_decode_bytes(bad, &error);
			g_assert_null(refused);
			assert_error_names(error, path, what);
			g_clear_error(&error);
		}
	}
}

/* the encoder refuses the same values, naming the same field */
static void
test_identity_encode(void)
{
	static const gchar *const bad_values[] = { "", "0123456789012345678901234567890123",
						   "a\x80", "\xc3\xa9t\xc3\xa9" };

	for (guint i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		g_autofree gchar *path =
		    g_strdup_printf("msg.connectBankReq.identity.%s", identity_fields[i].field);

		for (guint v = 0; v < G_N_ELEMENTS(bad_values); v++) {
			RsproComponentIdentity id;
			g_autoptr(RsproPdu) pdu = NULL;
			g_autoptr(GBytes) der = NULL;
			g_autoptr(GError) error = NULL;
			gchar **member;

			rspro_component_identity_init(&id, RSPRO_COMPONENT_BANKD, "bank", "sw");
			member = identity_member(&id, i);
			g_free(*member);
			*member = g_strdup(bad_values[v]);
			pdu = rspro_pdu_new_connect_bank_req(&id, 1, 2);
			rspro_component_identity_clear(&id);
			der = rspro_pdu_encode(pdu, &error);
			g_assert_null(der);
			assert_error_names(error, path,
					   v == 0   ? "length 0"
					   : v == 1 ? "length 34"
						    : "character");
		}
		/* and takes the longest allowed one, every IA5 character from 1 to 127 */
		{
			RsproComponentIdentity id;
			g_autoptr(RsproPdu) pdu = NULL;
			g_autoptr(RsproPdu) back = NULL;
			g_autoptr(GBytes) der = NULL;
			g_autoptr(GError) error = NULL;
			gchar value[33];

			for (guint c = 0; c < 32; c++)
				value[c] = (gchar)(1 + (c * 4 + i) % 127);
			value[32] = '\0';
			rspro_component_identity_init(&id, RSPRO_COMPONENT_BANKD, "bank", "sw");
			g_free(*identity_member(&id, i));
			*identity_member(&id, i) = g_strdup(value);
			pdu = rspro_pdu_new_connect_bank_req(&id, 1, 2);
			rspro_component_identity_clear(&id);
			der = rspro_pdu_encode(pdu, &error);
			g_assert_no_error(error);
			back = rspro_pdu_decode_bytes(der, &error);
			g_assert_no_error(error);
			g_assert_cmpstr(*identity_member(&back->u.connect_bank_req.identity, i), ==,
					value);
		}
	}
}

/* errorInd.errorString: 1..255 characters of IA5String, both ways */
static void
test_error_string(void)
{
	g_autofree gchar *max = g_strnfill(255, 'e');
	g_autofree gchar *over = g_strnfill(256, 'e');
	const gchar *const bad[] = { over, "", "caf\xc3\xa9" };
	g_autoptr(RsproPdu) ok =
	    rspro_pdu_new_error_ind(RSPRO_COMPONENT_BANKD, RSPRO_SEVERITY_MINOR,
				    RSPRO_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED, NULL, NULL, max);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) der = rspro_pdu_encode(ok, &error);
	g_autoptr(RsproPdu) back = NULL;

	g_assert_no_error(error);
	back = rspro_pdu_decode_bytes(der, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(back->u.error_ind.error_string, ==, max);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(RsproPdu) pdu = rspro_pdu_new_error_ind(
		    RSPRO_COMPONENT_BANKD, RSPRO_SEVERITY_MINOR,
		    RSPRO_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED, NULL, NULL, bad[i]);
		g_autoptr(GBytes) refused = rspro_pdu_encode(pdu, &error);

		g_assert_null(refused);
		assert_error_names(error, "msg.errorInd.errorString",
				   i == 2 ? "character" : "length");
		g_clear_error(&error);
	}
}

/*
 * An IP address is 4 bytes (ipv4) or 16 (ipv6), no other size: the decoder
 * names the field (connectBankReq.bound here) rather than leave it to asn1c
 */
static void
test_ip_size(void)
{
	guint8 ip[17];
	static const struct {
		guint8 tag;
		gsize size;
		const gchar *field;
	} kinds[] = { { 0x80, 4, "ip.ipv4" }, { 0x81, 16, "ip.ipv6" } };

	memset(ip, 10, sizeof(ip));
	for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
		for (gsize len = kinds[k].size - 1; len <= kinds[k].size + 1; len++) {
			g_autoptr(GBytes) der = connect_bank_req_bound_der(
			    G_N_ELEMENTS(identity_fields), NULL, 0, kinds[k].tag, ip, len);
			g_autoptr(GError) error = NULL;
			g_autoptr(RsproPdu) pdu = rspro_pdu_decode_bytes(der, &error);
			g_autofree gchar *want = NULL;

			if (len == kinds[k].size) {
				g_assert_no_error(error);
				g_assert_true(pdu->u.connect_bank_req.has_bound);
				g_assert_cmpuint(pdu->u.connect_bank_req.bound.port, ==, 9999);
				g_assert_cmpint(pdu->u.connect_bank_req.bound.is_ipv6, ==, k == 1);
				continue;
			}
			g_assert_null(pdu);
			want = g_strdup_printf("%s: %zu bytes instead of %zu", kinds[k].field, len,
					       kinds[k].size);
			assert_error_names(error, "msg.connectBankReq.bound", want);
		}
	}
}

/* setAtrReq.atr: 1..55 bytes */
static void
test_atr_size(void)
{
	guint8 atr[56];
	RsproClientSlot slot = { 1, 2 };

	memset(atr, 0x3b, sizeof(atr));
	for (gsize len = 0; len <= 56; len++) {
		g_autoptr(GBytes) bytes = g_bytes_new(atr, len);
		g_autoptr(RsproPdu) pdu = rspro_pdu_new_set_atr_req(&slot, bytes);
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) der = rspro_pdu_encode(pdu, &error);

		if (len >= 1 && len <= 55) {
			g_assert_no_error(error);
		} else {
			g_assert_null(der);
			assert_error_names(error, "msg.setAtrReq.atr", "length");
		}
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/constraints/identity-decode", test_identity_decode);
	g_test_add_func("/rspro/constraints/identity-encode", test_identity_encode);
	g_test_add_func("/rspro/constraints/error-string", test_error_string);
	g_test_add_func("/rspro/constraints/atr-size", test_atr_size);
	g_test_add_func("/rspro/constraints/ip-size", test_ip_size);
	return g_test_run();
}
