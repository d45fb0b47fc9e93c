/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimDbusPublish: puts a daemon on D-Bus, or says once that it runs without
 * a bus. In the background it connects, exports the daemon's own interface at
 * its object manager's path (beside the org.freedesktop.DBus.ObjectManager),
 * gives the manager the connection for the objects below, and owns the bus
 * name. The daemon never waits for any of this: D-Bus is a view, and when the
 * bus goes away later the view ends and the daemon runs on.
 *
 * The first thing that goes wrong (no bus, the name owned by someone else, the
 * bus gone) is one warning; anything after it is a plain message.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_TYPE_DBUS_PUBLISH (remsim_dbus_publish_get_type())
G_DECLARE_FINAL_TYPE(RemsimDbusPublish, remsim_dbus_publish, REMSIM, DBUS_PUBLISH, GObject)

/*
 * @bus_name: the well-known name to own; @manager: the daemon's objects, its
 * path the daemon's path; @root: the daemon's own interface, for that path
 */
RemsimDbusPublish *remsim_dbus_publish_new(const gchar *bus_name, GDBusObjectManagerServer *manager,
					   GDBusInterfaceSkeleton *root);
/* connect to @bus_type and publish, in the background; once only */
void remsim_dbus_publish_start(RemsimDbusPublish *self, GBusType bus_type);
/* the connection while the objects are on it, else NULL */
GDBusConnection *remsim_dbus_publish_get_connection(RemsimDbusPublish *self);

G_END_DECLS
