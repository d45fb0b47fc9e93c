/* Persistent card state as JSON: what a real card keeps in EEPROM across power cycles. */
#include "remsim-simcard-state.h"

#include "remsim-simcard-profile.h"

#include <string.h>

#define STATE_FORMAT "remsim-simcard-state"
#define STATE_VERSION 1

static gchar *
remsim_simcard_state_hex(const guint8 *data, gsize len)
{
	GString *s = g_string_sized_new(2 * len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	return g_string_free(s, FALSE);
}

static JsonNode *
remsim_simcard_state_pin_to_json(const RemsimSimcardPin *pin)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree gchar *code = remsim_simcard_state_hex(pin->code, sizeof(pin->code));

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, code);
	json_builder_set_member_name(b, "retries");
	json_builder_add_int_value(b, pin->retries);
	json_builder_set_member_name(b, "unblock_retries");
	json_builder_add_int_value(b, pin->unblock_retries);
	json_builder_set_member_name(b, "enabled");
	json_builder_add_boolean_value(b, pin->enabled);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void
remsim_simcard_state_add_file(RemsimSimcardFsFile *ef, const gchar *path, gpointer user_data)
{
	JsonBuilder *b = user_data;
	g_autofree gchar *hex = NULL;

	if (!remsim_simcard_fs_file_is_updated(ef))
		return;
	hex = remsim_simcard_state_hex(remsim_simcard_fs_file_get_data(ef),
				       remsim_simcard_fs_file_get_size(ef));
	json_builder_set_member_name(b, path);
	json_builder_add_string_value(b, hex);
}

static void
remsim_simcard_state_add_sqn(JsonBuilder *b, const RemsimSimcardAuth *auth)
{
	guint8 sqn[6];
	g_autofree gchar *hex = NULL;

	remsim_simcard_auth_sqn_to_bytes(auth->sqn_ms, sqn);
	hex = remsim_simcard_state_hex(sqn, sizeof(sqn));
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "highest");
	json_builder_add_string_value(b, hex);
	json_builder_set_member_name(b, "seq");
	json_builder_begin_array(b);
	for (guint i = 0; i < REMSIM_SIMCARD_AUTH_IND_COUNT; i++)
		json_builder_add_int_value(b, (gint64)auth->seq_ms[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

JsonNode *
remsim_simcard_state_to_json(RemsimSimcardSession *s, const gchar *iccid)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_string_value(b, STATE_FORMAT);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, STATE_VERSION);
	json_builder_set_member_name(b, "iccid");
	json_builder_add_string_value(b, iccid);
	json_builder_set_member_name(b, "pins");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "pin1");
	json_builder_add_value(b, remsim_simcard_state_pin_to_json(&s->pin1));
	json_builder_set_member_name(b, "pin2");
	json_builder_add_value(b, remsim_simcard_state_pin_to_json(&s->pin2));
	json_builder_set_member_name(b, "adm");
	json_builder_add_value(b, remsim_simcard_state_pin_to_json(&s->adm));
	json_builder_end_object(b);
	json_builder_set_member_name(b, "sqn");
	remsim_simcard_state_add_sqn(b, &s->auth);
	json_builder_set_member_name(b, "files");
	json_builder_begin_object(b);
	remsim_simcard_fs_foreach_ef(s->fs, remsim_simcard_state_add_file, b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static gboolean
remsim_simcard_state_fail(GError **error, const gchar *source, const gchar *field,
			  const gchar *problem)
{
	g_set_error(error, REMSIM_SIMCARD_PROFILE_ERROR, REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
		    "%s: field “%s”: %s", source, field, problem);
	return FALSE;
}

static JsonNode *
remsim_simcard_state_member(JsonObject *obj, const gchar *name)
{
	return obj != NULL ? json_object_get_member(obj, name) : NULL;
}

static gboolean
remsim_simcard_state_get_uint(JsonObject *obj, const gchar *name, guint64 max, guint64 *out)
{
	JsonNode *n = remsim_simcard_state_member(obj, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	if (json_node_get_int(n) < 0 || (guint64)json_node_get_int(n) > max)
		return FALSE;
	*out = (guint64)json_node_get_int(n);
	return TRUE;
}

static gboolean
remsim_simcard_state_parse_pin(JsonObject *pins, const gchar *name, RemsimSimcardPin *pin,
			       const gchar *source, GError **error)
{
	JsonNode *n = remsim_simcard_state_member(pins, name);
	JsonObject *o = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
	g_autofree gchar *field = g_strdup_printf("pins.%s", name);
	JsonNode *code = remsim_simcard_state_member(o, "code");
	JsonNode *enabled = remsim_simcard_state_member(o, "enabled");
	g_autoptr(GBytes) code_bytes = NULL;
	guint64 retries, unblock_retries;

	if (code != NULL && JSON_NODE_HOLDS_VALUE(code) &&
	    json_node_get_value_type(code) == G_TYPE_STRING)
		code_bytes = remsim_simcard_profile_parse_hex(json_node_get_string(code));
	if (o == NULL || code_bytes == NULL || g_bytes_get_size(code_bytes) != 8 ||
	    !remsim_simcard_state_get_uint(o, "retries", pin->max_retries, &retries) ||
	    !remsim_simcard_state_get_uint(o, "unblock_retries", pin->unblock_max_retries,
					   &unblock_retries) ||
	    enabled == NULL || !JSON_NODE_HOLDS_VALUE(enabled) ||
	    json_node_get_value_type(enabled) != G_TYPE_BOOLEAN)
		return remsim_simcard_state_fail(
		    error, source, field,
		    "needs code (16 hex digits), retries, unblock_retries and enabled");
	memcpy(pin->code, g_bytes_get_data(code_bytes, NULL), 8);
	pin->retries = (guint)retries;
	pin->unblock_retries = (guint)unblock_retries;
	pin->enabled = json_node_get_boolean(enabled);
	pin->verified = FALSE;
	return TRUE;
}

static gboolean
remsim_simcard_state_parse_sqn(JsonObject *root, RemsimSimcardAuth *auth, const gchar *source,
			       GError **error)
{
	JsonNode *n = remsim_simcard_state_member(root, "sqn");
	JsonObject *o = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
	JsonNode *highest = remsim_simcard_state_member(o, "highest");
	JsonNode *seq = remsim_simcard_state_member(o, "seq");
	g_autoptr(GBytes) sqn = NULL;
	JsonArray *a;

	if (highest != NULL && JSON_NODE_HOLDS_VALUE(highest) &&
	    json_node_get_value_type(highest) == G_TYPE_STRING)
		sqn = remsim_simcard_profile_parse_hex(json_node_get_string(highest));
	if (sqn == NULL || g_bytes_get_size(sqn) != 6 || seq == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(seq) ||
	    json_array_get_length(json_node_get_array(seq)) != REMSIM_SIMCARD_AUTH_IND_COUNT)
		return remsim_simcard_state_fail(
		    error, source, "sqn", "needs highest (12 hex digits) and seq (32 numbers)");
	auth->sqn_ms = remsim_simcard_auth_sqn_from_bytes(g_bytes_get_data(sqn, NULL));
	a = json_node_get_array(seq);
	for (guint i = 0; i < REMSIM_SIMCARD_AUTH_IND_COUNT; i++) {
		JsonNode *v = json_array_get_element(a, i);

		if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_INT64 ||
		    json_node_get_int(v) < 0 ||
		    json_node_get_int(v) >=
			(G_GINT64_CONSTANT(1) << (48 - REMSIM_SIMCARD_AUTH_IND_BITS)))
			return remsim_simcard_state_fail(error, source, "sqn.seq",
							 "must hold 32 SEQ numbers");
		auth->seq_ms[i] = (guint64)json_node_get_int(v);
	}
	return TRUE;
}

static gboolean
remsim_simcard_state_file_fits(RemsimSimcardFsFile *ef, gsize len)
{
	guint16 rec = remsim_simcard_fs_file_get_record_len(ef);

	if (remsim_simcard_fs_file_is_record(ef))
		return len > 0 && len % rec == 0 && len / rec <= 254;
	return len > 0 && len <= 0xFFFF;
}

/* Checks every file entry; with apply set, writes them (only after a successful check). */
static gboolean
remsim_simcard_state_files(RemsimSimcardSession *s, JsonObject *root, gboolean apply,
			   const gchar *source, GError **error)
{
	JsonNode *n = remsim_simcard_state_member(root, "files");
	g_autoptr(GList) members = NULL;

	if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
		return remsim_simcard_state_fail(error, source, "files", "must be an object");
	members = json_object_get_members(json_node_get_object(n));
	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *v = json_object_get_member(json_node_get_object(n), l->data);
		RemsimSimcardFsFile *ef = remsim_simcard_fs_lookup_path(s->fs, l->data);
		g_autoptr(GBytes) data = NULL;
		g_autofree gchar *field = g_strdup_printf("files.%s", (const gchar *)l->data);

		if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING)
			data = remsim_simcard_profile_parse_hex(json_node_get_string(v));
		if (ef == NULL || remsim_simcard_fs_file_is_df(ef) || data == NULL ||
		    !remsim_simcard_state_file_fits(ef, g_bytes_get_size(data)))
			return remsim_simcard_state_fail(error, source, field,
							 "no such file, or contents do not fit it");
		if (apply) {
			remsim_simcard_fs_file_set_contents(ef, g_bytes_get_data(data, NULL),
							    g_bytes_get_size(data));
			remsim_simcard_fs_file_set_updated(ef, TRUE);
		}
	}
	return TRUE;
}

static gboolean
remsim_simcard_state_check_header(JsonObject *root, const gchar *iccid, const gchar *source,
				  GError **error)
{
	JsonNode *format = remsim_simcard_state_member(root, "format");
	JsonNode *card = remsim_simcard_state_member(root, "iccid");
	guint64 version = 0;

	if (format == NULL || !JSON_NODE_HOLDS_VALUE(format) ||
	    g_strcmp0(json_node_get_string(format), STATE_FORMAT) != 0)
		return remsim_simcard_state_fail(error, source, "format",
						 "not a remsim card state file");
	if (!remsim_simcard_state_get_uint(root, "version", G_MAXINT, &version) ||
	    version != STATE_VERSION)
		return remsim_simcard_state_fail(error, source, "version",
						 "unsupported state version");
	if (card == NULL || !JSON_NODE_HOLDS_VALUE(card) ||
	    g_strcmp0(json_node_get_string(card), iccid) != 0)
		return remsim_simcard_state_fail(error, source, "iccid",
						 "the state belongs to another card");
	return TRUE;
}

gboolean
remsim_simcard_state_apply_json(RemsimSimcardSession *s, const gchar *iccid, JsonNode *node,
				const gchar *source, GError **error)
{
	JsonObject *root =
	    node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
	JsonNode *pins_node = remsim_simcard_state_member(root, "pins");
	JsonObject *pins = pins_node != NULL && JSON_NODE_HOLDS_OBJECT(pins_node)
			       ? json_node_get_object(pins_node)
			       : NULL;
	RemsimSimcardPin pin1 = s->pin1, pin2 = s->pin2, adm = s->adm;
	RemsimSimcardAuth auth = s->auth;

	if (root == NULL) {
		g_set_error(error, REMSIM_SIMCARD_PROFILE_ERROR, REMSIM_SIMCARD_PROFILE_ERROR_PARSE,
			    "%s: a card state must be a JSON object", source);
		return FALSE;
	}
	if (!remsim_simcard_state_check_header(root, iccid, source, error) ||
	    !remsim_simcard_state_parse_pin(pins, "pin1", &pin1, source, error) ||
	    !remsim_simcard_state_parse_pin(pins, "pin2", &pin2, source, error) ||
	    !remsim_simcard_state_parse_pin(pins, "adm", &adm, source, error) ||
	    !remsim_simcard_state_parse_sqn(root, &auth, source, error) ||
	    !remsim_simcard_state_files(s, root, FALSE, source, error))
		return FALSE;
	remsim_simcard_state_files(s, root, TRUE, source, NULL);
	s->pin1 = pin1;
	s->pin2 = pin2;
	s->adm = adm;
	s->auth = auth;
	memset(&auth, 0, sizeof(auth));
	return TRUE;
}
