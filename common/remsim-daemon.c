/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/resource.h>

#include "remsim-daemon.h"

static gboolean
remsim_daemon_signal_cb(gpointer user_data)
{
	/* in the daemon's log domain, which is its program name */
	g_log(g_get_prgname(), G_LOG_LEVEL_MESSAGE, "Shutting down");
	g_main_loop_quit(user_data);
	return G_SOURCE_CONTINUE;
}

void
remsim_daemon_run(GMainLoop *loop)
{
	guint sigint_id = g_unix_signal_add(SIGINT, remsim_daemon_signal_cb, loop);
	guint sigterm_id = g_unix_signal_add(SIGTERM, remsim_daemon_signal_cb, loop);

	g_main_loop_run(loop);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
}

void
remsim_daemon_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			g_debug("cannot raise the open file limit: %s", g_strerror(errno));
	}
}
