/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcsc backend: each bank slot has a rule naming its reader by a regular
 * expression, from upstream's CSV slot file or from bankd.conf. Config group
 * [pcsc]:
 *   slot-file = PATH   upstream's bankd_pcsc_slots.csv (default: that name in
 *                      the working directory, unless slot-N keys are given)
 *   slot-N = REGEX     reader-name pattern of bank slot N (instead of or on top
 *                      of the slot file; the file's row wins for the same slot)
 *   bank-id = N        the bank id whose CSV rows to use (default: the bankd's
 *                      own, from -b or [bankd] bank-id, which the bankd puts in
 *                      [bankd] before configuring backends)
 *   protocols = t0;t1  protocols a card may use (default both)
 */
#include "config.h"

#include <PCSC/winscard.h>
#include <glib/gi18n.h>
#include <stdlib.h>

#include "remsim-pcsc-backend.h"
#include "remsim-pcsc-monitor.h"
#include "remsim-pcsc-slot.h"
#include "remsim-slot-rules.h"

#define REMSIM_PCSC_DEFAULT_SLOT_FILE "bankd_pcsc_slots.csv"

static const gchar *const remsim_pcsc_backend_keys[] = { "slot-file", "slot-*", "bank-id",
							 "protocols", NULL };

struct _RemsimPcscBackend {
	RemsimBackend parent_instance;
	GPtrArray *slots; /* RemsimPcscSlot, by bank slot number */
	RemsimPcscMonitor *monitor;
};

G_DEFINE_TYPE(RemsimPcscBackend, remsim_pcsc_backend, REMSIM_TYPE_BACKEND)

static gboolean
remsim_pcsc_backend_get_protocols(GKeyFile *config, const gchar *group, guint32 *protocols,
				  GError **error)
{
	g_auto(GStrv) names = g_key_file_get_string_list(config, group, "protocols", NULL, NULL);

	*protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
	if (names == NULL)
		return TRUE;
	*protocols = 0;
	for (guint i = 0; names[i] != NULL; i++) {
		const gchar *name = g_strstrip(names[i]);

		if (g_ascii_strcasecmp(name, "t0") == 0) {
			*protocols |= SCARD_PROTOCOL_T0;
		} else if (g_ascii_strcasecmp(name, "t1") == 0) {
			*protocols |= SCARD_PROTOCOL_T1;
		} else {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    /* TRANSLATORS: keep "[%s] protocols:" at the start */
				    _("[%s] protocols: “%s” is neither t0 nor t1"), group, name);
			return FALSE;
		}
	}
	if (*protocols == 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    /* TRANSLATORS: keep "[%s] protocols:" at the start */
			    _("[%s] protocols: empty"), group);
		return FALSE;
	}
	return TRUE;
}

/* one slot per bank slot of ours; the first rule for a slot wins, as upstream */
static GPtrArray *
remsim_pcsc_backend_make_slots(GPtrArray *rules, gint bank_id, guint32 protocols)
{
	GPtrArray *slots = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) mine = remsim_slot_rules_for_bank(rules, bank_id);

	for (guint i = 0; i < mine->len; i++)
		g_ptr_array_add(slots, remsim_pcsc_slot_new(mine->pdata[i], protocols));
	/* the slots own their rules now */
	g_ptr_array_set_free_func(mine, NULL);
	return slots;
}

static void
remsim_pcsc_backend_on_readers(GPtrArray *readers, gpointer user_data)
{
	RemsimPcscBackend *self = user_data;

	for (guint i = 0; i < self->slots->len; i++) {
		RemsimPcscSlot *slot = self->slots->pdata[i];
		const RemsimSlotRule *rule = remsim_pcsc_slot_get_rule(slot);
		RemsimPcscReader *match = NULL;

		/* upstream takes the first reader, in pcscd's order, whose name matches */
		for (guint j = 0; match == NULL && j < readers->len; j++) {
			RemsimPcscReader *reader = readers->pdata[j];

			if (remsim_slot_rule_matches(rule, reader->name))
				match = reader;
		}
		remsim_pcsc_slot_update(slot, match != NULL ? match->name : NULL,
					match != NULL && match->present,
					match != NULL ? match->events : 0);
	}
}

static gboolean
remsim_pcsc_backend_configure(RemsimBackend *backend, GKeyFile *config, const gchar *group,
			      GError **error)
{
	RemsimPcscBackend *self = REMSIM_PCSC_BACKEND(backend);
	g_autoptr(GPtrArray) rules = NULL;
	guint32 protocols;
	gint bank_id;

	if (!remsim_slot_rules_get_bank_id(config, group, &bank_id, error) ||
	    !remsim_pcsc_backend_get_protocols(config, group, &protocols, error))
		return FALSE;
	rules = remsim_slot_rules_read(config, group, bank_id, REMSIM_PCSC_DEFAULT_SLOT_FILE,
				       REMSIM_SLOT_RULE_KINDS_NAME, error);
	if (rules == NULL)
		return FALSE;
	g_clear_pointer(&self->monitor, remsim_pcsc_monitor_free);
	g_clear_pointer(&self->slots, g_ptr_array_unref);
	self->slots = remsim_pcsc_backend_make_slots(rules, bank_id, protocols);
	if (self->slots->len == 0)
		g_message("PC/SC: no slot rule for bank %d", bank_id);
	self->monitor = remsim_pcsc_monitor_new(NULL, remsim_pcsc_backend_on_readers, self);
	return TRUE;
}

static gpointer
remsim_pcsc_backend_ref_slot(gconstpointer slot, gpointer user_data)
{
	return g_object_ref((gpointer)slot);
}

static GPtrArray *
remsim_pcsc_backend_enumerate(RemsimBackend *backend)
{
	RemsimPcscBackend *self = REMSIM_PCSC_BACKEND(backend);

	if (self->slots == NULL)
		return g_ptr_array_new_with_free_func(g_object_unref);
	return g_ptr_array_copy(self->slots, remsim_pcsc_backend_ref_slot, NULL);
}

static void
remsim_pcsc_backend_dispose(GObject *object)
{
	RemsimPcscBackend *self = REMSIM_PCSC_BACKEND(object);

	g_clear_pointer(&self->monitor, remsim_pcsc_monitor_free);
	for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
		remsim_pcsc_slot_drop_waiting(self->slots->pdata[i]);
	g_clear_pointer(&self->slots, g_ptr_array_unref);
	G_OBJECT_CLASS(remsim_pcsc_backend_parent_class)->dispose(object);
}

static void
remsim_pcsc_backend_class_init(RemsimPcscBackendClass *klass)
{
	RemsimBackendClass *backend_class = REMSIM_BACKEND_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_pcsc_backend_dispose;
	backend_class->configure = remsim_pcsc_backend_configure;
	backend_class->enumerate = remsim_pcsc_backend_enumerate;
	backend_class->config_keys = remsim_pcsc_backend_keys;
}

static void
remsim_pcsc_backend_init(RemsimPcscBackend *self)
{
}

REMSIM_DEFINE_PLUGIN(pcsc, remsim_pcsc_backend_get_type);
