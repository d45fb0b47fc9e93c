/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An echo card: it answers every command APDU with the command's data field
 * followed by 90 00. Enough to show what a slot must do, and to test the bank.
 * Commands come two ways: transmit_async on the bank's main context, and
 * transmit_sync on the bank's relay thread in steady state; the lock keeps
 * "powered" and a held command of the relay thread, which waits for the power
 * to go, apart from the main context's power work.
 */

#include <string.h>

#include "remsim-example-slot.h"

/* how long an ejected card stays out */
#define REMSIM_EXAMPLE_SLOT_EJECT_MS 100

struct _RemsimExampleSlot {
	RemsimCardSlot parent_instance;
	gint fail_ins;
	gint eject_ins;
	gint hold_ins;
	/* the command of hold-ins, unanswered until the card is powered off */
	GTask *held;
	GMutex lock;	  /* around powered and power_offs */
	GCond power_gone; /* a held transmit_sync waits for it */
	gboolean powered;
	guint power_offs;
};

G_DEFINE_TYPE(RemsimExampleSlot, remsim_example_slot, REMSIM_TYPE_CARD_SLOT)

/* direct convention, T=0, no historical bytes beyond "echo" */
static const guint8 remsim_example_slot_atr[] = { 0x3B, 0x04, 'e', 'c', 'h', 'o' };

static void
remsim_example_slot_set_powered(RemsimExampleSlot *self, gboolean powered)
{
	g_mutex_lock(&self->lock);
	if (self->powered && !powered) {
		self->power_offs++;
		g_cond_broadcast(&self->power_gone);
	}
	self->powered = powered;
	g_mutex_unlock(&self->lock);
}

static gboolean
remsim_example_slot_is_powered(RemsimExampleSlot *self)
{
	gboolean powered;

	g_mutex_lock(&self->lock);
	powered = self->powered;
	g_mutex_unlock(&self->lock);
	return powered;
}

static void
remsim_example_slot_power_on_async(RemsimCardSlot *slot, RemsimPowerOnFlags flags,
				   GCancellable *cancellable, GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

	if (!remsim_card_slot_get_card_present(slot)) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD,
					"no card in %s", remsim_card_slot_get_name(slot));
		return;
	}
	remsim_example_slot_set_powered(self, TRUE);
	g_task_return_pointer(
	    task, g_bytes_new_static(remsim_example_slot_atr, sizeof(remsim_example_slot_atr)),
	    (GDestroyNotify)g_bytes_unref);
}

static GBytes *
remsim_example_slot_echo(const guint8 *apdu, gsize len)
{
	GByteArray *out = g_byte_array_new();
	static const guint8 sw_ok[] = { 0x90, 0x00 };

	/* case 3/4 APDU: CLA INS P1 P2 Lc data... */
	if (len > 5 && len >= 5u + apdu[4])
		g_byte_array_append(out, apdu + 5, apdu[4]);
	g_byte_array_append(out, sw_ok, sizeof(sw_ok));
	return g_byte_array_free_to_bytes(out);
}

static gboolean
remsim_example_slot_insert_cb(gpointer user_data)
{
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(user_data), TRUE);
	return G_SOURCE_REMOVE;
}

/* the card goes out after its answer, and comes back a moment later */
static gboolean
remsim_example_slot_eject_cb(gpointer user_data)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(user_data);

	remsim_example_slot_set_powered(self, FALSE);
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self), FALSE);
	g_timeout_add_full(G_PRIORITY_DEFAULT, REMSIM_EXAMPLE_SLOT_EJECT_MS,
			   remsim_example_slot_insert_cb, g_object_ref(self), g_object_unref);
	return G_SOURCE_REMOVE;
}

/* the card's answer to one command, on whichever thread sends it (hold-ins aside) */
static GBytes *
remsim_example_slot_answer(RemsimExampleSlot *self, const guint8 *data, gsize len, GError **error)
{
	RemsimCardSlot *slot = REMSIM_CARD_SLOT(self);

	if (!remsim_example_slot_is_powered(self) || !remsim_card_slot_get_card_present(slot)) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
			    "card in %s is not powered", remsim_card_slot_get_name(slot));
		return NULL;
	}
	if (len < 4) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID, "APDU of %u bytes",
			    (guint)len);
		return NULL;
	}
	if (self->fail_ins >= 0 && data[1] == self->fail_ins) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "INS %02X fails by configuration", data[1]);
		return NULL;
	}
	/* the main context's default: the card goes out there, whoever sent the command */
	if (self->eject_ins >= 0 && data[1] == self->eject_ins)
		g_timeout_add_full(G_PRIORITY_LOW, 10, remsim_example_slot_eject_cb,
				   g_object_ref(self), g_object_unref);
	return remsim_example_slot_echo(data, len);
}

static gboolean
remsim_example_slot_holds(RemsimExampleSlot *self, const guint8 *data, gsize len)
{
	return self->hold_ins >= 0 && len >= 4 && data[1] == self->hold_ins &&
	       remsim_example_slot_is_powered(self);
}

static void
remsim_example_slot_transmit_async(RemsimCardSlot *slot, GBytes *apdu, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	GError *error = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(apdu, &len);
	GBytes *answer;

	if (remsim_example_slot_holds(self, data, len) && self->held == NULL) {
		self->held = g_steal_pointer(&task);
		return;
	}
	answer = remsim_example_slot_answer(self, data, len, &error);
	if (answer == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, answer, (GDestroyNotify)g_bytes_unref);
}

/* a backend whose cards answer at once may take the relay thread's commands too */
static gsize
remsim_example_slot_transmit_sync(RemsimCardSlot *slot, const guint8 *apdu, gsize apdu_len,
				  guint8 *response, gsize response_size, GError **error)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(slot);
	g_autoptr(GBytes) answer = NULL;
	gsize len;

	/* held: the relay thread waits, as a card that does not answer keeps it waiting */
	if (remsim_example_slot_holds(self, apdu, apdu_len)) {
		guint power_offs;

		g_mutex_lock(&self->lock);
		power_offs = self->power_offs;
		while (self->powered && self->power_offs == power_offs)
			g_cond_wait(&self->power_gone, &self->lock);
		g_mutex_unlock(&self->lock);
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
			    "card in %s lost power before it answered",
			    remsim_card_slot_get_name(slot));
		return 0;
	}
	answer = remsim_example_slot_answer(self, apdu, apdu_len, error);
	if (answer == NULL)
		return 0;
	len = g_bytes_get_size(answer);
	if (len > response_size) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "a response of %u bytes does not fit", (guint)len);
		return 0;
	}
	memcpy(response, g_bytes_get_data(answer, NULL), len);
	return len;
}

/* a held command ends, unanswered, when the card loses power */
static void
remsim_example_slot_drop_held(RemsimExampleSlot *self)
{
	g_autoptr(GTask) held = g_steal_pointer(&self->held);

	if (held != NULL)
		g_task_return_new_error(held, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
					"card in %s lost power before it answered",
					remsim_card_slot_get_name(REMSIM_CARD_SLOT(self)));
}

static void
remsim_example_slot_power_off(RemsimCardSlot *slot)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(slot);

	remsim_example_slot_set_powered(self, FALSE);
	remsim_example_slot_drop_held(self);
}

static void
remsim_example_slot_dispose(GObject *object)
{
	remsim_example_slot_drop_held(REMSIM_EXAMPLE_SLOT(object));
	G_OBJECT_CLASS(remsim_example_slot_parent_class)->dispose(object);
}

static void
remsim_example_slot_finalize(GObject *object)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(object);

	g_mutex_clear(&self->lock);
	g_cond_clear(&self->power_gone);
	G_OBJECT_CLASS(remsim_example_slot_parent_class)->finalize(object);
}

static GBytes *
remsim_example_slot_power_on_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GBytes *
remsim_example_slot_transmit_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_example_slot_class_init(RemsimExampleSlotClass *klass)
{
	RemsimCardSlotClass *slot_class = REMSIM_CARD_SLOT_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_example_slot_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_example_slot_finalize;
	slot_class->power_on_async = remsim_example_slot_power_on_async;
	slot_class->power_on_finish = remsim_example_slot_power_on_finish;
	slot_class->transmit_async = remsim_example_slot_transmit_async;
	slot_class->transmit_finish = remsim_example_slot_transmit_finish;
	slot_class->transmit_sync = remsim_example_slot_transmit_sync;
	slot_class->power_off = remsim_example_slot_power_off;
}

static void
remsim_example_slot_init(RemsimExampleSlot *self)
{
	self->fail_ins = -1;
	self->eject_ins = -1;
	self->hold_ins = -1;
	g_mutex_init(&self->lock);
	g_cond_init(&self->power_gone);
}

RemsimExampleSlot *
remsim_example_slot_new(guint index, gint fail_ins, gint eject_ins, gint hold_ins)
{
	g_autofree gchar *name = g_strdup_printf("echo%u", index);
	RemsimExampleSlot *self =
	    g_object_new(REMSIM_TYPE_EXAMPLE_SLOT, "index", index, "name", name, NULL);

	self->fail_ins = fail_ins;
	self->eject_ins = eject_ins;
	self->hold_ins = hold_ins;
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self), TRUE);
	return self;
}
