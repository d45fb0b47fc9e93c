/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-metrics.h"
#include "remsim-metrics.h"

typedef enum {
	REMSIM_BANKD_METRICS_APDUS,
	REMSIM_BANKD_METRICS_ERRORS,
	REMSIM_BANKD_METRICS_BYTES_TO_CARD,
	REMSIM_BANKD_METRICS_BYTES_FROM_CARD,
	REMSIM_BANKD_METRICS_CLIENT,
} RemsimBankdMetricsValue;

static gdouble
remsim_bankd_metrics_value(RemsimBankdSlot *slot, RemsimBankdMetricsValue what)
{
	guint64 to_card = 0, from_card = 0;

	remsim_bankd_slot_get_bytes(slot, &to_card, &from_card);
	switch (what) {
	case REMSIM_BANKD_METRICS_APDUS:
		return (gdouble)remsim_bankd_slot_get_apdus(slot);
	case REMSIM_BANKD_METRICS_ERRORS:
		return (gdouble)remsim_bankd_slot_get_errors(slot);
	case REMSIM_BANKD_METRICS_BYTES_TO_CARD:
		return (gdouble)to_card;
	case REMSIM_BANKD_METRICS_BYTES_FROM_CARD:
		return (gdouble)from_card;
	case REMSIM_BANKD_METRICS_CLIENT:
		return remsim_bankd_slot_get_state(slot) >=
		       REMSIM_BANKD_SLOT_STATE_CLIENT_CONNECTED;
	}
	return 0;
}

/* one family with a sample per slot */
static void
remsim_bankd_metrics_per_slot(GString *out, RemsimBankd *bankd, const gchar *name,
			      const gchar *type, const gchar *help, const gchar *extra,
			      RemsimBankdMetricsValue what)
{
	remsim_metrics_family(out, name, type, help);
	for (guint i = 0; i < remsim_bankd_get_n_slots(bankd); i++) {
		g_autofree gchar *labels =
		    g_strdup_printf("bank=\"%u\",slot=\"%u\"%s", remsim_bankd_get_bank_id(bankd), i,
				    extra != NULL ? extra : "");

		remsim_metrics_sample(
		    out, name, labels,
		    remsim_bankd_metrics_value(remsim_bankd_get_slot(bankd, i), what));
	}
}

void
remsim_bankd_metrics_render(GString *out, gpointer data)
{
	RemsimBankd *bankd = data;
	RemsimMetricsHistogram latency = { 0 };
	g_autofree gchar *bank = g_strdup_printf("bank=\"%u\"", remsim_bankd_get_bank_id(bankd));
	guint cards = 0, read = 0, failed = 0;

	remsim_bankd_metrics_per_slot(out, bankd, "remsim_bankd_apdus_total", "counter",
				      "APDUs relayed to the card of a bank slot", NULL,
				      REMSIM_BANKD_METRICS_APDUS);
	remsim_bankd_metrics_per_slot(out, bankd, "remsim_bankd_card_errors_total", "counter",
				      "Card errors of a bank slot (power, transmission)", NULL,
				      REMSIM_BANKD_METRICS_ERRORS);
	remsim_metrics_family(out, "remsim_bankd_apdu_bytes_total", "counter",
			      "APDU bytes relayed, to the card and from it");
	for (guint i = 0; i < remsim_bankd_get_n_slots(bankd); i++) {
		RemsimBankdSlot *slot = remsim_bankd_get_slot(bankd, i);
		g_autofree gchar *to =
		    g_strdup_printf("%s,slot=\"%u\",direction=\"to_card\"", bank, i);
		g_autofree gchar *from =
		    g_strdup_printf("%s,slot=\"%u\",direction=\"from_card\"", bank, i);
		const RemsimCardInfo *card = remsim_bankd_slot_get_card_info(slot);

		remsim_metrics_sample(
		    out, "remsim_bankd_apdu_bytes_total", to,
		    remsim_bankd_metrics_value(slot, REMSIM_BANKD_METRICS_BYTES_TO_CARD));
		remsim_metrics_sample(
		    out, "remsim_bankd_apdu_bytes_total", from,
		    remsim_bankd_metrics_value(slot, REMSIM_BANKD_METRICS_BYTES_FROM_CARD));
		remsim_metrics_histogram_add(&latency, remsim_bankd_slot_get_latency(slot));
		cards += remsim_bankd_slot_get_card_present(slot);
		read += card != NULL && card->state == REMSIM_CARD_INFO_READ;
		failed += card != NULL && card->state == REMSIM_CARD_INFO_FAILED;
	}
	remsim_bankd_metrics_per_slot(out, bankd, "remsim_bankd_client_connected", "gauge",
				      "1 while a client holds the bank slot", NULL,
				      REMSIM_BANKD_METRICS_CLIENT);
	remsim_metrics_family(out, "remsim_bankd_apdu_duration_seconds", "histogram",
			      "How long the card took to answer an APDU, all slots");
	remsim_metrics_histogram(out, "remsim_bankd_apdu_duration_seconds", bank, &latency);
	remsim_metrics_family(out, "remsim_bankd_cards", "gauge",
			      "Cards in the bank's slots, and what the inventory made of them");
	{
		g_autofree gchar *present = g_strdup_printf("%s,state=\"present\"", bank);
		g_autofree gchar *ok = g_strdup_printf("%s,state=\"read\"", bank);
		g_autofree gchar *bad = g_strdup_printf("%s,state=\"failed\"", bank);

		remsim_metrics_sample(out, "remsim_bankd_cards", present, cards);
		remsim_metrics_sample(out, "remsim_bankd_cards", ok, read);
		remsim_metrics_sample(out, "remsim_bankd_cards", bad, failed);
	}
	remsim_metrics_family(out, "remsim_bankd_server_connected", "gauge",
			      "1 while the link to remsim-server is up");
	remsim_metrics_sample(out, "remsim_bankd_server_connected", bank,
			      remsim_bankd_get_server_state(bankd) == RSPRO_LINK_STATE_CONNECTED);
	remsim_metrics_family(out, "remsim_bankd_server_reconnects_total", "counter",
			      "Times the link to remsim-server came up again after the first");
	remsim_metrics_sample(out, "remsim_bankd_server_reconnects_total", bank,
			      remsim_bankd_get_server_connects(bankd) > 0
				  ? (gdouble)(remsim_bankd_get_server_connects(bankd) - 1)
				  : 0);
}
