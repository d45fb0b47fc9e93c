/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISO 7816-4 case of a T=0 command from its header: T=0 does not say whether
 * P3 is Lc or Le, so a card emulator must know the command (libosmocore's
 * "UICC+SIM" table, as SIMtrace2 hosts use it).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_CLIENT_APDU_CASE_UNKNOWN = 0,
	REMSIM_CLIENT_APDU_CASE_1 = 1, /* no data */
	REMSIM_CLIENT_APDU_CASE_2 = 2, /* P3 = Le: data from the card */
	REMSIM_CLIENT_APDU_CASE_3 = 3, /* P3 = Lc: data to the card */
	REMSIM_CLIENT_APDU_CASE_4 = 4, /* P3 = Lc, response fetched with GET RESPONSE */
} RemsimClientApduCase;

/* @header: CLA INS P1 P2 P3 */
RemsimClientApduCase remsim_client_apdu_case(const guint8 header[5]);

G_END_DECLS
