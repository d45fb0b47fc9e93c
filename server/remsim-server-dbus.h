/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerDbus: org.remsim.Server1 on the system (or session) bus. A
 * missing bus is not an error: the server runs on without it.
 */
#pragma once

#include "remsim-server.h"

G_BEGIN_DECLS

#define REMSIM_DBUS_SERVER_NAME "org.remsim.Server1"
#define REMSIM_DBUS_SERVER_PATH "/org/remsim/Server1"

#define REMSIM_TYPE_SERVER_DBUS (remsim_server_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerDbus, remsim_server_dbus, REMSIM, SERVER_DBUS, GObject)

RemsimServerDbus *remsim_server_dbus_new(RemsimServer *server, guint16 rspro_port,
					 guint16 rest_port);
/* connects in the background; a failure is logged once */
void remsim_server_dbus_start(RemsimServerDbus *self, GBusType bus_type);

G_END_DECLS
