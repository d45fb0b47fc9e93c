/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything the card does goes through one queue of operations (power on,
 * APDU, resets), so the backend sees one command at a time per slot. Each
 * client session has its own GCancellable: when the session ends, work still
 * queued or in flight for it is dropped when it completes, while the slot-wide
 * "busy" flag keeps a new session's commands behind the old one's last call.
 *
 * Steady state: when the queue is empty after an APDU and the backend sends
 * commands from any thread (transmit_sync), the slot lends the client's socket
 * to its relay thread (RemsimBankdRelay), which then relays the APDUs without
 * the main loop. Whatever else happens (another message from the client,
 * something to send it, an operation for the card, the session's end) takes
 * the socket back first, and the queue works as before.
 */
#include "config.h"

#include "remsim-bankd-slot.h"
#include "remsim-bankd-inventory.h"
#include "remsim-bankd-relay.h"
#include "remsim-log.h"
#include "remsim-metrics.h"

/* upstream HEAD's accepted TPDU sizes: a header, at most 255 data bytes and Le */
#define REMSIM_BANKD_SLOT_TPDU_MIN 5
#define REMSIM_BANKD_SLOT_TPDU_MAX 260

typedef enum {
	REMSIM_BANKD_SLOT_OP_POWER_ON,
	REMSIM_BANKD_SLOT_OP_APDU,
	REMSIM_BANKD_SLOT_OP_RESET_WARM,
	REMSIM_BANKD_SLOT_OP_RESET_COLD,
	REMSIM_BANKD_SLOT_OP_INVENTORY, /* its session is the read's own cancellable */
} RemsimBankdSlotOpKind;

typedef struct {
	RemsimBankdSlot *slot; /* strong */
	GCancellable *session; /* strong: the session the op belongs to */
	RemsimBankdSlotOpKind kind;
	GBytes *apdu;
	GTask *task;	/* an operator's reset waiting for its end, or NULL */
	gint64 started; /* when the APDU went to the card (monotonic) */
} RemsimBankdSlotOp;

struct _RemsimBankdSlot {
	GObject parent_instance;
	guint16 bank_id;
	guint16 nr;
	RemsimLogTag log; /* [bank B slot N] */
	RemsimPowerOnFlags flags;
	RemsimCardSlot *card;
	gulong card_present_id;
	gboolean mapped;
	RsproClientSlot client_slot;
	RemsimBankdClientConn *client;
	gulong client_pdu_id;
	gulong client_closed_id;
	GCancellable *session;
	GQueue ops;
	gboolean busy;
	gboolean powered;
	gboolean powering;   /* a power-on of this session is queued or running */
	guint retry_id;	     /* the next try to power the card of a waiting client */
	gchar *last_failure; /* why the card of the waiting client did not power */
	GBytes *atr;
	RemsimBankdGsmtap *gsmtap;
	/* modem line memory for clientSlotStatusInd edges (upstream HEAD: VCC on, RST off) */
	gboolean last_vcc;
	gboolean last_rst;
	guint64 apdus;
	guint64 errors;
	guint64 bytes_to_card;
	guint64 bytes_from_card;
	RemsimMetricsHistogram latency; /* the card's answer time */
	/* the inventory: read when a card comes and after each client session */
	gboolean inventory_enabled;
	GHashTable *pins;	   /* configured PIN1s, or NULL */
	GCancellable *inventory;   /* the read queued or under way, or NULL */
	guint inventory_idle;	   /* a read waiting for the end of this iteration */
	RemsimCardInfo *card_info; /* the last read, or NULL */
	gboolean pin_spent;	   /* the configured PIN1 went out since the card came */
	gboolean disposing;
	RemsimBankdRelay *relay;     /* while the card has transmit_sync */
	GCancellable *relay_session; /* the session the relay runs for */
};

G_DEFINE_TYPE(RemsimBankdSlot, remsim_bankd_slot, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint remsim_bankd_slot_signals[N_SIGNALS];

static void remsim_bankd_slot_pump(RemsimBankdSlot *self);
static void remsim_bankd_slot_collect_relay_stats(RemsimBankdSlot *self);
static void remsim_bankd_slot_end_session(RemsimBankdSlot *self, gboolean linger);
static void remsim_bankd_slot_cancel_inventory(RemsimBankdSlot *self);
static void remsim_bankd_slot_schedule_inventory(RemsimBankdSlot *self);

const gchar *
remsim_bankd_slot_state_to_string(RemsimBankdSlotState state)
{
	switch (state) {
	case REMSIM_BANKD_SLOT_STATE_IDLE:
		return "idle";
	case REMSIM_BANKD_SLOT_STATE_MAPPED:
		return "mapped";
	case REMSIM_BANKD_SLOT_STATE_CLIENT_CONNECTED:
		return "client-connected";
	case REMSIM_BANKD_SLOT_STATE_CARD_POWERED:
		return "card-powered";
	}
	return "unknown";
}

static void
remsim_bankd_slot_op_free(RemsimBankdSlotOp *op)
{
	/* an op dropped before its end: its session ended first */
	if (op->task != NULL) {
		g_task_return_new_error(op->task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
					"the client left before the card was reset");
		g_object_unref(op->task);
	}
	g_object_unref(op->slot);
	g_object_unref(op->session);
	g_clear_pointer(&op->apdu, g_bytes_unref);
	g_free(op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBankdSlotOp, remsim_bankd_slot_op_free)

static void
remsim_bankd_slot_changed(RemsimBankdSlot *self)
{
	g_signal_emit(self, remsim_bankd_slot_signals[SIGNAL_CHANGED], 0);
}

static void
remsim_bankd_slot_dispose(GObject *object)
{
	RemsimBankdSlot *self = REMSIM_BANKD_SLOT(object);

	self->disposing = TRUE;
	remsim_bankd_slot_cancel_inventory(self);
	remsim_bankd_slot_end_session(self, FALSE);
	g_clear_pointer(&self->relay, remsim_bankd_relay_free);
	g_clear_object(&self->relay_session);
	if (self->card != NULL)
		g_clear_signal_handler(&self->card_present_id, self->card);
	g_clear_object(&self->card);
	g_clear_object(&self->gsmtap);
	G_OBJECT_CLASS(remsim_bankd_slot_parent_class)->dispose(object);
}

static void
remsim_bankd_slot_finalize(GObject *object)
{
	RemsimBankdSlot *self = REMSIM_BANKD_SLOT(object);

	g_queue_clear_full(&self->ops, (GDestroyNotify)remsim_bankd_slot_op_free);
	g_clear_pointer(&self->atr, g_bytes_unref);
	g_free(self->last_failure);
	g_clear_pointer(&self->pins, g_hash_table_unref);
	g_clear_pointer(&self->card_info, remsim_card_info_free);
	G_OBJECT_CLASS(remsim_bankd_slot_parent_class)->finalize(object);
}

static void
remsim_bankd_slot_class_init(RemsimBankdSlotClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_bankd_slot_dispose;
	object_class->finalize = remsim_bankd_slot_finalize;
	remsim_bankd_slot_signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
}

static void
remsim_bankd_slot_init(RemsimBankdSlot *self)
{
	g_queue_init(&self->ops);
	self->last_vcc = TRUE;
}

RemsimBankdSlot *
remsim_bankd_slot_new(guint16 bank_id, guint16 slot_nr, RemsimPowerOnFlags flags)
{
	RemsimBankdSlot *self = g_object_new(REMSIM_TYPE_BANKD_SLOT, NULL);

	self->bank_id = bank_id;
	self->nr = slot_nr;
	remsim_log_tag_set_bank_slot(&self->log, bank_id, slot_nr);
	self->flags = flags;
	return self;
}

const RemsimLogTag *
remsim_bankd_slot_get_log_tag(RemsimBankdSlot *self)
{
	return &self->log;
}

static RsproBankSlot
remsim_bankd_slot_rspro(RemsimBankdSlot *self)
{
	RsproBankSlot bank_slot = { .bank_id = self->bank_id, .slot_nr = self->nr };

	return bank_slot;
}

/* @task (taken) learns how the op ended */
static void
remsim_bankd_slot_enqueue_task(RemsimBankdSlot *self, RemsimBankdSlotOpKind kind, GBytes *apdu,
			       GTask *task)
{
	RemsimBankdSlotOp *op = g_new0(RemsimBankdSlotOp, 1);

	op->slot = g_object_ref(self);
	op->session = g_object_ref(self->session);
	op->kind = kind;
	op->apdu = apdu != NULL ? g_bytes_ref(apdu) : NULL;
	op->task = task;
	g_queue_push_tail(&self->ops, op);
	remsim_bankd_slot_pump(self);
}

static void
remsim_bankd_slot_enqueue(RemsimBankdSlot *self, RemsimBankdSlotOpKind kind, GBytes *apdu)
{
	remsim_bankd_slot_enqueue_task(self, kind, apdu, NULL);
}

/* a finished op: FALSE if its session has ended and the result is to be dropped */
static gboolean
remsim_bankd_slot_op_done(RemsimBankdSlotOp *op)
{
	RemsimBankdSlot *self = op->slot;

	self->busy = FALSE;
	return !g_cancellable_is_cancelled(op->session);
}

/* the card failed under a relaying client: upstream closes the connection and says nothing */
static void
remsim_bankd_slot_card_failed(RemsimBankdSlot *self, const gchar *what, const GError *error)
{
	remsim_log_message(&self->log, "%s: %s; closing the client", what, error->message);
	self->errors++;
	self->powered = FALSE;
	remsim_bankd_slot_end_session(self, FALSE);
}

static void
remsim_bankd_slot_clear_retry(RemsimBankdSlot *self)
{
	if (self->retry_id != 0) {
		g_source_remove(self->retry_id);
		self->retry_id = 0;
	}
}

static void remsim_bankd_slot_try_power(RemsimBankdSlot *self);

static gboolean
remsim_bankd_slot_retry_cb(gpointer user_data)
{
	RemsimBankdSlot *self = user_data;

	self->retry_id = 0;
	remsim_bankd_slot_try_power(self);
	return G_SOURCE_REMOVE;
}

/*
 * The client stays while its card is missing or does not power: it has heard
 * connectClientRes(cardNotPresent), as upstream answers, and gets setAtrReq once
 * the card powers, on the backend's insertion event or on the next try.
 */
static void
remsim_bankd_slot_wait_for_card(RemsimBankdSlot *self, const gchar *why)
{
	if (!remsim_bankd_client_conn_is_answered(self->client))
		remsim_bankd_client_conn_answer_no_card(self->client);
	/* once a reason, not every try */
	if (g_strcmp0(why, self->last_failure) != 0) {
		remsim_log_message(&self->log, "client %s waits for the card: %s",
				   remsim_bankd_client_conn_get_peer_name(self->client), why);
		g_free(self->last_failure);
		self->last_failure = g_strdup(why);
	}
	if (self->retry_id == 0)
		self->retry_id =
		    g_timeout_add(REMSIM_BANKD_SLOT_RETRY_MS, remsim_bankd_slot_retry_cb, self);
}

/* power the card of the client here, unless it is powered or on its way */
static void
remsim_bankd_slot_try_power(RemsimBankdSlot *self)
{
	if (self->client == NULL || self->powered || self->powering)
		return;
	if (self->card == NULL) {
		self->errors++;
		remsim_bankd_slot_wait_for_card(self, "the backend has no card slot for this "
						      "bank slot");
		return;
	}
	self->powering = TRUE;
	remsim_bankd_slot_enqueue(self, REMSIM_BANKD_SLOT_OP_POWER_ON, NULL);
}

static void
remsim_bankd_slot_send_atr(RemsimBankdSlot *self)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_set_atr_req(&self->client_slot, self->atr);

	if (self->gsmtap != NULL)
		remsim_bankd_gsmtap_send_atr(self->gsmtap, self->nr, self->atr);
	remsim_bankd_client_conn_send(self->client, pdu);
}

static void
remsim_bankd_slot_power_on_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankdSlotOp) op = user_data;
	RemsimBankdSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;

	atr = remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &error);
	if (!remsim_bankd_slot_op_done(op)) {
		remsim_bankd_slot_pump(self);
		return;
	}
	self->powering = FALSE;
	if (atr == NULL) {
		self->errors++;
		remsim_bankd_slot_wait_for_card(self, error->message);
		remsim_bankd_slot_pump(self);
		return;
	}
	remsim_bankd_slot_clear_retry(self);
	g_clear_pointer(&self->last_failure, g_free);
	g_clear_pointer(&self->atr, g_bytes_unref);
	self->atr = g_steal_pointer(&atr);
	self->powered = TRUE;
	/* ok at once when the card was there; a waiting client only hears the ATR */
	remsim_bankd_client_conn_accept(self->client);
	remsim_bankd_slot_send_atr(self);
	remsim_bankd_slot_changed(self);
	remsim_bankd_slot_pump(self);
}

static void
remsim_bankd_slot_transmit_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankdSlotOp) op = user_data;
	RemsimBankdSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) response = NULL;
	g_autoptr(RsproPdu) pdu = NULL;
	RsproBankSlot bank_slot = remsim_bankd_slot_rspro(self);

	response = remsim_card_slot_transmit_finish(REMSIM_CARD_SLOT(source), result, &error);
	if (!remsim_bankd_slot_op_done(op)) {
		remsim_bankd_slot_pump(self);
		return;
	}
	if (response == NULL) {
		remsim_bankd_slot_card_failed(self, "APDU failed", error);
		remsim_bankd_slot_pump(self);
		return;
	}
	if (remsim_log_debug_enabled(G_LOG_DOMAIN)) {
		g_autofree gchar *text = remsim_log_apdu_response(response);

		remsim_log_debug(&self->log, "R-APDU %s", text);
	}
	/* no ::changed: the counter changes with every APDU, and its readers poll it */
	self->apdus++;
	self->bytes_to_card += g_bytes_get_size(op->apdu);
	self->bytes_from_card += g_bytes_get_size(response);
	remsim_metrics_histogram_observe(&self->latency, g_get_monotonic_time() - op->started);
	if (self->gsmtap != NULL)
		remsim_bankd_gsmtap_send_apdu(self->gsmtap, self->nr, op->apdu, response);
	pdu = rspro_pdu_new_tpdu_card_to_modem(&bank_slot, &self->client_slot, response);
	remsim_bankd_client_conn_send(self->client, pdu);
	remsim_bankd_slot_pump(self);
}

static void
remsim_bankd_slot_reset_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankdSlotOp) op = user_data;
	RemsimBankdSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;

	if (op->kind == REMSIM_BANKD_SLOT_OP_RESET_WARM)
		atr = remsim_card_slot_reset_finish(REMSIM_CARD_SLOT(source), result, &error);
	else
		atr = remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &error);
	if (!remsim_bankd_slot_op_done(op)) {
		remsim_bankd_slot_pump(self);
		return;
	}
	if (atr == NULL) {
		if (op->task != NULL)
			g_task_return_new_error(op->task, G_IO_ERROR, G_IO_ERROR_FAILED,
						"card reset failed: %s", error->message);
		g_clear_object(&op->task);
		remsim_bankd_slot_card_failed(self, "card reset failed", error);
	} else {
		/* upstream does not send the new ATR either: the modem sees it from its own reset
		 */
		g_clear_pointer(&self->atr, g_bytes_unref);
		self->atr = g_steal_pointer(&atr);
		self->powered = TRUE;
		remsim_bankd_slot_changed(self);
		if (op->task != NULL)
			g_task_return_boolean(op->task, TRUE);
		g_clear_object(&op->task);
	}
	remsim_bankd_slot_pump(self);
}

/*
 * A read after a session finds IMSI and MSISDN closed again when the PIN went
 * out at the first read of this insertion: the same card keeps what that read
 * showed, and PIN1's word (verified, rejected).
 */
static void
remsim_bankd_slot_keep_read_values(RemsimBankdSlot *self, RemsimCardInfo *info)
{
	const RemsimCardInfo *old = self->card_info;

	if (old == NULL || info->state != REMSIM_CARD_INFO_READ ||
	    g_strcmp0(info->pin1, "enabled") != 0 || g_strcmp0(old->iccid, info->iccid) != 0 ||
	    (g_strcmp0(old->pin1, "verified") != 0 && g_strcmp0(old->pin1, "rejected") != 0))
		return;
	g_free(info->pin1);
	info->pin1 = g_strdup(old->pin1);
	if (info->imsi == NULL)
		info->imsi = g_strdup(old->imsi);
	if (info->msisdn == NULL)
		info->msisdn = g_strdup(old->msisdn);
}

static void
remsim_bankd_slot_inventory_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankdSlotOp) op = user_data;
	RemsimBankdSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimCardInfo) info =
	    remsim_bankd_inventory_read_finish(REMSIM_CARD_SLOT(source), result, &error);

	self->busy = FALSE;
	if (self->inventory == op->session)
		g_clear_object(&self->inventory);
	if (info != NULL) {
		if (g_strcmp0(info->pin1, "verified") == 0 ||
		    g_strcmp0(info->pin1, "rejected") == 0)
			self->pin_spent = TRUE;
		remsim_bankd_slot_keep_read_values(self, info);
		if (info->state == REMSIM_CARD_INFO_FAILED)
			remsim_log_message(&self->log, "cannot read the card: %s", info->error);
		else
			remsim_log_info(&self->log, "card read: ICCID %s, PIN1 %s",
					remsim_log_personal(info->iccid),
					info->pin1 != NULL ? info->pin1 : "-");
		g_clear_pointer(&self->card_info, remsim_card_info_free);
		self->card_info = g_steal_pointer(&info);
		remsim_bankd_slot_changed(self);
	}
	remsim_bankd_slot_pump(self);
}

static void
remsim_bankd_slot_start_op(RemsimBankdSlot *self, RemsimBankdSlotOp *op)
{
	self->busy = TRUE;
	switch (op->kind) {
	case REMSIM_BANKD_SLOT_OP_POWER_ON:
		remsim_card_slot_power_on_async(self->card, self->flags, op->session,
						remsim_bankd_slot_power_on_ready, op);
		break;
	case REMSIM_BANKD_SLOT_OP_APDU:
		if (remsim_log_debug_enabled(G_LOG_DOMAIN)) {
			g_autofree gchar *text = remsim_log_apdu_command(op->apdu);

			remsim_log_debug(&self->log, "C-APDU %s", text);
		}
		op->started = g_get_monotonic_time();
		remsim_card_slot_transmit_async(self->card, op->apdu, op->session,
						remsim_bankd_slot_transmit_ready, op);
		break;
	case REMSIM_BANKD_SLOT_OP_RESET_WARM:
		remsim_card_slot_reset_async(self->card, op->session, remsim_bankd_slot_reset_ready,
					     op);
		break;
	case REMSIM_BANKD_SLOT_OP_RESET_COLD:
		remsim_card_slot_power_off(self->card);
		remsim_card_slot_power_on_async(self->card, self->flags, op->session,
						remsim_bankd_slot_reset_ready, op);
		break;
	case REMSIM_BANKD_SLOT_OP_INVENTORY:
		remsim_bankd_inventory_read_async(self->card, self->flags, self->pins, self->nr,
						  !self->pin_spent, op->session,
						  remsim_bankd_slot_inventory_ready, op);
		break;
	}
}

static gboolean
remsim_bankd_slot_relay_running(RemsimBankdSlot *self)
{
	return self->relay != NULL && remsim_bankd_relay_is_running(self->relay);
}

static void
remsim_bankd_slot_relay_back_cb(RemsimBankdRelay *relay, RemsimBankdRelayBack why,
				const GError *error, gpointer user_data)
{
	RemsimBankdSlot *self = user_data;
	g_autoptr(GCancellable) session = g_steal_pointer(&self->relay_session);

	/* the session it ran for ended meanwhile: nothing of it counts, but the next
	 * session's operations waited for the card */
	if (session != self->session || g_cancellable_is_cancelled(session)) {
		remsim_bankd_slot_pump(self);
		return;
	}
	if (why == REMSIM_BANKD_RELAY_BACK_CARD) {
		remsim_bankd_slot_card_failed(self, "APDU failed", error);
		return;
	}
	/* what waited for the card while the relay had it */
	remsim_bankd_slot_pump(self);
}

/* steady state: the relay thread takes the client's APDUs, if it can */
static void
remsim_bankd_slot_try_relay(RemsimBankdSlot *self)
{
	RsproBankSlot bank_slot = remsim_bankd_slot_rspro(self);

	if (self->busy || !g_queue_is_empty(&self->ops) || self->client == NULL ||
	    self->session == NULL || !self->powered || self->powering ||
	    !remsim_bankd_client_conn_is_answered(self->client) || self->card == NULL ||
	    !remsim_card_slot_can_transmit_sync(self->card) ||
	    /* each APDU has its debug lines and GSMTAP trace, which the relay thread
	     * does not write */
	    remsim_log_debug_enabled(G_LOG_DOMAIN) || self->gsmtap != NULL)
		return;
	if (self->relay == NULL) {
		g_autofree gchar *name = g_strdup_printf("%u:%u", self->bank_id, self->nr);

		self->relay = remsim_bankd_relay_new(self->card, name);
	}
	if (remsim_bankd_slot_relay_running(self))
		return;
	if (!remsim_bankd_relay_start(
		self->relay, remsim_bankd_client_conn_get_connection(self->client), &bank_slot,
		&self->client_slot, remsim_bankd_slot_relay_back_cb, self))
		return;
	g_set_object(&self->relay_session, self->session);
}

static void
remsim_bankd_slot_pump(RemsimBankdSlot *self)
{
	/* the card is the relay thread's until it gives the socket back */
	if (remsim_bankd_slot_relay_running(self)) {
		if (!g_queue_is_empty(&self->ops))
			remsim_bankd_relay_stop(self->relay);
		return;
	}
	while (!self->busy && !g_queue_is_empty(&self->ops)) {
		RemsimBankdSlotOp *op = g_queue_pop_head(&self->ops);

		/* a session's work ends with it, and no card means nothing to do it on */
		if (g_cancellable_is_cancelled(op->session) || self->card == NULL) {
			remsim_bankd_slot_op_free(op);
			continue;
		}
		remsim_bankd_slot_start_op(self, op);
	}
	remsim_bankd_slot_try_relay(self);
}

static void
remsim_bankd_slot_detach_client(RemsimBankdSlot *self, gboolean linger)
{
	g_autoptr(RemsimBankdClientConn) client = g_steal_pointer(&self->client);

	if (client == NULL)
		return;
	g_clear_signal_handler(&self->client_pdu_id, client);
	g_clear_signal_handler(&self->client_closed_id, client);
	if (linger)
		remsim_bankd_client_conn_shutdown(client);
	else
		remsim_bankd_client_conn_close(client);
}

/* end the client session: drop its queued work, release the card, close the client */
static void
remsim_bankd_slot_end_session(RemsimBankdSlot *self, gboolean linger)
{
	if (self->session == NULL && self->client == NULL)
		return;
	if (self->session != NULL) {
		g_cancellable_cancel(self->session);
		g_clear_object(&self->session);
	}
	if (remsim_bankd_slot_relay_running(self))
		remsim_bankd_relay_stop(self->relay);
	remsim_bankd_slot_detach_client(self, linger);
	if (self->powered && self->card != NULL)
		remsim_card_slot_power_off(self->card);
	self->powered = FALSE;
	self->powering = FALSE;
	remsim_bankd_slot_clear_retry(self);
	g_clear_pointer(&self->last_failure, g_free);
	g_clear_pointer(&self->atr, g_bytes_unref);
	remsim_bankd_slot_changed(self);
	/* the card is free again: what the client did may have changed it */
	remsim_bankd_slot_schedule_inventory(self);
}

static gboolean
remsim_bankd_slot_check_tpdu(RemsimBankdSlot *self, const RsproTpduModemToCard *tpdu)
{
	gsize len = tpdu->data != NULL ? g_bytes_get_size(tpdu->data) : 0;

	if (!self->powered)
		return FALSE;
	if (tpdu->to_bank_slot.bank_id != self->bank_id || tpdu->to_bank_slot.slot_nr != self->nr)
		return FALSE;
	if (tpdu->from_client_slot.client_id != self->client_slot.client_id ||
	    tpdu->from_client_slot.slot_nr != self->client_slot.slot_nr)
		return FALSE;
	return len >= REMSIM_BANKD_SLOT_TPDU_MIN && len <= REMSIM_BANKD_SLOT_TPDU_MAX;
}

static void
remsim_bankd_slot_handle_tpdu(RemsimBankdSlot *self, const RsproPdu *pdu)
{
	if (!remsim_bankd_slot_check_tpdu(self, &pdu->u.tpdu_modem_to_card)) {
		const RsproTpduModemToCard *tpdu = &pdu->u.tpdu_modem_to_card;
		g_autofree gchar *apdu = remsim_log_apdu_command(tpdu->data);

		/* the APDU's data is subscriber data: not unless --log-personal-info */
		remsim_log_message(&self->log,
				   "unexpected tpduModemToCard from C%u:%u to B%u:%u (%s), "
				   "closing the client",
				   tpdu->from_client_slot.client_id, tpdu->from_client_slot.slot_nr,
				   tpdu->to_bank_slot.bank_id, tpdu->to_bank_slot.slot_nr, apdu);
		remsim_bankd_slot_end_session(self, FALSE);
		return;
	}
	if (g_queue_get_length(&self->ops) >= REMSIM_BANKD_SLOT_QUEUE_MAX) {
		remsim_log_message(&self->log, "client sends APDUs without waiting, closing it");
		remsim_bankd_slot_end_session(self, FALSE);
		return;
	}
	remsim_bankd_slot_enqueue(self, REMSIM_BANKD_SLOT_OP_APDU, pdu->u.tpdu_modem_to_card.data);
}

/* upstream HEAD: act on edges only; cold reset on VCC falling, warm reset on RST rising */
static void
remsim_bankd_slot_handle_status(RemsimBankdSlot *self, const RsproSlotPhysStatus *status)
{
	gboolean cold = status->has_vcc_present && !status->vcc_present && self->last_vcc;
	gboolean warm = status->reset_active && !self->last_rst;

	if (status->has_vcc_present)
		self->last_vcc = status->vcc_present;
	self->last_rst = status->reset_active;
	if (!self->powered)
		return;
	if (cold)
		remsim_bankd_slot_enqueue(self, REMSIM_BANKD_SLOT_OP_RESET_COLD, NULL);
	else if (warm)
		remsim_bankd_slot_enqueue(self, REMSIM_BANKD_SLOT_OP_RESET_WARM, NULL);
}

static void
remsim_bankd_slot_client_pdu_cb(RemsimBankdClientConn *client, RsproPdu *pdu, gpointer user_data)
{
	RemsimBankdSlot *self = user_data;

	switch (pdu->type) {
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		remsim_bankd_slot_handle_tpdu(self, pdu);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		remsim_bankd_slot_handle_status(self, &pdu->u.client_slot_status_ind.status);
		break;
	case RSPRO_MSG_SET_ATR_RES:
		break;
	default:
		remsim_log_message(&self->log, "client sent %s, closing it",
				   rspro_msg_type_to_string(pdu->type));
		remsim_bankd_slot_end_session(self, FALSE);
	}
}

static void
remsim_bankd_slot_client_closed_cb(RemsimBankdClientConn *client, gpointer user_data)
{
	RemsimBankdSlot *self = user_data;

	remsim_log_info(&self->log, "client %s left",
			remsim_bankd_client_conn_get_peer_name(client));
	remsim_bankd_slot_end_session(self, FALSE);
}

void
remsim_bankd_slot_attach(RemsimBankdSlot *self, RemsimBankdClientConn *client)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));
	g_return_if_fail(self->mapped);

	if (self->client != NULL)
		remsim_log_message(&self->log, "client %s replaces %s",
				   remsim_bankd_client_conn_get_peer_name(client),
				   remsim_bankd_client_conn_get_peer_name(self->client));
	remsim_bankd_slot_end_session(self, FALSE);
	/* the client comes first: a read under way ends at its next command */
	remsim_bankd_slot_cancel_inventory(self);
	self->client = g_object_ref(client);
	self->session = g_cancellable_new();
	self->client_pdu_id =
	    g_signal_connect(client, "pdu", G_CALLBACK(remsim_bankd_slot_client_pdu_cb), self);
	self->client_closed_id = g_signal_connect(
	    client, "closed", G_CALLBACK(remsim_bankd_slot_client_closed_cb), self);
	remsim_bankd_slot_changed(self);
	/* upstream opens the card and reads its ATR: no reset for a new client */
	remsim_bankd_slot_try_power(self);
}

/*
 * The work queued for a waiting client's card is for a card that is gone: drop
 * it with a new session, keep the client, and try the card there is now.
 */
static void
remsim_bankd_slot_restart_wait(RemsimBankdSlot *self)
{
	g_cancellable_cancel(self->session);
	g_clear_object(&self->session);
	self->session = g_cancellable_new();
	self->powering = FALSE;
	remsim_bankd_slot_clear_retry(self);
	remsim_bankd_slot_try_power(self);
}

static void
remsim_bankd_slot_card_present_cb(RemsimCardSlot *card, GParamSpec *pspec, gpointer user_data)
{
	RemsimBankdSlot *self = user_data;
	gboolean present = remsim_card_slot_get_card_present(card);

	remsim_log_info(&self->log, "card %s", present ? "inserted" : "removed");
	/* a new insertion: the configured PIN may go out once more */
	self->pin_spent = FALSE;
	remsim_bankd_slot_cancel_inventory(self);
	g_clear_pointer(&self->card_info, remsim_card_info_free);
	if (self->inventory_enabled && !present)
		self->card_info = remsim_card_info_new(REMSIM_CARD_INFO_EMPTY);
	else
		remsim_bankd_slot_schedule_inventory(self);
	if (self->client != NULL && !present && self->powered) {
		/* upstream loses its client with the card, without a word */
		remsim_log_message(&self->log, "card removed under client %s; closing it",
				   remsim_bankd_client_conn_get_peer_name(self->client));
		self->errors++;
		remsim_bankd_slot_end_session(self, FALSE);
	} else if (self->client != NULL && present && !self->powered) {
		/* a card for a waiting client: its ATR goes out as soon as it powers */
		remsim_bankd_slot_clear_retry(self);
		remsim_bankd_slot_try_power(self);
	}
	remsim_bankd_slot_changed(self);
}

static void
remsim_bankd_slot_cancel_inventory(RemsimBankdSlot *self)
{
	g_clear_handle_id(&self->inventory_idle, g_source_remove);
	if (self->inventory != NULL) {
		g_cancellable_cancel(self->inventory);
		g_clear_object(&self->inventory);
	}
}

/* at the end of the main loop iteration, so that a client attached meanwhile goes first */
static gboolean
remsim_bankd_slot_inventory_idle_cb(gpointer user_data)
{
	RemsimBankdSlot *self = user_data;
	RemsimBankdSlotOp *op;

	self->inventory_idle = 0;
	if (self->client != NULL || self->session != NULL || self->inventory != NULL ||
	    self->card == NULL || !remsim_card_slot_get_card_present(self->card))
		return G_SOURCE_REMOVE;
	self->inventory = g_cancellable_new();
	op = g_new0(RemsimBankdSlotOp, 1);
	op->slot = g_object_ref(self);
	op->session = g_object_ref(self->inventory);
	op->kind = REMSIM_BANKD_SLOT_OP_INVENTORY;
	g_queue_push_tail(&self->ops, op);
	remsim_bankd_slot_pump(self);
	return G_SOURCE_REMOVE;
}

static void
remsim_bankd_slot_schedule_inventory(RemsimBankdSlot *self)
{
	if (!self->inventory_enabled || self->disposing || self->inventory_idle != 0 ||
	    self->card == NULL || !remsim_card_slot_get_card_present(self->card))
		return;
	self->inventory_idle = g_idle_add(remsim_bankd_slot_inventory_idle_cb, self);
}

void
remsim_bankd_slot_shutdown(RemsimBankdSlot *self)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));

	self->inventory_enabled = FALSE;
	remsim_bankd_slot_cancel_inventory(self);
	remsim_bankd_slot_end_session(self, FALSE);
}

gboolean
remsim_bankd_slot_is_busy(RemsimBankdSlot *self)
{
	return self->busy;
}

void
remsim_bankd_slot_set_inventory(RemsimBankdSlot *self, gboolean enabled, GHashTable *pins)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));

	self->inventory_enabled = enabled;
	g_clear_pointer(&self->pins, g_hash_table_unref);
	self->pins = pins != NULL ? g_hash_table_ref(pins) : NULL;
	if (!enabled) {
		remsim_bankd_slot_cancel_inventory(self);
		g_clear_pointer(&self->card_info, remsim_card_info_free);
	}
}

const RemsimCardInfo *
remsim_bankd_slot_get_card_info(RemsimBankdSlot *self)
{
	return self->card_info;
}

gboolean
remsim_bankd_slot_get_inventory_reading(RemsimBankdSlot *self)
{
	return self->inventory != NULL || self->inventory_idle != 0;
}

void
remsim_bankd_slot_set_card(RemsimBankdSlot *self, RemsimCardSlot *card)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));

	if (self->card == card)
		return;
	/* a relaying client loses its card; a waiting one waits for the new one */
	if (self->powered)
		remsim_bankd_slot_end_session(self, FALSE);
	/* the relay thread knows the old card only: its counts stay, it goes */
	remsim_bankd_slot_collect_relay_stats(self);
	if (self->relay != NULL)
		self->apdus += remsim_bankd_relay_get_apdus(self->relay);
	g_clear_pointer(&self->relay, remsim_bankd_relay_free);
	if (self->card != NULL)
		g_clear_signal_handler(&self->card_present_id, self->card);
	g_set_object(&self->card, card);
	if (card != NULL)
		self->card_present_id =
		    g_signal_connect(card, "notify::card-present",
				     G_CALLBACK(remsim_bankd_slot_card_present_cb), self);
	self->pin_spent = FALSE;
	remsim_bankd_slot_cancel_inventory(self);
	g_clear_pointer(&self->card_info, remsim_card_info_free);
	if (self->inventory_enabled && card != NULL && !remsim_card_slot_get_card_present(card))
		self->card_info = remsim_card_info_new(REMSIM_CARD_INFO_EMPTY);
	remsim_bankd_slot_schedule_inventory(self);
	if (self->client != NULL)
		remsim_bankd_slot_restart_wait(self);
	remsim_bankd_slot_changed(self);
}

void
remsim_bankd_slot_set_gsmtap(RemsimBankdSlot *self, RemsimBankdGsmtap *gsmtap)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));
	g_set_object(&self->gsmtap, gsmtap);
	/* a traced slot's APDUs go through the main context, where the trace is written */
	if (gsmtap != NULL && remsim_bankd_slot_relay_running(self))
		remsim_bankd_relay_stop(self->relay);
}

RemsimCardSlot *
remsim_bankd_slot_get_card(RemsimBankdSlot *self)
{
	return self->card;
}

void
remsim_bankd_slot_map(RemsimBankdSlot *self, const RsproClientSlot *client)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));

	if (self->mapped && self->client_slot.client_id == client->client_id &&
	    self->client_slot.slot_nr == client->slot_nr)
		return;
	remsim_bankd_slot_end_session(self, FALSE);
	self->mapped = TRUE;
	self->client_slot = *client;
	remsim_bankd_slot_changed(self);
}

void
remsim_bankd_slot_unmap(RemsimBankdSlot *self)
{
	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));

	if (!self->mapped)
		return;
	/* upstream closes the client's socket without an RSPRO message */
	remsim_bankd_slot_end_session(self, FALSE);
	self->mapped = FALSE;
	remsim_bankd_slot_changed(self);
}

void
remsim_bankd_slot_reset_card_async(RemsimBankdSlot *self, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

	g_return_if_fail(REMSIM_IS_BANKD_SLOT(self));
	g_task_set_source_tag(task, remsim_bankd_slot_reset_card_async);
	if (!self->powered || self->session == NULL) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
					"bank slot %u has no powered card", self->nr);
		return;
	}
	remsim_log_message(&self->log, "the operator resets the card");
	remsim_bankd_slot_enqueue_task(self, REMSIM_BANKD_SLOT_OP_RESET_COLD, NULL,
				       g_steal_pointer(&task));
}

gboolean
remsim_bankd_slot_reset_card_finish(RemsimBankdSlot *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
remsim_bankd_slot_drop_client(RemsimBankdSlot *self)
{
	g_return_val_if_fail(REMSIM_IS_BANKD_SLOT(self), FALSE);

	if (self->client == NULL)
		return FALSE;
	remsim_log_message(&self->log, "the operator drops client %s",
			   remsim_bankd_client_conn_get_peer_name(self->client));
	remsim_bankd_slot_end_session(self, TRUE);
	return TRUE;
}

guint16
remsim_bankd_slot_get_nr(RemsimBankdSlot *self)
{
	return self->nr;
}

RemsimBankdSlotState
remsim_bankd_slot_get_state(RemsimBankdSlot *self)
{
	if (!self->mapped)
		return REMSIM_BANKD_SLOT_STATE_IDLE;
	if (self->client == NULL)
		return REMSIM_BANKD_SLOT_STATE_MAPPED;
	if (!self->powered)
		return REMSIM_BANKD_SLOT_STATE_CLIENT_CONNECTED;
	return REMSIM_BANKD_SLOT_STATE_CARD_POWERED;
}

gboolean
remsim_bankd_slot_get_client_slot(RemsimBankdSlot *self, RsproClientSlot *client)
{
	if (self->mapped && client != NULL)
		*client = self->client_slot;
	return self->mapped;
}

GBytes *
remsim_bankd_slot_get_atr(RemsimBankdSlot *self)
{
	return self->atr;
}

gboolean
remsim_bankd_slot_get_card_present(RemsimBankdSlot *self)
{
	return self->card != NULL && remsim_card_slot_get_card_present(self->card);
}

guint64
remsim_bankd_slot_get_apdus(RemsimBankdSlot *self)
{
	return self->apdus + (self->relay != NULL ? remsim_bankd_relay_get_apdus(self->relay) : 0);
}

guint64
remsim_bankd_slot_get_errors(RemsimBankdSlot *self)
{
	return self->errors;
}

/* what the relay thread counted joins the slot's own counts */
static void
remsim_bankd_slot_collect_relay_stats(RemsimBankdSlot *self)
{
	if (self->relay != NULL)
		remsim_bankd_relay_take_stats(self->relay, &self->bytes_to_card,
					      &self->bytes_from_card, &self->latency);
}

void
remsim_bankd_slot_get_bytes(RemsimBankdSlot *self, guint64 *to_card, guint64 *from_card)
{
	remsim_bankd_slot_collect_relay_stats(self);
	*to_card = self->bytes_to_card;
	*from_card = self->bytes_from_card;
}

const RemsimMetricsHistogram *
remsim_bankd_slot_get_latency(RemsimBankdSlot *self)
{
	remsim_bankd_slot_collect_relay_stats(self);
	return &self->latency;
}
