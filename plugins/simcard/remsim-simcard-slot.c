/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated card computes in-process and never blocks, so each operation
 * completes through its GTask on the next main loop iteration. Commands also
 * come from the bank's relay thread (transmit_sync); the lock keeps them apart
 * from the main context's power and state work on the same card.
 */

#include <string.h>

#include "remsim-simcard-slot.h"

struct _RemsimSimcardSlot {
	RemsimCardSlot parent_instance;
	RemsimSimcardCard *card;
	gchar *state_path;
	gboolean powered;
	gboolean log_personal;
	GMutex lock; /* around every use of card and powered */
};

G_DEFINE_TYPE(RemsimSimcardSlot, remsim_simcard_slot, REMSIM_TYPE_CARD_SLOT)

static void
remsim_simcard_slot_power_on_async(RemsimCardSlot *slot, RemsimPowerOnFlags flags,
				   GCancellable *cancellable, GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimSimcardSlot *self = REMSIM_SIMCARD_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	if (!remsim_card_slot_get_card_present(slot)) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD,
					"no card in %s", remsim_card_slot_get_name(slot));
		return;
	}
	g_mutex_lock(&self->lock);
	remsim_simcard_card_reset(self->card);
	self->powered = TRUE;
	g_mutex_unlock(&self->lock);
	g_task_return_pointer(task, remsim_simcard_card_get_atr(self->card),
			      (GDestroyNotify)g_bytes_unref);
}

static void
remsim_simcard_slot_transmit_async(RemsimCardSlot *slot, GBytes *apdu, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimSimcardSlot *self = REMSIM_SIMCARD_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	GBytes *response = NULL;
	gboolean powered;

	g_mutex_lock(&self->lock);
	powered = self->powered;
	if (powered)
		response = remsim_simcard_card_transmit(self->card, apdu);
	g_mutex_unlock(&self->lock);
	if (!powered) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
					"card in %s is not powered",
					remsim_card_slot_get_name(slot));
		return;
	}
	if (response == NULL) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
					"the card cannot take this command");
		return;
	}
	g_task_return_pointer(task, response, (GDestroyNotify)g_bytes_unref);
}

static gsize
remsim_simcard_slot_transmit_sync(RemsimCardSlot *slot, const guint8 *apdu, gsize apdu_len,
				  guint8 *out, gsize out_size, GError **error)
{
	RemsimSimcardSlot *self = REMSIM_SIMCARD_SLOT(slot);
	g_autoptr(GBytes) command = g_bytes_new_static(apdu, apdu_len);
	g_autoptr(GBytes) response = NULL;
	gboolean powered;
	gsize len = 0;

	g_mutex_lock(&self->lock);
	powered = self->powered;
	if (powered)
		response = remsim_simcard_card_transmit(self->card, command);
	g_mutex_unlock(&self->lock);
	if (!powered) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
			    "card in %s is not powered", remsim_card_slot_get_name(slot));
		return 0;
	}
	if (response == NULL) {
		g_set_error_literal(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
				    "the card cannot take this command");
		return 0;
	}
	len = g_bytes_get_size(response);
	if (len > out_size) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "a response of %" G_GSIZE_FORMAT " bytes does not fit", len);
		return 0;
	}
	memcpy(out, g_bytes_get_data(response, NULL), len);
	return len;
}

static void
remsim_simcard_slot_reset_async(RemsimCardSlot *slot, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data)
{
	remsim_simcard_slot_power_on_async(slot, REMSIM_POWER_ON_NONE, cancellable, callback,
					   user_data);
}

static void
remsim_simcard_slot_save_state(RemsimSimcardSlot *self)
{
	g_autoptr(GError) error = NULL;

	/* a few kB written once per session, at power-off: not worth a thread */
	if (self->state_path == NULL)
		return;
	if (!remsim_simcard_card_save_state(self->card, self->state_path, &error)) {
		g_autofree gchar *text = g_strdup(error->message);

		/* the state file is named after the ICCID, which is subscriber data */
		if (!self->log_personal) {
			g_auto(GStrv) parts =
			    g_strsplit(text, remsim_simcard_card_get_iccid(self->card), -1);

			g_free(text);
			text = g_strjoinv("[hidden]", parts);
		}
		g_warning("%s: cannot save the card state: %s",
			  remsim_card_slot_get_name(REMSIM_CARD_SLOT(self)), text);
	}
}

static void
remsim_simcard_slot_power_off(RemsimCardSlot *slot)
{
	RemsimSimcardSlot *self = REMSIM_SIMCARD_SLOT(slot);

	g_mutex_lock(&self->lock);
	if (self->powered) {
		self->powered = FALSE;
		remsim_simcard_slot_save_state(self);
	}
	g_mutex_unlock(&self->lock);
}

static void
remsim_simcard_slot_finalize(GObject *object)
{
	RemsimSimcardSlot *self = REMSIM_SIMCARD_SLOT(object);

	if (self->powered)
		remsim_simcard_slot_save_state(self);
	g_clear_object(&self->card);
	g_free(self->state_path);
	g_mutex_clear(&self->lock);
	G_OBJECT_CLASS(remsim_simcard_slot_parent_class)->finalize(object);
}

static GBytes *
remsim_simcard_slot_power_on_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GBytes *
remsim_simcard_slot_transmit_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GBytes *
remsim_simcard_slot_reset_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_simcard_slot_class_init(RemsimSimcardSlotClass *klass)
{
	RemsimCardSlotClass *slot_class = REMSIM_CARD_SLOT_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = remsim_simcard_slot_finalize;
	slot_class->power_on_async = remsim_simcard_slot_power_on_async;
	slot_class->power_on_finish = remsim_simcard_slot_power_on_finish;
	slot_class->transmit_async = remsim_simcard_slot_transmit_async;
	slot_class->transmit_finish = remsim_simcard_slot_transmit_finish;
	slot_class->transmit_sync = remsim_simcard_slot_transmit_sync;
	slot_class->reset_async = remsim_simcard_slot_reset_async;
	slot_class->reset_finish = remsim_simcard_slot_reset_finish;
	slot_class->power_off = remsim_simcard_slot_power_off;
}

static void
remsim_simcard_slot_init(RemsimSimcardSlot *self)
{
	g_mutex_init(&self->lock);
}

RemsimSimcardSlot *
remsim_simcard_slot_new(guint index, RemsimSimcardCard *card, const gchar *state_path,
			gboolean log_personal)
{
	/* not the ICCID: the name ends up in logs and error messages */
	g_autofree gchar *name = g_strdup_printf("simcard%u", index);
	RemsimSimcardSlot *self =
	    g_object_new(REMSIM_TYPE_SIMCARD_SLOT, "index", index, "name", name, NULL);

	self->card = g_object_ref(card);
	self->state_path = g_strdup(state_path);
	self->log_personal = log_personal;
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self), TRUE);
	return self;
}

RemsimSimcardCard *
remsim_simcard_slot_get_card(RemsimSimcardSlot *self)
{
	return self->card;
}
