/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-dbus-publish.h"

struct _RemsimDbusPublish {
	GObject parent_instance;
	gchar *bus_name;
	GDBusObjectManagerServer *manager;
	GDBusInterfaceSkeleton *root;
	GCancellable *cancellable; /* NULL until started */
	GDBusConnection *bus;	   /* while published */
	gulong closed_id;
	guint owner_id;
	gboolean warned;
};

G_DEFINE_FINAL_TYPE(RemsimDbusPublish, remsim_dbus_publish, G_TYPE_OBJECT)

static void remsim_dbus_publish_problem(RemsimDbusPublish *self, const gchar *format, ...)
    G_GNUC_PRINTF(2, 3);

/* the first problem is a warning, later ones are messages: an operator reads it once */
static void
remsim_dbus_publish_problem(RemsimDbusPublish *self, const gchar *format, ...)
{
	g_autofree gchar *text = NULL;
	va_list args;

	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	if (self->warned)
		g_message("%s", text);
	else
		g_warning("%s", text);
	self->warned = TRUE;
}

/* take everything off the bus and drop the connection */
static void
remsim_dbus_publish_withdraw(RemsimDbusPublish *self)
{
	g_clear_handle_id(&self->owner_id, g_bus_unown_name);
	if (self->bus == NULL)
		return;
	g_clear_signal_handler(&self->closed_id, self->bus);
	if (g_dbus_interface_skeleton_has_connection(self->root, self->bus))
		g_dbus_interface_skeleton_unexport_from_connection(self->root, self->bus);
	g_dbus_object_manager_server_set_connection(self->manager, NULL);
	g_clear_object(&self->bus);
}

static void
remsim_dbus_publish_closed_cb(GDBusConnection *bus, gboolean remote_peer_vanished, GError *error,
			      gpointer user_data)
{
	RemsimDbusPublish *self = user_data;

	remsim_dbus_publish_problem(self, "Lost the D-Bus connection (%s); running on without it",
				    error != NULL ? error->message : "closed");
	remsim_dbus_publish_withdraw(self);
}

static void
remsim_dbus_publish_name_acquired_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	g_message("Owning %s on D-Bus", name);
}

static void
remsim_dbus_publish_name_lost_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	RemsimDbusPublish *self = user_data;

	/* a closed connection loses the name too: ::closed tells that story */
	if (bus == NULL || g_dbus_connection_is_closed(bus))
		return;
	/* the objects stay reachable under the connection's unique name */
	remsim_dbus_publish_problem(self,
				    "Cannot own the D-Bus name %s (another process owns it, or the "
				    "bus policy forbids it); running on without it",
				    name);
}

static void
remsim_dbus_publish_export(RemsimDbusPublish *self, GDBusConnection *bus)
{
	const gchar *path =
	    g_dbus_object_manager_get_object_path(G_DBUS_OBJECT_MANAGER(self->manager));
	g_autoptr(GError) error = NULL;

	self->bus = g_object_ref(bus);
	/* the bus going away must not end the daemon */
	g_dbus_connection_set_exit_on_close(bus, FALSE);
	self->closed_id =
	    g_signal_connect(bus, "closed", G_CALLBACK(remsim_dbus_publish_closed_cb), self);
	if (g_dbus_connection_is_closed(bus)) {
		remsim_dbus_publish_closed_cb(bus, TRUE, NULL, self);
		return;
	}
	if (!g_dbus_interface_skeleton_export(self->root, bus, path, &error)) {
		remsim_dbus_publish_problem(self,
					    "Cannot export %s on D-Bus (%s); running without it",
					    path, error->message);
		remsim_dbus_publish_withdraw(self);
		return;
	}
	g_dbus_object_manager_server_set_connection(self->manager, bus);
	self->owner_id = g_bus_own_name_on_connection(
	    bus, self->bus_name, G_BUS_NAME_OWNER_FLAGS_NONE, remsim_dbus_publish_name_acquired_cb,
	    remsim_dbus_publish_name_lost_cb, self, NULL);
}

static void
remsim_dbus_publish_bus_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = g_bus_get_finish(result, &error);

	/* cancelled: @user_data is gone (the task checks the cancellable it holds) */
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (bus == NULL) {
		remsim_dbus_publish_problem(user_data, "No D-Bus (%s); running without it",
					    error->message);
		return;
	}
	remsim_dbus_publish_export(user_data, bus);
}

void
remsim_dbus_publish_start(RemsimDbusPublish *self, GBusType bus_type)
{
	g_return_if_fail(REMSIM_IS_DBUS_PUBLISH(self));
	g_return_if_fail(self->cancellable == NULL);

	self->cancellable = g_cancellable_new();
	g_bus_get(bus_type, self->cancellable, remsim_dbus_publish_bus_ready, self);
}

GDBusConnection *
remsim_dbus_publish_get_connection(RemsimDbusPublish *self)
{
	g_return_val_if_fail(REMSIM_IS_DBUS_PUBLISH(self), NULL);
	return self->bus;
}

static void
remsim_dbus_publish_dispose(GObject *object)
{
	RemsimDbusPublish *self = REMSIM_DBUS_PUBLISH(object);

	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->manager != NULL)
		remsim_dbus_publish_withdraw(self);
	g_clear_object(&self->manager);
	g_clear_object(&self->root);
	G_OBJECT_CLASS(remsim_dbus_publish_parent_class)->dispose(object);
}

static void
remsim_dbus_publish_finalize(GObject *object)
{
	RemsimDbusPublish *self = REMSIM_DBUS_PUBLISH(object);

	g_free(self->bus_name);
	G_OBJECT_CLASS(remsim_dbus_publish_parent_class)->finalize(object);
}

static void
remsim_dbus_publish_class_init(RemsimDbusPublishClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_dbus_publish_dispose;
	object_class->finalize = remsim_dbus_publish_finalize;
}

static void
remsim_dbus_publish_init(RemsimDbusPublish *self)
{
}

RemsimDbusPublish *
remsim_dbus_publish_new(const gchar *bus_name, GDBusObjectManagerServer *manager,
			GDBusInterfaceSkeleton *root)
{
	RemsimDbusPublish *self;

	g_return_val_if_fail(g_dbus_is_name(bus_name), NULL);
	g_return_val_if_fail(G_IS_DBUS_OBJECT_MANAGER_SERVER(manager), NULL);
	g_return_val_if_fail(G_IS_DBUS_INTERFACE_SKELETON(root), NULL);

	self = g_object_new(REMSIM_TYPE_DBUS_PUBLISH, NULL);
	self->bus_name = g_strdup(bus_name);
	self->manager = g_object_ref(manager);
	self->root = g_object_ref(root);
	return self;
}
