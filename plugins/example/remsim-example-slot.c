/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An echo card: it answers every command APDU with the command's data field
 * followed by 90 00. Enough to show what a slot must do, and to test the bank.
 */

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
	gboolean powered;
};

G_DEFINE_TYPE(RemsimExampleSlot, remsim_example_slot, REMSIM_TYPE_CARD_SLOT)

/* direct convention, T=0, no historical bytes beyond "echo" */
static const guint8 remsim_example_slot_atr[] = { 0x3B, 0x04, 'e', 'c', 'h', 'o' };

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
	self->powered = TRUE;
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

	self->powered = FALSE;
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self), FALSE);
	g_timeout_add_full(G_PRIORITY_DEFAULT, REMSIM_EXAMPLE_SLOT_EJECT_MS,
			   remsim_example_slot_insert_cb, g_object_ref(self), g_object_unref);
	return G_SOURCE_REMOVE;
}

static void
remsim_example_slot_transmit_async(RemsimCardSlot *slot, GBytes *apdu, GCancellable *cancellable,
				   GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimExampleSlot *self = REMSIM_EXAMPLE_SLOT(slot);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(apdu, &len);

	if (!self->powered || !remsim_card_slot_get_card_present(slot)) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
					"card in %s is not powered",
					remsim_card_slot_get_name(slot));
		return;
	}
	if (len < 4) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
					"APDU of %u bytes", (guint)len);
		return;
	}
	if (self->fail_ins >= 0 && data[1] == self->fail_ins) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
					"INS %02X fails by configuration", data[1]);
		return;
	}
	if (self->hold_ins >= 0 && data[1] == self->hold_ins && self->held == NULL) {
		self->held = g_steal_pointer(&task);
		return;
	}
	if (self->eject_ins >= 0 && data[1] == self->eject_ins)
		g_timeout_add_full(G_PRIORITY_LOW, 10, remsim_example_slot_eject_cb,
				   g_object_ref(self), g_object_unref);
	g_task_return_pointer(task, remsim_example_slot_echo(data, len),
			      (GDestroyNotify)g_bytes_unref);
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

	self->powered = FALSE;
	remsim_example_slot_drop_held(self);
}

static void
remsim_example_slot_dispose(GObject *object)
{
	remsim_example_slot_drop_held(REMSIM_EXAMPLE_SLOT(object));
	G_OBJECT_CLASS(remsim_example_slot_parent_class)->dispose(object);
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
	slot_class->power_on_async = remsim_example_slot_power_on_async;
	slot_class->power_on_finish = remsim_example_slot_power_on_finish;
	slot_class->transmit_async = remsim_example_slot_transmit_async;
	slot_class->transmit_finish = remsim_example_slot_transmit_finish;
	slot_class->power_off = remsim_example_slot_power_off;
}

static void
remsim_example_slot_init(RemsimExampleSlot *self)
{
	self->fail_ins = -1;
	self->eject_ins = -1;
	self->hold_ins = -1;
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
