/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBackend: a family of card slots (all PC/SC readers, the CCID devices,
 * the simulated cards). A plugin registers one subclass; remsim-bankd creates
 * one instance, configures it from its own config group and asks for slots.
 */
#pragma once

#include "remsim-card-slot.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_BACKEND (remsim_backend_get_type())
G_DECLARE_DERIVABLE_TYPE(RemsimBackend, remsim_backend, REMSIM, BACKEND, GObject)

/**
 * RemsimBackendClass:
 * @configure: (optional): read settings from @group of @config (the group may
 *  be missing: use defaults). Called once, before enumerate(). Report a bad
 *  value with a #GError naming the key; the bankd adds the file name.
 * @enumerate: the slots known now, in bank slot order: the slot whose
 *  #RemsimCardSlot:index is n serves bank slot n. Returns a new array holding a
 *  reference to each slot.
 *
 * Slots appearing or going away later are announced with the ::slot-added and
 * ::slot-removed signals (remsim_backend_emit_slot_added() and _removed()).
 */
struct _RemsimBackendClass {
	GObjectClass parent_class;

	gboolean (*configure)(RemsimBackend *self, GKeyFile *config, const gchar *group,
			      GError **error);
	GPtrArray *(*enumerate)(RemsimBackend *self);

	/*< private >*/
	gpointer padding[12];
};

gboolean remsim_backend_configure(RemsimBackend *self, GKeyFile *config, const gchar *group,
				  GError **error);
/* Returns: (transfer container) (element-type RemsimCardSlot): frees its references */
GPtrArray *remsim_backend_enumerate(RemsimBackend *self);

/* for backends: announce hotplug */
void remsim_backend_emit_slot_added(RemsimBackend *self, RemsimCardSlot *slot);
void remsim_backend_emit_slot_removed(RemsimBackend *self, RemsimCardSlot *slot);

G_END_DECLS
