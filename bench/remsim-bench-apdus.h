/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The APDUs every path of a run exchanges, in one fixed cycle a modem could
 * send (SELECT MF, SELECT EF.ICCID, READ BINARY, STATUS), and what the card
 * answers to each: computed from the simulated card's profile in this
 * process, or learned from the first cycles of a card the bench does not know.
 * Also the floor of the card itself: the same cycle on the simulated card in
 * this process.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-bench-stats.h"

G_BEGIN_DECLS

typedef struct {
	GPtrArray *commands;  /* GBytes, one cycle */
	GPtrArray *responses; /* GBytes, two cycles (the first after the card's reset) */
	gchar **lines;	      /* each command as a shell line: "a0 a4 00 00 02 3f 00\n" */
	gchar **answers;      /* each response as the shell prints it: "R-APDU: 9f 17 " */
	GBytes *atr;	      /* NULL when learned */
	gchar *profile;	      /* the card's profile, or NULL */
	gboolean learned;     /* responses come from the card itself (attached system) */
} RemsimBenchApdus;

/* from @profile (a simcard JSON), or to be learned when @profile is NULL */
RemsimBenchApdus *remsim_bench_apdus_new(const gchar *profile, GError **error);
void remsim_bench_apdus_free(RemsimBenchApdus *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBenchApdus, remsim_bench_apdus_free)

guint remsim_bench_apdus_cycle(const RemsimBenchApdus *self);
/* the response expected to the @i-th command since the card's reset, or NULL if unknown */
GBytes *remsim_bench_apdus_expected(const RemsimBenchApdus *self, guint64 i);
const gchar *remsim_bench_apdus_expected_line(const RemsimBenchApdus *self, guint64 i);
/* for a learned card: remember what it answered to the @i-th command; FALSE if it differs */
gboolean remsim_bench_apdus_check(RemsimBenchApdus *self, guint64 i, const guint8 *data, gsize len);

/* "3b 9f 95 " (the shell's format: each byte and a space) */
gchar *remsim_bench_apdus_to_hex(const guint8 *data, gsize len);
/* the shell's "SET_ATR: " line of the card's ATR, or NULL if unknown */
gchar *remsim_bench_apdus_atr_line(const RemsimBenchApdus *self);

/* the card floor: the cycle on the simulated card in this process for @seconds */
gboolean remsim_bench_apdus_run_card(const RemsimBenchApdus *self, gdouble seconds,
				     RemsimBenchStats *stats, GError **error);

/* default profile: REMSIM_SIMCARD_PROFILE_DIR (meson devenv), else the installed cards */
gchar *remsim_bench_apdus_default_profile(void);

G_END_DECLS
