/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCtlSource: where remsim-ctl gets what it shows and sends what it
 * changes. RemsimCtlDbus talks to the local daemons on D-Bus, RemsimCtlRest to
 * a server's REST API; both give the objects of remsim-ctl-model.h, so a
 * command prints the same either way.
 *
 * Reads and changes are synchronous (a command line tool does one thing, then
 * ends). Watching is asynchronous: remsim_ctl_source_watch_async() completes
 * once the source watches, and ::event is emitted for each change until the
 * cancellable is cancelled.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define REMSIM_CTL_TYPE_SOURCE (remsim_ctl_source_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimCtlSource, remsim_ctl_source, REMSIM_CTL, SOURCE, GObject)

struct _RemsimCtlSourceClass {
	GObjectClass parent_class;

	/* the daemons this source can ask, and the links they report */
	JsonObject *(*get_status)(RemsimCtlSource *self, GError **error);
	/* the banks, clients and slot maps the server knows (arrays of model objects) */
	JsonArray *(*list_banks)(RemsimCtlSource *self, GError **error);
	JsonArray *(*list_clients)(RemsimCtlSource *self, GError **error);
	JsonArray *(*list_maps)(RemsimCtlSource *self, GError **error);
	/* the bank slots; @bank_id < 0: every bank's */
	JsonArray *(*list_slots)(RemsimCtlSource *self, gint bank_id, GError **error);
	gboolean (*create_map)(RemsimCtlSource *self, guint client_id, guint client_slot,
			       guint bank_id, guint bank_slot, GError **error);
	/* the cards the banks read (model cards), by ICCID and IMSI prefix (NULL: any) */
	JsonArray *(*list_cards)(RemsimCtlSource *self, const gchar *iccid, const gchar *imsi,
				 GError **error);
	/* a map to the bank slot holding the card @iccid; that slot in @bank_id, @bank_slot */
	gboolean (*create_map_by_iccid)(RemsimCtlSource *self, guint client_id, guint client_slot,
					const gchar *iccid, guint *bank_id, guint *bank_slot,
					GError **error);
	gboolean (*delete_map)(RemsimCtlSource *self, guint32 map_id, GError **error);
	gboolean (*reset)(RemsimCtlSource *self, GError **error);
	/* the slot after its card was reset (a model slot) */
	JsonObject *(*reset_slot)(RemsimCtlSource *self, guint bank_id, guint slot, GError **error);
	void (*watch_async)(RemsimCtlSource *self, GCancellable *cancellable,
			    GAsyncReadyCallback callback, gpointer user_data);
	gboolean (*watch_finish)(RemsimCtlSource *self, GAsyncResult *result, GError **error);
};

JsonObject *remsim_ctl_source_get_status(RemsimCtlSource *self, GError **error);
JsonArray *remsim_ctl_source_list_banks(RemsimCtlSource *self, GError **error);
JsonArray *remsim_ctl_source_list_clients(RemsimCtlSource *self, GError **error);
JsonArray *remsim_ctl_source_list_maps(RemsimCtlSource *self, GError **error);
JsonArray *remsim_ctl_source_list_slots(RemsimCtlSource *self, gint bank_id, GError **error);
/* the map of @map_id among the server's, or NULL with a NOT_FOUND error */
JsonObject *remsim_ctl_source_find_map(RemsimCtlSource *self, guint32 map_id, GError **error);
gboolean remsim_ctl_source_create_map(RemsimCtlSource *self, guint client_id, guint client_slot,
				      guint bank_id, guint bank_slot, GError **error);
JsonArray *remsim_ctl_source_list_cards(RemsimCtlSource *self, const gchar *iccid,
					const gchar *imsi, GError **error);
gboolean remsim_ctl_source_create_map_by_iccid(RemsimCtlSource *self, guint client_id,
					       guint client_slot, const gchar *iccid,
					       guint *bank_id, guint *bank_slot, GError **error);
gboolean remsim_ctl_source_delete_map(RemsimCtlSource *self, guint32 map_id, GError **error);
gboolean remsim_ctl_source_reset(RemsimCtlSource *self, GError **error);
JsonObject *remsim_ctl_source_reset_slot(RemsimCtlSource *self, guint bank_id, guint slot,
					 GError **error);
/*
 * Starts watching; completes when the source watches (every daemon asked
 * once), or fails. ::event follows, until @cancellable is cancelled.
 */
void remsim_ctl_source_watch_async(RemsimCtlSource *self, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data);
gboolean remsim_ctl_source_watch_finish(RemsimCtlSource *self, GAsyncResult *result,
					GError **error);
/* for the subclasses: emits ::event with a model event, which it takes */
void remsim_ctl_source_emit_event(RemsimCtlSource *self, JsonObject *event);

G_END_DECLS
