/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "remsim-test-daemon.h"

struct _RemsimTestDaemon {
	GObject parent_instance;

	RemsimTestDaemonKind kind;
	/* the options, copied */
	gchar **args;
	gchar **env;
	gchar *bus_address;
	gchar *cwd;
	gboolean capture_stderr;
	guint fd_limit;
	guint16 server_port;
	gboolean no_state_dir;
	gchar *backend;
	guint n_slots;

	gchar *dir;
	gchar *config_path;
	gchar *state_dir;
	gboolean own_state_dir;
	gchar *port_file;
	gchar *stderr_path;
	guint16 port;
	guint16 rest_port;

	GSubprocess *proc;
	gboolean running;
	gboolean exited;
	gint exit_status;
	GCancellable *cancellable;
	guint pending; /* async operations on the default context not reported yet */

	/* client, PROGRAM */
	GOutputStream *stdin_pipe;
	GDataInputStream *stdout_data;
	gboolean stdout_eof;
	GPtrArray *lines;
};

G_DEFINE_FINAL_TYPE(RemsimTestDaemon, remsim_test_daemon, G_TYPE_OBJECT)

static const gchar *
remsim_test_daemon_kind_name(RemsimTestDaemonKind kind)
{
	switch (kind) {
	case REMSIM_TEST_DAEMON_SERVER:
		return "server";
	case REMSIM_TEST_DAEMON_BANKD:
		return "bankd";
	case REMSIM_TEST_DAEMON_CLIENT:
		return "client";
	default:
		return "program";
	}
}

static const gchar *
remsim_test_daemon_binary(RemsimTestDaemonKind kind)
{
	const gchar *const vars[] = { "REMSIM_SERVER", "REMSIM_BANKD", "REMSIM_CLIENT" };
	const gchar *exe;

	g_assert_cmpint(kind, <, G_N_ELEMENTS(vars));
	exe = g_getenv(vars[kind]);
	if (exe == NULL)
		g_error("%s is not set: the test must name the daemon in its 'needs'", vars[kind]);
	return exe;
}

static gboolean
remsim_test_daemon_has_pipes(RemsimTestDaemon *self)
{
	return self->kind == REMSIM_TEST_DAEMON_CLIENT || self->kind == REMSIM_TEST_DAEMON_PROGRAM;
}

/* the build's plugins, as remsim-bankd finds them in a folder */
static void
remsim_test_daemon_link_plugins(const gchar *plugin_dir)
{
	const gchar *list = g_getenv("REMSIM_TEST_PLUGINS");
	g_auto(GStrv) paths = NULL;

	g_assert_nonnull(list);
	paths = g_strsplit(list, ":", -1);
	g_assert_cmpint(g_mkdir_with_parents(plugin_dir, 0700), ==, 0);
	for (guint i = 0; paths[i] != NULL; i++) {
		g_autofree gchar *base = g_path_get_basename(paths[i]);
		g_autofree gchar *link = g_build_filename(plugin_dir, base, NULL);

		if (paths[i][0] != '\0')
			g_assert_cmpint(symlink(paths[i], link), ==, 0);
	}
}

RemsimTestDaemon *
remsim_test_daemon_new(RemsimTestDaemonKind kind, const RemsimTestDaemonOptions *options)
{
	RemsimTestDaemon *self = g_object_new(REMSIM_TEST_TYPE_DAEMON, NULL);
	g_autofree gchar *name =
	    g_strdup_printf("remsim-%s-XXXXXX", remsim_test_daemon_kind_name(kind));
	g_autofree gchar *config = NULL;
	const RemsimTestDaemonOptions none = { 0 };

	if (options == NULL)
		options = &none;
	self->kind = kind;
	self->args = g_strdupv((gchar **)options->args);
	self->env = g_strdupv((gchar **)options->env);
	self->bus_address = g_strdup(options->bus_address);
	self->cwd = g_strdup(options->cwd);
	self->capture_stderr = options->capture_stderr;
	self->fd_limit = options->fd_limit;
	self->server_port = options->server_port;
	self->port = options->port;
	self->no_state_dir = options->no_state_dir;
	self->backend = g_strdup(options->backend);
	self->n_slots = options->n_slots;
	if (kind == REMSIM_TEST_DAEMON_PROGRAM)
		g_assert_nonnull(self->args);
	if (kind == REMSIM_TEST_DAEMON_BANKD)
		g_assert_nonnull(self->backend);

	self->dir = remsim_test_common_make_dir(name);
	self->port_file = g_build_filename(self->dir, "port", NULL);
	self->stderr_path = g_build_filename(self->dir, "stderr.log", NULL);
	/* a short back-off so that a restarted server is found again within the test */
	if (kind == REMSIM_TEST_DAEMON_BANKD)
		config = g_strdup_printf("[bankd]\nbackoff-scale=0.02\n%s\n",
					 options->config != NULL ? options->config : "");
	else
		config = g_strdup(options->config != NULL ? options->config : "");
	if (kind != REMSIM_TEST_DAEMON_PROGRAM) {
		g_autofree gchar *conf_name =
		    g_strdup_printf("%s.conf", remsim_test_daemon_kind_name(kind));

		self->config_path = remsim_test_common_write_file(self->dir, conf_name, config);
	}
	if (kind == REMSIM_TEST_DAEMON_SERVER && !self->no_state_dir) {
		self->own_state_dir = options->state_dir == NULL;
		self->state_dir = self->own_state_dir ? g_build_filename(self->dir, "state", NULL)
						      : g_strdup(options->state_dir);
	}
	if (kind == REMSIM_TEST_DAEMON_BANKD) {
		g_autofree gchar *plugins = g_build_filename(self->dir, "plugins", NULL);

		remsim_test_daemon_link_plugins(plugins);
	}
	return self;
}

static void
remsim_test_daemon_add(GPtrArray *argv, const gchar *arg)
{
	g_ptr_array_add(argv, g_strdup(arg));
}

static void
remsim_test_daemon_add_port(GPtrArray *argv, const gchar *option, guint port)
{
	g_ptr_array_add(argv, g_strdup(option));
	g_ptr_array_add(argv, g_strdup_printf("%u", port));
}

static GPtrArray *
remsim_test_daemon_argv(RemsimTestDaemon *self)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);

	if (self->kind == REMSIM_TEST_DAEMON_PROGRAM) {
		for (guint i = 0; self->args[i] != NULL; i++)
			remsim_test_daemon_add(argv, self->args[i]);
		g_ptr_array_add(argv, NULL);
		return argv;
	}
	if (self->fd_limit > 0) {
		g_autofree gchar *prlimit = g_find_program_in_path("prlimit");

		g_assert_nonnull(prlimit);
		remsim_test_daemon_add(argv, prlimit);
		g_ptr_array_add(argv,
				g_strdup_printf("--nofile=%u:%u", self->fd_limit, self->fd_limit));
		remsim_test_daemon_add(argv, "--");
	}
	remsim_test_daemon_add(argv, remsim_test_daemon_binary(self->kind));
	g_ptr_array_add(argv, g_strdup_printf("--config=%s", self->config_path));
	remsim_test_daemon_add(argv, self->bus_address != NULL ? "--session" : "--no-dbus");
	switch (self->kind) {
	case REMSIM_TEST_DAEMON_SERVER:
		remsim_test_daemon_add(argv, "--bind-ip=127.0.0.1");
		remsim_test_daemon_add_port(argv, "--rspro-port", self->port);
		remsim_test_daemon_add(argv, "--rest-bind-ip=127.0.0.1");
		remsim_test_daemon_add(argv, "--rest-port=0");
		if (self->state_dir != NULL)
			g_ptr_array_add(argv, g_strdup_printf("--state-dir=%s", self->state_dir));
		g_ptr_array_add(argv, g_strdup_printf("--port-file=%s", self->port_file));
		break;
	case REMSIM_TEST_DAEMON_BANKD:
		remsim_test_daemon_add(argv, "-i");
		remsim_test_daemon_add(argv, "127.0.0.1");
		remsim_test_daemon_add_port(argv, "-p", self->server_port);
		remsim_test_daemon_add_port(argv, "-b", REMSIM_TEST_DAEMON_BANK_ID);
		if (self->n_slots > 0)
			remsim_test_daemon_add_port(argv, "-n", self->n_slots);
		remsim_test_daemon_add(argv, "-I");
		remsim_test_daemon_add(argv, "127.0.0.1");
		remsim_test_daemon_add_port(argv, "-P", self->port);
		g_ptr_array_add(argv, g_strdup_printf("--backend=%s", self->backend));
		g_ptr_array_add(argv, g_strdup_printf("--plugin-dir=%s/plugins", self->dir));
		g_ptr_array_add(argv, g_strdup_printf("--port-file=%s", self->port_file));
		break;
	case REMSIM_TEST_DAEMON_CLIENT:
		/* on the command line, so that a test's config keeps its line numbers */
		remsim_test_daemon_add(argv, "--backoff-scale=0.02");
		if (self->server_port != 0) {
			remsim_test_daemon_add(argv, "-i");
			remsim_test_daemon_add(argv, "127.0.0.1");
			remsim_test_daemon_add_port(argv, "-p", self->server_port);
		}
		break;
	default:
		g_assert_not_reached();
	}
	for (guint i = 0; self->args != NULL && self->args[i] != NULL; i++)
		remsim_test_daemon_add(argv, self->args[i]);
	g_ptr_array_add(argv, NULL);
	return argv;
}

static GSubprocessLauncher *
remsim_test_daemon_launcher(RemsimTestDaemon *self, GSubprocessFlags flags)
{
	GSubprocessLauncher *launcher = g_subprocess_launcher_new(flags);

	g_subprocess_launcher_set_cwd(launcher, self->cwd != NULL ? self->cwd : self->dir);
	if (self->bus_address != NULL)
		g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS",
					     self->bus_address, TRUE);
	for (guint i = 0; self->env != NULL && self->env[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(self->env[i], "=", 2);

		g_subprocess_launcher_setenv(launcher, kv[0], kv[1] != NULL ? kv[1] : "", TRUE);
	}
	return launcher;
}

/* --- the process --- */

static void
remsim_test_daemon_waited_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestDaemon *self = user_data;
	GSubprocess *proc = G_SUBPROCESS(source);

	self->pending--;
	if (!g_subprocess_wait_finish(proc, result, NULL) || proc != self->proc)
		return;
	self->running = FALSE;
	self->exited = TRUE;
	self->exit_status =
	    g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : -1;
}

static void remsim_test_daemon_read_line(RemsimTestDaemon *self);

static void
remsim_test_daemon_line_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestDaemon *self = user_data;
	g_autoptr(GError) error = NULL;
	gchar *line =
	    g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, &error);

	self->pending--;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
	    (GObject *)self->stdout_data != source)
		return;
	if (line == NULL) {
		self->stdout_eof = TRUE;
		return;
	}
	g_test_message("%s stdout: %s", remsim_test_daemon_kind_name(self->kind), line);
	g_ptr_array_add(self->lines, line);
	remsim_test_daemon_read_line(self);
}

static void
remsim_test_daemon_read_line(RemsimTestDaemon *self)
{
	self->pending++;
	g_data_input_stream_read_line_async(self->stdout_data, G_PRIORITY_DEFAULT,
					    self->cancellable, remsim_test_daemon_line_ready, self);
}

/* the ports of its --port-file: "rspro=N\nrest=M" (server), "N" (bankd) */
static gboolean
remsim_test_daemon_read_ports(RemsimTestDaemon *self)
{
	g_autofree gchar *text = NULL;
	guint rspro = 0, rest = 0;

	if (!g_file_get_contents(self->port_file, &text, NULL, NULL))
		return FALSE;
	if (self->kind == REMSIM_TEST_DAEMON_SERVER) {
		if (sscanf(text, "rspro=%u\nrest=%u", &rspro, &rest) != 2 || rspro == 0 ||
		    rest == 0 || rspro > G_MAXUINT16 || rest > G_MAXUINT16)
			return FALSE;
		self->port = (guint16)rspro;
		self->rest_port = (guint16)rest;
		return TRUE;
	}
	if (sscanf(text, "%u", &rspro) != 1 || rspro == 0 || rspro > G_MAXUINT16)
		return FALSE;
	self->port = (guint16)rspro;
	return TRUE;
}

static gboolean
remsim_test_daemon_is_up(RemsimTestDaemon *self)
{
	return remsim_test_daemon_read_ports(self) || self->exited;
}

void
remsim_test_daemon_start(RemsimTestDaemon *self)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GPtrArray) argv = remsim_test_daemon_argv(self);
	GSubprocessFlags flags = G_SUBPROCESS_FLAGS_NONE;

	g_assert_false(self->running);
	if (remsim_test_daemon_has_pipes(self))
		flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE;
	/* GLib writes info and debug lines to stdout: the server's and the bank's go with the rest
	 */
	if (self->capture_stderr && !remsim_test_daemon_has_pipes(self))
		flags |= G_SUBPROCESS_FLAGS_STDERR_MERGE;
	launcher = remsim_test_daemon_launcher(self, flags);
	if (self->capture_stderr && !remsim_test_daemon_has_pipes(self))
		g_subprocess_launcher_set_stdout_file_path(launcher, self->stderr_path);
	else if (self->capture_stderr)
		g_subprocess_launcher_set_stderr_file_path(launcher, self->stderr_path);
	g_unlink(self->port_file);
	g_clear_object(&self->proc);
	g_clear_object(&self->stdin_pipe);
	g_clear_object(&self->stdout_data);
	self->exited = self->stdout_eof = FALSE;
	self->exit_status = -1;
	/* a test that fails half-way must not leave its daemon running */
	self->proc =
	    remsim_test_common_daemon_spawn(launcher, (const gchar *const *)argv->pdata, SIGKILL);
	self->running = TRUE;
	self->pending++;
	g_subprocess_wait_async(self->proc, self->cancellable, remsim_test_daemon_waited_ready,
				self);
	if (remsim_test_daemon_has_pipes(self)) {
		self->stdin_pipe = g_object_ref(g_subprocess_get_stdin_pipe(self->proc));
		self->stdout_data =
		    g_data_input_stream_new(g_subprocess_get_stdout_pipe(self->proc));
		remsim_test_daemon_read_line(self);
	}
	if (self->kind != REMSIM_TEST_DAEMON_SERVER && self->kind != REMSIM_TEST_DAEMON_BANKD)
		return;
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_is_up(self));
	if (self->exited)
		g_error("remsim-%s exited with status %d before it listened",
			remsim_test_daemon_kind_name(self->kind), self->exit_status);
}

RemsimTestDaemon *
remsim_test_daemon_spawn(RemsimTestDaemonKind kind, const RemsimTestDaemonOptions *options)
{
	RemsimTestDaemon *self = remsim_test_daemon_new(kind, options);

	remsim_test_daemon_start(self);
	return self;
}

gint
remsim_test_daemon_run(RemsimTestDaemon *self, gchar **stderr_text)
{
	g_autoptr(GSubprocessLauncher) launcher = remsim_test_daemon_launcher(
	    self, G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autoptr(GPtrArray) argv = remsim_test_daemon_argv(self);
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	gchar *err = NULL;

	g_assert_false(self->running);
	proc =
	    remsim_test_common_daemon_spawn(launcher, (const gchar *const *)argv->pdata, SIGKILL);
	g_subprocess_communicate_utf8(proc, NULL, NULL, NULL, &err, &error);
	g_assert_no_error(error);
	g_test_message("remsim-%s said: %s", remsim_test_daemon_kind_name(self->kind), err);
	/* a daemon that refuses to start exits: no crash, no sanitizer report */
	g_assert_true(g_subprocess_get_if_exited(proc));
	if (stderr_text != NULL)
		*stderr_text = err;
	else
		g_free(err);
	return g_subprocess_get_exit_status(proc);
}

static void
remsim_test_daemon_end(RemsimTestDaemon *self, gint sig)
{
	gboolean in_time;

	g_assert_nonnull(self->proc);
	in_time = remsim_test_common_daemon_stop(self->proc, sig, REMSIM_TEST_TIMEOUT_MS);
	if (self->capture_stderr) {
		g_autofree gchar *log = remsim_test_daemon_get_stderr(self);

		g_test_message("remsim-%s's stderr:\n%s", remsim_test_daemon_kind_name(self->kind),
			       log);
	}
	/* one that does not go in time is killed, and fails the test */
	g_assert_true(in_time);
	self->running = FALSE;
	self->exited = TRUE;
	self->exit_status =
	    g_subprocess_get_if_exited(self->proc) ? g_subprocess_get_exit_status(self->proc) : -1;
}

void
remsim_test_daemon_stop(RemsimTestDaemon *self)
{
	if (!self->running)
		return;
	remsim_test_daemon_end(self, SIGTERM);
	if (self->kind == REMSIM_TEST_DAEMON_PROGRAM)
		return;
	/* a clean exit: no crash, no sanitizer report */
	g_assert_true(g_subprocess_get_if_exited(self->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(self->proc), ==, 0);
}

void
remsim_test_daemon_kill(RemsimTestDaemon *self)
{
	if (self->running)
		remsim_test_daemon_end(self, SIGKILL);
}

/* --- accessors --- */

RemsimTestDaemonKind
remsim_test_daemon_get_kind(RemsimTestDaemon *self)
{
	return self->kind;
}

GSubprocess *
remsim_test_daemon_get_process(RemsimTestDaemon *self)
{
	return self->running ? self->proc : NULL;
}

const gchar *
remsim_test_daemon_get_dir(RemsimTestDaemon *self)
{
	return self->dir;
}

const gchar *
remsim_test_daemon_get_config_path(RemsimTestDaemon *self)
{
	return self->config_path;
}

const gchar *
remsim_test_daemon_get_state_dir(RemsimTestDaemon *self)
{
	return self->state_dir;
}

guint16
remsim_test_daemon_get_port(RemsimTestDaemon *self)
{
	return self->port;
}

guint16
remsim_test_daemon_get_rest_port(RemsimTestDaemon *self)
{
	return self->rest_port;
}

gchar *
remsim_test_daemon_get_stderr(RemsimTestDaemon *self)
{
	gchar *text = NULL;

	g_assert_true(self->capture_stderr);
	if (!g_file_get_contents(self->stderr_path, &text, NULL, NULL))
		return g_strdup("");
	return text;
}

guint
remsim_test_daemon_count_stderr(RemsimTestDaemon *self, const gchar *text)
{
	g_autofree gchar *log = remsim_test_daemon_get_stderr(self);
	guint n = 0;

	for (const gchar *p = strstr(log, text); p != NULL; p = strstr(p + 1, text))
		n++;
	return n;
}

/* --- stdin and stdout --- */

void
remsim_test_daemon_write(RemsimTestDaemon *self, const gchar *text)
{
	g_autoptr(GError) error = NULL;

	/* small writes into a pipe: done at once */
	g_output_stream_write_all(self->stdin_pipe, text, strlen(text), NULL, NULL, &error);
	g_assert_no_error(error);
}

void
remsim_test_daemon_close_stdin(RemsimTestDaemon *self)
{
	g_output_stream_close(self->stdin_pipe, NULL, NULL);
}

GPtrArray *
remsim_test_daemon_get_lines(RemsimTestDaemon *self)
{
	return self->lines;
}

gint
remsim_test_daemon_find_line(RemsimTestDaemon *self, guint start, const gchar *line)
{
	for (guint i = start; i < self->lines->len; i++) {
		if (g_strcmp0(self->lines->pdata[i], line) == 0)
			return (gint)i;
	}
	return -1;
}

const gchar *
remsim_test_daemon_find_prefix(RemsimTestDaemon *self, const gchar *prefix)
{
	for (guint i = 0; i < self->lines->len; i++) {
		if (g_str_has_prefix(self->lines->pdata[i], prefix))
			return self->lines->pdata[i];
	}
	return NULL;
}

gboolean
remsim_test_daemon_has_exited(RemsimTestDaemon *self)
{
	return self->exited && (self->stdout_data == NULL || self->stdout_eof);
}

gint
remsim_test_daemon_wait_exit(RemsimTestDaemon *self)
{
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_has_exited(self));
	return self->exit_status;
}

/* --- REST --- */

typedef struct {
	GString *request;
	GMemoryOutputStream *reply;
	GSocketConnection *conn;
	GError *error;
	gboolean done;
} RemsimTestDaemonHttp;

static void
remsim_test_daemon_http_fail(RemsimTestDaemonHttp *http, GError *error)
{
	http->error = error;
	http->done = TRUE;
}

static void
remsim_test_daemon_http_read_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestDaemonHttp *http = user_data;
	GError *error = NULL;

	if (g_output_stream_splice_finish(G_OUTPUT_STREAM(source), result, &error) < 0)
		remsim_test_daemon_http_fail(http, error);
	else
		http->done = TRUE;
}

static void
remsim_test_daemon_http_written_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestDaemonHttp *http = user_data;
	GError *error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
		remsim_test_daemon_http_fail(http, error);
		return;
	}
	/* the server closes after its answer (Connection: close): read up to the end */
	g_output_stream_splice_async(G_OUTPUT_STREAM(http->reply),
				     g_io_stream_get_input_stream(G_IO_STREAM(http->conn)),
				     G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
				     remsim_test_daemon_http_read_ready, http);
}

static void
remsim_test_daemon_http_connected_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestDaemonHttp *http = user_data;
	GError *error = NULL;

	http->conn =
	    g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
	if (http->conn == NULL) {
		remsim_test_daemon_http_fail(http, error);
		return;
	}
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(http->conn)),
					http->request->str, http->request->len, G_PRIORITY_DEFAULT,
					NULL, remsim_test_daemon_http_written_ready, http);
}

static gboolean
remsim_test_daemon_http_done(gpointer data)
{
	return ((RemsimTestDaemonHttp *)data)->done;
}

/* the body of a chunked reply, joined */
static gchar *
remsim_test_daemon_unchunk(const gchar *body)
{
	GString *out = g_string_new(NULL);

	for (;;) {
		gchar *end = NULL;
		guint64 size = g_ascii_strtoull(body, &end, 16);
		const gchar *data = strstr(body, "\r\n");

		if (data == NULL || end == body || size == 0)
			break;
		g_string_append_len(out, data + 2, (gssize)size);
		body = data + 2 + size + 2;
	}
	return g_string_free(out, FALSE);
}

guint
remsim_test_daemon_rest(RemsimTestDaemon *self, const gchar *method, const gchar *path,
			const gchar *content_type, const gchar *body, gchar **body_out,
			gchar **content_type_out)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	RemsimTestDaemonHttp http = { 0 };
	g_autofree gchar *reply = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *head = NULL;
	g_auto(GStrv) head_lines = NULL;
	const gchar *head_end;
	gboolean chunked = FALSE;
	guint status = 0;
	gsize size;

	g_assert_cmpint(self->kind, ==, REMSIM_TEST_DAEMON_SERVER);
	http.request = g_string_new(NULL);
	g_string_append_printf(http.request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
	if (content_type != NULL)
		g_string_append_printf(http.request, "Content-Type: %s\r\n", content_type);
	g_string_append_printf(http.request, "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			       body != NULL ? strlen(body) : 0, body != NULL ? body : "");
	http.reply = G_MEMORY_OUTPUT_STREAM(g_memory_output_stream_new_resizable());
	g_socket_client_connect_to_host_async(client, "127.0.0.1", self->rest_port, NULL,
					      remsim_test_daemon_http_connected_ready, &http);
	/* the main loop runs meanwhile: a request may wait for a peer of this test */
	g_assert_true(remsim_test_common_spin_until(remsim_test_daemon_http_done, &http,
						    REMSIM_TEST_TIMEOUT_MS));
	g_assert_no_error(http.error);
	g_string_free(http.request, TRUE);
	g_clear_object(&http.conn);
	size = g_memory_output_stream_get_data_size(http.reply);
	data = g_memory_output_stream_steal_data(http.reply);
	reply = g_strndup(data, size);
	g_object_unref(http.reply);

	head_end = strstr(reply, "\r\n\r\n");
	g_assert_nonnull(head_end);
	head = g_strndup(reply, head_end - reply);
	head_lines = g_strsplit(head, "\r\n", -1);
	g_assert_cmpint(sscanf(head_lines[0], "HTTP/1.1 %u", &status), ==, 1);
	if (content_type_out != NULL)
		*content_type_out = NULL;
	for (guint i = 1; head_lines[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit(head_lines[i], ":", 2);

		if (kv[1] == NULL)
			continue;
		g_strstrip(kv[1]);
		if (g_ascii_strcasecmp(kv[0], "Content-Type") == 0 && content_type_out != NULL)
			*content_type_out = g_strdup(kv[1]);
		if (g_ascii_strcasecmp(kv[0], "Transfer-Encoding") == 0 &&
		    g_ascii_strcasecmp(kv[1], "chunked") == 0)
			chunked = TRUE;
	}
	if (body_out != NULL)
		*body_out =
		    chunked ? remsim_test_daemon_unchunk(head_end + 4) : g_strdup(head_end + 4);
	return status;
}

JsonNode *
remsim_test_daemon_rest_json(RemsimTestDaemon *self, const gchar *path, guint status)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *content_type = NULL;
	g_autoptr(GError) error = NULL;
	guint got = remsim_test_daemon_rest(self, "GET", path, NULL, NULL, &body, &content_type);
	JsonNode *node;

	g_assert_cmpuint(got, ==, status);
	g_assert_cmpstr(content_type, ==, "application/json");
	node = json_from_string(body, &error);
	g_assert_no_error(error);
	g_assert_nonnull(node);
	return node;
}

guint
remsim_test_daemon_create_slotmap(RemsimTestDaemon *self, guint bank, guint bank_slot, guint client,
				  guint client_slot)
{
	g_autofree gchar *body = g_strdup_printf(
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    bank, bank_slot, client, client_slot);

	return remsim_test_daemon_rest(self, "POST", "/api/backend/v1/slotmaps", "application/json",
				       body, NULL, NULL);
}

gchar *
remsim_test_daemon_slotmap_state(RemsimTestDaemon *self, guint bank, guint slot)
{
	g_autoptr(JsonNode) root =
	    remsim_test_daemon_rest_json(self, "/api/backend/v1/slotmaps", 200);
	JsonArray *maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");

	for (guint i = 0; i < json_array_get_length(maps); i++) {
		JsonObject *map = json_array_get_object_element(maps, i);
		JsonObject *b = json_object_get_object_member(map, "bank");

		if (json_object_get_int_member(b, "bankId") == bank &&
		    json_object_get_int_member(b, "slotNr") == slot)
			return g_strdup(json_object_get_string_member(map, "state"));
	}
	return NULL;
}

typedef struct {
	RemsimTestDaemon *daemon;
	guint bank;
	guint slot;
	const gchar *state;
} RemsimTestDaemonMapWait;

static gboolean
remsim_test_daemon_map_is(gpointer data)
{
	RemsimTestDaemonMapWait *wait = data;
	g_autofree gchar *state =
	    remsim_test_daemon_slotmap_state(wait->daemon, wait->bank, wait->slot);

	return g_strcmp0(state, wait->state) == 0;
}

gboolean
remsim_test_daemon_wait_slotmap_state(RemsimTestDaemon *self, guint bank, guint slot,
				      const gchar *state)
{
	RemsimTestDaemonMapWait wait = { self, bank, slot, state };

	return remsim_test_common_spin_until(remsim_test_daemon_map_is, &wait,
					     REMSIM_TEST_TIMEOUT_MS);
}

/* --- the object --- */

static void
remsim_test_daemon_dispose(GObject *object)
{
	RemsimTestDaemon *self = REMSIM_TEST_DAEMON(object);

	if (self->running) {
		if (self->kind == REMSIM_TEST_DAEMON_PROGRAM)
			remsim_test_daemon_kill(self);
		else
			remsim_test_daemon_stop(self);
	}
	/* the reads and waits on the default context report their end before it goes */
	g_cancellable_cancel(self->cancellable);
	while (self->pending > 0)
		g_main_context_iteration(NULL, TRUE);
	g_clear_object(&self->stdin_pipe);
	g_clear_object(&self->stdout_data);
	g_clear_object(&self->proc);
	G_OBJECT_CLASS(remsim_test_daemon_parent_class)->dispose(object);
}

static void
remsim_test_daemon_finalize(GObject *object)
{
	RemsimTestDaemon *self = REMSIM_TEST_DAEMON(object);

	remsim_test_common_remove_tree(self->dir);
	g_strfreev(self->args);
	g_strfreev(self->env);
	g_free(self->bus_address);
	g_free(self->cwd);
	g_free(self->backend);
	g_free(self->dir);
	g_free(self->config_path);
	g_free(self->state_dir);
	g_free(self->port_file);
	g_free(self->stderr_path);
	g_object_unref(self->cancellable);
	g_ptr_array_unref(self->lines);
	G_OBJECT_CLASS(remsim_test_daemon_parent_class)->finalize(object);
}

static void
remsim_test_daemon_class_init(RemsimTestDaemonClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_test_daemon_dispose;
	object_class->finalize = remsim_test_daemon_finalize;
}

static void
remsim_test_daemon_init(RemsimTestDaemon *self)
{
	self->exit_status = -1;
	self->cancellable = g_cancellable_new();
	self->lines = g_ptr_array_new_with_free_func(g_free);
}
