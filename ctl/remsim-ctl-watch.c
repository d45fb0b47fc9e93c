/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-ctl watch: every change, a line each, until interrupted */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "remsim-ctl-rest.h"
#include "remsim-ctl.h"

typedef struct {
	RemsimCtl *ctl;
	GMainLoop *loop;
	GCancellable *cancellable;
	GError *error;
} RemsimCtlWatch;

static gchar *
remsim_ctl_watch_state(RemsimCtlWatch *w, JsonObject *object, const gchar *member)
{
	const gchar *word = remsim_ctl_model_get_string(object, member);

	if (word == NULL)
		return g_strdup("-");
	return remsim_ctl_output_paint(word, remsim_ctl_output_state_label(word), w->ctl->colour);
}

static gchar *
remsim_ctl_watch_describe_map(RemsimCtlWatch *w, const gchar *event, JsonObject *map)
{
	g_autofree gchar *client = remsim_ctl_model_dup_pair(map, "client_id", "client_slot");
	g_autofree gchar *bank = remsim_ctl_model_dup_pair(map, "bank_id", "bank_slot");
	g_autofree gchar *state = remsim_ctl_watch_state(w, map, "state");
	guint id = (guint)json_object_get_int_member(map, "id");
	const gchar *error = remsim_ctl_model_get_string(map, "error");

	if (g_str_equal(event, "map-added"))
		/* TRANSLATORS: map id, client id:slot, bank id:slot, state */
		return g_strdup_printf(_("slot map %u added: client %s uses bank %s (%s)"), id,
				       client, bank, state);
	if (g_str_equal(event, "map-removed"))
		/* TRANSLATORS: map id, client id:slot, bank id:slot */
		return g_strdup_printf(_("slot map %u removed: client %s, bank %s"), id, client,
				       bank);
	if (error != NULL)
		/* TRANSLATORS: map id, state, the bank's result code */
		return g_strdup_printf(_("slot map %u is %s: %s"), id, state, error);
	/* TRANSLATORS: map id, state */
	return g_strdup_printf(_("slot map %u is %s"), id, state);
}

static gchar *
remsim_ctl_watch_describe_peer(RemsimCtlWatch *w, const gchar *event, JsonObject *object)
{
	if (g_str_equal(event, "bank-added")) {
		guint slots = (guint)json_object_get_int_member(object, "slots");

		/* TRANSLATORS: bank id, number of slots */
		return g_strdup_printf(ngettext("bank %u connected with %u slot",
						"bank %u connected with %u slots", slots),
				       (guint)json_object_get_int_member(object, "bank_id"), slots);
	}
	if (g_str_equal(event, "bank-removed"))
		/* TRANSLATORS: bank id */
		return g_strdup_printf(_("bank %u disconnected"),
				       (guint)json_object_get_int_member(object, "bank_id"));

	g_autofree gchar *client = remsim_ctl_model_dup_pair(object, "client_id", "slot");

	if (g_str_equal(event, "client-added"))
		/* TRANSLATORS: client id:slot */
		return g_strdup_printf(_("client %s connected"), client);
	if (g_str_equal(event, "client-removed"))
		/* TRANSLATORS: client id:slot */
		return g_strdup_printf(_("client %s disconnected"), client);

	g_autofree gchar *state = remsim_ctl_watch_state(w, object, "state");

	/* TRANSLATORS: client id:slot, its state */
	return g_strdup_printf(_("client %s is %s"), client, state);
}

/* one line for people about @event */
static gchar *
remsim_ctl_watch_describe(RemsimCtlWatch *w, JsonObject *event)
{
	const gchar *name = json_object_get_string_member(event, "event");
	JsonObject *o;

	if (json_object_has_member(event, "map"))
		return remsim_ctl_watch_describe_map(w, name,
						     json_object_get_object_member(event, "map"));
	if (json_object_has_member(event, "bank"))
		return remsim_ctl_watch_describe_peer(w, name,
						      json_object_get_object_member(event, "bank"));
	if (json_object_has_member(event, "client"))
		return remsim_ctl_watch_describe_peer(
		    w, name, json_object_get_object_member(event, "client"));
	if (json_object_has_member(event, "slot")) {
		g_autofree gchar *slot = NULL, *state = NULL;
		const gchar *card;

		o = json_object_get_object_member(event, "slot");
		slot = remsim_ctl_model_dup_pair(o, "bank_id", "slot");
		state = remsim_ctl_watch_state(w, o, "state");
		card = json_object_get_boolean_member_with_default(o, "card_present", FALSE)
			   ? _("card present")
			   : _("no card");
		/* TRANSLATORS: bank id:slot, its state, "card present" or "no card" */
		return g_strdup_printf(_("bank slot %s is %s, %s"), slot, state, card);
	}
	if (json_object_has_member(event, "link")) {
		g_autofree gchar *state = NULL;

		o = json_object_get_object_member(event, "link");
		state = remsim_ctl_watch_state(w, o, "state");
		/* TRANSLATORS: from, to (e.g. bank:1, server), state */
		return g_strdup_printf(_("link %s -> %s is %s"),
				       json_object_get_string_member(o, "from"),
				       json_object_get_string_member(o, "to"), state);
	}
	o = json_object_get_object_member(event, "daemon");
	if (g_str_equal(name, "daemon-found"))
		/* TRANSLATORS: a daemon's name */
		return g_strdup_printf(_("%s is there"),
				       json_object_get_string_member(o, "daemon"));
	/* TRANSLATORS: a daemon's name */
	return g_strdup_printf(_("%s is gone"), json_object_get_string_member(o, "daemon"));
}

static void
remsim_ctl_watch_event_cb(RemsimCtlSource *source, JsonObject *event, gpointer data)
{
	RemsimCtlWatch *w = data;
	g_autoptr(GDateTime) now = NULL;
	g_autofree gchar *time = NULL, *line = NULL;

	if (w->ctl->json) {
		remsim_ctl_output_json(event, TRUE);
		return;
	}
	now = g_date_time_new_now_local();
	time = g_date_time_format(now, "%H:%M:%S");
	line = remsim_ctl_watch_describe(w, event);
	printf("%s  %s\n", time, line);
	fflush(stdout);
}

static void
remsim_ctl_watch_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimCtlWatch *w = data;
	RemsimCtl *ctl = w->ctl;

	if (!remsim_ctl_source_watch_finish(REMSIM_CTL_SOURCE(source), result, &w->error)) {
		g_main_loop_quit(w->loop);
		return;
	}
	/* on standard error, so that standard output holds only the changes */
	if (ctl->server != NULL && remsim_ctl_rest_get_live(REMSIM_CTL_REST(source)))
		/* TRANSLATORS: %s: the server's URL */
		g_printerr(_("Watching the remsim-server at %s (its event stream); Ctrl+C "
			     "stops.\n"),
			   ctl->server);
	else if (ctl->server != NULL)
		/* TRANSLATORS: %s: the server's URL */
		g_printerr(_("Watching the remsim-server at %s (asked once a second); Ctrl+C "
			     "stops.\n"),
			   ctl->server);
	else if (ctl->session)
		g_printerr(_("Watching the remsim daemons on the session bus; Ctrl+C stops.\n"));
	else
		g_printerr(_("Watching the remsim daemons on the system bus; Ctrl+C stops.\n"));
}

static gboolean
remsim_ctl_watch_stop_cb(gpointer data)
{
	RemsimCtlWatch *w = data;

	g_cancellable_cancel(w->cancellable);
	g_main_loop_quit(w->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
remsim_ctl_watch_run(RemsimCtl *ctl, gint argc, gchar **argv, GError **error)
{
	RemsimCtlSource *source;
	RemsimCtlWatch w = { ctl, NULL, NULL, NULL };
	guint sigint, sigterm;
	gulong handler;

	if (!remsim_ctl_parse(ctl, &remsim_ctl_watch_command, NULL, &argc, &argv, 0, 0, error) ||
	    (source = remsim_ctl_get_source(ctl, error)) == NULL)
		return FALSE;
	w.loop = g_main_loop_new(NULL, FALSE);
	w.cancellable = g_cancellable_new();
	sigint = g_unix_signal_add(SIGINT, remsim_ctl_watch_stop_cb, &w);
	sigterm = g_unix_signal_add(SIGTERM, remsim_ctl_watch_stop_cb, &w);
	handler = g_signal_connect(source, "event", G_CALLBACK(remsim_ctl_watch_event_cb), &w);
	remsim_ctl_source_watch_async(source, w.cancellable, remsim_ctl_watch_ready, &w);
	g_main_loop_run(w.loop);
	/* nothing reaches @w after this */
	g_cancellable_cancel(w.cancellable);
	g_signal_handler_disconnect(source, handler);
	g_source_remove(sigint);
	g_source_remove(sigterm);
	g_main_loop_unref(w.loop);
	g_object_unref(w.cancellable);
	if (w.error != NULL && !g_error_matches(w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_propagate_error(error, w.error);
		return FALSE;
	}
	g_clear_error(&w.error);
	return TRUE;
}

const RemsimCtlCommand remsim_ctl_watch_command = {
	.name = "watch",
	.arguments = "",
	.summary = N_("Show every change as it happens, until interrupted"),
	.description = N_("Maps, banks and clients coming, going and changing; with the bank and "
			  "client daemons on the same bus also their slots and links. With "
			  "--server a remsim server's event stream is followed (an upstream "
			  "server is asked once a second). --json prints one JSON object a "
			  "line."),
	.run = remsim_ctl_watch_run,
};
