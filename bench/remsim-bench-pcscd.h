/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A private pcscd for a run: the bench enters a mount namespace of its own
 * (root needed), puts a folder of its own over /run/pcscd (where pcscd and
 * libpcsclite meet) and starts pcscd with vsmartcard's vpcd driver. Two kinds
 * of vpcd readers, two slots each: "Remsim Bench Card K 00 0S" hold the
 * simulated SIM cards (this program again, as a vpcd card) the bank's PC/SC
 * backend uses, the last one the floor's card; "Remsim Bench Modem K 00 0S"
 * take remsim-client's vpcd front end. Every child the bench starts inherits
 * the namespace, so the bank's and the client's PC/SC calls reach this pcscd.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RemsimBenchPcscd RemsimBenchPcscd;

/* once, before any pcscd: FALSE (with the reason) when this process cannot have one */
gboolean remsim_bench_pcscd_enter_namespace(GError **error);

/*
 * pcscd with @n_cards card slots (cards started from @profile by @self_exe) and
 * @n_modems modem slots, in @dir; returns once every card is seen.
 */
RemsimBenchPcscd *remsim_bench_pcscd_start(const gchar *dir, const gchar *pcscd,
					   const gchar *driver, const gchar *self_exe,
					   const gchar *profile, guint n_cards, guint n_modems,
					   GError **error);
void remsim_bench_pcscd_stop(RemsimBenchPcscd *self);
GPid remsim_bench_pcscd_get_pid(RemsimBenchPcscd *self);

/* the PC/SC name of card slot @i, and its pattern for a slot file (anchored) */
gchar *remsim_bench_pcscd_card_reader(guint i);
gchar *remsim_bench_pcscd_card_pattern(guint i);
/* the reader of modem slot @i, and the port its vpcd card (remsim-client) dials */
gchar *remsim_bench_pcscd_modem_reader(guint i);
guint16 remsim_bench_pcscd_modem_port(RemsimBenchPcscd *self, guint i);
/* waits until @reader has a card (@present) or none; FALSE after @timeout_ms */
gboolean remsim_bench_pcscd_wait_card(const gchar *reader, gboolean present, guint timeout_ms);

/* the hidden --vpcd-card mode: the simulated SIM from @profile, served to vpcd on @port */
int remsim_bench_pcscd_serve_card(const gchar *profile, guint16 port);

G_END_DECLS
