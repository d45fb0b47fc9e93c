/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parts of an ATR (ISO/IEC 7816-3) a reader driver needs: protocols,
 * TA1/TC1/TC2, the T=1 parameters, the class indicator (which voltages the
 * card takes), and the SetParameters data built from them. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CCID_ATR_MAX 33

/* the card's voltage classes (class indicator, T=15 TA bits 0-2) */
#define REMSIM_CCID_ATR_CLASS_A 0x01 /* 5 V */
#define REMSIM_CCID_ATR_CLASS_B 0x02 /* 3 V */
#define REMSIM_CCID_ATR_CLASS_C 0x04 /* 1.8 V */

typedef struct {
	gboolean inverse;
	guint8 protocols; /* bit 0 T=0, bit 1 T=1; T=0 if no TD1 */
	guint8 first_protocol;
	gboolean has_ta1;
	guint8 ta1;		/* Fi/Di, 0x11 if absent */
	guint8 tc1;		/* extra guard time */
	guint8 wi;		/* T=0 waiting integer (TC2), 10 if absent */
	gboolean specific_mode; /* TA2 present */
	guint8 specific_protocol;
	guint8 ifsc;	   /* T=1: TA3, 32 if absent */
	guint8 bwi_cwi;	   /* T=1: TB3, 0x4d if absent */
	gboolean crc;	   /* T=1: TC3 bit 0 */
	guint8 classes;	   /* REMSIM_CCID_ATR_CLASS_*, 0 if the card says nothing */
	guint8 clock_stop; /* T=15 TA bits 7-6 */
	guint n_historical;
} RemsimCcidAtr;

/* FALSE with REMSIM_CCID_ERROR_MALFORMED for a bad TS, a length that does not add up or a bad TCK
 */
gboolean remsim_ccid_atr_parse(const guint8 *atr, gsize len, RemsimCcidAtr *out, GError **error);

/*
 * abProtocolDataStructure of SetParameters for @protocol (0 or 1): 5 bytes for
 * T=0, 7 for T=1. @fi_di is the bmFindexDindex to use (TA1 once PPS was done,
 * or 0x11).
 */
GBytes *remsim_ccid_atr_protocol_data(const RemsimCcidAtr *atr, guint protocol, guint8 fi_di);

G_END_DECLS
