/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCcidReader: one CCID reader on a transport. Opening it reads and
 * checks its class descriptor, applies its quirks, reads its USB strings (for
 * its name) and the state of every slot, then follows the interrupt endpoint.
 * Commands go through one queue: one command at a time per slot, at most
 * bMaxCCIDBusySlots at once, each answer matched by bSlot and bSeq, time
 * extensions honoured (within bounds), every transfer with a timeout.
 *
 * Signals: ::slot-changed (guint slot, gboolean present) when a card comes or
 * goes; ::gone when the reader can no longer be used (unplugged).
 */
#pragma once

#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-message.h"
#include "remsim-ccid-quirks.h"
#include "remsim-ccid-transport.h"

G_BEGIN_DECLS

/* the answer to one command */
typedef struct {
	guint8 type;
	guint8 slot;
	guint8 status; /* bStatus */
	guint8 error;  /* bError */
	guint8 param;  /* bChainParameter, bClockStatus, bProtocolNum */
	GBytes *data;
} RemsimCcidAnswer;

void remsim_ccid_reader_answer_free(RemsimCcidAnswer *answer);
/* FALSE with the REMSIM_CARD_ERROR that bStatus and bError name if the command failed */
gboolean remsim_ccid_reader_answer_check(const RemsimCcidAnswer *answer, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCcidAnswer, remsim_ccid_reader_answer_free)

#define REMSIM_TYPE_CCID_READER (remsim_ccid_reader_get_type())
G_DECLARE_FINAL_TYPE(RemsimCcidReader, remsim_ccid_reader, REMSIM, CCID_READER, GObject)

/* @quirk may be NULL; @timeout_ms: how long a command may take without time extension */
RemsimCcidReader *remsim_ccid_reader_new(RemsimCcidTransport *transport,
					 const RemsimCcidDeviceInfo *info,
					 const RemsimCcidQuirk *quirk, guint timeout_ms);

void remsim_ccid_reader_open_async(RemsimCcidReader *self, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data);
gboolean remsim_ccid_reader_open_finish(RemsimCcidReader *self, GAsyncResult *result,
					GError **error);
/* stops everything: commands in flight end with REMSIM_CCID_ERROR_NO_DEVICE */
void remsim_ccid_reader_close(RemsimCcidReader *self);

/*
 * One command and its answer (whatever its status: see remsim_ccid_reader_answer_check).
 * @timeout_factor (>= 1) lengthens the timeout, as bBWI does for the reader.
 */
void remsim_ccid_reader_command_async(RemsimCcidReader *self, guint8 slot, guint8 type, guint8 b7,
				      guint8 b8, guint8 b9, GBytes *data, guint timeout_factor,
				      GCancellable *cancellable, GAsyncReadyCallback callback,
				      gpointer user_data);
RemsimCcidAnswer *remsim_ccid_reader_command_finish(RemsimCcidReader *self, GAsyncResult *result,
						    GError **error);

const RemsimCcidDeviceInfo *remsim_ccid_reader_get_info(RemsimCcidReader *self);
const RemsimCcidDescriptor *remsim_ccid_reader_get_descriptor(RemsimCcidReader *self);
guint remsim_ccid_reader_get_quirks(RemsimCcidReader *self);
guint remsim_ccid_reader_get_n_slots(RemsimCcidReader *self);
/* "FRIENDLY [INTERFACE] (SERIAL)", known once open */
const gchar *remsim_ccid_reader_get_name(RemsimCcidReader *self);
const gchar *remsim_ccid_reader_get_serial(RemsimCcidReader *self);
/* NN of the slot names, among readers of the same name */
void remsim_ccid_reader_set_number(RemsimCcidReader *self, guint number);
gchar *remsim_ccid_reader_dup_slot_name(RemsimCcidReader *self, guint slot);
gboolean remsim_ccid_reader_get_present(RemsimCcidReader *self, guint slot);
gboolean remsim_ccid_reader_is_gone(RemsimCcidReader *self);

G_END_DECLS
