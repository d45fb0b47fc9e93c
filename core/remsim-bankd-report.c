/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-bankd-report.h"
#include "remsim-json.h"
#include "remsim-log.h"

/* changes of one main loop iteration and a little after go out together */
#define REMSIM_BANKD_REPORT_COALESCE_MS 50

typedef struct {
	guint64 apdus;
	guint64 errors;
	gboolean dirty;
} RemsimBankdReportSent;

struct _RemsimBankdReport {
	GObject parent_instance;
	RsproLink *link;
	GPtrArray *slots;	     /* borrowed */
	RemsimBankdReportSent *sent; /* per slot */
	RsproConnection *conn;	     /* while active */
	gulong conn_message_id;
	guint flush_timer;
	guint counter_timer;
	RemsimLogTag log;
};

G_DEFINE_FINAL_TYPE(RemsimBankdReport, remsim_bankd_report, G_TYPE_OBJECT)

static void
remsim_bankd_report_stop(RemsimBankdReport *self)
{
	g_clear_handle_id(&self->flush_timer, g_source_remove);
	g_clear_handle_id(&self->counter_timer, g_source_remove);
	if (self->conn != NULL)
		g_clear_signal_handler(&self->conn_message_id, self->conn);
	g_clear_object(&self->conn);
}

static void
remsim_bankd_report_dispose(GObject *object)
{
	RemsimBankdReport *self = REMSIM_BANKD_REPORT(object);

	remsim_bankd_report_stop(self);
	if (self->link != NULL)
		g_signal_handlers_disconnect_by_data(self->link, self);
	for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
		g_signal_handlers_disconnect_by_data(self->slots->pdata[i], self);
	g_clear_object(&self->link);
	self->slots = NULL;
	G_OBJECT_CLASS(remsim_bankd_report_parent_class)->dispose(object);
}

static void
remsim_bankd_report_finalize(GObject *object)
{
	g_free(REMSIM_BANKD_REPORT(object)->sent);
	G_OBJECT_CLASS(remsim_bankd_report_parent_class)->finalize(object);
}

static void
remsim_bankd_report_class_init(RemsimBankdReportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_bankd_report_dispose;
	object_class->finalize = remsim_bankd_report_finalize;
}

static void
remsim_bankd_report_init(RemsimBankdReport *self)
{
	remsim_log_tag_set_name(&self->log, "report");
}

JsonObject *
remsim_bankd_report_slot_to_json(RemsimBankdSlot *slot)
{
	JsonObject *o = json_object_new();
	const RemsimCardInfo *card = remsim_bankd_slot_get_card_info(slot);

	json_object_set_int_member(o, "slot", remsim_bankd_slot_get_nr(slot));
	json_object_set_string_member(
	    o, "state", remsim_bankd_slot_state_to_string(remsim_bankd_slot_get_state(slot)));
	json_object_set_boolean_member(o, "card_present", remsim_bankd_slot_get_card_present(slot));
	json_object_set_int_member(o, "apdus", (gint64)remsim_bankd_slot_get_apdus(slot));
	json_object_set_int_member(o, "errors", (gint64)remsim_bankd_slot_get_errors(slot));
	if (card != NULL)
		json_object_set_object_member(o, "card", remsim_card_info_to_json(card));
	else
		json_object_set_null_member(o, "card");
	return o;
}

static void
remsim_bankd_report_send_object(RemsimBankdReport *self, JsonObject *o)
{
	g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), o);
	gchar *text = json_to_string(node, FALSE);
	g_autoptr(GBytes) payload = g_bytes_new_take(text, strlen(text));
	g_autoptr(GError) error = NULL;

	if (self->conn != NULL && !rspro_connection_send_remsim(self->conn, payload, &error))
		remsim_log_debug(&self->log, "cannot send a report: %s", error->message);
}

/* slots per message: one IPA frame holds at most 64 KiB */
#define REMSIM_BANKD_REPORT_SLOTS_PER_MESSAGE 64

static void
remsim_bankd_report_send_slots(RemsimBankdReport *self, JsonArray *slots, gboolean full)
{
	g_autoptr(JsonObject) o = json_object_new();

	json_object_set_array_member(o, "slots", slots);
	json_object_set_boolean_member(o, "full", full);
	if (full)
		json_object_set_int_member(o, "num_slots", self->slots->len);
	remsim_bankd_report_send_object(self, o);
}

/* every slot (@full), or the dirty ones, in messages of a few dozen slots */
static void
remsim_bankd_report_send(RemsimBankdReport *self, gboolean full)
{
	JsonArray *slots = json_array_new();

	for (guint i = 0; i < self->slots->len; i++) {
		RemsimBankdSlot *slot = self->slots->pdata[i];
		RemsimBankdReportSent *sent = &self->sent[i];

		if (!full && !sent->dirty)
			continue;
		sent->dirty = FALSE;
		sent->apdus = remsim_bankd_slot_get_apdus(slot);
		sent->errors = remsim_bankd_slot_get_errors(slot);
		json_array_add_object_element(slots, remsim_bankd_report_slot_to_json(slot));
		if (json_array_get_length(slots) == REMSIM_BANKD_REPORT_SLOTS_PER_MESSAGE) {
			remsim_bankd_report_send_slots(self, slots, full);
			slots = json_array_new();
		}
	}
	if (json_array_get_length(slots) > 0)
		remsim_bankd_report_send_slots(self, slots, full);
	else
		json_array_unref(slots);
}

static gboolean
remsim_bankd_report_flush_cb(gpointer user_data)
{
	RemsimBankdReport *self = user_data;

	self->flush_timer = 0;
	remsim_bankd_report_send(self, FALSE);
	return G_SOURCE_REMOVE;
}

static void
remsim_bankd_report_mark(RemsimBankdReport *self, guint nr)
{
	self->sent[nr].dirty = TRUE;
	if (self->conn != NULL && self->flush_timer == 0)
		self->flush_timer = g_timeout_add(REMSIM_BANKD_REPORT_COALESCE_MS,
						  remsim_bankd_report_flush_cb, self);
}

static void
remsim_bankd_report_slot_changed_cb(RemsimBankdSlot *slot, gpointer user_data)
{
	remsim_bankd_report_mark(REMSIM_BANKD_REPORT(user_data), remsim_bankd_slot_get_nr(slot));
}

/* counters change with every APDU: compared once a second, as D-Bus does */
static gboolean
remsim_bankd_report_counter_timer_cb(gpointer user_data)
{
	RemsimBankdReport *self = user_data;

	for (guint i = 0; i < self->slots->len; i++) {
		RemsimBankdSlot *slot = self->slots->pdata[i];

		if (remsim_bankd_slot_get_apdus(slot) != self->sent[i].apdus ||
		    remsim_bankd_slot_get_errors(slot) != self->sent[i].errors)
			self->sent[i].dirty = TRUE;
	}
	remsim_bankd_report_send(self, FALSE);
	return G_SOURCE_CONTINUE;
}

/* a reset the server asked for: answered with its tag */
typedef struct {
	RemsimBankdReport *self; /* strong */
	gint64 tag;
} RemsimBankdReportReset;

static void
remsim_bankd_report_reset_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimBankdReportReset *reset = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) o = json_object_new();
	JsonObject *r = json_object_new();

	json_object_set_int_member(r, "tag", reset->tag);
	if (remsim_bankd_slot_reset_card_finish(REMSIM_BANKD_SLOT(source), result, &error))
		json_object_set_null_member(r, "error");
	else
		json_object_set_string_member(r, "error", error->message);
	json_object_set_object_member(o, "reset-card-result", r);
	remsim_bankd_report_send_object(reset->self, o);
	g_object_unref(reset->self);
	g_free(reset);
}

static void
remsim_bankd_report_reset(RemsimBankdReport *self, JsonObject *o)
{
	gint64 nr = json_object_get_int_member_with_default(o, "slot", -1);
	RemsimBankdReportReset *reset = g_new0(RemsimBankdReportReset, 1);

	reset->self = g_object_ref(self);
	reset->tag = json_object_get_int_member_with_default(o, "tag", 0);
	if (nr < 0 || nr >= self->slots->len) {
		g_autoptr(JsonObject) answer = json_object_new();
		JsonObject *r = json_object_new();

		json_object_set_int_member(r, "tag", reset->tag);
		json_object_set_string_member(r, "error", "no such bank slot");
		json_object_set_object_member(answer, "reset-card-result", r);
		remsim_bankd_report_send_object(self, answer);
		g_object_unref(reset->self);
		g_free(reset);
		return;
	}
	remsim_log_message(&self->log, "the server asks for a reset of slot %u", (guint)nr);
	remsim_bankd_slot_reset_card_async(self->slots->pdata[nr], NULL,
					   remsim_bankd_report_reset_ready, reset);
}

static void
remsim_bankd_report_message_cb(RsproConnection *conn, GBytes *payload, gpointer user_data)
{
	RemsimBankdReport *self = user_data;
	g_autoptr(JsonParser) parser = json_parser_new();
	gsize len = 0;
	const gchar *text = g_bytes_get_data(payload, &len);
	JsonObject *o;

	/* the server's JSON: bounded in depth before json-glib recurses into it */
	if (!remsim_json_scan(text, len, REMSIM_JSON_MAX_DEPTH, NULL, NULL) ||
	    !json_parser_load_from_data(parser, text, (gssize)len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return;
	o = json_node_get_object(json_parser_get_root(parser));
	if (json_object_has_member(o, "reset-card") &&
	    JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "reset-card")))
		remsim_bankd_report_reset(self, json_object_get_object_member(o, "reset-card"));
}

static void
remsim_bankd_report_connected_cb(RsproLink *link, RsproConnection *conn, gpointer user_data)
{
	RemsimBankdReport *self = user_data;
	const RsproPdu *res = rspro_link_get_hello_response(link);

	remsim_bankd_report_stop(self);
	if (res == NULL ||
	    !rspro_component_identity_has_remsim_ext(&res->u.connect_bank_res.identity))
		return;
	self->conn = g_object_ref(conn);
	self->conn_message_id = g_signal_connect(conn, "remsim-message",
						 G_CALLBACK(remsim_bankd_report_message_cb), self);
	remsim_bankd_report_send(self, TRUE);
	self->counter_timer = g_timeout_add(REMSIM_BANKD_REPORT_COUNTER_INTERVAL_MS,
					    remsim_bankd_report_counter_timer_cb, self);
}

static void
remsim_bankd_report_disconnected_cb(RsproLink *link, GError *reason, gpointer user_data)
{
	remsim_bankd_report_stop(REMSIM_BANKD_REPORT(user_data));
}

RemsimBankdReport *
remsim_bankd_report_new(RsproLink *link, GPtrArray *slots)
{
	RemsimBankdReport *self = g_object_new(REMSIM_TYPE_BANKD_REPORT, NULL);

	self->link = g_object_ref(link);
	self->slots = slots;
	self->sent = g_new0(RemsimBankdReportSent, slots->len);
	g_signal_connect(link, "connected", G_CALLBACK(remsim_bankd_report_connected_cb), self);
	g_signal_connect(link, "disconnected", G_CALLBACK(remsim_bankd_report_disconnected_cb),
			 self);
	for (guint i = 0; i < slots->len; i++)
		g_signal_connect(slots->pdata[i], "changed",
				 G_CALLBACK(remsim_bankd_report_slot_changed_cb), self);
	return self;
}

gboolean
remsim_bankd_report_is_active(RemsimBankdReport *self)
{
	return self->conn != NULL;
}
