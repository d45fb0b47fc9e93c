/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdDbus: shows a RemsimBankd on D-Bus (org.remsim.Bankd1). Without a
 * bus it warns once and does nothing; the bank works the same either way.
 */
#pragma once

#include "remsim-bankd.h"

G_BEGIN_DECLS

#define REMSIM_BANKD_DBUS_NAME "org.remsim.Bankd1"
#define REMSIM_BANKD_DBUS_PATH "/org/remsim/Bankd1"
/* counters are copied to the bus at most this often */
#define REMSIM_BANKD_DBUS_COUNTER_INTERVAL_MS 1000

#define REMSIM_TYPE_BANKD_DBUS (remsim_bankd_dbus_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdDbus, remsim_bankd_dbus, REMSIM, BANKD_DBUS, GObject)

RemsimBankdDbus *remsim_bankd_dbus_new(RemsimBankd *bankd, gboolean session_bus);

G_END_DECLS
