/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "remsim-server-peer.h"

/* what upstream's server tells clients when it does not know the bank's port */
#define BANKD_DEFAULT_PORT 9999

struct _RemsimServerPeer {
	GObject parent_instance;
	RsproConnection *conn;
	RemsimServerPeerState state;
	RsproComponentIdentity identity;
	gchar *id;
	RemsimLogTag log;
	guint16 bank_id;
	guint16 number_of_slots;
	gboolean has_bound;
	RsproIpPort bound;
	RsproClientSlot client_slot;
	RemsimServerClientConfig client_config;
	guint close_timer;
	gboolean remsim_ext; /* told it takes remsim's own messages */
};

G_DEFINE_FINAL_TYPE(RemsimServerPeer, remsim_server_peer, G_TYPE_OBJECT)

static void
remsim_server_peer_dispose(GObject *object)
{
	RemsimServerPeer *self = REMSIM_SERVER_PEER(object);

	g_clear_handle_id(&self->close_timer, g_source_remove);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(remsim_server_peer_parent_class)->dispose(object);
}

static void
remsim_server_peer_finalize(GObject *object)
{
	RemsimServerPeer *self = REMSIM_SERVER_PEER(object);

	rspro_component_identity_clear(&self->identity);
	g_free(self->id);
	G_OBJECT_CLASS(remsim_server_peer_parent_class)->finalize(object);
}

static void
remsim_server_peer_class_init(RemsimServerPeerClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_peer_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_server_peer_finalize;
}

static void
remsim_server_peer_init(RemsimServerPeer *self)
{
	self->state = REMSIM_SERVER_PEER_ESTABLISHED;
}

RemsimServerPeer *
remsim_server_peer_new(RsproConnection *conn)
{
	RemsimServerPeer *self = g_object_new(REMSIM_TYPE_SERVER_PEER, NULL);

	self->conn = g_object_ref(conn);
	{
		g_autofree gchar *name =
		    g_strdup_printf("peer %s", rspro_connection_get_peer_name(conn));

		remsim_log_tag_set_name(&self->log, name);
	}
	return self;
}

RsproConnection *
remsim_server_peer_get_connection(RemsimServerPeer *self)
{
	return self->conn;
}

RemsimServerPeerState
remsim_server_peer_get_state(RemsimServerPeer *self)
{
	return self->state;
}

const gchar *
remsim_server_peer_state_to_string(RemsimServerPeerState state)
{
	switch (state) {
	case REMSIM_SERVER_PEER_ESTABLISHED:
		return "ESTABLISHED";
	case REMSIM_SERVER_PEER_CONNECTED_CLIENT:
		return "CONNECTED_CLIENT";
	case REMSIM_SERVER_PEER_CONNECTED_BANKD:
		return "CONNECTED_BANKD";
	case REMSIM_SERVER_PEER_REJECTED:
		return "REJECTED";
	}
	return "UNKNOWN";
}

static gboolean
remsim_server_peer_close_timeout_cb(gpointer data)
{
	RemsimServerPeer *self = data;

	self->close_timer = 0;
	if (self->conn)
		rspro_connection_close(self->conn);
	return G_SOURCE_REMOVE;
}

void
remsim_server_peer_close_after(RemsimServerPeer *self, guint ms)
{
	g_clear_handle_id(&self->close_timer, g_source_remove);
	self->close_timer = g_timeout_add(ms, remsim_server_peer_close_timeout_cb, self);
}

void
remsim_server_peer_reject(RemsimServerPeer *self)
{
	self->state = REMSIM_SERVER_PEER_REJECTED;
	/* upstream lingers a second so that the answer reaches the peer */
	remsim_server_peer_close_after(self, 1000);
}

void
remsim_server_peer_set_bank(RemsimServerPeer *self, const RsproConnectBankReq *req)
{
	g_clear_handle_id(&self->close_timer, g_source_remove);
	self->state = REMSIM_SERVER_PEER_CONNECTED_BANKD;
	rspro_component_identity_clear(&self->identity);
	rspro_component_identity_copy(&self->identity, &req->identity);
	self->bank_id = req->bank_id;
	self->number_of_slots = req->number_of_slots;
	self->has_bound = req->has_bound;
	self->bound = req->bound;
	g_free(self->id);
	self->id = g_strdup_printf("B%u", req->bank_id);
	remsim_log_tag_set_bank(&self->log, req->bank_id);
}

void
remsim_server_peer_set_client(RemsimServerPeer *self, const RsproConnectClientReq *req)
{
	g_clear_handle_id(&self->close_timer, g_source_remove);
	self->state = REMSIM_SERVER_PEER_CONNECTED_CLIENT;
	rspro_component_identity_clear(&self->identity);
	rspro_component_identity_copy(&self->identity, &req->identity);
	self->client_slot = req->client_slot;
	memset(&self->client_config, 0, sizeof(self->client_config));
	g_free(self->id);
	self->id = g_strdup_printf("C%u:%u", req->client_slot.client_id, req->client_slot.slot_nr);
	remsim_log_tag_set_client(&self->log, req->client_slot.client_id, req->client_slot.slot_nr);
}

const RemsimLogTag *
remsim_server_peer_get_log_tag(RemsimServerPeer *self)
{
	return &self->log;
}

const RsproComponentIdentity *
remsim_server_peer_get_identity(RemsimServerPeer *self)
{
	return &self->identity;
}

guint16
remsim_server_peer_get_bank_id(RemsimServerPeer *self)
{
	return self->bank_id;
}

guint16
remsim_server_peer_get_number_of_slots(RemsimServerPeer *self)
{
	return self->number_of_slots;
}

const RsproClientSlot *
remsim_server_peer_get_client_slot(RemsimServerPeer *self)
{
	return &self->client_slot;
}

const gchar *
remsim_server_peer_get_id(RemsimServerPeer *self)
{
	return self->id ? self->id : rspro_connection_get_peer_name(self->conn);
}

static gboolean
remsim_server_peer_ip_is_unspecified(const RsproIpPort *ip)
{
	static const guint8 zero[16];

	return memcmp(ip->addr, zero, ip->is_ipv6 ? 16 : 4) == 0;
}

static void
remsim_server_peer_address(RemsimServerPeer *self, RsproIpPort *out)
{
	GInetSocketAddress *sa = rspro_connection_get_remote_address(self->conn);
	GInetAddress *addr = sa ? g_inet_socket_address_get_address(sa) : NULL;
	const guint8 *bytes;

	memset(out, 0, sizeof(*out));
	if (!addr)
		return;
	bytes = g_inet_address_to_bytes(addr);
	if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV4) {
		memcpy(out->addr, bytes, 4);
	} else if (memcmp(bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		/* an IPv4 peer on a dual-stack socket */
		memcpy(out->addr, bytes + 12, 4);
	} else {
		out->is_ipv6 = TRUE;
		memcpy(out->addr, bytes, 16);
	}
}

void
remsim_server_peer_get_bankd_endpoint(RemsimServerPeer *self, RsproIpPort *endpoint)
{
	if (self->has_bound && !remsim_server_peer_ip_is_unspecified(&self->bound))
		*endpoint = self->bound;
	else
		remsim_server_peer_address(self, endpoint);
	endpoint->port =
	    self->has_bound && self->bound.port ? self->bound.port : BANKD_DEFAULT_PORT;
}

gboolean
remsim_server_peer_update_client_config(RemsimServerPeer *self, const RemsimServerClientConfig *cfg)
{
	RemsimServerClientConfig *cur = &self->client_config;

	if (cur->bank.bank_id == cfg->bank.bank_id && cur->bank.slot_nr == cfg->bank.slot_nr &&
	    cur->bankd.is_ipv6 == cfg->bankd.is_ipv6 && cur->bankd.port == cfg->bankd.port &&
	    memcmp(cur->bankd.addr, cfg->bankd.addr, 16) == 0)
		return FALSE;
	*cur = *cfg;
	return TRUE;
}

static void
remsim_server_peer_add_string(JsonBuilder *b, const gchar *key, const gchar *value,
			      gboolean optional)
{
	if (optional && (!value || !*value))
		return;
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, value ? value : "");
}

static void
remsim_server_peer_add_identity(JsonBuilder *b, const RsproComponentIdentity *id)
{
	json_builder_begin_object(b);
	remsim_server_peer_add_string(b, "type_", rspro_enum_component_type_to_string(id->type),
				      FALSE);
	remsim_server_peer_add_string(b, "name", id->name, FALSE);
	remsim_server_peer_add_string(b, "software", id->software, FALSE);
	remsim_server_peer_add_string(b, "swVersion", id->sw_version, FALSE);
	remsim_server_peer_add_string(b, "hwManufacturer", id->hw_manufacturer, TRUE);
	remsim_server_peer_add_string(b, "hwModel", id->hw_model, TRUE);
	remsim_server_peer_add_string(b, "hwSerialNr", id->hw_serial_nr, TRUE);
	remsim_server_peer_add_string(b, "hwVersion", id->hw_version, TRUE);
	remsim_server_peer_add_string(b, "fwVersion", id->fw_version, TRUE);
	json_builder_end_object(b);
}

JsonNode *
remsim_server_peer_to_json(RemsimServerPeer *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	remsim_server_peer_add_string(b, "peer", remsim_server_peer_get_id(self), FALSE);
	remsim_server_peer_add_string(b, "state", remsim_server_peer_state_to_string(self->state),
				      FALSE);
	json_builder_set_member_name(b, "component_id");
	remsim_server_peer_add_identity(b, &self->identity);
	if (self->state == REMSIM_SERVER_PEER_CONNECTED_BANKD) {
		json_builder_set_member_name(b, "bankId");
		json_builder_add_int_value(b, self->bank_id);
		json_builder_set_member_name(b, "numberOfSlots");
		json_builder_add_int_value(b, self->number_of_slots);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* a remsim-bankd announces its endpoint; upstream's bank never does */
gboolean
remsim_server_peer_is_remsim_bank(RemsimServerPeer *self, const RsproConnectBankReq *req)
{
	return req->has_bound && g_strcmp0(req->identity.software, "remsim-bankd") == 0;
}

void
remsim_server_peer_set_remsim_ext(RemsimServerPeer *self, gboolean remsim_ext)
{
	self->remsim_ext = remsim_ext;
}

gboolean
remsim_server_peer_get_remsim_ext(RemsimServerPeer *self)
{
	return self->remsim_ext;
}
