/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPcscMonitor: a thread blocked in SCardGetStatusChange on every reader
 * and on the PnP notification pseudo-reader. It reports the readers and their
 * card state on the main context whenever something changes; it never talks
 * to a card. If pcscd goes away it reports no readers and reconnects.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gchar *name;
	gboolean present; /* a responsive card is in the reader */
	guint events;	  /* pcscd's card event counter: changes on every insert/remove */
} RemsimPcscReader;

/* @readers: (element-type RemsimPcscReader): in pcscd's order */
typedef void (*RemsimPcscMonitorFunc)(GPtrArray *readers, gpointer user_data);

typedef struct _RemsimPcscMonitor RemsimPcscMonitor;

/* @func runs on @context (the thread-default one if NULL) */
RemsimPcscMonitor *remsim_pcsc_monitor_new(GMainContext *context, RemsimPcscMonitorFunc func,
					   gpointer user_data);
/* stops the thread (SCardCancel) and drops a report not yet delivered */
void remsim_pcsc_monitor_free(RemsimPcscMonitor *self);

G_END_DECLS
