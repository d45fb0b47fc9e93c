/* Internal: the persistent state of a simulated card as JSON (PINs, SQN, updated files). */
#pragma once

#include <json-glib/json-glib.h>

#include "remsim-sim-session.h"

G_BEGIN_DECLS

JsonNode *remsim_sim_state_to_json(RemsimSimSession *s, const gchar *iccid);
/* Validates everything first, then applies: on error the session is unchanged. */
gboolean remsim_sim_state_apply_json(RemsimSimSession *s, const gchar *iccid, JsonNode *node,
				     const gchar *source, GError **error);

G_END_DECLS
