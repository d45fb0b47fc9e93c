/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerDbus: remsim-server on D-Bus (org.remsim.Server1, see
 * data/org.remsim.Server1.xml): the server's own object and an object manager
 * with one object per connected bank, per connected client slot and per slot
 * map, and per bank slot a remsim bank reported, kept in step with the
 * server's signals; the Event signal carries the event stream. A view only: without a bus the
 * server warns once and runs on (RemsimDbusPublish).
 */
#pragma once

#include "remsim-reload.h"
#include "remsim-server-events.h"
#include "remsim-server.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_SERVER_DBUS (remsim_server_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerDbus, remsim_server_dbus, REMSIM, SERVER_DBUS, GObject)

/* @reload: what the method Reload runs; @events: what the signal Event sends */
RemsimServerDbus *remsim_server_dbus_new(RemsimServer *server, RemsimReload *reload,
					 RemsimServerEvents *events, guint16 rspro_port,
					 guint16 rest_port);
/* connects and publishes in the background */
void remsim_server_dbus_start(RemsimServerDbus *self, GBusType bus_type);

G_END_DECLS
