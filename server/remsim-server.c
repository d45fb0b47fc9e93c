/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-json.h"
#include "remsim-log.h"
#include "remsim-server-trust.h"
#include "remsim-server.h"
#include "remsim-tls.h"
#include "rspro-listener.h"

G_DEFINE_QUARK(remsim_server_error_quark, remsim_server_error)

/* upstream waits this long for Connect*Req after accepting */
#define HELLO_TIMEOUT_MS 10000

struct _RemsimServer {
	GObject parent_instance;
	RemsimServerSlotmapStore *store;
	RsproListener *listener;
	guint max_connections; /* on the listener; 0: no limit */
	guint max_per_address;
	RsproListenerTls tls_mode;
	GTlsCertificate *tls_cert;
	GTlsDatabase *tls_ca;
	gboolean tls_require_peer_certificate;
	GPtrArray *bank_allowed_addresses; /* GInetAddress, or NULL */
	RsproComponentIdentity identity;
	RemsimLogTag log;	    /* [server] */
	GHashTable *peers;	    /* RsproConnection* -> RemsimServerPeer* (owned) */
	GQueue banks;		    /* RemsimServerPeer*, identification order */
	GQueue clients;		    /* RemsimServerPeer* */
	GHashTable *bank_by_id;	    /* bank id -> RemsimServerPeer* */
	GHashTable *client_by_slot; /* client slot key -> RemsimServerPeer* */
	GQueue maps;		    /* listed RemsimServerSlotmap* (owned), creation order */
	GHashTable *map_by_bank;    /* bank slot key -> RemsimServerSlotmap* */
	GHashTable *map_by_client;  /* client slot key -> RemsimServerSlotmap* */
	RemsimServerInventory *inventory;
	GHashTable *resets; /* tag -> GTask of remsim_server_reset_card_async() */
	guint reset_tag;
};

G_DEFINE_FINAL_TYPE(RemsimServer, remsim_server, G_TYPE_OBJECT)

enum {
	SIG_BANK_ADDED,
	SIG_BANK_REMOVED,
	SIG_CLIENT_ADDED,
	SIG_CLIENT_REMOVED,
	SIG_SLOTMAP_CHANGED,
	SIG_SLOTMAP_REMOVED,
	N_SIGNALS
};
static guint signals[N_SIGNALS];

/* a request to a bank in flight: the map and the push it belongs to */
typedef struct {
	RemsimServer *server;
	RemsimServerSlotmap *map;
	guint serial;
} RemsimServerPushCtx;

static void
remsim_server_push_ctx_free(RemsimServerPushCtx *ctx)
{
	g_object_unref(ctx->server);
	remsim_server_slotmap_unref(ctx->map);
	g_free(ctx);
}

static void
remsim_server_dispose(GObject *object)
{
	RemsimServer *self = REMSIM_SERVER(object);

	GHashTableIter iter;
	gpointer conn;

	if (self->listener)
		rspro_listener_close(self->listener);
	g_clear_object(&self->listener);
	if (self->peers) {
		g_hash_table_iter_init(&iter, self->peers);
		while (g_hash_table_iter_next(&iter, &conn, NULL))
			g_signal_handlers_disconnect_by_data(conn, self);
		g_hash_table_iter_init(&iter, self->peers);
		while (g_hash_table_iter_next(&iter, &conn, NULL))
			rspro_connection_close(conn);
	}
	g_clear_pointer(&self->peers, g_hash_table_unref);
	g_clear_pointer(&self->resets, g_hash_table_unref);
	g_clear_object(&self->inventory);
	g_clear_object(&self->store);
	g_clear_object(&self->tls_cert);
	g_clear_object(&self->tls_ca);
	g_clear_pointer(&self->bank_allowed_addresses, g_ptr_array_unref);
	G_OBJECT_CLASS(remsim_server_parent_class)->dispose(object);
}

static void
remsim_server_finalize(GObject *object)
{
	RemsimServer *self = REMSIM_SERVER(object);

	g_queue_clear(&self->banks);
	g_queue_clear(&self->clients);
	g_queue_clear_full(&self->maps, (GDestroyNotify)remsim_server_slotmap_unref);
	g_hash_table_unref(self->bank_by_id);
	g_hash_table_unref(self->client_by_slot);
	g_hash_table_unref(self->map_by_bank);
	g_hash_table_unref(self->map_by_client);
	rspro_component_identity_clear(&self->identity);
	G_OBJECT_CLASS(remsim_server_parent_class)->finalize(object);
}

static void
remsim_server_class_init(RemsimServerClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	const gchar *peer_signals[] = { "bank-added", "bank-removed", "client-added",
					"client-removed" };

	oc->dispose = remsim_server_dispose;
	oc->finalize = remsim_server_finalize;
	for (guint i = 0; i < G_N_ELEMENTS(peer_signals); i++)
		signals[SIG_BANK_ADDED + i] =
		    g_signal_new(peer_signals[i], G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
				 NULL, NULL, NULL, G_TYPE_NONE, 1, REMSIM_TYPE_SERVER_PEER);
	signals[SIG_SLOTMAP_CHANGED] = g_signal_new(
	    "slotmap-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	    G_TYPE_NONE, 1, REMSIM_TYPE_SLOTMAP | G_SIGNAL_TYPE_STATIC_SCOPE);
	signals[SIG_SLOTMAP_REMOVED] = g_signal_new(
	    "slotmap-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	    G_TYPE_NONE, 1, REMSIM_TYPE_SLOTMAP | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
remsim_server_init(RemsimServer *self)
{
	self->peers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_object_unref);
	remsim_log_tag_set_name(&self->log, "server");
	g_queue_init(&self->banks);
	g_queue_init(&self->clients);
	g_queue_init(&self->maps);
	self->bank_by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->client_by_slot = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->map_by_bank = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->map_by_client = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->resets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_object_unref);
}

RemsimServer *
remsim_server_new(RemsimServerSlotmapStore *store)
{
	RemsimServer *self = g_object_new(REMSIM_TYPE_SERVER, NULL);
	g_autofree gchar *name = g_strndup(g_get_host_name(), RSPRO_NAME_MAX);

	self->store = g_object_ref(store);
	self->inventory = remsim_server_inventory_new(store);
	rspro_component_identity_init(&self->identity, RSPRO_COMPONENT_SERVER, name,
				      "remsim-server");
	return self;
}

guint64
remsim_server_get_restart_counter(RemsimServer *self)
{
	return remsim_server_slotmap_store_get_restart_counter(self->store);
}

/* ---- the slot map list ---- */

static void
remsim_server_list_map(RemsimServer *self, RemsimServerSlotmap *map)
{
	map->listed = TRUE;
	g_queue_push_tail(&self->maps, remsim_server_slotmap_ref(map));
	g_hash_table_insert(self->map_by_bank,
			    GUINT_TO_POINTER(remsim_server_slotmap_bank_key(&map->bank)), map);
	g_hash_table_insert(self->map_by_client,
			    GUINT_TO_POINTER(remsim_server_slotmap_client_key(&map->client)), map);
}

/* takes the map out of the list; the caller must hold its own reference */
static void
remsim_server_unlist_map(RemsimServer *self, RemsimServerSlotmap *map)
{
	if (!map->listed)
		return;
	map->listed = FALSE;
	g_hash_table_remove(self->map_by_bank,
			    GUINT_TO_POINTER(remsim_server_slotmap_bank_key(&map->bank)));
	g_hash_table_remove(self->map_by_client,
			    GUINT_TO_POINTER(remsim_server_slotmap_client_key(&map->client)));
	if (g_queue_remove(&self->maps, map))
		remsim_server_slotmap_unref(map);
	if (map->stored)
		g_signal_emit(self, signals[SIG_SLOTMAP_REMOVED], 0, map);
}

static void
remsim_server_map_changed(RemsimServer *self, RemsimServerSlotmap *map)
{
	if (map->listed && map->stored)
		g_signal_emit(self, signals[SIG_SLOTMAP_CHANGED], 0, map);
}

GList *
remsim_server_list_slotmaps(RemsimServer *self)
{
	GList *out = NULL;

	for (GList *l = self->maps.tail; l; l = l->prev) {
		RemsimServerSlotmap *map = l->data;

		if (map->stored)
			out = g_list_prepend(out, map);
	}
	return out;
}

RemsimServerSlotmap *
remsim_server_find_slotmap(RemsimServer *self, guint16 bank_id, guint16 slot_nr)
{
	RsproBankSlot bank = { .bank_id = bank_id, .slot_nr = slot_nr };
	RemsimServerSlotmap *map = g_hash_table_lookup(
	    self->map_by_bank, GUINT_TO_POINTER(remsim_server_slotmap_bank_key(&bank)));

	return map != NULL && map->stored ? map : NULL;
}

/* "[bank B slot N] map to client C:N WHAT: RESULT" */
static void
remsim_server_log_map(const RemsimServerSlotmap *map, GLogLevelFlags level, const gchar *what,
		      gint result)
{
	const gchar *name = rspro_enum_result_code_to_string(result);
	RemsimLogTag tag;

	remsim_log_tag_set_bank_slot(&tag, map->bank.bank_id, map->bank.slot_nr);
	REMSIM_LOG_(level, &tag, "map to client %u:%u %s: %s", map->client.client_id,
		    map->client.slot_nr, what, name != NULL ? name : "?");
}

/* ---- pushing to clients ---- */

static void
remsim_server_send_client_config(RemsimServerPeer *client, const RemsimServerClientConfig *cfg)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_config_client_bank_req(&cfg->bank, &cfg->bankd);
	g_autoptr(GError) error = NULL;

	if (!remsim_server_peer_update_client_config(client, cfg))
		return;
	remsim_log_debug(remsim_server_peer_get_log_tag(client),
			 "configClientBankReq B%u:%u port %u", cfg->bank.bank_id, cfg->bank.slot_nr,
			 cfg->bankd.port);
	if (!rspro_connection_send(remsim_server_peer_get_connection(client), pdu, &error))
		remsim_log_warning(remsim_server_peer_get_log_tag(client), "cannot send: %s",
				   error->message);
}

/*
 * Tell @client where its bank is: the map's bank slot and the bank's endpoint,
 * or 0.0.0.0:0 when the map is going away or failed. A live map whose bank is
 * not connected to us says nothing: after a server restart the clients often
 * come back before their banks, and upstream's 0.0.0.0:0 then tears down relays
 * that never stopped working. The client hears from us when the bank is back.
 */
static void
remsim_server_update_client(RemsimServer *self, RemsimServerPeer *client, RemsimServerSlotmap *map,
			    const RsproBankSlot *bank)
{
	RemsimServerClientConfig cfg = { .bank = map ? map->bank : *bank };
	RemsimServerPeer *bankd = map ? remsim_server_find_bank(self, map->bank.bank_id) : NULL;
	gboolean live = map && (map->state == REMSIM_SERVER_SLOTMAP_NEW ||
				map->state == REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED ||
				map->state == REMSIM_SERVER_SLOTMAP_ACTIVE);

	if (live && !bankd)
		return;
	if (live)
		remsim_server_peer_get_bankd_endpoint(bankd, &cfg.bankd);
	remsim_server_send_client_config(client, &cfg);
}

static void
remsim_server_update_client_of(RemsimServer *self, const RsproClientSlot *slot,
			       const RsproBankSlot *old_bank)
{
	guint32 key = remsim_server_slotmap_client_key(slot);
	RemsimServerPeer *client = g_hash_table_lookup(self->client_by_slot, GUINT_TO_POINTER(key));

	if (client)
		remsim_server_update_client(
		    self, client, g_hash_table_lookup(self->map_by_client, GUINT_TO_POINTER(key)),
		    old_bank);
}

/* ---- pushing to banks ---- */

static void
remsim_server_create_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerPushCtx *ctx = data;
	RemsimServerSlotmap *map = ctx->map;
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, &error);

	/* a lost bank already set its maps back to NEW; a newer push owns the map */
	if (!res || map->serial != ctx->serial ||
	    map->state != REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED) {
		remsim_server_push_ctx_free(ctx);
		return;
	}
	if (res->u.create_mapping_res.result == RSPRO_RESULT_OK) {
		map->state = REMSIM_SERVER_SLOTMAP_ACTIVE;
	} else {
		map->state = REMSIM_SERVER_SLOTMAP_ERROR;
		map->error_result = res->u.create_mapping_res.result;
		remsim_server_log_map(map, G_LOG_LEVEL_WARNING, "refused by the bank",
				      map->error_result);
	}
	remsim_server_map_changed(ctx->server, map);
	if (map->listed)
		remsim_server_update_client_of(ctx->server, &map->client, &map->bank);
	remsim_server_push_ctx_free(ctx);
}

static void
remsim_server_remove_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerPushCtx *ctx = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, &error);

	if (res) {
		if (res->u.remove_mapping_res.result != RSPRO_RESULT_OK)
			remsim_server_log_map(ctx->map, G_LOG_LEVEL_INFO,
					      "removal refused by the bank",
					      res->u.remove_mapping_res.result);
		remsim_server_update_client_of(ctx->server, &ctx->map->client, &ctx->map->bank);
	}
	remsim_server_push_ctx_free(ctx);
}

static void
remsim_server_send_mapping(RemsimServer *self, RemsimServerPeer *bank, RemsimServerSlotmap *map,
			   RsproMsgType type)
{
	g_autoptr(RsproPdu) req = rspro_pdu_new_mapping_req(type, &map->client, &map->bank);
	RemsimServerPushCtx *ctx = g_new0(RemsimServerPushCtx, 1);
	gboolean create = type == RSPRO_MSG_CREATE_MAPPING_REQ;

	ctx->server = g_object_ref(self);
	ctx->map = remsim_server_slotmap_ref(map);
	ctx->serial = ++map->serial;
	map->state = create ? REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED : REMSIM_SERVER_SLOTMAP_DELETING;
	/* responses pair with requests first in first out, as upstream's bankd answers */
	rspro_connection_request_async(
	    remsim_server_peer_get_connection(bank), req,
	    create ? RSPRO_MSG_CREATE_MAPPING_RES : RSPRO_MSG_REMOVE_MAPPING_RES, 0, NULL,
	    create ? remsim_server_create_ready : remsim_server_remove_ready, ctx);
	remsim_server_map_changed(self, map);
}

static void
remsim_server_push_new_maps(RemsimServer *self, RemsimServerPeer *bank)
{
	guint16 bank_id = remsim_server_peer_get_bank_id(bank);

	for (GList *l = self->maps.head; l; l = l->next) {
		RemsimServerSlotmap *map = l->data;

		if (map->stored && map->bank.bank_id == bank_id &&
		    map->state == REMSIM_SERVER_SLOTMAP_NEW)
			remsim_server_send_mapping(self, bank, map, RSPRO_MSG_CREATE_MAPPING_REQ);
	}
}

/* a map left the list for good: take it off its bank if the bank has it */
static void
remsim_server_retire_map(RemsimServer *self, RemsimServerSlotmap *map)
{
	RemsimServerPeer *bank = remsim_server_find_bank(self, map->bank.bank_id);

	if (bank && (map->state == REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED ||
		     map->state == REMSIM_SERVER_SLOTMAP_ACTIVE)) {
		map->state = REMSIM_SERVER_SLOTMAP_DELETE_REQ;
		remsim_server_send_mapping(self, bank, map, RSPRO_MSG_REMOVE_MAPPING_REQ);
	}
}

/* ---- registry ---- */

RemsimServerPeer *
remsim_server_find_bank(RemsimServer *self, guint16 bank_id)
{
	return g_hash_table_lookup(self->bank_by_id, GUINT_TO_POINTER(bank_id));
}

RemsimServerPeer *
remsim_server_find_client(RemsimServer *self, guint16 client_id)
{
	for (GList *l = self->clients.head; l; l = l->next)
		if (remsim_server_peer_get_client_slot(l->data)->client_id == client_id)
			return l->data;
	return NULL;
}

GList *
remsim_server_get_banks(RemsimServer *self)
{
	return self->banks.head;
}

GList *
remsim_server_get_clients(RemsimServer *self)
{
	return self->clients.head;
}

static void
remsim_server_answer_hello(RemsimServerPeer *peer, RsproMsgType type,
			   const RsproComponentIdentity *id, gint result)
{
	g_autoptr(RsproPdu) res = rspro_pdu_new_connect_res(type, id, result);
	g_autoptr(GError) error = NULL;

	if (!rspro_connection_send(remsim_server_peer_get_connection(peer), res, &error))
		remsim_log_warning(remsim_server_peer_get_log_tag(peer), "cannot answer: %s",
				   error->message);
}

static void
remsim_server_refuse(RemsimServer *self, RemsimServerPeer *peer, RsproMsgType type, gint result,
		     const gchar *what)
{
	remsim_log_message(remsim_server_peer_get_log_tag(peer), "refusing %s: %s", what,
			   rspro_enum_result_code_to_string(result));
	remsim_server_answer_hello(peer, type, &self->identity, result);
	remsim_server_peer_reject(peer);
}

static void
remsim_server_handle_connect_bank(RemsimServer *self, RemsimServerPeer *peer, const RsproPdu *pdu)
{
	const RsproConnectBankReq *req = &pdu->u.connect_bank_req;
	RsproConnection *conn = remsim_server_peer_get_connection(peer);
	g_autofree gchar *what = g_strdup_printf("bank %u", req->bank_id);

	if (req->identity.type != RSPRO_COMPONENT_BANKD) {
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "closing: connectBankReq from a component that is not a bank");
		rspro_connection_close(conn);
		return;
	}
	if (req->bank_id == 0) {
		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_BANK_RES,
				     RSPRO_RESULT_ILLEGAL_BANK_ID, what);
		return;
	}
	if (req->number_of_slots == 0) {
		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_BANK_RES,
				     RSPRO_RESULT_ILLEGAL_SLOT_ID, what);
		return;
	}
	g_autofree gchar *subject = NULL;
	if (!remsim_tls_peer_may_claim_bank(conn, self->tls_require_peer_certificate, req->bank_id,
					    &subject)) {
		/* the answer upstream gives for a bank id it does not take */
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "certificate %s does not name bank %u", subject, req->bank_id);
		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_BANK_RES,
				     RSPRO_RESULT_ILLEGAL_BANK_ID, what);
		return;
	}
	if (req->has_bound &&
	    !remsim_server_trust_bound_allowed(conn, &req->bound, self->bank_allowed_addresses)) {
		g_autofree gchar *ip = remsim_server_trust_ip_to_string(&req->bound);

		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "announces %s:%u for its clients, which is neither the address "
				   "it connects from (%s) nor in bank-allowed-addresses",
				   ip, req->bound.port, rspro_connection_get_peer_name(conn));
		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_BANK_RES,
				     RSPRO_RESULT_ILLEGAL_BANK_ID, what);
		return;
	}
	if (remsim_server_find_bank(self, req->bank_id)) {
		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_BANK_RES,
				     RSPRO_RESULT_IDENTITY_IN_USE, what);
		return;
	}
	remsim_server_peer_set_bank(peer, req);
	g_queue_push_tail(&self->banks, peer);
	g_hash_table_insert(self->bank_by_id, GUINT_TO_POINTER(req->bank_id), peer);
	remsim_log_info(remsim_server_peer_get_log_tag(peer), "%u slots, connected from %s",
			req->number_of_slots, rspro_connection_get_peer_name(conn));
	if (remsim_server_peer_is_remsim_bank(peer, req)) {
		RsproComponentIdentity marked;

		/* only a remsim bank hears that we take remsim's own messages */
		rspro_component_identity_copy(&marked, &self->identity);
		rspro_component_identity_set_remsim_ext(&marked);
		remsim_server_peer_set_remsim_ext(peer, TRUE);
		remsim_server_answer_hello(peer, RSPRO_MSG_CONNECT_BANK_RES, &marked,
					   RSPRO_RESULT_OK);
		rspro_component_identity_clear(&marked);
	} else {
		remsim_server_answer_hello(peer, RSPRO_MSG_CONNECT_BANK_RES, &self->identity,
					   RSPRO_RESULT_OK);
	}
	g_signal_emit(self, signals[SIG_BANK_ADDED], 0, peer);
	remsim_server_push_new_maps(self, peer);
}

static void
remsim_server_handle_connect_client(RemsimServer *self, RemsimServerPeer *peer, const RsproPdu *pdu)
{
	const RsproConnectClientReq *req = &pdu->u.connect_client_req;
	RsproConnection *conn = remsim_server_peer_get_connection(peer);
	guint32 key;

	if (req->identity.type != RSPRO_COMPONENT_CLIENT || !req->has_client_slot) {
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "closing: connectClientReq without a client identity and slot");
		rspro_connection_close(conn);
		return;
	}
	g_autofree gchar *subject = NULL;
	if (!remsim_tls_peer_may_claim_client(conn, self->tls_require_peer_certificate,
					      req->client_slot.client_id, req->client_slot.slot_nr,
					      &subject)) {
		g_autofree gchar *what = g_strdup_printf(
		    "client C%u:%u", req->client_slot.client_id, req->client_slot.slot_nr);

		/* the answer upstream gives for a client id it does not take */
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "certificate %s does not name client %u:%u", subject,
				   req->client_slot.client_id, req->client_slot.slot_nr);
		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_CLIENT_RES,
				     RSPRO_RESULT_ILLEGAL_CLIENT_ID, what);
		return;
	}
	key = remsim_server_slotmap_client_key(&req->client_slot);
	if (g_hash_table_contains(self->client_by_slot, GUINT_TO_POINTER(key))) {
		g_autofree gchar *what = g_strdup_printf(
		    "client C%u:%u", req->client_slot.client_id, req->client_slot.slot_nr);

		remsim_server_refuse(self, peer, RSPRO_MSG_CONNECT_CLIENT_RES,
				     RSPRO_RESULT_IDENTITY_IN_USE, what);
		return;
	}
	remsim_server_peer_set_client(peer, req);
	g_queue_push_tail(&self->clients, peer);
	g_hash_table_insert(self->client_by_slot, GUINT_TO_POINTER(key), peer);
	remsim_log_info(remsim_server_peer_get_log_tag(peer), "connected from %s",
			rspro_connection_get_peer_name(conn));
	remsim_server_answer_hello(peer, RSPRO_MSG_CONNECT_CLIENT_RES, &self->identity,
				   RSPRO_RESULT_OK);
	g_signal_emit(self, signals[SIG_CLIENT_ADDED], 0, peer);
	remsim_server_update_client_of(self, &req->client_slot, &(RsproBankSlot){ 0, 0 });
}

static void
remsim_server_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer data)
{
	RemsimServer *self = data;
	RemsimServerPeer *peer = g_hash_table_lookup(self->peers, conn);
	RemsimServerPeerState state =
	    peer ? remsim_server_peer_get_state(peer) : REMSIM_SERVER_PEER_REJECTED;

	if (state == REMSIM_SERVER_PEER_ESTABLISHED && pdu->type == RSPRO_MSG_CONNECT_BANK_REQ)
		remsim_server_handle_connect_bank(self, peer, pdu);
	else if (state == REMSIM_SERVER_PEER_ESTABLISHED &&
		 pdu->type == RSPRO_MSG_CONNECT_CLIENT_REQ)
		remsim_server_handle_connect_client(self, peer, pdu);
	else if (pdu->type != RSPRO_MSG_CONFIG_CLIENT_BANK_RES)
		/* upstream ignores what a state does not expect, resetStateReq included */
		remsim_log_debug(peer != NULL ? remsim_server_peer_get_log_tag(peer) : &self->log,
				 "ignoring %s in state %s", rspro_msg_type_to_string(pdu->type),
				 remsim_server_peer_state_to_string(state));
}

/* ---- remsim's own messages from banks ---- */

static void
remsim_server_reset_result(RemsimServer *self, JsonObject *o)
{
	guint tag = (guint)json_object_get_int_member_with_default(o, "tag", 0);
	const gchar *error = json_object_get_string_member_with_default(o, "error", NULL);
	GTask *task = NULL;

	if (!g_hash_table_steal_extended(self->resets, GUINT_TO_POINTER(tag), NULL,
					 (gpointer *)&task))
		return;
	if (error != NULL)
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_FAILED, "%s",
					error);
	else
		g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static void
remsim_server_remsim_message_cb(RsproConnection *conn, GBytes *payload, gpointer data)
{
	RemsimServer *self = data;
	RemsimServerPeer *peer = g_hash_table_lookup(self->peers, conn);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	const gchar *text = g_bytes_get_data(payload, &len);
	JsonObject *o;

	if (peer == NULL ||
	    remsim_server_peer_get_state(peer) != REMSIM_SERVER_PEER_CONNECTED_BANKD ||
	    !remsim_server_peer_get_remsim_ext(peer))
		return;
	/* a bank's JSON: bounded in depth before json-glib recurses into it */
	if (!remsim_json_scan(text, len, REMSIM_JSON_MAX_DEPTH, NULL, &error)) {
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "ignoring a remsim message: %s", error->message);
		return;
	}
	if (!json_parser_load_from_data(parser, text, (gssize)len, &error) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "ignoring a remsim message that is no JSON object");
		return;
	}
	o = json_node_get_object(json_parser_get_root(parser));
	if (json_object_has_member(o, "slots")) {
		if (!remsim_server_inventory_apply_report(
			self->inventory, remsim_server_peer_get_bank_id(peer), o, &error))
			remsim_log_message(remsim_server_peer_get_log_tag(peer),
					   "ignoring a slot report: %s", error->message);
	} else if (json_object_has_member(o, "reset-card-result") &&
		   JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "reset-card-result"))) {
		remsim_server_reset_result(self,
					   json_object_get_object_member(o, "reset-card-result"));
	}
}

static void
remsim_server_bank_lost(RemsimServer *self, RemsimServerPeer *peer)
{
	guint16 bank_id = remsim_server_peer_get_bank_id(peer);

	remsim_server_inventory_bank_lost(self->inventory, bank_id);
	g_queue_remove(&self->banks, peer);
	g_hash_table_remove(self->bank_by_id, GUINT_TO_POINTER(bank_id));
	remsim_log_message(remsim_server_peer_get_log_tag(peer), "disconnected");
	for (GList *l = self->maps.head; l; l = l->next) {
		RemsimServerSlotmap *map = l->data;

		if (map->bank.bank_id != bank_id || map->state == REMSIM_SERVER_SLOTMAP_NEW)
			continue;
		/* pushed again when the bank comes back */
		map->state = REMSIM_SERVER_SLOTMAP_NEW;
		map->serial++;
		remsim_server_map_changed(self, map);
	}
	g_signal_emit(self, signals[SIG_BANK_REMOVED], 0, peer);
}

static void
remsim_server_client_lost(RemsimServer *self, RemsimServerPeer *peer)
{
	guint32 key = remsim_server_slotmap_client_key(remsim_server_peer_get_client_slot(peer));

	g_queue_remove(&self->clients, peer);
	g_hash_table_remove(self->client_by_slot, GUINT_TO_POINTER(key));
	remsim_log_info(remsim_server_peer_get_log_tag(peer), "disconnected");
	g_signal_emit(self, signals[SIG_CLIENT_REMOVED], 0, peer);
}

static void
remsim_server_closed_cb(RsproConnection *conn, GError *reason, gpointer data)
{
	RemsimServer *self = data;
	g_autoptr(RemsimServerPeer) peer = NULL;

	if (!g_hash_table_steal_extended(self->peers, conn, NULL, (gpointer *)&peer))
		return;
	g_signal_handlers_disconnect_by_data(conn, self);
	if (rspro_connection_reason_is_clean(reason))
		remsim_log_debug(remsim_server_peer_get_log_tag(peer), "connection from %s closed",
				 rspro_connection_get_peer_name(conn));
	else
		remsim_log_message(remsim_server_peer_get_log_tag(peer),
				   "connection from %s lost: %s",
				   rspro_connection_get_peer_name(conn), reason->message);
	if (remsim_server_peer_get_state(peer) == REMSIM_SERVER_PEER_CONNECTED_BANKD)
		remsim_server_bank_lost(self, peer);
	else if (remsim_server_peer_get_state(peer) == REMSIM_SERVER_PEER_CONNECTED_CLIENT)
		remsim_server_client_lost(self, peer);
}

static void
remsim_server_connection_cb(RsproListener *listener, RsproConnection *conn, gpointer data)
{
	RemsimServer *self = data;
	RemsimServerPeer *peer = remsim_server_peer_new(conn);

	remsim_log_debug(remsim_server_peer_get_log_tag(peer), "accepted");
	g_hash_table_insert(self->peers, conn, peer);
	g_signal_connect(conn, "message", G_CALLBACK(remsim_server_message_cb), self);
	g_signal_connect(conn, "remsim-message", G_CALLBACK(remsim_server_remsim_message_cb), self);
	g_signal_connect(conn, "closed", G_CALLBACK(remsim_server_closed_cb), self);
	remsim_server_peer_close_after(peer, HELLO_TIMEOUT_MS);
}

void
remsim_server_set_limits(RemsimServer *self, guint max_connections, guint max_per_address)
{
	self->max_connections = max_connections;
	self->max_per_address = max_per_address;
}

void
remsim_server_set_tls(RemsimServer *self, RsproListenerTls mode, GTlsCertificate *cert,
		      GTlsDatabase *ca, gboolean require_peer_certificate)
{
	self->tls_mode = mode;
	g_set_object(&self->tls_cert, cert);
	g_set_object(&self->tls_ca, ca);
	self->tls_require_peer_certificate = require_peer_certificate;
}

void
remsim_server_set_bank_allowed_addresses(RemsimServer *self, GPtrArray *allowed)
{
	g_clear_pointer(&self->bank_allowed_addresses, g_ptr_array_unref);
	if (allowed != NULL)
		self->bank_allowed_addresses = g_ptr_array_ref(allowed);
}

gboolean
remsim_server_listen(RemsimServer *self, const gchar *bind_ip, guint16 port, GError **error)
{
	self->listener = rspro_listener_new();
	rspro_listener_set_tls(self->listener, self->tls_mode, self->tls_cert, self->tls_ca,
			       self->tls_require_peer_certificate);
	rspro_listener_set_keepalive(self->listener, RSPRO_KEEPALIVE_INTERVAL_MS,
				     RSPRO_KEEPALIVE_TIMEOUT_MS);
	rspro_listener_set_limits(self->listener, self->max_connections, self->max_per_address);
	g_signal_connect(self->listener, "connection", G_CALLBACK(remsim_server_connection_cb),
			 self);
	return rspro_listener_listen(self->listener, bind_ip, port, error);
}

guint16
remsim_server_get_port(RemsimServer *self)
{
	return self->listener ? rspro_listener_get_port(self->listener) : 0;
}

/* ---- slot map changes ---- */

gboolean
remsim_server_restore(RemsimServer *self, GError **error)
{
	g_autoptr(GArray) rows = remsim_server_slotmap_store_load(self->store, error);

	if (!rows)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		RemsimServerStoredMap *row = &g_array_index(rows, RemsimServerStoredMap, i);
		g_autoptr(RemsimServerSlotmap) map =
		    remsim_server_slotmap_new(&row->bank, &row->client);

		map->stored = TRUE;
		remsim_server_list_map(self, map);
	}
	remsim_log_message(&self->log, "restored %u slot maps from %s", rows->len,
			   remsim_server_slotmap_store_get_path(self->store));
	return remsim_server_inventory_load(self->inventory, error);
}

static void
remsim_server_create_stored_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GTask) task = data;
	RemsimServer *self = g_task_get_source_object(task);
	RemsimServerSlotmap *map = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	RemsimServerPeer *bank;

	if (!remsim_server_slotmap_store_write_finish(self->store, result, &error)) {
		remsim_server_unlist_map(self, map);
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_STORE, "%s",
					error->message);
		return;
	}
	map->stored = TRUE;
	remsim_server_map_changed(self, map);
	bank = remsim_server_find_bank(self, map->bank.bank_id);
	if (map->listed && bank)
		remsim_server_send_mapping(self, bank, map, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_task_return_pointer(task, remsim_server_slotmap_ref(map),
			      (GDestroyNotify)remsim_server_slotmap_unref);
}

void
remsim_server_create_slotmap_async(RemsimServer *self, const RsproBankSlot *bank,
				   const RsproClientSlot *client, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimServerSlotmap *other;
	RemsimServerSlotmap *map;
	RemsimServerStoredMap row = { *bank, *client };

	other = g_hash_table_lookup(self->map_by_bank,
				    GUINT_TO_POINTER(remsim_server_slotmap_bank_key(bank)));
	if (other) {
		g_task_return_new_error(
		    task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_CONFLICT,
		    "bank slot B%u:%u is already mapped (to client slot C%u:%u)", bank->bank_id,
		    bank->slot_nr, other->client.client_id, other->client.slot_nr);
		g_object_unref(task);
		return;
	}
	other = g_hash_table_lookup(self->map_by_client,
				    GUINT_TO_POINTER(remsim_server_slotmap_client_key(client)));
	if (other) {
		g_task_return_new_error(
		    task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_CONFLICT,
		    "client slot C%u:%u is already mapped (to bank slot B%u:%u)", client->client_id,
		    client->slot_nr, other->bank.bank_id, other->bank.slot_nr);
		g_object_unref(task);
		return;
	}
	map = remsim_server_slotmap_new(bank, client);
	g_task_set_task_data(task, map, (GDestroyNotify)remsim_server_slotmap_unref);
	/* listed at once so that a concurrent create for the same slots conflicts */
	remsim_server_list_map(self, map);
	remsim_server_slotmap_store_write_async(self->store, &row, NULL, 0, NULL,
						remsim_server_create_stored_ready, task);
}

RemsimServerSlotmap *
remsim_server_create_slotmap_finish(RemsimServer *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_server_delete_stored_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GTask) task = data;
	RemsimServer *self = g_task_get_source_object(task);
	GPtrArray *maps = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	/* the caller hears of a failure, and says it (REST logs a 500) */
	if (!remsim_server_slotmap_store_write_finish(self->store, result, &error)) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_STORE, "%s",
					error->message);
		return;
	}
	for (guint i = 0; i < maps->len; i++)
		remsim_server_retire_map(self, maps->pdata[i]);
	g_task_return_boolean(task, TRUE);
}

/* unlists @maps at once, then removes them from the database and their banks */
static void
remsim_server_delete_maps(RemsimServer *self, GPtrArray *maps, GTask *task)
{
	g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(RemsimServerStoredMap));

	for (guint i = 0; i < maps->len; i++) {
		RemsimServerSlotmap *map = maps->pdata[i];
		RemsimServerStoredMap row = { map->bank, map->client };

		g_array_append_val(rows, row);
		remsim_server_unlist_map(self, map);
	}
	g_task_set_task_data(task, maps, (GDestroyNotify)g_ptr_array_unref);
	remsim_server_slotmap_store_write_async(self->store, NULL,
						(RemsimServerStoredMap *)rows->data, rows->len,
						NULL, remsim_server_delete_stored_ready, task);
}

void
remsim_server_delete_slotmap_async(RemsimServer *self, guint32 id, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimServerSlotmap *map = g_hash_table_lookup(self->map_by_bank, GUINT_TO_POINTER(id));
	GPtrArray *maps;

	if (!map || !map->stored) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND,
					"no slot map with id %u (bank slot B%u:%u)", id, id >> 16,
					id & 0xffff);
		g_object_unref(task);
		return;
	}
	maps = g_ptr_array_new_with_free_func((GDestroyNotify)remsim_server_slotmap_unref);
	g_ptr_array_add(maps, remsim_server_slotmap_ref(map));
	remsim_server_delete_maps(self, maps, task);
}

void
remsim_server_global_reset_async(RemsimServer *self, GCancellable *cancellable,
				 GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	GPtrArray *maps =
	    g_ptr_array_new_with_free_func((GDestroyNotify)remsim_server_slotmap_unref);

	g_task_set_source_tag(task, remsim_server_global_reset_async);
	for (GList *l = self->maps.head; l; l = l->next)
		if (((RemsimServerSlotmap *)l->data)->stored)
			g_ptr_array_add(maps, remsim_server_slotmap_ref(l->data));
	remsim_log_message(&self->log, "global reset: deleting %u slot maps", maps->len);
	remsim_server_delete_maps(self, maps, task);
}

gboolean
remsim_server_delete_slotmap_finish(RemsimServer *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
remsim_server_global_reset_finish(RemsimServer *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

RemsimServerInventory *
remsim_server_get_inventory(RemsimServer *self)
{
	return self->inventory;
}

/* ---- by ICCID ---- */

static void
remsim_server_create_by_iccid_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GTask) task = data;
	GError *error = NULL;
	RemsimServerSlotmap *map =
	    remsim_server_create_slotmap_finish(REMSIM_SERVER(source), result, &error);

	if (map == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, map, (GDestroyNotify)remsim_server_slotmap_unref);
}

void
remsim_server_create_slotmap_by_iccid_async(RemsimServer *self, const gchar *iccid,
					    const RsproClientSlot *client,
					    GCancellable *cancellable, GAsyncReadyCallback callback,
					    gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimServerBankSlot *slot = remsim_server_inventory_find_iccid(self->inventory, iccid);
	RsproBankSlot bank;

	g_task_set_source_tag(task, remsim_server_create_slotmap_by_iccid_async);
	if (slot == NULL) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND,
					"no bank slot holds a card with ICCID %s", iccid);
		g_object_unref(task);
		return;
	}
	bank.bank_id = slot->bank_id;
	bank.slot_nr = slot->slot_nr;
	remsim_server_create_slotmap_async(self, &bank, client, cancellable,
					   remsim_server_create_by_iccid_ready, task);
}

RemsimServerSlotmap *
remsim_server_create_slotmap_by_iccid_finish(RemsimServer *self, GAsyncResult *result,
					     GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- card resets through a remsim bank ---- */

#define REMSIM_SERVER_RESET_TIMEOUT_MS 15000

static gboolean
remsim_server_reset_timeout_cb(gpointer data)
{
	GTask *task = data;
	RemsimServer *self = g_task_get_source_object(task);
	guint tag = GPOINTER_TO_UINT(g_task_get_task_data(task));

	if (g_hash_table_steal(self->resets, GUINT_TO_POINTER(tag))) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_TIMEOUT,
					"the bank did not answer the reset in time");
		g_object_unref(task);
	}
	return G_SOURCE_REMOVE;
}

void
remsim_server_reset_card_async(RemsimServer *self, const RsproBankSlot *bank,
			       GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimServerPeer *peer = remsim_server_find_bank(self, bank->bank_id);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GBytes) payload = NULL;
	guint tag;

	g_task_set_source_tag(task, remsim_server_reset_card_async);
	if (peer == NULL) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND,
					"bank %u is not connected", bank->bank_id);
		g_object_unref(task);
		return;
	}
	if (!remsim_server_peer_get_remsim_ext(peer)) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_UNSUPPORTED,
					"bank %u cannot reset cards for the server (not a "
					"remsim-bankd)",
					bank->bank_id);
		g_object_unref(task);
		return;
	}
	tag = ++self->reset_tag;
	text = g_strdup_printf("{\"reset-card\":{\"slot\":%u,\"tag\":%u}}", bank->slot_nr, tag);
	payload = g_bytes_new_take(text, strlen(text));
	text = NULL;
	if (!rspro_connection_send_remsim(remsim_server_peer_get_connection(peer), payload,
					  &error)) {
		g_task_return_new_error(task, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_FAILED,
					"cannot ask bank %u: %s", bank->bank_id, error->message);
		g_object_unref(task);
		return;
	}
	g_task_set_task_data(task, GUINT_TO_POINTER(tag), NULL);
	g_hash_table_insert(self->resets, GUINT_TO_POINTER(tag), task);
	g_timeout_add_full(G_PRIORITY_DEFAULT, REMSIM_SERVER_RESET_TIMEOUT_MS,
			   remsim_server_reset_timeout_cb, g_object_ref(task), g_object_unref);
}

gboolean
remsim_server_reset_card_finish(RemsimServer *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}
