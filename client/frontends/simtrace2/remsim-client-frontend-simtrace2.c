/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-client-apdu-case.h"
#include "remsim-log.h"
#include "remsim-client-frontend-simtrace2.h"
#include "remsim-client-st2-message.h"
#ifdef HAVE_LIBUSB
#include "remsim-client-st2-usb.h"
#endif

typedef enum {
	CMD_IDLE,      /* waiting for a TPDU header */
	CMD_RECEIVING, /* procedure byte sent, collecting Lc bytes */
	CMD_AT_CARD,   /* the whole command is on its way to the card */
} RemsimClientSimtrace2CmdState;

struct _RemsimClientFrontendSimtrace2 {
	RemsimClientFrontend parent_instance;

	RemsimClientSt2Transport *transport;
	RemsimLogTag log; /* [SIMtrace2] */
	gint sim_presence;
	gboolean atr_warned;
	guint errors;

	/* the one TPDU in flight (T=0 has no more) */
	RemsimClientSimtrace2CmdState state;
	GByteArray *cmd; /* header + data so far */
	gsize lc;
};

G_DEFINE_FINAL_TYPE(RemsimClientFrontendSimtrace2, remsim_client_frontend_simtrace2,
		    REMSIM_TYPE_CLIENT_FRONTEND)

static void
remsim_client_frontend_simtrace2_send(RemsimClientFrontendSimtrace2 *self, GBytes *msg)
{
	g_autoptr(GBytes) owned = msg;

	remsim_client_st2_transport_send(self->transport, owned);
}

static void
remsim_client_frontend_simtrace2_st2_bad_input(RemsimClientFrontendSimtrace2 *self,
					       const gchar *what)
{
	self->errors++;
	remsim_log_message(&self->log, "%s", what);
}

static void
remsim_client_frontend_simtrace2_st2_command_complete(RemsimClientFrontendSimtrace2 *self)
{
	g_autoptr(GBytes) tpdu = g_bytes_new(self->cmd->data, self->cmd->len);

	self->state = CMD_AT_CARD;
	remsim_client_frontend_emit_command(REMSIM_CLIENT_FRONTEND(self), tpdu);
}

static void
remsim_client_frontend_simtrace2_st2_handle_header(RemsimClientFrontendSimtrace2 *self,
						   const guint8 *data, gsize len)
{
	RemsimClientApduCase cse;
	guint8 ins;

	if (len != 5) {
		remsim_client_frontend_simtrace2_st2_bad_input(
		    self, "SIMtrace2: a TPDU header that is not 5 bytes long");
		self->state = CMD_IDLE;
		return;
	}
	/* a new header abandons any unfinished command, as the modem has given up on it */
	g_byte_array_set_size(self->cmd, 0);
	g_byte_array_append(self->cmd, data, 5);
	ins = data[1];
	cse = remsim_client_apdu_case(data);
	if (cse == REMSIM_CLIENT_APDU_CASE_UNKNOWN) {
		remsim_log_info(&self->log, "unknown command %02x %02x, sent as case 2", data[0],
				ins);
		cse = REMSIM_CLIENT_APDU_CASE_2;
	}
	if ((cse == REMSIM_CLIENT_APDU_CASE_3 || cse == REMSIM_CLIENT_APDU_CASE_4) && data[4] > 0) {
		/* ACK with INS: the modem sends all Lc bytes next */
		self->lc = data[4];
		self->state = CMD_RECEIVING;
		remsim_client_frontend_simtrace2_send(
		    self,
		    remsim_client_st2_message_tx_data(REMSIM_CLIENT_ST2_DATA_PB_AND_RX, &ins, 1));
		return;
	}
	remsim_client_frontend_simtrace2_st2_command_complete(self);
}

static void
remsim_client_frontend_simtrace2_st2_handle_data(RemsimClientFrontendSimtrace2 *self,
						 const guint8 *data, gsize len)
{
	if (self->state != CMD_RECEIVING) {
		remsim_client_frontend_simtrace2_st2_bad_input(
		    self, "SIMtrace2: command data without a header");
		return;
	}
	if (self->cmd->len - 5 + len > self->lc) {
		remsim_client_frontend_simtrace2_st2_bad_input(
		    self, "SIMtrace2: more command data than the header announced");
		self->state = CMD_IDLE;
		return;
	}
	g_byte_array_append(self->cmd, data, (guint)len);
	if (self->cmd->len - 5 == self->lc)
		remsim_client_frontend_simtrace2_st2_command_complete(self);
}

static void
remsim_client_frontend_simtrace2_st2_handle_rx_data(RemsimClientFrontendSimtrace2 *self,
						    const RemsimClientSt2Msg *msg)
{
	g_autoptr(GError) error = NULL;
	const guint8 *data;
	guint32 flags;
	gsize len;

	if (!remsim_client_st2_message_parse_data(msg, &flags, &data, &len, &error)) {
		remsim_client_frontend_simtrace2_st2_bad_input(self, error->message);
		return;
	}
	if (flags & REMSIM_CLIENT_ST2_DATA_TPDU_HDR)
		remsim_client_frontend_simtrace2_st2_handle_header(self, data, len);
	else
		remsim_client_frontend_simtrace2_st2_handle_data(self, data, len);
}

static void
remsim_client_frontend_simtrace2_st2_handle_status(RemsimClientFrontendSimtrace2 *self,
						   const RemsimClientSt2Msg *msg,
						   gboolean interrupt)
{
	RsproSlotPhysStatus status = { 0 };
	guint32 flags;

	if (msg->payload_len < 4) {
		remsim_client_frontend_simtrace2_st2_bad_input(
		    self, "SIMtrace2: a status report too short for its flags");
		return;
	}
	if (!interrupt) {
		remsim_log_debug(&self->log, "status reply ignored");
		return;
	}
	flags = (guint32)msg->payload[0] | (guint32)msg->payload[1] << 8 |
		(guint32)msg->payload[2] << 16 | (guint32)msg->payload[3] << 24;
	status.reset_active = (flags & REMSIM_CLIENT_ST2_STATUS_RESET_ACTIVE) != 0;
	status.has_vcc_present = TRUE;
	status.vcc_present = (flags & REMSIM_CLIENT_ST2_STATUS_VCC_PRESENT) != 0;
	status.has_clk_active = TRUE;
	status.clk_active = (flags & REMSIM_CLIENT_ST2_STATUS_CLK_ACTIVE) != 0;
	/* a reset or power loss ends any command the modem had started */
	if (status.reset_active || !status.vcc_present)
		self->state = CMD_IDLE;
	remsim_client_frontend_emit_status(REMSIM_CLIENT_FRONTEND(self), &status);
}

static void
remsim_client_frontend_simtrace2_st2_handle_msg(RemsimClientFrontendSimtrace2 *self,
						const RemsimClientSt2Msg *msg, gboolean interrupt)
{
	if (msg->msg_class != REMSIM_CLIENT_ST2_CLASS_CARDEM) {
		remsim_log_debug(&self->log, "message %u/%u ignored", msg->msg_class,
				 msg->msg_type);
		return;
	}
	switch (msg->msg_type) {
	case REMSIM_CLIENT_ST2_CEMU_RX_DATA:
		remsim_client_frontend_simtrace2_st2_handle_rx_data(self, msg);
		break;
	case REMSIM_CLIENT_ST2_CEMU_STATUS:
		remsim_client_frontend_simtrace2_st2_handle_status(self, msg, interrupt);
		break;
	case REMSIM_CLIENT_ST2_CEMU_PTS:
		remsim_log_info(&self->log, "the modem negotiated PTS (%zu bytes)",
				msg->payload_len);
		break;
	case REMSIM_CLIENT_ST2_CEMU_CONFIG:
		remsim_log_debug(&self->log, "configuration echo");
		break;
	default:
		remsim_log_debug(&self->log, "message 1/%u ignored", msg->msg_type);
		break;
	}
}

static void
remsim_client_frontend_simtrace2_st2_received_cb(RemsimClientSt2Transport *transport,
						 gboolean interrupt, GBytes *data,
						 gpointer user_data)
{
	RemsimClientFrontendSimtrace2 *self = user_data;
	g_autoptr(GError) error = NULL;
	gsize len, offset = 0;
	const guint8 *buf = g_bytes_get_data(data, &len);
	RemsimClientSt2Msg msg;

	/* one message per transfer is the rule, but more must not be lost */
	while (remsim_client_st2_message_next(buf, len, &offset, &msg, &error))
		remsim_client_frontend_simtrace2_st2_handle_msg(self, &msg, interrupt);
	if (error != NULL)
		remsim_client_frontend_simtrace2_st2_bad_input(self, error->message);
}

static void
remsim_client_frontend_simtrace2_st2_failed_cb(RemsimClientSt2Transport *transport, GError *error,
					       gpointer user_data)
{
	remsim_client_frontend_emit_failed(REMSIM_CLIENT_FRONTEND(user_data), error);
}

static gboolean
remsim_client_frontend_simtrace2_st2_start(RemsimClientFrontend *frontend, GError **error)
{
	RemsimClientFrontendSimtrace2 *self = REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend);

	if (!remsim_client_st2_transport_open(self->transport, error))
		return FALSE;
	remsim_client_frontend_simtrace2_send(
	    self,
	    remsim_client_st2_message_config(REMSIM_CLIENT_ST2_FEATURE_STATUS_IRQ,
					     self->sim_presence >= 0, self->sim_presence > 0));
	return TRUE;
}

static void
remsim_client_frontend_simtrace2_st2_stop(RemsimClientFrontend *frontend)
{
	remsim_client_st2_transport_close(REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend)->transport);
}

static void
remsim_client_frontend_simtrace2_st2_set_atr(RemsimClientFrontend *frontend, GBytes *atr)
{
	RemsimClientFrontendSimtrace2 *self = REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend);

	if (g_bytes_get_size(atr) > REMSIM_CLIENT_ST2_ATR_MAX && !self->atr_warned) {
		self->atr_warned = TRUE;
		remsim_log_warning(&self->log, "keeps only %d ATR bytes; the ATR is cut",
				   REMSIM_CLIENT_ST2_ATR_MAX);
	}
	remsim_client_frontend_simtrace2_send(self, remsim_client_st2_message_set_atr(atr));
}

/* data…SW1 SW2: the data after INS as procedure byte, then the status word */
static void
remsim_client_frontend_simtrace2_st2_receive_response(RemsimClientFrontend *frontend,
						      GBytes *response)
{
	RemsimClientFrontendSimtrace2 *self = REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend);
	gsize len;
	const guint8 *data = g_bytes_get_data(response, &len);
	static const guint8 no_answer[] = { 0x6f, 0x00 };

	if (self->state != CMD_AT_CARD) {
		remsim_log_debug(&self->log, "response without a command dropped");
		return;
	}
	self->state = CMD_IDLE;
	if (len < 2) {
		remsim_log_message(&self->log,
				   "a %zu-byte response has no status word; answering 6F00", len);
		data = no_answer;
		len = sizeof(no_answer);
	}
	if (len > 2) {
		g_autoptr(GByteArray) out = g_byte_array_sized_new((guint)len - 1);
		guint8 ins = self->cmd->data[1];

		g_byte_array_append(out, &ins, 1);
		g_byte_array_append(out, data, (guint)len - 2);
		remsim_client_frontend_simtrace2_send(
		    self, remsim_client_st2_message_tx_data(REMSIM_CLIENT_ST2_DATA_PB_AND_TX,
							    out->data, out->len));
	}
	remsim_client_frontend_simtrace2_send(
	    self, remsim_client_st2_message_tx_data(REMSIM_CLIENT_ST2_DATA_PB_AND_TX |
							REMSIM_CLIENT_ST2_DATA_FINAL,
						    data + len - 2, 2));
}

static void
remsim_client_frontend_simtrace2_st2_set_card_present(RemsimClientFrontend *frontend,
						      gboolean present)
{
	remsim_client_frontend_simtrace2_send(
	    REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend),
	    remsim_client_st2_message_u8(REMSIM_CLIENT_ST2_CLASS_CARDEM,
					 REMSIM_CLIENT_ST2_CEMU_CARDINSERT, present ? 1 : 0));
}

static void
remsim_client_frontend_simtrace2_st2_set_sim_remote(RemsimClientFrontend *frontend, gboolean remote)
{
	remsim_client_frontend_simtrace2_send(
	    REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend),
	    remsim_client_st2_message_u8(REMSIM_CLIENT_ST2_CLASS_MODEM,
					 REMSIM_CLIENT_ST2_MODEM_SIM_SELECT, remote ? 1 : 0));
}

static void
remsim_client_frontend_simtrace2_st2_reset_modem(RemsimClientFrontend *frontend)
{
	remsim_client_frontend_simtrace2_send(
	    REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend),
	    remsim_client_st2_message_modem_reset(2, REMSIM_CLIENT_ST2_MODEM_RESET_PULSE_MS));
}

static gchar **
remsim_client_frontend_simtrace2_st2_get_script_vars(RemsimClientFrontend *frontend)
{
	return remsim_client_st2_transport_get_script_vars(
	    REMSIM_CLIENT_FRONTEND_SIMTRACE2(frontend)->transport);
}

guint
remsim_client_frontend_simtrace2_get_errors(RemsimClientFrontendSimtrace2 *self)
{
	return self->errors;
}

static void
remsim_client_frontend_simtrace2_dispose(GObject *object)
{
	RemsimClientFrontendSimtrace2 *self = REMSIM_CLIENT_FRONTEND_SIMTRACE2(object);

	if (self->transport != NULL) {
		g_signal_handlers_disconnect_by_data(self->transport, self);
		remsim_client_st2_transport_close(self->transport);
	}
	g_clear_object(&self->transport);
	G_OBJECT_CLASS(remsim_client_frontend_simtrace2_parent_class)->dispose(object);
}

static void
remsim_client_frontend_simtrace2_finalize(GObject *object)
{
	g_byte_array_unref(REMSIM_CLIENT_FRONTEND_SIMTRACE2(object)->cmd);
	G_OBJECT_CLASS(remsim_client_frontend_simtrace2_parent_class)->finalize(object);
}

static void
remsim_client_frontend_simtrace2_class_init(RemsimClientFrontendSimtrace2Class *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	RemsimClientFrontendClass *frontend_class = REMSIM_CLIENT_FRONTEND_CLASS(klass);

	object_class->dispose = remsim_client_frontend_simtrace2_dispose;
	object_class->finalize = remsim_client_frontend_simtrace2_finalize;
	frontend_class->start = remsim_client_frontend_simtrace2_st2_start;
	frontend_class->stop = remsim_client_frontend_simtrace2_st2_stop;
	frontend_class->set_atr = remsim_client_frontend_simtrace2_st2_set_atr;
	frontend_class->receive_response = remsim_client_frontend_simtrace2_st2_receive_response;
	frontend_class->set_card_present = remsim_client_frontend_simtrace2_st2_set_card_present;
	frontend_class->set_sim_remote = remsim_client_frontend_simtrace2_st2_set_sim_remote;
	frontend_class->reset_modem = remsim_client_frontend_simtrace2_st2_reset_modem;
	frontend_class->get_script_vars = remsim_client_frontend_simtrace2_st2_get_script_vars;
}

static void
remsim_client_frontend_simtrace2_init(RemsimClientFrontendSimtrace2 *self)
{
	self->cmd = g_byte_array_new();
}

RemsimClientFrontend *
remsim_client_frontend_simtrace2_new_for_transport(RemsimClientSt2Transport *transport,
						   gint sim_presence)
{
	RemsimClientFrontendSimtrace2 *self =
	    g_object_new(REMSIM_TYPE_CLIENT_FRONTEND_SIMTRACE2, NULL);

	self->transport = g_object_ref(transport);
	remsim_log_tag_set_name(&self->log, "SIMtrace2");
	self->sim_presence = sim_presence;
	g_signal_connect(transport, "received",
			 G_CALLBACK(remsim_client_frontend_simtrace2_st2_received_cb), self);
	g_signal_connect(transport, "failed",
			 G_CALLBACK(remsim_client_frontend_simtrace2_st2_failed_cb), self);
	return REMSIM_CLIENT_FRONTEND(self);
}

RemsimClientFrontend *
remsim_client_frontend_simtrace2_new(RemsimConfig *config, const gchar *group, GError **error)
{
#ifdef HAVE_LIBUSB
	g_autoptr(RemsimClientSt2Transport) usb = remsim_client_st2_usb_new(config, group);
	gint presence = remsim_config_get_int(config, group, "sim-presence");

	/* 2, or not given (-1): the firmware keeps its default */
	return remsim_client_frontend_simtrace2_new_for_transport(usb,
								  presence == 2 ? -1 : presence);
#else
	g_set_error_literal(error, REMSIM_CLIENT_FRONTEND_ERROR,
			    REMSIM_CLIENT_FRONTEND_ERROR_CONFIG,
			    _("remsim-client was built without libusb: no SIMtrace2 front end"));
	return NULL;
#endif
}
