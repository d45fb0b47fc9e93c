/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-metrics.h"
#include "remsim-server-metrics.h"

struct _RemsimServerMetrics {
	GObject parent_instance;
	RemsimServer *server;
	RemsimServerRest *rest;
	RemsimServerEvents *events;
	guint64 scrapes;
};

G_DEFINE_FINAL_TYPE(RemsimServerMetrics, remsim_server_metrics, G_TYPE_OBJECT)

static void
remsim_server_metrics_dispose(GObject *object)
{
	RemsimServerMetrics *self = REMSIM_SERVER_METRICS(object);

	if (self->rest != NULL)
		soup_server_remove_handler(remsim_server_rest_get_soup(self->rest),
					   REMSIM_SERVER_METRICS_PATH);
	g_clear_object(&self->rest);
	g_clear_object(&self->events);
	g_clear_object(&self->server);
	G_OBJECT_CLASS(remsim_server_metrics_parent_class)->dispose(object);
}

static void
remsim_server_metrics_class_init(RemsimServerMetricsClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_metrics_dispose;
}

static void
remsim_server_metrics_init(RemsimServerMetrics *self)
{
}

static void
remsim_server_metrics_maps(RemsimServerMetrics *self, GString *out)
{
	static const RemsimServerSlotmapState states[] = {
		REMSIM_SERVER_SLOTMAP_NEW,
		REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED,
		REMSIM_SERVER_SLOTMAP_ACTIVE,
		REMSIM_SERVER_SLOTMAP_ERROR,
	};
	g_autoptr(GList) maps = remsim_server_list_slotmaps(self->server);

	remsim_metrics_family(out, "remsim_server_slotmaps", "gauge", "Slot maps by state");
	for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
		g_autofree gchar *word =
		    g_ascii_strdown(remsim_server_slotmap_state_to_string(states[i]), -1);
		g_autofree gchar *labels = g_strdup_printf("state=\"%s\"", word);
		guint n = 0;

		for (GList *l = maps; l != NULL; l = l->next)
			n += ((RemsimServerSlotmap *)l->data)->state == states[i];
		remsim_metrics_sample(out, "remsim_server_slotmaps", labels, n);
	}
}

static void
remsim_server_metrics_slots(RemsimServerMetrics *self, GString *out)
{
	g_autoptr(GPtrArray) slots =
	    remsim_server_inventory_list(remsim_server_get_inventory(self->server));
	static const gchar *const names[] = { "remsim_server_bank_slot_apdus_total",
					      "remsim_server_bank_slot_card_errors_total" };
	static const gchar *const helps[] = {
		"APDUs a remsim bank relayed on a slot (its report, at most a second old)",
		"Card errors a remsim bank counted on a slot",
	};
	guint cards[3] = { 0 }, stale = 0;

	for (guint f = 0; f < G_N_ELEMENTS(names); f++) {
		remsim_metrics_family(out, names[f], "counter", helps[f]);
		for (guint i = 0; i < slots->len; i++) {
			RemsimServerBankSlot *slot = slots->pdata[i];
			g_autofree gchar *labels = g_strdup_printf("bank=\"%u\",slot=\"%u\"",
								   slot->bank_id, slot->slot_nr);

			if (slot->stale)
				continue;
			remsim_metrics_sample(out, names[f], labels,
					      (gdouble)(f == 0 ? slot->apdus : slot->errors));
		}
	}
	for (guint i = 0; i < slots->len; i++) {
		RemsimServerBankSlot *slot = slots->pdata[i];

		if (slot->card != NULL)
			cards[slot->card->state]++;
		stale += slot->stale;
	}
	remsim_metrics_family(out, "remsim_server_cards", "gauge",
			      "Bank slots by what their bank's inventory found");
	for (guint s = 0; s < G_N_ELEMENTS(cards); s++) {
		g_autofree gchar *labels =
		    g_strdup_printf("state=\"%s\"", remsim_card_info_state_to_string(s));

		remsim_metrics_sample(out, "remsim_server_cards", labels, cards[s]);
	}
	remsim_metrics_family(out, "remsim_server_bank_slots_stale", "gauge",
			      "Bank slots the server remembers, not confirmed by their bank");
	remsim_metrics_sample(out, "remsim_server_bank_slots_stale", NULL, stale);
}

gchar *
remsim_server_metrics_render(RemsimServerMetrics *self)
{
	GString *out = g_string_new(NULL);
	g_autofree gchar *restarts = NULL;

	remsim_metrics_family(out, "remsim_server_connections", "gauge",
			      "RSPRO peers connected and identified, by kind");
	remsim_metrics_sample(out, "remsim_server_connections", "kind=\"bank\"",
			      g_list_length(remsim_server_get_banks(self->server)));
	remsim_metrics_sample(out, "remsim_server_connections", "kind=\"client\"",
			      g_list_length(remsim_server_get_clients(self->server)));
	remsim_server_metrics_maps(self, out);
	remsim_server_metrics_slots(self, out);
	remsim_metrics_family(out, "remsim_server_event_listeners", "gauge",
			      "Open event streams (GET /api/v1/events)");
	remsim_metrics_sample(out, "remsim_server_event_listeners", NULL,
			      remsim_server_events_get_n_listeners(self->events));
	remsim_metrics_family(out, "remsim_server_starts_total", "counter",
			      "Times the server started on its state database");
	remsim_metrics_sample(out, "remsim_server_starts_total", NULL,
			      (gdouble)remsim_server_get_restart_counter(self->server));
	remsim_metrics_family(out, "remsim_server_metrics_scrapes_total", "counter",
			      "Times /metrics was asked for");
	remsim_metrics_sample(out, "remsim_server_metrics_scrapes_total", NULL,
			      (gdouble)++self->scrapes);
	return g_string_free(out, FALSE);
}

static void
remsim_server_metrics_handle(SoupServer *soup, SoupServerMessage *msg, const char *path,
			     GHashTable *query, gpointer data)
{
	RemsimServerMetrics *self = data;
	gchar *text;

	if (!g_str_equal(path, REMSIM_SERVER_METRICS_PATH) ||
	    !g_str_equal(soup_server_message_get_method(msg), "GET")) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND,
					       "Resource not found: %s %s",
					       soup_server_message_get_method(msg), path);
		return;
	}
	text = remsim_server_metrics_render(self);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, REMSIM_METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE, text,
					 strlen(text));
}

RemsimServerMetrics *
remsim_server_metrics_new(RemsimServer *server, RemsimServerRest *rest, RemsimServerEvents *events)
{
	RemsimServerMetrics *self = g_object_new(REMSIM_TYPE_SERVER_METRICS, NULL);

	self->server = g_object_ref(server);
	self->rest = g_object_ref(rest);
	self->events = g_object_ref(events);
	remsim_server_rest_add_handler(rest, REMSIM_SERVER_METRICS_PATH,
				       remsim_server_metrics_handle, self);
	return self;
}
