/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-slot.h"
#include "remsim-log.h"

#define REMSIM_CLIENT_SOFTWARE "remsim-client"
/* upstream's hello timer T1 (behaviour.md 1) */
#define CLIENT_T1_MS 10000

struct _RemsimClientSlot {
	GObject parent_instance;

	RemsimClientSlotSettings settings;
	RsproClientSlot client_slot;
	RemsimLogTag log; /* [client C:N] */
	RemsimClientFrontend *frontend;
	RemsimClientEventScript *script;

	RsproComponentIdentity identity;
	RsproLink *server_link;
	RsproLink *bankd_link;

	RemsimClientSlotState state;
	gboolean started;
	/* the bank as configured by the server; host NULL before the first configClientBankReq */
	gchar *bankd_host;
	guint16 bankd_port;
	RsproBankSlot bank_slot;

	gboolean has_status;
	RsproSlotPhysStatus last_status;
	RemsimClientSlotCounters counters;
	gint64 command_sent; /* when the command in flight went to the bank (monotonic), or 0 */
};

G_DEFINE_FINAL_TYPE(RemsimClientSlot, remsim_client_slot, G_TYPE_OBJECT)

enum {
	SIGNAL_CHANGED,
	N_SIGNALS,
};
static guint signals[N_SIGNALS];

void
remsim_client_slot_settings_clear(RemsimClientSlotSettings *settings)
{
	g_clear_pointer(&settings->server_host, g_free);
	g_clear_pointer(&settings->atr, g_bytes_unref);
	g_clear_pointer(&settings->component_name, g_free);
	g_clear_pointer(&settings->tls_cert_file, g_free);
	g_clear_pointer(&settings->tls_key_file, g_free);
	g_clear_pointer(&settings->tls_ca_file, g_free);
	g_clear_object(&settings->tls_cert);
	g_clear_object(&settings->tls_ca);
}

const gchar *
remsim_client_slot_state_to_string(RemsimClientSlotState state)
{
	switch (state) {
	case REMSIM_CLIENT_SLOT_STATE_INIT:
		return "INIT";
	case REMSIM_CLIENT_SLOT_STATE_UNCONFIGURED:
		return "UNCONFIGURED";
	case REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD:
		return "WAIT_BANKD";
	case REMSIM_CLIENT_SLOT_STATE_OPERATIONAL:
		return "OPERATIONAL";
	}
	return "?";
}

const gchar *
remsim_client_slot_link_state_to_string(RsproLinkState state)
{
	switch (state) {
	case RSPRO_LINK_STATE_IDLE:
		return "INIT";
	case RSPRO_LINK_STATE_WAITING:
		return "REESTABLISH_DELAY";
	case RSPRO_LINK_STATE_CONNECTING:
		return "REESTABLISH";
	case RSPRO_LINK_STATE_ESTABLISHED:
		return "ESTABLISHED";
	case RSPRO_LINK_STATE_CONNECTED:
		return "CONNECTED";
	}
	return "?";
}

static void
remsim_client_slot_changed(RemsimClientSlot *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

/* [client C:N], again whenever the server gives us another client slot */
static void
remsim_client_slot_set_log_tag(RemsimClientSlot *self)
{
	remsim_log_tag_set_client(&self->log, self->client_slot.client_id,
				  self->client_slot.slot_nr);
}

/* upstream prints unknown flags as the unsigned value of -1 */
static gchar *
remsim_client_slot_flag_var(const gchar *name, gboolean known, gboolean value)
{
	if (!known)
		return g_strdup_printf("%s=%u", name, G_MAXUINT32);
	return g_strdup_printf("%s=%u", name, value ? 1u : 0u);
}

static void
remsim_client_slot_builder_take(GStrvBuilder *builder, gchar *value)
{
	g_strv_builder_add(builder, value);
	g_free(value);
}

gchar **
remsim_client_slot_get_script_vars(RemsimClientSlot *self)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_autofree gchar *server = remsim_client_slot_get_server_address(self);
	g_autofree gchar *bankd = remsim_client_slot_get_bankd_address(self);
	const RsproSlotPhysStatus *st = &self->last_status;

	remsim_client_slot_builder_take(b, g_strdup("REMSIM_CLIENT_VERSION=" PACKAGE_VERSION));
	remsim_client_slot_builder_take(b, g_strdup_printf("REMSIM_SERVER_ADDR=%s", server));
	remsim_client_slot_builder_take(
	    b, g_strdup_printf("REMSIM_SERVER_STATE=%s",
			       remsim_client_slot_link_state_to_string(
				   rspro_link_get_state(self->server_link))));
	remsim_client_slot_builder_take(b, g_strdup_printf("REMSIM_BANKD_ADDR=%s", bankd));
	remsim_client_slot_builder_take(
	    b,
	    g_strdup_printf("REMSIM_BANKD_STATE=%s", remsim_client_slot_link_state_to_string(
							 rspro_link_get_state(self->bankd_link))));
	remsim_client_slot_builder_take(b, g_strdup_printf("REMSIM_CLIENT_SLOT=%u:%u",
							   self->client_slot.client_id,
							   self->client_slot.slot_nr));
	remsim_client_slot_builder_take(b, g_strdup_printf("REMSIM_BANKD_SLOT=%u:%u",
							   self->bank_slot.bank_id,
							   self->bank_slot.slot_nr));
	remsim_client_slot_builder_take(
	    b, remsim_client_slot_flag_var(
		   "REMSIM_SIMCARD_VCC", self->has_status && st->has_vcc_present, st->vcc_present));
	remsim_client_slot_builder_take(
	    b,
	    remsim_client_slot_flag_var("REMSIM_SIMCARD_RST", self->has_status, st->reset_active));
	remsim_client_slot_builder_take(
	    b, remsim_client_slot_flag_var("REMSIM_SIMCARD_CLK",
					   self->has_status && st->has_clk_active, st->clk_active));
	{
		g_auto(GStrv) extra = remsim_client_frontend_get_script_vars(self->frontend);

		g_strv_builder_addv(b, (const gchar **)extra);
	}
	return g_strv_builder_end(b);
}

static void
remsim_client_slot_script(RemsimClientSlot *self, const gchar *cause)
{
	g_auto(GStrv) vars = NULL;

	if (self->script == NULL)
		return;
	vars = remsim_client_slot_get_script_vars(self);
	remsim_client_event_script_run(self->script, cause, (const gchar *const *)vars);
}

static void
remsim_client_slot_set_state(RemsimClientSlot *self, RemsimClientSlotState state)
{
	if (self->state == state)
		return;
	remsim_log_info(&self->log, "%s -> %s", remsim_client_slot_state_to_string(self->state),
			remsim_client_slot_state_to_string(state));
	self->state = state;
	remsim_client_slot_changed(self);
}

/* HEAD's order: remote SIM, local ATR, card insert, modem reset; the bank's ATR follows */
static void
remsim_client_slot_enter_operational(RemsimClientSlot *self)
{
	remsim_client_slot_set_state(self, REMSIM_CLIENT_SLOT_STATE_OPERATIONAL);
	remsim_client_frontend_set_sim_remote(self->frontend, TRUE);
	remsim_client_slot_script(self, "request-sim-remote");
	/* with -r the local ATR is the card's for good; else a stand-in until the bank's */
	if (self->settings.atr_ignore_rspro)
		remsim_client_frontend_set_atr(self->frontend, self->settings.atr);
	else
		remsim_client_frontend_set_default_atr(self->frontend, self->settings.atr);
	remsim_client_frontend_set_card_present(self->frontend, TRUE);
	remsim_client_slot_script(self, "request-card-insert");
	remsim_client_frontend_reset_modem(self->frontend);
	remsim_client_slot_script(self, "request-modem-reset");
}

static void
remsim_client_slot_leave_operational(RemsimClientSlot *self, RemsimClientSlotState next)
{
	gboolean was_operational = self->state == REMSIM_CLIENT_SLOT_STATE_OPERATIONAL;

	remsim_client_slot_set_state(self, next);
	if (!was_operational)
		return;
	remsim_client_frontend_set_card_present(self->frontend, FALSE);
	remsim_client_slot_script(self, "request-card-remove");
	remsim_client_frontend_set_sim_remote(self->frontend, FALSE);
	remsim_client_slot_script(self, "request-sim-local");
	remsim_client_frontend_reset_modem(self->frontend);
	remsim_client_slot_script(self, "request-modem-reset");
}

static void
remsim_client_slot_send(RemsimClientSlot *self, RsproLink *link, RsproPdu *pdu)
{
	g_autoptr(RsproPdu) owned = pdu;
	g_autoptr(GError) error = NULL;

	if (!rspro_link_send(link, owned, &error)) {
		/* the type only: a TPDU's data is subscriber data */
		remsim_log_message(&self->log, "cannot send %s: %s",
				   rspro_msg_type_to_string(owned->type), error->message);
	}
}

static RsproPdu *
remsim_client_slot_build_hello(RemsimClientSlot *self)
{
	return rspro_pdu_new_connect_client_req(&self->identity, &self->client_slot);
}

static void
remsim_client_slot_unconfigure(RemsimClientSlot *self)
{
	remsim_client_slot_leave_operational(self, REMSIM_CLIENT_SLOT_STATE_UNCONFIGURED);
	rspro_link_stop(self->bankd_link);
}

static void
remsim_client_slot_handle_config_bank(RemsimClientSlot *self, const RsproConfigClientBankReq *req)
{
	g_autofree gchar *host = rspro_ip_port_to_string(&req->bankd);
	gboolean same = self->bankd_host != NULL && g_strcmp0(host, self->bankd_host) == 0 &&
			req->bankd.port == self->bankd_port &&
			req->bank_slot.bank_id == self->bank_slot.bank_id &&
			req->bank_slot.slot_nr == self->bank_slot.slot_nr;

	remsim_log_message(&self->log, "server maps us to bank slot B%u:%u at %s:%u",
			   req->bank_slot.bank_id, req->bank_slot.slot_nr, host, req->bankd.port);
	remsim_client_slot_send(
	    self, self->server_link,
	    rspro_pdu_new_result(RSPRO_MSG_CONFIG_CLIENT_BANK_RES, RSPRO_RESULT_OK));

	/* the server repeats its configuration on every reconnect: a live relay stays up
	 * (upstream drops the card and resets the modem every time) */
	if (same && req->bankd.port != 0 && self->state >= REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD) {
		remsim_client_slot_script(self, "event-config-bankd");
		return;
	}
	g_free(self->bankd_host);
	self->bankd_host = g_steal_pointer(&host);
	self->bankd_port = req->bankd.port;
	self->bank_slot = req->bank_slot;

	if (req->bankd.port == 0) {
		remsim_client_slot_unconfigure(self);
	} else {
		g_autoptr(RsproPdu) hello = remsim_client_slot_build_hello(self);

		remsim_client_slot_leave_operational(self, REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD);
		rspro_link_stop(self->bankd_link);
		rspro_link_set_hello(self->bankd_link, hello);
		rspro_link_set_target(self->bankd_link, self->bankd_host, self->bankd_port);
		rspro_link_start(self->bankd_link);
	}
	remsim_client_slot_changed(self);
	remsim_client_slot_script(self, "event-config-bankd");
}

static void
remsim_client_slot_handle_config_client_id(RemsimClientSlot *self,
					   const RsproConfigClientIdReq *req)
{
	g_autoptr(RsproPdu) hello = NULL;

	self->client_slot = req->client_slot;
	remsim_client_slot_set_log_tag(self);
	hello = remsim_client_slot_build_hello(self);
	rspro_link_set_hello(self->server_link, hello);
	rspro_link_set_hello(self->bankd_link, hello);
	remsim_client_slot_send(
	    self, self->server_link,
	    rspro_pdu_new_result(RSPRO_MSG_CONFIG_CLIENT_ID_RES, RSPRO_RESULT_OK));
	remsim_client_slot_changed(self);
}

static void
remsim_client_slot_server_message_cb(RsproLink *link, RsproPdu *pdu, gpointer user_data)
{
	RemsimClientSlot *self = user_data;

	switch (pdu->type) {
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		remsim_client_slot_handle_config_bank(self, &pdu->u.config_client_bank_req);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		remsim_client_slot_handle_config_client_id(self, &pdu->u.config_client_id_req);
		break;
	case RSPRO_MSG_RESET_STATE_REQ:
		/* forget the bank, as a configuration with port 0 does */
		remsim_log_message(&self->log, "server resets our state");
		remsim_client_slot_send(
		    self, link, rspro_pdu_new_result(RSPRO_MSG_RESET_STATE_RES, RSPRO_RESULT_OK));
		g_clear_pointer(&self->bankd_host, g_free);
		self->bankd_port = 0;
		self->bank_slot = (RsproBankSlot){ 0, 0 };
		remsim_client_slot_unconfigure(self);
		remsim_client_slot_changed(self);
		break;
	default:
		remsim_log_message(&self->log, "unexpected %s from the server ignored",
				   rspro_msg_type_to_string(pdu->type));
		break;
	}
}

static void
remsim_client_slot_server_connected_cb(RsproLink *link, RsproConnection *conn, gpointer user_data)
{
	RemsimClientSlot *self = user_data;

	remsim_log_message(&self->log, "connected to the server %s",
			   rspro_connection_get_peer_name(conn));
	self->counters.server_connects++;
	if (self->state == REMSIM_CLIENT_SLOT_STATE_INIT)
		remsim_client_slot_set_state(self, REMSIM_CLIENT_SLOT_STATE_UNCONFIGURED);
	remsim_client_slot_script(self, "event-server-connect");
}

static void
remsim_client_slot_server_disconnected_cb(RsproLink *link, GError *reason, gpointer user_data)
{
	RemsimClientSlot *self = user_data;

	/* the bank link is on its own: the relay goes on */
	remsim_log_message(&self->log, "lost the server: %s", reason ? reason->message : "?");
}

static void
remsim_client_slot_handle_set_atr(RemsimClientSlot *self, RsproLink *link,
				  const RsproSetAtrReq *req)
{
	if (!self->settings.atr_ignore_rspro && req->atr != NULL &&
	    g_bytes_get_size(req->atr) > 0) {
		remsim_client_frontend_set_atr(self->frontend, req->atr);
		remsim_client_slot_changed(self);
	}
	remsim_client_slot_send(self, link,
				rspro_pdu_new_result(RSPRO_MSG_SET_ATR_RES, RSPRO_RESULT_OK));
}

/* a response for another client slot, or from another bank slot, is not the modem's */
static gboolean
remsim_client_slot_check_response(RemsimClientSlot *self, const RsproTpduCardToModem *tpdu)
{
	if (tpdu->to_client_slot.client_id == self->client_slot.client_id &&
	    tpdu->to_client_slot.slot_nr == self->client_slot.slot_nr &&
	    tpdu->from_bank_slot.bank_id == self->bank_slot.bank_id &&
	    tpdu->from_bank_slot.slot_nr == self->bank_slot.slot_nr)
		return TRUE;
	remsim_log_message(&self->log,
			   "tpduCardToModem from B%u:%u to C%u:%u dropped: we are C%u:%u on B%u:%u",
			   tpdu->from_bank_slot.bank_id, tpdu->from_bank_slot.slot_nr,
			   tpdu->to_client_slot.client_id, tpdu->to_client_slot.slot_nr,
			   self->client_slot.client_id, self->client_slot.slot_nr,
			   self->bank_slot.bank_id, self->bank_slot.slot_nr);
	return FALSE;
}

static void
remsim_client_slot_bankd_message_cb(RsproLink *link, RsproPdu *pdu, gpointer user_data)
{
	RemsimClientSlot *self = user_data;

	switch (pdu->type) {
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		if (pdu->u.tpdu_card_to_modem.data == NULL ||
		    !remsim_client_slot_check_response(self, &pdu->u.tpdu_card_to_modem))
			break;
		self->counters.tpdus_to_modem++;
		self->counters.bytes_to_modem += g_bytes_get_size(pdu->u.tpdu_card_to_modem.data);
		if (self->command_sent != 0) {
			remsim_metrics_histogram_observe(
			    &self->counters.latency, g_get_monotonic_time() - self->command_sent);
			self->command_sent = 0;
		}
		remsim_client_frontend_receive_response(self->frontend,
							pdu->u.tpdu_card_to_modem.data);
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		remsim_client_slot_handle_set_atr(self, link, &pdu->u.set_atr_req);
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		remsim_log_debug(&self->log, "bankSlotStatusInd ignored");
		break;
	default:
		remsim_log_message(&self->log, "unexpected %s from the bank ignored",
				   rspro_msg_type_to_string(pdu->type));
		break;
	}
}

static void
remsim_client_slot_bankd_connected_cb(RsproLink *link, RsproConnection *conn, gpointer user_data)
{
	RemsimClientSlot *self = user_data;

	remsim_log_message(&self->log, "connected to the bank %s",
			   rspro_connection_get_peer_name(conn));
	self->counters.bankd_connects++;
	if (self->state != REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD)
		return;
	remsim_client_slot_enter_operational(self);
	remsim_client_slot_script(self, "event-bankd-connect");
}

static void
remsim_client_slot_bankd_disconnected_cb(RsproLink *link, GError *reason, gpointer user_data)
{
	RemsimClientSlot *self = user_data;

	remsim_log_message(&self->log, "lost the bank: %s", reason ? reason->message : "?");
	if (self->state == REMSIM_CLIENT_SLOT_STATE_OPERATIONAL)
		remsim_client_slot_leave_operational(self, REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD);
}

static void
remsim_client_slot_link_state_cb(GObject *link, GParamSpec *pspec, gpointer user_data)
{
	remsim_client_slot_changed(REMSIM_CLIENT_SLOT(user_data));
}

static void
remsim_client_slot_frontend_command_cb(RemsimClientFrontend *frontend, GBytes *tpdu,
				       gpointer user_data)
{
	RemsimClientSlot *self = user_data;
	gsize len = g_bytes_get_size(tpdu);

	if (self->state != REMSIM_CLIENT_SLOT_STATE_OPERATIONAL || len < REMSIM_TPDU_MIN ||
	    len > REMSIM_TPDU_MAX) {
		self->counters.commands_dropped++;
		remsim_log_message(&self->log, "%zu-byte command dropped (state %s)", len,
				   remsim_client_slot_state_to_string(self->state));
		return;
	}
	self->counters.tpdus_to_card++;
	self->counters.bytes_to_card += len;
	self->command_sent = g_get_monotonic_time();
	remsim_client_slot_send(
	    self, self->bankd_link,
	    rspro_pdu_new_tpdu_modem_to_card(&self->client_slot, &self->bank_slot, tpdu));
}

static gboolean
remsim_client_slot_status_equal(const RsproSlotPhysStatus *a, const RsproSlotPhysStatus *b)
{
	return a->reset_active == b->reset_active && a->has_vcc_present == b->has_vcc_present &&
	       a->vcc_present == b->vcc_present && a->has_clk_active == b->has_clk_active &&
	       a->clk_active == b->clk_active && a->has_card_present == b->has_card_present &&
	       a->card_present == b->card_present;
}

/* a clientSlotStatusInd to the bank */
static void
remsim_client_slot_send_status(RemsimClientSlot *self, const RsproSlotPhysStatus *st)
{
	RsproPdu *pdu = rspro_pdu_new(RSPRO_MSG_CLIENT_SLOT_STATUS_IND);

	pdu->u.client_slot_status_ind.from_client_slot = self->client_slot;
	pdu->u.client_slot_status_ind.to_bank_slot = self->bank_slot;
	pdu->u.client_slot_status_ind.status = *st;
	self->counters.status_indications++;
	remsim_client_slot_send(self, self->bankd_link, pdu);
}

static void
remsim_client_slot_frontend_status_cb(RemsimClientFrontend *frontend, gpointer status,
				      gpointer user_data)
{
	RemsimClientSlot *self = user_data;
	const RsproSlotPhysStatus *st = status;
	gboolean changed =
	    !self->has_status || !remsim_client_slot_status_equal(st, &self->last_status);

	self->last_status = *st;
	self->has_status = TRUE;
	if (changed)
		remsim_client_slot_changed(self);
	if (self->state != REMSIM_CLIENT_SLOT_STATE_OPERATIONAL)
		return;
	remsim_client_slot_send_status(self, st);
	/* upstream runs it only when nothing changed, which looks unintended */
	if (changed)
		remsim_client_slot_script(self, "event-modem-status");
}

gboolean
remsim_client_slot_start(RemsimClientSlot *self, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CLIENT_SLOT(self), FALSE);
	if (self->started)
		return TRUE;
	if (!remsim_client_frontend_start(self->frontend, error))
		return FALSE;
	self->started = TRUE;
	rspro_link_set_target(self->server_link, self->settings.server_host,
			      self->settings.server_port);
	rspro_link_start(self->server_link);
	return TRUE;
}

void
remsim_client_slot_stop(RemsimClientSlot *self)
{
	g_return_if_fail(REMSIM_IS_CLIENT_SLOT(self));
	if (!self->started)
		return;
	self->started = FALSE;
	rspro_link_stop(self->bankd_link);
	rspro_link_stop(self->server_link);
	remsim_client_frontend_stop(self->frontend);
}

gboolean
remsim_client_slot_reset_card(RemsimClientSlot *self)
{
	/* the modem's lines as last reported, else powered and clocked */
	RsproSlotPhysStatus st = self->last_status;

	g_return_val_if_fail(REMSIM_IS_CLIENT_SLOT(self), FALSE);
	if (self->state != REMSIM_CLIENT_SLOT_STATE_OPERATIONAL)
		return FALSE;
	if (!self->has_status) {
		st = (RsproSlotPhysStatus){ 0 };
		st.has_vcc_present = st.vcc_present = TRUE;
		st.has_clk_active = st.clk_active = TRUE;
	}
	remsim_log_message(&self->log, "the operator resets the card");
	st.reset_active = TRUE;
	remsim_client_slot_send_status(self, &st);
	st.reset_active = FALSE;
	remsim_client_slot_send_status(self, &st);
	return TRUE;
}

void
remsim_client_slot_set_server(RemsimClientSlot *self, const gchar *host, guint16 port)
{
	g_return_if_fail(REMSIM_IS_CLIENT_SLOT(self));
	if (g_strcmp0(host, self->settings.server_host) == 0 && port == self->settings.server_port)
		return;
	remsim_log_message(&self->log, "the server is now %s:%u", host, port);
	g_free(self->settings.server_host);
	self->settings.server_host = g_strdup(host);
	self->settings.server_port = port;
	if (self->started)
		rspro_link_set_target(self->server_link, host, port);
	remsim_client_slot_changed(self);
}

RemsimClientSlotState
remsim_client_slot_get_state(RemsimClientSlot *self)
{
	return self->state;
}

RemsimClientFrontend *
remsim_client_slot_get_frontend(RemsimClientSlot *self)
{
	return self->frontend;
}

const RsproClientSlot *
remsim_client_slot_get_client_slot(RemsimClientSlot *self)
{
	return &self->client_slot;
}

const RsproBankSlot *
remsim_client_slot_get_bank_slot(RemsimClientSlot *self)
{
	return &self->bank_slot;
}

RsproLinkState
remsim_client_slot_get_server_state(RemsimClientSlot *self)
{
	return rspro_link_get_state(self->server_link);
}

RsproLinkState
remsim_client_slot_get_bankd_state(RemsimClientSlot *self)
{
	return rspro_link_get_state(self->bankd_link);
}

gchar *
remsim_client_slot_get_server_address(RemsimClientSlot *self)
{
	return g_strdup_printf("%s:%u", self->settings.server_host, self->settings.server_port);
}

gchar *
remsim_client_slot_get_bankd_address(RemsimClientSlot *self)
{
	return g_strdup_printf("%s:%u", self->bankd_host != NULL ? self->bankd_host : "(null)",
			       self->bankd_port);
}

const RemsimClientSlotCounters *
remsim_client_slot_get_counters(RemsimClientSlot *self)
{
	return &self->counters;
}

static void
remsim_client_slot_dispose(GObject *object)
{
	RemsimClientSlot *self = REMSIM_CLIENT_SLOT(object);

	if (self->server_link != NULL) {
		remsim_client_slot_stop(self);
		g_signal_handlers_disconnect_by_data(self->server_link, self);
		g_signal_handlers_disconnect_by_data(self->bankd_link, self);
		g_signal_handlers_disconnect_by_data(self->frontend, self);
	}
	g_clear_object(&self->server_link);
	g_clear_object(&self->bankd_link);
	g_clear_object(&self->frontend);
	g_clear_object(&self->script);
	G_OBJECT_CLASS(remsim_client_slot_parent_class)->dispose(object);
}

static void
remsim_client_slot_finalize(GObject *object)
{
	RemsimClientSlot *self = REMSIM_CLIENT_SLOT(object);

	remsim_client_slot_settings_clear(&self->settings);
	rspro_component_identity_clear(&self->identity);
	g_free(self->bankd_host);
	G_OBJECT_CLASS(remsim_client_slot_parent_class)->finalize(object);
}

static void
remsim_client_slot_class_init(RemsimClientSlotClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_client_slot_dispose;
	object_class->finalize = remsim_client_slot_finalize;
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
}

static void
remsim_client_slot_init(RemsimClientSlot *self)
{
}

static RsproLink *
remsim_client_slot_new_link(RemsimClientSlot *self, RsproComponentType peer)
{
	g_autoptr(RsproPdu) hello = remsim_client_slot_build_hello(self);
	RsproLink *link = rspro_link_new(hello, peer);

	rspro_link_set_keepalive(link, RSPRO_KEEPALIVE_INTERVAL_MS, RSPRO_KEEPALIVE_TIMEOUT_MS);
	/* a refused dial waits for T2 before the back-off goes on: T2 is the retry pace */
	rspro_link_set_timeouts(link, self->settings.connect_timeout_ms, CLIENT_T1_MS);
	if (self->settings.backoff_scale > 0)
		rspro_link_set_backoff_scale(link, self->settings.backoff_scale);
	rspro_link_set_tls(link,
			   peer == RSPRO_COMPONENT_SERVER ? self->settings.server_tls
							  : self->settings.bankd_tls,
			   self->settings.tls_cert, self->settings.tls_ca);
	g_signal_connect(link, "notify::state", G_CALLBACK(remsim_client_slot_link_state_cb), self);
	return link;
}

RemsimClientSlot *
remsim_client_slot_new(const RemsimClientSlotSettings *settings, RemsimClientFrontend *frontend,
		       RemsimClientEventScript *script)
{
	RemsimClientSlot *self = g_object_new(REMSIM_TYPE_CLIENT_SLOT, NULL);
	static const guint8 default_atr[] = { 0x3b, 0x00 };

	self->settings.server_host = g_strdup(settings->server_host);
	self->settings.server_port = settings->server_port;
	self->settings.client_slot = settings->client_slot;
	self->settings.atr =
	    settings->atr != NULL ? g_bytes_ref(settings->atr) : g_bytes_new_static(default_atr, 2);
	self->settings.atr_ignore_rspro = settings->atr_ignore_rspro;
	self->settings.component_name = g_strdup(settings->component_name);
	self->settings.backoff_scale = settings->backoff_scale;
	self->settings.connect_timeout_ms = settings->connect_timeout_ms
						? settings->connect_timeout_ms
						: REMSIM_BANKD_CLIENT_CONNECT_TIMEOUT_MS;
	self->settings.server_tls = settings->server_tls;
	self->settings.bankd_tls = settings->bankd_tls;
	g_set_object(&self->settings.tls_cert, settings->tls_cert);
	g_set_object(&self->settings.tls_ca, settings->tls_ca);
	self->client_slot = settings->client_slot;
	remsim_client_slot_set_log_tag(self);
	self->frontend = g_object_ref(frontend);
	self->script = script != NULL ? g_object_ref(script) : NULL;
	rspro_component_identity_init(&self->identity, RSPRO_COMPONENT_CLIENT,
				      settings->component_name, REMSIM_CLIENT_SOFTWARE);

	self->server_link = remsim_client_slot_new_link(self, RSPRO_COMPONENT_SERVER);
	g_signal_connect(self->server_link, "connected",
			 G_CALLBACK(remsim_client_slot_server_connected_cb), self);
	g_signal_connect(self->server_link, "disconnected",
			 G_CALLBACK(remsim_client_slot_server_disconnected_cb), self);
	g_signal_connect(self->server_link, "message",
			 G_CALLBACK(remsim_client_slot_server_message_cb), self);
	self->bankd_link = remsim_client_slot_new_link(self, RSPRO_COMPONENT_BANKD);
	g_signal_connect(self->bankd_link, "connected",
			 G_CALLBACK(remsim_client_slot_bankd_connected_cb), self);
	g_signal_connect(self->bankd_link, "disconnected",
			 G_CALLBACK(remsim_client_slot_bankd_disconnected_cb), self);
	g_signal_connect(self->bankd_link, "message",
			 G_CALLBACK(remsim_client_slot_bankd_message_cb), self);

	g_signal_connect(frontend, "command", G_CALLBACK(remsim_client_slot_frontend_command_cb),
			 self);
	g_signal_connect(frontend, "status-changed",
			 G_CALLBACK(remsim_client_slot_frontend_status_cb), self);
	return self;
}
