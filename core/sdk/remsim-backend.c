/* SPDX-License-Identifier: GPL-2.0-or-later */
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

	remsim_backend_signals[SIGNAL_SLOT_ADDED] =
	    g_signal_new("slot-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, REMSIM_TYPE_CARD_SLOT);
	remsim_backend_signals[SIGNAL_SLOT_REMOVED] =
	    g_signal_new("slot-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, REMSIM_TYPE_CARD_SLOT);
}

static void
remsim_backend_init(RemsimBackend *self)
{
}

gboolean
remsim_backend_configure(RemsimBackend *self, GKeyFile *config, const gchar *group, GError **error)
{
	g_return_val_if_fail(REMSIM_IS_BACKEND(self), FALSE);
	g_return_val_if_fail(config != NULL && group != NULL, FALSE);
	return REMSIM_BACKEND_GET_CLASS(self)->configure(self, config, group, error);
}

GPtrArray *
remsim_backend_enumerate(RemsimBackend *self)
{
	g_return_val_if_fail(REMSIM_IS_BACKEND(self), NULL);
	return REMSIM_BACKEND_GET_CLASS(self)->enumerate(self);
}

void
remsim_backend_emit_slot_added(RemsimBackend *self, RemsimCardSlot *slot)
{
	g_return_if_fail(REMSIM_IS_BACKEND(self));
	g_signal_emit(self, remsim_backend_signals[SIGNAL_SLOT_ADDED], 0, slot);
}

void
remsim_backend_emit_slot_removed(RemsimBackend *self, RemsimCardSlot *slot)
{
	g_return_if_fail(REMSIM_IS_BACKEND(self));
	g_signal_emit(self, remsim_backend_signals[SIGNAL_SLOT_REMOVED], 0, slot);
}
