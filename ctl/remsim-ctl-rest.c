/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "remsim-ctl-error.h"
#include "remsim-ctl-model.h"
#include "remsim-ctl-rest.h"

#define REMSIM_CTL_REST_API "/api/backend/v1"
/* a request that takes longer than this fails: the server is not answering */
#define REMSIM_CTL_REST_TIMEOUT_S 30

/* what watch asks the server for, in this order */
typedef enum {
	REMSIM_CTL_REST_MAPS,
	REMSIM_CTL_REST_BANKS,
	REMSIM_CTL_REST_CLIENTS,
	REMSIM_CTL_REST_N_LISTS,
} RemsimCtlRestList;

static const gchar *const remsim_ctl_rest_list_paths[] = { "slotmaps", "banks", "clients" };
/* each list's kind of model object, and the members that identify one */
static const gchar *const remsim_ctl_rest_list_kinds[] = { "map", "bank", "client" };
static const gchar *const remsim_ctl_rest_list_first[] = { "id", "bank_id", "client_id" };
static const gchar *const remsim_ctl_rest_list_second[] = { NULL, NULL, "slot" };

struct _RemsimCtlRest {
	RemsimCtlSource parent_instance;
	gchar *base;  /* "http://host:port", no API path, no trailing slash */
	gchar *token; /* sent as "Authorization: Bearer", or NULL */
	SoupSession *session;
	gchar *version; /* from the last answer's Server header, or NULL */

	/* watching */
	GCancellable *cancellable;
	guint poll_id;
	gboolean polling;
	gboolean reachable;
	GTask *watch_task;	  /* until the first answer */
	gboolean live;		  /* the server's event stream is open */
	gboolean no_stream;	  /* the server has none (upstream's): asked once a second */
	gboolean poll_again;	  /* an event came while a snapshot was being taken */
	gboolean opening;	  /* the event stream was asked for, no answer yet */
	GDataInputStream *events; /* the event stream, while live */
	JsonArray *seen[REMSIM_CTL_REST_N_LISTS];
	JsonArray *next[REMSIM_CTL_REST_N_LISTS];
	RemsimCtlRestList asking;
};

G_DEFINE_FINAL_TYPE(RemsimCtlRest, remsim_ctl_rest, REMSIM_CTL_TYPE_SOURCE)

/* ---- requests ---- */

static SoupMessage *
remsim_ctl_rest_message(RemsimCtlRest *self, const gchar *method, const gchar *path,
			const gchar *body)
{
	/* a path of its own ("/api/v1/cards") or one of upstream's API ("slotmaps") */
	g_autofree gchar *url = path[0] == '/'
				    ? g_strconcat(self->base, path, NULL)
				    : g_strconcat(self->base, REMSIM_CTL_REST_API "/", path, NULL);
	SoupMessage *msg = soup_message_new(method, url);

	/* the one place a request is made: the token goes with every one */
	if (self->token != NULL) {
		g_autofree gchar *value = g_strconcat("Bearer ", self->token, NULL);

		soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization",
					     value);
	}
	if (body != NULL) {
		g_autoptr(GBytes) bytes = g_bytes_new(body, strlen(body));

		soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
	}
	return msg;
}

/* the server's version from its Server header ("remsim-server/0.1.0"); upstream's has none */
static void
remsim_ctl_rest_note_version(RemsimCtlRest *self, SoupMessage *msg)
{
	const gchar *server =
	    soup_message_headers_get_one(soup_message_get_response_headers(msg), "Server");

	g_clear_pointer(&self->version, g_free);
	if (server != NULL && g_str_has_prefix(server, "remsim-server/"))
		self->version = g_strdup(server + strlen("remsim-server/"));
}

static GError *
remsim_ctl_rest_unreachable(RemsimCtlRest *self, const GError *error)
{
	if (g_error_matches(error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
		return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
				   /* TRANSLATORS: %s: the server's URL, %s: why (English) */
				   _("remsim-server at %s: no TLS connection (%s): give --ca FILE "
				     "with the CA that signed its certificate"),
				   self->base, error->message);
	return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			   /* TRANSLATORS: %s: the server's URL, %s: why (English) */
			   _("remsim-server at %s does not answer (%s): check the URL and that "
			     "the server runs with its REST port open to you"),
			   self->base, error->message);
}

/* the "error" of a JSON error body, or the HTTP reason */
static gchar *
remsim_ctl_rest_reason(SoupMessage *msg, GBytes *reply)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	gsize len = 0;
	const gchar *data = reply != NULL ? g_bytes_get_data(reply, &len) : NULL;

	if (data != NULL && len > 0 && json_parser_load_from_data(parser, data, len, NULL)) {
		JsonNode *root = json_parser_get_root(parser);

		if (JSON_NODE_HOLDS_OBJECT(root) &&
		    json_object_has_member(json_node_get_object(root), "error"))
			return g_strdup(
			    json_object_get_string_member(json_node_get_object(root), "error"));
	}
	return g_strdup_printf("HTTP %u %s", soup_message_get_status(msg),
			       soup_message_get_reason_phrase(msg));
}

/* an answer that is not 2xx, as a RemsimCtlError: @what says what was asked */
static GError *
remsim_ctl_rest_refusal(RemsimCtlRest *self, SoupMessage *msg, GBytes *reply, const gchar *what)
{
	guint status = soup_message_get_status(msg);
	g_autofree gchar *reason = remsim_ctl_rest_reason(msg, reply);

	if (status == SOUP_STATUS_UNAUTHORIZED && self->token == NULL)
		return g_error_new(
		    REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_REFUSED,
		    /* TRANSLATORS: what was asked, the server's reason (English) */
		    _("%s: remsim-server wants a token (%s): give --token-file FILE, "
		      "REMSIM_TOKEN or --token"),
		    what, reason);
	if (status == SOUP_STATUS_UNAUTHORIZED)
		return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_REFUSED,
				   /* TRANSLATORS: what was asked, the server's reason (English) */
				   _("%s: remsim-server does not accept this token (%s): check it "
				     "against the server's tokens file"),
				   what, reason);
	if (status == SOUP_STATUS_FORBIDDEN)
		return g_error_new(
		    REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_REFUSED,
		    /* TRANSLATORS: what was asked, the server's reason (English) */
		    _("%s: remsim-server refused (%s): this needs a token with write "
		      "rights"),
		    what, reason);
	if (status == SOUP_STATUS_NOT_FOUND)
		return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND, "%s: %s", what,
				   reason);
	if (status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_UNAUTHORIZED ||
	    status == SOUP_STATUS_FORBIDDEN || status == SOUP_STATUS_CONFLICT)
		return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_REFUSED,
				   /* TRANSLATORS: what was asked, the server's reason (English) */
				   _("%s: remsim-server refused: %s"), what, reason);
	return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_FAILED,
			   /* TRANSLATORS: what was asked, the server's reason (English) */
			   _("%s: remsim-server failed: %s (its log tells more)"), what, reason);
}

/*
 * One request, waiting for its answer; the body of a 2xx answer (maybe
 * empty), else NULL with an error. @what says what was asked, for the error.
 */
static GBytes *
remsim_ctl_rest_request(RemsimCtlRest *self, const gchar *method, const gchar *path,
			const gchar *body, const gchar *what, GError **error)
{
	g_autoptr(SoupMessage) msg = remsim_ctl_rest_message(self, method, path, body);
	g_autoptr(GError) local = NULL;
	g_autoptr(GBytes) reply = soup_session_send_and_read(self->session, msg, NULL, &local);

	if (reply == NULL) {
		g_propagate_error(error, remsim_ctl_rest_unreachable(self, local));
		return NULL;
	}
	remsim_ctl_rest_note_version(self, msg);
	if (!SOUP_STATUS_IS_SUCCESSFUL(soup_message_get_status(msg))) {
		g_propagate_error(error, remsim_ctl_rest_refusal(self, msg, reply, what));
		return NULL;
	}
	return g_steal_pointer(&reply);
}

/* ---- answers as model objects ---- */

static GError *
remsim_ctl_rest_unexpected(const gchar *path, const gchar *why)
{
	return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_FAILED,
			   /* TRANSLATORS: %s: a REST path, %s: what is wrong */
			   _("the server's answer to GET %s is not what remsim-ctl expects (%s): "
			     "is this a remsim or osmo-remsim server?"),
			   path, why);
}

/* the array @member of the JSON object in @reply */
static JsonArray *
remsim_ctl_rest_parse_list(GBytes *reply, const gchar *path, const gchar *member, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) local = NULL;
	gsize len = 0;
	const gchar *data = g_bytes_get_data(reply, &len);
	JsonNode *root, *list;

	if (!json_parser_load_from_data(parser, data != NULL ? data : "", len, &local)) {
		g_propagate_error(error, remsim_ctl_rest_unexpected(path, local->message));
		return NULL;
	}
	root = json_parser_get_root(parser);
	list = root != NULL && JSON_NODE_HOLDS_OBJECT(root)
		   ? json_object_get_member(json_node_get_object(root), member)
		   : NULL;
	if (list == NULL || !JSON_NODE_HOLDS_ARRAY(list)) {
		/* TRANSLATORS: %s: a JSON member's name */
		g_autofree gchar *why = g_strdup_printf(_("no array “%s”"), member);

		g_propagate_error(error, remsim_ctl_rest_unexpected(path, why));
		return NULL;
	}
	return json_array_ref(json_node_get_array(list));
}

/* an integer member (of @object, or of its object @parent), or -1 */
static gint64
remsim_ctl_rest_int(JsonObject *object, const gchar *parent, const gchar *member)
{
	JsonNode *node;

	if (parent != NULL) {
		node = json_object_get_member(object, parent);
		if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
			return -1;
		object = json_node_get_object(node);
	}
	node = json_object_get_member(object, member);
	if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64)
		return -1;
	return json_node_get_int(node);
}

static const gchar *
remsim_ctl_rest_string(JsonObject *object, const gchar *parent, const gchar *member)
{
	JsonNode *node = json_object_get_member(object, parent);

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	node = json_object_get_member(json_node_get_object(node), member);
	if (node == NULL || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

/* one element of a REST list as a model object, or NULL if it lacks a field */
static JsonObject *
remsim_ctl_rest_model(RemsimCtlRestList list, JsonObject *o)
{
	switch (list) {
	case REMSIM_CTL_REST_MAPS: {
		gint64 bank = remsim_ctl_rest_int(o, "bank", "bankId");
		gint64 bank_slot = remsim_ctl_rest_int(o, "bank", "slotNr");
		gint64 client = remsim_ctl_rest_int(o, "client", "clientId");
		gint64 client_slot = remsim_ctl_rest_int(o, "client", "slotNr");
		const gchar *state = json_object_get_string_member_with_default(o, "state", NULL);
		g_autofree gchar *lower = state != NULL ? g_ascii_strdown(state, -1) : NULL;

		if (bank < 0 || bank_slot < 0 || client < 0 || client_slot < 0 || state == NULL)
			return NULL;
		return remsim_ctl_model_map_new(
		    bank, bank_slot, client, client_slot, lower,
		    json_object_get_string_member_with_default(o, "error", NULL));
	}
	case REMSIM_CTL_REST_BANKS: {
		gint64 id = remsim_ctl_rest_int(o, NULL, "bankId");
		gint64 slots = remsim_ctl_rest_int(o, NULL, "numberOfSlots");

		if (id < 0 || slots < 0)
			return NULL;
		return remsim_ctl_model_bank_new(
		    id, slots, NULL, remsim_ctl_rest_string(o, "component_id", "name"),
		    remsim_ctl_rest_string(o, "component_id", "software"),
		    remsim_ctl_rest_string(o, "component_id", "swVersion"));
	}
	case REMSIM_CTL_REST_CLIENTS: {
		/* upstream's client JSON names the slot only in its peer, "C<id>:<slot>" */
		const gchar *peer = json_object_get_string_member_with_default(o, "peer", "");
		guint id = 0, slot = 0;
		JsonObject *client;

		if (sscanf(peer, "C%u:%u", &id, &slot) != 2)
			return NULL;
		client = remsim_ctl_model_client_new(id, slot);
		remsim_ctl_model_client_set_server(
		    client, NULL, remsim_ctl_rest_string(o, "component_id", "name"),
		    remsim_ctl_rest_string(o, "component_id", "software"),
		    remsim_ctl_rest_string(o, "component_id", "swVersion"));
		return client;
	}
	case REMSIM_CTL_REST_N_LISTS:
		break;
	}
	g_return_val_if_reached(NULL);
}

/* a REST list's answer as model objects */
static JsonArray *
remsim_ctl_rest_parse_models(RemsimCtlRestList list, GBytes *reply, GError **error)
{
	const gchar *path = remsim_ctl_rest_list_paths[list];
	g_autoptr(JsonArray) raw = remsim_ctl_rest_parse_list(reply, path, path, error);
	g_autoptr(JsonArray) models = NULL;

	if (raw == NULL)
		return NULL;
	models = json_array_new();
	for (guint i = 0; i < json_array_get_length(raw); i++) {
		JsonNode *node = json_array_get_element(raw, i);
		JsonObject *model = JSON_NODE_HOLDS_OBJECT(node)
					? remsim_ctl_rest_model(list, json_node_get_object(node))
					: NULL;

		if (model == NULL) {
			g_propagate_error(
			    error, remsim_ctl_rest_unexpected(
				       path, _("an element without the fields of its kind")));
			return NULL;
		}
		json_array_add_object_element(models, model);
	}
	return g_steal_pointer(&models);
}

static JsonArray *
remsim_ctl_rest_get_list(RemsimCtlRest *self, RemsimCtlRestList list, GError **error)
{
	const gchar *path = remsim_ctl_rest_list_paths[list];
	/* TRANSLATORS: what was asked; %s: a REST path such as "slotmaps" */
	g_autofree gchar *what = g_strdup_printf(_("asking for %s"), path);
	g_autoptr(GBytes) reply = remsim_ctl_rest_request(self, "GET", path, NULL, what, error);

	return reply != NULL ? remsim_ctl_rest_parse_models(list, reply, error) : NULL;
}

/* ---- reading ---- */

static JsonArray *
remsim_ctl_rest_list_banks(RemsimCtlSource *source, GError **error)
{
	return remsim_ctl_rest_get_list(REMSIM_CTL_REST(source), REMSIM_CTL_REST_BANKS, error);
}

static JsonArray *
remsim_ctl_rest_list_clients(RemsimCtlSource *source, GError **error)
{
	return remsim_ctl_rest_get_list(REMSIM_CTL_REST(source), REMSIM_CTL_REST_CLIENTS, error);
}

static JsonArray *
remsim_ctl_rest_list_maps(RemsimCtlSource *source, GError **error)
{
	return remsim_ctl_rest_get_list(REMSIM_CTL_REST(source), REMSIM_CTL_REST_MAPS, error);
}

static JsonArray *
remsim_ctl_rest_list_slots(RemsimCtlSource *source, gint bank_id, GError **error)
{
	g_autoptr(JsonArray) banks = remsim_ctl_rest_list_banks(source, error);
	g_autoptr(JsonArray) maps = banks != NULL ? remsim_ctl_rest_list_maps(source, error) : NULL;
	JsonArray *slots;

	if (maps == NULL)
		return NULL;
	slots = remsim_ctl_model_slots_from(banks, maps, bank_id);
	if (bank_id >= 0 && json_array_get_length(slots) == 0) {
		json_array_unref(slots);
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND,
			    /* TRANSLATORS: %d: a bank id */
			    _("bank %d is not connected to the server: remsim-ctl banks lists "
			      "the banks"),
			    bank_id);
		return NULL;
	}
	return slots;
}

static JsonObject *
remsim_ctl_rest_get_status(RemsimCtlSource *source, GError **error)
{
	RemsimCtlRest *self = REMSIM_CTL_REST(source);
	g_autoptr(JsonArray) banks = remsim_ctl_rest_list_banks(source, error);
	g_autoptr(JsonArray) clients =
	    banks != NULL ? remsim_ctl_rest_list_clients(source, error) : NULL;
	JsonObject *status;
	JsonArray *daemons, *links;

	if (clients == NULL)
		return NULL;
	status = json_object_new();
	daemons = json_array_new();
	links = json_array_new();
	json_array_add_object_element(
	    daemons,
	    remsim_ctl_model_daemon_new("remsim-server", TRUE, "rest", self->base, self->version));
	remsim_ctl_model_add_server_links(links, banks, clients);
	json_object_set_array_member(status, "daemons", daemons);
	json_object_set_array_member(status, "links", links);
	return status;
}

/* ---- changing ---- */

static gboolean
remsim_ctl_rest_create_map(RemsimCtlSource *source, guint client_id, guint client_slot,
			   guint bank_id, guint bank_slot, GError **error)
{
	g_autofree gchar *body = g_strdup_printf(
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    bank_id, bank_slot, client_id, client_slot);
	/* TRANSLATORS: what was asked; the numbers are client id:slot and bank id:slot */
	g_autofree gchar *what = g_strdup_printf(_("mapping client %u:%u to bank %u:%u"), client_id,
						 client_slot, bank_id, bank_slot);
	g_autoptr(GBytes) reply =
	    remsim_ctl_rest_request(REMSIM_CTL_REST(source), "POST", "slotmaps", body, what, error);

	return reply != NULL;
}

/* the cards of remsim's /api/v1/cards; an upstream server has no such route */
static JsonArray *
remsim_ctl_rest_list_cards(RemsimCtlSource *source, const gchar *iccid, const gchar *imsi,
			   GError **error)
{
	g_autofree gchar *ei = g_uri_escape_string(iccid != NULL ? iccid : "", NULL, TRUE);
	g_autofree gchar *em = g_uri_escape_string(imsi != NULL ? imsi : "", NULL, TRUE);
	g_autofree gchar *path = g_strdup_printf("/api/v1/cards?iccid=%s&imsi=%s", ei, em);
	g_autoptr(GBytes) reply = remsim_ctl_rest_request(
	    REMSIM_CTL_REST(source), "GET", path, NULL,
	    /* TRANSLATORS: what was asked */
	    _("asking for the cards (a remsim-server's /api/v1/cards)"), error);
	g_autoptr(JsonArray) list = NULL;
	JsonArray *cards;

	if (reply == NULL ||
	    (list = remsim_ctl_rest_parse_list(reply, path, "cards", error)) == NULL)
		return NULL;
	cards = json_array_new();
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonObject *o = json_array_get_object_element(list, i);
		JsonNode *card_node = json_object_get_member(o, "card");
		JsonObject *c = card_node != NULL && JSON_NODE_HOLDS_OBJECT(card_node)
				    ? json_node_get_object(card_node)
				    : NULL;
		JsonNode *map = json_object_get_member(o, "map");
		JsonObject *card;

		if (c == NULL)
			continue;
#define REMSIM_CTL_REST_CARD(m) json_object_get_string_member_with_default(c, m, NULL)
		card = remsim_ctl_model_card_new(
		    (guint)json_object_get_int_member(o, "bank_id"),
		    (guint)json_object_get_int_member(o, "slot"), REMSIM_CTL_REST_CARD("state"),
		    REMSIM_CTL_REST_CARD("type"), REMSIM_CTL_REST_CARD("iccid"),
		    REMSIM_CTL_REST_CARD("imsi"), REMSIM_CTL_REST_CARD("msisdn"),
		    REMSIM_CTL_REST_CARD("spn"), REMSIM_CTL_REST_CARD("pin1"),
		    json_object_get_boolean_member_with_default(o, "stale", FALSE));
#undef REMSIM_CTL_REST_CARD
		if (map != NULL && JSON_NODE_HOLDS_OBJECT(map))
			remsim_ctl_model_card_set_client(
			    card,
			    (guint)remsim_ctl_rest_int(json_node_get_object(map), "client",
						       "clientId"),
			    (guint)remsim_ctl_rest_int(json_node_get_object(map), "client",
						       "slotNr"));
		json_array_add_object_element(cards, card);
	}
	return cards;
}

static gboolean
remsim_ctl_rest_create_map_by_iccid(RemsimCtlSource *source, guint client_id, guint client_slot,
				    const gchar *iccid, guint *bank_id, guint *bank_slot,
				    GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body_node = NULL;
	g_autofree gchar *body = NULL;
	/* TRANSLATORS: what was asked; client id:slot, an ICCID */
	g_autofree gchar *what = g_strdup_printf(_("mapping client %u:%u to the card %s"),
						 client_id, client_slot, iccid);
	g_autoptr(GBytes) reply = NULL;
	g_autoptr(JsonNode) answer = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "client");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "clientId");
	json_builder_add_int_value(b, client_id);
	json_builder_set_member_name(b, "slotNr");
	json_builder_add_int_value(b, client_slot);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "iccid");
	json_builder_add_string_value(b, iccid);
	json_builder_end_object(b);
	body_node = json_builder_get_root(b);
	body = json_to_string(body_node, FALSE);
	reply = remsim_ctl_rest_request(REMSIM_CTL_REST(source), "POST", "/api/v1/slotmaps", body,
					what, error);
	if (reply == NULL)
		return FALSE;
	answer = json_from_string(g_bytes_get_data(reply, NULL), NULL);
	if (answer == NULL || !JSON_NODE_HOLDS_OBJECT(answer)) {
		g_propagate_error(error,
				  remsim_ctl_rest_unexpected("/api/v1/slotmaps", _("no slot map")));
		return FALSE;
	}
	*bank_id = (guint)remsim_ctl_rest_int(json_node_get_object(answer), "bank", "bankId");
	*bank_slot = (guint)remsim_ctl_rest_int(json_node_get_object(answer), "bank", "slotNr");
	return TRUE;
}

static gboolean
remsim_ctl_rest_delete_map(RemsimCtlSource *source, guint32 map_id, GError **error)
{
	g_autofree gchar *path = g_strdup_printf("slotmaps/%u", map_id);
	/* TRANSLATORS: what was asked; %u: the map's id */
	g_autofree gchar *what = g_strdup_printf(_("deleting slot map %u"), map_id);
	g_autoptr(GBytes) reply =
	    remsim_ctl_rest_request(REMSIM_CTL_REST(source), "DELETE", path, NULL, what, error);

	return reply != NULL;
}

static gboolean
remsim_ctl_rest_reset(RemsimCtlSource *source, GError **error)
{
	g_autoptr(GBytes) reply =
	    remsim_ctl_rest_request(REMSIM_CTL_REST(source), "POST", "global-reset", NULL,
				    /* TRANSLATORS: what was asked */
				    _("deleting every slot map"), error);

	return reply != NULL;
}

static JsonObject *
remsim_ctl_rest_reset_slot(RemsimCtlSource *source, guint bank_id, guint slot, GError **error)
{
	g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
		    _("the server's REST API cannot reset a card: run remsim-ctl slot reset "
		      "without --server on the machine of the bank (it asks remsim-bankd on "
		      "D-Bus)"));
	return NULL;
}

/* ---- watching: a snapshot a second, and what changed ---- */

static void
remsim_ctl_rest_emit(RemsimCtlRest *self, const gchar *event, const gchar *kind, JsonObject *object)
{
	remsim_ctl_source_emit_event(
	    REMSIM_CTL_SOURCE(self),
	    remsim_ctl_model_event_new(event, kind, json_object_ref(object)));
}

/* what came, went or changed between two sorted lists of one kind */
static void
remsim_ctl_rest_diff(RemsimCtlRest *self, RemsimCtlRestList list, JsonArray *old, JsonArray *new)
{
	const gchar *kind = remsim_ctl_rest_list_kinds[list];
	const gchar *first = remsim_ctl_rest_list_first[list];
	const gchar *second = remsim_ctl_rest_list_second[list];
	g_autofree gchar *added = g_strconcat(kind, "-added", NULL);
	g_autofree gchar *removed = g_strconcat(kind, "-removed", NULL);
	g_autofree gchar *changed = g_strconcat(kind, "-changed", NULL);

	for (guint i = 0; i < json_array_get_length(old); i++) {
		JsonObject *o = json_array_get_object_element(old, i);
		JsonObject *n = remsim_ctl_model_find(
		    new, first, json_object_get_int_member(o, first), second,
		    second != NULL ? json_object_get_int_member(o, second) : 0);

		/* a bank or client that came again with other values went and came */
		if (n == NULL || (list != REMSIM_CTL_REST_MAPS && !remsim_ctl_model_equal(o, n)))
			remsim_ctl_rest_emit(self, removed, kind, o);
	}
	for (guint i = 0; i < json_array_get_length(new); i++) {
		JsonObject *n = json_array_get_object_element(new, i);
		JsonObject *o = remsim_ctl_model_find(
		    old, first, json_object_get_int_member(n, first), second,
		    second != NULL ? json_object_get_int_member(n, second) : 0);

		if (o == NULL || (list != REMSIM_CTL_REST_MAPS && !remsim_ctl_model_equal(o, n)))
			remsim_ctl_rest_emit(self, added, kind, n);
		else if (!remsim_ctl_model_equal(o, n))
			remsim_ctl_rest_emit(self, changed, kind, n);
	}
}

static JsonObject *
remsim_ctl_rest_daemon_model(RemsimCtlRest *self)
{
	return remsim_ctl_model_daemon_new("remsim-server", self->reachable, "rest", self->base,
					   self->reachable ? self->version : NULL);
}

static void remsim_ctl_rest_poll_ask(RemsimCtlRest *self);
static void remsim_ctl_rest_stream_open(RemsimCtlRest *self);
static gboolean remsim_ctl_rest_poll_cb(gpointer data);

/* a whole snapshot is in: report the differences, keep it */
static void
remsim_ctl_rest_poll_done(RemsimCtlRest *self)
{
	gboolean first = self->seen[0] == NULL;

	if (!self->reachable) {
		self->reachable = TRUE;
		if (!first)
			remsim_ctl_rest_emit(self, "daemon-found", "daemon",
					     remsim_ctl_rest_daemon_model(self));
	}
	for (guint l = 0; l < REMSIM_CTL_REST_N_LISTS; l++) {
		g_autoptr(JsonArray) sorted = remsim_ctl_model_sort(
		    self->next[l], remsim_ctl_rest_list_first[l], remsim_ctl_rest_list_second[l]);

		if (!first)
			remsim_ctl_rest_diff(self, l, self->seen[l], sorted);
		g_clear_pointer(&self->seen[l], json_array_unref);
		self->seen[l] = g_steal_pointer(&sorted);
		g_clear_pointer(&self->next[l], json_array_unref);
	}
}

/* no answer: the first time, watching fails; later, the server is lost until it answers */
static void
remsim_ctl_rest_poll_failed(RemsimCtlRest *self, GError *error)
{
	for (guint l = 0; l < REMSIM_CTL_REST_N_LISTS; l++)
		g_clear_pointer(&self->next[l], json_array_unref);
	if (self->watch_task != NULL) {
		g_task_return_error(self->watch_task, error);
		g_clear_object(&self->watch_task);
		return;
	}
	if (self->reachable) {
		self->reachable = FALSE;
		remsim_ctl_rest_emit(self, "daemon-lost", "daemon",
				     remsim_ctl_rest_daemon_model(self));
	}
	g_error_free(error);
}

static void
remsim_ctl_rest_poll_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimCtlRest) self = data;
	g_autoptr(SoupMessage) msg =
	    g_object_ref(soup_session_get_async_result_message(SOUP_SESSION(source), result));
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) reply =
	    soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);

	if (g_cancellable_is_cancelled(self->cancellable))
		return;
	if (reply == NULL) {
		self->polling = FALSE;
		remsim_ctl_rest_poll_failed(self, remsim_ctl_rest_unreachable(self, error));
		return;
	}
	remsim_ctl_rest_note_version(self, msg);
	if (SOUP_STATUS_IS_SUCCESSFUL(soup_message_get_status(msg)))
		self->next[self->asking] =
		    remsim_ctl_rest_parse_models(self->asking, reply, &error);
	else
		error = remsim_ctl_rest_refusal(self, msg, reply,
						remsim_ctl_rest_list_paths[self->asking]);
	if (self->next[self->asking] == NULL) {
		self->polling = FALSE;
		remsim_ctl_rest_poll_failed(self, g_steal_pointer(&error));
		return;
	}
	if (++self->asking < REMSIM_CTL_REST_N_LISTS) {
		remsim_ctl_rest_poll_ask(self);
		return;
	}
	self->polling = FALSE;
	remsim_ctl_rest_poll_done(self);
	/* the first snapshot is in: now the event stream, where the server has one */
	if (!self->live && !self->no_stream) {
		if (!self->opening)
			remsim_ctl_rest_stream_open(self);
		return;
	}
	if (self->watch_task != NULL) {
		g_task_return_boolean(self->watch_task, TRUE);
		g_clear_object(&self->watch_task);
	}
	if (self->poll_again) {
		self->poll_again = FALSE;
		remsim_ctl_rest_poll_cb(self);
	}
}

static void
remsim_ctl_rest_poll_ask(RemsimCtlRest *self)
{
	g_autoptr(SoupMessage) msg =
	    remsim_ctl_rest_message(self, "GET", remsim_ctl_rest_list_paths[self->asking], NULL);

	soup_session_send_and_read_async(self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
					 remsim_ctl_rest_poll_ready, g_object_ref(self));
}

static gboolean
remsim_ctl_rest_poll_cb(gpointer data)
{
	RemsimCtlRest *self = data;

	if (g_cancellable_is_cancelled(self->cancellable)) {
		self->poll_id = 0;
		return G_SOURCE_REMOVE;
	}
	/* one snapshot at a time: a slow server is asked again when it answered */
	if (self->polling)
		return G_SOURCE_CONTINUE;
	self->polling = TRUE;
	self->asking = REMSIM_CTL_REST_MAPS;
	remsim_ctl_rest_poll_ask(self);
	return G_SOURCE_CONTINUE;
}

/* ---- the server's event stream (/api/v1/events): each event, a new snapshot ---- */

/* without a stream (upstream's server, or it broke): a snapshot a second */
static void
remsim_ctl_rest_fall_back(RemsimCtlRest *self)
{
	self->live = FALSE;
	g_clear_object(&self->events);
	if (self->watch_task != NULL) {
		g_task_return_boolean(self->watch_task, TRUE);
		g_clear_object(&self->watch_task);
	}
	if (self->poll_id == 0)
		self->poll_id =
		    g_timeout_add(REMSIM_CTL_REST_POLL_MS, remsim_ctl_rest_poll_cb, self);
}

static void remsim_ctl_rest_stream_read(RemsimCtlRest *self);

static void
remsim_ctl_rest_stream_line_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimCtlRest) self = data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *line = g_data_input_stream_read_line_finish_utf8(
	    G_DATA_INPUT_STREAM(source), result, NULL, &error);

	if (g_cancellable_is_cancelled(self->cancellable))
		return;
	if (line == NULL) {
		/* the stream ended: the server went, or restarts; ask it once a second */
		remsim_ctl_rest_fall_back(self);
		return;
	}
	/* an event's name: what it is about is in the next snapshot, diffed as ever */
	if (g_str_has_prefix(line, "event:")) {
		if (self->polling)
			self->poll_again = TRUE;
		else
			remsim_ctl_rest_poll_cb(self);
	}
	remsim_ctl_rest_stream_read(self);
}

static void
remsim_ctl_rest_stream_read(RemsimCtlRest *self)
{
	g_data_input_stream_read_line_async(self->events, G_PRIORITY_DEFAULT, self->cancellable,
					    remsim_ctl_rest_stream_line_ready, g_object_ref(self));
}

static void
remsim_ctl_rest_stream_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimCtlRest) self = data;
	SoupMessage *msg = soup_session_get_async_result_message(SOUP_SESSION(source), result);
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) stream =
	    soup_session_send_finish(SOUP_SESSION(source), result, &error);
	const gchar *type = msg != NULL ? soup_message_headers_get_content_type(
					      soup_message_get_response_headers(msg), NULL)
					: NULL;

	if (g_cancellable_is_cancelled(self->cancellable))
		return;
	self->opening = FALSE;
	if (stream == NULL || soup_message_get_status(msg) != SOUP_STATUS_OK ||
	    g_strcmp0(type, "text/event-stream") != 0) {
		/* upstream's server has no stream; remsim's answers 200 */
		if (stream != NULL)
			self->no_stream = TRUE;
		remsim_ctl_rest_fall_back(self);
		return;
	}
	self->live = TRUE;
	g_clear_handle_id(&self->poll_id, g_source_remove);
	self->events = g_data_input_stream_new(stream);
	g_data_input_stream_set_newline_type(self->events, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	remsim_ctl_rest_stream_read(self);
	if (self->watch_task != NULL) {
		g_task_return_boolean(self->watch_task, TRUE);
		g_clear_object(&self->watch_task);
	}
	/* what changed between the snapshot and the stream */
	remsim_ctl_rest_poll_cb(self);
}

static void
remsim_ctl_rest_stream_open(RemsimCtlRest *self)
{
	g_autoptr(SoupMessage) msg = remsim_ctl_rest_message(self, "GET", "/api/v1/events", NULL);

	soup_session_send_async(self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
				remsim_ctl_rest_stream_ready, g_object_ref(self));
}

gboolean
remsim_ctl_rest_get_live(RemsimCtlRest *self)
{
	return self->live;
}

static void
remsim_ctl_rest_watch_async(RemsimCtlSource *source, GCancellable *cancellable,
			    GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimCtlRest *self = REMSIM_CTL_REST(source);
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_ctl_rest_watch_async);
	g_clear_object(&self->cancellable);
	self->cancellable = cancellable != NULL ? g_object_ref(cancellable) : g_cancellable_new();
	self->watch_task = task;
	remsim_ctl_rest_poll_cb(self);
}

static gboolean
remsim_ctl_rest_watch_finish(RemsimCtlSource *source, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, source), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- the object ---- */

static void
remsim_ctl_rest_dispose(GObject *object)
{
	RemsimCtlRest *self = REMSIM_CTL_REST(object);

	g_clear_handle_id(&self->poll_id, g_source_remove);
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->events);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->watch_task);
	for (guint l = 0; l < REMSIM_CTL_REST_N_LISTS; l++) {
		g_clear_pointer(&self->seen[l], json_array_unref);
		g_clear_pointer(&self->next[l], json_array_unref);
	}
	g_clear_object(&self->session);
	G_OBJECT_CLASS(remsim_ctl_rest_parent_class)->dispose(object);
}

static void
remsim_ctl_rest_finalize(GObject *object)
{
	RemsimCtlRest *self = REMSIM_CTL_REST(object);

	g_free(self->base);
	g_free(self->version);
	g_free(self->token);
	G_OBJECT_CLASS(remsim_ctl_rest_parent_class)->finalize(object);
}

static void
remsim_ctl_rest_class_init(RemsimCtlRestClass *klass)
{
	RemsimCtlSourceClass *source_class = REMSIM_CTL_SOURCE_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_ctl_rest_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_ctl_rest_finalize;
	source_class->get_status = remsim_ctl_rest_get_status;
	source_class->list_banks = remsim_ctl_rest_list_banks;
	source_class->list_clients = remsim_ctl_rest_list_clients;
	source_class->list_maps = remsim_ctl_rest_list_maps;
	source_class->list_slots = remsim_ctl_rest_list_slots;
	source_class->create_map = remsim_ctl_rest_create_map;
	source_class->list_cards = remsim_ctl_rest_list_cards;
	source_class->create_map_by_iccid = remsim_ctl_rest_create_map_by_iccid;
	source_class->delete_map = remsim_ctl_rest_delete_map;
	source_class->reset = remsim_ctl_rest_reset;
	source_class->reset_slot = remsim_ctl_rest_reset_slot;
	source_class->watch_async = remsim_ctl_rest_watch_async;
	source_class->watch_finish = remsim_ctl_rest_watch_finish;
}

static void
remsim_ctl_rest_init(RemsimCtlRest *self)
{
	self->session =
	    soup_session_new_with_options("timeout", REMSIM_CTL_REST_TIMEOUT_S, "user-agent",
					  "remsim-ctl/" PACKAGE_VERSION, NULL);
}

/* "http(s)://host[:port]" of @url, or NULL */
static gchar *
remsim_ctl_rest_base_of(const gchar *url)
{
	g_autofree gchar *full = NULL;
	g_autoptr(GUri) uri = NULL;
	const gchar *scheme;

	if (strstr(url, "://") == NULL) {
		/* a bare host, maybe with a port: upstream's REST port unless given */
		g_autoptr(GUri) bare = NULL;

		full = g_strconcat("http://", url, NULL);
		bare = g_uri_parse(full, G_URI_FLAGS_NONE, NULL);
		if (bare != NULL && g_uri_get_port(bare) == -1) {
			g_free(full);
			full = g_strdup_printf("http://%s:%d", url, REMSIM_CTL_REST_DEFAULT_PORT);
		}
	} else {
		full = g_strdup(url);
	}
	uri = g_uri_parse(full, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL || g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0')
		return NULL;
	scheme = g_uri_get_scheme(uri);
	if (g_ascii_strcasecmp(scheme, "http") != 0 && g_ascii_strcasecmp(scheme, "https") != 0)
		return NULL;
	if (g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL ||
	    (*g_uri_get_path(uri) != '\0' && !g_str_equal(g_uri_get_path(uri), "/") &&
	     !g_str_equal(g_uri_get_path(uri), REMSIM_CTL_REST_API) &&
	     !g_str_equal(g_uri_get_path(uri), REMSIM_CTL_REST_API "/")))
		return NULL;
	return g_uri_join(G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host(uri), g_uri_get_port(uri),
			  "", NULL, NULL);
}

/* the certificates that may sign the server's (--ca), instead of the system's */
static gboolean
remsim_ctl_rest_set_ca(RemsimCtlRest *self, const gchar *ca_file, GError **error)
{
	g_autoptr(GError) local = NULL;
	/* GIO takes an absolute name only */
	g_autofree gchar *path = g_canonicalize_filename(ca_file, NULL);
	g_autoptr(GTlsDatabase) db = g_tls_file_database_new(path, &local);

	if (db == NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: %s: the file given to --ca, %s: why (English) */
			    _("--ca %s: %s"), ca_file, local->message);
		return FALSE;
	}
	g_object_set(self->session, "tls-database", db, NULL);
	return TRUE;
}

RemsimCtlSource *
remsim_ctl_rest_new(const gchar *url, const gchar *token, const gchar *ca_file, GError **error)
{
	g_autofree gchar *base = remsim_ctl_rest_base_of(url);
	g_autoptr(RemsimCtlRest) self = NULL;

	if (base == NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_USAGE,
			    /* TRANSLATORS: %s: what was given; %d: the default REST port */
			    _("--server %s is not a server's URL: give http://HOST:PORT (as "
			      "http://127.0.0.1:%d), https://HOST:PORT, or a bare HOST"),
			    url, REMSIM_CTL_REST_DEFAULT_PORT);
		return NULL;
	}
	self = g_object_new(REMSIM_CTL_TYPE_REST, NULL);
	self->base = g_steal_pointer(&base);
	self->token = g_strdup(token);
	if (ca_file != NULL && !remsim_ctl_rest_set_ca(self, ca_file, error))
		return NULL;
	return REMSIM_CTL_SOURCE(g_steal_pointer(&self));
}
