/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdGsmtap: a copy of the bank's card traffic for Wireshark, as
 * upstream's -g sends it: GSMTAP version 2, type SIM, in UDP datagrams. The ATR
 * a client is sent goes as sub-type ATR, each command with the card's response
 * right after it as sub-type APDU; every other header field is zero. Sending
 * never blocks and never fails the relay: a datagram that cannot go is dropped
 * (the first failure is logged). A host name is resolved without blocking;
 * until its address is known, datagrams are dropped.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* GSMTAP's registered UDP port, upstream's fixed destination */
#define REMSIM_BANKD_GSMTAP_PORT 4729
#define REMSIM_BANKD_GSMTAP_VERSION 2
#define REMSIM_BANKD_GSMTAP_HEADER_LEN 16
#define REMSIM_BANKD_GSMTAP_TYPE_SIM 0x04

typedef enum {
	REMSIM_BANKD_GSMTAP_SIM_APDU = 0,
	REMSIM_BANKD_GSMTAP_SIM_ATR = 1,
} RemsimBankdGsmtapSubType;

#define REMSIM_TYPE_BANKD_GSMTAP (remsim_bankd_gsmtap_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdGsmtap, remsim_bankd_gsmtap, REMSIM, BANKD_GSMTAP, GObject)

/* to @host (an address or a name) on UDP port @port; @slot_nr: only that bank slot, -1: all */
RemsimBankdGsmtap *remsim_bankd_gsmtap_new(const gchar *host, guint16 port, gint slot_nr);

/* the ATR a client of bank slot @slot_nr is sent */
void remsim_bankd_gsmtap_send_atr(RemsimBankdGsmtap *self, guint slot_nr, GBytes *atr);
/* a command of bank slot @slot_nr and the card's response (data and status word) */
void remsim_bankd_gsmtap_send_apdu(RemsimBankdGsmtap *self, guint slot_nr, GBytes *command,
				   GBytes *response);

G_END_DECLS
