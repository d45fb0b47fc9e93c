/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CCID class descriptor (type 0x21, 54 bytes) that follows a smart-card
 * interface descriptor: what the reader can do. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CCID_DESCRIPTOR_TYPE 0x21
#define REMSIM_CCID_DESCRIPTOR_SIZE 54

/* dwFeatures */
#define REMSIM_CCID_FEATURE_AUTO_PARAMETERS_ATR 0x00000002
#define REMSIM_CCID_FEATURE_AUTO_ACTIVATION 0x00000004
#define REMSIM_CCID_FEATURE_AUTO_VOLTAGE 0x00000008
#define REMSIM_CCID_FEATURE_AUTO_CLOCK 0x00000010
#define REMSIM_CCID_FEATURE_AUTO_BAUD 0x00000020
#define REMSIM_CCID_FEATURE_AUTO_NEGOTIATION 0x00000040
#define REMSIM_CCID_FEATURE_AUTO_PPS 0x00000080
#define REMSIM_CCID_FEATURE_AUTO_IFSD 0x00000400
#define REMSIM_CCID_FEATURE_LEVEL_MASK 0x00070000
#define REMSIM_CCID_FEATURE_LEVEL_TPDU 0x00010000
#define REMSIM_CCID_FEATURE_LEVEL_SHORT_APDU 0x00020000
#define REMSIM_CCID_FEATURE_LEVEL_EXTENDED_APDU 0x00040000

/* bVoltageSupport */
#define REMSIM_CCID_VOLTAGE_5V 0x01
#define REMSIM_CCID_VOLTAGE_3V 0x02
#define REMSIM_CCID_VOLTAGE_1V8 0x04

typedef enum {
	REMSIM_CCID_LEVEL_CHARACTER,
	REMSIM_CCID_LEVEL_TPDU,
	REMSIM_CCID_LEVEL_SHORT_APDU,
	REMSIM_CCID_LEVEL_EXTENDED_APDU,
} RemsimCcidLevel;

typedef struct {
	guint16 bcd_ccid;
	guint8 max_slot_index;
	guint8 voltage_support;
	guint32 protocols; /* bit 0 T=0, bit 1 T=1 */
	guint32 default_clock;
	guint32 maximum_clock;
	guint8 num_clocks;
	guint32 data_rate;
	guint32 max_data_rate;
	guint8 num_data_rates;
	guint32 max_ifsd;
	guint32 synch_protocols;
	guint32 mechanical;
	guint32 features;
	guint32 max_message_length;
	guint8 class_get_response;
	guint8 class_envelope;
	guint16 lcd_layout;
	guint8 pin_support;
	guint8 max_busy_slots;
} RemsimCcidDescriptor;

/*
 * The first CCID class descriptor among the descriptors in @extra (the
 * interface's extra descriptors, as the USB stack hands them over), checked:
 * FALSE with REMSIM_CCID_ERROR_MALFORMED if there is none, it is short, or
 * its message length cannot hold a command.
 */
gboolean remsim_ccid_descriptor_parse(const guint8 *extra, gsize len, RemsimCcidDescriptor *desc,
				      GError **error);
/* the 54 bytes of @desc (the test device sends them) */
GBytes *remsim_ccid_descriptor_build(const RemsimCcidDescriptor *desc);

RemsimCcidLevel remsim_ccid_descriptor_get_level(const RemsimCcidDescriptor *desc);
const gchar *remsim_ccid_descriptor_level_name(RemsimCcidLevel level);

G_END_DECLS
