/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-ctl-error.h"
#include "remsim-ctl-model.h"
#include "remsim-ctl-source.h"

G_DEFINE_ABSTRACT_TYPE(RemsimCtlSource, remsim_ctl_source, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, N_SIGNALS };
static guint remsim_ctl_source_signals[N_SIGNALS];

static void
remsim_ctl_source_class_init(RemsimCtlSourceClass *klass)
{
	/*
	 * ::event(JsonObject *event): one change while watching, a model event
	 * ({"time", "event", kind: object}) that the handler may keep with a ref
	 */
	remsim_ctl_source_signals[SIGNAL_EVENT] =
	    g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
}

static void
remsim_ctl_source_init(RemsimCtlSource *self)
{
}

JsonObject *
remsim_ctl_source_get_status(RemsimCtlSource *self, GError **error)
{
	return REMSIM_CTL_SOURCE_GET_CLASS(self)->get_status(self, error);
}

/* @list sorted by its ids, whatever order the daemon gave: the same output either way */
static JsonArray *
remsim_ctl_source_sorted(JsonArray *list, const gchar *first, const gchar *second)
{
	g_autoptr(JsonArray) unsorted = list;

	return unsorted != NULL ? remsim_ctl_model_sort(unsorted, first, second) : NULL;
}

JsonArray *
remsim_ctl_source_list_banks(RemsimCtlSource *self, GError **error)
{
	return remsim_ctl_source_sorted(REMSIM_CTL_SOURCE_GET_CLASS(self)->list_banks(self, error),
					"bank_id", NULL);
}

JsonArray *
remsim_ctl_source_list_clients(RemsimCtlSource *self, GError **error)
{
	return remsim_ctl_source_sorted(
	    REMSIM_CTL_SOURCE_GET_CLASS(self)->list_clients(self, error), "client_id", "slot");
}

JsonArray *
remsim_ctl_source_list_maps(RemsimCtlSource *self, GError **error)
{
	return remsim_ctl_source_sorted(REMSIM_CTL_SOURCE_GET_CLASS(self)->list_maps(self, error),
					"id", NULL);
}

JsonArray *
remsim_ctl_source_list_slots(RemsimCtlSource *self, gint bank_id, GError **error)
{
	return remsim_ctl_source_sorted(
	    REMSIM_CTL_SOURCE_GET_CLASS(self)->list_slots(self, bank_id, error), "bank_id", "slot");
}

JsonObject *
remsim_ctl_source_find_map(RemsimCtlSource *self, guint32 map_id, GError **error)
{
	g_autoptr(JsonArray) maps = remsim_ctl_source_list_maps(self, error);

	for (guint i = 0; maps != NULL && i < json_array_get_length(maps); i++) {
		JsonObject *map = json_array_get_object_element(maps, i);

		if (json_object_get_int_member(map, "id") == map_id)
			return json_object_ref(map);
	}
	if (maps != NULL)
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND,
			    /* TRANSLATORS: %u: a slot map's id */
			    _("there is no slot map %u: remsim-ctl maps lists them"), map_id);
	return NULL;
}

gboolean
remsim_ctl_source_create_map(RemsimCtlSource *self, guint client_id, guint client_slot,
			     guint bank_id, guint bank_slot, GError **error)
{
	if (REMSIM_CTL_SOURCE_GET_CLASS(self)->create_map(self, client_id, client_slot, bank_id,
							  bank_slot, error))
		return TRUE;
	remsim_ctl_error_add_hint(
	    error, REMSIM_CTL_ERROR_REFUSED,
	    _("remsim-ctl maps shows what is mapped, remsim-ctl unmap frees a "
	      "slot"));
	return FALSE;
}

gboolean
remsim_ctl_source_delete_map(RemsimCtlSource *self, guint32 map_id, GError **error)
{
	return REMSIM_CTL_SOURCE_GET_CLASS(self)->delete_map(self, map_id, error);
}

gboolean
remsim_ctl_source_reset(RemsimCtlSource *self, GError **error)
{
	return REMSIM_CTL_SOURCE_GET_CLASS(self)->reset(self, error);
}

JsonObject *
remsim_ctl_source_reset_slot(RemsimCtlSource *self, guint bank_id, guint slot, GError **error)
{
	JsonObject *after =
	    REMSIM_CTL_SOURCE_GET_CLASS(self)->reset_slot(self, bank_id, slot, error);

	if (after == NULL)
		remsim_ctl_error_add_hint(error, REMSIM_CTL_ERROR_REFUSED,
					  _("remsim-ctl slots shows which cards are powered"));
	return after;
}

void
remsim_ctl_source_watch_async(RemsimCtlSource *self, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data)
{
	REMSIM_CTL_SOURCE_GET_CLASS(self)->watch_async(self, cancellable, callback, user_data);
}

gboolean
remsim_ctl_source_watch_finish(RemsimCtlSource *self, GAsyncResult *result, GError **error)
{
	return REMSIM_CTL_SOURCE_GET_CLASS(self)->watch_finish(self, result, error);
}

void
remsim_ctl_source_emit_event(RemsimCtlSource *self, JsonObject *event)
{
	g_signal_emit(self, remsim_ctl_source_signals[SIGNAL_EVENT], 0, event);
	json_object_unref(event);
}

JsonArray *
remsim_ctl_source_list_cards(RemsimCtlSource *self, const gchar *iccid, const gchar *imsi,
			     GError **error)
{
	return REMSIM_CTL_SOURCE_GET_CLASS(self)->list_cards(self, iccid, imsi, error);
}

gboolean
remsim_ctl_source_create_map_by_iccid(RemsimCtlSource *self, guint client_id, guint client_slot,
				      const gchar *iccid, guint *bank_id, guint *bank_slot,
				      GError **error)
{
	return REMSIM_CTL_SOURCE_GET_CLASS(self)->create_map_by_iccid(
	    self, client_id, client_slot, iccid, bank_id, bank_slot, error);
}
