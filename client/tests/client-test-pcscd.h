/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A private pcscd for tests (own mount namespace with its own /run, own
 * reader.conf.d) and pcsc-transmit.py as the PC/SC application.
 */
#pragma once

#include "client-test-peers.h"
#include "remsim-test-common.h"

G_BEGIN_DECLS

#define TEST_VPCD_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"

/* TRUE (test skipped) when root, pcscd, pyscard, REMSIM_SRCDIR or @driver are missing */
gboolean test_pcscd_skip(const gchar *driver);

gchar *test_write_file(const gchar *dir, const gchar *name, const gchar *text);
const gchar *test_find_line_prefix(TestClient *proc, const gchar *prefix);

/*
 * Runs pcscd with @reader_conf as its only reader, and the PC/SC program that
 * waits for a card in the reader named @reader (prefix), prints "ATR …", sends
 * @apdus ("RSP …" each), prints "WAIT_REMOVE" and "REMOVED" once the card is gone.
 * Returns NULL (test skipped) when this system cannot mount a private /run.
 */
TestClient *test_pcscd_app_run(const gchar *dir, const gchar *reader_conf, const gchar *reader,
			       const gchar *const *apdus);

/*
 * Checks the session test_pcscd_app_run() ran against @bank (bank id 1, client
 * 23, ATR 3B 15 13 80 73 FF 01 00, three APDUs), then unmaps the card through
 * @server and waits until the program saw it go and exited; frees @app.
 */
void test_pcscd_app_check_session(TestClient *app, TestPeer *server, TestPeer *bank,
				  guint timeout_ms);

G_END_DECLS
