/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-apdu-case.h"
#include "remsim-frontend-simtrace2.h"
#include "remsim-st2-message.h"
#ifdef HAVE_LIBUSB
#include "remsim-st2-usb.h"
#endif

typedef enum {
	CMD_IDLE,      /* waiting for a TPDU header */
	CMD_RECEIVING, /* procedure byte sent, collecting Lc bytes */
	CMD_AT_CARD,   /* the whole command is on its way to the card */
} CmdState;

struct _RemsimFrontendSimtrace2 {
	RemsimFrontend parent_instance;

	RemsimSt2Transport *transport;
	gint sim_presence;
	gboolean atr_warned;
	guint errors;

	/* the one TPDU in flight (T=0 has no more) */
	CmdState state;
	GByteArray *cmd; /* header + data so far */
	gsize lc;
};

G_DEFINE_FINAL_TYPE(RemsimFrontendSimtrace2, remsim_frontend_simtrace2, REMSIM_TYPE_FRONTEND)

static void
st2_send(RemsimFrontendSimtrace2 *self, GBytes *msg)
{
	g_autoptr(GBytes) owned = msg;

	remsim_st2_transport_send(self->transport, owned);
}

static void
st2_bad_input(RemsimFrontendSimtrace2 *self, const gchar *what)
{
	self->errors++;
	g_message("%s", what);
}

static void
st2_command_complete(RemsimFrontendSimtrace2 *self)
{
	g_autoptr(GBytes) tpdu = g_bytes_new(self->cmd->data, self->cmd->len);

	self->state = CMD_AT_CARD;
	remsim_frontend_emit_command(REMSIM_FRONTEND(self), tpdu);
}

static void
st2_handle_header(RemsimFrontendSimtrace2 *self, const guint8 *data, gsize len)
{
	RemsimApduCase cse;
	guint8 ins;

	if (len != 5) {
		st2_bad_input(self, _("SIMtrace2: a TPDU header that is not 5 bytes long"));
		self->state = CMD_IDLE;
		return;
	}
	/* a new header abandons any unfinished command, as the modem has given up on it */
	g_byte_array_set_size(self->cmd, 0);
	g_byte_array_append(self->cmd, data, 5);
	ins = data[1];
	cse = remsim_apdu_case(data);
	if (cse == REMSIM_APDU_CASE_UNKNOWN) {
		g_info("SIMtrace2: unknown command %02x %02x, sent as case 2", data[0], ins);
		cse = REMSIM_APDU_CASE_2;
	}
	if ((cse == REMSIM_APDU_CASE_3 || cse == REMSIM_APDU_CASE_4) && data[4] > 0) {
		/* ACK with INS: the modem sends all Lc bytes next */
		self->lc = data[4];
		self->state = CMD_RECEIVING;
		st2_send(self, remsim_st2_msg_tx_data(REMSIM_ST2_DATA_PB_AND_RX, &ins, 1));
		return;
	}
	st2_command_complete(self);
}

static void
st2_handle_data(RemsimFrontendSimtrace2 *self, const guint8 *data, gsize len)
{
	if (self->state != CMD_RECEIVING) {
		st2_bad_input(self, _("SIMtrace2: command data without a header"));
		return;
	}
	if (self->cmd->len - 5 + len > self->lc) {
		st2_bad_input(self, _("SIMtrace2: more command data than the header announced"));
		self->state = CMD_IDLE;
		return;
	}
	g_byte_array_append(self->cmd, data, (guint)len);
	if (self->cmd->len - 5 == self->lc)
		st2_command_complete(self);
}

static void
st2_handle_rx_data(RemsimFrontendSimtrace2 *self, const RemsimSt2Msg *msg)
{
	g_autoptr(GError) error = NULL;
	const guint8 *data;
	guint32 flags;
	gsize len;

	if (!remsim_st2_msg_parse_data(msg, &flags, &data, &len, &error)) {
		st2_bad_input(self, error->message);
		return;
	}
	if (flags & REMSIM_ST2_DATA_TPDU_HDR)
		st2_handle_header(self, data, len);
	else
		st2_handle_data(self, data, len);
}

static void
st2_handle_status(RemsimFrontendSimtrace2 *self, const RemsimSt2Msg *msg, gboolean interrupt)
{
	RsproSlotPhysStatus status = { 0 };
	guint32 flags;

	if (msg->payload_len < 4) {
		st2_bad_input(self, _("SIMtrace2: a status report too short for its flags"));
		return;
	}
	if (!interrupt) {
		g_debug("SIMtrace2: status reply ignored");
		return;
	}
	flags = (guint32)msg->payload[0] | (guint32)msg->payload[1] << 8 |
		(guint32)msg->payload[2] << 16 | (guint32)msg->payload[3] << 24;
	status.reset_active = (flags & REMSIM_ST2_STATUS_RESET_ACTIVE) != 0;
	status.has_vcc_present = TRUE;
	status.vcc_present = (flags & REMSIM_ST2_STATUS_VCC_PRESENT) != 0;
	status.has_clk_active = TRUE;
	status.clk_active = (flags & REMSIM_ST2_STATUS_CLK_ACTIVE) != 0;
	/* a reset or power loss ends any command the modem had started */
	if (status.reset_active || !status.vcc_present)
		self->state = CMD_IDLE;
	remsim_frontend_emit_status(REMSIM_FRONTEND(self), &status);
}

static void
st2_handle_msg(RemsimFrontendSimtrace2 *self, const RemsimSt2Msg *msg, gboolean interrupt)
{
	if (msg->msg_class != REMSIM_ST2_CLASS_CARDEM) {
		g_debug("SIMtrace2: message %u/%u ignored", msg->msg_class, msg->msg_type);
		return;
	}
	switch (msg->msg_type) {
	case REMSIM_ST2_CEMU_RX_DATA:
		st2_handle_rx_data(self, msg);
		break;
	case REMSIM_ST2_CEMU_STATUS:
		st2_handle_status(self, msg, interrupt);
		break;
	case REMSIM_ST2_CEMU_PTS:
		g_info("SIMtrace2: the modem negotiated PTS (%zu bytes)", msg->payload_len);
		break;
	case REMSIM_ST2_CEMU_CONFIG:
		g_debug("SIMtrace2: configuration echo");
		break;
	default:
		g_debug("SIMtrace2: message 1/%u ignored", msg->msg_type);
		break;
	}
}

static void
st2_received_cb(RemsimSt2Transport *transport, gboolean interrupt, GBytes *data, gpointer user_data)
{
	RemsimFrontendSimtrace2 *self = user_data;
	g_autoptr(GError) error = NULL;
	gsize len, offset = 0;
	const guint8 *buf = g_bytes_get_data(data, &len);
	RemsimSt2Msg msg;

	/* one message per transfer is the rule, but more must not be lost */
	while (remsim_st2_msg_next(buf, len, &offset, &msg, &error))
		st2_handle_msg(self, &msg, interrupt);
	if (error != NULL)
		st2_bad_input(self, error->message);
}

static void
st2_failed_cb(RemsimSt2Transport *transport, GError *error, gpointer user_data)
{
	remsim_frontend_emit_failed(REMSIM_FRONTEND(user_data), error);
}

static gboolean
st2_start(RemsimFrontend *frontend, GError **error)
{
	RemsimFrontendSimtrace2 *self = REMSIM_FRONTEND_SIMTRACE2(frontend);

	if (!remsim_st2_transport_open(self->transport, error))
		return FALSE;
	st2_send(self, remsim_st2_msg_config(REMSIM_ST2_FEATURE_STATUS_IRQ, self->sim_presence >= 0,
					     self->sim_presence > 0));
	return TRUE;
}

static void
st2_stop(RemsimFrontend *frontend)
{
	remsim_st2_transport_close(REMSIM_FRONTEND_SIMTRACE2(frontend)->transport);
}

static void
st2_set_atr(RemsimFrontend *frontend, GBytes *atr)
{
	RemsimFrontendSimtrace2 *self = REMSIM_FRONTEND_SIMTRACE2(frontend);

	if (g_bytes_get_size(atr) > REMSIM_ST2_ATR_MAX && !self->atr_warned) {
		self->atr_warned = TRUE;
		g_warning(_("SIMtrace2 keeps only %d ATR bytes; the ATR is cut"),
			  REMSIM_ST2_ATR_MAX);
	}
	st2_send(self, remsim_st2_msg_set_atr(atr));
}

/* data…SW1 SW2: the data after INS as procedure byte, then the status word */
static void
st2_receive_response(RemsimFrontend *frontend, GBytes *response)
{
	RemsimFrontendSimtrace2 *self = REMSIM_FRONTEND_SIMTRACE2(frontend);
	gsize len;
	const guint8 *data = g_bytes_get_data(response, &len);
	static const guint8 no_answer[] = { 0x6f, 0x00 };

	if (self->state != CMD_AT_CARD) {
		g_debug("SIMtrace2: response without a command dropped");
		return;
	}
	self->state = CMD_IDLE;
	if (len < 2) {
		g_message(_("SIMtrace2: a %zu-byte response has no status word; answering 6F00"),
			  len);
		data = no_answer;
		len = sizeof(no_answer);
	}
	if (len > 2) {
		g_autoptr(GByteArray) out = g_byte_array_sized_new((guint)len - 1);
		guint8 ins = self->cmd->data[1];

		g_byte_array_append(out, &ins, 1);
		g_byte_array_append(out, data, (guint)len - 2);
		st2_send(self,
			 remsim_st2_msg_tx_data(REMSIM_ST2_DATA_PB_AND_TX, out->data, out->len));
	}
	st2_send(self, remsim_st2_msg_tx_data(REMSIM_ST2_DATA_PB_AND_TX | REMSIM_ST2_DATA_FINAL,
					      data + len - 2, 2));
}

static void
st2_set_card_present(RemsimFrontend *frontend, gboolean present)
{
	st2_send(REMSIM_FRONTEND_SIMTRACE2(frontend),
		 remsim_st2_msg_u8(REMSIM_ST2_CLASS_CARDEM, REMSIM_ST2_CEMU_CARDINSERT,
				   present ? 1 : 0));
}

static void
st2_set_sim_remote(RemsimFrontend *frontend, gboolean remote)
{
	st2_send(
	    REMSIM_FRONTEND_SIMTRACE2(frontend),
	    remsim_st2_msg_u8(REMSIM_ST2_CLASS_MODEM, REMSIM_ST2_MODEM_SIM_SELECT, remote ? 1 : 0));
}

static void
st2_reset_modem(RemsimFrontend *frontend)
{
	st2_send(REMSIM_FRONTEND_SIMTRACE2(frontend),
		 remsim_st2_msg_modem_reset(2, REMSIM_ST2_MODEM_RESET_PULSE_MS));
}

static gchar **
st2_get_script_vars(RemsimFrontend *frontend)
{
	return remsim_st2_transport_get_script_vars(REMSIM_FRONTEND_SIMTRACE2(frontend)->transport);
}

guint
remsim_frontend_simtrace2_get_errors(RemsimFrontendSimtrace2 *self)
{
	return self->errors;
}

static void
remsim_frontend_simtrace2_dispose(GObject *object)
{
	RemsimFrontendSimtrace2 *self = REMSIM_FRONTEND_SIMTRACE2(object);

	if (self->transport != NULL) {
		g_signal_handlers_disconnect_by_data(self->transport, self);
		remsim_st2_transport_close(self->transport);
	}
	g_clear_object(&self->transport);
	G_OBJECT_CLASS(remsim_frontend_simtrace2_parent_class)->dispose(object);
}

static void
remsim_frontend_simtrace2_finalize(GObject *object)
{
	g_byte_array_unref(REMSIM_FRONTEND_SIMTRACE2(object)->cmd);
	G_OBJECT_CLASS(remsim_frontend_simtrace2_parent_class)->finalize(object);
}

static void
remsim_frontend_simtrace2_class_init(RemsimFrontendSimtrace2Class *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	RemsimFrontendClass *frontend_class = REMSIM_FRONTEND_CLASS(klass);

	object_class->dispose = remsim_frontend_simtrace2_dispose;
	object_class->finalize = remsim_frontend_simtrace2_finalize;
	frontend_class->start = st2_start;
	frontend_class->stop = st2_stop;
	frontend_class->set_atr = st2_set_atr;
	frontend_class->receive_response = st2_receive_response;
	frontend_class->set_card_present = st2_set_card_present;
	frontend_class->set_sim_remote = st2_set_sim_remote;
	frontend_class->reset_modem = st2_reset_modem;
	frontend_class->get_script_vars = st2_get_script_vars;
}

static void
remsim_frontend_simtrace2_init(RemsimFrontendSimtrace2 *self)
{
	self->cmd = g_byte_array_new();
}

RemsimFrontend *
remsim_frontend_simtrace2_new_for_transport(RemsimSt2Transport *transport, gint sim_presence)
{
	RemsimFrontendSimtrace2 *self = g_object_new(REMSIM_TYPE_FRONTEND_SIMTRACE2, NULL);

	self->transport = g_object_ref(transport);
	self->sim_presence = sim_presence;
	g_signal_connect(transport, "received", G_CALLBACK(st2_received_cb), self);
	g_signal_connect(transport, "failed", G_CALLBACK(st2_failed_cb), self);
	return REMSIM_FRONTEND(self);
}

RemsimFrontend *
remsim_frontend_simtrace2_new(RemsimClientConfig *config, const gchar *group, GError **error)
{
#ifdef HAVE_LIBUSB
	g_autoptr(RemsimSt2Transport) usb = NULL;
	guint presence = 2;

	usb = remsim_st2_usb_new(config, group, error);
	if (usb == NULL)
		return NULL;
	/* 2 = not given: the firmware keeps its default */
	if (!remsim_client_config_get_uint(config, group, "sim-presence", 2, 0, 2, &presence,
					   error))
		return NULL;
	return remsim_frontend_simtrace2_new_for_transport(usb,
							   presence == 2 ? -1 : (gint)presence);
#else
	g_set_error_literal(error, REMSIM_FRONTEND_ERROR, REMSIM_FRONTEND_ERROR_CONFIG,
			    _("remsim-client was built without libusb: no SIMtrace2 front end"));
	return NULL;
#endif
}
