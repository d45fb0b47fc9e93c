/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A private pcscd for each test: the test program re-executes itself under
 * `unshare --mount --fork`; each test then bind-mounts a temporary folder over
 * /run/pcscd (where pcscd and libpcsclite meet: this pcscd ignores
 * PCSCLITE_CSOCK_NAME) and starts `pcscd -f -c DIR` with a vpcd reader on a
 * free port pair. Cards: the simulated card through remsim-vpcd-card, or
 * vsmartcard's vicc with the harness's fixes (tests/pcsc/vicc-card.py).
 */
#pragma once

#include <gio/gio.h>

#include "remsim-test-common.h"

G_BEGIN_DECLS

#define PCSC_TEST_READER "Remsim Test VPCD"

/* first thing in main(): re-exec in a private mount namespace when possible */
void pcsc_test_init(int argc, char **argv);

typedef struct {
	gchar *dir;
	gchar *confdir;
	GSubprocess *pcscd;
	guint16 port; /* vpcd slot n listens on port + n */
	gboolean mounted;
} PcscTestEnv;

/* a running pcscd with a two-slot vpcd reader; NULL if the test was skipped */
PcscTestEnv *pcsc_env_start(void);
void pcsc_env_stop(PcscTestEnv *env);
/* the PC/SC name of vpcd slot @slot, e.g. "Remsim Test VPCD 00 01" */
gchar *pcsc_env_reader(guint slot);
/*
 * Stop pcscd (every reader disappears) or start it again. pcscd 1.9.9 does not
 * re-read reader.conf.d at run time (SIGUSR1 only rescans USB), so a vpcd
 * reader can only go away and come back with its pcscd.
 */
void pcsc_env_stop_pcscd(PcscTestEnv *env);
void pcsc_env_start_pcscd(PcscTestEnv *env);
/* wait until PC/SC lists @reader (or not) */
gboolean pcsc_wait_reader(const gchar *reader, gboolean listed, guint timeout_ms);
/* wait until the card in @reader is @present */
gboolean pcsc_wait_card(const gchar *reader, gboolean present, guint timeout_ms);

/* the simulated card from @profile in vpcd slot @slot; returns once pcscd sees it */
GSubprocess *pcsc_card_start_sim(PcscTestEnv *env, guint slot, const gchar *profile);
/* vicc (iso7816 card; T=0 ATR, or its own T=1-only one) in vpcd slot @slot; NULL if skipped */
GSubprocess *pcsc_card_start_vicc(PcscTestEnv *env, guint slot, gboolean t1);
void pcsc_card_stop(GSubprocess *card);

/*
 * Directly through PC/SC, as the bank does: connect exclusively (T=0 or T=1),
 * reset, read the ATR into @atr, send each APDU (hex), disconnect.
 * Returns the responses (GBytes).
 */
GPtrArray *pcsc_direct_exchange(const gchar *reader, const gchar *const *apdus, GBytes **atr);

/* a file in the source tree */
gchar *pcsc_test_source_path(const gchar *first, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
