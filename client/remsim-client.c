/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "remsim-client.h"
#include "remsim-tls.h"
#include "remsim-reload.h"

struct _RemsimClient {
	GObject parent_instance;

	RemsimConfig *config;	   /* borrowed: the configuration in force */
	GPtrArray *slots;	   /* RemsimClientSlot */
	GPtrArray *frontend_names; /* gchar*, per slot */
	GPtrArray *groups;	   /* gchar*, per slot: its "slot N", or NULL for [client] */
	GHashTable *scripts;	   /* command → RemsimClientEventScript, shared by slots */
};

G_DEFINE_FINAL_TYPE(RemsimClient, remsim_client, G_TYPE_OBJECT)
G_DEFINE_QUARK(remsim_client_error_quark, remsim_client_error)

enum {
	SIGNAL_FINISHED,
	N_SIGNALS,
};
static guint signals[N_SIGNALS];

static void
remsim_client_frontend_finished_cb(RemsimClientFrontend *frontend, gpointer user_data)
{
	g_signal_emit(REMSIM_CLIENT(user_data), signals[SIGNAL_FINISHED], 0);
}

/* one script runner per command, so runs of all slots keep their order */
static RemsimClientEventScript *
remsim_client_get_script(RemsimClient *self, const gchar *command)
{
	RemsimClientEventScript *script = g_hash_table_lookup(self->scripts, command);

	if (script == NULL) {
		script = remsim_client_event_script_new(command);
		g_hash_table_insert(self->scripts, g_strdup(command), script);
	}
	return script;
}

static gboolean
remsim_client_add_slot(RemsimClient *self, RemsimConfig *config, const gchar *group, guint slot_nr,
		       GError **error)
{
	RemsimClientSlotSettings settings = { 0 };
	g_autofree gchar *frontend_name = NULL;
	g_autoptr(RemsimClientFrontend) frontend = NULL;
	RemsimClientEventScript *script = NULL;
	const gchar *script_cmd = remsim_config_get_string(config, group, "event-script");
	RemsimClientSlot *slot;

	frontend_name = g_strdup(remsim_config_get_string(config, group, "frontend"));
	for (guint i = 0; i < self->frontend_names->len; i++) {
		if (g_strcmp0(frontend_name, "shell") == 0 &&
		    g_strcmp0(self->frontend_names->pdata[i], "shell") == 0) {
			g_set_error_literal(error, REMSIM_CLIENT_ERROR, REMSIM_CLIENT_ERROR_CONFIG,
					    _("Only one slot can use the shell front end (there "
					      "is one standard input)"));
			return FALSE;
		}
	}
	frontend = remsim_client_frontend_new(frontend_name, config, group, error);
	if (frontend == NULL)
		return FALSE;
	if (script_cmd != NULL && script_cmd[0] != '\0')
		script = remsim_client_get_script(self, script_cmd);

	remsim_client_config_get_slot_settings(config, group, slot_nr, &settings);
	if (!remsim_tls_load_files(settings.tls_cert_file, settings.tls_key_file,
				   settings.tls_ca_file, &settings.tls_cert, &settings.tls_ca,
				   error) ||
	    ((settings.server_tls || settings.bankd_tls) && !remsim_tls_check_backend(error))) {
		remsim_client_slot_settings_clear(&settings);
		return FALSE;
	}
	slot = remsim_client_slot_new(&settings, frontend, script);
	remsim_client_slot_settings_clear(&settings);
	g_signal_connect_object(frontend, "finished",
				G_CALLBACK(remsim_client_frontend_finished_cb), self, 0);
	g_ptr_array_add(self->slots, slot);
	g_ptr_array_add(self->frontend_names, g_steal_pointer(&frontend_name));
	g_ptr_array_add(self->groups, g_strdup(group));
	return TRUE;
}

RemsimClient *
remsim_client_new(RemsimConfig *config, GError **error)
{
	g_autoptr(RemsimClient) self = g_object_new(REMSIM_TYPE_CLIENT, NULL);
	g_autoptr(GArray) slot_nrs = remsim_config_get_slots(config);

	self->config = config;
	if (slot_nrs->len == 0) {
		guint nr = (guint)remsim_config_get_int(config, NULL, "client-slot");

		if (!remsim_client_add_slot(self, config, NULL, nr, error))
			return NULL;
		return g_steal_pointer(&self);
	}
	for (guint i = 0; i < slot_nrs->len; i++) {
		guint nr = g_array_index(slot_nrs, guint, i);
		g_autofree gchar *group = g_strdup_printf("slot %u", nr);

		if (!remsim_client_add_slot(self, config, group, nr, error))
			return NULL;
	}
	return g_steal_pointer(&self);
}

gboolean
remsim_client_start(RemsimClient *self, GError **error)
{
	for (guint i = 0; i < self->slots->len; i++) {
		if (!remsim_client_slot_start(self->slots->pdata[i], error))
			return FALSE;
	}
	return TRUE;
}

void
remsim_client_stop(RemsimClient *self)
{
	for (guint i = 0; i < self->slots->len; i++)
		remsim_client_slot_stop(self->slots->pdata[i]);
}

guint
remsim_client_get_n_slots(RemsimClient *self)
{
	return self->slots->len;
}

RemsimClientSlot *
remsim_client_get_slot(RemsimClient *self, guint index)
{
	g_return_val_if_fail(index < self->slots->len, NULL);
	return self->slots->pdata[index];
}

const gchar *
remsim_client_get_frontend_name(RemsimClient *self, guint index)
{
	g_return_val_if_fail(index < self->frontend_names->len, NULL);
	return self->frontend_names->pdata[index];
}

/* --- reload --- */

/* the keys a reload puts in force for each slot */
static const gchar *const remsim_client_reload_live_keys[] = { "server-host", "server-port", NULL };

/* slot groups that came or went: the slots are built at start */
static void
remsim_client_compare_slots(RemsimClient *self, RemsimConfig *next, GPtrArray *needs_restart)
{
	g_autoptr(GArray) now = remsim_config_get_slots(self->config);
	g_autoptr(GArray) then = remsim_config_get_slots(next);
	GArray *lists[] = { now, then };

	for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
		GArray *other = lists[1 - l];

		for (guint i = 0; i < lists[l]->len; i++) {
			guint nr = g_array_index(lists[l], guint, i);
			gboolean found = FALSE;

			for (guint j = 0; j < other->len && !found; j++)
				found = g_array_index(other, guint, j) == nr;
			if (!found)
				g_ptr_array_add(needs_restart, g_strdup_printf("[slot %u]", nr));
		}
	}
}

/* the server of each slot changes at run time */
static void
remsim_client_apply_server(RemsimClient *self, RemsimConfig *next, guint index, GPtrArray *applied)
{
	RemsimClientSlot *slot = self->slots->pdata[index];
	const gchar *group = self->groups->pdata[index];
	const gchar *host = remsim_config_get_string(next, group, "server-host");
	/* checked when @next was read */
	guint16 port = (guint16)remsim_config_get_int(next, group, "server-port");
	/* "host:port" of the server in use */
	g_autofree gchar *now = remsim_client_slot_get_server_address(slot);
	const gchar *colon = strrchr(now, ':');
	g_autofree gchar *now_host = g_strndup(now, colon - now);
	guint now_port = (guint)g_ascii_strtoull(colon + 1, NULL, 10);

	if (g_strcmp0(host, now_host) != 0)
		remsim_reload_note(applied, group, "server-host");
	if (port != now_port)
		remsim_reload_note(applied, group, "server-port");
	remsim_client_slot_set_server(slot, host, port);
}

gboolean
remsim_client_reconfigure(RemsimClient *self, RemsimConfig *next, GPtrArray *applied,
			  GPtrArray *needs_restart, GError **error)
{
	/* the whole file, front ends included, read as a start would read it */
	g_autoptr(RemsimClient) check = remsim_client_new(next, error);

	if (check == NULL)
		return FALSE;
	remsim_client_compare_slots(self, next, needs_restart);
	for (guint i = 0; i < self->slots->len; i++) {
		const gchar *group = self->groups->pdata[i];

		remsim_reload_compare_keys(self->config, next, group,
					   remsim_client_reload_live_keys, needs_restart);
		remsim_client_apply_server(self, next, i, applied);
	}
	return TRUE;
}

gboolean
remsim_client_get_failed(RemsimClient *self)
{
	for (guint i = 0; i < self->slots->len; i++) {
		RemsimClientFrontend *fe = remsim_client_slot_get_frontend(self->slots->pdata[i]);

		if (remsim_client_frontend_get_error(fe) != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
remsim_client_dispose(GObject *object)
{
	RemsimClient *self = REMSIM_CLIENT(object);

	if (self->slots != NULL)
		remsim_client_stop(self);
	g_clear_pointer(&self->slots, g_ptr_array_unref);
	g_clear_pointer(&self->frontend_names, g_ptr_array_unref);
	g_clear_pointer(&self->groups, g_ptr_array_unref);
	g_clear_pointer(&self->scripts, g_hash_table_unref);
	G_OBJECT_CLASS(remsim_client_parent_class)->dispose(object);
}

static void
remsim_client_class_init(RemsimClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_client_dispose;
	signals[SIGNAL_FINISHED] =
	    g_signal_new("finished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
}

static void
remsim_client_init(RemsimClient *self)
{
	self->slots = g_ptr_array_new_with_free_func(g_object_unref);
	self->frontend_names = g_ptr_array_new_with_free_func(g_free);
	self->groups = g_ptr_array_new_with_free_func(g_free);
	self->scripts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
}
