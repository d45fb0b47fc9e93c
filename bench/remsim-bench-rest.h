/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server's REST API as the bench uses it: plain HTTP/1.1 on 127.0.0.1 over
 * one kept-alive connection (blocking: the bench has nothing else to do
 * meanwhile), slot maps made for the run, and the --rest-maps measurement:
 * many maps created through REST by concurrent connections.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RemsimBenchRest RemsimBenchRest;

RemsimBenchRest *remsim_bench_rest_new(guint16 port);
void remsim_bench_rest_free(RemsimBenchRest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBenchRest, remsim_bench_rest_free)

/* one request; the status (0 on an I/O error, in @error), the body in @body_out */
guint remsim_bench_rest_request(RemsimBenchRest *self, const gchar *method, const gchar *path,
				const gchar *body, gchar **body_out, GError **error);
/* POST /slotmaps: bank @bank:@bank_slot to client @client:@client_slot; FALSE unless 2xx */
gboolean remsim_bench_rest_map(RemsimBenchRest *self, guint bank, guint bank_slot, guint client,
			       guint client_slot, GError **error);
/* TRUE once GET /banks lists bank @bank */
gboolean remsim_bench_rest_has_bank(RemsimBenchRest *self, guint bank);
/* how many listed maps are in state @state ("ACTIVE") */
guint remsim_bench_rest_count_maps(RemsimBenchRest *self, const gchar *state);

G_END_DECLS
