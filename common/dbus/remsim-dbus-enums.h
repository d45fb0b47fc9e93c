/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The words remsim's daemons use on D-Bus for states, each the nick of one
 * GEnum (remsim-dbus-enum-types.h, from glib-mkenums), so that every daemon
 * says the same thing the same way:
 *
 *  - a link to a peer (Bankd1.ServerState, Client1.Slot.ServerState and
 *    BankdState) is an RsproLinkState (rspro/rspro-link.h): "idle",
 *    "waiting", "connecting", "established", "connected";
 *  - a relay slot (Bankd1.Slot.State, Client1.Slot.State) is a
 *    RemsimDbusSlotState;
 *  - a slot map (Server1.Slotmap.State) is a RemsimDbusSlotmapState.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* one slot of the relay, seen from the bank (a bank slot) or the client (a client slot) */
typedef enum {
	REMSIM_DBUS_SLOT_STATE_IDLE,		 /*< nick=idle >*/
	REMSIM_DBUS_SLOT_STATE_MAPPED,		 /*< nick=mapped >*/
	REMSIM_DBUS_SLOT_STATE_CLIENT_CONNECTED, /*< nick=client-connected >*/
	REMSIM_DBUS_SLOT_STATE_CARD_POWERED,	 /*< nick=card-powered >*/
} RemsimDbusSlotState;

/* a slot map on the server (REST shows the same states in upstream's upper case) */
typedef enum {
	REMSIM_DBUS_SLOTMAP_STATE_NEW,		  /*< nick=new >*/
	REMSIM_DBUS_SLOTMAP_STATE_UNACKNOWLEDGED, /*< nick=unacknowledged >*/
	REMSIM_DBUS_SLOTMAP_STATE_ACTIVE,	  /*< nick=active >*/
	REMSIM_DBUS_SLOTMAP_STATE_ERROR,	  /*< nick=error >*/
} RemsimDbusSlotmapState;

/* the nick of @value in the enum type @type, or "unknown" */
const gchar *remsim_dbus_enums_get_nick(GType type, gint value);

G_END_DECLS
