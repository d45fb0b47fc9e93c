/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdDbus: remsim-bankd on D-Bus (org.remsim.Bankd1, see
 * data/org.remsim.Bankd1.xml): the bank's own object and one object per bank
 * slot, with the operator's methods (ResetCard, DropClient, Reload). A view
 * only: without a bus the bank warns once and relays the same
 * (RemsimDbusPublish).
 */
#pragma once

#include "remsim-bankd.h"
#include "remsim-reload.h"

G_BEGIN_DECLS

/* counters are copied to the bus at most this often */
#define REMSIM_BANKD_DBUS_COUNTER_INTERVAL_MS 1000

#define REMSIM_TYPE_BANKD_DBUS (remsim_bankd_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdDbus, remsim_bankd_dbus, REMSIM, BANKD_DBUS, GObject)

/* @reload: what the method Reload runs */
RemsimBankdDbus *remsim_bankd_dbus_new(RemsimBankd *bankd, RemsimReload *reload);
/* connects and publishes in the background */
void remsim_bankd_dbus_start(RemsimBankdDbus *self, GBusType bus_type);

G_END_DECLS
