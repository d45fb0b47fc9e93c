/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "remsim-test-common.h"

gboolean
remsim_test_common_skip_unless(gboolean ok, const gchar *what)
{
	if (ok)
		return FALSE;
	if (g_strcmp0(g_getenv("REMSIM_TEST_STRICT"), "1") == 0)
		g_error("REMSIM_TEST_STRICT=1 and %s", what);
	g_printerr("SKIP: %s\n", what);
	g_test_skip(what);
	return TRUE;
}

void
remsim_test_common_remove_tree(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remsim_test_common_remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

gchar *
remsim_test_common_make_dir(const gchar *name)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp(name, &error);

	g_assert_no_error(error);
	return dir;
}

gchar *
remsim_test_common_write_file(const gchar *dir, const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
	return path;
}

gboolean
remsim_test_common_python_has(const gchar *code)
{
	const gchar *argv[] = { "/usr/bin/python3", "-c", code, NULL };
	gint status = -1;

	if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
			  NULL, &status, NULL))
		return FALSE;
	return g_spawn_check_wait_status(status, NULL);
}

/* --- waiting --- */

static gboolean
remsim_test_common_deadline_cb(gpointer user_data)
{
	((RemsimTestCommonWait *)user_data)->expired = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_test_common_tick_cb(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

void
remsim_test_common_wait_begin(RemsimTestCommonWait *wait, guint timeout_ms)
{
	wait->expired = FALSE;
	wait->deadline = g_timeout_source_new(timeout_ms);
	g_source_set_callback(wait->deadline, remsim_test_common_deadline_cb, wait, NULL);
	g_source_attach(wait->deadline, NULL);
	/* some conditions (a file appearing) come with no event: look again now and then */
	wait->tick = g_timeout_source_new(20);
	g_source_set_callback(wait->tick, remsim_test_common_tick_cb, NULL, NULL);
	g_source_attach(wait->tick, NULL);
}

gboolean
remsim_test_common_wait_next(RemsimTestCommonWait *wait)
{
	if (wait->expired)
		return FALSE;
	g_main_context_iteration(NULL, TRUE);
	return !wait->expired;
}

void
remsim_test_common_wait_end(RemsimTestCommonWait *wait)
{
	g_source_destroy(wait->deadline);
	g_source_destroy(wait->tick);
	g_clear_pointer(&wait->deadline, g_source_unref);
	g_clear_pointer(&wait->tick, g_source_unref);
}

gboolean
remsim_test_common_spin_until(gboolean (*done)(gpointer data), gpointer data, guint timeout_ms)
{
	RemsimTestCommonWait wait;
	gboolean ok;

	remsim_test_common_wait_begin(&wait, timeout_ms);
	/* @done is asked once a turn and not again once it held: it may take what it found */
	while (!(ok = done(data)) && remsim_test_common_wait_next(&wait))
		;
	remsim_test_common_wait_end(&wait);
	return ok;
}

static gboolean
remsim_test_common_never(gpointer data)
{
	return FALSE;
}

void
remsim_test_common_spin_for(guint ms)
{
	remsim_test_common_spin_until(remsim_test_common_never, NULL, ms);
}

/* --- processes --- */

static void
remsim_test_common_set_pdeathsig(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, GPOINTER_TO_INT(user_data));
}

GSubprocess *
remsim_test_common_daemon_spawn(GSubprocessLauncher *launcher, const gchar *const *argv,
				gint pdeathsig)
{
	g_autoptr(GSubprocessLauncher) own = NULL;
	g_autoptr(GError) error = NULL;
	GSubprocess *proc;

	if (launcher == NULL)
		launcher = own = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_subprocess_launcher_set_child_setup(launcher, remsim_test_common_set_pdeathsig,
					      GINT_TO_POINTER(pdeathsig), NULL);
	proc = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	return proc;
}

static void
remsim_test_common_waited_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
	*(gboolean *)user_data = TRUE;
}

static gboolean
remsim_test_common_stop_deadline_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

gboolean
remsim_test_common_daemon_stop(GSubprocess *proc, gint sig, guint timeout_ms)
{
	/* a context of its own, so that nothing else of the test runs while we wait */
	g_autoptr(GMainContext) context = g_main_context_new();
	g_autoptr(GSource) deadline = g_timeout_source_new(timeout_ms);
	gboolean gone = FALSE, expired = FALSE, in_time;

	g_main_context_push_thread_default(context);
	g_source_set_callback(deadline, remsim_test_common_stop_deadline_cb, &expired, NULL);
	g_source_attach(deadline, context);
	g_subprocess_send_signal(proc, sig);
	g_subprocess_wait_async(proc, NULL, remsim_test_common_waited_ready, &gone);
	while (!gone && !expired)
		g_main_context_iteration(context, TRUE);
	in_time = gone;
	if (!in_time) {
		g_subprocess_force_exit(proc);
		while (!gone)
			g_main_context_iteration(context, TRUE);
	}
	g_source_destroy(deadline);
	g_main_context_pop_thread_default(context);
	return in_time;
}

/* --- ports and bytes --- */

static gboolean
remsim_test_common_port_is_free(guint16 port)
{
	g_autoptr(GSocket) sock =
	    g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
	g_autoptr(GInetAddress) any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(any, port);

	return sock != NULL && g_socket_bind(sock, addr, FALSE, NULL);
}

guint16
remsim_test_common_free_port_pair(void)
{
	for (guint attempt = 0; attempt < 100; attempt++) {
		g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
						       G_SOCKET_PROTOCOL_TCP, NULL);
		g_autoptr(GInetAddress) any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
		g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(any, 0);
		g_autoptr(GSocketAddress) bound = NULL;
		guint16 port;

		g_assert_true(g_socket_bind(sock, addr, FALSE, NULL));
		bound = g_socket_get_local_address(sock, NULL);
		port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
		g_socket_close(sock, NULL);
		if (port < G_MAXUINT16 && remsim_test_common_port_is_free(port) &&
		    remsim_test_common_port_is_free(port + 1))
			return port;
	}
	g_error("no free pair of TCP ports");
}

GBytes *
remsim_test_common_hex_bytes(const gchar *hex)
{
	GByteArray *out = g_byte_array_new();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 b;

		if (g_ascii_isspace(*p)) {
			p++;
			continue;
		}
		g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
		b = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
		g_byte_array_append(out, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes(out);
}

gchar *
remsim_test_common_bytes_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	GString *s = g_string_sized_new(2 * len + 1);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02X", data[i]);
	return g_string_free(s, FALSE);
}
