/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCtlDbus: the local daemons on D-Bus, through the generated proxies and
 * object manager clients of common/dbus: the server's banks, clients and maps,
 * and what the bank daemon and the client daemon on the same bus add to them
 * (slot states, cards, counters, links).
 */
#pragma once

#include "remsim-ctl-source.h"

G_BEGIN_DECLS

#define REMSIM_CTL_TYPE_DBUS (remsim_ctl_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimCtlDbus, remsim_ctl_dbus, REMSIM_CTL, DBUS, RemsimCtlSource)

/* the daemons on @bus_type (G_BUS_TYPE_SYSTEM or G_BUS_TYPE_SESSION); connects when first asked */
RemsimCtlSource *remsim_ctl_dbus_new(GBusType bus_type);

G_END_DECLS
