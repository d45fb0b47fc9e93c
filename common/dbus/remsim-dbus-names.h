/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of remsim on D-Bus, for the daemons, remsim-ctl and the tests: bus
 * names, interfaces and object paths, and the API version.
 *
 * One path scheme for all three daemons: each daemon's own object sits at
 * /org/remsim/<Daemon>1, beside the org.freedesktop.DBus.ObjectManager that
 * lists its objects, and every object below it is /<Kind>/<id>:
 *
 *   /org/remsim/Server1/Bank/<bankId>                 a connected bank
 *   /org/remsim/Server1/Client/<clientId>_<slotNr>    a connected client slot
 *   /org/remsim/Server1/Slotmap/<id>                  a slot map (id = bankId * 65536 + slotNr)
 *   /org/remsim/Server1/BankSlot/<bankId>_<slotNr>    a bank slot a remsim bank reported
 *   /org/remsim/Bankd1/Slot/<slotNr>                  a bank slot
 *   /org/remsim/Client1/Slot/<clientId>_<slotNr>      a client slot
 *
 * The bus names are not versioned; the interfaces are ("1"), and
 * REMSIM_DBUS_API_VERSION (the ApiVersion property of each daemon) grows when
 * something is added to them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_DBUS_API_VERSION 1

/* the one error domain's names are REMSIM_DBUS_ERROR_PREFIX + "NotFound" ... */
#define REMSIM_DBUS_ERROR_PREFIX "org.remsim.Error."

#define REMSIM_DBUS_SERVER_NAME "org.remsim.Server1"
#define REMSIM_DBUS_SERVER_PATH "/org/remsim/Server1"
#define REMSIM_DBUS_SERVER_INTERFACE "org.remsim.Server1"
#define REMSIM_DBUS_SERVER_BANK_INTERFACE "org.remsim.Server1.Bank"
#define REMSIM_DBUS_SERVER_CLIENT_INTERFACE "org.remsim.Server1.Client"
#define REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE "org.remsim.Server1.Slotmap"
#define REMSIM_DBUS_SERVER_BANK_SLOT_INTERFACE "org.remsim.Server1.BankSlot"

#define REMSIM_DBUS_BANKD_NAME "org.remsim.Bankd1"
#define REMSIM_DBUS_BANKD_PATH "/org/remsim/Bankd1"
#define REMSIM_DBUS_BANKD_INTERFACE "org.remsim.Bankd1"
#define REMSIM_DBUS_BANKD_SLOT_INTERFACE "org.remsim.Bankd1.Slot"

#define REMSIM_DBUS_CLIENT_NAME "org.remsim.Client1"
#define REMSIM_DBUS_CLIENT_PATH "/org/remsim/Client1"
#define REMSIM_DBUS_CLIENT_INTERFACE "org.remsim.Client1"
#define REMSIM_DBUS_CLIENT_SLOT_INTERFACE "org.remsim.Client1.Slot"

/* the object paths of the scheme above; free with g_free() */
gchar *remsim_dbus_names_server_bank_path(guint16 bank_id);
gchar *remsim_dbus_names_server_client_path(guint16 client_id, guint16 slot_nr);
gchar *remsim_dbus_names_server_slotmap_path(guint32 slotmap_id);
gchar *remsim_dbus_names_server_bank_slot_path(guint16 bank_id, guint16 slot_nr);
gchar *remsim_dbus_names_bankd_slot_path(guint16 slot_nr);
gchar *remsim_dbus_names_client_slot_path(guint16 client_id, guint16 slot_nr);

G_END_DECLS
