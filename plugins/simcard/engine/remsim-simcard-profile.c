/* JSON card profile parsing and validation. */
#include "remsim-simcard-profile.h"

#include "remsim-simcard-milenage.h"
#include "remsim-simcard-pin.h"

#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_QUARK(remsim_simcard_profile_error_quark, remsim_simcard_profile_error)

static const gchar *const known_fields[] = {
	"name", "description", "iccid", "imsi",		"ki",	 "opc",	   "op",
	"pin1", "puk1",	       "pin2",	"puk2",		"adm",	 "msisdn", "spn",
	"mcc",	"mnc",	       "atr",	"pin1_enabled", "files", NULL,
};

void
remsim_simcard_profile_free(RemsimSimcardProfile *profile)
{
	if (profile == NULL)
		return;
	g_free(profile->source);
	g_free(profile->iccid);
	g_free(profile->imsi);
	g_free(profile->mcc);
	g_free(profile->mnc);
	g_free(profile->msisdn);
	g_free(profile->spn);
	g_clear_pointer(&profile->atr, g_bytes_unref);
	g_clear_pointer(&profile->file_paths, g_ptr_array_unref);
	g_clear_pointer(&profile->file_contents, g_ptr_array_unref);
	/* keys and PINs do not outlive the profile in freed memory */
	memset(profile->ki, 0, sizeof(profile->ki));
	memset(profile->opc, 0, sizeof(profile->opc));
	memset(profile->pin1, 0, sizeof(profile->pin1));
	memset(profile->puk1, 0, sizeof(profile->puk1));
	memset(profile->pin2, 0, sizeof(profile->pin2));
	memset(profile->puk2, 0, sizeof(profile->puk2));
	memset(profile->adm, 0, sizeof(profile->adm));
	g_free(profile);
}

GBytes *
remsim_simcard_profile_parse_hex(const gchar *hex)
{
	gsize len = strlen(hex);
	g_autofree guint8 *buf = NULL;

	if (len == 0 || len % 2 != 0)
		return NULL;
	buf = g_malloc(len / 2);
	for (gsize i = 0; i < len / 2; i++) {
		gint hi = g_ascii_xdigit_value(hex[2 * i]);
		gint lo = g_ascii_xdigit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return NULL;
		buf[i] = (guint8)(hi << 4 | lo);
	}
	return g_bytes_new_take(g_steal_pointer(&buf), len / 2);
}

static gboolean
remsim_simcard_profile_fail(GError **error, gint code, const gchar *source, const gchar *field,
			    const gchar *problem)
{
	/* TRANSLATORS: first the profile file, then the JSON field, then what is wrong */
	g_set_error(error, REMSIM_SIMCARD_PROFILE_ERROR, code, _("%s: field “%s”: %s"), source,
		    field, problem);
	return FALSE;
}

/* A string member, NULL without error when absent and optional. */
static gboolean
remsim_simcard_profile_get_string(JsonObject *obj, const gchar *source, const gchar *field,
				  gboolean required, const gchar **out, GError **error)
{
	JsonNode *node = json_object_get_member(obj, field);

	*out = NULL;
	if (node == NULL) {
		if (!required)
			return TRUE;
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_MISSING,
						   source, field, _("required field is missing"));
	}
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   source, field, _("must be a string"));
	*out = json_node_get_string(node);
	return TRUE;
}

static gboolean
remsim_simcard_profile_is_digits(const gchar *s, gsize min, gsize max)
{
	gsize len = strlen(s);

	if (len < min || len > max)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
	return TRUE;
}

static gboolean
remsim_simcard_profile_get_digits(JsonObject *obj, const gchar *source, const gchar *field,
				  gboolean required, gsize min, gsize max, gchar **out,
				  GError **error)
{
	const gchar *s;
	g_autofree gchar *problem = NULL;

	if (!remsim_simcard_profile_get_string(obj, source, field, required, &s, error))
		return FALSE;
	if (s == NULL)
		return TRUE;
	if (!remsim_simcard_profile_is_digits(s, min, max)) {
		problem = g_strdup_printf(_("must be %zu to %zu decimal digits"), min, max);
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   source, field, problem);
	}
	*out = g_strdup(s);
	return TRUE;
}

static gboolean
remsim_simcard_profile_get_key(JsonObject *obj, const gchar *source, const gchar *field,
			       guint8 out[16], GError **error)
{
	const gchar *s;
	g_autoptr(GBytes) bytes = NULL;

	if (!remsim_simcard_profile_get_string(obj, source, field, TRUE, &s, error))
		return FALSE;
	bytes = remsim_simcard_profile_parse_hex(s);
	if (bytes == NULL || g_bytes_get_size(bytes) != 16)
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   source, field,
						   _("must be 32 hexadecimal digits"));
	memcpy(out, g_bytes_get_data(bytes, NULL), 16);
	return TRUE;
}

static gboolean
remsim_simcard_profile_get_pin(JsonObject *obj, const gchar *source, const gchar *field,
			       gboolean any_8_chars, guint8 out[8], GError **error)
{
	const gchar *s;

	if (!remsim_simcard_profile_get_string(obj, source, field, TRUE, &s, error))
		return FALSE;
	if (!remsim_simcard_pin_encode(s, any_8_chars, out))
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   source, field,
						   _("must be 4 to 8 decimal digits"));
	return TRUE;
}

static gboolean
remsim_simcard_profile_check_fields(JsonObject *obj, const gchar *source, GError **error)
{
	g_autoptr(GList) members = json_object_get_members(obj);

	for (GList *l = members; l != NULL; l = l->next)
		if (!g_strv_contains(known_fields, l->data))
			return remsim_simcard_profile_fail(error,
							   REMSIM_SIMCARD_PROFILE_ERROR_UNKNOWN,
							   source, l->data, _("unknown field"));
	return TRUE;
}

static gboolean
remsim_simcard_profile_parse_identity(RemsimSimcardProfile *p, JsonObject *obj, GError **error)
{
	if (!remsim_simcard_profile_get_digits(obj, p->source, "iccid", TRUE, 18, 20, &p->iccid,
					       error) ||
	    !remsim_simcard_profile_get_digits(obj, p->source, "imsi", TRUE, 6, 15, &p->imsi,
					       error) ||
	    !remsim_simcard_profile_get_digits(obj, p->source, "mcc", FALSE, 3, 3, &p->mcc,
					       error) ||
	    !remsim_simcard_profile_get_digits(obj, p->source, "mnc", FALSE, 2, 3, &p->mnc, error))
		return FALSE;
	if (p->mcc == NULL)
		p->mcc = g_strndup(p->imsi, 3);
	if (p->mnc == NULL)
		p->mnc = g_strndup(p->imsi + 3, 2);
	if (!g_str_has_prefix(p->imsi, p->mcc) || !g_str_has_prefix(p->imsi + 3, p->mnc))
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   p->source, "imsi",
						   _("does not start with mcc and mnc"));
	return TRUE;
}

static gboolean
remsim_simcard_profile_parse_keys(RemsimSimcardProfile *p, JsonObject *obj, GError **error)
{
	gboolean has_op = json_object_has_member(obj, "op");
	gboolean has_opc = json_object_has_member(obj, "opc");
	guint8 op[16];

	if (!remsim_simcard_profile_get_key(obj, p->source, "ki", p->ki, error))
		return FALSE;
	if (has_op && has_opc)
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   p->source, "op",
						   _("give either op or opc, not both"));
	if (!has_op && !has_opc)
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_MISSING,
						   p->source, "opc",
						   _("required field is missing (or give op)"));
	if (has_opc)
		return remsim_simcard_profile_get_key(obj, p->source, "opc", p->opc, error);
	if (!remsim_simcard_profile_get_key(obj, p->source, "op", p->opc, error))
		return FALSE;
	/* the card stores OPc only; convert now (TS 35.206 4.1) */
	memcpy(op, p->opc, 16);
	remsim_simcard_milenage_opc(p->ki, op, p->opc);
	return TRUE;
}

static gboolean
remsim_simcard_profile_parse_pins(RemsimSimcardProfile *p, JsonObject *obj, GError **error)
{
	JsonNode *enabled = json_object_get_member(obj, "pin1_enabled");

	if (!remsim_simcard_profile_get_pin(obj, p->source, "pin1", FALSE, p->pin1, error) ||
	    !remsim_simcard_profile_get_pin(obj, p->source, "puk1", FALSE, p->puk1, error) ||
	    !remsim_simcard_profile_get_pin(obj, p->source, "pin2", FALSE, p->pin2, error) ||
	    !remsim_simcard_profile_get_pin(obj, p->source, "puk2", FALSE, p->puk2, error) ||
	    !remsim_simcard_profile_get_pin(obj, p->source, "adm", TRUE, p->adm, error))
		return FALSE;
	p->pin1_enabled = TRUE;
	if (enabled == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(enabled) || json_node_get_value_type(enabled) != G_TYPE_BOOLEAN)
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   p->source, "pin1_enabled",
						   _("must be true or false"));
	p->pin1_enabled = json_node_get_boolean(enabled);
	return TRUE;
}

static gboolean
remsim_simcard_profile_is_printable(const gchar *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7E)
			return FALSE;
	return TRUE;
}

static gboolean
remsim_simcard_profile_parse_extras(RemsimSimcardProfile *p, JsonObject *obj, GError **error)
{
	const gchar *msisdn, *spn, *atr;

	if (!remsim_simcard_profile_get_string(obj, p->source, "msisdn", FALSE, &msisdn, error) ||
	    !remsim_simcard_profile_get_string(obj, p->source, "spn", FALSE, &spn, error) ||
	    !remsim_simcard_profile_get_string(obj, p->source, "atr", FALSE, &atr, error))
		return FALSE;
	if (msisdn != NULL) {
		const gchar *digits = msisdn[0] == '+' ? msisdn + 1 : msisdn;

		if (!remsim_simcard_profile_is_digits(digits, 1, 20))
			return remsim_simcard_profile_fail(
			    error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID, p->source, "msisdn",
			    _("must be 1 to 20 decimal digits, optionally after a “+”"));
		p->msisdn = g_strdup(msisdn);
	}
	if (spn != NULL) {
		if (strlen(spn) > 16 || !remsim_simcard_profile_is_printable(spn))
			return remsim_simcard_profile_fail(
			    error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID, p->source, "spn",
			    _("must be at most 16 printable ASCII characters"));
		p->spn = g_strdup(spn);
	}
	if (atr != NULL) {
		p->atr = remsim_simcard_profile_parse_hex(atr);
		if (p->atr == NULL || g_bytes_get_size(p->atr) < 2 ||
		    g_bytes_get_size(p->atr) > 33 ||
		    (((const guint8 *)g_bytes_get_data(p->atr, NULL))[0] != 0x3B &&
		     ((const guint8 *)g_bytes_get_data(p->atr, NULL))[0] != 0x3F))
			return remsim_simcard_profile_fail(
			    error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID, p->source, "atr",
			    _("must be 2 to 33 bytes in hex, starting with 3B or 3F"));
	}
	return TRUE;
}

static gboolean
remsim_simcard_profile_parse_files(RemsimSimcardProfile *p, JsonObject *obj, GError **error)
{
	JsonNode *files = json_object_get_member(obj, "files");
	g_autoptr(GList) members = NULL;

	p->file_paths = g_ptr_array_new_with_free_func(g_free);
	p->file_contents = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	if (files == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(files))
		return remsim_simcard_profile_fail(error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
						   p->source, "files",
						   _("must be an object of path: hex"));
	members = json_object_get_members(json_node_get_object(files));
	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *v = json_object_get_member(json_node_get_object(files), l->data);
		g_autofree gchar *field = g_strdup_printf("files.%s", (const gchar *)l->data);
		GBytes *bytes = NULL;

		if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING)
			bytes = remsim_simcard_profile_parse_hex(json_node_get_string(v));
		if (bytes == NULL)
			return remsim_simcard_profile_fail(
			    error, REMSIM_SIMCARD_PROFILE_ERROR_INVALID, p->source, field,
			    _("must be a string of hexadecimal digits"));
		g_ptr_array_add(p->file_paths, g_ascii_strup(l->data, -1));
		g_ptr_array_add(p->file_contents, bytes);
	}
	return TRUE;
}

RemsimSimcardProfile *
remsim_simcard_profile_new_from_json(JsonNode *node, const gchar *source, GError **error)
{
	g_autoptr(RemsimSimcardProfile) p = g_new0(RemsimSimcardProfile, 1);
	JsonObject *obj;

	p->source = g_strdup(source);
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, REMSIM_SIMCARD_PROFILE_ERROR, REMSIM_SIMCARD_PROFILE_ERROR_PARSE,
			    _("%s: a card profile must be a JSON object"), source);
		return NULL;
	}
	obj = json_node_get_object(node);
	if (!remsim_simcard_profile_check_fields(obj, source, error) ||
	    !remsim_simcard_profile_parse_identity(p, obj, error) ||
	    !remsim_simcard_profile_parse_keys(p, obj, error) ||
	    !remsim_simcard_profile_parse_pins(p, obj, error) ||
	    !remsim_simcard_profile_parse_extras(p, obj, error) ||
	    !remsim_simcard_profile_parse_files(p, obj, error))
		return NULL;
	return g_steal_pointer(&p);
}
