/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * RemsimCardSlot:
 *
 * One card position of a reader backend: a PC/SC reader, a CCID slot, a
 * simulated card.
 *
 * remsim-bankd drives it from its main context; every operation is
 * asynchronous and must never block that context. A backend subclasses it and
 * fills in [vfunc@Remsim.CardSlot.power_on_async],
 * [vfunc@Remsim.CardSlot.transmit_async] and [vfunc@Remsim.CardSlot.power_off]
 * (and their finish functions), optionally [vfunc@Remsim.CardSlot.reset_async].
 */
#include "remsim-card-slot.h"

typedef struct {
	guint index;
	gchar *name;
	gboolean card_present;
} RemsimCardSlotPrivate;

G_DEFINE_TYPE_WITH_PRIVATE(RemsimCardSlot, remsim_card_slot, G_TYPE_OBJECT)

enum { PROP_0, PROP_INDEX, PROP_NAME, PROP_CARD_PRESENT, N_PROPS };
static GParamSpec *remsim_card_slot_props[N_PROPS];

static GBytes *
remsim_card_slot_task_finish(RemsimCardSlot *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_card_slot_default_reset_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	GError *error = NULL;
	GBytes *atr = remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &error);

	if (atr == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, atr, (GDestroyNotify)g_bytes_unref);
}

/* a backend without a warm reset gets a cold one */
static void
remsim_card_slot_default_reset_async(RemsimCardSlot *self, GCancellable *cancellable,
				     GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_card_slot_default_reset_async);
	remsim_card_slot_power_off(self);
	remsim_card_slot_power_on_async(self, REMSIM_POWER_ON_NONE, cancellable,
					remsim_card_slot_default_reset_ready, task);
}

static GBytes *
remsim_card_slot_default_reset_finish(RemsimCardSlot *self, GAsyncResult *result, GError **error)
{
	return remsim_card_slot_task_finish(self, result, error);
}

static void
remsim_card_slot_default_power_off(RemsimCardSlot *self)
{
}

static void
remsim_card_slot_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimCardSlot *self = REMSIM_CARD_SLOT(object);
	RemsimCardSlotPrivate *priv = remsim_card_slot_get_instance_private(self);

	switch (prop_id) {
	case PROP_INDEX:
		g_value_set_uint(value, priv->index);
		break;
	case PROP_NAME:
		g_value_set_string(value, priv->name);
		break;
	case PROP_CARD_PRESENT:
		g_value_set_boolean(value, priv->card_present);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
remsim_card_slot_set_property(GObject *object, guint prop_id, const GValue *value,
			      GParamSpec *pspec)
{
	RemsimCardSlot *self = REMSIM_CARD_SLOT(object);
	RemsimCardSlotPrivate *priv = remsim_card_slot_get_instance_private(self);

	switch (prop_id) {
	case PROP_INDEX:
		priv->index = g_value_get_uint(value);
		break;
	case PROP_NAME:
		g_free(priv->name);
		priv->name = g_value_dup_string(value);
		break;
	case PROP_CARD_PRESENT:
		remsim_card_slot_set_card_present(self, g_value_get_boolean(value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
remsim_card_slot_finalize(GObject *object)
{
	RemsimCardSlotPrivate *priv =
	    remsim_card_slot_get_instance_private(REMSIM_CARD_SLOT(object));

	g_free(priv->name);
	G_OBJECT_CLASS(remsim_card_slot_parent_class)->finalize(object);
}

static void
remsim_card_slot_class_init(RemsimCardSlotClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = remsim_card_slot_get_property;
	object_class->set_property = remsim_card_slot_set_property;
	object_class->finalize = remsim_card_slot_finalize;
	klass->power_on_finish = remsim_card_slot_task_finish;
	klass->transmit_finish = remsim_card_slot_task_finish;
	klass->reset_async = remsim_card_slot_default_reset_async;
	klass->reset_finish = remsim_card_slot_default_reset_finish;
	klass->power_off = remsim_card_slot_default_power_off;

	/**
	 * RemsimCardSlot:index:
	 *
	 * The slot's position in its backend, which is the bank slot it serves.
	 */
	remsim_card_slot_props[PROP_INDEX] =
	    g_param_spec_uint("index", NULL, NULL, 0, G_MAXUINT, 0,
			      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimCardSlot:name:
	 *
	 * A name for logs, such as the PC/SC reader name.
	 */
	remsim_card_slot_props[PROP_NAME] = g_param_spec_string(
	    "name", NULL, NULL, NULL,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimCardSlot:card-present:
	 *
	 * Whether the backend sees a card in the slot; notified on every change.
	 */
	remsim_card_slot_props[PROP_CARD_PRESENT] = g_param_spec_boolean(
	    "card-present", NULL, NULL, FALSE,
	    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, N_PROPS, remsim_card_slot_props);
}

static void
remsim_card_slot_init(RemsimCardSlot *self)
{
}

/**
 * remsim_card_slot_get_index:
 * @self: a card slot
 *
 * The slot's position in its backend: the bank serves bank slot n from the
 * card slot whose index is n.
 *
 * Returns: the value of [property@Remsim.CardSlot:index]
 */
guint
remsim_card_slot_get_index(RemsimCardSlot *self)
{
	RemsimCardSlotPrivate *priv = remsim_card_slot_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), 0);
	return priv->index;
}

/**
 * remsim_card_slot_get_name:
 * @self: a card slot
 *
 * A name for logs, such as the PC/SC reader name.
 *
 * Returns: (transfer none): [property@Remsim.CardSlot:name], or the type name
 *   when the backend set none
 */
const gchar *
remsim_card_slot_get_name(RemsimCardSlot *self)
{
	RemsimCardSlotPrivate *priv = remsim_card_slot_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), NULL);
	return priv->name != NULL ? priv->name : G_OBJECT_TYPE_NAME(self);
}

/**
 * remsim_card_slot_get_card_present:
 * @self: a card slot
 *
 * Whether there is a card to power, as the backend last saw it.
 *
 * Returns: the value of [property@Remsim.CardSlot:card-present]
 */
gboolean
remsim_card_slot_get_card_present(RemsimCardSlot *self)
{
	RemsimCardSlotPrivate *priv = remsim_card_slot_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), FALSE);
	return priv->card_present;
}

/**
 * remsim_card_slot_set_card_present:
 * @self: a card slot
 * @present: whether a card is in the slot now
 *
 * For backends: report a card inserted or removed. Notifies
 * [property@Remsim.CardSlot:card-present] only when the value changes.
 */
void
remsim_card_slot_set_card_present(RemsimCardSlot *self, gboolean present)
{
	RemsimCardSlotPrivate *priv = remsim_card_slot_get_instance_private(self);

	g_return_if_fail(REMSIM_IS_CARD_SLOT(self));
	present = !!present;
	if (priv->card_present == present)
		return;
	priv->card_present = present;
	g_object_notify_by_pspec(G_OBJECT(self), remsim_card_slot_props[PROP_CARD_PRESENT]);
}

/**
 * remsim_card_slot_power_on_async:
 * @self: a card slot
 * @flags: how to open the card
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when the card is powered
 * @user_data: data for @callback
 *
 * Opens and powers the card. Never blocks the caller's main context.
 */
void
remsim_card_slot_power_on_async(RemsimCardSlot *self, RemsimPowerOnFlags flags,
				GCancellable *cancellable, GAsyncReadyCallback callback,
				gpointer user_data)
{
	g_return_if_fail(REMSIM_IS_CARD_SLOT(self));
	g_return_if_fail(REMSIM_CARD_SLOT_GET_CLASS(self)->power_on_async != NULL);
	REMSIM_CARD_SLOT_GET_CLASS(self)->power_on_async(self, flags, cancellable, callback,
							 user_data);
}

/**
 * remsim_card_slot_power_on_finish:
 * @self: a card slot
 * @result: the result given to the callback
 * @error: a #GError in the %REMSIM_CARD_ERROR domain
 *
 * Finishes [method@Remsim.CardSlot.power_on_async].
 *
 * Returns: (transfer full): the card's ATR, or %NULL with @error set
 */
GBytes *
remsim_card_slot_power_on_finish(RemsimCardSlot *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), NULL);
	return REMSIM_CARD_SLOT_GET_CLASS(self)->power_on_finish(self, result, error);
}

/**
 * remsim_card_slot_transmit_async:
 * @self: a card slot whose card is powered
 * @apdu: one command APDU as the modem sent it (header and data)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the response
 * @user_data: data for @callback
 *
 * Sends one command to the card. The bank sends at most one command at a
 * time per slot.
 */
void
remsim_card_slot_transmit_async(RemsimCardSlot *self, GBytes *apdu, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(REMSIM_IS_CARD_SLOT(self));
	g_return_if_fail(apdu != NULL);
	g_return_if_fail(REMSIM_CARD_SLOT_GET_CLASS(self)->transmit_async != NULL);
	REMSIM_CARD_SLOT_GET_CLASS(self)->transmit_async(self, apdu, cancellable, callback,
							 user_data);
}

/**
 * remsim_card_slot_transmit_finish:
 * @self: a card slot
 * @result: the result given to the callback
 * @error: a #GError in the %REMSIM_CARD_ERROR domain
 *
 * Finishes [method@Remsim.CardSlot.transmit_async].
 *
 * Returns: (transfer full): the response (data and SW1 SW2), or %NULL with
 *   @error set
 */
GBytes *
remsim_card_slot_transmit_finish(RemsimCardSlot *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), NULL);
	return REMSIM_CARD_SLOT_GET_CLASS(self)->transmit_finish(self, result, error);
}

/**
 * remsim_card_slot_can_transmit_sync:
 * @self: a card slot
 *
 * Whether the backend sends commands from any thread as well, with
 * [method@Remsim.CardSlot.transmit_sync].
 *
 * Returns: %TRUE if it does
 */
gboolean
remsim_card_slot_can_transmit_sync(RemsimCardSlot *self)
{
	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), FALSE);
	return REMSIM_CARD_SLOT_GET_CLASS(self)->transmit_sync != NULL;
}

/**
 * remsim_card_slot_transmit_sync:
 * @self: a card slot whose card is powered, with no other operation running
 * @apdu: (array length=apdu_len): one command APDU as the modem sent it
 * @apdu_len: its length
 * @response: (out caller-allocates) (array length=response_size): room for the response
 * @response_size: how much room
 * @error: a #GError in the %REMSIM_CARD_ERROR domain
 *
 * Sends one command to the card and waits for its response, on the calling
 * thread, which need not be the main context's: remsim-bankd's relay thread
 * calls it. Only for a backend where [method@Remsim.CardSlot.can_transmit_sync]
 * is %TRUE.
 *
 * Returns: the length of the response (data and SW1 SW2), or 0 with @error set
 */
gsize
remsim_card_slot_transmit_sync(RemsimCardSlot *self, const guint8 *apdu, gsize apdu_len,
			       guint8 *response, gsize response_size, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), 0);
	g_return_val_if_fail(REMSIM_CARD_SLOT_GET_CLASS(self)->transmit_sync != NULL, 0);
	return REMSIM_CARD_SLOT_GET_CLASS(self)->transmit_sync(self, apdu, apdu_len, response,
							       response_size, error);
}

/**
 * remsim_card_slot_reset_async:
 * @self: a card slot
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when the card was reset
 * @user_data: data for @callback
 *
 * Resets the card: a warm reset where the backend has one, else a power off
 * followed by a power on.
 */
void
remsim_card_slot_reset_async(RemsimCardSlot *self, GCancellable *cancellable,
			     GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(REMSIM_IS_CARD_SLOT(self));
	REMSIM_CARD_SLOT_GET_CLASS(self)->reset_async(self, cancellable, callback, user_data);
}

/**
 * remsim_card_slot_reset_finish:
 * @self: a card slot
 * @result: the result given to the callback
 * @error: a #GError in the %REMSIM_CARD_ERROR domain
 *
 * Finishes [method@Remsim.CardSlot.reset_async].
 *
 * Returns: (transfer full): the ATR after the reset, or %NULL with @error set
 */
GBytes *
remsim_card_slot_reset_finish(RemsimCardSlot *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_CARD_SLOT(self), NULL);
	return REMSIM_CARD_SLOT_GET_CLASS(self)->reset_finish(self, result, error);
}

/**
 * remsim_card_slot_power_off:
 * @self: a card slot
 *
 * Unpowers and releases the card. Never fails and never blocks.
 */
void
remsim_card_slot_power_off(RemsimCardSlot *self)
{
	g_return_if_fail(REMSIM_IS_CARD_SLOT(self));
	REMSIM_CARD_SLOT_GET_CLASS(self)->power_off(self);
}
