/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientDbus: publishes a RemsimClient as org.remsim.Client1. D-Bus is a
 * control surface only: without a bus the client relays as before (one warning).
 */
#pragma once

#include "remsim-client.h"

G_BEGIN_DECLS

#define REMSIM_CLIENT_DBUS_NAME "org.remsim.Client1"
#define REMSIM_CLIENT_DBUS_PATH "/org/remsim/Client1"

#define REMSIM_TYPE_CLIENT_DBUS (remsim_client_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientDbus, remsim_client_dbus, REMSIM, CLIENT_DBUS, GObject)

RemsimClientDbus *remsim_client_dbus_new(RemsimClient *client);
/* connect to @bus_type and export, in the background */
void remsim_client_dbus_start(RemsimClientDbus *self, GBusType bus_type);

G_END_DECLS
