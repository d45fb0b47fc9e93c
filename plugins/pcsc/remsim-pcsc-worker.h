/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPcscWorker: the one thread that makes every blocking PC/SC call for
 * one bank slot's reader, with a PC/SC context of its own. Jobs run in the
 * order pushed; each completes its GTask, which returns on the task's context.
 * One call may also come from another thread: remsim_pcsc_worker_transmit_sync().
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RemsimPcscWorker RemsimPcscWorker;

/* the protocols SCardConnect may choose from (SCARD_PROTOCOL_T0 | _T1, ...) */
RemsimPcscWorker *remsim_pcsc_worker_new(const gchar *slot_name, guint32 protocols);
/* stops the thread after the jobs already pushed; releases the card and the context */
void remsim_pcsc_worker_free(RemsimPcscWorker *self);

/* connect to @reader, reset the card, return its ATR (GBytes) through @task */
void remsim_pcsc_worker_connect(RemsimPcscWorker *self, const gchar *reader, gboolean shared,
				GTask *task);
/* one APDU; the response (GBytes) through @task */
void remsim_pcsc_worker_transmit(RemsimPcscWorker *self, GBytes *apdu, GTask *task);
/* one APDU on the calling thread, blocking, between the worker's jobs: the response's length */
gsize remsim_pcsc_worker_transmit_sync(RemsimPcscWorker *self, const guint8 *apdu, gsize apdu_len,
				       guint8 *response, gsize response_size, GError **error);
/* warm reset of the connected card; the new ATR through @task */
void remsim_pcsc_worker_reset(RemsimPcscWorker *self, GTask *task);
/* release the card (unpowered when exclusive, reset when shared); no result */
void remsim_pcsc_worker_disconnect(RemsimPcscWorker *self);

G_END_DECLS
