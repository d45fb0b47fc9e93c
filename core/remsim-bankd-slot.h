/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdSlot: one slot of the bank. It ties a card slot of the backend to
 * the client slot mapped onto it, powers the card when that client connects
 * (connectClientRes(ok), then setAtrReq), and relays its APDUs: one in flight,
 * the rest queued behind it. As upstream's bankd: a client whose card is absent
 * or does not power hears cardNotPresent and stays, and gets setAtrReq once the
 * card powers; a card lost under a relaying client closes that connection
 * without an RSPRO message; the card is reset only when the modem asks
 * (clientSlotStatusInd edges) or an operator does.
 */
#pragma once

#include "remsim-bankd-client-conn.h"
#include "remsim-bankd-gsmtap.h"
#include "remsim-card-info.h"
#include "remsim-metrics.h"
#include "remsim-plugin.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_BANKD_SLOT_STATE_IDLE,		  /* no map */
	REMSIM_BANKD_SLOT_STATE_MAPPED,		  /* map, no client */
	REMSIM_BANKD_SLOT_STATE_CLIENT_CONNECTED, /* client here, card not (yet) powered */
	REMSIM_BANKD_SLOT_STATE_CARD_POWERED,	  /* relaying */
} RemsimBankdSlotState;

const gchar *remsim_bankd_slot_state_to_string(RemsimBankdSlotState state);

/* more queued APDUs than this from one client means it ignores the protocol */
#define REMSIM_BANKD_SLOT_QUEUE_MAX 64
/* how often the card of a waiting client is tried besides insertion events (upstream's 10 s) */
#define REMSIM_BANKD_SLOT_RETRY_MS 10000

#define REMSIM_TYPE_BANKD_SLOT (remsim_bankd_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdSlot, remsim_bankd_slot, REMSIM, BANKD_SLOT, GObject)

RemsimBankdSlot *remsim_bankd_slot_new(guint16 bank_id, guint16 slot_nr, RemsimPowerOnFlags flags);

/*
 * The card inventory (remsim-bankd-inventory.h): read when a card comes and
 * after each client session, never while a client holds the card. @pins (may
 * be NULL) are the configured PIN1s. Call before the card is set.
 */
void remsim_bankd_slot_set_inventory(RemsimBankdSlot *self, gboolean enabled, GHashTable *pins);
/*
 * The daemon stops: no more reads, the session ends. A command already at the
 * card still completes (remsim_bankd_slot_is_busy() says when), so that the
 * backend gets its card back.
 */
void remsim_bankd_slot_shutdown(RemsimBankdSlot *self);
gboolean remsim_bankd_slot_is_busy(RemsimBankdSlot *self);
/* the last read (state EMPTY without a card), or NULL: never read, or reading is off */
const RemsimCardInfo *remsim_bankd_slot_get_card_info(RemsimBankdSlot *self);
/* TRUE while a read is waiting or under way */
gboolean remsim_bankd_slot_get_inventory_reading(RemsimBankdSlot *self);

/* the backend's card slot for this bank slot, or NULL when it has none (any session ends) */
void remsim_bankd_slot_set_card(RemsimBankdSlot *self, RemsimCardSlot *card);
RemsimCardSlot *remsim_bankd_slot_get_card(RemsimBankdSlot *self);

/* where the slot's ATRs and APDUs are copied as GSMTAP, or NULL */
void remsim_bankd_slot_set_gsmtap(RemsimBankdSlot *self, RemsimBankdGsmtap *gsmtap);

/* a new map ends the session of any other client */
void remsim_bankd_slot_map(RemsimBankdSlot *self, const RsproClientSlot *client);
void remsim_bankd_slot_unmap(RemsimBankdSlot *self);

/*
 * Hand over an identified client whose client slot is mapped here (its
 * connectClientRes may have gone out already, as cardNotPresent while it waited
 * for the map); any older client goes.
 */
void remsim_bankd_slot_attach(RemsimBankdSlot *self, RemsimBankdClientConn *client);

/*
 * An operator's reset: power the card off and on again, in turn with the
 * client's APDUs; finish when it answered with its ATR. G_IO_ERROR_NOT_CONNECTED
 * when no card is powered or the client leaves first, G_IO_ERROR_FAILED when
 * the card does not come back (the client is then dropped, as after any card error).
 */
void remsim_bankd_slot_reset_card_async(RemsimBankdSlot *self, GCancellable *cancellable,
					GAsyncReadyCallback callback, gpointer user_data);
gboolean remsim_bankd_slot_reset_card_finish(RemsimBankdSlot *self, GAsyncResult *result,
					     GError **error);
/* an operator's drop: close the client's connection, power the card off; FALSE if no client */
gboolean remsim_bankd_slot_drop_client(RemsimBankdSlot *self);

guint16 remsim_bankd_slot_get_nr(RemsimBankdSlot *self);
RemsimBankdSlotState remsim_bankd_slot_get_state(RemsimBankdSlot *self);
/* FALSE when unmapped */
gboolean remsim_bankd_slot_get_client_slot(RemsimBankdSlot *self, RsproClientSlot *client);
/* [bank B slot N] */
const RemsimLogTag *remsim_bankd_slot_get_log_tag(RemsimBankdSlot *self);
/* the ATR of the powered card, or NULL */
GBytes *remsim_bankd_slot_get_atr(RemsimBankdSlot *self);
gboolean remsim_bankd_slot_get_card_present(RemsimBankdSlot *self);
guint64 remsim_bankd_slot_get_apdus(RemsimBankdSlot *self);
guint64 remsim_bankd_slot_get_errors(RemsimBankdSlot *self);
/* APDU bytes relayed each way since start (metrics) */
void remsim_bankd_slot_get_bytes(RemsimBankdSlot *self, guint64 *to_card, guint64 *from_card);
/* how long the card took for each APDU */
const RemsimMetricsHistogram *remsim_bankd_slot_get_latency(RemsimBankdSlot *self);

/*
 * Signals:
 *  ::changed () — any of the values above changed (the card's inventory too), except the counters
 *   (apdus, errors), which change with every APDU: read those when needed.
 */

G_END_DECLS
