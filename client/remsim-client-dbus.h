/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientDbus: remsim-client on D-Bus (org.remsim.Client1, see
 * data/org.remsim.Client1.xml): the daemon's own object and one object per
 * client slot, with the operator's methods (ResetCard, Reload). A view only:
 * without a bus the client warns once and relays the same (RemsimDbusPublish).
 */
#pragma once

#include "remsim-client.h"
#include "remsim-reload.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CLIENT_DBUS (remsim_client_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientDbus, remsim_client_dbus, REMSIM, CLIENT_DBUS, GObject)

/* @reload: what the method Reload runs */
RemsimClientDbus *remsim_client_dbus_new(RemsimClient *client, RemsimReload *reload);
/* connects and publishes in the background */
void remsim_client_dbus_start(RemsimClientDbus *self, GBusType bus_type);

G_END_DECLS
