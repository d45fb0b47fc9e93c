/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frames of the simulator transport: USB as seen from the host, carried
 * over a stream socket between the ccid backend (host side) and a CCID device
 * simulator (device side). Each frame: u32 length of what follows, then op,
 * status, u16 device, u32 tag, u32 value (all little-endian), then data.
 *
 * host → device: OPEN, CLOSE, BULK_OUT (data), BULK_IN and INTERRUPT_IN
 * (value = the most bytes to take), CONTROL (data = the 8-byte setup packet
 * and the data stage of an OUT request), CANCEL (tag of the transfer).
 * device → host: DEVICE_ADDED (data = the device description),
 * DEVICE_REMOVED, COMPLETE (tag, status, data of an IN transfer).
 * Timeouts are the host's: it cancels a transfer that took too long. No I/O here.
 */
#pragma once

#include "remsim-ccid-device-info.h"

G_BEGIN_DECLS

#define REMSIM_CCID_WIRE_HEADER 16
#define REMSIM_CCID_WIRE_MAX_DATA (65536 + 2048)

typedef enum {
	REMSIM_CCID_WIRE_OPEN = 1,
	REMSIM_CCID_WIRE_CLOSE = 2,
	REMSIM_CCID_WIRE_BULK_OUT = 3,
	REMSIM_CCID_WIRE_BULK_IN = 4,
	REMSIM_CCID_WIRE_INTERRUPT_IN = 5,
	REMSIM_CCID_WIRE_CONTROL = 6,
	REMSIM_CCID_WIRE_CANCEL = 7,
	REMSIM_CCID_WIRE_DEVICE_ADDED = 0x81,
	REMSIM_CCID_WIRE_DEVICE_REMOVED = 0x82,
	REMSIM_CCID_WIRE_COMPLETE = 0x83,
} RemsimCcidWireOp;

typedef enum {
	REMSIM_CCID_WIRE_STATUS_OK = 0,
	REMSIM_CCID_WIRE_STATUS_ERROR = 1,
	REMSIM_CCID_WIRE_STATUS_STALL = 2,
	REMSIM_CCID_WIRE_STATUS_NO_DEVICE = 3,
	REMSIM_CCID_WIRE_STATUS_OVERFLOW = 4,
} RemsimCcidWireStatus;

typedef struct {
	guint8 op;
	guint8 status;
	guint16 device;
	guint32 tag;
	guint32 value;
	GBytes *data; /* never NULL once decoded */
} RemsimCcidWireFrame;

GBytes *remsim_ccid_wire_encode(const RemsimCcidWireFrame *frame);
/*
 * Takes one frame off the front of @buffer: TRUE with @frame filled (free it
 * with _clear()); FALSE without @error while more bytes are needed; FALSE with
 * REMSIM_CCID_ERROR_MALFORMED for a frame too long or too short.
 */
gboolean remsim_ccid_wire_next(GByteArray *buffer, RemsimCcidWireFrame *frame, GError **error);
void remsim_ccid_wire_clear(RemsimCcidWireFrame *frame);

GBytes *remsim_ccid_wire_encode_device(const RemsimCcidDeviceInfo *info);
/* NULL with REMSIM_CCID_ERROR_MALFORMED; the id is @device */
RemsimCcidDeviceInfo *remsim_ccid_wire_decode_device(guint16 device, GBytes *data, GError **error);

G_END_DECLS
