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
 *  value with a #GError whose message starts "[group] key: "; the bankd adds
 *  the file name and line. [bankd] holds the bank's settings in force
 *  (bank-id, num-slots, log-personal-info), command line included.
 * @config_keys: (nullable) (array zero-terminated=1): the keys @configure reads
 *  from its group; g_pattern_match_simple() patterns such as "slot-*" allowed.
 *  Set it in class_init: the bankd refuses a config file whose group for this
 *  backend holds any other key, naming the file, the line and the key, before
 *  @configure runs. %NULL (a plugin built before this member) skips the check.
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
	const gchar *const *config_keys;

	/*< private >*/
	gpointer padding[11];
};

gboolean remsim_backend_configure(RemsimBackend *self, GKeyFile *config, const gchar *group,
				  GError **error);
/* Returns: (transfer container) (element-type RemsimCardSlot): frees its references */
GPtrArray *remsim_backend_enumerate(RemsimBackend *self);

/* for backends: announce hotplug */
void remsim_backend_emit_slot_added(RemsimBackend *self, RemsimCardSlot *slot);
void remsim_backend_emit_slot_removed(RemsimBackend *self, RemsimCardSlot *slot);

G_END_DECLS
