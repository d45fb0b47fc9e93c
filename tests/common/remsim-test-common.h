/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers every test folder needs: temporary trees, loud skips, spinning the
 * default main context with a deadline, daemons started from the build tree.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * FALSE when @ok; else skips the test loudly (on stderr too), or aborts it
 * when REMSIM_TEST_STRICT=1, so that CI never passes on a missing tool.
 */
gboolean remsim_test_common_skip_unless(gboolean ok, const gchar *what);

/* removes @path and everything below it (symlinks are removed, not followed) */
void remsim_test_common_remove_tree(const gchar *path);

/* TRUE if /usr/bin/python3 runs @code without error (e.g. "import smartcard") */
gboolean remsim_test_common_python_has(const gchar *code);

/*
 * Spins the default main context until @done(@data) holds or @timeout_ms
 * passes; returns @done's last answer. @done is not called again once it
 * returned TRUE, so it may take what it waited for.
 */
gboolean remsim_test_common_spin_until(gboolean (*done)(gpointer data), gpointer data,
				       guint timeout_ms);
/* spins the default main context for @ms */
void remsim_test_common_spin_for(guint ms);

/*
 * The port a daemon wrote as decimal text into @path (its --port-file);
 * 0 while the file is missing or not complete yet.
 */
guint16 remsim_test_common_read_port_file(const gchar *path);

/*
 * The ports remsim-server wrote into its --port-file @path ("rspro=N\nrest=M");
 * FALSE while the file is missing or not complete yet.
 */
gboolean remsim_test_common_read_server_ports(const gchar *path, guint16 *rspro_port,
					      guint16 *rest_port);

/*
 * Spawns @argv with @launcher (a fresh one if NULL) so that the daemon gets
 * @pdeathsig when the test dies half-way; asserts that it started.
 */
GSubprocess *remsim_test_common_daemon_spawn(GSubprocessLauncher *launcher,
					     const gchar *const *argv, gint pdeathsig);
/*
 * Sends @sig and waits; if the daemon is still there after @timeout_ms,
 * SIGKILLs it, so that a hung daemon fails the test instead of hanging it.
 * Returns TRUE if it went within @timeout_ms. Check the exit with
 * g_subprocess_get_if_exited() and friends.
 */
gboolean remsim_test_common_daemon_stop(GSubprocess *proc, gint sig, guint timeout_ms);

/*
 * remsim-server @exe on 127.0.0.1 without D-Bus: RSPRO on @rspro_port (0: any),
 * REST on any port, state in @state_dir; it writes its ports into @port_file
 * (removed first). Dies with the test (SIGTERM).
 */
GSubprocess *remsim_test_common_server_spawn(const gchar *exe, const gchar *state_dir,
					     guint16 rspro_port, const gchar *port_file);

/*
 * One HTTP/1.1 request with a JSON @body ("" for none) to 127.0.0.1:@port
 * on a connection of its own; returns the status code. @reply_out (may be
 * NULL) gets the head and the start of the body.
 */
guint remsim_test_common_rest_request(guint16 port, const gchar *method, const gchar *path,
				      const gchar *body, gchar **reply_out);

G_END_DECLS
