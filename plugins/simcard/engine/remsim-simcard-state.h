/* Internal: the persistent state of a simulated card as JSON (PINs, SQN, updated files). */
#pragma once

#include <json-glib/json-glib.h>

#include "remsim-simcard-session.h"

G_BEGIN_DECLS

JsonNode *remsim_simcard_state_to_json(RemsimSimcardSession *s, const gchar *iccid);
/* Validates everything first, then applies: on error the session is unchanged. */
gboolean remsim_simcard_state_apply_json(RemsimSimcardSession *s, const gchar *iccid,
					 JsonNode *node, const gchar *source, GError **error);

G_END_DECLS
