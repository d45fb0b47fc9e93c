/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdReport: what the bank tells a remsim server of its slots, in
 * remsim's own messages beside RSPRO on the server link (rspro-ipa.h): each
 * slot's state, card presence, counters and inventory (all of them when the
 * link comes up, then what changed; counters at most once a second), and the
 * answers to the server's card resets. Only to a server whose connectBankRes
 * carries the remsim mark: an upstream server never gets one.
 */
#pragma once

#include "remsim-bankd-slot.h"
#include "rspro-link.h"

G_BEGIN_DECLS

#define REMSIM_BANKD_REPORT_COUNTER_INTERVAL_MS 1000

#define REMSIM_TYPE_BANKD_REPORT (remsim_bankd_report_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdReport, remsim_bankd_report, REMSIM, BANKD_REPORT, GObject)

/* @slots: the bank's RemsimBankdSlot, index = slot number (borrowed; outlives the report) */
RemsimBankdReport *remsim_bankd_report_new(RsproLink *link, GPtrArray *slots);
/* TRUE while the server takes the reports */
gboolean remsim_bankd_report_is_active(RemsimBankdReport *self);

/* a slot as the report shows it */
JsonObject *remsim_bankd_report_slot_to_json(RemsimBankdSlot *slot);

G_END_DECLS
