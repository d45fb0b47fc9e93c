/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-json.h"
#include "remsim-log.h"
#include "remsim-server-api.h"

/* a request body larger than this is refused before it is parsed */
#define REMSIM_SERVER_API_BODY_MAX 65536
/* the largest page of /api/v1/slots and /api/v1/cards */
#define REMSIM_SERVER_API_LIMIT_MAX 5000

struct _RemsimServerApi {
	GObject parent_instance;
	RemsimServer *server;
	RemsimServerRest *rest;
};

G_DEFINE_FINAL_TYPE(RemsimServerApi, remsim_server_api, G_TYPE_OBJECT)

static void
remsim_server_api_dispose(GObject *object)
{
	RemsimServerApi *self = REMSIM_SERVER_API(object);

	if (self->rest != NULL)
		soup_server_remove_handler(remsim_server_rest_get_soup(self->rest),
					   REMSIM_SERVER_API_PREFIX);
	g_clear_object(&self->rest);
	g_clear_object(&self->server);
	G_OBJECT_CLASS(remsim_server_api_parent_class)->dispose(object);
}

static void
remsim_server_api_class_init(RemsimServerApiClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_api_dispose;
}

static void
remsim_server_api_init(RemsimServerApi *self)
{
}

gboolean
remsim_server_api_may_write(SoupServerMessage *msg)
{
	return remsim_server_rest_may_write(msg);
}

static void
remsim_server_api_reply_object(SoupServerMessage *msg, guint status, JsonObject *o)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

	json_node_take_object(node, o);
	remsim_server_rest_reply_json(msg, status, node);
}

/* ---- the view of a bank slot ---- */

/* bank slot key -> its listed map, for one request */
static GHashTable *
remsim_server_api_maps_by_bank(RemsimServer *server)
{
	GHashTable *maps = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GList) list = remsim_server_list_slotmaps(server);

	for (GList *l = list; l != NULL; l = l->next) {
		RemsimServerSlotmap *map = l->data;

		g_hash_table_insert(
		    maps, GUINT_TO_POINTER(remsim_server_slotmap_bank_key(&map->bank)), map);
	}
	return maps;
}

static JsonObject *
remsim_server_api_slot_json(RemsimServer *server, guint32 key)
{
	guint16 bank_id = key >> 16, slot_nr = key & 0xffff;
	RemsimServerBankSlot *slot =
	    remsim_server_inventory_lookup(remsim_server_get_inventory(server), bank_id, slot_nr);
	/* looked up, not listed: this runs on every slot event, with thousands of maps */
	RemsimServerSlotmap *map = remsim_server_find_slotmap(server, bank_id, slot_nr);
	JsonObject *o;

	if (slot != NULL) {
		o = remsim_server_inventory_slot_to_json(slot);
	} else {
		o = json_object_new();
		json_object_set_int_member(o, "bank_id", bank_id);
		json_object_set_int_member(o, "slot", slot_nr);
		json_object_set_null_member(o, "state");
		json_object_set_null_member(o, "card_present");
		json_object_set_null_member(o, "apdus");
		json_object_set_null_member(o, "errors");
		json_object_set_boolean_member(o, "stale", FALSE);
		json_object_set_null_member(o, "card");
	}
	json_object_set_boolean_member(o, "bank_connected",
				       remsim_server_find_bank(server, bank_id) != NULL);
	if (map != NULL)
		json_object_set_member(o, "map", remsim_server_slotmap_to_json(map));
	else
		json_object_set_null_member(o, "map");
	return o;
}

JsonObject *
remsim_server_api_slot_to_json(RemsimServer *server, guint16 bank_id, guint16 slot_nr)
{
	return remsim_server_api_slot_json(server, (guint32)bank_id << 16 | slot_nr);
}

static gint
remsim_server_api_compare_keys(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* every bank slot the server knows: of connected banks, remembered ones, mapped ones */
static GArray *
remsim_server_api_all_slots(RemsimServer *server, GHashTable *maps)
{
	GArray *keys = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GPtrArray) known =
	    remsim_server_inventory_list(remsim_server_get_inventory(server));
	GHashTableIter iter;
	gpointer key;

	for (GList *l = remsim_server_get_banks(server); l != NULL; l = l->next) {
		guint32 bank_id = remsim_server_peer_get_bank_id(l->data);
		guint n = remsim_server_peer_get_number_of_slots(l->data);

		for (guint i = 0; i < n; i++)
			g_hash_table_add(seen, GUINT_TO_POINTER(bank_id << 16 | i));
	}
	for (guint i = 0; i < known->len; i++) {
		RemsimServerBankSlot *slot = known->pdata[i];

		g_hash_table_add(seen,
				 GUINT_TO_POINTER((guint32)slot->bank_id << 16 | slot->slot_nr));
	}
	g_hash_table_iter_init(&iter, maps);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		g_hash_table_add(seen, key);
	g_hash_table_iter_init(&iter, seen);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		guint32 k = GPOINTER_TO_UINT(key);

		g_array_append_val(keys, k);
	}
	g_array_sort(keys, remsim_server_api_compare_keys);
	return keys;
}

/* ---- queries ---- */

static const gchar *
remsim_server_api_query(GHashTable *query, const gchar *key)
{
	const gchar *value = query != NULL ? g_hash_table_lookup(query, key) : NULL;

	return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
remsim_server_api_query_uint(SoupServerMessage *msg, GHashTable *query, const gchar *key,
			     guint64 max, guint64 *value)
{
	const gchar *text = remsim_server_api_query(query, key);

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(text, 10, 0, max, value, NULL)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
					       "%s must be a number 0..%" G_GUINT64_FORMAT, key,
					       max);
		return FALSE;
	}
	return TRUE;
}

static const gchar *
remsim_server_api_card_string(JsonObject *slot, const gchar *member)
{
	JsonNode *card = json_object_get_member(slot, "card");

	if (card == NULL || !JSON_NODE_HOLDS_OBJECT(card))
		return NULL;
	return json_object_get_string_member_with_default(json_node_get_object(card), member, NULL);
}

/*
 * The search box (q): an ICCID or IMSI prefix, part of the SPN, "B:S" or "B:"
 * for bank slots, "C:S" (with the C) for the bank slot a client slot uses
 */
static gboolean
remsim_server_api_matches(JsonObject *slot, const gchar *iccid, const gchar *imsi, const gchar *q)
{
	const gchar *card_iccid = remsim_server_api_card_string(slot, "iccid");
	const gchar *card_imsi = remsim_server_api_card_string(slot, "imsi");
	const gchar *spn = remsim_server_api_card_string(slot, "spn");
	JsonNode *map_node = json_object_get_member(slot, "map");
	g_autofree gchar *where = NULL, *bank = NULL, *client = NULL;

	if (iccid != NULL && (card_iccid == NULL || !g_str_has_prefix(card_iccid, iccid)))
		return FALSE;
	if (imsi != NULL && (card_imsi == NULL || !g_str_has_prefix(card_imsi, imsi)))
		return FALSE;
	if (q == NULL)
		return TRUE;
	where = g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
				json_object_get_int_member(slot, "bank_id"),
				json_object_get_int_member(slot, "slot"));
	bank =
	    g_strdup_printf("%" G_GINT64_FORMAT ":", json_object_get_int_member(slot, "bank_id"));
	if (map_node != NULL && JSON_NODE_HOLDS_OBJECT(map_node)) {
		JsonObject *c =
		    json_object_get_object_member(json_node_get_object(map_node), "client");

		client = g_strdup_printf("C%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
					 json_object_get_int_member(c, "clientId"),
					 json_object_get_int_member(c, "slotNr"));
	}
	return g_str_equal(where, q) || g_str_equal(bank, q) ||
	       (card_iccid != NULL && g_str_has_prefix(card_iccid, q)) ||
	       (card_imsi != NULL && g_str_has_prefix(card_imsi, q)) ||
	       (spn != NULL && strstr(spn, q) != NULL) ||
	       (client != NULL && g_ascii_strcasecmp(client, q) == 0);
}

/*
 * GET /api/v1/slots (every bank slot) and /api/v1/cards (those with a card
 * read): ?iccid=PREFIX&imsi=PREFIX&q=TEXT&bank=N&offset=N&limit=N
 */
static void
remsim_server_api_get_slots(RemsimServerApi *self, SoupServerMessage *msg, GHashTable *query,
			    gboolean cards_only)
{
	g_autoptr(GHashTable) maps = remsim_server_api_maps_by_bank(self->server);
	g_autoptr(GArray) keys = remsim_server_api_all_slots(self->server, maps);
	const gchar *iccid = remsim_server_api_query(query, "iccid");
	const gchar *imsi = remsim_server_api_query(query, "imsi");
	const gchar *q = remsim_server_api_query(query, "q");
	guint64 offset = 0, limit = REMSIM_SERVER_API_LIMIT_MAX, bank = G_MAXUINT64;
	JsonArray *out = json_array_new();
	JsonObject *o = json_object_new();
	guint total = 0;

	if (!remsim_server_api_query_uint(msg, query, "offset", G_MAXUINT32, &offset) ||
	    !remsim_server_api_query_uint(msg, query, "limit", REMSIM_SERVER_API_LIMIT_MAX,
					  &limit) ||
	    !remsim_server_api_query_uint(msg, query, "bank", RSPRO_ID_MAX, &bank)) {
		json_array_unref(out);
		json_object_unref(o);
		return;
	}
	for (guint i = 0; i < keys->len; i++) {
		guint32 key = g_array_index(keys, guint32, i);
		JsonObject *slot;

		if (bank != G_MAXUINT64 && (key >> 16) != bank)
			continue;
		slot = remsim_server_api_slot_json(self->server, key);
		if ((cards_only && JSON_NODE_HOLDS_NULL(json_object_get_member(slot, "card"))) ||
		    !remsim_server_api_matches(slot, iccid, imsi, q)) {
			json_object_unref(slot);
			continue;
		}
		if (total >= offset && json_array_get_length(out) < limit)
			json_array_add_object_element(out, slot);
		else
			json_object_unref(slot);
		total++;
	}
	json_object_set_array_member(o, cards_only ? "cards" : "slots", out);
	json_object_set_int_member(o, "total", total);
	json_object_set_int_member(o, "offset", (gint64)offset);
	remsim_server_api_reply_object(msg, SOUP_STATUS_OK, o);
}

static void
remsim_server_api_get_banks(RemsimServerApi *self, SoupServerMessage *msg)
{
	JsonObject *o = json_object_new();
	JsonArray *banks = json_array_new();

	for (GList *l = remsim_server_get_banks(self->server); l != NULL; l = l->next) {
		JsonNode *node = remsim_server_peer_to_json(l->data);

		json_object_set_boolean_member(json_node_get_object(node), "remsim",
					       remsim_server_peer_get_remsim_ext(l->data));
		json_array_add_element(banks, node);
	}
	json_object_set_array_member(o, "banks", banks);
	remsim_server_api_reply_object(msg, SOUP_STATUS_OK, o);
}

static void
remsim_server_api_get_list(RemsimServerApi *self, SoupServerMessage *msg, const gchar *what)
{
	JsonObject *o = json_object_new();
	JsonArray *array = json_array_new();

	if (g_str_equal(what, "clients")) {
		for (GList *l = remsim_server_get_clients(self->server); l != NULL; l = l->next)
			json_array_add_element(array, remsim_server_peer_to_json(l->data));
	} else {
		g_autoptr(GList) maps = remsim_server_list_slotmaps(self->server);

		for (GList *l = maps; l != NULL; l = l->next)
			json_array_add_element(array, remsim_server_slotmap_to_json(l->data));
	}
	json_object_set_array_member(o, what, array);
	remsim_server_api_reply_object(msg, SOUP_STATUS_OK, o);
}

static void
remsim_server_api_get_whoami(RemsimServerApi *self, SoupServerMessage *msg)
{
	JsonObject *o = json_object_new();
	const gchar *token = remsim_server_rest_get_token_name(msg);
	gboolean write = remsim_server_api_may_write(msg);

	json_object_set_boolean_member(o, "write", write);
	json_object_set_boolean_member(o, "tokens", remsim_server_rest_has_auth(self->rest));
	if (token != NULL)
		json_object_set_string_member(o, "token", token);
	else
		json_object_set_null_member(o, "token");
	json_object_set_string_member(o, "rights", write ? "write" : "read");
	remsim_server_api_reply_object(msg, SOUP_STATUS_OK, o);
}

/* ---- changes ---- */

/* a request waiting for the server; the message may finish (the peer went) meanwhile */
typedef struct {
	SoupServerMessage *msg;
	gboolean finished;
} RemsimServerApiPending;

static void
remsim_server_api_finished_cb(SoupServerMessage *msg, gpointer data)
{
	((RemsimServerApiPending *)data)->finished = TRUE;
}

static RemsimServerApiPending *
remsim_server_api_pending_new(SoupServerMessage *msg)
{
	RemsimServerApiPending *p = g_new0(RemsimServerApiPending, 1);

	p->msg = g_object_ref(msg);
	g_signal_connect(msg, "finished", G_CALLBACK(remsim_server_api_finished_cb), p);
	soup_server_message_pause(msg);
	return p;
}

static void
remsim_server_api_pending_done(RemsimServerApiPending *p)
{
	g_signal_handlers_disconnect_by_data(p->msg, p);
	if (!p->finished)
		soup_server_message_unpause(p->msg);
	g_object_unref(p->msg);
	g_free(p);
}

/*
 * The body's JSON object, or NULL after answering 400; @numbers gets the
 * numbers as written (remsim-json.h: json-glib wraps integers past 64 bits).
 */
static JsonObject *
remsim_server_api_parse_body(SoupServerMessage *msg, GHashTable **numbers)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonNode *root;

	if (body->length > REMSIM_SERVER_API_BODY_MAX) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
					       "the request body is larger than %u bytes",
					       REMSIM_SERVER_API_BODY_MAX);
		return NULL;
	}
	/* depth and keys before json-glib, which recurses and keeps the last of two keys */
	if (body->length > 0 &&
	    !remsim_json_scan(body->data, body->length, REMSIM_JSON_MAX_DEPTH, numbers, &error)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
		return NULL;
	}
	if (body->length == 0 ||
	    !json_parser_load_from_data(parser, body->data, body->length, &error)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "invalid JSON: %s",
					       error != NULL ? error->message : "empty body");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!JSON_NODE_HOLDS_OBJECT(root)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
					       "the request body must be a JSON object");
		return NULL;
	}
	return json_object_ref(json_node_get_object(root));
}

/* @parent.@key as an id 0..1023, read from its text, or FALSE after answering 400 */
static gboolean
remsim_server_api_get_id(SoupServerMessage *msg, JsonObject *o, GHashTable *numbers,
			 const gchar *parent, const gchar *key, guint16 *out)
{
	JsonNode *node = o != NULL ? json_object_get_member(o, key) : NULL;
	g_autofree gchar *path = g_strdup_printf("%s.%s", parent, key);
	const gchar *text = numbers != NULL ? g_hash_table_lookup(numbers, path) : NULL;
	gint64 v = 0;

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) || text == NULL ||
	    json_node_get_value_type(node) != G_TYPE_INT64 ||
	    !g_ascii_string_to_signed(text, 10, 0, RSPRO_ID_MAX, &v, NULL)) {
		if (text != NULL)
			remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
						       "%s must be an integer 0..%d, not %s", path,
						       RSPRO_ID_MAX, text);
		else
			remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
						       "%s must be an integer 0..%d", path,
						       RSPRO_ID_MAX);
		return FALSE;
	}
	*out = (guint16)v;
	return TRUE;
}

static JsonObject *
remsim_server_api_get_object(JsonObject *o, const gchar *key)
{
	JsonNode *node = json_object_get_member(o, key);

	return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static void
remsim_server_api_create_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerApiPending *p = data;
	RemsimServer *server = REMSIM_SERVER(source);
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerSlotmap) map =
	    g_async_result_is_tagged(result, remsim_server_create_slotmap_by_iccid_async)
		? remsim_server_create_slotmap_by_iccid_finish(server, result, &error)
		: remsim_server_create_slotmap_finish(server, result, &error);

	remsim_server_rest_audit_end(p->msg, error);
	if (!p->finished) {
		if (map != NULL) {
			g_autoptr(JsonNode) node = remsim_server_slotmap_to_json(map);

			remsim_server_rest_reply_json(p->msg, SOUP_STATUS_CREATED, node);
		} else {
			remsim_server_rest_reply_server_error(p->msg, error);
		}
	}
	remsim_server_api_pending_done(p);
}

/* POST /api/v1/slotmaps {"client":{clientId,slotNr}, "bank":{bankId,slotNr} | "iccid":".."} */
static void
remsim_server_api_post_slotmap(RemsimServerApi *self, SoupServerMessage *msg)
{
	g_autoptr(GHashTable) numbers = NULL;
	g_autoptr(JsonObject) o = remsim_server_api_parse_body(msg, &numbers);
	JsonObject *client_o, *bank_o;
	RsproClientSlot client;
	RsproBankSlot bank;
	const gchar *iccid;

	if (o == NULL)
		return;
	client_o = remsim_server_api_get_object(o, "client");
	bank_o = remsim_server_api_get_object(o, "bank");
	iccid = json_object_get_string_member_with_default(o, "iccid", NULL);
	if (!remsim_server_api_get_id(msg, client_o, numbers, "client", "clientId",
				      &client.client_id) ||
	    !remsim_server_api_get_id(msg, client_o, numbers, "client", "slotNr", &client.slot_nr))
		return;
	if ((bank_o == NULL) == (iccid == NULL)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
					       "give either bank {bankId, slotNr} or iccid");
		return;
	}
	if (iccid != NULL) {
		remsim_server_rest_audit_begin(msg, "create-slotmap", "iccid=%s client=%u:%u",
					       remsim_log_personal(iccid), client.client_id,
					       client.slot_nr);
		remsim_server_create_slotmap_by_iccid_async(self->server, iccid, &client, NULL,
							    remsim_server_api_create_ready,
							    remsim_server_api_pending_new(msg));
		return;
	}
	if (!remsim_server_api_get_id(msg, bank_o, numbers, "bank", "bankId", &bank.bank_id) ||
	    !remsim_server_api_get_id(msg, bank_o, numbers, "bank", "slotNr", &bank.slot_nr))
		return;
	remsim_server_rest_audit_begin(msg, "create-slotmap", "bank=%u:%u client=%u:%u",
				       bank.bank_id, bank.slot_nr, client.client_id,
				       client.slot_nr);
	remsim_server_create_slotmap_async(self->server, &bank, &client, NULL,
					   remsim_server_api_create_ready,
					   remsim_server_api_pending_new(msg));
}

static void
remsim_server_api_done_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerApiPending *p = data;
	RemsimServer *server = REMSIM_SERVER(source);
	g_autoptr(GError) error = NULL;
	gboolean ok = g_async_result_is_tagged(result, remsim_server_reset_card_async)
			  ? remsim_server_reset_card_finish(server, result, &error)
			  : remsim_server_delete_slotmap_finish(server, result, &error);

	remsim_server_rest_audit_end(p->msg, error);
	if (!p->finished) {
		if (ok)
			remsim_server_api_reply_object(p->msg, SOUP_STATUS_OK, json_object_new());
		else
			remsim_server_rest_reply_server_error(p->msg, error);
	}
	remsim_server_api_pending_done(p);
}

/* "B/S/reset" (after /slots/) or an id (after /slotmaps/) */
static void
remsim_server_api_delete_slotmap(RemsimServerApi *self, SoupServerMessage *msg, const gchar *id)
{
	guint64 value = 0;

	if (!g_ascii_string_to_unsigned(id, 10, 0, G_MAXUINT32, &value, NULL)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND, "no slot map with id %s",
					       id);
		return;
	}
	remsim_server_rest_audit_begin(msg, "delete-slotmap", "id=%" G_GUINT64_FORMAT, value);
	remsim_server_delete_slotmap_async(self->server, (guint32)value, NULL,
					   remsim_server_api_done_ready,
					   remsim_server_api_pending_new(msg));
}

static void
remsim_server_api_reset_slot(RemsimServerApi *self, SoupServerMessage *msg, const gchar *rest)
{
	g_auto(GStrv) parts = g_strsplit(rest, "/", -1);
	guint64 bank = 0, slot = 0;
	RsproBankSlot where;

	if (g_strv_length(parts) != 3 || !g_str_equal(parts[2], "reset") ||
	    !g_ascii_string_to_unsigned(parts[0], 10, 0, RSPRO_ID_MAX, &bank, NULL) ||
	    !g_ascii_string_to_unsigned(parts[1], 10, 0, RSPRO_ID_MAX, &slot, NULL)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND,
					       "Resource not found: POST /api/v1/slots/%s", rest);
		return;
	}
	where.bank_id = (guint16)bank;
	where.slot_nr = (guint16)slot;
	remsim_server_rest_audit_begin(msg, "reset-card", "bank=%u:%u", where.bank_id,
				       where.slot_nr);
	remsim_server_reset_card_async(self->server, &where, NULL, remsim_server_api_done_ready,
				       remsim_server_api_pending_new(msg));
}

/* ---- routes ---- */

static void
remsim_server_api_handle(SoupServer *soup, SoupServerMessage *msg, const char *path,
			 GHashTable *query, gpointer data)
{
	RemsimServerApi *self = data;
	const gchar *method = soup_server_message_get_method(msg);
	const gchar *route = path + strlen(REMSIM_SERVER_API_PREFIX);
	gboolean get = g_str_equal(method, "GET");
	gboolean post = g_str_equal(method, "POST");
	gboolean delete = g_str_equal(method, "DELETE");

	g_debug("REST %s %s", method, path);
	if ((post || delete) && !remsim_server_api_may_write(msg)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_FORBIDDEN,
					       "this viewer may not change anything");
		return;
	}
	if (get && g_str_equal(route, "/whoami"))
		remsim_server_api_get_whoami(self, msg);
	else if (get && g_str_equal(route, "/slots"))
		remsim_server_api_get_slots(self, msg, query, FALSE);
	else if (get && g_str_equal(route, "/cards"))
		remsim_server_api_get_slots(self, msg, query, TRUE);
	else if (get && g_str_equal(route, "/banks"))
		remsim_server_api_get_banks(self, msg);
	else if (get && g_str_equal(route, "/clients"))
		remsim_server_api_get_list(self, msg, "clients");
	else if (get && g_str_equal(route, "/slotmaps"))
		remsim_server_api_get_list(self, msg, "slotmaps");
	else if (post && g_str_equal(route, "/slotmaps"))
		remsim_server_api_post_slotmap(self, msg);
	else if (delete &&g_str_has_prefix(route, "/slotmaps/"))
		remsim_server_api_delete_slotmap(self, msg, route + strlen("/slotmaps/"));
	else if (post && g_str_has_prefix(route, "/slots/"))
		remsim_server_api_reset_slot(self, msg, route + strlen("/slots/"));
	else
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND,
					       "Resource not found: %s %s", method, path);
}

RemsimServerApi *
remsim_server_api_new(RemsimServer *server, RemsimServerRest *rest)
{
	RemsimServerApi *self = g_object_new(REMSIM_TYPE_SERVER_API, NULL);

	self->server = g_object_ref(server);
	self->rest = g_object_ref(rest);
	remsim_server_rest_add_handler(rest, REMSIM_SERVER_API_PREFIX, remsim_server_api_handle,
				       self);
	return self;
}
