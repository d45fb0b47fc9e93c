/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known reader quirks, as data: a key file with one group per device,
 * "[VVVV:PPPP]" in hex, and the keys
 *   name = TEXT                 the reader's friendly name (as pcscd's CCID
 *                               driver lists it), instead of the USB strings
 *   flags = FLAG;...            see remsim_ccid_quirks_flag_names
 *   max-message-length = N      overrides dwMaxCCIDMessageLength
 *   max-busy-slots = N          overrides bMaxCCIDBusySlots
 * The code looks flags up in a table; no device is named in C. No I/O but
 * _load().
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_CCID_QUIRK_VENDOR_CLASS = 1 << 0,      /* interface class 0xFF speaks CCID */
	REMSIM_CCID_QUIRK_NO_SET_PARAMETERS = 1 << 1, /* SetParameters breaks the reader */
	REMSIM_CCID_QUIRK_NO_IFS_REQUEST = 1 << 2,    /* T=1: no S(IFS) after power-on */
	REMSIM_CCID_QUIRK_NO_INTERRUPT = 1 << 3,      /* its interrupt endpoint lies */
	REMSIM_CCID_QUIRK_NO_AUTO_VOLTAGE = 1 << 4,   /* claims automatic voltage, lacks it */
} RemsimCcidQuirkFlags;

typedef struct {
	guint16 vendor;
	guint16 product;
	gchar *name;
	guint flags;
	guint32 max_message_length; /* 0: the descriptor's */
	guint max_busy_slots;	    /* 0: the descriptor's */
} RemsimCcidQuirk;

typedef struct _RemsimCcidQuirks RemsimCcidQuirks;

/* NULL with an error "PATH: [group] key: what" (G_KEY_FILE_ERROR) */
RemsimCcidQuirks *remsim_ccid_quirks_parse(const gchar *text, gsize len, const gchar *path,
					   GError **error);
RemsimCcidQuirks *remsim_ccid_quirks_load(const gchar *path, GError **error);
RemsimCcidQuirks *remsim_ccid_quirks_new_empty(void);
void remsim_ccid_quirks_free(RemsimCcidQuirks *quirks);
/* NULL if the device has no quirks */
const RemsimCcidQuirk *remsim_ccid_quirks_lookup(const RemsimCcidQuirks *quirks, guint16 vendor,
						 guint16 product);
guint remsim_ccid_quirks_count(const RemsimCcidQuirks *quirks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCcidQuirks, remsim_ccid_quirks_free)

G_END_DECLS
