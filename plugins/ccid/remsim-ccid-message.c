/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-error.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-message.h"

static const struct {
	guint8 command;
	guint8 answer;
} remsim_ccid_message_answers[] = {
	{ REMSIM_CCID_PC_TO_RDR_SET_PARAMETERS, REMSIM_CCID_RDR_TO_PC_PARAMETERS },
	{ REMSIM_CCID_PC_TO_RDR_ICC_POWER_ON, REMSIM_CCID_RDR_TO_PC_DATA_BLOCK },
	{ REMSIM_CCID_PC_TO_RDR_ICC_POWER_OFF, REMSIM_CCID_RDR_TO_PC_SLOT_STATUS },
	{ REMSIM_CCID_PC_TO_RDR_GET_SLOT_STATUS, REMSIM_CCID_RDR_TO_PC_SLOT_STATUS },
	{ REMSIM_CCID_PC_TO_RDR_ESCAPE, REMSIM_CCID_RDR_TO_PC_ESCAPE },
	{ REMSIM_CCID_PC_TO_RDR_GET_PARAMETERS, REMSIM_CCID_RDR_TO_PC_PARAMETERS },
	{ REMSIM_CCID_PC_TO_RDR_RESET_PARAMETERS, REMSIM_CCID_RDR_TO_PC_PARAMETERS },
	{ REMSIM_CCID_PC_TO_RDR_XFR_BLOCK, REMSIM_CCID_RDR_TO_PC_DATA_BLOCK },
	{ REMSIM_CCID_PC_TO_RDR_ABORT, REMSIM_CCID_RDR_TO_PC_SLOT_STATUS },
};

/* what a failed command's bError means for the card; the rest is TRANSMISSION */
static const struct {
	guint8 b_error;
	RemsimCardError code;
} remsim_ccid_message_card_errors[] = {
	{ 0xfe, REMSIM_CARD_ERROR_UNRESPONSIVE }, { 0xfb, REMSIM_CARD_ERROR_FAILED },
	{ 0xf6, REMSIM_CARD_ERROR_INVALID },	  { 0xf5, REMSIM_CARD_ERROR_INVALID },
	{ 0xf3, REMSIM_CARD_ERROR_NOT_POWERED },  { 0xf2, REMSIM_CARD_ERROR_IN_USE },
	{ 0xe0, REMSIM_CARD_ERROR_IN_USE },	  { 0x00, REMSIM_CARD_ERROR_INVALID },
};

GBytes *
remsim_ccid_message_build(guint8 type, guint8 slot, guint8 seq, guint8 b7, guint8 b8, guint8 b9,
			  const guint8 *data, gsize len)
{
	guint8 *buf = g_malloc(REMSIM_CCID_HEADER_SIZE + len);

	buf[0] = type;
	buf[1] = (guint8)(len & 0xff);
	buf[2] = (guint8)((len >> 8) & 0xff);
	buf[3] = (guint8)((len >> 16) & 0xff);
	buf[4] = (guint8)((len >> 24) & 0xff);
	buf[5] = slot;
	buf[6] = seq;
	buf[7] = b7;
	buf[8] = b8;
	buf[9] = b9;
	for (gsize i = 0; i < len; i++)
		buf[REMSIM_CCID_HEADER_SIZE + i] = data[i];
	return g_bytes_new_take(buf, REMSIM_CCID_HEADER_SIZE + len);
}

gboolean
remsim_ccid_message_parse(const guint8 *buf, gsize len, RemsimCcidMessage *msg, GError **error)
{
	guint32 dw_length;

	if (len < REMSIM_CCID_HEADER_SIZE) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "short CCID message: %" G_GSIZE_FORMAT " bytes", len);
		return FALSE;
	}
	dw_length =
	    (guint32)buf[1] | (guint32)buf[2] << 8 | (guint32)buf[3] << 16 | (guint32)buf[4] << 24;
	if (dw_length > REMSIM_CCID_MAX_DATA || dw_length != len - REMSIM_CCID_HEADER_SIZE) {
		g_set_error(
		    error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
		    "CCID message of type 0x%02x announces %u data bytes and has %" G_GSIZE_FORMAT,
		    buf[0], dw_length, len - REMSIM_CCID_HEADER_SIZE);
		return FALSE;
	}
	msg->type = buf[0];
	msg->slot = buf[5];
	msg->seq = buf[6];
	msg->b7 = buf[7];
	msg->b8 = buf[8];
	msg->b9 = buf[9];
	msg->data = buf + REMSIM_CCID_HEADER_SIZE;
	msg->len = dw_length;
	return TRUE;
}

guint8
remsim_ccid_message_answer_type(guint8 command_type)
{
	for (guint i = 0; i < G_N_ELEMENTS(remsim_ccid_message_answers); i++) {
		if (remsim_ccid_message_answers[i].command == command_type)
			return remsim_ccid_message_answers[i].answer;
	}
	return 0;
}

gboolean
remsim_ccid_message_parse_answer(const guint8 *buf, gsize len, guint8 command_type, guint8 slot,
				 guint8 seq, RemsimCcidMessage *msg, GError **error)
{
	guint8 want = remsim_ccid_message_answer_type(command_type);

	if (!remsim_ccid_message_parse(buf, len, msg, error))
		return FALSE;
	if (msg->type != want) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "CCID answer of type 0x%02x to a command 0x%02x (expected 0x%02x)",
			    msg->type, command_type, want);
		return FALSE;
	}
	if (msg->slot != slot || msg->seq != seq) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_SEQUENCE,
			    "CCID answer for slot %u sequence %u, expected slot %u sequence %u",
			    msg->slot, msg->seq, slot, seq);
		return FALSE;
	}
	return TRUE;
}

RemsimCcidIccStatus
remsim_ccid_message_icc_status(const RemsimCcidMessage *msg)
{
	return (RemsimCcidIccStatus)(msg->b7 & 0x03);
}

RemsimCcidCommandStatus
remsim_ccid_message_command_status(const RemsimCcidMessage *msg)
{
	return (RemsimCcidCommandStatus)(msg->b7 >> 6);
}

gboolean
remsim_ccid_message_check(const RemsimCcidMessage *msg, GError **error)
{
	RemsimCardError code = REMSIM_CARD_ERROR_TRANSMISSION;
	RemsimCcidCommandStatus status = remsim_ccid_message_command_status(msg);

	if (status == REMSIM_CCID_COMMAND_OK)
		return TRUE;
	if (status != REMSIM_CCID_COMMAND_FAILED) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "reader slot %u: command status %u", msg->slot, status);
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(remsim_ccid_message_card_errors); i++) {
		if (remsim_ccid_message_card_errors[i].b_error == msg->b8)
			code = remsim_ccid_message_card_errors[i].code;
	}
	if (msg->b8 >= 0x01 && msg->b8 <= 0x7f)
		code = REMSIM_CARD_ERROR_INVALID;
	/* whatever the error, a reader that sees no card says so */
	if (remsim_ccid_message_icc_status(msg) == REMSIM_CCID_ICC_ABSENT)
		code = REMSIM_CARD_ERROR_NO_CARD;
	g_set_error(error, REMSIM_CARD_ERROR, code, "reader slot %u: %s (0x%02x)", msg->slot,
		    remsim_ccid_error_describe(msg->b8), msg->b8);
	return FALSE;
}

gboolean
remsim_ccid_message_parse_notify(const guint8 *buf, gsize len, guint slot, gboolean *present,
				 gboolean *changed, GError **error)
{
	guint byte = 1 + slot / 4, bit = 2 * (slot % 4);

	if (len < 1 || buf[0] != REMSIM_CCID_RDR_TO_PC_NOTIFY_SLOT_CHANGE) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "interrupt message of type 0x%02x is no slot change",
			    len > 0 ? buf[0] : 0);
		return FALSE;
	}
	if (byte >= len) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "slot change of %" G_GSIZE_FORMAT " bytes says nothing of slot %u", len,
			    slot);
		return FALSE;
	}
	*present = (buf[byte] >> bit) & 1;
	*changed = (buf[byte] >> (bit + 1)) & 1;
	return TRUE;
}

GBytes *
remsim_ccid_message_build_notify(guint n_slots, guint32 present, guint32 changed)
{
	gsize len = 1 + (MIN(n_slots, 32) + 3) / 4;
	guint8 *buf = g_malloc0(len);

	buf[0] = REMSIM_CCID_RDR_TO_PC_NOTIFY_SLOT_CHANGE;
	for (guint i = 0; i < MIN(n_slots, 32); i++) {
		if (present & (1u << i))
			buf[1 + i / 4] |= (guint8)(1u << (2 * (i % 4)));
		if (changed & (1u << i))
			buf[1 + i / 4] |= (guint8)(1u << (2 * (i % 4) + 1));
	}
	return g_bytes_new_take(buf, len);
}
