/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers every test folder needs: temporary trees, loud skips, the one wait
 * on the default main context, processes that die with the test, hex.
 *
 * Waiting: a test waits for an event (a PDU, a line, a file, a property), never
 * for a fixed time, and fails when it does not come within REMSIM_TEST_TIMEOUT_MS.
 * REMSIM_TEST_WAIT_FOR(condition) and remsim_test_common_spin_until() are the
 * same wait; remsim_test_common_spin_for() is for negative checks only ("nothing
 * happens in the next N ms").
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * How long a test waits for any one event before it fails: generous, so that a
 * loaded machine (sanitizers, tests in parallel) never fails a test that works.
 */
#define REMSIM_TEST_TIMEOUT_MS 30000

/*
 * FALSE when @ok; else skips the test loudly (on stderr too), or aborts it
 * when REMSIM_TEST_STRICT=1, so that CI never passes on a missing tool.
 */
gboolean remsim_test_common_skip_unless(gboolean ok, const gchar *what);

/* removes @path and everything below it (symlinks are removed, not followed) */
void remsim_test_common_remove_tree(const gchar *path);

/* a new temporary folder named after @name (e.g. "remsim-bankd-XXXXXX") */
gchar *remsim_test_common_make_dir(const gchar *name);

/* writes @text into @dir/@name; returns the path */
gchar *remsim_test_common_write_file(const gchar *dir, const gchar *name, const gchar *text);

/* TRUE if /usr/bin/python3 runs @code without error (e.g. "import smartcard") */
gboolean remsim_test_common_python_has(const gchar *code);

/* one wait in progress: see REMSIM_TEST_WAIT_FOR() */
typedef struct {
	GSource *deadline;
	GSource *tick;
	gboolean expired;
} RemsimTestCommonWait;

void remsim_test_common_wait_begin(RemsimTestCommonWait *wait, guint timeout_ms);
/* one turn of the default main context; FALSE once the time is up */
gboolean remsim_test_common_wait_next(RemsimTestCommonWait *wait);
void remsim_test_common_wait_end(RemsimTestCommonWait *wait);

/*
 * Spins the default main context until @condition holds; fails the test after
 * REMSIM_TEST_TIMEOUT_MS. @condition is evaluated once a turn and not again once
 * it held, so it may take what it waited for.
 */
#define REMSIM_TEST_WAIT_FOR(condition)                                                            \
	G_STMT_START                                                                               \
	{                                                                                          \
		RemsimTestCommonWait remsim_test_wait_;                                            \
		gboolean remsim_test_ok_;                                                          \
                                                                                                   \
		remsim_test_common_wait_begin(&remsim_test_wait_, REMSIM_TEST_TIMEOUT_MS);         \
		while (!(remsim_test_ok_ = (condition)) &&                                         \
		       remsim_test_common_wait_next(&remsim_test_wait_))                           \
			;                                                                          \
		remsim_test_common_wait_end(&remsim_test_wait_);                                   \
		if (!remsim_test_ok_)                                                              \
			g_assertion_message_expr(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,      \
						 "nothing came in time: " #condition);             \
	}                                                                                          \
	G_STMT_END

/*
 * The same wait with a function and a time of the caller's: spins until
 * @done(@data) holds or @timeout_ms passes; returns @done's last answer.
 */
gboolean remsim_test_common_spin_until(gboolean (*done)(gpointer data), gpointer data,
				       guint timeout_ms);
/* spins the default main context for @ms: for negative checks only */
void remsim_test_common_spin_for(guint ms);

/*
 * Spawns @argv with @launcher (a fresh one if NULL) so that the process gets
 * @pdeathsig when the test dies half-way; asserts that it started.
 */
GSubprocess *remsim_test_common_daemon_spawn(GSubprocessLauncher *launcher,
					     const gchar *const *argv, gint pdeathsig);
/*
 * Sends @sig and waits; if the process is still there after @timeout_ms,
 * SIGKILLs it, so that a hung process fails the test instead of hanging it.
 * Returns TRUE if it went within @timeout_ms. Check the exit with
 * g_subprocess_get_if_exited() and friends.
 */
gboolean remsim_test_common_daemon_stop(GSubprocess *proc, gint sig, guint timeout_ms);

/* a free TCP port on 127.0.0.1 whose successor is free too (vpcd takes two) */
guint16 remsim_test_common_free_port_pair(void);

/* "3B 9F" or "3b9f" (white space between bytes allowed) as bytes; asserts it is hex */
GBytes *remsim_test_common_hex_bytes(const gchar *hex);
/* bytes as upper-case hex without separators ("3B9F") */
gchar *remsim_test_common_bytes_hex(GBytes *bytes);

G_END_DECLS
