/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The example backend: N echo cards. Config group [example]:
 *   slots = N       number of slots (default 1)
 *   fail-ins = HEX  an INS byte answered with a transmission error (tests)
 *   eject-ins = HEX an INS byte after whose answer the card is pulled out for
 *                   100 ms (tests of card removal)
 *   hold-ins = HEX  an INS byte the card does not answer until it is powered
 *                   off: the bank's queue fills behind it (tests of its limit)
 */
#include <glib/gi18n.h>

#include "remsim-example-backend.h"
#include "remsim-example-slot.h"

#define REMSIM_EXAMPLE_MAX_SLOTS 1024

static const gchar *const remsim_example_backend_keys[] = { "slots", "fail-ins", "eject-ins",
							    "hold-ins", NULL };

struct _RemsimExampleBackend {
	RemsimBackend parent_instance;
	guint n_slots;
	gint fail_ins;
	gint eject_ins;
	gint hold_ins;
	GPtrArray *slots;
};

G_DEFINE_TYPE(RemsimExampleBackend, remsim_example_backend, REMSIM_TYPE_BACKEND)

static gboolean
remsim_example_backend_read_ins(GKeyFile *config, const gchar *group, const gchar *key, gint *ins,
				GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(config, group, key, NULL);
	guint64 value = 0;

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(text, 16, 0, 0xff, &value, error)) {
		g_prefix_error(error, "[%s] %s: ", group, key);
		return FALSE;
	}
	*ins = (gint)value;
	return TRUE;
}

static gboolean
remsim_example_backend_configure(RemsimBackend *backend, GKeyFile *config, const gchar *group,
				 GError **error)
{
	RemsimExampleBackend *self = REMSIM_EXAMPLE_BACKEND(backend);
	g_autoptr(GError) local_error = NULL;
	gint n = g_key_file_get_integer(config, group, "slots", &local_error);

	if (local_error == NULL) {
		if (n < 1 || n > REMSIM_EXAMPLE_MAX_SLOTS) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    /* TRANSLATORS: keep "[%s] slots:" at the start */
				    _("[%s] slots: %d is not in 1..%d"), group, n,
				    REMSIM_EXAMPLE_MAX_SLOTS);
			return FALSE;
		}
		self->n_slots = n;
	} else if (!g_error_matches(local_error, G_KEY_FILE_ERROR,
				    G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
		   !g_error_matches(local_error, G_KEY_FILE_ERROR,
				    G_KEY_FILE_ERROR_GROUP_NOT_FOUND)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error),
					   "[%s] slots: ", group);
		return FALSE;
	}
	return remsim_example_backend_read_ins(config, group, "fail-ins", &self->fail_ins, error) &&
	       remsim_example_backend_read_ins(config, group, "eject-ins", &self->eject_ins,
					       error) &&
	       remsim_example_backend_read_ins(config, group, "hold-ins", &self->hold_ins, error);
}

static gpointer
remsim_example_backend_ref_slot(gconstpointer slot, gpointer user_data)
{
	return g_object_ref((gpointer)slot);
}

static GPtrArray *
remsim_example_backend_enumerate(RemsimBackend *backend)
{
	RemsimExampleBackend *self = REMSIM_EXAMPLE_BACKEND(backend);

	if (self->slots == NULL) {
		self->slots = g_ptr_array_new_with_free_func(g_object_unref);
		for (guint i = 0; i < self->n_slots; i++)
			g_ptr_array_add(self->slots,
					remsim_example_slot_new(i, self->fail_ins, self->eject_ins,
								self->hold_ins));
	}
	return g_ptr_array_copy(self->slots, remsim_example_backend_ref_slot, NULL);
}

static void
remsim_example_backend_finalize(GObject *object)
{
	RemsimExampleBackend *self = REMSIM_EXAMPLE_BACKEND(object);

	g_clear_pointer(&self->slots, g_ptr_array_unref);
	G_OBJECT_CLASS(remsim_example_backend_parent_class)->finalize(object);
}

static void
remsim_example_backend_class_init(RemsimExampleBackendClass *klass)
{
	RemsimBackendClass *backend_class = REMSIM_BACKEND_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = remsim_example_backend_finalize;
	backend_class->configure = remsim_example_backend_configure;
	backend_class->enumerate = remsim_example_backend_enumerate;
	backend_class->config_keys = remsim_example_backend_keys;
}

static void
remsim_example_backend_init(RemsimExampleBackend *self)
{
	self->n_slots = 1;
	self->fail_ins = -1;
	self->eject_ins = -1;
	self->hold_ins = -1;
}

REMSIM_DEFINE_PLUGIN(example, remsim_example_backend_get_type);
