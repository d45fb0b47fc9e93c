/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The card inventory: what a bank reads from a card no client holds. It powers
 * the card through the backend, reads the ATR, EF.ICCID and the SPN, and IMSI
 * and MSISDN where PIN1 is disabled or the operator configured PIN1 for that
 * slot or card; then it powers the card down. Read-only commands only (SELECT,
 * READ BINARY, READ RECORD, GET RESPONSE, and VERIFY with the configured PIN,
 * at most once); never an authentication, never a write. The slot
 * (remsim-bankd-slot.c) decides when, and never while a client holds the card.
 */
#pragma once

#include "remsim-card-info.h"
#include "remsim-plugin.h"

G_BEGIN_DECLS

/*
 * The configured PINs (inventory-pin1): "WHO=PIN;WHO=PIN", WHO a bank slot
 * number (0..1022) or an ICCID (18..20 digits), PIN 4..8 digits. NULL with a
 * G_OPTION_ERROR (naming the entry, never the PIN) for a bad list; an empty or
 * NULL @text gives an empty table.
 */
GHashTable *remsim_bankd_inventory_parse_pins(const gchar *text, GError **error);

/*
 * Read the card of @card (present, not powered by anyone else). @pins (may be
 * NULL) is looked up by the ICCID read, then by "@slot_nr"; @pin_allowed FALSE
 * keeps the configured PIN unused (it was already tried on this insertion).
 * Completes with a record in state READ or FAILED, or with
 * G_IO_ERROR_CANCELLED; the card is powered down in every case.
 */
void remsim_bankd_inventory_read_async(RemsimCardSlot *card, RemsimPowerOnFlags flags,
				       GHashTable *pins, guint slot_nr, gboolean pin_allowed,
				       GCancellable *cancellable, GAsyncReadyCallback callback,
				       gpointer user_data);
RemsimCardInfo *remsim_bankd_inventory_read_finish(RemsimCardSlot *card, GAsyncResult *result,
						   GError **error);

/* decoders of the files read, for the tests: NULL when the bytes are no such value */
gchar *remsim_bankd_inventory_decode_iccid(const guint8 *data, gsize len);
gchar *remsim_bankd_inventory_decode_imsi(const guint8 *data, gsize len);
gchar *remsim_bankd_inventory_decode_spn(const guint8 *data, gsize len);
gchar *remsim_bankd_inventory_decode_msisdn(const guint8 *data, gsize len);

G_END_DECLS
