/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * RemsimBackend:
 *
 * A family of card slots: all PC/SC readers, the CCID devices, the simulated
 * cards.
 *
 * A plugin registers one subclass (see `REMSIM_DEFINE_PLUGIN()`);
 * remsim-bankd creates one instance, configures it from the config group named
 * after the backend and asks it for its slots.
 */
#include "remsim-backend.h"

G_DEFINE_TYPE(RemsimBackend, remsim_backend, G_TYPE_OBJECT)

enum { SIGNAL_SLOT_ADDED, SIGNAL_SLOT_REMOVED, N_SIGNALS };
static guint remsim_backend_signals[N_SIGNALS];

static gboolean
remsim_backend_default_configure(RemsimBackend *self, GKeyFile *config, const gchar *group,
				 GError **error)
{
	return TRUE;
}

static GPtrArray *
remsim_backend_default_enumerate(RemsimBackend *self)
{
	return g_ptr_array_new_with_free_func(g_object_unref);
}

static void
remsim_backend_class_init(RemsimBackendClass *klass)
{
	klass->configure = remsim_backend_default_configure;
	klass->enumerate = remsim_backend_default_enumerate;

	/**
	 * RemsimBackend::slot-added:
	 * @self: the backend
	 * @slot: the slot that appeared
	 *
	 * A card slot appeared after [method@Remsim.Backend.enumerate], e.g. a
	 * reader was plugged in.
	 */
	remsim_backend_signals[SIGNAL_SLOT_ADDED] =
	    g_signal_new("slot-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, REMSIM_TYPE_CARD_SLOT);
	/**
	 * RemsimBackend::slot-removed:
	 * @self: the backend
	 * @slot: the slot that went away
	 *
	 * A card slot went away, e.g. a reader was unplugged.
	 */
	remsim_backend_signals[SIGNAL_SLOT_REMOVED] =
	    g_signal_new("slot-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, REMSIM_TYPE_CARD_SLOT);
}

static void
remsim_backend_init(RemsimBackend *self)
{
}

/**
 * remsim_backend_configure:
 * @self: a backend
 * @config: the bank's configuration
 * @group: the group that holds this backend's settings (it may be missing)
 * @error: a #GError naming the bad key
 *
 * Reads the backend's settings. Called once, before
 * [method@Remsim.Backend.enumerate].
 *
 * Returns: %TRUE if the settings can be used
 */
gboolean
remsim_backend_configure(RemsimBackend *self, GKeyFile *config, const gchar *group, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_BACKEND(self), FALSE);
	g_return_val_if_fail(config != NULL && group != NULL, FALSE);
	return REMSIM_BACKEND_GET_CLASS(self)->configure(self, config, group, error);
}

/**
 * remsim_backend_enumerate:
 * @self: a backend
 *
 * The slots known now; the slot whose [property@Remsim.CardSlot:index] is n
 * serves bank slot n.
 *
 * Returns: (transfer container) (element-type RemsimCardSlot): a new array
 *   holding a reference to each slot
 */
GPtrArray *
remsim_backend_enumerate(RemsimBackend *self)
{
	g_return_val_if_fail(REMSIM_IS_BACKEND(self), NULL);
	return REMSIM_BACKEND_GET_CLASS(self)->enumerate(self);
}

/**
 * remsim_backend_emit_slot_added:
 * @self: a backend
 * @slot: the slot that appeared
 *
 * For backends: announce [signal@Remsim.Backend::slot-added].
 */
void
remsim_backend_emit_slot_added(RemsimBackend *self, RemsimCardSlot *slot)
{
	g_return_if_fail(REMSIM_IS_BACKEND(self));
	g_signal_emit(self, remsim_backend_signals[SIGNAL_SLOT_ADDED], 0, slot);
}

/**
 * remsim_backend_emit_slot_removed:
 * @self: a backend
 * @slot: the slot that went away
 *
 * For backends: announce [signal@Remsim.Backend::slot-removed].
 */
void
remsim_backend_emit_slot_removed(RemsimBackend *self, RemsimCardSlot *slot)
{
	g_return_if_fail(REMSIM_IS_BACKEND(self));
	g_signal_emit(self, remsim_backend_signals[SIGNAL_SLOT_REMOVED], 0, slot);
}
