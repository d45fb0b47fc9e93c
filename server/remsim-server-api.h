/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerApi: remsim's own REST routes under /api/v1/, beside upstream's
 * /api/backend/v1/ (remsim-server-rest.c), which stay as upstream has them:
 * the bank slots with their cards (the banks' inventory), search by ICCID or
 * IMSI, maps made by bank slot or by ICCID, card resets, and what the viewer
 * may do (whoami). The event stream (/api/v1/events) is remsim-server-events.c.
 */
#pragma once

#include "remsim-server-rest.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_API_PREFIX "/api/v1"

#define REMSIM_TYPE_SERVER_API (remsim_server_api_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerApi, remsim_server_api, REMSIM, SERVER_API, GObject)

RemsimServerApi *remsim_server_api_new(RemsimServer *server, RemsimServerRest *rest);

/*
 * Whether the asker of @msg may change things (maps, resets): what its token
 * allows (remsim-server-auth.h), or everyone without tokens, as upstream.
 * Decided once per request by remsim_server_rest_authenticate().
 */
gboolean remsim_server_api_may_write(SoupServerMessage *msg);

/* a bank slot of the server's view: inventory, map ("map" or null), bank connected */
JsonObject *remsim_server_api_slot_to_json(RemsimServer *server, guint16 bank_id, guint16 slot_nr);

G_END_DECLS
