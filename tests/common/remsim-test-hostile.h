/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a hostile or careless peer does to a daemon, for the tests of its
 * limits: raw TCP connections from a chosen loopback address (127.0.0.0/8 gives
 * a test as many "addresses" as it wants), a flood of IPA PINGs that never
 * reads its PONGs, and the daemon's figures from /proc (memory, descriptors,
 * limits).
 */
#pragma once

#include <gio/gio.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

/*
 * A TCP connection to 127.0.0.1:@port from @from_ip (NULL: any), blocking
 * until it is up, then @hello (NULL: none) written as its IPA frame; NULL
 * (with @error) if the connect fails. The socket is left non-blocking.
 */
GSocket *remsim_test_hostile_connect(const gchar *from_ip, guint16 port, const RsproPdu *hello,
				     GError **error);

/* writes an IPA PONG, blindly: the daemon's keep-alive PING counts as answered */
void remsim_test_hostile_send_pong(GSocket *socket);

/* TRUE once the daemon closed @socket (end of stream or reset); reads what is there */
gboolean remsim_test_hostile_is_closed(GSocket *socket);

typedef struct {
	gsize bytes;	       /* PINGs written, over all connections */
	gdouble seconds;       /* from the first PING until the daemon closed the last one */
	guint64 rss_before_kb; /* VmRSS when the flood began */
	guint64 rss_peak_kb;   /* the highest VmRSS sampled (every 50 ms) during the flood */
	guint64 hwm_kb;	       /* VmHWM (the peak the kernel saw) when it ended */
} RemsimTestHostileFlood;

/*
 * Writes IPA PINGs on every one of @sockets as fast as they take them, never
 * reading (with a PONG now and then, blindly, as if it answered the daemon's
 * keep-alive), until @proc closed each of them or its memory grew by more
 * than @give_up_kb (a daemon without limits: the test's bound fails then, not
 * the machine); meanwhile the default main context runs (the test's own peers
 * answer) and @proc's memory is sampled. Fails the test if that takes longer
 * than four times REMSIM_TEST_TIMEOUT_MS (the kernel buffers megabytes of a
 * flood before the daemon's queue stays full).
 */
void remsim_test_hostile_flood(GSocket *const *sockets, guint n_sockets, GSubprocess *proc,
			       guint64 give_up_kb, RemsimTestHostileFlood *result);

/* a "Vm...:" figure of @proc's /proc/PID/status in kB ("VmRSS", "VmHWM") */
guint64 remsim_test_hostile_proc_kb(GSubprocess *proc, const gchar *field);
/* how many descriptors @proc has open */
guint remsim_test_hostile_count_fds(GSubprocess *proc);
/* @proc's soft limit of open files (/proc/PID/limits) */
guint64 remsim_test_hostile_fd_limit(GSubprocess *proc);

/*
 * Raises this process's limit of open files to at least @wanted, the hard
 * limit too where it is lower (root may), or fails the test: a test that needs
 * descriptors never skips for the machine's limit. Daemons started after it
 * inherit it. Returns the soft limit now in force.
 */
guint64 remsim_test_hostile_raise_fd_limit(guint64 wanted);

G_END_DECLS
