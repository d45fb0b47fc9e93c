/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerEvents: every change the server sees, as one stream of events:
 * banks and clients coming and going, slot maps changing or going, bank slots
 * (state, counters, card) changing. Each event is a name ("bank", "client",
 * "map", "slot") and a JSON object {"event": "bank-added" ..., <name>: {...}}.
 * It goes out as Server-Sent Events at GET /api/v1/events (libsoup 3: each
 * listener's message stays open and gets a chunk per event) and as the
 * ::event signal, which D-Bus sends as org.remsim.Server1.Event.
 */
#pragma once

#include "remsim-server-rest.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_EVENTS_PATH "/api/v1/events"
/* a comment line this often keeps idle streams open through proxies, and finds dead peers */
#define REMSIM_SERVER_EVENTS_KEEPALIVE_S 15

#define REMSIM_TYPE_SERVER_EVENTS (remsim_server_events_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerEvents, remsim_server_events, REMSIM, SERVER_EVENTS, GObject)

RemsimServerEvents *remsim_server_events_new(RemsimServer *server, RemsimServerRest *rest);
/* how many SSE listeners are connected */
guint remsim_server_events_get_n_listeners(RemsimServerEvents *self);

/* Signals: ::event (const gchar *name, const gchar *json) */

G_END_DECLS
