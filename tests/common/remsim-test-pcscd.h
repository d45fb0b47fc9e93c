/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PC/SC side of remsim-client's front ends (vpcd, the pcscd reader
 * driver): a private pcscd (a mount namespace of its own, with its own /run and
 * reader.conf.d) and pcsc-transmit.py as the PC/SC application, both run by one
 * shell driven as a RemsimTestDaemon of kind PROGRAM.
 */
#pragma once

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

G_BEGIN_DECLS

#define REMSIM_TEST_PCSCD_VPCD_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"

/* TRUE (test skipped) when root, pcscd, pyscard, REMSIM_SRCDIR or @driver are missing */
gboolean remsim_test_pcscd_skip(const gchar *driver);

/*
 * Runs pcscd with @reader_conf as its only reader, and the PC/SC program that
 * waits for a card in the reader named @reader (prefix), prints "ATR …", sends
 * @apdus ("RSP …" each), prints "WAIT_REMOVE" and "REMOVED" once the card is gone.
 * Returns NULL (test skipped) when this system cannot mount a private /run.
 */
RemsimTestDaemon *remsim_test_pcscd_run_app(const gchar *dir, const gchar *reader_conf,
					    const gchar *reader, const gchar *const *apdus);

/*
 * Checks the session remsim_test_pcscd_run_app() ran against @bank (bank id 1,
 * client 23, ATR 3B 15 13 80 73 FF 01 00, three APDUs: SELECT, READ BINARY, a
 * case-1 GET RESPONSE), then unmaps the card through @server and waits until
 * the program saw it go and exited with status 0.
 */
void remsim_test_pcscd_check_session(RemsimTestDaemon *app, RemsimTestPeer *server,
				     RemsimTestPeer *bank);

G_END_DECLS
