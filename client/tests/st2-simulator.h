/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware side of a SIMtrace2 in card-emulation mode, as a transport for
 * the front end: it records what the host sends and delivers what a modem
 * (played by the test) makes the firmware report.
 */
#pragma once

#include "remsim-client-st2-transport.h"

G_BEGIN_DECLS

#define TEST_TYPE_ST2_SIM (test_st2_sim_get_type())
G_DECLARE_FINAL_TYPE(TestSt2Sim, test_st2_sim, TEST, ST2_SIM, RemsimClientSt2Transport)

TestSt2Sim *test_st2_sim_new(void);
/* every message the host sent, one GBytes each, oldest first */
GPtrArray *test_st2_sim_get_sent(TestSt2Sim *self);
/* an IN transfer with these bytes, delivered from the main loop as USB would */
void test_st2_sim_inject(TestSt2Sim *self, gboolean interrupt, const guint8 *data, gsize len);
/* the device disappears */
void test_st2_sim_fail(TestSt2Sim *self);
gboolean test_st2_sim_is_open(TestSt2Sim *self);

G_END_DECLS
