/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproBackoff: when an outbound RSPRO link tries again, as upstream's
 * RSPRO_CLIENT FSM does (behaviour.md §2): a table of delays indexed by the
 * number of failures in a row, measured from the start of the last attempt,
 * reset after a long quiet time, plus ±10 % jitter so that many peers do not
 * redial in lockstep. Upstream's table begins with three immediate retries,
 * which a restarting peer refuses within microseconds; here those three wait
 * 50, 100 and 250 ms, so that the retries come about 50, 150 and 400 ms after
 * a loss and find a daemon that restarts in a fraction of a second. Then
 * upstream's steps: 30×1 s, 30×2 s, 30×4 s, 30×8 s, then 16 s. The clock and
 * the jitter are parameters, so that the schedule can be tested as a function.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the table's last index: 16 s from here on */
#define RSPRO_BACKOFF_LAST_INDEX 123
/* 2 × max(T1, T2, 16 s): a longer gap since the last attempt resets the index */
#define RSPRO_BACKOFF_RESET_S 32
/* the jitter's size, a fraction of a non-zero delay */
#define RSPRO_BACKOFF_JITTER 0.1

typedef struct {
	guint index;
	gint64 last_attempt_us; /* monotonic start of the last attempt; 0: none yet */
	gdouble scale;		/* 1.0: upstream's seconds; tests shorten the table */
} RsproBackoff;

void rspro_backoff_init(RsproBackoff *self, gdouble scale);
/* back to the first entry (a new start, or a new target) */
void rspro_backoff_reset(RsproBackoff *self);
/* an attempt starts at @now_us */
void rspro_backoff_attempt(RsproBackoff *self, gint64 now_us);
/* the table: ms to wait after @index failures in a row */
guint rspro_backoff_table_ms(guint index);
/*
 * The wait before the next attempt, in ms (at least 1), for a failure seen at
 * @now_us; @jitter in -1..1 picks where in ±RSPRO_BACKOFF_JITTER the delay
 * lands. Advances the index (saturating at RSPRO_BACKOFF_LAST_INDEX), after
 * resetting it if the last attempt began more than RSPRO_BACKOFF_RESET_S ago.
 */
guint rspro_backoff_next_delay_ms(RsproBackoff *self, gint64 now_us, gdouble jitter);

G_END_DECLS
