/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-dbus-generated.h"
#include "remsim-server-dbus.h"

struct _RemsimServerDbus {
	GObject parent_instance;
	RemsimServer *server;
	RemsimDbusServer1 *skeleton;
	GCancellable *cancellable;
	guint owner_id;
	guint refresh_id; /* idle that republishes the list properties */
};

G_DEFINE_FINAL_TYPE(RemsimServerDbus, remsim_server_dbus, G_TYPE_OBJECT)

static void
service_dispose(GObject *object)
{
	RemsimServerDbus *self = REMSIM_SERVER_DBUS(object);

	if (self->cancellable)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_handle_id(&self->owner_id, g_bus_unown_name);
	g_clear_handle_id(&self->refresh_id, g_source_remove);
	if (self->server)
		g_signal_handlers_disconnect_by_data(self->server, self);
	if (self->skeleton &&
	    g_dbus_interface_skeleton_get_connection(G_DBUS_INTERFACE_SKELETON(self->skeleton)))
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->skeleton));
	g_clear_object(&self->skeleton);
	g_clear_object(&self->server);
	G_OBJECT_CLASS(remsim_server_dbus_parent_class)->dispose(object);
}

static void
remsim_server_dbus_class_init(RemsimServerDbusClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = service_dispose;
}

static void
remsim_server_dbus_init(RemsimServerDbus *self)
{
	self->cancellable = g_cancellable_new();
}

/* ---- properties: rebuilt at most once per main loop iteration ---- */

static GVariant *
remsim_server_dbus_peers_variant(GList *peers)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (GList *l = peers; l; l = l->next)
		g_variant_builder_add_value(&b, remsim_server_peer_to_variant(l->data));
	return g_variant_builder_end(&b);
}

static GVariant *
remsim_server_dbus_maps_variant(RemsimServer *server)
{
	g_autoptr(GList) maps = remsim_server_list_slotmaps(server);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (GList *l = maps; l; l = l->next)
		g_variant_builder_add_value(&b, remsim_server_slotmap_to_variant(l->data));
	return g_variant_builder_end(&b);
}

static void
remsim_server_dbus_refresh_now(RemsimServerDbus *self)
{
	remsim_dbus_server1_set_banks(self->skeleton, remsim_server_dbus_peers_variant(
							  remsim_server_get_banks(self->server)));
	remsim_dbus_server1_set_clients(
	    self->skeleton,
	    remsim_server_dbus_peers_variant(remsim_server_get_clients(self->server)));
	remsim_dbus_server1_set_slotmaps(self->skeleton,
					 remsim_server_dbus_maps_variant(self->server));
}

static gboolean
remsim_server_dbus_refresh_idle_cb(gpointer data)
{
	RemsimServerDbus *self = data;

	self->refresh_id = 0;
	remsim_server_dbus_refresh_now(self);
	return G_SOURCE_REMOVE;
}

static void
remsim_server_dbus_schedule_refresh(RemsimServerDbus *self)
{
	if (!self->refresh_id)
		self->refresh_id = g_idle_add(remsim_server_dbus_refresh_idle_cb, self);
}

/* ---- server events ---- */

static void
remsim_server_dbus_bank_added_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_dbus_server1_emit_bank_added(self->skeleton, remsim_server_peer_to_variant(peer));
	remsim_server_dbus_schedule_refresh(self);
}

static void
remsim_server_dbus_bank_removed_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_dbus_server1_emit_bank_removed(self->skeleton, remsim_server_peer_get_bank_id(peer));
	remsim_server_dbus_schedule_refresh(self);
}

static void
remsim_server_dbus_client_added_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_dbus_server1_emit_client_added(self->skeleton, remsim_server_peer_to_variant(peer));
	remsim_server_dbus_schedule_refresh(self);
}

static void
remsim_server_dbus_client_removed_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;
	const RsproClientSlot *slot = remsim_server_peer_get_client_slot(peer);

	remsim_dbus_server1_emit_client_removed(self->skeleton, slot->client_id, slot->slot_nr);
	remsim_server_dbus_schedule_refresh(self);
}

static void
remsim_server_dbus_slotmap_changed_cb(RemsimServer *server, RemsimServerSlotmap *map, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_dbus_server1_emit_slotmap_changed(self->skeleton,
						 remsim_server_slotmap_to_variant(map));
	remsim_server_dbus_schedule_refresh(self);
}

static void
remsim_server_dbus_slotmap_removed_cb(RemsimServer *server, RemsimServerSlotmap *map, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_dbus_server1_emit_slotmap_removed(self->skeleton, remsim_server_slotmap_get_id(map));
	remsim_server_dbus_schedule_refresh(self);
}

/* ---- methods ---- */

static void
remsim_server_dbus_return_error(GDBusMethodInvocation *inv, GError *error)
{
	const gchar *name = "org.remsim.Server1.Error.Failed";

	if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_CONFLICT))
		name = "org.remsim.Server1.Error.Conflict";
	else if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND))
		name = "org.remsim.Server1.Error.NotFound";
	g_dbus_method_invocation_return_dbus_error(inv, name, error->message);
}

static void
remsim_server_dbus_create_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	GDBusMethodInvocation *inv = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerSlotmap) map =
	    remsim_server_create_slotmap_finish(REMSIM_SERVER(source), result, &error);

	if (map)
		g_dbus_method_invocation_return_value(
		    inv, g_variant_new("(u)", remsim_server_slotmap_get_id(map)));
	else
		remsim_server_dbus_return_error(inv, error);
}

static gboolean
remsim_server_dbus_handle_create_cb(RemsimDbusServer1 *skel, GDBusMethodInvocation *inv,
				    guint16 bank_id, guint16 bank_slot, guint16 client_id,
				    guint16 client_slot, gpointer data)
{
	RemsimServerDbus *self = data;
	RsproBankSlot bank = { bank_id, bank_slot };
	RsproClientSlot client = { client_id, client_slot };

	if (bank_id > RSPRO_ID_MAX || bank_slot > RSPRO_ID_MAX || client_id > RSPRO_ID_MAX ||
	    client_slot > RSPRO_ID_MAX) {
		g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
						      "ids must lie between 0 and %d",
						      RSPRO_ID_MAX);
		return TRUE;
	}
	remsim_server_create_slotmap_async(self->server, &bank, &client, NULL,
					   remsim_server_dbus_create_ready, inv);
	return TRUE;
}

static void
remsim_server_dbus_delete_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	GDBusMethodInvocation *inv = data;
	RemsimServer *server = REMSIM_SERVER(source);
	g_autoptr(GError) error = NULL;
	gboolean ok = g_async_result_is_tagged(result, remsim_server_global_reset_async)
			  ? remsim_server_global_reset_finish(server, result, &error)
			  : remsim_server_delete_slotmap_finish(server, result, &error);

	if (ok)
		g_dbus_method_invocation_return_value(inv, NULL);
	else
		remsim_server_dbus_return_error(inv, error);
}

static gboolean
remsim_server_dbus_handle_delete_cb(RemsimDbusServer1 *skel, GDBusMethodInvocation *inv, guint32 id,
				    gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_server_delete_slotmap_async(self->server, id, NULL, remsim_server_dbus_delete_ready,
					   inv);
	return TRUE;
}

static gboolean
remsim_server_dbus_handle_reset_cb(RemsimDbusServer1 *skel, GDBusMethodInvocation *inv,
				   gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_server_global_reset_async(self->server, NULL, remsim_server_dbus_delete_ready, inv);
	return TRUE;
}

/* ---- bus ---- */

RemsimServerDbus *
remsim_server_dbus_new(RemsimServer *server, guint16 rspro_port, guint16 rest_port)
{
	RemsimServerDbus *self = g_object_new(REMSIM_TYPE_SERVER_DBUS, NULL);

	self->server = g_object_ref(server);
	self->skeleton = remsim_dbus_server1_skeleton_new();
	remsim_dbus_server1_set_version(self->skeleton, PACKAGE_VERSION);
	remsim_dbus_server1_set_restart_counter(self->skeleton,
						remsim_server_get_restart_counter(server));
	remsim_dbus_server1_set_rspro_port(self->skeleton, rspro_port);
	remsim_dbus_server1_set_rest_port(self->skeleton, rest_port);
	remsim_server_dbus_refresh_now(self);
	g_signal_connect(self->skeleton, "handle-create-slotmap",
			 G_CALLBACK(remsim_server_dbus_handle_create_cb), self);
	g_signal_connect(self->skeleton, "handle-delete-slotmap",
			 G_CALLBACK(remsim_server_dbus_handle_delete_cb), self);
	g_signal_connect(self->skeleton, "handle-global-reset",
			 G_CALLBACK(remsim_server_dbus_handle_reset_cb), self);
	g_signal_connect(server, "bank-added", G_CALLBACK(remsim_server_dbus_bank_added_cb), self);
	g_signal_connect(server, "bank-removed", G_CALLBACK(remsim_server_dbus_bank_removed_cb),
			 self);
	g_signal_connect(server, "client-added", G_CALLBACK(remsim_server_dbus_client_added_cb),
			 self);
	g_signal_connect(server, "client-removed", G_CALLBACK(remsim_server_dbus_client_removed_cb),
			 self);
	g_signal_connect(server, "slotmap-changed",
			 G_CALLBACK(remsim_server_dbus_slotmap_changed_cb), self);
	g_signal_connect(server, "slotmap-removed",
			 G_CALLBACK(remsim_server_dbus_slotmap_removed_cb), self);
	return self;
}

static void
remsim_server_dbus_name_acquired_cb(GDBusConnection *conn, const gchar *name, gpointer data)
{
	g_message("Owning %s on D-Bus", name);
}

static void
remsim_server_dbus_name_lost_cb(GDBusConnection *conn, const gchar *name, gpointer data)
{
	g_warning("Lost or could not own the D-Bus name %s; running on without it", name);
}

static void
remsim_server_dbus_got_bus_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerDbus *self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) conn = g_bus_get_finish(result, &error);

	if (!conn) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("D-Bus is not available (%s); running without it",
				  error->message);
		return;
	}
	self = data;
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->skeleton), conn,
					      REMSIM_DBUS_SERVER_PATH, &error)) {
		g_warning("Cannot export %s on D-Bus: %s", REMSIM_DBUS_SERVER_PATH, error->message);
		return;
	}
	g_dbus_connection_set_exit_on_close(conn, FALSE);
	self->owner_id = g_bus_own_name_on_connection(
	    conn, REMSIM_DBUS_SERVER_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
	    remsim_server_dbus_name_acquired_cb, remsim_server_dbus_name_lost_cb, self, NULL);
}

void
remsim_server_dbus_start(RemsimServerDbus *self, GBusType bus_type)
{
	/* the cancellable keeps a late answer from reaching a disposed service */
	g_bus_get(bus_type, self->cancellable, remsim_server_dbus_got_bus_ready, self);
}
