/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdRelay: a bank slot's APDUs in steady state, on a thread of the
 * slot's own that owns the client's socket and the card at once. The main
 * context lends it the client connection's socket (rspro_connection_lend());
 * the thread then waits on the socket, reads each tpduModemToCard, sends it
 * to the card with the backend's transmit_sync and writes the tpduCardToModem
 * back, answering the client's keep-alive PINGs too: one thread wakes per
 * APDU, and nothing per APDU goes through the main loop. Anything else gives
 * the socket back to the main context, unread bytes and all: another message
 * (a status indication, a PDU for another slot, bad framing), the peer
 * closing, a card error, or the main context wanting the socket (it has
 * something to send, the session ends, an operation waits for the card).
 */
#pragma once

#include "remsim-metrics.h"
#include "remsim-plugin.h"
#include "rspro-connection.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_BANKD_RELAY_BACK_ASKED,	 /* the main context wanted the socket back */
	REMSIM_BANKD_RELAY_BACK_MESSAGE, /* a message the relay leaves to the main context */
	REMSIM_BANKD_RELAY_BACK_SOCKET,	 /* the peer closed, or the socket failed */
	REMSIM_BANKD_RELAY_BACK_CARD,	 /* the card failed an APDU (which is answered no more) */
} RemsimBankdRelayBack;

typedef struct _RemsimBankdRelay RemsimBankdRelay;

/*
 * On the main context, once per start, before the connection has its socket
 * back: @error for REMSIM_BANKD_RELAY_BACK_CARD. It must not start the relay
 * again from here.
 */
typedef void (*RemsimBankdRelayBackFunc)(RemsimBankdRelay *relay, RemsimBankdRelayBack why,
					 const GError *error, gpointer user_data);

/* a relay for @card, whose backend has transmit_sync; its thread is named after @name */
RemsimBankdRelay *remsim_bankd_relay_new(RemsimCardSlot *card, const gchar *name);
/* gives any lent socket back at once (without @back), and ends the thread */
void remsim_bankd_relay_free(RemsimBankdRelay *self);

/*
 * Lends @conn's socket to the relay thread, which relays the APDUs from
 * @client to @bank until something gives it back; FALSE when the connection
 * does not lend it now (something is queued) or the relay runs.
 */
gboolean remsim_bankd_relay_start(RemsimBankdRelay *self, RsproConnection *conn,
				  const RsproBankSlot *bank, const RsproClientSlot *client,
				  RemsimBankdRelayBackFunc back, gpointer user_data);
/* asks for the socket back; @back follows on the main context (nothing if not running) */
void remsim_bankd_relay_stop(RemsimBankdRelay *self);
/* TRUE from a start until its @back */
gboolean remsim_bankd_relay_is_running(RemsimBankdRelay *self);
/* APDUs relayed by the thread so far */
guint64 remsim_bankd_relay_get_apdus(RemsimBankdRelay *self);
/*
 * Adds the bytes to and from the card and the card's answer times of the
 * APDUs relayed since the last call to the counters given, and starts afresh
 * (the slot keeps the totals, for its metrics).
 */
void remsim_bankd_relay_take_stats(RemsimBankdRelay *self, guint64 *to_card, guint64 *from_card,
				   RemsimMetricsHistogram *latency);

G_END_DECLS
