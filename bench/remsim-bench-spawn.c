/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "remsim-bench-spawn.h"

static void
remsim_bench_spawn_child_setup(gpointer data)
{
	/* a bench that dies leaves no daemon behind */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
remsim_bench_spawn(const gchar *const *argv, const gchar *cwd, const gchar *log, gboolean pipes,
		   GError **error)
{
	GSubprocessFlags flags =
	    pipes ? G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
		  : G_SUBPROCESS_FLAGS_NONE;
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);

	if (cwd != NULL)
		g_subprocess_launcher_set_cwd(launcher, cwd);
	if (log != NULL && pipes) {
		g_subprocess_launcher_set_stderr_file_path(launcher, log);
	} else if (log != NULL) {
		g_subprocess_launcher_set_flags(launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
		g_subprocess_launcher_set_stdout_file_path(launcher, log);
	}
	g_subprocess_launcher_set_child_setup(launcher, remsim_bench_spawn_child_setup, NULL, NULL);
	return g_subprocess_launcher_spawnv(launcher, argv, error);
}

GPid
remsim_bench_spawn_get_pid(GSubprocess *proc)
{
	const gchar *id = g_subprocess_get_identifier(proc);

	return id != NULL ? (GPid)g_ascii_strtoll(id, NULL, 10) : 0;
}

/* GSubprocess reaps its child on GLib's worker thread: the identifier goes at the exit */
static gboolean
remsim_bench_spawn_wait(GSubprocess *proc, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (g_subprocess_get_identifier(proc) != NULL) {
		if (g_get_monotonic_time() >= deadline)
			return FALSE;
		g_usleep(5000);
	}
	return TRUE;
}

gboolean
remsim_bench_spawn_stop(GSubprocess *proc, gint signum, guint timeout_ms)
{
	if (proc == NULL)
		return TRUE;
	if (g_subprocess_get_identifier(proc) != NULL)
		g_subprocess_send_signal(proc, signum);
	if (!remsim_bench_spawn_wait(proc, timeout_ms)) {
		g_subprocess_force_exit(proc);
		g_subprocess_wait(proc, NULL, NULL);
		return FALSE;
	}
	return g_subprocess_get_if_exited(proc) && g_subprocess_get_exit_status(proc) == 0;
}

static gboolean
remsim_bench_spawn_port_free(guint16 port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	gboolean ok = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

guint16
remsim_bench_spawn_free_ports(guint count)
{
	/* above the kernel's ephemeral range, so no outgoing connection takes one meanwhile */
	static guint16 next = 0;

	if (next == 0)
		next = (guint16)(20000 + g_random_int_range(0, 8000));
	for (guint tries = 0; tries < 1000; tries++) {
		guint16 base = next;
		gboolean ok = TRUE;

		next = (guint16)(next + count + 1);
		if (next > 31000)
			next = 20000;
		for (guint i = 0; ok && i < count; i++)
			ok = remsim_bench_spawn_port_free((guint16)(base + i));
		if (ok)
			return base;
	}
	return 0;
}

gboolean
remsim_bench_spawn_check(GSubprocess *proc, const gchar *what, const gchar *log, GError **error)
{
	if (g_subprocess_get_identifier(proc) != NULL)
		return TRUE;
	g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s exited (see %s)", what,
		    log != NULL ? log : "its output");
	return FALSE;
}

gboolean
remsim_bench_spawn_wait_port(guint16 port, GSubprocess *proc, guint timeout_ms, GError **error)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (g_get_monotonic_time() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		gboolean ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;

		if (fd >= 0)
			close(fd);
		if (ok)
			return TRUE;
		if (proc != NULL && g_subprocess_get_identifier(proc) == NULL)
			break;
		g_usleep(10000);
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "nothing listens on 127.0.0.1:%u",
		    port);
	return FALSE;
}

void
remsim_bench_spawn_remove_tree(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remsim_bench_spawn_remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}
