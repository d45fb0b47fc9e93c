/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "remsim-peer.h"

/* what upstream's server tells clients when it does not know the bank's port */
#define BANKD_DEFAULT_PORT 9999

struct _RemsimPeer {
	GObject parent_instance;
	RsproConnection *conn;
	RemsimPeerState state;
	RsproComponentIdentity identity;
	gchar *id;
	guint16 bank_id;
	guint16 number_of_slots;
	gboolean has_bound;
	RsproIpPort bound;
	RsproClientSlot client_slot;
	RemsimClientConfig client_config;
	guint close_timer;
};

G_DEFINE_FINAL_TYPE(RemsimPeer, remsim_peer, G_TYPE_OBJECT)

static void
peer_dispose(GObject *object)
{
	RemsimPeer *self = REMSIM_PEER(object);

	g_clear_handle_id(&self->close_timer, g_source_remove);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(remsim_peer_parent_class)->dispose(object);
}

static void
peer_finalize(GObject *object)
{
	RemsimPeer *self = REMSIM_PEER(object);

	rspro_component_identity_clear(&self->identity);
	g_free(self->id);
	G_OBJECT_CLASS(remsim_peer_parent_class)->finalize(object);
}

static void
remsim_peer_class_init(RemsimPeerClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = peer_dispose;
	G_OBJECT_CLASS(klass)->finalize = peer_finalize;
}

static void
remsim_peer_init(RemsimPeer *self)
{
	self->state = REMSIM_PEER_ESTABLISHED;
}

RemsimPeer *
remsim_peer_new(RsproConnection *conn)
{
	RemsimPeer *self = g_object_new(REMSIM_TYPE_PEER, NULL);

	self->conn = g_object_ref(conn);
	return self;
}

RsproConnection *
remsim_peer_get_connection(RemsimPeer *self)
{
	return self->conn;
}

RemsimPeerState
remsim_peer_get_state(RemsimPeer *self)
{
	return self->state;
}

const gchar *
remsim_peer_state_to_string(RemsimPeerState state)
{
	switch (state) {
	case REMSIM_PEER_ESTABLISHED:
		return "ESTABLISHED";
	case REMSIM_PEER_CONNECTED_CLIENT:
		return "CONNECTED_CLIENT";
	case REMSIM_PEER_CONNECTED_BANKD:
		return "CONNECTED_BANKD";
	case REMSIM_PEER_REJECTED:
		return "REJECTED";
	}
	return "UNKNOWN";
}

static gboolean
close_timeout(gpointer data)
{
	RemsimPeer *self = data;

	self->close_timer = 0;
	if (self->conn)
		rspro_connection_close(self->conn);
	return G_SOURCE_REMOVE;
}

void
remsim_peer_close_after(RemsimPeer *self, guint ms)
{
	g_clear_handle_id(&self->close_timer, g_source_remove);
	self->close_timer = g_timeout_add(ms, close_timeout, self);
}

void
remsim_peer_reject(RemsimPeer *self)
{
	self->state = REMSIM_PEER_REJECTED;
	/* upstream lingers a second so that the answer reaches the peer */
	remsim_peer_close_after(self, 1000);
}

void
remsim_peer_set_bank(RemsimPeer *self, const RsproConnectBankReq *req)
{
	g_clear_handle_id(&self->close_timer, g_source_remove);
	self->state = REMSIM_PEER_CONNECTED_BANKD;
	rspro_component_identity_clear(&self->identity);
	rspro_component_identity_copy(&self->identity, &req->identity);
	self->bank_id = req->bank_id;
	self->number_of_slots = req->number_of_slots;
	self->has_bound = req->has_bound;
	self->bound = req->bound;
	g_free(self->id);
	self->id = g_strdup_printf("B%u", req->bank_id);
}

void
remsim_peer_set_client(RemsimPeer *self, const RsproConnectClientReq *req)
{
	g_clear_handle_id(&self->close_timer, g_source_remove);
	self->state = REMSIM_PEER_CONNECTED_CLIENT;
	rspro_component_identity_clear(&self->identity);
	rspro_component_identity_copy(&self->identity, &req->identity);
	self->client_slot = req->client_slot;
	memset(&self->client_config, 0, sizeof(self->client_config));
	g_free(self->id);
	self->id = g_strdup_printf("C%u:%u", req->client_slot.client_id, req->client_slot.slot_nr);
}

const RsproComponentIdentity *
remsim_peer_get_identity(RemsimPeer *self)
{
	return &self->identity;
}

guint16
remsim_peer_get_bank_id(RemsimPeer *self)
{
	return self->bank_id;
}

guint16
remsim_peer_get_number_of_slots(RemsimPeer *self)
{
	return self->number_of_slots;
}

const RsproClientSlot *
remsim_peer_get_client_slot(RemsimPeer *self)
{
	return &self->client_slot;
}

const gchar *
remsim_peer_get_id(RemsimPeer *self)
{
	return self->id ? self->id : rspro_connection_get_peer_name(self->conn);
}

static gboolean
ip_is_unspecified(const RsproIpPort *ip)
{
	static const guint8 zero[16];

	return memcmp(ip->addr, zero, ip->is_ipv6 ? 16 : 4) == 0;
}

static void
peer_address(RemsimPeer *self, RsproIpPort *out)
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
remsim_peer_get_bankd_endpoint(RemsimPeer *self, RsproIpPort *endpoint)
{
	if (self->has_bound && !ip_is_unspecified(&self->bound))
		*endpoint = self->bound;
	else
		peer_address(self, endpoint);
	endpoint->port =
	    self->has_bound && self->bound.port ? self->bound.port : BANKD_DEFAULT_PORT;
}

gboolean
remsim_peer_update_client_config(RemsimPeer *self, const RemsimClientConfig *cfg)
{
	RemsimClientConfig *cur = &self->client_config;

	if (cur->bank.bank_id == cfg->bank.bank_id && cur->bank.slot_nr == cfg->bank.slot_nr &&
	    cur->bankd.is_ipv6 == cfg->bankd.is_ipv6 && cur->bankd.port == cfg->bankd.port &&
	    memcmp(cur->bankd.addr, cfg->bankd.addr, 16) == 0)
		return FALSE;
	*cur = *cfg;
	return TRUE;
}

static void
add_string(JsonBuilder *b, const gchar *key, const gchar *value, gboolean optional)
{
	if (optional && (!value || !*value))
		return;
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, value ? value : "");
}

static void
add_identity(JsonBuilder *b, const RsproComponentIdentity *id)
{
	json_builder_begin_object(b);
	add_string(b, "type_", rspro_component_type_to_string(id->type), FALSE);
	add_string(b, "name", id->name, FALSE);
	add_string(b, "software", id->software, FALSE);
	add_string(b, "swVersion", id->sw_version, FALSE);
	add_string(b, "hwManufacturer", id->hw_manufacturer, TRUE);
	add_string(b, "hwModel", id->hw_model, TRUE);
	add_string(b, "hwSerialNr", id->hw_serial_nr, TRUE);
	add_string(b, "hwVersion", id->hw_version, TRUE);
	add_string(b, "fwVersion", id->fw_version, TRUE);
	json_builder_end_object(b);
}

JsonNode *
remsim_peer_to_json(RemsimPeer *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	add_string(b, "peer", remsim_peer_get_id(self), FALSE);
	add_string(b, "state", remsim_peer_state_to_string(self->state), FALSE);
	json_builder_set_member_name(b, "component_id");
	add_identity(b, &self->identity);
	if (self->state == REMSIM_PEER_CONNECTED_BANKD) {
		json_builder_set_member_name(b, "bankId");
		json_builder_add_int_value(b, self->bank_id);
		json_builder_set_member_name(b, "numberOfSlots");
		json_builder_add_int_value(b, self->number_of_slots);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

GVariant *
remsim_peer_to_variant(RemsimPeer *self)
{
	GVariantDict d;
	const RsproComponentIdentity *id = &self->identity;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "peer", "s", remsim_peer_get_id(self));
	g_variant_dict_insert(&d, "state", "s", remsim_peer_state_to_string(self->state));
	g_variant_dict_insert(&d, "address", "s", rspro_connection_get_peer_name(self->conn));
	g_variant_dict_insert(&d, "name", "s", id->name ? id->name : "");
	g_variant_dict_insert(&d, "software", "s", id->software ? id->software : "");
	g_variant_dict_insert(&d, "sw-version", "s", id->sw_version ? id->sw_version : "");
	if (self->state == REMSIM_PEER_CONNECTED_BANKD) {
		g_variant_dict_insert(&d, "bank-id", "q", self->bank_id);
		g_variant_dict_insert(&d, "number-of-slots", "q", self->number_of_slots);
	} else if (self->state == REMSIM_PEER_CONNECTED_CLIENT) {
		g_variant_dict_insert(&d, "client-id", "q", self->client_slot.client_id);
		g_variant_dict_insert(&d, "client-slot", "q", self->client_slot.slot_nr);
	}
	return g_variant_dict_end(&d);
}
