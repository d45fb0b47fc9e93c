/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCardSlot: one card position of a reader backend (a PC/SC reader, a
 * CCID slot, a simulated card). remsim-bankd drives it from its main context;
 * every operation is asynchronous and must never block that context.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-card-error.h"

G_BEGIN_DECLS

/**
 * RemsimPowerOnFlags:
 * @REMSIM_POWER_ON_NONE: open the card exclusively (upstream's default)
 * @REMSIM_POWER_ON_SHARED: let other programs use the card at the same time
 *  where the reader API knows the difference (PC/SC SCARD_SHARE_SHARED)
 *
 * How [method@Remsim.CardSlot.power_on_async] opens the card.
 */
typedef enum {
	REMSIM_POWER_ON_NONE = 0,
	REMSIM_POWER_ON_SHARED = 1 << 0,
} RemsimPowerOnFlags;

#define REMSIM_TYPE_CARD_SLOT (remsim_card_slot_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimCardSlot, remsim_card_slot, REMSIM, CARD_SLOT, GObject)

/**
 * RemsimCardSlotClass:
 * @power_on_async: open and power the card; completes with its ATR
 * @power_on_finish: (optional): defaults to g_task_propagate_pointer() on a #GTask
 * @transmit_async: send one command APDU (header + data, as the modem sent it);
 *  completes with the response including SW1 SW2. The bank sends at most one
 *  command at a time per slot.
 * @transmit_finish: (optional): as @power_on_finish
 * @reset_async: (optional): warm reset; completes with the new ATR. Defaults to
 *  power_off() followed by power_on_async().
 * @reset_finish: (optional): as @power_on_finish
 * @power_off: unpower and release the card; never fails, never blocks
 * @transmit_sync: (optional): one command, blocking, on whichever thread
 *  calls it (remsim-bankd's relay thread, one per slot): writes the response
 *  into @response (up to @response_size bytes) and returns its length, or 0
 *  with @error set. The bank calls it only while the card is powered and no
 *  other operation of the slot runs. A backend whose cards answer through a
 *  blocking API (PC/SC) implements it so that one thread can own the slot's
 *  client socket and the card at once, and only that thread wakes per APDU.
 *
 * Errors are reported in the %REMSIM_CARD_ERROR domain.
 */
struct _RemsimCardSlotClass {
	GObjectClass parent_class;

	void (*power_on_async)(RemsimCardSlot *self, RemsimPowerOnFlags flags,
			       GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data);
	GBytes *(*power_on_finish)(RemsimCardSlot *self, GAsyncResult *result, GError **error);
	void (*transmit_async)(RemsimCardSlot *self, GBytes *apdu, GCancellable *cancellable,
			       GAsyncReadyCallback callback, gpointer user_data);
	GBytes *(*transmit_finish)(RemsimCardSlot *self, GAsyncResult *result, GError **error);
	void (*reset_async)(RemsimCardSlot *self, GCancellable *cancellable,
			    GAsyncReadyCallback callback, gpointer user_data);
	GBytes *(*reset_finish)(RemsimCardSlot *self, GAsyncResult *result, GError **error);
	void (*power_off)(RemsimCardSlot *self);
	gsize (*transmit_sync)(RemsimCardSlot *self, const guint8 *apdu, gsize apdu_len,
			       guint8 *response, gsize response_size, GError **error);

	/*< private >*/
	gpointer padding[11];
};

/* construct properties: "index" (guint, position in the backend), "name" (for logs) */
guint remsim_card_slot_get_index(RemsimCardSlot *self);
const gchar *remsim_card_slot_get_name(RemsimCardSlot *self);

/* property "card-present" (notify on change); backends set it */
gboolean remsim_card_slot_get_card_present(RemsimCardSlot *self);
void remsim_card_slot_set_card_present(RemsimCardSlot *self, gboolean present);

void remsim_card_slot_power_on_async(RemsimCardSlot *self, RemsimPowerOnFlags flags,
				     GCancellable *cancellable, GAsyncReadyCallback callback,
				     gpointer user_data);
/* Returns: (transfer full): the ATR, or %NULL with @error set */
GBytes *remsim_card_slot_power_on_finish(RemsimCardSlot *self, GAsyncResult *result,
					 GError **error);

void remsim_card_slot_transmit_async(RemsimCardSlot *self, GBytes *apdu, GCancellable *cancellable,
				     GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full): the response APDU (data + SW1 SW2), or %NULL with @error set */
GBytes *remsim_card_slot_transmit_finish(RemsimCardSlot *self, GAsyncResult *result,
					 GError **error);

void remsim_card_slot_reset_async(RemsimCardSlot *self, GCancellable *cancellable,
				  GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full): the ATR after the reset, or %NULL with @error set */
GBytes *remsim_card_slot_reset_finish(RemsimCardSlot *self, GAsyncResult *result, GError **error);

void remsim_card_slot_power_off(RemsimCardSlot *self);

/* TRUE if the backend has transmit_sync */
gboolean remsim_card_slot_can_transmit_sync(RemsimCardSlot *self);
gsize remsim_card_slot_transmit_sync(RemsimCardSlot *self, const guint8 *apdu, gsize apdu_len,
				     guint8 *response, gsize response_size, GError **error);

G_END_DECLS
