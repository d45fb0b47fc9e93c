/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-server-api.h"
#include "remsim-server-events.h"

struct _RemsimServerEvents {
	GObject parent_instance;
	RemsimServer *server;
	RemsimServerRest *rest;
	GList *listeners; /* SoupServerMessage*, strong, each an open stream */
	guint64 next_id;
	guint keepalive;
};

G_DEFINE_FINAL_TYPE(RemsimServerEvents, remsim_server_events, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, N_SIGNALS };
static guint remsim_server_events_signals[N_SIGNALS];

static void remsim_server_events_drop(RemsimServerEvents *self, SoupServerMessage *msg);

static void
remsim_server_events_dispose(GObject *object)
{
	RemsimServerEvents *self = REMSIM_SERVER_EVENTS(object);

	g_clear_handle_id(&self->keepalive, g_source_remove);
	while (self->listeners != NULL) {
		SoupServerMessage *msg = self->listeners->data;

		soup_message_body_complete(soup_server_message_get_response_body(msg));
		soup_server_message_unpause(msg);
		remsim_server_events_drop(self, msg);
	}
	if (self->server != NULL) {
		g_signal_handlers_disconnect_by_data(self->server, self);
		g_signal_handlers_disconnect_by_data(remsim_server_get_inventory(self->server),
						     self);
	}
	if (self->rest != NULL)
		soup_server_remove_handler(remsim_server_rest_get_soup(self->rest),
					   REMSIM_SERVER_EVENTS_PATH);
	g_clear_object(&self->rest);
	g_clear_object(&self->server);
	G_OBJECT_CLASS(remsim_server_events_parent_class)->dispose(object);
}

static void
remsim_server_events_class_init(RemsimServerEventsClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_events_dispose;
	remsim_server_events_signals[SIGNAL_EVENT] =
	    g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
remsim_server_events_init(RemsimServerEvents *self)
{
	self->next_id = 1;
}

/* ---- the stream ---- */

static void
remsim_server_events_write(SoupServerMessage *msg, const gchar *text)
{
	soup_message_body_append(soup_server_message_get_response_body(msg), SOUP_MEMORY_COPY, text,
				 strlen(text));
	/* the I/O waits once it wrote all there was: start it again */
	soup_server_message_unpause(msg);
}

static void
remsim_server_events_drop(RemsimServerEvents *self, SoupServerMessage *msg)
{
	GList *link = g_list_find(self->listeners, msg);

	if (link == NULL)
		return;
	self->listeners = g_list_delete_link(self->listeners, link);
	g_signal_handlers_disconnect_by_data(msg, self);
	g_object_unref(msg);
}

static void
remsim_server_events_finished_cb(SoupServerMessage *msg, gpointer user_data)
{
	/* the peer went, or the server stops: the stream ends here */
	remsim_server_events_drop(REMSIM_SERVER_EVENTS(user_data), msg);
}

/*
 * Whether an event has anyone to go to: a stream, or D-Bus. Without one its
 * JSON is not made at all; a bank's report or a thousand maps made at once
 * would otherwise cost the main loop a JSON text per slot for nobody.
 */
static gboolean
remsim_server_events_heard(RemsimServerEvents *self)
{
	return self->listeners != NULL ||
	       g_signal_has_handler_pending(self, remsim_server_events_signals[SIGNAL_EVENT], 0,
					    FALSE);
}

static void
remsim_server_events_emit(RemsimServerEvents *self, const gchar *name, const gchar *event,
			  JsonObject *object)
{
	g_autoptr(JsonObject) o = json_object_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *chunk = NULL;
	guint64 id = self->next_id++;

	json_object_set_string_member(o, "event", event);
	json_object_set_object_member(o, name, object);
	node = json_node_init_object(json_node_alloc(), o);
	data = json_to_string(node, FALSE);
	chunk =
	    g_strdup_printf("id: %" G_GUINT64_FORMAT "\nevent: %s\ndata: %s\n\n", id, name, data);
	for (GList *l = self->listeners; l != NULL; l = l->next)
		remsim_server_events_write(l->data, chunk);
	g_signal_emit(self, remsim_server_events_signals[SIGNAL_EVENT], 0, name, data);
}

static gboolean
remsim_server_events_keepalive_cb(gpointer user_data)
{
	RemsimServerEvents *self = user_data;

	for (GList *l = self->listeners; l != NULL; l = l->next)
		remsim_server_events_write(l->data, ": keep-alive\n\n");
	return G_SOURCE_CONTINUE;
}

static void
remsim_server_events_handle(SoupServer *soup, SoupServerMessage *msg, const char *path,
			    GHashTable *query, gpointer data)
{
	RemsimServerEvents *self = data;
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);

	if (!g_str_equal(soup_server_message_get_method(msg), "GET") ||
	    !g_str_equal(path, REMSIM_SERVER_EVENTS_PATH)) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND,
					       "Resource not found: %s %s",
					       soup_server_message_get_method(msg), path);
		return;
	}
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_message_headers_set_content_type(headers, "text/event-stream", NULL);
	soup_message_headers_replace(headers, "Cache-Control", "no-cache");
	soup_message_headers_set_encoding(headers, SOUP_ENCODING_CHUNKED);
	self->listeners = g_list_prepend(self->listeners, g_object_ref(msg));
	g_signal_connect(msg, "finished", G_CALLBACK(remsim_server_events_finished_cb), self);
	/* the client's EventSource reconnects after this long when the stream breaks */
	remsim_server_events_write(msg, "retry: 2000\n: remsim-server events\n\n");
}

/* ---- what the server says ---- */

static void
remsim_server_events_peer_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer user_data,
			     const gchar *name, const gchar *event)
{
	JsonNode *node;
	JsonObject *o;

	if (!remsim_server_events_heard(REMSIM_SERVER_EVENTS(user_data)))
		return;
	node = remsim_server_peer_to_json(peer);
	o = json_object_ref(json_node_get_object(node));

	if (g_str_equal(name, "bank"))
		json_object_set_boolean_member(o, "remsim",
					       remsim_server_peer_get_remsim_ext(peer));
	json_node_unref(node);
	remsim_server_events_emit(REMSIM_SERVER_EVENTS(user_data), name, event, o);
}

static void
remsim_server_events_bank_added_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	remsim_server_events_peer_cb(server, peer, data, "bank", "bank-added");
}

static void
remsim_server_events_bank_removed_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	remsim_server_events_peer_cb(server, peer, data, "bank", "bank-removed");
}

static void
remsim_server_events_client_added_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	remsim_server_events_peer_cb(server, peer, data, "client", "client-added");
}

static void
remsim_server_events_client_removed_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	remsim_server_events_peer_cb(server, peer, data, "client", "client-removed");
}

static void
remsim_server_events_map(RemsimServerEvents *self, RemsimServerSlotmap *map, const gchar *event)
{
	JsonNode *node;
	JsonObject *o;

	if (!remsim_server_events_heard(self))
		return;
	node = remsim_server_slotmap_to_json(map);
	o = json_object_ref(json_node_get_object(node));

	json_object_set_int_member(o, "id", remsim_server_slotmap_get_id(map));
	json_node_unref(node);
	remsim_server_events_emit(self, "map", event, o);
}

static void
remsim_server_events_map_changed_cb(RemsimServer *server, RemsimServerSlotmap *map, gpointer data)
{
	remsim_server_events_map(REMSIM_SERVER_EVENTS(data), map, "map-changed");
}

static void
remsim_server_events_map_removed_cb(RemsimServer *server, RemsimServerSlotmap *map, gpointer data)
{
	remsim_server_events_map(REMSIM_SERVER_EVENTS(data), map, "map-removed");
}

static void
remsim_server_events_slot_changed_cb(RemsimServerInventory *inventory, RemsimServerBankSlot *slot,
				     gpointer data)
{
	RemsimServerEvents *self = data;

	if (!remsim_server_events_heard(self))
		return;
	remsim_server_events_emit(
	    self, "slot", "slot-changed",
	    remsim_server_api_slot_to_json(self->server, slot->bank_id, slot->slot_nr));
}

static void
remsim_server_events_slot_removed_cb(RemsimServerInventory *inventory, guint bank_id, guint slot_nr,
				     gpointer data)
{
	JsonObject *o;

	if (!remsim_server_events_heard(REMSIM_SERVER_EVENTS(data)))
		return;
	o = json_object_new();
	json_object_set_int_member(o, "bank_id", bank_id);
	json_object_set_int_member(o, "slot", slot_nr);
	remsim_server_events_emit(REMSIM_SERVER_EVENTS(data), "slot", "slot-removed", o);
}

RemsimServerEvents *
remsim_server_events_new(RemsimServer *server, RemsimServerRest *rest)
{
	RemsimServerEvents *self = g_object_new(REMSIM_TYPE_SERVER_EVENTS, NULL);
	RemsimServerInventory *inventory = remsim_server_get_inventory(server);

	self->server = g_object_ref(server);
	self->rest = g_object_ref(rest);
	g_signal_connect(server, "bank-added", G_CALLBACK(remsim_server_events_bank_added_cb),
			 self);
	g_signal_connect(server, "bank-removed", G_CALLBACK(remsim_server_events_bank_removed_cb),
			 self);
	g_signal_connect(server, "client-added", G_CALLBACK(remsim_server_events_client_added_cb),
			 self);
	g_signal_connect(server, "client-removed",
			 G_CALLBACK(remsim_server_events_client_removed_cb), self);
	g_signal_connect(server, "slotmap-changed", G_CALLBACK(remsim_server_events_map_changed_cb),
			 self);
	g_signal_connect(server, "slotmap-removed", G_CALLBACK(remsim_server_events_map_removed_cb),
			 self);
	g_signal_connect(inventory, "slot-changed",
			 G_CALLBACK(remsim_server_events_slot_changed_cb), self);
	g_signal_connect(inventory, "slot-removed",
			 G_CALLBACK(remsim_server_events_slot_removed_cb), self);
	remsim_server_rest_add_handler(rest, REMSIM_SERVER_EVENTS_PATH, remsim_server_events_handle,
				       self);
	self->keepalive = g_timeout_add_seconds(REMSIM_SERVER_EVENTS_KEEPALIVE_S,
						remsim_server_events_keepalive_cb, self);
	return self;
}

guint
remsim_server_events_get_n_listeners(RemsimServerEvents *self)
{
	return g_list_length(self->listeners);
}
