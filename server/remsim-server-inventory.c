/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-log.h"
#include "remsim-server-inventory.h"

struct _RemsimServerInventory {
	GObject parent_instance;
	RemsimServerSlotmapStore *store;
	GHashTable *slots; /* bank id << 16 | slot -> RemsimServerBankSlot (owned) */
};

G_DEFINE_FINAL_TYPE(RemsimServerInventory, remsim_server_inventory, G_TYPE_OBJECT)

enum { SIGNAL_SLOT_CHANGED, SIGNAL_SLOT_REMOVED, N_SIGNALS };
static guint remsim_server_inventory_signals[N_SIGNALS];

#define REMSIM_SERVER_INVENTORY_KEY(bank, slot) GUINT_TO_POINTER((guint)(bank) << 16 | (slot))

static void
remsim_server_inventory_slot_free(RemsimServerBankSlot *slot)
{
	g_free(slot->state);
	remsim_card_info_free(slot->card);
	g_free(slot);
}

static void
remsim_server_inventory_dispose(GObject *object)
{
	RemsimServerInventory *self = REMSIM_SERVER_INVENTORY(object);

	g_clear_object(&self->store);
	G_OBJECT_CLASS(remsim_server_inventory_parent_class)->dispose(object);
}

static void
remsim_server_inventory_finalize(GObject *object)
{
	RemsimServerInventory *self = REMSIM_SERVER_INVENTORY(object);

	g_hash_table_unref(self->slots);
	G_OBJECT_CLASS(remsim_server_inventory_parent_class)->finalize(object);
}

static void
remsim_server_inventory_class_init(RemsimServerInventoryClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_server_inventory_dispose;
	object_class->finalize = remsim_server_inventory_finalize;
	remsim_server_inventory_signals[SIGNAL_SLOT_CHANGED] =
	    g_signal_new("slot-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
	remsim_server_inventory_signals[SIGNAL_SLOT_REMOVED] =
	    g_signal_new("slot-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
remsim_server_inventory_init(RemsimServerInventory *self)
{
	self->slots = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					    (GDestroyNotify)remsim_server_inventory_slot_free);
}

RemsimServerInventory *
remsim_server_inventory_new(RemsimServerSlotmapStore *store)
{
	RemsimServerInventory *self = g_object_new(REMSIM_TYPE_SERVER_INVENTORY, NULL);

	self->store = g_object_ref(store);
	return self;
}

static RemsimServerBankSlot *
remsim_server_inventory_get(RemsimServerInventory *self, guint16 bank_id, guint16 slot_nr,
			    gboolean *created)
{
	RemsimServerBankSlot *slot =
	    g_hash_table_lookup(self->slots, REMSIM_SERVER_INVENTORY_KEY(bank_id, slot_nr));

	*created = slot == NULL;
	if (slot == NULL) {
		slot = g_new0(RemsimServerBankSlot, 1);
		slot->bank_id = bank_id;
		slot->slot_nr = slot_nr;
		g_hash_table_insert(self->slots, REMSIM_SERVER_INVENTORY_KEY(bank_id, slot_nr),
				    slot);
	}
	return slot;
}

gboolean
remsim_server_inventory_load(RemsimServerInventory *self, GError **error)
{
	g_autoptr(GArray) rows = remsim_server_slotmap_store_load_cards(self->store, error);

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		RemsimServerStoredCard *row = &g_array_index(rows, RemsimServerStoredCard, i);
		g_autoptr(JsonNode) node = json_from_string(row->card, NULL);
		g_autoptr(GError) local = NULL;
		RemsimCardInfo *card = NULL;
		RemsimServerBankSlot *slot;
		gboolean created;

		if (node != NULL && JSON_NODE_HOLDS_OBJECT(node))
			card = remsim_card_info_from_json(json_node_get_object(node), &local);
		if (card == NULL) {
			g_message("state database: the card of bank slot %u:%u does not read; "
				  "left out",
				  row->slot.bank_id, row->slot.slot_nr);
			continue;
		}
		slot = remsim_server_inventory_get(self, row->slot.bank_id, row->slot.slot_nr,
						   &created);
		slot->card = card;
		slot->card_present = card->state != REMSIM_CARD_INFO_EMPTY;
		slot->stale = TRUE;
	}
	return TRUE;
}

static void
remsim_server_inventory_stored_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	/* the view on disk only: the server runs on with what it knows */
	if (!remsim_server_slotmap_store_write_card_finish(REMSIM_SERVER_SLOTMAP_STORE(source),
							   result, &error))
		g_warning("cannot store a card: %s", error->message);
}

static void
remsim_server_inventory_store_card(RemsimServerInventory *self, RemsimServerBankSlot *slot)
{
	RsproBankSlot where = { slot->bank_id, slot->slot_nr };
	g_autofree gchar *text = NULL;

	if (slot->card != NULL) {
		g_autoptr(JsonNode) node =
		    json_node_init_object(json_node_alloc(), remsim_card_info_to_json(slot->card));
		json_object_unref(json_node_get_object(node));
		text = json_to_string(node, FALSE);
	}
	remsim_server_slotmap_store_write_card_async(self->store, &where, text, NULL,
						     remsim_server_inventory_stored_ready, NULL);
}

static void
remsim_server_inventory_remove(RemsimServerInventory *self, RemsimServerBankSlot *slot)
{
	guint bank_id = slot->bank_id, slot_nr = slot->slot_nr;

	if (slot->card != NULL) {
		g_clear_pointer(&slot->card, remsim_card_info_free);
		remsim_server_inventory_store_card(self, slot);
	}
	g_hash_table_remove(self->slots, REMSIM_SERVER_INVENTORY_KEY(bank_id, slot_nr));
	g_signal_emit(self, remsim_server_inventory_signals[SIGNAL_SLOT_REMOVED], 0, bank_id,
		      slot_nr);
}

/* one slot of a report; FALSE for a shape that is none */
static gboolean
remsim_server_inventory_apply_slot(RemsimServerInventory *self, guint16 bank_id, JsonObject *o,
				   GError **error)
{
	gint64 nr = json_object_get_int_member_with_default(o, "slot", -1);
	JsonNode *card_node = json_object_get_member(o, "card");
	g_autoptr(RemsimCardInfo) card = NULL;
	RemsimServerBankSlot *slot;
	gboolean created, card_changed, card_present, changed;
	guint64 apdus, errors;
	const gchar *state = json_object_get_string_member_with_default(o, "state", NULL);

	if (nr < 0 || nr > RSPRO_ID_MAX) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a slot without a number");
		return FALSE;
	}
	if (card_node != NULL && JSON_NODE_HOLDS_OBJECT(card_node) &&
	    (card = remsim_card_info_from_json(json_node_get_object(card_node), error)) == NULL)
		return FALSE;
	slot = remsim_server_inventory_get(self, bank_id, (guint16)nr, &created);
	card_changed = !remsim_card_info_equal(slot->card, card);
	card_present = json_object_get_boolean_member_with_default(o, "card_present", FALSE);
	apdus = (guint64)json_object_get_int_member_with_default(o, "apdus", 0);
	errors = (guint64)json_object_get_int_member_with_default(o, "errors", 0);
	/* a full report repeats what did not change: no event for those */
	changed = created || card_changed || slot->stale || g_strcmp0(slot->state, state) != 0 ||
		  slot->card_present != card_present || slot->apdus != apdus ||
		  slot->errors != errors;
	if (g_strcmp0(slot->state, state) != 0) {
		g_free(slot->state);
		slot->state = g_strdup(state);
	}
	slot->card_present = card_present;
	slot->apdus = apdus;
	slot->errors = errors;
	slot->stale = FALSE;
	if (card_changed) {
		remsim_card_info_free(slot->card);
		slot->card = g_steal_pointer(&card);
		remsim_server_inventory_store_card(self, slot);
	}
	if (changed)
		g_signal_emit(self, remsim_server_inventory_signals[SIGNAL_SLOT_CHANGED], 0, slot);
	return TRUE;
}

gboolean
remsim_server_inventory_apply_report(RemsimServerInventory *self, guint16 bank_id,
				     JsonObject *report, GError **error)
{
	JsonArray *slots;
	gint64 num_slots = json_object_get_int_member_with_default(report, "num_slots", -1);

	if (!json_object_has_member(report, "slots") ||
	    !JSON_NODE_HOLDS_ARRAY(json_object_get_member(report, "slots"))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a report without slots");
		return FALSE;
	}
	slots = json_object_get_array_member(report, "slots");
	for (guint i = 0; i < json_array_get_length(slots); i++) {
		JsonNode *node = json_array_get_element(slots, i);

		if (!JSON_NODE_HOLDS_OBJECT(node)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "a slot that is not an object");
			return FALSE;
		}
		if (!remsim_server_inventory_apply_slot(self, bank_id, json_node_get_object(node),
							error))
			return FALSE;
	}
	/* a full report (in parts) names the bank's size: slots past it are gone */
	if (num_slots >= 0) {
		g_autoptr(GPtrArray) gone = g_ptr_array_new();
		GHashTableIter iter;
		gpointer value;

		g_hash_table_iter_init(&iter, self->slots);
		while (g_hash_table_iter_next(&iter, NULL, &value))
			if (((RemsimServerBankSlot *)value)->bank_id == bank_id &&
			    ((RemsimServerBankSlot *)value)->slot_nr >= num_slots)
				g_ptr_array_add(gone, value);
		for (guint i = 0; i < gone->len; i++)
			remsim_server_inventory_remove(self, gone->pdata[i]);
	}
	return TRUE;
}

void
remsim_server_inventory_bank_lost(RemsimServerInventory *self, guint16 bank_id)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->slots);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		RemsimServerBankSlot *slot = value;

		if (slot->bank_id != bank_id || slot->stale)
			continue;
		slot->stale = TRUE;
		g_signal_emit(self, remsim_server_inventory_signals[SIGNAL_SLOT_CHANGED], 0, slot);
	}
}

static gint
remsim_server_inventory_compare(gconstpointer a, gconstpointer b)
{
	const RemsimServerBankSlot *x = *(RemsimServerBankSlot *const *)a;
	const RemsimServerBankSlot *y = *(RemsimServerBankSlot *const *)b;

	if (x->bank_id != y->bank_id)
		return x->bank_id < y->bank_id ? -1 : 1;
	return x->slot_nr < y->slot_nr ? -1 : x->slot_nr > y->slot_nr;
}

GPtrArray *
remsim_server_inventory_list(RemsimServerInventory *self)
{
	GPtrArray *list = g_ptr_array_sized_new(g_hash_table_size(self->slots));
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, self->slots);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(list, value);
	g_ptr_array_sort(list, remsim_server_inventory_compare);
	return list;
}

RemsimServerBankSlot *
remsim_server_inventory_lookup(RemsimServerInventory *self, guint16 bank_id, guint16 slot_nr)
{
	return g_hash_table_lookup(self->slots, REMSIM_SERVER_INVENTORY_KEY(bank_id, slot_nr));
}

RemsimServerBankSlot *
remsim_server_inventory_find_iccid(RemsimServerInventory *self, const gchar *iccid)
{
	g_autoptr(GPtrArray) list = remsim_server_inventory_list(self);

	/* a card seen live wins over a stale memory of it elsewhere */
	for (guint pass = 0; pass < 2; pass++)
		for (guint i = 0; i < list->len; i++) {
			RemsimServerBankSlot *slot = list->pdata[i];

			if (slot->card != NULL && g_strcmp0(slot->card->iccid, iccid) == 0 &&
			    (pass == 1 || !slot->stale))
				return slot;
		}
	return NULL;
}

JsonObject *
remsim_server_inventory_slot_to_json(const RemsimServerBankSlot *slot)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "bank_id", slot->bank_id);
	json_object_set_int_member(o, "slot", slot->slot_nr);
	if (slot->state != NULL)
		json_object_set_string_member(o, "state", slot->state);
	else
		json_object_set_null_member(o, "state");
	json_object_set_boolean_member(o, "card_present", slot->card_present);
	json_object_set_int_member(o, "apdus", (gint64)slot->apdus);
	json_object_set_int_member(o, "errors", (gint64)slot->errors);
	json_object_set_boolean_member(o, "stale", slot->stale);
	if (slot->card != NULL)
		json_object_set_object_member(o, "card", remsim_card_info_to_json(slot->card));
	else
		json_object_set_null_member(o, "card");
	return o;
}
