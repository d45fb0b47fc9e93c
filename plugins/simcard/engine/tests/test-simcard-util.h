/* Small helpers shared by the simcard tests: hex in and out, APDU exchange. */
#pragma once

#include <glib.h>
#include <string.h>

#include "remsim-simcard-card.h"

/* Hex with optional spaces → bytes; aborts the test on bad input. */
GBytes *test_hex(const gchar *hex);
gchar *test_to_hex(GBytes *bytes);
void test_assert_bytes_equal(GBytes *got, GBytes *expected);
/* Sends hex, returns the response as lowercase hex without spaces. */
gchar *test_apdu(RemsimSimcardCard *card, const gchar *command_hex);
/* Sends and asserts the exact response. */
void test_apdu_expect(RemsimSimcardCard *card, const gchar *command_hex, const gchar *expected_hex);
/* The file from the source tree (REMSIM_SRCDIR) */
gchar *test_srcdir_path(const gchar *relative);
RemsimSimcardCard *test_card_new(const gchar *relative_profile);

/* AUTHENTICATE (3G context) with AUTN = SQN xor AK || AMF 8000 || MAC-A, as hex. */
gchar *test_auth_command(const guint8 k[16], const guint8 opc[16], const guint8 rand[16],
			 guint64 sqn, gboolean break_mac);
/* Sends it expecting a sync failure; checks MAC-S and returns SQNms recovered from AUTS. */
guint64 test_auth_expect_sync_failure(RemsimSimcardCard *card, const guint8 k[16],
				      const guint8 opc[16], const guint8 rand[16], guint64 sqn);
