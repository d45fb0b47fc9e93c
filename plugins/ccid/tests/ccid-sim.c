/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CCID device simulator: see ccid-sim.h. */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ccid-sim.h"
#include "remsim-ccid-message.h"
#include "remsim-ccid-t0.h"
#include "remsim-ccid-t1.h"
#include "remsim-ccid-wire.h"

#define SIM_MAX_SLOTS 8

typedef struct {
	RemsimSimcardCard *card;
	guint protocol;
	guint8 classes;
	gboolean powered;
	/* extended APDU level: the command being chained, the answer left to send */
	GByteArray *command;
	GBytes *answer_left;
	/* T=1, the card's side */
	guint8 card_ns, host_ns;
	guint ifsd;
	GByteArray *t1_command;
	GBytes *t1_answer; /* left to send */
	GBytes *t1_last;
	gboolean t1_wtx_sent;
} SimSlot;

typedef struct {
	guint32 tag;
	guint32 max;
} SimRequest;

typedef struct {
	guint n;
	CcidSimDeviceSpec spec;
	gchar *usb_path, *manufacturer, *product_name, *serial;
	gboolean plugged;
	SimSlot slots[SIM_MAX_SLOTS];
	GQueue bulk_in;	 /* GBytes to send */
	GQueue int_in;	 /* GBytes to send */
	GQueue bulk_req; /* SimRequest */
	GQueue int_req;	 /* SimRequest */
	CcidSimFault fault;
	guint8 fault_error;
	guint time_extensions;
	guint8 wtx;
	gboolean hold;
	GQueue held; /* GBytes: whole XfrBlock commands */
	guint counts[256];
	GString *power_selects;
} SimDevice;

struct _CcidSim {
	gchar *path;
	GSocketService *service;
	GSocketConnection *conn;
	GCancellable *cancellable;
	GByteArray *in;
	guint8 chunk[16384]; /* one read */
	GQueue out;	     /* GBytes: frames to write */
	gboolean writing;
	GPtrArray *devices;
};

static void sim_send_frame(CcidSim *sim, guint8 op, guint8 status, guint device, guint32 tag,
			   GBytes *data);
static void sim_process_xfr(CcidSim *sim, SimDevice *d, const RemsimCcidMessage *m);

/* --- frames to the host --- */

static void sim_write_next(CcidSim *sim);

static void
sim_write_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CcidSim *sim = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
		/* the host went away; the read side notices */
		return;
	}
	g_bytes_unref(g_queue_pop_head(&sim->out));
	sim->writing = FALSE;
	sim_write_next(sim);
}

static void
sim_write_next(CcidSim *sim)
{
	GBytes *next = g_queue_peek_head(&sim->out);

	if (sim->writing || next == NULL || sim->conn == NULL)
		return;
	sim->writing = TRUE;
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(sim->conn)),
					g_bytes_get_data(next, NULL), g_bytes_get_size(next),
					G_PRIORITY_DEFAULT, sim->cancellable, sim_write_ready, sim);
}

static void
sim_send_frame(CcidSim *sim, guint8 op, guint8 status, guint device, guint32 tag, GBytes *data)
{
	RemsimCcidWireFrame f = { op, status, (guint16)device, tag, 0, data };
	GBytes *bytes;

	if (sim->conn == NULL)
		return;
	bytes = remsim_ccid_wire_encode(&f);
	if (!sim->writing && g_queue_is_empty(&sim->out)) {
		GPollableOutputStream *out =
		    G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(G_IO_STREAM(sim->conn)));
		gsize len = g_bytes_get_size(bytes);
		gssize n = g_pollable_output_stream_write_nonblocking(
		    out, g_bytes_get_data(bytes, NULL), len, NULL, NULL);

		if (n == (gssize)len) {
			g_bytes_unref(bytes);
			return;
		}
		if (n > 0) {
			GBytes *rest = g_bytes_new_from_bytes(bytes, (gsize)n, len - (gsize)n);

			g_bytes_unref(bytes);
			bytes = rest;
		}
	}
	g_queue_push_tail(&sim->out, bytes);
	sim_write_next(sim);
}

static void
sim_announce(CcidSim *sim, SimDevice *d)
{
	RemsimCcidDescriptor desc = {
		.bcd_ccid = 0x0110,
		.max_slot_index = (guint8)(d->spec.n_slots - 1),
		.voltage_support = d->spec.voltages,
		.protocols = 0x3,
		.default_clock = 4000,
		.maximum_clock = 20000,
		.data_rate = 10752,
		.max_data_rate = 500000,
		.max_ifsd = 254,
		.features = d->spec.features,
		.max_message_length = d->spec.max_message_length,
		.class_get_response = 0xff,
		.class_envelope = 0xff,
		.max_busy_slots = d->spec.max_busy_slots,
	};
	static const guint32 levels[] = { 0, REMSIM_CCID_FEATURE_LEVEL_TPDU,
					  REMSIM_CCID_FEATURE_LEVEL_SHORT_APDU,
					  REMSIM_CCID_FEATURE_LEVEL_EXTENDED_APDU };
	g_autoptr(GBytes) extra = NULL;
	g_autoptr(GBytes) blob = NULL;
	RemsimCcidDeviceInfo info = { 0 };

	desc.features |= levels[d->spec.level];
	extra = remsim_ccid_descriptor_build(&desc);
	info.vendor = d->spec.vendor;
	info.product = d->spec.product;
	info.usb_path = d->usb_path;
	info.interface_class = d->spec.interface_class ? d->spec.interface_class : 0x0b;
	info.i_manufacturer = d->manufacturer ? 1 : 0;
	info.i_product = d->product_name ? 2 : 0;
	info.i_serial = d->serial ? 3 : 0;
	info.has_interrupt = !d->spec.no_interrupt;
	info.extra = extra;
	blob = remsim_ccid_wire_encode_device(&info);
	sim_send_frame(sim, REMSIM_CCID_WIRE_DEVICE_ADDED, 0, d->n, 0, blob);
}

/* pending IN requests get what is queued */
static void
sim_deliver(CcidSim *sim, SimDevice *d)
{
	GQueue *pairs[2][2] = { { &d->bulk_in, &d->bulk_req }, { &d->int_in, &d->int_req } };

	for (guint k = 0; k < 2; k++) {
		while (!g_queue_is_empty(pairs[k][0]) && !g_queue_is_empty(pairs[k][1])) {
			g_autoptr(GBytes) data = g_queue_pop_head(pairs[k][0]);
			g_autofree SimRequest *req = g_queue_pop_head(pairs[k][1]);

			if (g_bytes_get_size(data) > req->max)
				sim_send_frame(sim, REMSIM_CCID_WIRE_COMPLETE,
					       REMSIM_CCID_WIRE_STATUS_OVERFLOW, d->n, req->tag,
					       NULL);
			else
				sim_send_frame(sim, REMSIM_CCID_WIRE_COMPLETE,
					       REMSIM_CCID_WIRE_STATUS_OK, d->n, req->tag, data);
		}
	}
}

static guint8
sim_icc_status(const SimSlot *s)
{
	return s->card == NULL ? 2 : s->powered ? 0 : 1;
}

/* an answer on the bulk pipe, with the fault the test asked for */
static void
sim_answer(CcidSim *sim, SimDevice *d, guint8 type, guint8 slot, guint8 seq, guint8 status,
	   guint8 error, guint8 param, const guint8 *data, gsize len)
{
	CcidSimFault fault = d->fault;
	g_autoptr(GBytes) msg = NULL;
	guint8 *raw;
	gsize size;

	d->fault = CCID_SIM_FAULT_NONE;
	switch (fault) {
	case CCID_SIM_FAULT_SILENT:
		return;
	case CCID_SIM_FAULT_WRONG_SEQ:
		seq++;
		break;
	case CCID_SIM_FAULT_UNKNOWN_TYPE:
		type = 0x99;
		break;
	case CCID_SIM_FAULT_BAD_SLOT:
		slot = (guint8)(d->spec.n_slots + 3);
		break;
	case CCID_SIM_FAULT_ERROR:
		status = (guint8)(0x40 | (status & 0x03));
		error = d->fault_error;
		len = 0;
		break;
	default:
		break;
	}
	msg = remsim_ccid_message_build(type, slot, seq, status, error, param, data, len);
	raw = g_bytes_unref_to_data(g_steal_pointer(&msg), &size);
	if (fault == CCID_SIM_FAULT_WRONG_LENGTH)
		raw[1]++;
	if (fault == CCID_SIM_FAULT_SHORT_READ)
		size = MIN(size, 7);
	g_queue_push_tail(&d->bulk_in, g_bytes_new_take(raw, size));
}

/* the card: a T=0 engine, given APDUs or TPDUs the way a reader gives them */
static GBytes *
sim_card_apdu(SimSlot *s, const guint8 *apdu, gsize len)
{
	g_autoptr(RemsimCcidT0) t0 = remsim_ccid_t0_new(apdu, len, NULL);
	g_autoptr(GBytes) next = NULL;
	GBytes *out = NULL;

	if (t0 == NULL) {
		static const guint8 wrong_length[] = { 0x67, 0x00 };

		return g_bytes_new(wrong_length, 2);
	}
	next = remsim_ccid_t0_start(t0);
	for (;;) {
		g_autoptr(GBytes) answer = remsim_simcard_card_transmit(s->card, next);
		RemsimCcidT0Step step;

		g_clear_pointer(&next, g_bytes_unref);
		step = remsim_ccid_t0_feed(t0, g_bytes_get_data(answer, NULL),
					   g_bytes_get_size(answer), &out, NULL);
		if (step != REMSIM_CCID_T0_SEND)
			return out;
		next = out;
		out = NULL;
	}
}

static GBytes *
sim_atr(SimSlot *s)
{
	GByteArray *b;
	guint8 x = 0;

	if (s->protocol == 0 && s->classes == 0)
		return remsim_simcard_card_get_atr(s->card);
	b = g_byte_array_new();
	if (s->protocol == 1 && s->classes == 0)
		g_byte_array_append(b, (const guint8 *)"\x3b\x80\x81\x31\xfe\x45", 6);
	else if (s->protocol == 1)
		g_byte_array_append(b, (const guint8 *)"\x3b\x80\x81\xb1\xfe\x45\x1f", 7);
	else
		g_byte_array_append(b, (const guint8 *)"\x3b\x80\x80\x1f", 4);
	if (s->classes != 0)
		g_byte_array_append(b, &s->classes, 1);
	for (guint i = 1; i < b->len; i++)
		x ^= b->data[i];
	g_byte_array_append(b, &x, 1);
	return g_byte_array_free_to_bytes(b);
}

static void
sim_power_on(CcidSim *sim, SimDevice *d, SimSlot *s, const RemsimCcidMessage *m)
{
	static const guint8 class_of[] = { 0, 0x01, 0x02, 0x04 };
	guint8 select = m->b7;
	g_autoptr(GBytes) atr = NULL;

	g_string_append_printf(d->power_selects, "%u", select);
	if (s->card == NULL) {
		sim_answer(sim, d, 0x80, m->slot, m->seq, 0x42, 0xfe, 0, NULL, 0);
		return;
	}
	if (select > 3 || (select != 0 && s->classes != 0 && !(s->classes & class_of[select]))) {
		/* the card stays mute at a voltage it does not take */
		s->powered = FALSE;
		sim_answer(sim, d, 0x80, m->slot, m->seq, 0x41, 0xfe, 0, NULL, 0);
		return;
	}
	remsim_simcard_card_reset(s->card);
	s->powered = TRUE;
	s->card_ns = s->host_ns = 0;
	s->ifsd = 32;
	g_clear_pointer(&s->answer_left, g_bytes_unref);
	g_clear_pointer(&s->t1_answer, g_bytes_unref);
	g_byte_array_set_size(s->t1_command, 0);
	g_byte_array_set_size(s->command, 0);
	atr = sim_atr(s);
	sim_answer(sim, d, 0x80, m->slot, m->seq, 0x00, 0, 0, g_bytes_get_data(atr, NULL),
		   g_bytes_get_size(atr));
}

static void
sim_process_command(CcidSim *sim, SimDevice *d, const guint8 *buf, gsize len)
{
	RemsimCcidMessage m;
	SimSlot *s;

	if (!remsim_ccid_message_parse(buf, len, &m, NULL))
		return;
	d->counts[m.type]++;
	if (m.slot >= d->spec.n_slots) {
		guint8 type = remsim_ccid_message_answer_type(m.type);

		sim_answer(sim, d, type != 0 ? type : 0x81, m.slot, m.seq, 0x42, 0x05, 0, NULL, 0);
		return;
	}
	s = &d->slots[m.slot];
	switch (m.type) {
	case REMSIM_CCID_PC_TO_RDR_ICC_POWER_ON:
		sim_power_on(sim, d, s, &m);
		break;
	case REMSIM_CCID_PC_TO_RDR_ICC_POWER_OFF:
		s->powered = FALSE;
		sim_answer(sim, d, 0x81, m.slot, m.seq, sim_icc_status(s), 0, 0, NULL, 0);
		break;
	case REMSIM_CCID_PC_TO_RDR_GET_SLOT_STATUS:
		sim_answer(sim, d, 0x81, m.slot, m.seq, sim_icc_status(s), 0, 0, NULL, 0);
		break;
	case REMSIM_CCID_PC_TO_RDR_SET_PARAMETERS:
	case REMSIM_CCID_PC_TO_RDR_GET_PARAMETERS:
		if (s->card == NULL)
			sim_answer(sim, d, 0x82, m.slot, m.seq, 0x42, 0xfe, 0, NULL, 0);
		else
			sim_answer(sim, d, 0x82, m.slot, m.seq, sim_icc_status(s), 0,
				   (guint8)s->protocol, m.data, m.len);
		break;
	case REMSIM_CCID_PC_TO_RDR_XFR_BLOCK:
		if (d->hold) {
			g_queue_push_tail(&d->held, g_bytes_new(buf, len));
			return;
		}
		sim_process_xfr(sim, d, &m);
		break;
	default:
		sim_answer(sim, d, 0x81, m.slot, m.seq, (guint8)(0x40 | sim_icc_status(s)), 0x00, 0,
			   NULL, 0);
	}
}

/* extended APDU level: an answer longer than a message goes in parts */
static void
sim_send_apdu_answer(CcidSim *sim, SimDevice *d, SimSlot *s, const RemsimCcidMessage *m,
		     GBytes *answer, gboolean first)
{
	gsize room = d->spec.max_message_length - REMSIM_CCID_HEADER_SIZE;
	gsize len = g_bytes_get_size(answer);
	gsize n = MIN(len, room);
	guint8 param;

	if (n == len)
		param = first ? REMSIM_CCID_CHAIN_WHOLE : REMSIM_CCID_CHAIN_END;
	else
		param = first ? REMSIM_CCID_CHAIN_BEGIN : REMSIM_CCID_CHAIN_MIDDLE;
	g_clear_pointer(&s->answer_left, g_bytes_unref);
	if (n < len)
		s->answer_left = g_bytes_new_from_bytes(answer, n, len - n);
	sim_answer(sim, d, 0x80, m->slot, m->seq, 0, 0, param, g_bytes_get_data(answer, NULL), n);
}

static void
sim_xfr_apdu(CcidSim *sim, SimDevice *d, SimSlot *s, const RemsimCcidMessage *m)
{
	guint16 level = (guint16)(m->b8 | m->b9 << 8);
	g_autoptr(GBytes) answer = NULL;

	if (level == REMSIM_CCID_CHAIN_CONTINUE) {
		g_autoptr(GBytes) left = g_steal_pointer(&s->answer_left);

		if (left == NULL)
			sim_answer(sim, d, 0x80, m->slot, m->seq, 0x40, 0x08, 0, NULL, 0);
		else
			sim_send_apdu_answer(sim, d, s, m, left, FALSE);
		return;
	}
	if (level == REMSIM_CCID_CHAIN_BEGIN)
		g_byte_array_set_size(s->command, 0);
	g_byte_array_append(s->command, m->data, (guint)m->len);
	if (level == REMSIM_CCID_CHAIN_BEGIN || level == REMSIM_CCID_CHAIN_MIDDLE) {
		sim_answer(sim, d, 0x80, m->slot, m->seq, 0, 0, REMSIM_CCID_CHAIN_CONTINUE, NULL,
			   0);
		return;
	}
	answer = sim_card_apdu(s, s->command->data, s->command->len);
	g_byte_array_set_size(s->command, 0);
	sim_send_apdu_answer(sim, d, s, m, answer, TRUE);
}

static void
sim_t1_send(CcidSim *sim, SimDevice *d, SimSlot *s, const RemsimCcidMessage *m, GBytes *block)
{
	g_clear_pointer(&s->t1_last, g_bytes_unref);
	s->t1_last = g_bytes_ref(block);
	sim_answer(sim, d, 0x80, m->slot, m->seq, 0, 0, 0, g_bytes_get_data(block, NULL),
		   g_bytes_get_size(block));
}

/* the next I-block of the card's answer */
static void
sim_t1_send_answer(CcidSim *sim, SimDevice *d, SimSlot *s, const RemsimCcidMessage *m)
{
	g_autoptr(GBytes) all = g_steal_pointer(&s->t1_answer);
	gsize len = g_bytes_get_size(all), n = MIN(len, s->ifsd);
	guint8 pcb = (guint8)((s->card_ns ? REMSIM_CCID_T1_I_NS : 0) |
			      (n < len ? REMSIM_CCID_T1_I_MORE : 0));
	g_autoptr(GBytes) block =
	    remsim_ccid_t1_build_block(0, pcb, g_bytes_get_data(all, NULL), n, FALSE);

	if (n < len)
		s->t1_answer = g_bytes_new_from_bytes(all, n, len - n);
	s->card_ns ^= 1;
	sim_t1_send(sim, d, s, m, block);
}

static void
sim_xfr_t1(CcidSim *sim, SimDevice *d, SimSlot *s, const RemsimCcidMessage *m)
{
	RemsimCcidT1Block b;
	g_autoptr(GBytes) reply = NULL;

	if (!remsim_ccid_t1_parse_block(m->data, m->len, FALSE, &b, NULL)) {
		reply = remsim_ccid_t1_build_block(
		    0, (guint8)(REMSIM_CCID_T1_R | (s->host_ns ? REMSIM_CCID_T1_R_NR : 0) | 1),
		    NULL, 0, FALSE);
		sim_t1_send(sim, d, s, m, reply);
		return;
	}
	if ((b.pcb & 0x80) == 0) {
		g_byte_array_append(s->t1_command, b.inf, (guint)b.len);
		s->host_ns ^= 1;
		if (b.pcb & REMSIM_CCID_T1_I_MORE) {
			reply = remsim_ccid_t1_build_block(
			    0, (guint8)(REMSIM_CCID_T1_R | (s->host_ns ? REMSIM_CCID_T1_R_NR : 0)),
			    NULL, 0, FALSE);
			sim_t1_send(sim, d, s, m, reply);
			return;
		}
		s->t1_answer = sim_card_apdu(s, s->t1_command->data, s->t1_command->len);
		g_byte_array_set_size(s->t1_command, 0);
		if (d->wtx > 0) {
			reply = remsim_ccid_t1_build_block(0, 0xc3, &d->wtx, 1, FALSE);
			sim_t1_send(sim, d, s, m, reply);
			return;
		}
		sim_t1_send_answer(sim, d, s, m);
		return;
	}
	if ((b.pcb & 0xc0) == REMSIM_CCID_T1_R) {
		/* the host acknowledges our chained block: the next one */
		if (s->t1_answer != NULL && ((b.pcb & REMSIM_CCID_T1_R_NR) ? 1 : 0) == s->card_ns) {
			sim_t1_send_answer(sim, d, s, m);
		} else if (s->t1_last != NULL) {
			sim_answer(sim, d, 0x80, m->slot, m->seq, 0, 0, 0,
				   g_bytes_get_data(s->t1_last, NULL),
				   g_bytes_get_size(s->t1_last));
		}
		return;
	}
	if (b.pcb == 0xc1 && b.len == 1) {
		s->ifsd = b.inf[0];
		reply = remsim_ccid_t1_build_block(0, 0xe1, b.inf, 1, FALSE);
		sim_t1_send(sim, d, s, m, reply);
		return;
	}
	if (b.pcb == 0xe3 && s->t1_answer != NULL) {
		sim_t1_send_answer(sim, d, s, m);
		return;
	}
	reply = remsim_ccid_t1_build_block(0, 0xc2, NULL, 0, FALSE);
	sim_t1_send(sim, d, s, m, reply);
}

static void
sim_process_xfr(CcidSim *sim, SimDevice *d, const RemsimCcidMessage *m)
{
	SimSlot *s = &d->slots[m->slot];

	if (s->card == NULL || !s->powered) {
		sim_answer(sim, d, 0x80, m->slot, m->seq, (guint8)(0x40 | sim_icc_status(s)), 0xfe,
			   0, NULL, 0);
		return;
	}
	for (guint i = 0; i < d->time_extensions; i++)
		g_queue_push_tail(&d->bulk_in, remsim_ccid_message_build(0x80, m->slot, m->seq,
									 0x80, 0x01, 0, NULL, 0));
	if (d->spec.level != REMSIM_CCID_LEVEL_TPDU) {
		sim_xfr_apdu(sim, d, s, m);
	} else if (s->protocol == 1) {
		sim_xfr_t1(sim, d, s, m);
	} else {
		g_autoptr(GBytes) tpdu = g_bytes_new(m->data, m->len);
		g_autoptr(GBytes) answer = remsim_simcard_card_transmit(s->card, tpdu);

		sim_answer(sim, d, 0x80, m->slot, m->seq, 0, 0, 0, g_bytes_get_data(answer, NULL),
			   g_bytes_get_size(answer));
	}
}

/* --- GET_DESCRIPTOR(string) on the control pipe --- */

static GBytes *
sim_string(SimDevice *d, guint index)
{
	const gchar *texts[] = { NULL, d->manufacturer, d->product_name, d->serial };
	GByteArray *b;

	if (index == 0) {
		static const guint8 langs[] = { 4, 3, 0x09, 0x04 };

		return g_bytes_new(langs, sizeof(langs));
	}
	if (index >= G_N_ELEMENTS(texts) || texts[index] == NULL)
		return NULL;
	b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)"\0\3", 2);
	for (const gchar *p = texts[index]; *p != '\0'; p++) {
		guint8 unit[2] = { (guint8)*p, 0 };

		g_byte_array_append(b, unit, 2);
	}
	b->data[0] = (guint8)b->len;
	return g_byte_array_free_to_bytes(b);
}

/* --- frames from the host --- */

static SimDevice *
sim_device(CcidSim *sim, guint n)
{
	return n < sim->devices->len ? sim->devices->pdata[n] : NULL;
}

/* a device the test made */
static SimDevice *
sim_get(CcidSim *sim, guint n)
{
	g_assert_cmpuint(n, <, sim->devices->len);
	return sim->devices->pdata[n];
}

static void
sim_drop_request(GQueue *q, guint32 tag)
{
	for (GList *l = q->head; l != NULL; l = l->next) {
		SimRequest *r = l->data;

		if (r->tag == tag) {
			g_free(r);
			g_queue_delete_link(q, l);
			return;
		}
	}
}

static void
sim_on_frame(CcidSim *sim, const RemsimCcidWireFrame *f)
{
	SimDevice *d = sim_device(sim, f->device);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(f->data, &len);
	SimRequest *req;

	if (d == NULL || !d->plugged) {
		if (f->op != REMSIM_CCID_WIRE_CANCEL && f->op != REMSIM_CCID_WIRE_CLOSE &&
		    f->op != REMSIM_CCID_WIRE_OPEN)
			sim_send_frame(sim, REMSIM_CCID_WIRE_COMPLETE,
				       REMSIM_CCID_WIRE_STATUS_NO_DEVICE, f->device, f->tag, NULL);
		return;
	}
	switch (f->op) {
	case REMSIM_CCID_WIRE_BULK_OUT:
		sim_send_frame(sim, REMSIM_CCID_WIRE_COMPLETE, 0, d->n, f->tag, NULL);
		sim_process_command(sim, d, data, len);
		break;
	case REMSIM_CCID_WIRE_BULK_IN:
	case REMSIM_CCID_WIRE_INTERRUPT_IN:
		req = g_new0(SimRequest, 1);
		req->tag = f->tag;
		req->max = f->value;
		g_queue_push_tail(f->op == REMSIM_CCID_WIRE_BULK_IN ? &d->bulk_req : &d->int_req,
				  req);
		break;
	case REMSIM_CCID_WIRE_CONTROL: {
		g_autoptr(GBytes) s = NULL;

		if (len >= 8 && data[0] == 0x80 && data[1] == 0x06 && data[3] == 0x03)
			s = sim_string(d, data[2]);
		sim_send_frame(sim, REMSIM_CCID_WIRE_COMPLETE,
			       s != NULL ? REMSIM_CCID_WIRE_STATUS_OK
					 : REMSIM_CCID_WIRE_STATUS_STALL,
			       d->n, f->tag, s);
		break;
	}
	case REMSIM_CCID_WIRE_CANCEL:
		sim_drop_request(&d->bulk_req, f->tag);
		sim_drop_request(&d->int_req, f->tag);
		break;
	case REMSIM_CCID_WIRE_CLOSE:
		g_queue_clear_full(&d->bulk_req, g_free);
		g_queue_clear_full(&d->int_req, g_free);
		break;
	default:
		break;
	}
	sim_deliver(sim, d);
}

static void sim_read(CcidSim *sim);

static void
sim_drop_host(CcidSim *sim)
{
	g_cancellable_cancel(sim->cancellable);
	g_clear_object(&sim->cancellable);
	sim->cancellable = g_cancellable_new();
	g_clear_object(&sim->conn);
	g_byte_array_set_size(sim->in, 0);
	g_queue_clear_full(&sim->out, (GDestroyNotify)g_bytes_unref);
	sim->writing = FALSE;
	for (guint i = 0; i < sim->devices->len; i++) {
		SimDevice *d = sim->devices->pdata[i];

		g_queue_clear_full(&d->bulk_req, g_free);
		g_queue_clear_full(&d->int_req, g_free);
		g_queue_clear_full(&d->bulk_in, (GDestroyNotify)g_bytes_unref);
	}
}

static void
sim_read_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CcidSim *sim = user_data;
	g_autoptr(GError) error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
	RemsimCcidWireFrame f = { 0 };

	if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (n <= 0) {
		sim_drop_host(sim);
		return;
	}
	g_byte_array_append(sim->in, sim->chunk, (guint)n);
	while (sim->conn != NULL && remsim_ccid_wire_next(sim->in, &f, &error)) {
		sim_on_frame(sim, &f);
		remsim_ccid_wire_clear(&f);
	}
	if (error != NULL) {
		sim_drop_host(sim);
		return;
	}
	if (sim->conn != NULL)
		sim_read(sim);
}

static void
sim_read(CcidSim *sim)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(sim->conn)), sim->chunk,
				  sizeof(sim->chunk), G_PRIORITY_DEFAULT, sim->cancellable,
				  sim_read_ready, sim);
}

static gboolean
sim_incoming_cb(GSocketService *service, GSocketConnection *conn, GObject *source,
		gpointer user_data)
{
	CcidSim *sim = user_data;

	/* one host at a time: a new one replaces the old */
	sim_drop_host(sim);
	sim->conn = g_object_ref(conn);
	sim_read(sim);
	for (guint i = 0; i < sim->devices->len; i++) {
		SimDevice *d = sim->devices->pdata[i];

		if (d->plugged)
			sim_announce(sim, d);
	}
	return TRUE;
}

CcidSim *
ccid_sim_new(const gchar *socket_path, GError **error)
{
	CcidSim *sim = g_new0(CcidSim, 1);
	g_autoptr(GSocketAddress) address = g_unix_socket_address_new(socket_path);

	sim->path = g_strdup(socket_path);
	sim->in = g_byte_array_new();
	sim->devices = g_ptr_array_new();
	sim->cancellable = g_cancellable_new();
	sim->service = g_socket_service_new();
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(sim->service), address,
					   G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL,
					   NULL, error)) {
		ccid_sim_free(sim);
		return NULL;
	}
	g_signal_connect(sim->service, "incoming", G_CALLBACK(sim_incoming_cb), sim);
	g_socket_service_start(sim->service);
	return sim;
}

static void
sim_device_free(SimDevice *d)
{
	for (guint i = 0; i < SIM_MAX_SLOTS; i++) {
		g_clear_object(&d->slots[i].card);
		g_byte_array_unref(d->slots[i].command);
		g_byte_array_unref(d->slots[i].t1_command);
		g_clear_pointer(&d->slots[i].answer_left, g_bytes_unref);
		g_clear_pointer(&d->slots[i].t1_answer, g_bytes_unref);
		g_clear_pointer(&d->slots[i].t1_last, g_bytes_unref);
	}
	g_queue_clear_full(&d->bulk_in, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&d->int_in, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&d->bulk_req, g_free);
	g_queue_clear_full(&d->int_req, g_free);
	g_queue_clear_full(&d->held, (GDestroyNotify)g_bytes_unref);
	g_string_free(d->power_selects, TRUE);
	g_free(d->usb_path);
	g_free(d->manufacturer);
	g_free(d->product_name);
	g_free(d->serial);
	g_free(d);
}

void
ccid_sim_free(CcidSim *sim)
{
	if (sim == NULL)
		return;
	g_socket_service_stop(sim->service);
	g_socket_listener_close(G_SOCKET_LISTENER(sim->service));
	g_object_unref(sim->service);
	sim_drop_host(sim);
	g_object_unref(sim->cancellable);
	for (guint i = 0; i < sim->devices->len; i++)
		sim_device_free(sim->devices->pdata[i]);
	g_ptr_array_unref(sim->devices);
	g_byte_array_unref(sim->in);
	g_unlink(sim->path);
	g_free(sim->path);
	g_free(sim);
}

guint
ccid_sim_add_device(CcidSim *sim, const CcidSimDeviceSpec *spec)
{
	SimDevice *d = g_new0(SimDevice, 1);

	d->n = sim->devices->len;
	d->spec = *spec;
	d->spec.n_slots = CLAMP(spec->n_slots, 1, SIM_MAX_SLOTS);
	if (d->spec.max_message_length == 0)
		d->spec.max_message_length = 271;
	if (d->spec.max_busy_slots == 0)
		d->spec.max_busy_slots = 1;
	d->usb_path =
	    spec->usb_path != NULL ? g_strdup(spec->usb_path) : g_strdup_printf("1-%u", d->n + 1);
	d->manufacturer = g_strdup(spec->manufacturer);
	d->product_name = g_strdup(spec->product_name);
	d->serial = g_strdup(spec->serial);
	d->power_selects = g_string_new(NULL);
	for (guint i = 0; i < SIM_MAX_SLOTS; i++) {
		d->slots[i].command = g_byte_array_new();
		d->slots[i].t1_command = g_byte_array_new();
		d->slots[i].ifsd = 32;
	}
	g_queue_init(&d->held);
	g_ptr_array_add(sim->devices, d);
	ccid_sim_plug(sim, d->n);
	return d->n;
}

void
ccid_sim_unplug(CcidSim *sim, guint dev)
{
	SimDevice *d = sim_get(sim, dev);

	if (!d->plugged)
		return;
	d->plugged = FALSE;
	g_queue_clear_full(&d->bulk_req, g_free);
	g_queue_clear_full(&d->int_req, g_free);
	g_queue_clear_full(&d->bulk_in, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&d->int_in, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&d->held, (GDestroyNotify)g_bytes_unref);
	for (guint i = 0; i < SIM_MAX_SLOTS; i++)
		d->slots[i].powered = FALSE;
	sim_send_frame(sim, REMSIM_CCID_WIRE_DEVICE_REMOVED, 0, dev, 0, NULL);
}

void
ccid_sim_plug(CcidSim *sim, guint dev)
{
	SimDevice *d = sim_get(sim, dev);

	if (d->plugged)
		return;
	d->plugged = TRUE;
	sim_announce(sim, d);
}

static void
sim_notify(CcidSim *sim, SimDevice *d, guint slot)
{
	guint32 present = 0;

	for (guint i = 0; i < d->spec.n_slots; i++) {
		if (d->slots[i].card != NULL)
			present |= 1u << i;
	}
	if (!d->spec.no_interrupt)
		g_queue_push_tail(&d->int_in, remsim_ccid_message_build_notify(
						  d->spec.n_slots, present, 1u << slot));
	sim_deliver(sim, d);
}

void
ccid_sim_insert(CcidSim *sim, guint dev, guint slot, RemsimSimcardCard *card, guint protocol,
		guint8 classes)
{
	SimDevice *d = sim_get(sim, dev);
	SimSlot *s = &d->slots[slot];

	g_set_object(&s->card, card);
	s->protocol = protocol;
	s->classes = classes;
	s->powered = FALSE;
	sim_notify(sim, d, slot);
}

void
ccid_sim_remove(CcidSim *sim, guint dev, guint slot)
{
	SimDevice *d = sim_get(sim, dev);
	SimSlot *s = &d->slots[slot];
	GBytes *held;

	g_clear_object(&s->card);
	s->powered = FALSE;
	sim_notify(sim, d, slot);
	/* commands that waited for this card fail now */
	for (GList *l = d->held.head; l != NULL;) {
		GList *next = l->next;
		RemsimCcidMessage m;

		held = l->data;
		if (remsim_ccid_message_parse(g_bytes_get_data(held, NULL), g_bytes_get_size(held),
					      &m, NULL) &&
		    m.slot == slot) {
			sim_answer(sim, d, 0x80, m.slot, m.seq, 0x42, 0xfe, 0, NULL, 0);
			g_bytes_unref(held);
			g_queue_delete_link(&d->held, l);
		}
		l = next;
	}
	sim_deliver(sim, d);
}

void
ccid_sim_set_fault(CcidSim *sim, guint dev, CcidSimFault fault, guint8 b_error)
{
	SimDevice *d = sim_get(sim, dev);

	d->fault = fault;
	d->fault_error = b_error;
}

void
ccid_sim_set_time_extensions(CcidSim *sim, guint dev, guint n)
{
	sim_get(sim, dev)->time_extensions = n;
}

void
ccid_sim_set_wtx(CcidSim *sim, guint dev, guint8 multiplier)
{
	sim_get(sim, dev)->wtx = multiplier;
}

void
ccid_sim_hold(CcidSim *sim, guint dev, gboolean hold)
{
	SimDevice *d = sim_get(sim, dev);
	GBytes *held;

	d->hold = hold;
	while (!hold && (held = g_queue_pop_head(&d->held)) != NULL) {
		RemsimCcidMessage m;

		if (remsim_ccid_message_parse(g_bytes_get_data(held, NULL), g_bytes_get_size(held),
					      &m, NULL))
			sim_process_xfr(sim, d, &m);
		g_bytes_unref(held);
	}
	sim_deliver(sim, d);
}

gboolean
ccid_sim_is_holding(CcidSim *sim, guint dev)
{
	return !g_queue_is_empty(&sim_get(sim, dev)->held);
}

guint
ccid_sim_count(CcidSim *sim, guint dev, guint8 type)
{
	return sim_get(sim, dev)->counts[type];
}

const gchar *
ccid_sim_power_selects(CcidSim *sim, guint dev)
{
	return sim_get(sim, dev)->power_selects->str;
}

gboolean
ccid_sim_connected(CcidSim *sim)
{
	return sim->conn != NULL;
}
