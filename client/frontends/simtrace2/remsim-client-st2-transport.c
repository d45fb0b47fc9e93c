/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-st2-transport.h"

G_DEFINE_ABSTRACT_TYPE(RemsimClientSt2Transport, remsim_client_st2_transport, G_TYPE_OBJECT)

enum {
	SIGNAL_RECEIVED,
	SIGNAL_FAILED,
	N_SIGNALS,
};
static guint signals[N_SIGNALS];

static void
remsim_client_st2_transport_class_init(RemsimClientSt2TransportClass *klass)
{
	signals[SIGNAL_RECEIVED] =
	    g_signal_new("received", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_BYTES);
	signals[SIGNAL_FAILED] = g_signal_new("failed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
					      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
remsim_client_st2_transport_init(RemsimClientSt2Transport *self)
{
}

gboolean
remsim_client_st2_transport_open(RemsimClientSt2Transport *self, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CLIENT_ST2_TRANSPORT(self), FALSE);
	return REMSIM_CLIENT_ST2_TRANSPORT_GET_CLASS(self)->open(self, error);
}

void
remsim_client_st2_transport_send(RemsimClientSt2Transport *self, GBytes *data)
{
	g_return_if_fail(REMSIM_IS_CLIENT_ST2_TRANSPORT(self));
	REMSIM_CLIENT_ST2_TRANSPORT_GET_CLASS(self)->send(self, data);
}

void
remsim_client_st2_transport_close(RemsimClientSt2Transport *self)
{
	g_return_if_fail(REMSIM_IS_CLIENT_ST2_TRANSPORT(self));
	REMSIM_CLIENT_ST2_TRANSPORT_GET_CLASS(self)->close(self);
}

gchar **
remsim_client_st2_transport_get_script_vars(RemsimClientSt2Transport *self)
{
	RemsimClientSt2TransportClass *klass = REMSIM_CLIENT_ST2_TRANSPORT_GET_CLASS(self);

	return klass->get_script_vars != NULL ? klass->get_script_vars(self) : NULL;
}

void
remsim_client_st2_transport_emit_received(RemsimClientSt2Transport *self, gboolean interrupt,
					  GBytes *data)
{
	g_signal_emit(self, signals[SIGNAL_RECEIVED], 0, interrupt, data);
}

void
remsim_client_st2_transport_emit_failed(RemsimClientSt2Transport *self, const GError *error)
{
	g_signal_emit(self, signals[SIGNAL_FAILED], 0, error);
}
