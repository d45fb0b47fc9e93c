/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything the card does goes through one queue of operations (power on,
 * APDU, resets), so the backend sees one command at a time per slot. Each
 * client session has its own GCancellable: when the session ends, work still
 * queued or in flight for it is dropped when it completes, while the slot-wide
 * "busy" flag keeps a new session's commands behind the old one's last call.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-bank-slot.h"

/* upstream HEAD's accepted TPDU sizes: a header, at most 255 data bytes and Le */
#define REMSIM_BANK_SLOT_TPDU_MIN 5
#define REMSIM_BANK_SLOT_TPDU_MAX 260

typedef enum {
	REMSIM_BANK_SLOT_OP_POWER_ON,
	REMSIM_BANK_SLOT_OP_APDU,
	REMSIM_BANK_SLOT_OP_RESET_WARM,
	REMSIM_BANK_SLOT_OP_RESET_COLD,
} RemsimBankSlotOpKind;

typedef struct {
	RemsimBankSlot *slot;  /* strong */
	GCancellable *session; /* strong: the session the op belongs to */
	RemsimBankSlotOpKind kind;
	GBytes *apdu;
} RemsimBankSlotOp;

struct _RemsimBankSlot {
	GObject parent_instance;
	guint16 bank_id;
	guint16 nr;
	RemsimPowerOnFlags flags;
	RemsimCardSlot *card;
	gulong card_present_id;
	gboolean mapped;
	RsproClientSlot client_slot;
	RemsimClientConn *client;
	gulong client_pdu_id;
	gulong client_closed_id;
	GCancellable *session;
	GQueue ops;
	gboolean busy;
	gboolean powered;
	gboolean accepted; /* connectClientRes(ok) went out in this session */
	GBytes *atr;
	/* modem line memory for clientSlotStatusInd edges (upstream HEAD: VCC on, RST off) */
	gboolean last_vcc;
	gboolean last_rst;
	guint64 apdus;
	guint64 errors;
};

G_DEFINE_TYPE(RemsimBankSlot, remsim_bank_slot, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_REPORT, N_SIGNALS };
static guint remsim_bank_slot_signals[N_SIGNALS];

static void remsim_bank_slot_pump(RemsimBankSlot *self);
static void remsim_bank_slot_end_session(RemsimBankSlot *self, gboolean linger);

const gchar *
remsim_bank_slot_state_to_string(RemsimBankSlotState state)
{
	switch (state) {
	case REMSIM_BANK_SLOT_STATE_IDLE:
		return "idle";
	case REMSIM_BANK_SLOT_STATE_MAPPED:
		return "mapped";
	case REMSIM_BANK_SLOT_STATE_CLIENT_CONNECTED:
		return "client-connected";
	case REMSIM_BANK_SLOT_STATE_CARD_POWERED:
		return "card-powered";
	}
	return "unknown";
}

static void
remsim_bank_slot_op_free(RemsimBankSlotOp *op)
{
	g_object_unref(op->slot);
	g_object_unref(op->session);
	g_clear_pointer(&op->apdu, g_bytes_unref);
	g_free(op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBankSlotOp, remsim_bank_slot_op_free)

static void
remsim_bank_slot_changed(RemsimBankSlot *self)
{
	g_signal_emit(self, remsim_bank_slot_signals[SIGNAL_CHANGED], 0);
}

static void
remsim_bank_slot_dispose(GObject *object)
{
	RemsimBankSlot *self = REMSIM_BANK_SLOT(object);

	remsim_bank_slot_end_session(self, FALSE);
	if (self->card != NULL)
		g_clear_signal_handler(&self->card_present_id, self->card);
	g_clear_object(&self->card);
	G_OBJECT_CLASS(remsim_bank_slot_parent_class)->dispose(object);
}

static void
remsim_bank_slot_finalize(GObject *object)
{
	RemsimBankSlot *self = REMSIM_BANK_SLOT(object);

	g_queue_clear_full(&self->ops, (GDestroyNotify)remsim_bank_slot_op_free);
	g_clear_pointer(&self->atr, g_bytes_unref);
	G_OBJECT_CLASS(remsim_bank_slot_parent_class)->finalize(object);
}

static void
remsim_bank_slot_class_init(RemsimBankSlotClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_bank_slot_dispose;
	object_class->finalize = remsim_bank_slot_finalize;
	remsim_bank_slot_signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
	remsim_bank_slot_signals[SIGNAL_REPORT] =
	    g_signal_new("report", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 1, RSPRO_TYPE_PDU | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
remsim_bank_slot_init(RemsimBankSlot *self)
{
	g_queue_init(&self->ops);
	self->last_vcc = TRUE;
}

RemsimBankSlot *
remsim_bank_slot_new(guint16 bank_id, guint16 slot_nr, RemsimPowerOnFlags flags)
{
	RemsimBankSlot *self = g_object_new(REMSIM_TYPE_BANK_SLOT, NULL);

	self->bank_id = bank_id;
	self->nr = slot_nr;
	self->flags = flags;
	return self;
}

static RsproBankSlot
remsim_bank_slot_rspro(RemsimBankSlot *self)
{
	RsproBankSlot bank_slot = { .bank_id = self->bank_id, .slot_nr = self->nr };

	return bank_slot;
}

/* an errorInd about this slot, to the client if one is here, and to the server */
static void
remsim_bank_slot_report_error(RemsimBankSlot *self, RsproErrorCode code, const gchar *text)
{
	RsproBankSlot bank_slot = remsim_bank_slot_rspro(self);
	g_autoptr(RsproPdu) ind = NULL;

	ind = rspro_pdu_new_error_ind(RSPRO_COMPONENT_BANKD, RSPRO_SEVERITY_MAJOR, code, &bank_slot,
				      self->mapped ? &self->client_slot : NULL, text);
	if (self->client != NULL)
		remsim_client_conn_send(self->client, ind);
	g_signal_emit(self, remsim_bank_slot_signals[SIGNAL_REPORT], 0, ind);
}

static void
remsim_bank_slot_send_card_status(RemsimBankSlot *self)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new(RSPRO_MSG_BANK_SLOT_STATUS_IND);
	RsproBankSlotStatusInd *ind = &pdu->u.bank_slot_status_ind;
	gboolean present = remsim_bank_slot_get_card_present(self);

	if (self->client == NULL)
		return;
	ind->from_bank_slot = remsim_bank_slot_rspro(self);
	ind->to_client_slot = self->client_slot;
	ind->status.reset_active = FALSE;
	ind->status.has_vcc_present = TRUE;
	ind->status.vcc_present = self->powered;
	ind->status.has_card_present = TRUE;
	ind->status.card_present = present;
	remsim_client_conn_send(self->client, pdu);
}

static void
remsim_bank_slot_enqueue(RemsimBankSlot *self, RemsimBankSlotOpKind kind, GBytes *apdu)
{
	RemsimBankSlotOp *op = g_new0(RemsimBankSlotOp, 1);

	op->slot = g_object_ref(self);
	op->session = g_object_ref(self->session);
	op->kind = kind;
	op->apdu = apdu != NULL ? g_bytes_ref(apdu) : NULL;
	g_queue_push_tail(&self->ops, op);
	remsim_bank_slot_pump(self);
}

/* a finished op: FALSE if its session has ended and the result is to be dropped */
static gboolean
remsim_bank_slot_op_done(RemsimBankSlotOp *op)
{
	RemsimBankSlot *self = op->slot;

	self->busy = FALSE;
	return !g_cancellable_is_cancelled(op->session);
}

static void
remsim_bank_slot_card_failed(RemsimBankSlot *self, const gchar *what, const GError *error)
{
	g_autofree gchar *text = g_strdup_printf("%s: %s", what, error->message);

	g_message(_("Bank slot %u:%u: %s"), self->bank_id, self->nr, text);
	self->errors++;
	self->powered = FALSE;
	remsim_bank_slot_report_error(self, RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT, text);
	/* upstream drops the client on any card error; the client then reconnects */
	remsim_bank_slot_end_session(self, TRUE);
}

static void
remsim_bank_slot_send_atr(RemsimBankSlot *self)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new_set_atr_req(&self->client_slot, self->atr);

	remsim_client_conn_send(self->client, pdu);
}

static void
remsim_bank_slot_power_on_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankSlotOp) op = user_data;
	RemsimBankSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;

	atr = remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &error);
	if (!remsim_bank_slot_op_done(op)) {
		remsim_bank_slot_pump(self);
		return;
	}
	if (atr == NULL && self->accepted) {
		remsim_bank_slot_card_failed(self, _("cannot power the card"), error);
		remsim_bank_slot_pump(self);
		return;
	}
	if (atr == NULL) {
		g_autoptr(RsproPdu) ind = NULL;
		RsproBankSlot bank_slot = remsim_bank_slot_rspro(self);

		g_message(_("Bank slot %u:%u: cannot power the card: %s"), self->bank_id, self->nr,
			  error->message);
		self->errors++;
		ind = rspro_pdu_new_error_ind(RSPRO_COMPONENT_BANKD, RSPRO_SEVERITY_MAJOR,
					      RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT, &bank_slot,
					      &self->client_slot, error->message);
		g_signal_emit(self, remsim_bank_slot_signals[SIGNAL_REPORT], 0, ind);
		remsim_client_conn_refuse(self->client, remsim_card_error_to_rspro_result(error),
					  ind);
		remsim_bank_slot_end_session(self, TRUE);
		remsim_bank_slot_pump(self);
		return;
	}
	g_clear_pointer(&self->atr, g_bytes_unref);
	self->atr = g_steal_pointer(&atr);
	self->powered = TRUE;
	if (!self->accepted)
		remsim_client_conn_accept(self->client);
	self->accepted = TRUE;
	remsim_bank_slot_send_atr(self);
	remsim_bank_slot_changed(self);
	remsim_bank_slot_pump(self);
}

static void
remsim_bank_slot_transmit_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankSlotOp) op = user_data;
	RemsimBankSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) response = NULL;
	g_autoptr(RsproPdu) pdu = NULL;
	RsproBankSlot bank_slot = remsim_bank_slot_rspro(self);

	response = remsim_card_slot_transmit_finish(REMSIM_CARD_SLOT(source), result, &error);
	if (!remsim_bank_slot_op_done(op)) {
		remsim_bank_slot_pump(self);
		return;
	}
	if (response == NULL) {
		remsim_bank_slot_card_failed(self, _("APDU failed"), error);
		remsim_bank_slot_pump(self);
		return;
	}
	/* no ::changed: the counter changes with every APDU, and its readers poll it */
	self->apdus++;
	pdu = rspro_pdu_new_tpdu_card_to_modem(&bank_slot, &self->client_slot, response);
	remsim_client_conn_send(self->client, pdu);
	remsim_bank_slot_pump(self);
}

static void
remsim_bank_slot_reset_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankSlotOp) op = user_data;
	RemsimBankSlot *self = op->slot;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;

	if (op->kind == REMSIM_BANK_SLOT_OP_RESET_WARM)
		atr = remsim_card_slot_reset_finish(REMSIM_CARD_SLOT(source), result, &error);
	else
		atr = remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &error);
	if (!remsim_bank_slot_op_done(op)) {
		remsim_bank_slot_pump(self);
		return;
	}
	if (atr == NULL) {
		remsim_bank_slot_card_failed(self, _("card reset failed"), error);
	} else {
		/* upstream does not send the new ATR either: the modem sees it from its own reset
		 */
		g_clear_pointer(&self->atr, g_bytes_unref);
		self->atr = g_steal_pointer(&atr);
		self->powered = TRUE;
		remsim_bank_slot_changed(self);
	}
	remsim_bank_slot_pump(self);
}

static void
remsim_bank_slot_start_op(RemsimBankSlot *self, RemsimBankSlotOp *op)
{
	self->busy = TRUE;
	switch (op->kind) {
	case REMSIM_BANK_SLOT_OP_POWER_ON:
		remsim_card_slot_power_on_async(self->card, self->flags, op->session,
						remsim_bank_slot_power_on_ready, op);
		break;
	case REMSIM_BANK_SLOT_OP_APDU:
		remsim_card_slot_transmit_async(self->card, op->apdu, op->session,
						remsim_bank_slot_transmit_ready, op);
		break;
	case REMSIM_BANK_SLOT_OP_RESET_WARM:
		remsim_card_slot_reset_async(self->card, op->session, remsim_bank_slot_reset_ready,
					     op);
		break;
	case REMSIM_BANK_SLOT_OP_RESET_COLD:
		remsim_card_slot_power_off(self->card);
		remsim_card_slot_power_on_async(self->card, self->flags, op->session,
						remsim_bank_slot_reset_ready, op);
		break;
	}
}

static void
remsim_bank_slot_pump(RemsimBankSlot *self)
{
	while (!self->busy && !g_queue_is_empty(&self->ops)) {
		RemsimBankSlotOp *op = g_queue_pop_head(&self->ops);

		if (g_cancellable_is_cancelled(op->session) || self->card == NULL) {
			remsim_bank_slot_op_free(op);
			continue;
		}
		remsim_bank_slot_start_op(self, op);
	}
}

static void
remsim_bank_slot_detach_client(RemsimBankSlot *self, gboolean linger)
{
	g_autoptr(RemsimClientConn) client = g_steal_pointer(&self->client);

	if (client == NULL)
		return;
	g_clear_signal_handler(&self->client_pdu_id, client);
	g_clear_signal_handler(&self->client_closed_id, client);
	if (linger)
		remsim_client_conn_shutdown(client);
	else
		remsim_client_conn_close(client);
}

/* end the client session: drop its queued work, release the card, close the client */
static void
remsim_bank_slot_end_session(RemsimBankSlot *self, gboolean linger)
{
	if (self->session == NULL && self->client == NULL)
		return;
	if (self->session != NULL) {
		g_cancellable_cancel(self->session);
		g_clear_object(&self->session);
	}
	remsim_bank_slot_detach_client(self, linger);
	if (self->powered && self->card != NULL)
		remsim_card_slot_power_off(self->card);
	self->powered = FALSE;
	self->accepted = FALSE;
	g_clear_pointer(&self->atr, g_bytes_unref);
	remsim_bank_slot_changed(self);
}

static gboolean
remsim_bank_slot_check_tpdu(RemsimBankSlot *self, const RsproTpduModemToCard *tpdu)
{
	gsize len = tpdu->data != NULL ? g_bytes_get_size(tpdu->data) : 0;

	if (!self->powered)
		return FALSE;
	if (tpdu->to_bank_slot.bank_id != self->bank_id || tpdu->to_bank_slot.slot_nr != self->nr)
		return FALSE;
	if (tpdu->from_client_slot.client_id != self->client_slot.client_id ||
	    tpdu->from_client_slot.slot_nr != self->client_slot.slot_nr)
		return FALSE;
	return len >= REMSIM_BANK_SLOT_TPDU_MIN && len <= REMSIM_BANK_SLOT_TPDU_MAX;
}

static void
remsim_bank_slot_handle_tpdu(RemsimBankSlot *self, const RsproPdu *pdu)
{
	if (!remsim_bank_slot_check_tpdu(self, &pdu->u.tpdu_modem_to_card)) {
		g_autofree gchar *text = rspro_pdu_to_string(pdu);

		g_message(_("Bank slot %u:%u: unexpected %s, closing the client"), self->bank_id,
			  self->nr, text);
		remsim_bank_slot_end_session(self, FALSE);
		return;
	}
	if (g_queue_get_length(&self->ops) >= REMSIM_BANK_SLOT_QUEUE_MAX) {
		g_message(_("Bank slot %u:%u: client sends APDUs without waiting, closing it"),
			  self->bank_id, self->nr);
		remsim_bank_slot_end_session(self, FALSE);
		return;
	}
	remsim_bank_slot_enqueue(self, REMSIM_BANK_SLOT_OP_APDU, pdu->u.tpdu_modem_to_card.data);
}

/* upstream HEAD: act on edges only; cold reset on VCC falling, warm reset on RST rising */
static void
remsim_bank_slot_handle_status(RemsimBankSlot *self, const RsproSlotPhysStatus *status)
{
	gboolean cold = status->has_vcc_present && !status->vcc_present && self->last_vcc;
	gboolean warm = status->reset_active && !self->last_rst;

	if (status->has_vcc_present)
		self->last_vcc = status->vcc_present;
	self->last_rst = status->reset_active;
	if (!self->powered)
		return;
	if (cold)
		remsim_bank_slot_enqueue(self, REMSIM_BANK_SLOT_OP_RESET_COLD, NULL);
	else if (warm)
		remsim_bank_slot_enqueue(self, REMSIM_BANK_SLOT_OP_RESET_WARM, NULL);
}

static void
remsim_bank_slot_on_client_pdu(RemsimClientConn *client, RsproPdu *pdu, gpointer user_data)
{
	RemsimBankSlot *self = user_data;

	switch (pdu->type) {
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		remsim_bank_slot_handle_tpdu(self, pdu);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		remsim_bank_slot_handle_status(self, &pdu->u.client_slot_status_ind.status);
		break;
	case RSPRO_MSG_SET_ATR_RES:
		break;
	default:
		g_message(_("Bank slot %u:%u: client sent %s, closing it"), self->bank_id, self->nr,
			  rspro_msg_type_to_string(pdu->type));
		remsim_bank_slot_end_session(self, FALSE);
	}
}

static void
remsim_bank_slot_on_client_closed(RemsimClientConn *client, gpointer user_data)
{
	RemsimBankSlot *self = user_data;

	g_info("bank slot %u:%u: client %s left", self->bank_id, self->nr,
	       remsim_client_conn_get_peer_name(client));
	remsim_bank_slot_end_session(self, FALSE);
}

void
remsim_bank_slot_attach(RemsimBankSlot *self, RemsimClientConn *client)
{
	g_return_if_fail(REMSIM_IS_BANK_SLOT(self));
	g_return_if_fail(self->mapped);

	if (self->client != NULL)
		g_message(_("Bank slot %u:%u: client %s replaces %s"), self->bank_id, self->nr,
			  remsim_client_conn_get_peer_name(client),
			  remsim_client_conn_get_peer_name(self->client));
	remsim_bank_slot_end_session(self, FALSE);
	self->client = g_object_ref(client);
	self->session = g_cancellable_new();
	self->client_pdu_id =
	    g_signal_connect(client, "pdu", G_CALLBACK(remsim_bank_slot_on_client_pdu), self);
	self->client_closed_id =
	    g_signal_connect(client, "closed", G_CALLBACK(remsim_bank_slot_on_client_closed), self);
	remsim_bank_slot_changed(self);
	if (self->card == NULL) {
		GError error = { REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD,
				 (gchar *)"the backend has no card slot for this bank slot" };

		self->errors++;
		remsim_client_conn_refuse(client, remsim_card_error_to_rspro_result(&error), NULL);
		remsim_bank_slot_end_session(self, TRUE);
		return;
	}
	remsim_bank_slot_enqueue(self, REMSIM_BANK_SLOT_OP_POWER_ON, NULL);
}

static void
remsim_bank_slot_on_card_present(RemsimCardSlot *card, GParamSpec *pspec, gpointer user_data)
{
	RemsimBankSlot *self = user_data;
	gboolean present = remsim_card_slot_get_card_present(card);

	g_info("bank slot %u:%u: card %s", self->bank_id, self->nr,
	       present ? "inserted" : "removed");
	if (self->client != NULL) {
		if (!present) {
			self->powered = FALSE;
			g_clear_pointer(&self->atr, g_bytes_unref);
			remsim_bank_slot_report_error(self, RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT,
						      "card removed");
		}
		remsim_bank_slot_send_card_status(self);
		/* a card back under a waiting client: power it and tell the client its ATR */
		if (present && !self->powered)
			remsim_bank_slot_enqueue(self, REMSIM_BANK_SLOT_OP_POWER_ON, NULL);
	}
	remsim_bank_slot_changed(self);
}

void
remsim_bank_slot_set_card(RemsimBankSlot *self, RemsimCardSlot *card)
{
	g_return_if_fail(REMSIM_IS_BANK_SLOT(self));

	if (self->card == card)
		return;
	remsim_bank_slot_end_session(self, FALSE);
	if (self->card != NULL)
		g_clear_signal_handler(&self->card_present_id, self->card);
	g_set_object(&self->card, card);
	if (card != NULL)
		self->card_present_id =
		    g_signal_connect(card, "notify::card-present",
				     G_CALLBACK(remsim_bank_slot_on_card_present), self);
	remsim_bank_slot_changed(self);
}

RemsimCardSlot *
remsim_bank_slot_get_card(RemsimBankSlot *self)
{
	return self->card;
}

void
remsim_bank_slot_map(RemsimBankSlot *self, const RsproClientSlot *client)
{
	g_return_if_fail(REMSIM_IS_BANK_SLOT(self));

	if (self->mapped && self->client_slot.client_id == client->client_id &&
	    self->client_slot.slot_nr == client->slot_nr)
		return;
	remsim_bank_slot_end_session(self, FALSE);
	self->mapped = TRUE;
	self->client_slot = *client;
	remsim_bank_slot_changed(self);
}

void
remsim_bank_slot_unmap(RemsimBankSlot *self)
{
	g_return_if_fail(REMSIM_IS_BANK_SLOT(self));

	if (!self->mapped)
		return;
	/* upstream closes the client's socket without an RSPRO message */
	remsim_bank_slot_end_session(self, FALSE);
	self->mapped = FALSE;
	remsim_bank_slot_changed(self);
}

guint16
remsim_bank_slot_get_nr(RemsimBankSlot *self)
{
	return self->nr;
}

RemsimBankSlotState
remsim_bank_slot_get_state(RemsimBankSlot *self)
{
	if (!self->mapped)
		return REMSIM_BANK_SLOT_STATE_IDLE;
	if (self->client == NULL)
		return REMSIM_BANK_SLOT_STATE_MAPPED;
	if (!self->powered)
		return REMSIM_BANK_SLOT_STATE_CLIENT_CONNECTED;
	return REMSIM_BANK_SLOT_STATE_CARD_POWERED;
}

gboolean
remsim_bank_slot_get_client_slot(RemsimBankSlot *self, RsproClientSlot *client)
{
	if (self->mapped && client != NULL)
		*client = self->client_slot;
	return self->mapped;
}

GBytes *
remsim_bank_slot_get_atr(RemsimBankSlot *self)
{
	return self->atr;
}

gboolean
remsim_bank_slot_get_card_present(RemsimBankSlot *self)
{
	return self->card != NULL && remsim_card_slot_get_card_present(self->card);
}

guint64
remsim_bank_slot_get_apdus(RemsimBankSlot *self)
{
	return self->apdus;
}

guint64
remsim_bank_slot_get_errors(RemsimBankSlot *self)
{
	return self->errors;
}
