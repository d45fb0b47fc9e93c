/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-metrics.h"
#include "remsim-metrics.h"

typedef enum {
	REMSIM_CLIENT_METRICS_TPDUS_TO_CARD,
	REMSIM_CLIENT_METRICS_TPDUS_TO_MODEM,
	REMSIM_CLIENT_METRICS_BYTES_TO_CARD,
	REMSIM_CLIENT_METRICS_BYTES_TO_MODEM,
	REMSIM_CLIENT_METRICS_DROPPED,
	REMSIM_CLIENT_METRICS_SERVER_UP,
	REMSIM_CLIENT_METRICS_BANKD_UP,
	REMSIM_CLIENT_METRICS_SERVER_RECONNECTS,
	REMSIM_CLIENT_METRICS_BANKD_RECONNECTS,
} RemsimClientMetricsValue;

static gdouble
remsim_client_metrics_reconnects(guint64 connects)
{
	return connects > 0 ? (gdouble)(connects - 1) : 0;
}

static gdouble
remsim_client_metrics_value(RemsimClientSlot *slot, RemsimClientMetricsValue what)
{
	const RemsimClientSlotCounters *c = remsim_client_slot_get_counters(slot);

	switch (what) {
	case REMSIM_CLIENT_METRICS_TPDUS_TO_CARD:
		return (gdouble)c->tpdus_to_card;
	case REMSIM_CLIENT_METRICS_TPDUS_TO_MODEM:
		return (gdouble)c->tpdus_to_modem;
	case REMSIM_CLIENT_METRICS_BYTES_TO_CARD:
		return (gdouble)c->bytes_to_card;
	case REMSIM_CLIENT_METRICS_BYTES_TO_MODEM:
		return (gdouble)c->bytes_to_modem;
	case REMSIM_CLIENT_METRICS_DROPPED:
		return (gdouble)c->commands_dropped;
	case REMSIM_CLIENT_METRICS_SERVER_UP:
		return remsim_client_slot_get_server_state(slot) == RSPRO_LINK_STATE_CONNECTED;
	case REMSIM_CLIENT_METRICS_BANKD_UP:
		return remsim_client_slot_get_bankd_state(slot) == RSPRO_LINK_STATE_CONNECTED;
	case REMSIM_CLIENT_METRICS_SERVER_RECONNECTS:
		return remsim_client_metrics_reconnects(c->server_connects);
	case REMSIM_CLIENT_METRICS_BANKD_RECONNECTS:
		return remsim_client_metrics_reconnects(c->bankd_connects);
	}
	return 0;
}

static gchar *
remsim_client_metrics_labels(RemsimClientSlot *slot, const gchar *extra)
{
	const RsproClientSlot *id = remsim_client_slot_get_client_slot(slot);

	return g_strdup_printf("client=\"%u\",slot=\"%u\"%s", id->client_id, id->slot_nr,
			       extra != NULL ? extra : "");
}

static void
remsim_client_metrics_family(GString *out, RemsimClient *client, const gchar *name,
			     const gchar *type, const gchar *help, const gchar *const *extras,
			     const RemsimClientMetricsValue *values, guint n)
{
	remsim_metrics_family(out, name, type, help);
	for (guint i = 0; i < remsim_client_get_n_slots(client); i++) {
		RemsimClientSlot *slot = remsim_client_get_slot(client, i);

		for (guint v = 0; v < n; v++) {
			g_autofree gchar *labels =
			    remsim_client_metrics_labels(slot, extras != NULL ? extras[v] : NULL);

			remsim_metrics_sample(out, name, labels,
					      remsim_client_metrics_value(slot, values[v]));
		}
	}
}

void
remsim_client_metrics_render(GString *out, gpointer data)
{
	RemsimClient *client = data;
	static const gchar *const directions[] = { ",direction=\"to_card\"",
						   ",direction=\"to_modem\"" };
	static const gchar *const links[] = { ",link=\"server\"", ",link=\"bank\"" };
	static const RemsimClientMetricsValue tpdus[] = { REMSIM_CLIENT_METRICS_TPDUS_TO_CARD,
							  REMSIM_CLIENT_METRICS_TPDUS_TO_MODEM };
	static const RemsimClientMetricsValue bytes[] = { REMSIM_CLIENT_METRICS_BYTES_TO_CARD,
							  REMSIM_CLIENT_METRICS_BYTES_TO_MODEM };
	static const RemsimClientMetricsValue dropped[] = { REMSIM_CLIENT_METRICS_DROPPED };
	static const RemsimClientMetricsValue up[] = { REMSIM_CLIENT_METRICS_SERVER_UP,
						       REMSIM_CLIENT_METRICS_BANKD_UP };
	static const RemsimClientMetricsValue again[] = { REMSIM_CLIENT_METRICS_SERVER_RECONNECTS,
							  REMSIM_CLIENT_METRICS_BANKD_RECONNECTS };

	remsim_client_metrics_family(out, client, "remsim_client_tpdus_total", "counter",
				     "TPDUs relayed, modem to card and back", directions, tpdus, 2);
	remsim_client_metrics_family(out, client, "remsim_client_tpdu_bytes_total", "counter",
				     "TPDU bytes relayed, modem to card and back", directions,
				     bytes, 2);
	remsim_client_metrics_family(out, client, "remsim_client_commands_dropped_total", "counter",
				     "Modem commands dropped (no bank, bad length)", NULL, dropped,
				     1);
	remsim_client_metrics_family(out, client, "remsim_client_link_connected", "gauge",
				     "1 while the link to the server or to the bank is up", links,
				     up, 2);
	remsim_client_metrics_family(out, client, "remsim_client_link_reconnects_total", "counter",
				     "Times a link came up again after the first", links, again, 2);
	remsim_metrics_family(out, "remsim_client_tpdu_duration_seconds", "histogram",
			      "From a modem command to the card's response, through the bank");
	for (guint i = 0; i < remsim_client_get_n_slots(client); i++) {
		RemsimClientSlot *slot = remsim_client_get_slot(client, i);
		g_autofree gchar *labels = remsim_client_metrics_labels(slot, NULL);

		remsim_metrics_histogram(out, "remsim_client_tpdu_duration_seconds", labels,
					 &remsim_client_slot_get_counters(slot)->latency);
	}
}
