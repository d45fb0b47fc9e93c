/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-dbus-names.h"

gchar *
remsim_dbus_names_server_bank_path(guint16 bank_id)
{
	return g_strdup_printf(REMSIM_DBUS_SERVER_PATH "/Bank/%u", bank_id);
}

gchar *
remsim_dbus_names_server_client_path(guint16 client_id, guint16 slot_nr)
{
	return g_strdup_printf(REMSIM_DBUS_SERVER_PATH "/Client/%u_%u", client_id, slot_nr);
}

gchar *
remsim_dbus_names_server_slotmap_path(guint32 slotmap_id)
{
	return g_strdup_printf(REMSIM_DBUS_SERVER_PATH "/Slotmap/%u", slotmap_id);
}

gchar *
remsim_dbus_names_bankd_slot_path(guint16 slot_nr)
{
	return g_strdup_printf(REMSIM_DBUS_BANKD_PATH "/Slot/%u", slot_nr);
}

gchar *
remsim_dbus_names_client_slot_path(guint16 client_id, guint16 slot_nr)
{
	return g_strdup_printf(REMSIM_DBUS_CLIENT_PATH "/Slot/%u_%u", client_id, slot_nr);
}

gchar *
remsim_dbus_names_server_bank_slot_path(guint16 bank_id, guint16 slot_nr)
{
	return g_strdup_printf(REMSIM_DBUS_SERVER_PATH "/BankSlot/%u_%u", bank_id, slot_nr);
}
