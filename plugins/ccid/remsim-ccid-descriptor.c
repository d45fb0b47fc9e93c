/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-message.h"

static guint32
remsim_ccid_descriptor_u32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static void
remsim_ccid_descriptor_put32(guint8 *p, guint32 v)
{
	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
	p[2] = (guint8)(v >> 16);
	p[3] = (guint8)(v >> 24);
}

gboolean
remsim_ccid_descriptor_parse(const guint8 *extra, gsize len, RemsimCcidDescriptor *desc,
			     GError **error)
{
	const guint8 *p = NULL;

	/* walk bLength/bDescriptorType pairs; a zero length would never end */
	for (gsize off = 0; off + 2 <= len && extra[off] >= 2; off += extra[off]) {
		if (extra[off + 1] == REMSIM_CCID_DESCRIPTOR_TYPE) {
			if (extra[off] < REMSIM_CCID_DESCRIPTOR_SIZE ||
			    off + REMSIM_CCID_DESCRIPTOR_SIZE > len) {
				g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
					    "CCID class descriptor of %u bytes, need %u",
					    (guint)MIN(extra[off], len - off),
					    REMSIM_CCID_DESCRIPTOR_SIZE);
				return FALSE;
			}
			p = extra + off;
			break;
		}
	}
	if (p == NULL) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "no CCID class descriptor");
		return FALSE;
	}
	desc->bcd_ccid = (guint16)(p[2] | p[3] << 8);
	desc->max_slot_index = p[4];
	desc->voltage_support = p[5];
	desc->protocols = remsim_ccid_descriptor_u32(p + 6);
	desc->default_clock = remsim_ccid_descriptor_u32(p + 10);
	desc->maximum_clock = remsim_ccid_descriptor_u32(p + 14);
	desc->num_clocks = p[18];
	desc->data_rate = remsim_ccid_descriptor_u32(p + 19);
	desc->max_data_rate = remsim_ccid_descriptor_u32(p + 23);
	desc->num_data_rates = p[27];
	desc->max_ifsd = remsim_ccid_descriptor_u32(p + 28);
	desc->synch_protocols = remsim_ccid_descriptor_u32(p + 32);
	desc->mechanical = remsim_ccid_descriptor_u32(p + 36);
	desc->features = remsim_ccid_descriptor_u32(p + 40);
	desc->max_message_length = remsim_ccid_descriptor_u32(p + 44);
	desc->class_get_response = p[48];
	desc->class_envelope = p[49];
	desc->lcd_layout = (guint16)(p[50] | p[51] << 8);
	desc->pin_support = p[52];
	desc->max_busy_slots = p[53];
	/* the smallest useful message: a header and a 5-byte TPDU header */
	if (desc->max_message_length < REMSIM_CCID_HEADER_SIZE + 5) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "CCID messages of at most %u bytes", desc->max_message_length);
		return FALSE;
	}
	desc->max_message_length =
	    MIN(desc->max_message_length, REMSIM_CCID_HEADER_SIZE + REMSIM_CCID_MAX_DATA);
	return TRUE;
}

GBytes *
remsim_ccid_descriptor_build(const RemsimCcidDescriptor *desc)
{
	guint8 *p = g_malloc0(REMSIM_CCID_DESCRIPTOR_SIZE);

	p[0] = REMSIM_CCID_DESCRIPTOR_SIZE;
	p[1] = REMSIM_CCID_DESCRIPTOR_TYPE;
	p[2] = (guint8)desc->bcd_ccid;
	p[3] = (guint8)(desc->bcd_ccid >> 8);
	p[4] = desc->max_slot_index;
	p[5] = desc->voltage_support;
	remsim_ccid_descriptor_put32(p + 6, desc->protocols);
	remsim_ccid_descriptor_put32(p + 10, desc->default_clock);
	remsim_ccid_descriptor_put32(p + 14, desc->maximum_clock);
	p[18] = desc->num_clocks;
	remsim_ccid_descriptor_put32(p + 19, desc->data_rate);
	remsim_ccid_descriptor_put32(p + 23, desc->max_data_rate);
	p[27] = desc->num_data_rates;
	remsim_ccid_descriptor_put32(p + 28, desc->max_ifsd);
	remsim_ccid_descriptor_put32(p + 32, desc->synch_protocols);
	remsim_ccid_descriptor_put32(p + 36, desc->mechanical);
	remsim_ccid_descriptor_put32(p + 40, desc->features);
	remsim_ccid_descriptor_put32(p + 44, desc->max_message_length);
	p[48] = desc->class_get_response;
	p[49] = desc->class_envelope;
	p[50] = (guint8)desc->lcd_layout;
	p[51] = (guint8)(desc->lcd_layout >> 8);
	p[52] = desc->pin_support;
	p[53] = desc->max_busy_slots;
	return g_bytes_new_take(p, REMSIM_CCID_DESCRIPTOR_SIZE);
}

RemsimCcidLevel
remsim_ccid_descriptor_get_level(const RemsimCcidDescriptor *desc)
{
	guint32 level = desc->features & REMSIM_CCID_FEATURE_LEVEL_MASK;

	/* the highest level a reader claims wins, should it claim several */
	if (level & REMSIM_CCID_FEATURE_LEVEL_EXTENDED_APDU)
		return REMSIM_CCID_LEVEL_EXTENDED_APDU;
	if (level & REMSIM_CCID_FEATURE_LEVEL_SHORT_APDU)
		return REMSIM_CCID_LEVEL_SHORT_APDU;
	if (level & REMSIM_CCID_FEATURE_LEVEL_TPDU)
		return REMSIM_CCID_LEVEL_TPDU;
	return REMSIM_CCID_LEVEL_CHARACTER;
}

const gchar *
remsim_ccid_descriptor_level_name(RemsimCcidLevel level)
{
	static const gchar *const names[] = { "character", "TPDU", "short APDU", "extended APDU" };

	return level < G_N_ELEMENTS(names) ? names[level] : "?";
}
