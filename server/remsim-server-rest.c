/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "remsim-audit.h"
#include "remsim-json.h"
#include "remsim-log.h"
#include "remsim-server-events.h"
#include "remsim-server-rest-refusal.h"
#include "remsim-server-rest.h"
#include "remsim-server-web.h"
#include "rspro-acceptor.h"

#define OPENAPI_RESOURCE "/org/remsim/server/openapi.json"

/* a slot map is about 80 bytes: room for any client, none for a memory bomb */
#define REMSIM_SERVER_REST_MAX_BODY (64 * 1024)
/* a connection that sends or takes nothing for so long is closed */
#define REMSIM_SERVER_REST_IDLE_TIMEOUT_S 30

struct _RemsimServerRest {
	GObject parent_instance;
	RemsimServer *server;
	SoupServer *soup;
	SoupServerCallback root_handler;
	gpointer root_data;
	RsproAcceptor *acceptor;
	guint max_connections; /* 0: no limit */
	guint max_per_address;
	RemsimServerAuth *auth;	  /* NULL: no tokens, REST open as upstream's */
	RemsimServerRestTls *tls; /* NULL: plain HTTP */
};

/* who asked, on each SoupServerMessage (remsim_server_rest_authenticate()) */
#define REMSIM_SERVER_REST_CALLER_KEY "remsim-rest-caller"
#define REMSIM_SERVER_REST_AUDIT_KEY "remsim-rest-audit"

typedef struct {
	gchar *caller;	   /* "token:NAME" or "peer:ADDRESS" */
	gchar *token_name; /* NULL without tokens */
	gboolean write;
} RemsimServerRestCaller;

typedef struct {
	gchar *action;
	gchar *details;
} RemsimServerRestAudit;

G_DEFINE_FINAL_TYPE(RemsimServerRest, remsim_server_rest, G_TYPE_OBJECT)

static void
remsim_server_rest_dispose(GObject *object)
{
	RemsimServerRest *self = REMSIM_SERVER_REST(object);

	if (self->acceptor) {
		g_signal_handlers_disconnect_by_data(self->acceptor, self);
		rspro_acceptor_close(self->acceptor);
	}
	g_clear_object(&self->acceptor);
	if (self->soup)
		soup_server_disconnect(self->soup);
	g_clear_object(&self->soup);
	g_clear_object(&self->server);
	g_clear_object(&self->auth);
	g_clear_pointer(&self->tls, remsim_server_rest_tls_free);
	G_OBJECT_CLASS(remsim_server_rest_parent_class)->dispose(object);
}

static void
remsim_server_rest_class_init(RemsimServerRestClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_rest_dispose;
}

static void
remsim_server_rest_init(RemsimServerRest *self)
{
}

/* ---- responses ---- */

void
remsim_server_rest_reply_json(SoupServerMessage *msg, guint status, JsonNode *node)
{
	gsize len = 0;
	g_autoptr(JsonGenerator) gen = json_generator_new();
	gchar *text;

	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, &len);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

/* upstream answers changes with a bare status and no body */
static void
remsim_server_rest_reply_empty(SoupServerMessage *msg, guint status)
{
	soup_server_message_set_status(msg, status, NULL);
}

/* {"error": @text} */
static JsonNode *
remsim_server_rest_error_json(const gchar *text)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, text);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

void
remsim_server_rest_reply_error(SoupServerMessage *msg, guint status, const gchar *format, ...)
{
	g_autoptr(JsonNode) node = NULL;
	g_autofree gchar *text = NULL;
	va_list ap;

	va_start(ap, format);
	text = g_strdup_vprintf(format, ap);
	va_end(ap);
	node = remsim_server_rest_error_json(text);
	remsim_server_rest_reply_json(msg, status, node);
}

/* an error answer without reading the request's body (remsim-server-rest-refusal.h) */
static void remsim_server_rest_refuse_body(SoupServerMessage *msg, guint status,
					   const gchar *format, ...) G_GNUC_PRINTF(3, 4);

static void
remsim_server_rest_refuse_body(SoupServerMessage *msg, guint status, const gchar *format, ...)
{
	g_autoptr(JsonNode) node = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *body = NULL;
	va_list ap;

	va_start(ap, format);
	text = g_strdup_vprintf(format, ap);
	va_end(ap);
	node = remsim_server_rest_error_json(text);
	body = json_to_string(node, FALSE);
	remsim_server_rest_refusal_send(msg, status, NULL, body);
}

/* {"<key>":[...]} of peers or maps */
static JsonNode *
remsim_server_rest_list_object(const gchar *key, GList *items, JsonNode *(*to_json)(gpointer))
{
	JsonObject *obj = json_object_new();
	JsonArray *array = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	for (GList *l = items; l; l = l->next)
		json_array_add_element(array, to_json(l->data));
	json_object_set_array_member(obj, key, array);
	json_node_take_object(node, obj);
	return node;
}

/* ---- paused requests ---- */

/* a request waiting for the database; the message may finish (peer gone) meanwhile */
typedef struct {
	SoupServerMessage *msg;
	gboolean finished;
} RemsimServerRestPending;

static void
remsim_server_rest_msg_finished_cb(SoupServerMessage *msg, gpointer data)
{
	((RemsimServerRestPending *)data)->finished = TRUE;
}

static RemsimServerRestPending *
remsim_server_rest_pending_new(SoupServerMessage *msg)
{
	RemsimServerRestPending *p = g_new0(RemsimServerRestPending, 1);

	p->msg = g_object_ref(msg);
	g_signal_connect(msg, "finished", G_CALLBACK(remsim_server_rest_msg_finished_cb), p);
	soup_server_message_pause(msg);
	return p;
}

/* TRUE if the reply can still be sent; call remsim_server_rest_pending_done() after setting it */
static gboolean
remsim_server_rest_pending_alive(RemsimServerRestPending *p)
{
	return !p->finished;
}

static void
remsim_server_rest_pending_done(RemsimServerRestPending *p)
{
	g_signal_handlers_disconnect_by_data(p->msg, p);
	if (!p->finished)
		soup_server_message_unpause(p->msg);
	g_object_unref(p->msg);
	g_free(p);
}

void
remsim_server_rest_reply_server_error(SoupServerMessage *msg, GError *error)
{
	guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

	if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_CONFLICT))
		status = SOUP_STATUS_BAD_REQUEST;
	else if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND))
		status = SOUP_STATUS_NOT_FOUND;
	else if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_UNSUPPORTED) ||
		 g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_FAILED))
		status = SOUP_STATUS_CONFLICT;
	else if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_TIMEOUT))
		status = SOUP_STATUS_GATEWAY_TIMEOUT;
	/* the server's own failure (the database): the operator must hear of it */
	if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
		g_warning("REST %s %s: %s", soup_server_message_get_method(msg),
			  g_uri_get_path(soup_server_message_get_uri(msg)), error->message);
	remsim_server_rest_reply_error(msg, status, "%s", error->message);
}

/* ---- request parsing ---- */

typedef enum { ID_OK, ID_NOT_NUMERIC, ID_OUT_OF_RANGE } RemsimServerRestIdParse;

static RemsimServerRestIdParse
remsim_server_rest_parse_id(const gchar *text, guint64 max, guint64 *value)
{
	g_autoptr(GError) error = NULL;

	if (g_ascii_string_to_unsigned(text, 10, 0, max, value, &error))
		return ID_OK;
	return g_error_matches(error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS)
		   ? ID_OUT_OF_RANGE
		   : ID_NOT_NUMERIC;
}

/*
 * An id member: its text as written (json-glib wraps integers past 64 bits,
 * so its value cannot be trusted for the range), named in every complaint.
 */
static gboolean
remsim_server_rest_get_id_member(JsonObject *obj, GHashTable *numbers, const gchar *parent,
				 const gchar *key, guint16 *out, gchar **problem)
{
	JsonNode *node = json_object_get_member(obj, key);
	g_autofree gchar *path = g_strdup_printf("%s.%s", parent, key);
	const gchar *text = g_hash_table_lookup(numbers, path);
	g_autoptr(GError) error = NULL;
	gint64 v = 0;

	if (!node) {
		*problem = g_strdup_printf("%s is missing", path);
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_VALUE(node) || text == NULL) {
		*problem = g_strdup_printf("%s must be an integer", path);
		return FALSE;
	}
	if (json_node_get_value_type(node) != G_TYPE_INT64) {
		*problem = g_strdup_printf("%s must be an integer, not %s", path, text);
		return FALSE;
	}
	if (!g_ascii_string_to_signed(text, 10, 0, RSPRO_ID_MAX, &v, &error)) {
		*problem =
		    g_strdup_printf("%s is %s, out of range (0..%d)", path, text, RSPRO_ID_MAX);
		return FALSE;
	}
	*out = (guint16)v;
	return TRUE;
}

static JsonObject *
remsim_server_rest_get_object_member(JsonObject *obj, const gchar *key, gchar **problem)
{
	JsonNode *node = json_object_get_member(obj, key);

	if (!node) {
		*problem = g_strdup_printf("%s is missing", key);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		*problem = g_strdup_printf("%s must be an object", key);
		return NULL;
	}
	return json_node_get_object(node);
}

static gboolean
remsim_server_rest_is_json_request(SoupServerMessage *msg)
{
	const gchar *type = soup_message_headers_get_content_type(
	    soup_server_message_get_request_headers(msg), NULL);

	return type && g_ascii_strcasecmp(type, "application/json") == 0;
}

/* the slot map in a POST body, or FALSE with a description of what is wrong */
static gboolean
remsim_server_rest_parse_slotmap(SoupServerMessage *msg, RsproBankSlot *bank,
				 RsproClientSlot *client, gchar **problem)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GHashTable) numbers = NULL;
	g_autoptr(GError) error = NULL;
	JsonNode *root;
	JsonObject *obj, *b, *c;

	if (!remsim_server_rest_is_json_request(msg)) {
		*problem = g_strdup("Content-Type must be application/json");
		return FALSE;
	}
	if (!body->length) {
		*problem = g_strdup("the request body is empty");
		return FALSE;
	}
	/* depth and keys before json-glib, which recurses and keeps the last of two keys */
	if (!remsim_json_scan(body->data, body->length, REMSIM_JSON_MAX_DEPTH, &numbers, &error)) {
		*problem = g_strdup(error->message);
		return FALSE;
	}
	if (!json_parser_load_from_data(parser, body->data, body->length, &error)) {
		*problem = g_strdup_printf("invalid JSON: %s", error->message);
		return FALSE;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		*problem = g_strdup("the request body must be a JSON object");
		return FALSE;
	}
	obj = json_node_get_object(root);
	if (!(b = remsim_server_rest_get_object_member(obj, "bank", problem)) ||
	    !(c = remsim_server_rest_get_object_member(obj, "client", problem)))
		return FALSE;
	return remsim_server_rest_get_id_member(b, numbers, "bank", "bankId", &bank->bank_id,
						problem) &&
	       remsim_server_rest_get_id_member(b, numbers, "bank", "slotNr", &bank->slot_nr,
						problem) &&
	       remsim_server_rest_get_id_member(c, numbers, "client", "clientId",
						&client->client_id, problem) &&
	       remsim_server_rest_get_id_member(c, numbers, "client", "slotNr", &client->slot_nr,
						problem);
}

/* ---- routes ---- */

static void
remsim_server_rest_get_restart_counter(RemsimServerRest *self, SoupServerMessage *msg)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "restart-counter");
	json_builder_add_int_value(b, (gint64)remsim_server_get_restart_counter(self->server));
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	remsim_server_rest_reply_json(msg, SOUP_STATUS_OK, node);
}

static void
remsim_server_rest_get_peer(SoupServerMessage *msg, const gchar *what, const gchar *id_text,
			    RemsimServerPeer *(*find)(RemsimServer *, guint16),
			    RemsimServer *server)
{
	guint64 id = 0;
	RemsimServerPeer *peer = NULL;

	switch (remsim_server_rest_parse_id(id_text, G_MAXUINT16, &id)) {
	case ID_OUT_OF_RANGE:
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
					       "%s id %s is out of range (0..65535)", what,
					       id_text);
		return;
	case ID_OK:
		peer = find(server, (guint16)id);
		break;
	case ID_NOT_NUMERIC:
		break;
	}
	if (!peer) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND,
					       "no %s with id %s is connected", what, id_text);
		return;
	}
	g_autoptr(JsonNode) node = remsim_server_peer_to_json(peer);
	remsim_server_rest_reply_json(msg, SOUP_STATUS_OK, node);
}

/* a query parameter that must be a count; FALSE with the 400 sent if it is not */
static gboolean
remsim_server_rest_get_count(SoupServerMessage *msg, GHashTable *query, const gchar *name,
			     guint64 *value)
{
	const gchar *text = query != NULL ? g_hash_table_lookup(query, name) : NULL;

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, value, NULL)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
					       "%s must be a count (0..%u), not %s", name,
					       G_MAXUINT32, text);
		return FALSE;
	}
	return TRUE;
}

/*
 * Upstream's whole list, or the part ?offset=N&limit=M asks for. Each map's
 * JSON is kept until its state changes: 30,000 maps no longer cost 30,000
 * JSON nodes per call (half a second of the main loop, RSPRO included).
 */
static void
remsim_server_rest_get_slotmaps(RemsimServerRest *self, SoupServerMessage *msg, GHashTable *query)
{
	g_autoptr(GList) maps = NULL;
	guint64 offset = 0, limit = G_MAXUINT64;
	GString *out;
	guint64 i = 0;

	if (!remsim_server_rest_get_count(msg, query, "offset", &offset) ||
	    !remsim_server_rest_get_count(msg, query, "limit", &limit))
		return;
	maps = remsim_server_list_slotmaps(self->server);
	out = g_string_new("{\"slotmaps\":[");
	for (GList *l = maps; l != NULL; l = l->next, i++) {
		if (i < offset)
			continue;
		if (i - offset >= limit)
			break;
		if (i > offset)
			g_string_append_c(out, ',');
		g_string_append(out, remsim_server_slotmap_to_json_text(l->data));
	}
	g_string_append(out, "]}");
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, out->str,
					 out->len);
	g_string_free(out, FALSE);
}

static void
remsim_server_rest_create_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerRestPending *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerSlotmap) map =
	    remsim_server_create_slotmap_finish(REMSIM_SERVER(source), result, &error);

	remsim_server_rest_audit_end(p->msg, error);
	if (remsim_server_rest_pending_alive(p)) {
		if (map)
			remsim_server_rest_reply_empty(p->msg, SOUP_STATUS_CREATED);
		else
			remsim_server_rest_reply_server_error(p->msg, error);
	}
	remsim_server_rest_pending_done(p);
}

static void
remsim_server_rest_post_slotmap(RemsimServerRest *self, SoupServerMessage *msg)
{
	RsproBankSlot bank;
	RsproClientSlot client;
	g_autofree gchar *problem = NULL;

	if (!remsim_server_rest_parse_slotmap(msg, &bank, &client, &problem)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "%s", problem);
		return;
	}
	remsim_server_rest_audit_begin(msg, "create-slotmap", "bank=%u:%u client=%u:%u",
				       bank.bank_id, bank.slot_nr, client.client_id,
				       client.slot_nr);
	remsim_server_create_slotmap_async(self->server, &bank, &client, NULL,
					   remsim_server_rest_create_ready,
					   remsim_server_rest_pending_new(msg));
}

static void
remsim_server_rest_delete_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerRestPending *p = data;
	RemsimServer *server = REMSIM_SERVER(source);
	g_autoptr(GError) error = NULL;
	gboolean ok = g_async_result_is_tagged(result, remsim_server_global_reset_async)
			  ? remsim_server_global_reset_finish(server, result, &error)
			  : remsim_server_delete_slotmap_finish(server, result, &error);

	remsim_server_rest_audit_end(p->msg, error);
	if (remsim_server_rest_pending_alive(p)) {
		if (ok)
			remsim_server_rest_reply_empty(p->msg, SOUP_STATUS_OK);
		else
			remsim_server_rest_reply_server_error(p->msg, error);
	}
	remsim_server_rest_pending_done(p);
}

static void
remsim_server_rest_delete_slotmap(RemsimServerRest *self, SoupServerMessage *msg,
				  const gchar *id_text)
{
	guint64 id = 0;

	switch (remsim_server_rest_parse_id(id_text, G_MAXUINT32, &id)) {
	case ID_OUT_OF_RANGE:
		remsim_server_rest_reply_error(msg, SOUP_STATUS_BAD_REQUEST,
					       "slot map id %s is out of range", id_text);
		return;
	case ID_NOT_NUMERIC:
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND, "no slot map with id %s",
					       id_text);
		return;
	case ID_OK:
		break;
	}
	remsim_server_rest_audit_begin(msg, "delete-slotmap", "id=%" G_GUINT64_FORMAT, id);
	remsim_server_delete_slotmap_async(self->server, (guint32)id, NULL,
					   remsim_server_rest_delete_ready,
					   remsim_server_rest_pending_new(msg));
}

static void
remsim_server_rest_get_openapi(SoupServerMessage *msg)
{
	g_autoptr(GBytes) doc = g_resources_lookup_data(OPENAPI_RESOURCE, 0, NULL);
	gsize len = 0;
	const gchar *data = doc ? g_bytes_get_data(doc, &len) : NULL;

	if (!data) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
					       "no OpenAPI document");
		return;
	}
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, data, len);
}

/* returns FALSE if no remsim_server_rest_route matches */
static gboolean
remsim_server_rest_route(RemsimServerRest *self, SoupServerMessage *msg, const gchar *method,
			 const gchar *path, GHashTable *query)
{
	gboolean get = g_str_equal(method, "GET");

	if (get && g_str_equal(path, "/restart-counter"))
		remsim_server_rest_get_restart_counter(self, msg);
	else if (get && g_str_equal(path, "/banks")) {
		g_autoptr(JsonNode) n = remsim_server_rest_list_object(
		    "banks", remsim_server_get_banks(self->server),
		    (JsonNode * (*)(gpointer)) remsim_server_peer_to_json);
		remsim_server_rest_reply_json(msg, SOUP_STATUS_OK, n);
	} else if (get && g_str_has_prefix(path, "/banks/"))
		remsim_server_rest_get_peer(msg, "bank", path + 7, remsim_server_find_bank,
					    self->server);
	else if (get && g_str_equal(path, "/clients")) {
		g_autoptr(JsonNode) n = remsim_server_rest_list_object(
		    "clients", remsim_server_get_clients(self->server),
		    (JsonNode * (*)(gpointer)) remsim_server_peer_to_json);
		remsim_server_rest_reply_json(msg, SOUP_STATUS_OK, n);
	} else if (get && g_str_has_prefix(path, "/clients/"))
		remsim_server_rest_get_peer(msg, "client", path + 9, remsim_server_find_client,
					    self->server);
	else if (get && g_str_equal(path, "/slotmaps"))
		remsim_server_rest_get_slotmaps(self, msg, query);
	else if (g_str_equal(method, "POST") && g_str_equal(path, "/slotmaps"))
		remsim_server_rest_post_slotmap(self, msg);
	else if (g_str_equal(method, "DELETE") && g_str_has_prefix(path, "/slotmaps/"))
		remsim_server_rest_delete_slotmap(self, msg, path + 10);
	else if (g_str_equal(method, "POST") && g_str_equal(path, "/global-reset")) {
		remsim_server_rest_audit_begin(msg, "global-reset", "%s", "");
		remsim_server_global_reset_async(self->server, NULL,
						 remsim_server_rest_delete_ready,
						 remsim_server_rest_pending_new(msg));
	} else if (get && g_str_equal(path, "/openapi.json"))
		remsim_server_rest_get_openapi(msg);
	else
		return FALSE;
	return TRUE;
}

static void
remsim_server_rest_handle(SoupServer *server, SoupServerMessage *msg, const char *path,
			  GHashTable *query, gpointer data)
{
	RemsimServerRest *self = data;
	const gchar *method = soup_server_message_get_method(msg);

	g_debug("REST %s %s", method, path);
	if (g_str_has_prefix(path, REMSIM_SERVER_REST_PREFIX "/") &&
	    remsim_server_rest_route(self, msg, method, path + strlen(REMSIM_SERVER_REST_PREFIX),
				     query))
		return;
	/* the root is the web view's (remsim-server-web.c), when there is one */
	if (g_str_equal(path, "/") && self->root_handler != NULL) {
		self->root_handler(server, msg, path, query, self->root_data);
		return;
	}
	remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND, "Resource not found: %s %s",
				       method, path);
}

/* ---- who asks ---- */

static void
remsim_server_rest_caller_free(gpointer data)
{
	RemsimServerRestCaller *c = data;

	g_free(c->caller);
	g_free(c->token_name);
	g_free(c);
}

static void
remsim_server_rest_set_caller(SoupServerMessage *msg, gchar *caller, const gchar *token_name,
			      gboolean write)
{
	RemsimServerRestCaller *c = g_new0(RemsimServerRestCaller, 1);

	c->caller = caller;
	c->token_name = g_strdup(token_name);
	c->write = write;
	g_object_set_data_full(G_OBJECT(msg), REMSIM_SERVER_REST_CALLER_KEY, c,
			       remsim_server_rest_caller_free);
}

static const RemsimServerRestCaller *
remsim_server_rest_get_caller_data(SoupServerMessage *msg)
{
	return g_object_get_data(G_OBJECT(msg), REMSIM_SERVER_REST_CALLER_KEY);
}

const gchar *
remsim_server_rest_get_caller(SoupServerMessage *msg)
{
	const RemsimServerRestCaller *c = remsim_server_rest_get_caller_data(msg);

	return c != NULL ? c->caller : "unknown";
}

const gchar *
remsim_server_rest_get_token_name(SoupServerMessage *msg)
{
	const RemsimServerRestCaller *c = remsim_server_rest_get_caller_data(msg);

	return c != NULL ? c->token_name : NULL;
}

gboolean
remsim_server_rest_may_write(SoupServerMessage *msg)
{
	const RemsimServerRestCaller *c = remsim_server_rest_get_caller_data(msg);

	return c != NULL && c->write;
}

static void
remsim_server_rest_audit_free(gpointer data)
{
	RemsimServerRestAudit *a = data;

	g_free(a->action);
	g_free(a->details);
	g_free(a);
}

void
remsim_server_rest_audit_begin(SoupServerMessage *msg, const gchar *action, const gchar *format,
			       ...)
{
	RemsimServerRestAudit *a = g_new0(RemsimServerRestAudit, 1);
	va_list ap;

	va_start(ap, format);
	a->details = g_strdup_vprintf(format, ap);
	va_end(ap);
	a->action = g_strdup(action);
	g_object_set_data_full(G_OBJECT(msg), REMSIM_SERVER_REST_AUDIT_KEY, a,
			       remsim_server_rest_audit_free);
}

void
remsim_server_rest_audit_end(SoupServerMessage *msg, const GError *error)
{
	const RemsimServerRestAudit *a =
	    g_object_get_data(G_OBJECT(msg), REMSIM_SERVER_REST_AUDIT_KEY);
	g_autofree gchar *result = NULL;

	if (a == NULL)
		return;
	result = error != NULL ? g_strdup_printf("failed (%s)", error->message) : g_strdup("ok");
	remsim_audit(remsim_server_rest_get_caller(msg), a->action, result, "%s", a->details);
	g_object_set_data(G_OBJECT(msg), REMSIM_SERVER_REST_AUDIT_KEY, NULL);
}

/* the web view's page and files, which a browser loads before it has a token */
static gboolean
remsim_server_rest_is_public(const gchar *path)
{
	return g_str_equal(path, "/") || g_str_has_prefix(path, REMSIM_SERVER_WEB_STATIC "/");
}

/*
 * The token the request carries: "Authorization: Bearer TOKEN", or for the
 * event stream only (a browser's EventSource sends no header) the query
 * parameter access_token.
 */
static const gchar *
remsim_server_rest_get_bearer(SoupServerMessage *msg, const gchar *path, GHashTable *query)
{
	const gchar *header = soup_message_headers_get_one(
	    soup_server_message_get_request_headers(msg), "Authorization");

	if (header != NULL && g_ascii_strncasecmp(header, "Bearer ", 7) == 0) {
		header += 7;
		while (*header == ' ')
			header++;
		return header;
	}
	if (query != NULL && g_str_equal(path, REMSIM_SERVER_EVENTS_PATH))
		return g_hash_table_lookup(query, "access_token");
	return NULL;
}

static void
remsim_server_rest_refuse_auth(SoupServerMessage *msg, guint status, const gchar *text)
{
	g_autoptr(JsonNode) node = remsim_server_rest_error_json(text);
	g_autofree gchar *body = json_to_string(node, FALSE);

	remsim_server_rest_refusal_send(msg, status,
					status == SOUP_STATUS_UNAUTHORIZED
					    ? "WWW-Authenticate: Bearer realm=\"remsim\"\r\n"
					    : NULL,
					body);
}

/*
 * Who asks, set on @msg before anything else is read: without tokens
 * everyone may do everything (upstream's REST), by peer address; with
 * tokens, a request without a known token is a 401 and a change asked with
 * a read-only token a 403, both with an audit line. FALSE: @msg is answered.
 */
static gboolean
remsim_server_rest_authenticate(RemsimServerRest *self, SoupServerMessage *msg, const gchar *path,
				GHashTable *query)
{
	const gchar *method = soup_server_message_get_method(msg);
	const gchar *host = soup_server_message_get_remote_host(msg);
	g_autofree gchar *peer = g_strdup_printf("peer:%s", host != NULL ? host : "unknown");
	const gchar *token, *name;
	gboolean write = FALSE;

	if (self->auth == NULL) {
		remsim_server_rest_set_caller(msg, g_steal_pointer(&peer), NULL, TRUE);
		return TRUE;
	}
	if (remsim_server_rest_is_public(path) && g_str_equal(method, "GET")) {
		remsim_server_rest_set_caller(msg, g_steal_pointer(&peer), NULL, FALSE);
		return TRUE;
	}
	token = remsim_server_rest_get_bearer(msg, path, query);
	name = token != NULL ? remsim_server_auth_lookup(self->auth, token, &write) : NULL;
	if (name == NULL) {
		remsim_audit(peer, "login",
			     token != NULL ? "refused (unknown token)" : "refused (no token)",
			     "method=%s path=%s", method, path);
		remsim_server_rest_refuse_auth(msg, SOUP_STATUS_UNAUTHORIZED,
					       token != NULL ? "the token is not known"
							     : "a bearer token is required");
		return FALSE;
	}
	remsim_server_rest_set_caller(msg, g_strdup_printf("token:%s", name), name, write);
	if (!write && !g_str_equal(method, "GET") && !g_str_equal(method, "HEAD")) {
		remsim_audit(remsim_server_rest_get_caller(msg), "change",
			     "refused (read-only token)", "method=%s path=%s", method, path);
		remsim_server_rest_refuse_auth(msg, SOUP_STATUS_FORBIDDEN,
					       "this token may only read");
		return FALSE;
	}
	return TRUE;
}

/*
 * Before the body is read: a body over the limit is refused from its
 * Content-Length (413), so libsoup never buffers it; a chunked body has no
 * length to check first and is refused whole (411).
 */
static void
remsim_server_rest_early_handle(SoupServer *server, SoupServerMessage *msg, const char *path,
				GHashTable *query, gpointer data)
{
	RemsimServerRest *self = data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
	goffset length;

	if (!remsim_server_rest_authenticate(self, msg, path, query))
		return;
	switch (soup_message_headers_get_encoding(headers)) {
	case SOUP_ENCODING_CHUNKED:
		remsim_server_rest_refuse_body(msg, SOUP_STATUS_LENGTH_REQUIRED,
					       "a request body needs a Content-Length");
		break;
	case SOUP_ENCODING_CONTENT_LENGTH:
		length = soup_message_headers_get_content_length(headers);
		if (length > REMSIM_SERVER_REST_MAX_BODY)
			remsim_server_rest_refuse_body(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
						       "the request body is %" G_GOFFSET_FORMAT
						       " bytes, more than the limit of %d",
						       length, REMSIM_SERVER_REST_MAX_BODY);
		break;
	default:
		break;
	}
}

/*
 * Every connection ends after its response. libsoup 3.2 (Debian 12) leaks
 * the descriptor of a keep-alive connection that the client closes while it
 * waits for the next request (fixed in 3.3); a connection that never waits
 * for a next request cannot leak so.
 */
static void
remsim_server_rest_request_started_cb(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
				     "close");
}

RemsimServerRest *
remsim_server_rest_new(RemsimServer *server)
{
	RemsimServerRest *self = g_object_new(REMSIM_TYPE_SERVER_REST, NULL);

	self->server = g_object_ref(server);
	self->soup = soup_server_new("server-header", "remsim-server/" PACKAGE_VERSION, NULL);
	soup_server_add_early_handler(self->soup, NULL, remsim_server_rest_early_handle, self,
				      NULL);
	soup_server_add_handler(self->soup, NULL, remsim_server_rest_handle, self, NULL);
	g_signal_connect(self->soup, "request-started",
			 G_CALLBACK(remsim_server_rest_request_started_cb), self);
	return self;
}

void
remsim_server_rest_set_auth(RemsimServerRest *self, RemsimServerAuth *auth)
{
	g_set_object(&self->auth, auth);
}

void
remsim_server_rest_set_tls(RemsimServerRest *self, RemsimServerRestTls *tls)
{
	g_clear_pointer(&self->tls, remsim_server_rest_tls_free);
	self->tls = tls;
}

gboolean
remsim_server_rest_has_tls(RemsimServerRest *self)
{
	return self->tls != NULL;
}

gboolean
remsim_server_rest_has_auth(RemsimServerRest *self)
{
	return self->auth != NULL;
}

void
remsim_server_rest_set_limits(RemsimServerRest *self, guint max_connections, guint max_per_address)
{
	self->max_connections = max_connections;
	self->max_per_address = max_per_address;
}

/*
 * Our own accept loop (RsproAcceptor), each connection handed to libsoup: the
 * connection limits apply, and at the descriptor limit accepting pauses
 * instead of stopping for good, as libsoup's own listener does.
 */
/* @stream (@conn itself, or TLS over it) to libsoup */
static void
remsim_server_rest_serve(GIOStream *stream, GSocketConnection *conn, gpointer data)
{
	RemsimServerRest *self = data;
	g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address(conn, NULL);
	g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address(conn, NULL);
	g_autoptr(GError) error = NULL;

	if (stream == NULL)
		return;
	if (local == NULL || remote == NULL ||
	    !soup_server_accept_iostream(self->soup, stream, local, remote, &error))
		g_debug("REST: a connection went before it was served: %s",
			error ? error->message : "no address");
}

static void
remsim_server_rest_incoming_cb(RsproAcceptor *acceptor, GSocketConnection *conn, gpointer data)
{
	RemsimServerRest *self = data;
	GSocket *socket = g_socket_connection_get_socket(conn);

	/* a peer that sends or reads nothing (a request it never finishes) is dropped */
	g_socket_set_timeout(socket, REMSIM_SERVER_REST_IDLE_TIMEOUT_S);
	if (self->tls != NULL)
		remsim_server_rest_tls_accept(self->tls, conn, G_OBJECT(self),
					      remsim_server_rest_serve);
	else
		remsim_server_rest_serve(G_IO_STREAM(conn), conn, self);
}

gboolean
remsim_server_rest_listen(RemsimServerRest *self, const gchar *bind_ip, guint16 port,
			  GError **error)
{
	g_autoptr(RsproAcceptor) acceptor = rspro_acceptor_new("REST");

	g_return_val_if_fail(self->acceptor == NULL, FALSE);

	rspro_acceptor_set_limits(acceptor, self->max_connections, self->max_per_address);
	if (!rspro_acceptor_listen(acceptor, bind_ip, port, error))
		return FALSE;
	g_signal_connect(acceptor, "incoming", G_CALLBACK(remsim_server_rest_incoming_cb), self);
	self->acceptor = g_steal_pointer(&acceptor);
	return TRUE;
}

guint16
remsim_server_rest_get_port(RemsimServerRest *self)
{
	return self->acceptor ? rspro_acceptor_get_port(self->acceptor) : 0;
}

void
remsim_server_rest_add_handler(RemsimServerRest *self, const gchar *path,
			       SoupServerCallback callback, gpointer data)
{
	/* libsoup runs the early handler of the path's own handler only */
	soup_server_add_early_handler(self->soup, path, remsim_server_rest_early_handle, self,
				      NULL);
	soup_server_add_handler(self->soup, path, callback, data, NULL);
}

SoupServer *
remsim_server_rest_get_soup(RemsimServerRest *self)
{
	return self->soup;
}

void
remsim_server_rest_set_root_handler(RemsimServerRest *self, SoupServerCallback handler,
				    gpointer data)
{
	self->root_handler = handler;
	self->root_data = data;
}
