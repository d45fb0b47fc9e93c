/* RemsimSimcardCard: a simulated SIM/UICC with a USIM, driven one T=0 command TPDU at a time.
 *
 * Everything here is in-process computation: transmit never blocks, never fails (errors are
 * status words, as on a real card). The object is not thread-safe: use one card from one
 * thread (or serialise access). new_from_file, save_state and load_state do file I/O
 * synchronously; call them at start-up or from a worker thread. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "remsim-simcard-profile.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_SIMCARD_CARD (remsim_simcard_card_get_type())
G_DECLARE_FINAL_TYPE(RemsimSimcardCard, remsim_simcard_card, REMSIM, SIMCARD_CARD, GObject)

/* Errors: REMSIM_SIMCARD_PROFILE_ERROR for bad profiles and bad state files, G_FILE_ERROR and
 * JSON_PARSER_ERROR for I/O and syntax (prefixed with the file name). */
RemsimSimcardCard *remsim_simcard_card_new_from_file(const gchar *profile_json_path,
						     GError **error);
RemsimSimcardCard *remsim_simcard_card_new_from_json(JsonNode *profile, GError **error);

GBytes *remsim_simcard_card_get_atr(RemsimSimcardCard *self);
const gchar *remsim_simcard_card_get_iccid(RemsimSimcardCard *self);
const gchar *remsim_simcard_card_get_imsi(RemsimSimcardCard *self);

/* Warm or cold reset: the selection, verified PINs and pending response data are lost;
 * PIN counters, SQN state and file contents stay. */
void remsim_simcard_card_reset(RemsimSimcardCard *self);

/* One command TPDU (CLA INS P1 P2 [P3 [data]]) → response data followed by SW1 SW2. */
GBytes *remsim_simcard_card_transmit(RemsimSimcardCard *self, GBytes *command_apdu);

/* Persistent state (PINs and counters, SQN array, updated files) as JSON, written atomically.
 * Loading checks that the state belongs to this card (same ICCID) and changes nothing on error. */
gboolean remsim_simcard_card_save_state(RemsimSimcardCard *self, const gchar *path, GError **error);
gboolean remsim_simcard_card_load_state(RemsimSimcardCard *self, const gchar *path, GError **error);

G_END_DECLS
