/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The processes of a run: started in a folder of their own with stderr in a
 * log file there, dying with the bench (PR_SET_PDEATHSIG), stopped with a
 * signal and a deadline; free loopback ports and the wait for a listener.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @argv in @cwd, stderr (and stdout unless @pipes) into @log; @pipes: stdin and stdout piped */
GSubprocess *remsim_bench_spawn(const gchar *const *argv, const gchar *cwd, const gchar *log,
				gboolean pipes, GError **error);
/* @signum, then waits up to @timeout_ms for the exit, then SIGKILL; TRUE on a clean exit */
gboolean remsim_bench_spawn_stop(GSubprocess *proc, gint signum, guint timeout_ms);
GPid remsim_bench_spawn_get_pid(GSubprocess *proc);

/* the first of @count consecutive ports that are free on 127.0.0.1 */
guint16 remsim_bench_spawn_free_ports(guint count);
/* TRUE once something accepts TCP connections on 127.0.0.1:@port; FALSE if @proc died first */
gboolean remsim_bench_spawn_wait_port(guint16 port, GSubprocess *proc, guint timeout_ms,
				      GError **error);
/* FALSE if @proc ended (the error names @what and its log) */
gboolean remsim_bench_spawn_check(GSubprocess *proc, const gchar *what, const gchar *log,
				  GError **error);

/* removes @path and everything below it (symlinks are removed, not followed) */
void remsim_bench_spawn_remove_tree(const gchar *path);

G_END_DECLS
