/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CCID bulk messages (10-byte header, little-endian dwLength, then data) and
 * interrupt messages, both directions: the host builds PC_to_RDR commands and
 * parses RDR_to_PC answers; the test device does the reverse. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CCID_HEADER_SIZE 10
/* the most data any message may carry: an extended APDU block and its SW */
#define REMSIM_CCID_MAX_DATA (65536 + 2)

typedef enum {
	REMSIM_CCID_PC_TO_RDR_SET_PARAMETERS = 0x61,
	REMSIM_CCID_PC_TO_RDR_ICC_POWER_ON = 0x62,
	REMSIM_CCID_PC_TO_RDR_ICC_POWER_OFF = 0x63,
	REMSIM_CCID_PC_TO_RDR_GET_SLOT_STATUS = 0x65,
	REMSIM_CCID_PC_TO_RDR_ESCAPE = 0x6b,
	REMSIM_CCID_PC_TO_RDR_GET_PARAMETERS = 0x6c,
	REMSIM_CCID_PC_TO_RDR_RESET_PARAMETERS = 0x6d,
	REMSIM_CCID_PC_TO_RDR_XFR_BLOCK = 0x6f,
	REMSIM_CCID_PC_TO_RDR_ABORT = 0x72,
	REMSIM_CCID_RDR_TO_PC_DATA_BLOCK = 0x80,
	REMSIM_CCID_RDR_TO_PC_SLOT_STATUS = 0x81,
	REMSIM_CCID_RDR_TO_PC_PARAMETERS = 0x82,
	REMSIM_CCID_RDR_TO_PC_ESCAPE = 0x83,
	REMSIM_CCID_RDR_TO_PC_DATA_RATE = 0x84,
	REMSIM_CCID_RDR_TO_PC_NOTIFY_SLOT_CHANGE = 0x50,
	REMSIM_CCID_RDR_TO_PC_HARDWARE_ERROR = 0x51,
} RemsimCcidMessageType;

/* bmICCStatus, bits 0-1 of bStatus */
typedef enum {
	REMSIM_CCID_ICC_ACTIVE = 0,
	REMSIM_CCID_ICC_INACTIVE = 1,
	REMSIM_CCID_ICC_ABSENT = 2,
} RemsimCcidIccStatus;

/* bmCommandStatus, bits 6-7 of bStatus */
typedef enum {
	REMSIM_CCID_COMMAND_OK = 0,
	REMSIM_CCID_COMMAND_FAILED = 1,
	REMSIM_CCID_COMMAND_TIME_EXTENSION = 2,
} RemsimCcidCommandStatus;

/* wLevelParameter of XfrBlock and bChainParameter of DataBlock (extended APDU level) */
typedef enum {
	REMSIM_CCID_CHAIN_WHOLE = 0x00,
	REMSIM_CCID_CHAIN_BEGIN = 0x01,
	REMSIM_CCID_CHAIN_END = 0x02,
	REMSIM_CCID_CHAIN_MIDDLE = 0x03,
	REMSIM_CCID_CHAIN_CONTINUE = 0x10,
} RemsimCcidChain;

/*
 * One bulk message. Bytes 7-9 are bStatus, bError and bChainParameter (or
 * bClockStatus, bProtocolNum) in an answer, and message-specific in a command
 * (bPowerSelect; bBWI and wLevelParameter; bProtocolNum). @data points into the
 * parsed buffer.
 */
typedef struct {
	guint8 type;
	guint8 slot;
	guint8 seq;
	guint8 b7, b8, b9;
	const guint8 *data;
	gsize len;
} RemsimCcidMessage;

GBytes *remsim_ccid_message_build(guint8 type, guint8 slot, guint8 seq, guint8 b7, guint8 b8,
				  guint8 b9, const guint8 *data, gsize len);

/* a whole message: the header and exactly dwLength bytes (REMSIM_CCID_ERROR_MALFORMED else) */
gboolean remsim_ccid_message_parse(const guint8 *buf, gsize len, RemsimCcidMessage *msg,
				   GError **error);

/*
 * The answer to the command @type sent to @slot with @seq: parsed, of the
 * answer type that command gets (MALFORMED else), for that slot and sequence
 * number (SEQUENCE else). Status is not looked at: see _check().
 */
gboolean remsim_ccid_message_parse_answer(const guint8 *buf, gsize len, guint8 command_type,
					  guint8 slot, guint8 seq, RemsimCcidMessage *msg,
					  GError **error);

/* the answer type of a command type, 0 if none */
guint8 remsim_ccid_message_answer_type(guint8 command_type);

RemsimCcidIccStatus remsim_ccid_message_icc_status(const RemsimCcidMessage *msg);
RemsimCcidCommandStatus remsim_ccid_message_command_status(const RemsimCcidMessage *msg);

/* FALSE with a REMSIM_CARD_ERROR that bStatus and bError name if the command failed */
gboolean remsim_ccid_message_check(const RemsimCcidMessage *msg, GError **error);

/*
 * RDR_to_PC_NotifySlotChange: whether @slot has a card and whether that
 * changed. FALSE with MALFORMED if @buf is no such message or too short for
 * @slot.
 */
gboolean remsim_ccid_message_parse_notify(const guint8 *buf, gsize len, guint slot,
					  gboolean *present, gboolean *changed, GError **error);
/* the message for @n_slots slots; bit i of @present / @changed for slot i (up to 32 slots) */
GBytes *remsim_ccid_message_build_notify(guint n_slots, guint32 present, guint32 changed);

G_END_DECLS
