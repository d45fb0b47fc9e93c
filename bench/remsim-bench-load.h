/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load a modem puts on a system: on every slot one command at a time, the
 * next sent when the answer to the last is in (lockstep), through the real
 * client's front end. The shell front end gets each command as a line on its
 * stdin and answers with an "R-APDU: " line on its stdout; the vpcd front end
 * is a card in pcscd, driven with SCardTransmit by one thread per slot. Every
 * answer is checked against the card's. After a warm-up, a measuring window
 * of fixed length: latencies of the answers that come within it, and a hook
 * at each end of it (where the daemons' counters are read).
 */
#pragma once

#include "remsim-bench-stats.h"
#include "remsim-bench-system.h"

G_BEGIN_DECLS

typedef struct {
	gdouble warmup;	  /* seconds before the window */
	gdouble duration; /* seconds of the window */
	void (*opened)(gpointer data);
	void (*closed)(gpointer data);
	gpointer data;
	const gchar *label; /* for the progress line */
	/* set when the window closes: answers since the load began, warm-up included */
	guint64 answered;
} RemsimBenchLoadWindow;

gboolean remsim_bench_load_run(RemsimBenchSystem *system, RemsimBenchLoadWindow *window,
			       RemsimBenchStats *stats, GError **error);

/* the progress line: rewritten in place on a terminal, a line per phase elsewhere */
void remsim_bench_load_progress(const gchar *label, const gchar *phase, guint64 done,
				gdouble seconds, gboolean final);

G_END_DECLS
