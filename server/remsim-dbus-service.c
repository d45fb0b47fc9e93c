/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-dbus-generated.h"
#include "remsim-dbus-service.h"

struct _RemsimDbusService {
	GObject parent_instance;
	RemsimServer *server;
	RemsimDbusServer1 *skeleton;
	GCancellable *cancellable;
	guint owner_id;
	guint refresh_id; /* idle that republishes the list properties */
};

G_DEFINE_FINAL_TYPE(RemsimDbusService, remsim_dbus_service, G_TYPE_OBJECT)

static void
service_dispose(GObject *object)
{
	RemsimDbusService *self = REMSIM_DBUS_SERVICE(object);

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
	G_OBJECT_CLASS(remsim_dbus_service_parent_class)->dispose(object);
}

static void
remsim_dbus_service_class_init(RemsimDbusServiceClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = service_dispose;
}

static void
remsim_dbus_service_init(RemsimDbusService *self)
{
	self->cancellable = g_cancellable_new();
}

/* ---- properties: rebuilt at most once per main loop iteration ---- */

static GVariant *
peers_variant(GList *peers)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (GList *l = peers; l; l = l->next)
		g_variant_builder_add_value(&b, remsim_peer_to_variant(l->data));
	return g_variant_builder_end(&b);
}

static GVariant *
maps_variant(RemsimServer *server)
{
	g_autoptr(GList) maps = remsim_server_list_slotmaps(server);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (GList *l = maps; l; l = l->next)
		g_variant_builder_add_value(&b, remsim_slotmap_to_variant(l->data));
	return g_variant_builder_end(&b);
}

static void
refresh_now(RemsimDbusService *self)
{
	remsim_dbus_server1_set_banks(self->skeleton,
				      peers_variant(remsim_server_get_banks(self->server)));
	remsim_dbus_server1_set_clients(self->skeleton,
					peers_variant(remsim_server_get_clients(self->server)));
	remsim_dbus_server1_set_slotmaps(self->skeleton, maps_variant(self->server));
}

static gboolean
refresh_idle(gpointer data)
{
	RemsimDbusService *self = data;

	self->refresh_id = 0;
	refresh_now(self);
	return G_SOURCE_REMOVE;
}

static void
schedule_refresh(RemsimDbusService *self)
{
	if (!self->refresh_id)
		self->refresh_id = g_idle_add(refresh_idle, self);
}

/* ---- server events ---- */

static void
on_bank_added(RemsimServer *server, RemsimPeer *peer, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_dbus_server1_emit_bank_added(self->skeleton, remsim_peer_to_variant(peer));
	schedule_refresh(self);
}

static void
on_bank_removed(RemsimServer *server, RemsimPeer *peer, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_dbus_server1_emit_bank_removed(self->skeleton, remsim_peer_get_bank_id(peer));
	schedule_refresh(self);
}

static void
on_client_added(RemsimServer *server, RemsimPeer *peer, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_dbus_server1_emit_client_added(self->skeleton, remsim_peer_to_variant(peer));
	schedule_refresh(self);
}

static void
on_client_removed(RemsimServer *server, RemsimPeer *peer, gpointer data)
{
	RemsimDbusService *self = data;
	const RsproClientSlot *slot = remsim_peer_get_client_slot(peer);

	remsim_dbus_server1_emit_client_removed(self->skeleton, slot->client_id, slot->slot_nr);
	schedule_refresh(self);
}

static void
on_slotmap_changed(RemsimServer *server, RemsimSlotmap *map, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_dbus_server1_emit_slotmap_changed(self->skeleton, remsim_slotmap_to_variant(map));
	schedule_refresh(self);
}

static void
on_slotmap_removed(RemsimServer *server, RemsimSlotmap *map, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_dbus_server1_emit_slotmap_removed(self->skeleton, remsim_slotmap_get_id(map));
	schedule_refresh(self);
}

/* ---- methods ---- */

static void
return_error(GDBusMethodInvocation *inv, GError *error)
{
	const gchar *name = "org.remsim.Server1.Error.Failed";

	if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_CONFLICT))
		name = "org.remsim.Server1.Error.Conflict";
	else if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND))
		name = "org.remsim.Server1.Error.NotFound";
	g_dbus_method_invocation_return_dbus_error(inv, name, error->message);
}

static void
create_done(GObject *source, GAsyncResult *result, gpointer data)
{
	GDBusMethodInvocation *inv = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSlotmap) map =
	    remsim_server_create_slotmap_finish(REMSIM_SERVER(source), result, &error);

	if (map)
		g_dbus_method_invocation_return_value(
		    inv, g_variant_new("(u)", remsim_slotmap_get_id(map)));
	else
		return_error(inv, error);
}

static gboolean
handle_create(RemsimDbusServer1 *skel, GDBusMethodInvocation *inv, guint16 bank_id,
	      guint16 bank_slot, guint16 client_id, guint16 client_slot, gpointer data)
{
	RemsimDbusService *self = data;
	RsproBankSlot bank = { bank_id, bank_slot };
	RsproClientSlot client = { client_id, client_slot };

	if (bank_id > RSPRO_ID_MAX || bank_slot > RSPRO_ID_MAX || client_id > RSPRO_ID_MAX ||
	    client_slot > RSPRO_ID_MAX) {
		g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
						      _("ids must lie between 0 and %d"),
						      RSPRO_ID_MAX);
		return TRUE;
	}
	remsim_server_create_slotmap_async(self->server, &bank, &client, create_done, inv);
	return TRUE;
}

static void
delete_done(GObject *source, GAsyncResult *result, gpointer data)
{
	GDBusMethodInvocation *inv = data;
	g_autoptr(GError) error = NULL;

	if (remsim_server_delete_finish(REMSIM_SERVER(source), result, &error))
		g_dbus_method_invocation_return_value(inv, NULL);
	else
		return_error(inv, error);
}

static gboolean
handle_delete(RemsimDbusServer1 *skel, GDBusMethodInvocation *inv, guint32 id, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_server_delete_slotmap_async(self->server, id, delete_done, inv);
	return TRUE;
}

static gboolean
handle_reset(RemsimDbusServer1 *skel, GDBusMethodInvocation *inv, gpointer data)
{
	RemsimDbusService *self = data;

	remsim_server_global_reset_async(self->server, delete_done, inv);
	return TRUE;
}

/* ---- bus ---- */

RemsimDbusService *
remsim_dbus_service_new(RemsimServer *server, guint16 rspro_port, guint16 rest_port)
{
	RemsimDbusService *self = g_object_new(REMSIM_TYPE_DBUS_SERVICE, NULL);

	self->server = g_object_ref(server);
	self->skeleton = remsim_dbus_server1_skeleton_new();
	remsim_dbus_server1_set_version(self->skeleton, PACKAGE_VERSION);
	remsim_dbus_server1_set_restart_counter(self->skeleton,
						remsim_server_get_restart_counter(server));
	remsim_dbus_server1_set_rspro_port(self->skeleton, rspro_port);
	remsim_dbus_server1_set_rest_port(self->skeleton, rest_port);
	refresh_now(self);
	g_signal_connect(self->skeleton, "handle-create-slotmap", G_CALLBACK(handle_create), self);
	g_signal_connect(self->skeleton, "handle-delete-slotmap", G_CALLBACK(handle_delete), self);
	g_signal_connect(self->skeleton, "handle-global-reset", G_CALLBACK(handle_reset), self);
	g_signal_connect(server, "bank-added", G_CALLBACK(on_bank_added), self);
	g_signal_connect(server, "bank-removed", G_CALLBACK(on_bank_removed), self);
	g_signal_connect(server, "client-added", G_CALLBACK(on_client_added), self);
	g_signal_connect(server, "client-removed", G_CALLBACK(on_client_removed), self);
	g_signal_connect(server, "slotmap-changed", G_CALLBACK(on_slotmap_changed), self);
	g_signal_connect(server, "slotmap-removed", G_CALLBACK(on_slotmap_removed), self);
	return self;
}

static void
name_acquired(GDBusConnection *conn, const gchar *name, gpointer data)
{
	g_message(_("Owning %s on D-Bus"), name);
}

static void
name_lost(GDBusConnection *conn, const gchar *name, gpointer data)
{
	g_warning(_("Lost or could not own the D-Bus name %s; running on without it"), name);
}

static void
got_bus(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimDbusService *self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) conn = g_bus_get_finish(result, &error);

	if (!conn) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning(_("D-Bus is not available (%s); running without it"),
				  error->message);
		return;
	}
	self = data;
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->skeleton), conn,
					      REMSIM_DBUS_SERVER_PATH, &error)) {
		g_warning(_("Cannot export %s on D-Bus: %s"), REMSIM_DBUS_SERVER_PATH,
			  error->message);
		return;
	}
	g_dbus_connection_set_exit_on_close(conn, FALSE);
	self->owner_id =
	    g_bus_own_name_on_connection(conn, REMSIM_DBUS_SERVER_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
					 name_acquired, name_lost, self, NULL);
}

void
remsim_dbus_service_start(RemsimDbusService *self, GBusType bus_type)
{
	/* the cancellable keeps a late answer from reaching a disposed service */
	g_bus_get(bus_type, self->cancellable, got_bus, self);
}
