/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-st2-message.h"
#include "st2-simulator.h"

struct _TestSt2Sim {
	RemsimClientSt2Transport parent_instance;
	GPtrArray *sent;
	gboolean open;
	GQueue pending; /* Delivery */
	guint idle_id;
};

typedef struct {
	gboolean interrupt;
	GBytes *data;
} Delivery;

G_DEFINE_FINAL_TYPE(TestSt2Sim, test_st2_sim, REMSIM_TYPE_CLIENT_ST2_TRANSPORT)

static gboolean
sim_open(RemsimClientSt2Transport *transport, GError **error)
{
	TEST_ST2_SIM(transport)->open = TRUE;
	return TRUE;
}

/* the firmware splits concatenated host messages by msg_len: so does the simulator */
static void
sim_send(RemsimClientSt2Transport *transport, GBytes *data)
{
	TestSt2Sim *self = TEST_ST2_SIM(transport);
	gsize len, offset = 0, start = 0;
	const guint8 *buf = g_bytes_get_data(data, &len);
	g_autoptr(GError) error = NULL;
	RemsimClientSt2Msg msg;

	/* an unplugged device takes nothing, as USB would not */
	if (!self->open)
		return;
	while (remsim_client_st2_message_next(buf, len, &offset, &msg, &error)) {
		g_ptr_array_add(self->sent, g_bytes_new(buf + start, offset - start));
		start = offset;
	}
	g_assert_no_error(error);
}

static void
sim_close(RemsimClientSt2Transport *transport)
{
	TEST_ST2_SIM(transport)->open = FALSE;
}

static gchar **
sim_get_script_vars(RemsimClientSt2Transport *transport)
{
	const gchar *vars[] = { "REMSIM_USB_PATH=sim-1.1", "REMSIM_USB_INTERFACE=0", NULL };

	return g_strdupv((gchar **)vars);
}

static gboolean
sim_deliver_cb(gpointer user_data)
{
	TestSt2Sim *self = user_data;
	Delivery *d;

	self->idle_id = 0;
	g_object_ref(self);
	while ((d = g_queue_pop_head(&self->pending)) != NULL) {
		if (self->open)
			remsim_client_st2_transport_emit_received(REMSIM_CLIENT_ST2_TRANSPORT(self),
								  d->interrupt, d->data);
		g_bytes_unref(d->data);
		g_free(d);
	}
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

void
test_st2_sim_inject(TestSt2Sim *self, gboolean interrupt, const guint8 *data, gsize len)
{
	Delivery *d = g_new0(Delivery, 1);

	d->interrupt = interrupt;
	d->data = g_bytes_new(data, len);
	g_queue_push_tail(&self->pending, d);
	if (self->idle_id == 0)
		self->idle_id = g_idle_add(sim_deliver_cb, self);
}

void
test_st2_sim_fail(TestSt2Sim *self)
{
	g_autoptr(GError) error = g_error_new_literal(
	    REMSIM_CLIENT_ST2_ERROR, REMSIM_CLIENT_ST2_ERROR_IO, "simulated device unplugged");

	self->open = FALSE;
	remsim_client_st2_transport_emit_failed(REMSIM_CLIENT_ST2_TRANSPORT(self), error);
}

GPtrArray *
test_st2_sim_get_sent(TestSt2Sim *self)
{
	return self->sent;
}

gboolean
test_st2_sim_is_open(TestSt2Sim *self)
{
	return self->open;
}

static void
test_st2_sim_finalize(GObject *object)
{
	TestSt2Sim *self = TEST_ST2_SIM(object);
	Delivery *d;

	g_clear_handle_id(&self->idle_id, g_source_remove);
	while ((d = g_queue_pop_head(&self->pending)) != NULL) {
		g_bytes_unref(d->data);
		g_free(d);
	}
	g_ptr_array_unref(self->sent);
	G_OBJECT_CLASS(test_st2_sim_parent_class)->finalize(object);
}

static void
test_st2_sim_class_init(TestSt2SimClass *klass)
{
	RemsimClientSt2TransportClass *transport_class = REMSIM_CLIENT_ST2_TRANSPORT_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = test_st2_sim_finalize;
	transport_class->open = sim_open;
	transport_class->send = sim_send;
	transport_class->close = sim_close;
	transport_class->get_script_vars = sim_get_script_vars;
}

static void
test_st2_sim_init(TestSt2Sim *self)
{
	self->sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_queue_init(&self->pending);
}

TestSt2Sim *
test_st2_sim_new(void)
{
	return g_object_new(TEST_TYPE_ST2_SIM, NULL);
}
