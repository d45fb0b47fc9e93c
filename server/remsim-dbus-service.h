/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimDbusService: org.remsim.Server1 on the system (or session) bus. A
 * missing bus is not an error: the server runs on without it.
 */
#pragma once

#include "remsim-server.h"

G_BEGIN_DECLS

#define REMSIM_DBUS_SERVER_NAME "org.remsim.Server1"
#define REMSIM_DBUS_SERVER_PATH "/org/remsim/Server1"

#define REMSIM_TYPE_DBUS_SERVICE (remsim_dbus_service_get_type())
G_DECLARE_FINAL_TYPE(RemsimDbusService, remsim_dbus_service, REMSIM, DBUS_SERVICE, GObject)

RemsimDbusService *remsim_dbus_service_new(RemsimServer *server, guint16 rspro_port,
					   guint16 rest_port);
/* connects in the background; a failure is logged once */
void remsim_dbus_service_start(RemsimDbusService *self, GBusType bus_type);

G_END_DECLS
