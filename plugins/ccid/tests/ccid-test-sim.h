/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator program started by the bankd test and the benchmark. */
#pragma once

#include "remsim-test-common.h"

/* remsim-ccid-sim on @socket with @slots slots of sample-001 at short APDU level */
static inline GSubprocess *
ccid_test_sim_start(const gchar *socket, guint slots)
{
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *n = g_strdup_printf("%u", slots);
	const gchar *argv[] = { g_getenv("REMSIM_CCID_SIM"),
				"--socket",
				socket,
				"--profile",
				profile,
				"--slots",
				n,
				NULL };
	GSubprocess *proc;

	g_assert_nonnull(argv[0]);
	proc = remsim_test_common_daemon_spawn(NULL, argv, SIGTERM);
	/* it listens once its socket is there */
	REMSIM_TEST_WAIT_FOR(g_file_test(socket, G_FILE_TEST_EXISTS));
	return proc;
}
