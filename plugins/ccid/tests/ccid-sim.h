/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A CCID device simulator for tests: it plays the device's side of USB over
 * the frames of remsim-ccid-wire.h on a Unix socket, so that the ccid backend
 * runs its real protocol code against it, in-process or inside a real
 * remsim-bankd. Each device has descriptors (class descriptor, strings), a
 * bulk pipe with CCID messages, an interrupt pipe with slot changes, several
 * slots, and a simulated SIM (the simcard engine) behind each slot, spoken to
 * at short APDU, extended APDU or TPDU level, T=0 or T=1. Tests inject time
 * extensions, error answers and malformed answers, unplug and plug devices,
 * remove and insert cards. Everything runs on the thread-default main context.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-ccid-descriptor.h"
#include "remsim-simcard-card.h"

G_BEGIN_DECLS

typedef struct _CcidSim CcidSim;

typedef enum {
	CCID_SIM_FAULT_NONE,
	CCID_SIM_FAULT_WRONG_LENGTH, /* dwLength is not what follows */
	CCID_SIM_FAULT_WRONG_SEQ,    /* bSeq of another command */
	CCID_SIM_FAULT_UNKNOWN_TYPE, /* bMessageType 0x99 */
	CCID_SIM_FAULT_SHORT_READ,   /* only 7 bytes */
	CCID_SIM_FAULT_BAD_SLOT,     /* a bSlot beyond bMaxSlotIndex */
	CCID_SIM_FAULT_SILENT,	     /* no answer at all */
	CCID_SIM_FAULT_ERROR,	     /* bmCommandStatus failed with the given bError */
} CcidSimFault;

typedef struct {
	guint16 vendor, product;
	const gchar *usb_path;
	const gchar *manufacturer, *product_name, *serial; /* NULL: no such string */
	guint n_slots;
	RemsimCcidLevel level;
	guint8 voltages;  /* bVoltageSupport */
	guint32 features; /* on top of the level */
	guint32 max_message_length;
	guint8 max_busy_slots;
	guint8 interface_class; /* 0: 0x0B */
	gboolean no_interrupt;
} CcidSimDeviceSpec;

CcidSim *ccid_sim_new(const gchar *socket_path, GError **error);
void ccid_sim_free(CcidSim *sim);

/* a device, plugged in; returns its number */
guint ccid_sim_add_device(CcidSim *sim, const CcidSimDeviceSpec *spec);
void ccid_sim_unplug(CcidSim *sim, guint dev);
void ccid_sim_plug(CcidSim *sim, guint dev);

/* @protocol 0 or 1; @classes: ATR class indicator (REMSIM_CCID_ATR_CLASS_*), 0: none, any voltage
 */
void ccid_sim_insert(CcidSim *sim, guint dev, guint slot, RemsimSimcardCard *card, guint protocol,
		     guint8 classes);
void ccid_sim_remove(CcidSim *sim, guint dev, guint slot);

/* the next answer of @dev goes wrong this way */
void ccid_sim_set_fault(CcidSim *sim, guint dev, CcidSimFault fault, guint8 b_error);
/* time extensions before every answer to XfrBlock */
void ccid_sim_set_time_extensions(CcidSim *sim, guint dev, guint n);
/* T=1 cards ask for S(WTX) with @multiplier before every answer (0: never) */
void ccid_sim_set_wtx(CcidSim *sim, guint dev, guint8 multiplier);
/* answers to XfrBlock wait while held; a card removed meanwhile fails them */
void ccid_sim_hold(CcidSim *sim, guint dev, gboolean hold);
gboolean ccid_sim_is_holding(CcidSim *sim, guint dev);

/* how many commands of @type @dev got */
guint ccid_sim_count(CcidSim *sim, guint dev, guint8 type);
/* bPowerSelect of every IccPowerOn, as a string of digits ("123") */
const gchar *ccid_sim_power_selects(CcidSim *sim, guint dev);
/* whether a host is connected */
gboolean ccid_sim_connected(CcidSim *sim);

G_END_DECLS
