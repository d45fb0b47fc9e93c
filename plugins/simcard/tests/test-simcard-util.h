/* Small helpers shared by the simcard tests: hex in and out, APDU exchange. */
#pragma once

#include <glib.h>
#include <string.h>

#include "remsim-sim-card.h"

/* Hex with optional spaces → bytes; aborts the test on bad input. */
GBytes *test_hex(const gchar *hex);
gchar *test_to_hex(GBytes *bytes);
void test_assert_bytes_equal(GBytes *got, GBytes *expected);
/* Sends hex, returns the response as lowercase hex without spaces. */
gchar *test_apdu(RemsimSimCard *card, const gchar *command_hex);
/* Sends and asserts the exact response. */
void test_apdu_expect(RemsimSimCard *card, const gchar *command_hex, const gchar *expected_hex);
/* The file from the source tree (REMSIM_SRCDIR) */
gchar *test_srcdir_path(const gchar *relative);
RemsimSimCard *test_card_new(const gchar *relative_profile);
