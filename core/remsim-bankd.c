/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-bankd.h"
#include "remsim-tls.h"
#include "remsim-bankd-report.h"
#include "remsim-bankd-slot-map.h"
#include "remsim-log.h"
#include "remsim-reload.h"
#include "rspro-listener.h"

struct _RemsimBankd {
	GObject parent_instance;
	RemsimBankdConfig *config; /* borrowed; run-time keys are updated in place */
	RemsimBankdPluginLoader *loader;
	RsproComponentIdentity identity;
	RemsimLogTag log; /* [bank B] */
	RemsimBackend *backend;
	RemsimBankdSlotMap *map;
	GPtrArray *slots;   /* RemsimBankdSlot, index = bank slot nr */
	GPtrArray *pending; /* RemsimBankdClientConn not yet identified, or waiting for a map */
	RemsimBankdGsmtap *gsmtap;
	RsproListener *listener;
	RsproLink *link;
	RsproListenerTls tls_mode; /* the client port's */
	GTlsCertificate *tls_cert; /* the bank's, or NULL */
	GTlsDatabase *tls_ca;	   /* or NULL: the system's */
	RemsimBankdReport *report;
	guint64 server_connects;
};

G_DEFINE_TYPE(RemsimBankd, remsim_bankd, G_TYPE_OBJECT)

enum { SIGNAL_SERVER_STATE_CHANGED, N_SIGNALS };
static guint remsim_bankd_signals[N_SIGNALS];

static void
remsim_bankd_dispose(GObject *object)
{
	RemsimBankd *self = REMSIM_BANKD(object);

	g_clear_object(&self->report);
	if (self->link != NULL) {
		g_signal_handlers_disconnect_by_data(self->link, self);
		rspro_link_stop(self->link);
	}
	g_clear_object(&self->link);
	if (self->listener != NULL) {
		g_signal_handlers_disconnect_by_data(self->listener, self);
		rspro_listener_close(self->listener);
	}
	g_clear_object(&self->tls_cert);
	g_clear_object(&self->tls_ca);
	g_clear_object(&self->listener);
	g_clear_pointer(&self->pending, g_ptr_array_unref);
	g_clear_pointer(&self->slots, g_ptr_array_unref);
	if (self->backend != NULL)
		g_signal_handlers_disconnect_by_data(self->backend, self);
	g_clear_object(&self->backend);
	g_clear_object(&self->map);
	g_clear_object(&self->gsmtap);
	g_clear_object(&self->loader);
	G_OBJECT_CLASS(remsim_bankd_parent_class)->dispose(object);
}

static void
remsim_bankd_finalize(GObject *object)
{
	RemsimBankd *self = REMSIM_BANKD(object);

	rspro_component_identity_clear(&self->identity);
	G_OBJECT_CLASS(remsim_bankd_parent_class)->finalize(object);
}

static void
remsim_bankd_class_init(RemsimBankdClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_bankd_dispose;
	object_class->finalize = remsim_bankd_finalize;
	remsim_bankd_signals[SIGNAL_SERVER_STATE_CHANGED] =
	    g_signal_new("server-state-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
			 NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
remsim_bankd_init(RemsimBankd *self)
{
}

RemsimBankd *
remsim_bankd_new(RemsimBankdConfig *config, RemsimBankdPluginLoader *loader)
{
	RemsimBankd *self = g_object_new(REMSIM_TYPE_BANKD, NULL);

	self->config = config;
	self->loader = g_object_ref(loader);
	remsim_log_tag_set_bank(&self->log, config->bank_id);
	rspro_component_identity_init(&self->identity, RSPRO_COMPONENT_BANKD,
				      config->component_name, "remsim-bankd");
	return self;
}

/* --- server side: mappings --- */

static void
remsim_bankd_send_to_server(RemsimBankd *self, const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;

	if (rspro_link_get_state(self->link) != RSPRO_LINK_STATE_CONNECTED)
		return;
	if (!rspro_link_send(self->link, pdu, &error))
		remsim_log_message(&self->log, "cannot send %s to the server: %s",
				   rspro_msg_type_to_string(pdu->type), error->message);
}

static void
remsim_bankd_answer(RemsimBankd *self, RsproMsgType type, gint result)
{
	g_autoptr(RsproPdu) res = rspro_pdu_new_result(type, result);

	remsim_bankd_send_to_server(self, res);
}

static gint
remsim_bankd_check_bank_slot(RemsimBankd *self, const RsproBankSlot *bank)
{
	if (bank->bank_id != self->config->bank_id)
		return RSPRO_RESULT_ILLEGAL_BANK_ID;
	if (bank->slot_nr >= self->config->num_slots)
		return RSPRO_RESULT_ILLEGAL_SLOT_ID;
	return RSPRO_RESULT_OK;
}

static void remsim_bankd_attach(RemsimBankd *self, RemsimBankdClientConn *client, guint nr);

/* clients that connected before a map named their client slot: they get their card now */
static void
remsim_bankd_attach_waiting(RemsimBankd *self, const RsproClientSlot *client_slot, guint nr)
{
	g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func(g_object_unref);

	for (guint i = 0; i < self->pending->len; i++) {
		RemsimBankdClientConn *client = self->pending->pdata[i];
		const RsproClientSlot *slot = remsim_bankd_client_conn_get_client_slot(client);

		if (remsim_bankd_client_conn_is_answered(client) &&
		    !remsim_bankd_client_conn_is_closed(client) &&
		    slot->client_id == client_slot->client_id &&
		    slot->slot_nr == client_slot->slot_nr)
			g_ptr_array_add(waiting, g_object_ref(client));
	}
	/* in the order they came: the newest is the one that stays */
	for (guint i = 0; i < waiting->len; i++)
		remsim_bankd_attach(self, waiting->pdata[i], nr);
}

static gint
remsim_bankd_create_mapping(RemsimBankd *self, const RsproMappingReq *req)
{
	g_autoptr(GArray) unmapped = g_array_new(FALSE, FALSE, sizeof(guint));
	gint result = remsim_bankd_check_bank_slot(self, &req->bank);

	if (result != RSPRO_RESULT_OK)
		return result;
	if (!remsim_bankd_slot_map_add(self->map, req->bank.slot_nr, &req->client, unmapped))
		return RSPRO_RESULT_OK;
	for (guint i = 0; i < unmapped->len; i++) {
		guint nr = g_array_index(unmapped, guint, i);

		if (nr != req->bank.slot_nr)
			remsim_bankd_slot_unmap(self->slots->pdata[nr]);
	}
	remsim_bankd_slot_map(self->slots->pdata[req->bank.slot_nr], &req->client);
	remsim_log_info(remsim_bankd_slot_get_log_tag(self->slots->pdata[req->bank.slot_nr]),
			"mapped to client %u:%u", req->client.client_id, req->client.slot_nr);
	remsim_bankd_attach_waiting(self, &req->client, req->bank.slot_nr);
	return RSPRO_RESULT_OK;
}

static gint
remsim_bankd_remove_mapping(RemsimBankd *self, const RsproMappingReq *req)
{
	RsproClientSlot client;
	gint result = remsim_bankd_check_bank_slot(self, &req->bank);

	if (result != RSPRO_RESULT_OK)
		return result;
	if (!remsim_bankd_slot_map_get_client(self->map, req->bank.slot_nr, &client) ||
	    client.client_id != req->client.client_id || client.slot_nr != req->client.slot_nr)
		return RSPRO_RESULT_UNKNOWN_SLOTMAP;
	remsim_bankd_slot_map_remove(self->map, req->bank.slot_nr);
	remsim_bankd_slot_unmap(self->slots->pdata[req->bank.slot_nr]);
	remsim_log_info(remsim_bankd_slot_get_log_tag(self->slots->pdata[req->bank.slot_nr]),
			"unmapped");
	return RSPRO_RESULT_OK;
}

static void
remsim_bankd_reset_state(RemsimBankd *self)
{
	remsim_bankd_slot_map_clear(self->map);
	for (guint i = 0; i < self->slots->len; i++)
		remsim_bankd_slot_unmap(self->slots->pdata[i]);
	remsim_log_info(&self->log, "all maps removed by the server");
}

static void
remsim_bankd_server_message_cb(RsproLink *link, RsproPdu *pdu, gpointer user_data)
{
	RemsimBankd *self = user_data;

	switch (pdu->type) {
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		remsim_bankd_answer(self, RSPRO_MSG_CREATE_MAPPING_RES,
				    remsim_bankd_create_mapping(self, &pdu->u.create_mapping_req));
		break;
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		remsim_bankd_answer(self, RSPRO_MSG_REMOVE_MAPPING_RES,
				    remsim_bankd_remove_mapping(self, &pdu->u.remove_mapping_req));
		break;
	case RSPRO_MSG_RESET_STATE_REQ:
		remsim_bankd_reset_state(self);
		remsim_bankd_answer(self, RSPRO_MSG_RESET_STATE_RES, RSPRO_RESULT_OK);
		break;
	default:
		remsim_log_message(&self->log, "ignoring %s from the server",
				   rspro_msg_type_to_string(pdu->type));
	}
}

static void
remsim_bankd_link_state_cb(GObject *link, GParamSpec *pspec, gpointer user_data)
{
	RemsimBankd *self = user_data;

	remsim_log_info(&self->log, "server link: state %d", rspro_link_get_state(self->link));
	g_signal_emit(self, remsim_bankd_signals[SIGNAL_SERVER_STATE_CHANGED], 0);
}

static void
remsim_bankd_link_connected_cb(RsproLink *link, RsproConnection *conn, gpointer user_data)
{
	RemsimBankd *self = user_data;

	self->server_connects++;
	remsim_log_message(&self->log, "connected to the server %s",
			   rspro_connection_get_peer_name(conn));
}

static void
remsim_bankd_link_disconnected_cb(RsproLink *link, GError *reason, gpointer user_data)
{
	RemsimBankd *self = user_data;

	/* the relay goes on without the server: maps stay as they are */
	remsim_log_message(&self->log, "lost the server: %s",
			   reason != NULL ? reason->message : "-");
}

/*
 * Always tell the server where clients reach us (ConnectBankReq.bound): the
 * advertised endpoint if configured, else the address and port actually bound.
 * An unspecified address (0.0.0.0) tells the server to use our peer address, so
 * a bank on a non-default or ephemeral port still gets its clients; upstream
 * servers skip the element.
 */
static gboolean
remsim_bankd_fill_bound(RemsimBankd *self, RsproConnectBankReq *req, GError **error)
{
	const RemsimBankdConfig *config = self->config;
	const gchar *ip = config->advertise_host;
	guint16 port = config->advertise_port;

	if (ip == NULL) {
		ip = config->bind_ip != NULL && *config->bind_ip != '\0' ? config->bind_ip
									 : "0.0.0.0";
		port = rspro_listener_get_port(self->listener);
	}
	if (rspro_ip_port_from_string(&req->bound, ip, port)) {
		req->has_bound = TRUE;
		return TRUE;
	}
	if (config->advertise_host != NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--advertise: “%s” is not an IP address"), config->advertise_host);
		return FALSE;
	}
	/* a bind address given as a host name: let the server use our peer address */
	req->has_bound = rspro_ip_port_from_string(&req->bound, "0.0.0.0", port);
	return TRUE;
}

static gboolean
remsim_bankd_start_link(RemsimBankd *self, GError **error)
{
	const RemsimBankdConfig *config = self->config;
	g_autoptr(RsproPdu) hello =
	    rspro_pdu_new_connect_bank_req(&self->identity, config->bank_id, config->num_slots);

	if (!remsim_bankd_fill_bound(self, &hello->u.connect_bank_req, error))
		return FALSE;
	self->link = rspro_link_new(hello, RSPRO_COMPONENT_SERVER);
	rspro_link_set_target(self->link, config->server_host, config->server_port);
	rspro_link_set_keepalive(self->link, RSPRO_KEEPALIVE_INTERVAL_MS,
				 RSPRO_KEEPALIVE_TIMEOUT_MS);
	rspro_link_set_backoff_scale(self->link, config->backoff_scale);
	rspro_link_set_tls(self->link, config->server_tls, self->tls_cert, self->tls_ca);
	g_signal_connect(self->link, "message", G_CALLBACK(remsim_bankd_server_message_cb), self);
	g_signal_connect(self->link, "connected", G_CALLBACK(remsim_bankd_link_connected_cb), self);
	g_signal_connect(self->link, "disconnected", G_CALLBACK(remsim_bankd_link_disconnected_cb),
			 self);
	g_signal_connect(self->link, "notify::state", G_CALLBACK(remsim_bankd_link_state_cb), self);
	self->report = remsim_bankd_report_new(self->link, self->slots);
	rspro_link_start(self->link);
	return TRUE;
}

/* --- client side --- */

/* @client's client slot is mapped onto bank slot @nr: the slot takes it over */
static void
remsim_bankd_attach(RemsimBankd *self, RemsimBankdClientConn *client, guint nr)
{
	g_signal_handlers_disconnect_by_data(client, self);
	remsim_bankd_slot_attach(self->slots->pdata[nr], client);
	g_ptr_array_remove_fast(self->pending, client);
}

static void
remsim_bankd_client_identified_cb(RemsimBankdClientConn *client, gpointer user_data)
{
	RemsimBankd *self = user_data;
	const RsproClientSlot *slot = remsim_bankd_client_conn_get_client_slot(client);
	guint nr;

	if (remsim_bankd_slot_map_find_client(self->map, slot, &nr)) {
		remsim_bankd_attach(self, client, nr);
		return;
	}
	/*
	 * As upstream: no map yet is "card not present", and the client may stay
	 * until a map for its client slot comes (it stays pending until then)
	 */
	remsim_log_message(remsim_bankd_client_conn_get_log_tag(client),
			   "no bank slot mapped to client %u:%u yet; it waits for a map",
			   slot->client_id, slot->slot_nr);
	remsim_bankd_client_conn_answer_no_card(client);
}

/* a client waiting for its map: upstream's worker takes only what needs no card */
static void
remsim_bankd_client_pdu_cb(RemsimBankdClientConn *client, RsproPdu *pdu, gpointer user_data)
{
	if (pdu->type == RSPRO_MSG_CLIENT_SLOT_STATUS_IND || pdu->type == RSPRO_MSG_SET_ATR_RES)
		return;
	remsim_log_message(remsim_bankd_client_conn_get_log_tag(client),
			   "%s without a mapped bank slot, closing",
			   rspro_msg_type_to_string(pdu->type));
	remsim_bankd_client_conn_close(client);
}

static void
remsim_bankd_client_closed_cb(RemsimBankdClientConn *client, gpointer user_data)
{
	RemsimBankd *self = user_data;

	g_signal_handlers_disconnect_by_data(client, self);
	g_ptr_array_remove_fast(self->pending, client);
}

static void
remsim_bankd_connection_cb(RsproListener *listener, RsproConnection *conn, gpointer user_data)
{
	RemsimBankd *self = user_data;
	RemsimBankdClientConn *client = remsim_bankd_client_conn_new(conn, &self->identity);

	remsim_bankd_client_conn_set_require_certificate(
	    client, self->config->tls_require_peer_certificate);

	remsim_log_debug(&self->log, "client %s connected", rspro_connection_get_peer_name(conn));
	g_signal_connect(client, "identified", G_CALLBACK(remsim_bankd_client_identified_cb), self);
	g_signal_connect(client, "pdu", G_CALLBACK(remsim_bankd_client_pdu_cb), self);
	g_signal_connect(client, "closed", G_CALLBACK(remsim_bankd_client_closed_cb), self);
	g_ptr_array_add(self->pending, client);
}

static gboolean
remsim_bankd_write_port_file(RemsimBankd *self, GError **error)
{
	g_autofree gchar *text = g_strdup_printf("%u\n", remsim_bankd_get_port(self));

	if (self->config->port_file == NULL)
		return TRUE;
	if (!g_file_set_contents(self->config->port_file, text, -1, error)) {
		g_prefix_error(error, "%s: ", self->config->port_file);
		return FALSE;
	}
	return TRUE;
}

/* the bank's certificate and CA, for its client port and its link to the server */
static gboolean
remsim_bankd_load_tls(RemsimBankd *self, GError **error)
{
	const RemsimBankdConfig *config = self->config;

	if (!remsim_tls_load_listener(config->tls, config->tls_cert_file, config->tls_key_file,
				      config->tls_ca_file, config->tls_require_peer_certificate,
				      &self->tls_mode, &self->tls_cert, &self->tls_ca, error))
		return FALSE;
	/* the link presents the certificate and checks the server even with tls=off */
	if (self->tls_mode == RSPRO_LISTENER_TLS_OFF &&
	    !remsim_tls_load_files(config->tls_cert_file, config->tls_key_file, config->tls_ca_file,
				   &self->tls_cert, &self->tls_ca, error))
		return FALSE;
	if (config->server_tls && !remsim_tls_check_backend(error))
		return FALSE;
	if (self->tls_mode != RSPRO_LISTENER_TLS_OFF || config->server_tls)
		remsim_log_message(
		    &self->log, "TLS: client port %s%s, server link %s", config->tls,
		    config->tls_require_peer_certificate ? " (client certificates required)" : "",
		    config->server_tls ? "on" : "off");
	return TRUE;
}

static gboolean
remsim_bankd_start_listener(RemsimBankd *self, GError **error)
{
	if (!remsim_bankd_load_tls(self, error))
		return FALSE;
	self->listener = rspro_listener_new();
	rspro_listener_set_tls(self->listener, self->tls_mode, self->tls_cert, self->tls_ca,
			       self->config->tls_require_peer_certificate);
	/* the client pings; the bank only answers (upstream) */
	rspro_listener_set_keepalive(self->listener, 0, 0);
	rspro_listener_set_limits(self->listener, self->config->max_connections,
				  self->config->max_connections_per_address);
	g_signal_connect(self->listener, "connection", G_CALLBACK(remsim_bankd_connection_cb),
			 self);
	if (!rspro_listener_listen(self->listener, self->config->bind_ip, self->config->bind_port,
				   error)) {
		g_prefix_error(error, _("cannot listen for clients on port %u: "),
			       self->config->bind_port);
		return FALSE;
	}
	remsim_log_message(&self->log, "waiting for clients on port %u",
			   rspro_listener_get_port(self->listener));
	return remsim_bankd_write_port_file(self, error);
}

/* --- backend and slots --- */

static void
remsim_bankd_slot_added_cb(RemsimBackend *backend, RemsimCardSlot *card, gpointer user_data)
{
	RemsimBankd *self = user_data;
	guint nr = remsim_card_slot_get_index(card);

	if (nr < self->slots->len)
		remsim_bankd_slot_set_card(self->slots->pdata[nr], card);
}

static void
remsim_bankd_slot_removed_cb(RemsimBackend *backend, RemsimCardSlot *card, gpointer user_data)
{
	RemsimBankd *self = user_data;
	guint nr = remsim_card_slot_get_index(card);

	if (nr < self->slots->len && remsim_bankd_slot_get_card(self->slots->pdata[nr]) == card)
		remsim_bankd_slot_set_card(self->slots->pdata[nr], NULL);
}

static gboolean
remsim_bankd_create_backend(RemsimBankd *self, GError **error)
{
	const RemsimBankdConfig *config = self->config;
	GType type = remsim_bankd_plugin_loader_lookup(self->loader, config->backend);
	g_autoptr(GPtrArray) cards = NULL;

	if (type == G_TYPE_INVALID) {
		g_auto(GStrv) names = remsim_bankd_plugin_loader_list(self->loader);
		g_autofree gchar *list = g_strjoinv(", ", names);

		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    _("no backend “%s” (available: %s)"), config->backend,
			    list[0] != '\0' ? list : _("none"));
		return FALSE;
	}
	if (!remsim_bankd_config_check_backend_groups(config, self->loader, error))
		return FALSE;
	self->backend = g_object_new(type, NULL);
	/* backends see the settings in force, command line included (the pcsc
	 * backend picks its CSV rows by bank id) */
	g_key_file_set_integer(config->keyfile, REMSIM_BANKD_GROUP, "bank-id", config->bank_id);
	g_key_file_set_integer(config->keyfile, REMSIM_BANKD_GROUP, "num-slots", config->num_slots);
	g_key_file_set_boolean(config->keyfile, REMSIM_BANKD_GROUP, "log-personal-info",
			       remsim_log_get_personal_info());
	if (!remsim_backend_configure(self->backend, config->keyfile, config->backend, error)) {
		remsim_config_prefix_error(config->file, error, NULL, NULL);
		return FALSE;
	}
	g_signal_connect(self->backend, "slot-added", G_CALLBACK(remsim_bankd_slot_added_cb), self);
	g_signal_connect(self->backend, "slot-removed", G_CALLBACK(remsim_bankd_slot_removed_cb),
			 self);
	cards = remsim_backend_enumerate(self->backend);
	for (guint i = 0; i < cards->len; i++)
		remsim_bankd_slot_added_cb(self->backend, cards->pdata[i], self);
	if (cards->len < config->num_slots)
		remsim_log_message(&self->log, "backend “%s” has %u card slots for %u bank slots",
				   config->backend, cards->len, config->num_slots);
	return TRUE;
}

static void
remsim_bankd_create_slots(RemsimBankd *self)
{
	const RemsimBankdConfig *config = self->config;
	RemsimPowerOnFlags flags = config->shared ? REMSIM_POWER_ON_SHARED : REMSIM_POWER_ON_NONE;

	self->map = remsim_bankd_slot_map_new(config->num_slots);
	self->slots = g_ptr_array_new_with_free_func(g_object_unref);
	self->pending = g_ptr_array_new_with_free_func(g_object_unref);
	if (config->gsmtap_ip != NULL && config->gsmtap_ip[0] != '\0')
		self->gsmtap = remsim_bankd_gsmtap_new(config->gsmtap_ip, config->gsmtap_port,
						       config->gsmtap_slot);
	for (guint i = 0; i < config->num_slots; i++) {
		RemsimBankdSlot *slot = remsim_bankd_slot_new(config->bank_id, i, flags);

		remsim_bankd_slot_set_gsmtap(slot, self->gsmtap);
		remsim_bankd_slot_set_inventory(slot, config->inventory, config->inventory_pins);
		g_ptr_array_add(self->slots, slot);
	}
}

gboolean
remsim_bankd_start(RemsimBankd *self, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_BANKD(self), FALSE);

	remsim_bankd_create_slots(self);
	return remsim_bankd_create_backend(self, error) &&
	       remsim_bankd_start_listener(self, error) && remsim_bankd_start_link(self, error);
}

/* --- reload --- */

/*
 * The keys of [bankd] a reload puts in force (the bank dials the server again),
 * and plugin-dir, which REMSIM_PLUGIN_DIR may override: compared as in force
 */
static const gchar *const remsim_bankd_reload_own_keys[] = {
	"server-host", "server-port", "advertise", "backoff-scale", "plugin-dir", NULL,
};

static void
remsim_bankd_note(GPtrArray *keys, const gchar *key, gboolean differs)
{
	if (differs)
		remsim_reload_note(keys, NULL, key);
}

/* every key of @group in either file whose value differs, as "[group] key" */
static void
remsim_bankd_compare_group(GKeyFile *now, GKeyFile *next, const gchar *group, GPtrArray *keys)
{
	g_auto(GStrv) keys_now = g_key_file_get_keys(now, group, NULL, NULL);
	g_auto(GStrv) keys_next = g_key_file_get_keys(next, group, NULL, NULL);
	GStrv lists[] = { keys_now, keys_next };

	for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
		for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
			const gchar *key = lists[l][i];
			g_autofree gchar *a = g_key_file_get_value(now, group, key, NULL);
			g_autofree gchar *b = g_key_file_get_value(next, group, key, NULL);
			g_autofree gchar *name = g_strdup_printf("[%s] %s", group, key);

			/* a key in both lists is named once, from the first */
			if (l == 1 && keys_now != NULL &&
			    g_strv_contains((const gchar *const *)keys_now, key))
				continue;
			remsim_bankd_note(keys, name, g_strcmp0(a, b) != 0);
		}
	}
}

/* the backends' groups (every group but [bankd]): they are read once, at start */
static void
remsim_bankd_compare_backend_groups(GKeyFile *now, GKeyFile *next, GPtrArray *needs_restart)
{
	g_auto(GStrv) groups_now = g_key_file_get_groups(now, NULL);
	g_auto(GStrv) groups_next = g_key_file_get_groups(next, NULL);

	for (guint i = 0; groups_now[i] != NULL; i++) {
		if (g_strcmp0(groups_now[i], REMSIM_BANKD_GROUP) != 0)
			remsim_bankd_compare_group(now, next, groups_now[i], needs_restart);
	}
	for (guint i = 0; groups_next[i] != NULL; i++) {
		if (g_strcmp0(groups_next[i], REMSIM_BANKD_GROUP) != 0 &&
		    !g_strv_contains((const gchar *const *)groups_now, groups_next[i]))
			remsim_bankd_compare_group(now, next, groups_next[i], needs_restart);
	}
}

/* "--KEY: " or "FILE:LINE: [bankd] KEY: " before @error, as where the value came from */
static void
remsim_bankd_prefix_key_error(const RemsimBankdConfig *next, const gchar *key, GError **error)
{
	if (remsim_config_is_option_given(next->file, key)) {
		g_prefix_error(error, "--%s: ", key);
	} else {
		g_prefix_error(error, "[%s] %s: ", REMSIM_BANKD_GROUP, key);
		remsim_config_prefix_error(next->file, error, REMSIM_BANKD_GROUP, key);
	}
}

/* what the parser cannot check alone: the endpoint's address, the backend and its group */
static gboolean
remsim_bankd_check_config(RemsimBankd *self, const RemsimBankdConfig *next, GError **error)
{
	RsproIpPort ip;

	if (next->advertise_host != NULL &&
	    !rspro_ip_port_from_string(&ip, next->advertise_host, next->advertise_port)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("“%s” is not an IP address"), next->advertise_host);
		remsim_bankd_prefix_key_error(next, "advertise", error);
		return FALSE;
	}
	if (remsim_bankd_plugin_loader_lookup(self->loader, next->backend) == G_TYPE_INVALID) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no backend “%s”"),
			    next->backend);
		remsim_bankd_prefix_key_error(next, "backend", error);
		return FALSE;
	}
	/* unknown groups and keys, FILE:LINE as at start */
	return remsim_bankd_config_check_backend_groups(next, self->loader, error);
}

/* take @next's server address, advertised endpoint and back-off, and dial again */
static void
remsim_bankd_apply_link(RemsimBankd *self, RemsimBankdConfig *next, GPtrArray *applied)
{
	RemsimBankdConfig *config = self->config;
	gboolean host = g_strcmp0(next->server_host, config->server_host) != 0;
	gboolean port = next->server_port != config->server_port;
	gboolean advertise = g_strcmp0(next->advertise_host, config->advertise_host) != 0 ||
			     next->advertise_port != config->advertise_port;
	g_autoptr(RsproPdu) hello = NULL;
	g_autoptr(GError) error = NULL;

	if (next->backoff_scale != config->backoff_scale) {
		config->backoff_scale = next->backoff_scale;
		rspro_link_set_backoff_scale(self->link, config->backoff_scale);
		g_ptr_array_add(applied, g_strdup("backoff-scale"));
	}
	if (!host && !port && !advertise)
		return;
	remsim_bankd_note(applied, "server-host", host);
	remsim_bankd_note(applied, "server-port", port);
	remsim_bankd_note(applied, "advertise", advertise);
	g_free(config->server_host);
	config->server_host = g_strdup(next->server_host);
	config->server_port = next->server_port;
	g_free(config->advertise_host);
	config->advertise_host = g_strdup(next->advertise_host);
	config->advertise_port = next->advertise_port;
	hello = rspro_pdu_new_connect_bank_req(&self->identity, config->bank_id, config->num_slots);
	if (!remsim_bankd_fill_bound(self, &hello->u.connect_bank_req, &error))
		remsim_log_message(&self->log, "cannot announce the new endpoint: %s",
				   error->message);
	rspro_link_set_hello(self->link, hello);
	remsim_log_message(&self->log, "dialling the server at %s:%u again", config->server_host,
			   config->server_port);
	if (host || port)
		rspro_link_set_target(self->link, config->server_host, config->server_port);
	else
		rspro_link_start(self->link);
}

gboolean
remsim_bankd_reconfigure(RemsimBankd *self, RemsimBankdConfig *next, GPtrArray *applied,
			 GPtrArray *needs_restart, GError **error)
{
	RemsimBankdConfig *config = self->config;

	g_return_val_if_fail(REMSIM_IS_BANKD(self) && self->link != NULL, FALSE);

	if (!remsim_bankd_check_config(self, next, error))
		return FALSE;
	/* every key of the table but ours against the start (bank-id, bind-port, backend ...) */
	remsim_reload_compare_keys(config->file, next->file, NULL, remsim_bankd_reload_own_keys,
				   needs_restart);
	remsim_bankd_note(needs_restart, "plugin-dir",
			  g_strcmp0(next->plugin_dir, config->plugin_dir) != 0);
	remsim_bankd_compare_backend_groups(config->keyfile, next->keyfile, needs_restart);
	remsim_bankd_apply_link(self, next, applied);
	return TRUE;
}

const RemsimBankdConfig *
remsim_bankd_get_config(RemsimBankd *self)
{
	return self->config;
}

guint16
remsim_bankd_get_bank_id(RemsimBankd *self)
{
	return self->config->bank_id;
}

guint16
remsim_bankd_get_port(RemsimBankd *self)
{
	return self->listener != NULL ? rspro_listener_get_port(self->listener) : 0;
}

RsproLinkState
remsim_bankd_get_server_state(RemsimBankd *self)
{
	return self->link != NULL ? rspro_link_get_state(self->link) : RSPRO_LINK_STATE_IDLE;
}

guint
remsim_bankd_get_n_slots(RemsimBankd *self)
{
	return self->slots != NULL ? self->slots->len : 0;
}

RemsimBankdSlot *
remsim_bankd_get_slot(RemsimBankd *self, guint nr)
{
	g_return_val_if_fail(self->slots != NULL && nr < self->slots->len, NULL);
	return self->slots->pdata[nr];
}

guint64
remsim_bankd_get_server_connects(RemsimBankd *self)
{
	return self->server_connects;
}

gboolean
remsim_bankd_get_remsim_server(RemsimBankd *self)
{
	return self->report != NULL && remsim_bankd_report_is_active(self->report);
}

/* how long a stop waits for the card operations under way */
#define REMSIM_BANKD_STOP_TIMEOUT_MS 5000

static gboolean
remsim_bankd_stop_timeout_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_bankd_busy(RemsimBankd *self)
{
	for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
		if (remsim_bankd_slot_is_busy(self->slots->pdata[i]))
			return TRUE;
	return FALSE;
}

void
remsim_bankd_stop(RemsimBankd *self)
{
	gboolean expired = FALSE;
	guint timeout;

	g_return_if_fail(REMSIM_IS_BANKD(self));

	for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
		remsim_bankd_slot_shutdown(self->slots->pdata[i]);
	if (!remsim_bankd_busy(self))
		return;
	/* a reader thread finishing its command completes on this context */
	timeout =
	    g_timeout_add(REMSIM_BANKD_STOP_TIMEOUT_MS, remsim_bankd_stop_timeout_cb, &expired);
	while (!expired && remsim_bankd_busy(self))
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(timeout);
}
