/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-bankd-slot-map.h"

typedef struct {
	gboolean mapped;
	RsproClientSlot client;
} RemsimBankdSlotMapEntry;

struct _RemsimBankdSlotMap {
	GObject parent_instance;
	guint n_slots;
	RemsimBankdSlotMapEntry *entries;
	GHashTable *by_client; /* client key → bank slot nr + 1 */
};

G_DEFINE_TYPE(RemsimBankdSlotMap, remsim_bankd_slot_map, G_TYPE_OBJECT)

static gpointer
remsim_bankd_slot_map_client_key(const RsproClientSlot *client)
{
	return GUINT_TO_POINTER(((guint)client->client_id << 16) | client->slot_nr);
}

static void
remsim_bankd_slot_map_finalize(GObject *object)
{
	RemsimBankdSlotMap *self = REMSIM_BANKD_SLOT_MAP(object);

	g_free(self->entries);
	g_hash_table_unref(self->by_client);
	G_OBJECT_CLASS(remsim_bankd_slot_map_parent_class)->finalize(object);
}

static void
remsim_bankd_slot_map_class_init(RemsimBankdSlotMapClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = remsim_bankd_slot_map_finalize;
}

static void
remsim_bankd_slot_map_init(RemsimBankdSlotMap *self)
{
	self->by_client = g_hash_table_new(g_direct_hash, g_direct_equal);
}

RemsimBankdSlotMap *
remsim_bankd_slot_map_new(guint n_slots)
{
	RemsimBankdSlotMap *self = g_object_new(REMSIM_TYPE_BANKD_SLOT_MAP, NULL);

	self->n_slots = n_slots;
	self->entries = g_new0(RemsimBankdSlotMapEntry, n_slots);
	return self;
}

guint
remsim_bankd_slot_map_get_n_slots(RemsimBankdSlotMap *self)
{
	return self->n_slots;
}

gboolean
remsim_bankd_slot_map_remove(RemsimBankdSlotMap *self, guint bank_slot_nr)
{
	RemsimBankdSlotMapEntry *entry;

	g_return_val_if_fail(bank_slot_nr < self->n_slots, FALSE);
	entry = &self->entries[bank_slot_nr];
	if (!entry->mapped)
		return FALSE;
	g_hash_table_remove(self->by_client, remsim_bankd_slot_map_client_key(&entry->client));
	entry->mapped = FALSE;
	return TRUE;
}

gboolean
remsim_bankd_slot_map_add(RemsimBankdSlotMap *self, guint bank_slot_nr,
			  const RsproClientSlot *client, GArray *unmapped)
{
	RemsimBankdSlotMapEntry *entry;
	guint other;

	g_return_val_if_fail(bank_slot_nr < self->n_slots, FALSE);
	entry = &self->entries[bank_slot_nr];
	if (entry->mapped && entry->client.client_id == client->client_id &&
	    entry->client.slot_nr == client->slot_nr)
		return FALSE;
	if (remsim_bankd_slot_map_remove(self, bank_slot_nr) && unmapped != NULL)
		g_array_append_val(unmapped, bank_slot_nr);
	if (remsim_bankd_slot_map_find_client(self, client, &other)) {
		remsim_bankd_slot_map_remove(self, other);
		if (unmapped != NULL)
			g_array_append_val(unmapped, other);
	}
	entry->mapped = TRUE;
	entry->client = *client;
	g_hash_table_insert(self->by_client, remsim_bankd_slot_map_client_key(client),
			    GUINT_TO_POINTER(bank_slot_nr + 1));
	return TRUE;
}

void
remsim_bankd_slot_map_clear(RemsimBankdSlotMap *self)
{
	for (guint i = 0; i < self->n_slots; i++)
		self->entries[i].mapped = FALSE;
	g_hash_table_remove_all(self->by_client);
}

gboolean
remsim_bankd_slot_map_get_client(RemsimBankdSlotMap *self, guint bank_slot_nr,
				 RsproClientSlot *client)
{
	if (bank_slot_nr >= self->n_slots || !self->entries[bank_slot_nr].mapped)
		return FALSE;
	if (client != NULL)
		*client = self->entries[bank_slot_nr].client;
	return TRUE;
}

gboolean
remsim_bankd_slot_map_find_client(RemsimBankdSlotMap *self, const RsproClientSlot *client,
				  guint *bank_slot_nr)
{
	guint value = GPOINTER_TO_UINT(
	    g_hash_table_lookup(self->by_client, remsim_bankd_slot_map_client_key(client)));

	if (value == 0)
		return FALSE;
	if (bank_slot_nr != NULL)
		*bank_slot_nr = value - 1;
	return TRUE;
}
