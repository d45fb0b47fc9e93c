/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankd: the bank daemon. It keeps the link to the server (mappings come
 * from there), accepts clients on its own port, and owns one RemsimBankdSlot per
 * slot of the bank, each backed by a card slot of the configured backend.
 */
#pragma once

#include "remsim-bankd-slot.h"
#include "remsim-bankd-config.h"
#include "remsim-bankd-plugin-loader.h"
#include "rspro-link.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_BANKD (remsim_bankd_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankd, remsim_bankd, REMSIM, BANKD, GObject)

/*
 * @config is borrowed and must outlive the daemon; remsim_bankd_reconfigure()
 * updates the values in it that change at run time
 */
RemsimBankd *remsim_bankd_new(RemsimBankdConfig *config, RemsimBankdPluginLoader *loader);

/* create the backend and the slots, listen for clients, dial the server */
gboolean remsim_bankd_start(RemsimBankd *self, GError **error);
/*
 * Before the daemon ends: no more card reads, sessions end, and the card
 * operations under way finish (on the thread-default context, a few seconds
 * at most), so that each backend gets its cards back
 */
void remsim_bankd_stop(RemsimBankd *self);

/*
 * A reload: @next is the configuration just read, checked here as far as it can
 * be without starting a backend (the advertised address, the backend's name,
 * each backend group's keys against those its backend declares; errors name
 * FILE:LINE). Takes into effect what can change at run time (server-host,
 * server-port and advertise: the bank dials the server again; backoff-scale)
 * and names it in @applied; names in @needs_restart every other key of [bankd]
 * whose value differs from the one in force, and the backends' keys ("[simcard]
 * cards"). FALSE, changing nothing, when @next cannot work. The keys every
 * daemon has (debug, dbus ...) are the caller's: remsim_reload_compare_common().
 */
gboolean remsim_bankd_reconfigure(RemsimBankd *self, RemsimBankdConfig *next, GPtrArray *applied,
				  GPtrArray *needs_restart, GError **error);

const RemsimBankdConfig *remsim_bankd_get_config(RemsimBankd *self);
guint16 remsim_bankd_get_bank_id(RemsimBankd *self);
guint16 remsim_bankd_get_port(RemsimBankd *self);
RsproLinkState remsim_bankd_get_server_state(RemsimBankd *self);
guint remsim_bankd_get_n_slots(RemsimBankd *self);
RemsimBankdSlot *remsim_bankd_get_slot(RemsimBankd *self, guint nr);
/* how often the server link came up since start (the first time and each reconnect) */
guint64 remsim_bankd_get_server_connects(RemsimBankd *self);
/* TRUE while the server is a remsim server that takes the bank's reports */
gboolean remsim_bankd_get_remsim_server(RemsimBankd *self);

/* Signals: ::server-state-changed () */

G_END_DECLS
