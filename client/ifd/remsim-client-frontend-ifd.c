/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-client-frontend-ifd.h"

/* without an ATR from the bank (-r), show the card with the local ATR after this */
#define IFD_ATR_WAIT_MS 2000

struct _RemsimClientFrontendIfd {
	RemsimClientFrontend parent_instance;

	GMainContext *context;
	guint atr_wait_id; /* worker thread only */

	/* shared with pcscd's threads */
	GMutex lock;
	GCond cond;
	gboolean present;
	GBytes *atr;
	/* one command at a time; an answer after its deadline passed is dropped unless the
	 * next command is already waiting, which then takes it (rare; logged by the bank) */
	gboolean waiting;
	GBytes *response;
	gboolean lost; /* the card went away while waiting */
};

G_DEFINE_FINAL_TYPE(RemsimClientFrontendIfd, remsim_client_frontend_ifd,
		    REMSIM_TYPE_CLIENT_FRONTEND)

typedef struct {
	RemsimClientFrontendIfd *self;
	GBytes *tpdu;
	RsproSlotPhysStatus status[2];
	guint n_status;
} RemsimClientIfdCall;

static void
remsim_client_frontend_ifd_call_free(RemsimClientIfdCall *call)
{
	g_clear_pointer(&call->tpdu, g_bytes_unref);
	g_object_unref(call->self);
	g_free(call);
}

/* runs on the worker's context */
static gboolean
remsim_client_frontend_ifd_call_cb(gpointer user_data)
{
	RemsimClientIfdCall *call = user_data;

	for (guint i = 0; i < call->n_status; i++)
		remsim_client_frontend_emit_status(REMSIM_CLIENT_FRONTEND(call->self),
						   &call->status[i]);
	if (call->tpdu != NULL)
		remsim_client_frontend_emit_command(REMSIM_CLIENT_FRONTEND(call->self), call->tpdu);
	return G_SOURCE_REMOVE;
}

static void
remsim_client_frontend_ifd_invoke(RemsimClientFrontendIfd *self, RemsimClientIfdCall *call)
{
	call->self = g_object_ref(self);
	g_main_context_invoke_full(self->context, G_PRIORITY_DEFAULT,
				   remsim_client_frontend_ifd_call_cb, call,
				   (GDestroyNotify)remsim_client_frontend_ifd_call_free);
}

static void
remsim_client_frontend_ifd_set_presence(RemsimClientFrontendIfd *self, gboolean present)
{
	g_mutex_lock(&self->lock);
	self->present = present;
	if (!present && self->waiting) {
		self->lost = TRUE;
		g_cond_broadcast(&self->cond);
	}
	g_mutex_unlock(&self->lock);
}

static gboolean
remsim_client_frontend_ifd_atr_wait_cb(gpointer user_data)
{
	RemsimClientFrontendIfd *self = user_data;

	self->atr_wait_id = 0;
	remsim_client_frontend_ifd_set_presence(self, TRUE);
	return G_SOURCE_REMOVE;
}

static void
remsim_client_frontend_ifd_set_card_present(RemsimClientFrontend *frontend, gboolean present)
{
	RemsimClientFrontendIfd *self = REMSIM_CLIENT_FRONTEND_IFD(frontend);

	if (self->atr_wait_id != 0) {
		g_source_destroy(
		    g_main_context_find_source_by_id(self->context, self->atr_wait_id));
		self->atr_wait_id = 0;
	}
	if (present) {
		/* the bank's setAtrReq follows at once: pcscd should read that ATR, not ours */
		GSource *source = g_timeout_source_new(IFD_ATR_WAIT_MS);

		g_source_set_callback(source, remsim_client_frontend_ifd_atr_wait_cb, self, NULL);
		self->atr_wait_id = g_source_attach(source, self->context);
		g_source_unref(source);
	} else {
		remsim_client_frontend_ifd_set_presence(self, FALSE);
	}
}

static void
remsim_client_frontend_ifd_set_atr(RemsimClientFrontend *frontend, GBytes *atr)
{
	RemsimClientFrontendIfd *self = REMSIM_CLIENT_FRONTEND_IFD(frontend);

	g_mutex_lock(&self->lock);
	g_clear_pointer(&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref(atr);
	g_mutex_unlock(&self->lock);
	if (self->atr_wait_id != 0) {
		g_source_destroy(
		    g_main_context_find_source_by_id(self->context, self->atr_wait_id));
		self->atr_wait_id = 0;
		remsim_client_frontend_ifd_set_presence(self, TRUE);
	}
}

static void
remsim_client_frontend_ifd_receive_response(RemsimClientFrontend *frontend, GBytes *data)
{
	RemsimClientFrontendIfd *self = REMSIM_CLIENT_FRONTEND_IFD(frontend);

	g_mutex_lock(&self->lock);
	if (self->waiting && self->response == NULL) {
		self->response = g_bytes_ref(data);
		g_cond_broadcast(&self->cond);
	} else {
		g_debug("ifd: response without a command dropped");
	}
	g_mutex_unlock(&self->lock);
}

static void
remsim_client_frontend_ifd_stop(RemsimClientFrontend *frontend)
{
	remsim_client_frontend_ifd_set_card_present(frontend, FALSE);
}

gboolean
remsim_client_frontend_ifd_is_present(RemsimClientFrontendIfd *self)
{
	gboolean present;

	g_mutex_lock(&self->lock);
	present = self->present && self->atr != NULL;
	g_mutex_unlock(&self->lock);
	return present;
}

GBytes *
remsim_client_frontend_ifd_dup_atr(RemsimClientFrontendIfd *self)
{
	GBytes *atr;

	g_mutex_lock(&self->lock);
	atr = self->atr != NULL ? g_bytes_ref(self->atr) : NULL;
	g_mutex_unlock(&self->lock);
	return atr;
}

static void
remsim_client_frontend_ifd_send_status(RemsimClientFrontendIfd *self, gboolean reset,
				       gboolean powered, gboolean pulse)
{
	RemsimClientIfdCall *call = g_new0(RemsimClientIfdCall, 1);
	RsproSlotPhysStatus st = {
		.reset_active = reset,
		.has_vcc_present = TRUE,
		.vcc_present = powered,
		.has_clk_active = TRUE,
		.clk_active = powered,
		.has_card_present = TRUE,
		.card_present = TRUE,
	};

	call->status[call->n_status++] = st;
	if (pulse) {
		st.reset_active = FALSE;
		call->status[call->n_status++] = st;
	}
	remsim_client_frontend_ifd_invoke(self, call);
}

void
remsim_client_frontend_ifd_power_up(RemsimClientFrontendIfd *self)
{
	remsim_client_frontend_ifd_send_status(self, FALSE, TRUE, FALSE);
}

void
remsim_client_frontend_ifd_power_down(RemsimClientFrontendIfd *self)
{
	/* VCC off: a cold reset at the bank */
	remsim_client_frontend_ifd_send_status(self, TRUE, FALSE, FALSE);
}

void
remsim_client_frontend_ifd_reset(RemsimClientFrontendIfd *self)
{
	/* reset with power on: a warm reset at the bank */
	remsim_client_frontend_ifd_send_status(self, TRUE, TRUE, TRUE);
}

RemsimClientIfdResult
remsim_client_frontend_ifd_transmit_sync(RemsimClientFrontendIfd *self, GBytes *apdu,
					 guint timeout_ms, GBytes **response)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	RemsimClientIfdResult result = REMSIM_CLIENT_IFD_OK;
	RemsimClientIfdCall *call;

	*response = NULL;
	g_mutex_lock(&self->lock);
	if (!self->present || self->waiting) {
		g_mutex_unlock(&self->lock);
		return REMSIM_CLIENT_IFD_NO_CARD;
	}
	self->waiting = TRUE;
	self->lost = FALSE;
	g_clear_pointer(&self->response, g_bytes_unref);
	g_mutex_unlock(&self->lock);

	call = g_new0(RemsimClientIfdCall, 1);
	call->tpdu = g_bytes_ref(apdu);
	remsim_client_frontend_ifd_invoke(self, call);

	g_mutex_lock(&self->lock);
	while (self->response == NULL && !self->lost) {
		if (!g_cond_wait_until(&self->cond, &self->lock, deadline)) {
			result = REMSIM_CLIENT_IFD_TIMEOUT;
			break;
		}
	}
	if (self->response != NULL)
		*response = g_steal_pointer(&self->response);
	else if (result == REMSIM_CLIENT_IFD_OK)
		result = REMSIM_CLIENT_IFD_NO_CARD;
	self->waiting = FALSE;
	g_mutex_unlock(&self->lock);
	return result;
}

static void
remsim_client_frontend_ifd_finalize(GObject *object)
{
	RemsimClientFrontendIfd *self = REMSIM_CLIENT_FRONTEND_IFD(object);

	g_clear_pointer(&self->atr, g_bytes_unref);
	g_clear_pointer(&self->response, g_bytes_unref);
	g_main_context_unref(self->context);
	g_mutex_clear(&self->lock);
	g_cond_clear(&self->cond);
	G_OBJECT_CLASS(remsim_client_frontend_ifd_parent_class)->finalize(object);
}

static void
remsim_client_frontend_ifd_class_init(RemsimClientFrontendIfdClass *klass)
{
	RemsimClientFrontendClass *frontend_class = REMSIM_CLIENT_FRONTEND_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = remsim_client_frontend_ifd_finalize;
	frontend_class->stop = remsim_client_frontend_ifd_stop;
	frontend_class->set_atr = remsim_client_frontend_ifd_set_atr;
	frontend_class->receive_response = remsim_client_frontend_ifd_receive_response;
	frontend_class->set_card_present = remsim_client_frontend_ifd_set_card_present;
}

static void
remsim_client_frontend_ifd_init(RemsimClientFrontendIfd *self)
{
	g_mutex_init(&self->lock);
	g_cond_init(&self->cond);
}

RemsimClientFrontend *
remsim_client_frontend_ifd_new(GMainContext *context)
{
	RemsimClientFrontendIfd *self = g_object_new(REMSIM_TYPE_CLIENT_FRONTEND_IFD, NULL);

	self->context = g_main_context_ref(context);
	return REMSIM_CLIENT_FRONTEND(self);
}
