/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "remsim-client-event-script.h"

typedef struct {
	gchar *cause;
	gchar **env;
} RemsimClientScriptRun;

struct _RemsimClientEventScript {
	GObject parent_instance;

	gchar *command;
	GQueue queue; /* RemsimClientScriptRun */
	GSubprocess *running;
	GCancellable *cancellable;
	guint timeout_id;
	guint runs;
	guint failures;
};

G_DEFINE_FINAL_TYPE(RemsimClientEventScript, remsim_client_event_script, G_TYPE_OBJECT)

static const gchar *const safe_environ[] = {
	"USER",
	"LOGNAME",
	"HOME",
	"LANG",
	"LC_ALL",
	"LC_COLLATE",
	"LC_CTYPE",
	"LC_MESSAGES",
	"LC_MONETARY",
	"LC_NUMERIC",
	"LC_TIME",
	"PATH",
	"PWD",
	"SHELL",
	"TERM",
	"TMPDIR",
	"LD_LIBRARY_PATH",
	"LD_PRELOAD",
	"POSIXLY_CORRECT",
	"HOSTALIASES",
	"TZ",
	"TZDIR",
	"TERMCAP",
	"COLUMNS",
	"LINES",
	NULL,
};

static void remsim_client_event_script_start_next(RemsimClientEventScript *self);

static void
remsim_client_event_script_run_free(RemsimClientScriptRun *run)
{
	g_free(run->cause);
	g_strfreev(run->env);
	g_free(run);
}

gchar **
remsim_client_event_script_filter_environ(const gchar *const *environ_)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; environ_ != NULL && environ_[i] != NULL; i++) {
		const gchar *eq = strchr(environ_[i], '=');

		if (eq == NULL)
			continue;
		for (guint j = 0; safe_environ[j] != NULL; j++) {
			gsize n = strlen(safe_environ[j]);

			if ((gsize)(eq - environ_[i]) == n &&
			    strncmp(environ_[i], safe_environ[j], n) == 0) {
				g_ptr_array_add(out, g_strdup(environ_[i]));
				break;
			}
		}
	}
	g_ptr_array_add(out, NULL);
	return (gchar **)g_ptr_array_free(out, FALSE);
}

static void
remsim_client_event_script_finish_current(RemsimClientEventScript *self)
{
	g_clear_handle_id(&self->timeout_id, g_source_remove);
	g_clear_object(&self->running);
	g_clear_object(&self->cancellable);
	remsim_client_event_script_start_next(self);
}

static void
remsim_client_event_script_wait_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimClientEventScript *self = user_data;
	GSubprocess *proc = G_SUBPROCESS(source);
	g_autoptr(GError) error = NULL;

	/* cancelled: the run timed out or @self is gone; nothing of @self may be touched */
	if (!g_subprocess_wait_finish(proc, result, &error))
		return;
	if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
		self->failures++;
		if (g_subprocess_get_if_exited(proc))
			g_message("Event script “%s” exited with status %d", self->command,
				  g_subprocess_get_exit_status(proc));
		else
			g_message("Event script “%s” was killed by signal %d", self->command,
				  g_subprocess_get_term_sig(proc));
	}
	if (proc == self->running)
		remsim_client_event_script_finish_current(self);
}

static gboolean
remsim_client_event_script_timeout_cb(gpointer user_data)
{
	RemsimClientEventScript *self = user_data;

	self->timeout_id = 0;
	g_warning("Event script “%s” still runs after %d s; not waiting for it any longer",
		  self->command, REMSIM_CLIENT_EVENT_SCRIPT_TIMEOUT_MS / 1000);
	/* GLib's worker still reaps it when it ends */
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	remsim_client_event_script_finish_current(self);
	return G_SOURCE_REMOVE;
}

static void
remsim_client_event_script_start_next(RemsimClientEventScript *self)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *shell_cmd = NULL;
	g_autofree gchar *quoted = NULL;
	RemsimClientScriptRun *run;

	if (self->running != NULL || g_queue_is_empty(&self->queue))
		return;
	run = g_queue_pop_head(&self->queue);
	quoted = g_shell_quote(run->cause);
	shell_cmd = g_strdup_printf("%s %s", self->command, quoted);
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	/* stdin and stdout may be the shell front end's: keep the script off both */
	g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
	g_subprocess_launcher_take_stdout_fd(launcher, dup(STDERR_FILENO));
	g_subprocess_launcher_set_environ(launcher, run->env);
	self->runs++;
	g_debug("event script: %s", shell_cmd);
	self->running =
	    g_subprocess_launcher_spawn(launcher, &error, "/bin/sh", "-c", shell_cmd, NULL);
	remsim_client_event_script_run_free(run);
	if (self->running == NULL) {
		self->failures++;
		g_message("Event script “%s” cannot be started: %s", self->command, error->message);
		remsim_client_event_script_start_next(self);
		return;
	}
	self->cancellable = g_cancellable_new();
	self->timeout_id = g_timeout_add(REMSIM_CLIENT_EVENT_SCRIPT_TIMEOUT_MS,
					 remsim_client_event_script_timeout_cb, self);
	g_subprocess_wait_async(self->running, self->cancellable,
				remsim_client_event_script_wait_ready, self);
}

void
remsim_client_event_script_run(RemsimClientEventScript *self, const gchar *cause,
			       const gchar *const *vars)
{
	g_auto(GStrv) base = g_get_environ();
	g_autoptr(GStrvBuilder) env = g_strv_builder_new();
	g_auto(GStrv) filtered = NULL;
	g_autofree gchar *cause_var = NULL;
	RemsimClientScriptRun *run;

	g_return_if_fail(REMSIM_IS_CLIENT_EVENT_SCRIPT(self));
	if (g_queue_get_length(&self->queue) >= REMSIM_CLIENT_EVENT_SCRIPT_QUEUE_MAX) {
		self->failures++;
		g_warning("Event script “%s”: too many runs waiting; %s dropped", self->command,
			  cause);
		return;
	}
	filtered = remsim_client_event_script_filter_environ((const gchar *const *)base);
	g_strv_builder_addv(env, (const gchar **)filtered);
	if (vars != NULL)
		g_strv_builder_addv(env, (const gchar **)vars);
	cause_var = g_strdup_printf("REMSIM_CAUSE=%s", cause);
	g_strv_builder_add(env, cause_var);

	run = g_new0(RemsimClientScriptRun, 1);
	run->cause = g_strdup(cause);
	run->env = g_strv_builder_end(env);
	g_queue_push_tail(&self->queue, run);
	remsim_client_event_script_start_next(self);
}

const gchar *
remsim_client_event_script_get_command(RemsimClientEventScript *self)
{
	return self->command;
}

guint
remsim_client_event_script_get_runs(RemsimClientEventScript *self)
{
	return self->runs;
}

guint
remsim_client_event_script_get_failures(RemsimClientEventScript *self)
{
	return self->failures;
}

static void
remsim_client_event_script_dispose(GObject *object)
{
	RemsimClientEventScript *self = REMSIM_CLIENT_EVENT_SCRIPT(object);

	g_clear_handle_id(&self->timeout_id, g_source_remove);
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->running);
	g_queue_clear_full(&self->queue, (GDestroyNotify)remsim_client_event_script_run_free);
	G_OBJECT_CLASS(remsim_client_event_script_parent_class)->dispose(object);
}

static void
remsim_client_event_script_finalize(GObject *object)
{
	RemsimClientEventScript *self = REMSIM_CLIENT_EVENT_SCRIPT(object);

	g_free(self->command);
	G_OBJECT_CLASS(remsim_client_event_script_parent_class)->finalize(object);
}

static void
remsim_client_event_script_class_init(RemsimClientEventScriptClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_client_event_script_dispose;
	object_class->finalize = remsim_client_event_script_finalize;
}

static void
remsim_client_event_script_init(RemsimClientEventScript *self)
{
	g_queue_init(&self->queue);
}

RemsimClientEventScript *
remsim_client_event_script_new(const gchar *command)
{
	RemsimClientEventScript *self = g_object_new(REMSIM_TYPE_CLIENT_EVENT_SCRIPT, NULL);

	self->command = g_strdup(command);
	return self;
}
