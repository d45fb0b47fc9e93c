/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-pcsc-slot.h"
#include "remsim-pcsc-worker.h"

struct _RemsimPcscSlot {
	RemsimCardSlot parent_instance;
	RemsimSlotRule *rule;
	RemsimPcscWorker *worker;
	gchar *reader;
	guint events;
	gboolean shared;
	gboolean known; /* the monitor has reported the readers at least once */
	GQueue parked;	/* power-on GTasks waiting for that first report */
};

G_DEFINE_TYPE(RemsimPcscSlot, remsim_pcsc_slot, REMSIM_TYPE_CARD_SLOT)

static void
remsim_pcsc_slot_start_power_on(RemsimPcscSlot *self, GTask *task)
{
	RemsimPowerOnFlags flags = GPOINTER_TO_UINT(g_task_get_task_data(task));

	if (self->reader == NULL) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD,
					"%s: no PC/SC reader matches “%s”",
					remsim_card_slot_get_name(REMSIM_CARD_SLOT(self)),
					self->rule->pattern);
		return;
	}
	self->shared = (flags & REMSIM_POWER_ON_SHARED) != 0;
	remsim_pcsc_worker_connect(self->worker, self->reader, self->shared, task);
}

static void
remsim_pcsc_slot_power_on_async(RemsimCardSlot *slot, RemsimPowerOnFlags flags,
				GCancellable *cancellable, GAsyncReadyCallback callback,
				gpointer user_data)
{
	RemsimPcscSlot *self = REMSIM_PCSC_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_pcsc_slot_power_on_async);
	g_task_set_task_data(task, GUINT_TO_POINTER(flags), NULL);
	/* right after start the readers are not known yet: that is not "no reader" */
	if (!self->known) {
		g_queue_push_tail(&self->parked, g_steal_pointer(&task));
		return;
	}
	remsim_pcsc_slot_start_power_on(self, task);
}

static void
remsim_pcsc_slot_transmit_async(RemsimCardSlot *slot, GBytes *apdu, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimPcscSlot *self = REMSIM_PCSC_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_pcsc_slot_transmit_async);
	remsim_pcsc_worker_transmit(self->worker, apdu, task);
}

static gsize
remsim_pcsc_slot_transmit_sync(RemsimCardSlot *slot, const guint8 *apdu, gsize apdu_len,
			       guint8 *response, gsize response_size, GError **error)
{
	return remsim_pcsc_worker_transmit_sync(REMSIM_PCSC_SLOT(slot)->worker, apdu, apdu_len,
						response, response_size, error);
}

static void
remsim_pcsc_slot_reset_async(RemsimCardSlot *slot, GCancellable *cancellable,
			     GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimPcscSlot *self = REMSIM_PCSC_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_pcsc_slot_reset_async);
	remsim_pcsc_worker_reset(self->worker, task);
}

static void
remsim_pcsc_slot_power_off(RemsimCardSlot *slot)
{
	remsim_pcsc_worker_disconnect(REMSIM_PCSC_SLOT(slot)->worker);
}

static void
remsim_pcsc_slot_finalize(GObject *object)
{
	RemsimPcscSlot *self = REMSIM_PCSC_SLOT(object);

	g_queue_clear_full(&self->parked, g_object_unref);
	remsim_pcsc_worker_free(self->worker);
	remsim_slot_rule_free(self->rule);
	g_free(self->reader);
	G_OBJECT_CLASS(remsim_pcsc_slot_parent_class)->finalize(object);
}

static GBytes *
remsim_pcsc_slot_power_on_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GBytes *
remsim_pcsc_slot_transmit_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GBytes *
remsim_pcsc_slot_reset_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_pcsc_slot_class_init(RemsimPcscSlotClass *klass)
{
	RemsimCardSlotClass *slot_class = REMSIM_CARD_SLOT_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = remsim_pcsc_slot_finalize;
	slot_class->power_on_async = remsim_pcsc_slot_power_on_async;
	slot_class->power_on_finish = remsim_pcsc_slot_power_on_finish;
	slot_class->transmit_async = remsim_pcsc_slot_transmit_async;
	slot_class->transmit_finish = remsim_pcsc_slot_transmit_finish;
	slot_class->transmit_sync = remsim_pcsc_slot_transmit_sync;
	slot_class->reset_async = remsim_pcsc_slot_reset_async;
	slot_class->reset_finish = remsim_pcsc_slot_reset_finish;
	slot_class->power_off = remsim_pcsc_slot_power_off;
}

static void
remsim_pcsc_slot_init(RemsimPcscSlot *self)
{
	g_queue_init(&self->parked);
}

RemsimPcscSlot *
remsim_pcsc_slot_new(RemsimSlotRule *rule, guint32 protocols)
{
	g_autofree gchar *name = g_strdup_printf("pcsc%d", rule->slot_nr);
	RemsimPcscSlot *self =
	    g_object_new(REMSIM_TYPE_PCSC_SLOT, "index", (guint)rule->slot_nr, "name", name, NULL);

	self->rule = rule;
	self->worker = remsim_pcsc_worker_new(name, protocols);
	return self;
}

const RemsimSlotRule *
remsim_pcsc_slot_get_rule(RemsimPcscSlot *self)
{
	return self->rule;
}

const gchar *
remsim_pcsc_slot_get_reader(RemsimPcscSlot *self)
{
	return self->reader;
}

void
remsim_pcsc_slot_update(RemsimPcscSlot *self, const gchar *reader, gboolean present, guint events)
{
	RemsimCardSlot *slot = REMSIM_CARD_SLOT(self);
	gboolean swapped;

	if (g_strcmp0(reader, self->reader) != 0) {
		if (reader != NULL)
			g_message("PC/SC: bank slot %d uses reader “%s”", self->rule->slot_nr,
				  reader);
		else if (self->reader != NULL)
			g_message("PC/SC: reader “%s” of bank slot %d is gone", self->reader,
				  self->rule->slot_nr);
		/* another reader means another card */
		remsim_card_slot_set_card_present(slot, FALSE);
		g_free(self->reader);
		self->reader = g_strdup(reader);
		self->events = events;
	}
	swapped = present && remsim_card_slot_get_card_present(slot) && events != self->events;
	self->events = events;
	if (swapped)
		remsim_card_slot_set_card_present(slot, FALSE);
	remsim_card_slot_set_card_present(slot, reader != NULL && present);
	self->known = TRUE;
	while (!g_queue_is_empty(&self->parked)) {
		g_autoptr(GTask) task = g_queue_pop_head(&self->parked);

		remsim_pcsc_slot_start_power_on(self, task);
	}
}

void
remsim_pcsc_slot_drop_waiting(RemsimPcscSlot *self)
{
	while (!g_queue_is_empty(&self->parked)) {
		g_autoptr(GTask) task = g_queue_pop_head(&self->parked);

		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD,
					"%s: the PC/SC backend is shutting down",
					remsim_card_slot_get_name(REMSIM_CARD_SLOT(self)));
	}
}
