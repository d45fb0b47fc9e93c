/* Persistent card state as JSON: what a real card keeps in EEPROM across power cycles. */
#include "remsim-sim-state.h"

#include "remsim-sim-profile.h"

#include <glib/gi18n.h>
#include <string.h>

#define STATE_FORMAT "remsim-simcard-state"
#define STATE_VERSION 1

static gchar *
remsim_sim_state_hex(const guint8 *data, gsize len)
{
	GString *s = g_string_sized_new(2 * len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	return g_string_free(s, FALSE);
}

static JsonNode *
remsim_sim_state_pin_to_json(const RemsimSimPin *pin)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree gchar *code = remsim_sim_state_hex(pin->code, sizeof(pin->code));

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
remsim_sim_state_add_file(RemsimSimFile *ef, const gchar *path, gpointer user_data)
{
	JsonBuilder *b = user_data;
	g_autofree gchar *hex = NULL;

	if (!remsim_sim_file_is_updated(ef))
		return;
	hex = remsim_sim_state_hex(remsim_sim_file_get_data(ef), remsim_sim_file_get_size(ef));
	json_builder_set_member_name(b, path);
	json_builder_add_string_value(b, hex);
}

static void
remsim_sim_state_add_sqn(JsonBuilder *b, const RemsimSimAuth *auth)
{
	guint8 sqn[6];
	g_autofree gchar *hex = NULL;

	remsim_sim_auth_sqn_to_bytes(auth->sqn_ms, sqn);
	hex = remsim_sim_state_hex(sqn, sizeof(sqn));
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "highest");
	json_builder_add_string_value(b, hex);
	json_builder_set_member_name(b, "seq");
	json_builder_begin_array(b);
	for (guint i = 0; i < REMSIM_SIM_AUTH_IND_COUNT; i++)
		json_builder_add_int_value(b, (gint64)auth->seq_ms[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

JsonNode *
remsim_sim_state_to_json(RemsimSimSession *s, const gchar *iccid)
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
	json_builder_add_value(b, remsim_sim_state_pin_to_json(&s->pin1));
	json_builder_set_member_name(b, "pin2");
	json_builder_add_value(b, remsim_sim_state_pin_to_json(&s->pin2));
	json_builder_set_member_name(b, "adm");
	json_builder_add_value(b, remsim_sim_state_pin_to_json(&s->adm));
	json_builder_end_object(b);
	json_builder_set_member_name(b, "sqn");
	remsim_sim_state_add_sqn(b, &s->auth);
	json_builder_set_member_name(b, "files");
	json_builder_begin_object(b);
	remsim_sim_fs_foreach_ef(s->fs, remsim_sim_state_add_file, b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static gboolean
remsim_sim_state_fail(GError **error, const gchar *source, const gchar *field, const gchar *problem)
{
	g_set_error(error, REMSIM_SIM_PROFILE_ERROR, REMSIM_SIM_PROFILE_ERROR_INVALID,
		    _("%s: field “%s”: %s"), source, field, problem);
	return FALSE;
}

static JsonNode *
remsim_sim_state_member(JsonObject *obj, const gchar *name)
{
	return obj != NULL ? json_object_get_member(obj, name) : NULL;
}

static gboolean
remsim_sim_state_get_uint(JsonObject *obj, const gchar *name, guint64 max, guint64 *out)
{
	JsonNode *n = remsim_sim_state_member(obj, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	if (json_node_get_int(n) < 0 || (guint64)json_node_get_int(n) > max)
		return FALSE;
	*out = (guint64)json_node_get_int(n);
	return TRUE;
}

static gboolean
remsim_sim_state_parse_pin(JsonObject *pins, const gchar *name, RemsimSimPin *pin,
			   const gchar *source, GError **error)
{
	JsonNode *n = remsim_sim_state_member(pins, name);
	JsonObject *o = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
	g_autofree gchar *field = g_strdup_printf("pins.%s", name);
	JsonNode *code = remsim_sim_state_member(o, "code");
	JsonNode *enabled = remsim_sim_state_member(o, "enabled");
	g_autoptr(GBytes) code_bytes = NULL;
	guint64 retries, unblock_retries;

	if (code != NULL && JSON_NODE_HOLDS_VALUE(code) &&
	    json_node_get_value_type(code) == G_TYPE_STRING)
		code_bytes = remsim_sim_profile_parse_hex(json_node_get_string(code));
	if (o == NULL || code_bytes == NULL || g_bytes_get_size(code_bytes) != 8 ||
	    !remsim_sim_state_get_uint(o, "retries", pin->max_retries, &retries) ||
	    !remsim_sim_state_get_uint(o, "unblock_retries", pin->unblock_max_retries,
				       &unblock_retries) ||
	    enabled == NULL || !JSON_NODE_HOLDS_VALUE(enabled) ||
	    json_node_get_value_type(enabled) != G_TYPE_BOOLEAN)
		return remsim_sim_state_fail(
		    error, source, field,
		    _("needs code (16 hex digits), retries, unblock_retries and enabled"));
	memcpy(pin->code, g_bytes_get_data(code_bytes, NULL), 8);
	pin->retries = (guint)retries;
	pin->unblock_retries = (guint)unblock_retries;
	pin->enabled = json_node_get_boolean(enabled);
	pin->verified = FALSE;
	return TRUE;
}

static gboolean
remsim_sim_state_parse_sqn(JsonObject *root, RemsimSimAuth *auth, const gchar *source,
			   GError **error)
{
	JsonNode *n = remsim_sim_state_member(root, "sqn");
	JsonObject *o = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
	JsonNode *highest = remsim_sim_state_member(o, "highest");
	JsonNode *seq = remsim_sim_state_member(o, "seq");
	g_autoptr(GBytes) sqn = NULL;
	JsonArray *a;

	if (highest != NULL && JSON_NODE_HOLDS_VALUE(highest) &&
	    json_node_get_value_type(highest) == G_TYPE_STRING)
		sqn = remsim_sim_profile_parse_hex(json_node_get_string(highest));
	if (sqn == NULL || g_bytes_get_size(sqn) != 6 || seq == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(seq) ||
	    json_array_get_length(json_node_get_array(seq)) != REMSIM_SIM_AUTH_IND_COUNT)
		return remsim_sim_state_fail(
		    error, source, "sqn", _("needs highest (12 hex digits) and seq (32 numbers)"));
	auth->sqn_ms = remsim_sim_auth_sqn_from_bytes(g_bytes_get_data(sqn, NULL));
	a = json_node_get_array(seq);
	for (guint i = 0; i < REMSIM_SIM_AUTH_IND_COUNT; i++) {
		JsonNode *v = json_array_get_element(a, i);

		if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_INT64 ||
		    json_node_get_int(v) < 0 ||
		    json_node_get_int(v) >=
			(G_GINT64_CONSTANT(1) << (48 - REMSIM_SIM_AUTH_IND_BITS)))
			return remsim_sim_state_fail(error, source, "sqn.seq",
						     _("must hold 32 SEQ numbers"));
		auth->seq_ms[i] = (guint64)json_node_get_int(v);
	}
	return TRUE;
}

static gboolean
remsim_sim_state_file_fits(RemsimSimFile *ef, gsize len)
{
	guint16 rec = remsim_sim_file_get_record_len(ef);

	if (remsim_sim_file_is_record(ef))
		return len > 0 && len % rec == 0 && len / rec <= 254;
	return len > 0 && len <= 0xFFFF;
}

/* Checks every file entry; with apply set, writes them (only after a successful check). */
static gboolean
remsim_sim_state_files(RemsimSimSession *s, JsonObject *root, gboolean apply, const gchar *source,
		       GError **error)
{
	JsonNode *n = remsim_sim_state_member(root, "files");
	g_autoptr(GList) members = NULL;

	if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
		return remsim_sim_state_fail(error, source, "files", _("must be an object"));
	members = json_object_get_members(json_node_get_object(n));
	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *v = json_object_get_member(json_node_get_object(n), l->data);
		RemsimSimFile *ef = remsim_sim_fs_lookup_path(s->fs, l->data);
		g_autoptr(GBytes) data = NULL;
		g_autofree gchar *field = g_strdup_printf("files.%s", (const gchar *)l->data);

		if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING)
			data = remsim_sim_profile_parse_hex(json_node_get_string(v));
		if (ef == NULL || remsim_sim_file_is_df(ef) || data == NULL ||
		    !remsim_sim_state_file_fits(ef, g_bytes_get_size(data)))
			return remsim_sim_state_fail(error, source, field,
						     _("no such file, or contents do not fit it"));
		if (apply) {
			remsim_sim_file_set_contents(ef, g_bytes_get_data(data, NULL),
						     g_bytes_get_size(data));
			remsim_sim_file_set_updated(ef, TRUE);
		}
	}
	return TRUE;
}

static gboolean
remsim_sim_state_check_header(JsonObject *root, const gchar *iccid, const gchar *source,
			      GError **error)
{
	JsonNode *format = remsim_sim_state_member(root, "format");
	JsonNode *card = remsim_sim_state_member(root, "iccid");
	guint64 version = 0;

	if (format == NULL || !JSON_NODE_HOLDS_VALUE(format) ||
	    g_strcmp0(json_node_get_string(format), STATE_FORMAT) != 0)
		return remsim_sim_state_fail(error, source, "format",
					     _("not a remsim card state file"));
	if (!remsim_sim_state_get_uint(root, "version", G_MAXINT, &version) ||
	    version != STATE_VERSION)
		return remsim_sim_state_fail(error, source, "version",
					     _("unsupported state version"));
	if (card == NULL || !JSON_NODE_HOLDS_VALUE(card) ||
	    g_strcmp0(json_node_get_string(card), iccid) != 0)
		return remsim_sim_state_fail(error, source, "iccid",
					     _("the state belongs to another card"));
	return TRUE;
}

gboolean
remsim_sim_state_apply_json(RemsimSimSession *s, const gchar *iccid, JsonNode *node,
			    const gchar *source, GError **error)
{
	JsonObject *root =
	    node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
	JsonNode *pins_node = remsim_sim_state_member(root, "pins");
	JsonObject *pins = pins_node != NULL && JSON_NODE_HOLDS_OBJECT(pins_node)
			       ? json_node_get_object(pins_node)
			       : NULL;
	RemsimSimPin pin1 = s->pin1, pin2 = s->pin2, adm = s->adm;
	RemsimSimAuth auth = s->auth;

	if (root == NULL) {
		g_set_error(error, REMSIM_SIM_PROFILE_ERROR, REMSIM_SIM_PROFILE_ERROR_PARSE,
			    _("%s: a card state must be a JSON object"), source);
		return FALSE;
	}
	if (!remsim_sim_state_check_header(root, iccid, source, error) ||
	    !remsim_sim_state_parse_pin(pins, "pin1", &pin1, source, error) ||
	    !remsim_sim_state_parse_pin(pins, "pin2", &pin2, source, error) ||
	    !remsim_sim_state_parse_pin(pins, "adm", &adm, source, error) ||
	    !remsim_sim_state_parse_sqn(root, &auth, source, error) ||
	    !remsim_sim_state_files(s, root, FALSE, source, error))
		return FALSE;
	remsim_sim_state_files(s, root, TRUE, source, NULL);
	s->pin1 = pin1;
	s->pin2 = pin2;
	s->adm = adm;
	s->auth = auth;
	memset(&auth, 0, sizeof(auth));
	return TRUE;
}
