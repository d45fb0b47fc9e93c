/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-dbus.h"
#include "remsim-dbus-guard.h"
#include "remsim-dbus-publish.h"
#include "remsim-dbus.h"

/* counters change with every TPDU: publish them at most this often */
#define REMSIM_CLIENT_DBUS_COUNTER_INTERVAL_MS 1000

struct _RemsimClientDbus {
	GObject parent_instance;

	RemsimClient *client;
	RemsimReload *reload;
	GDBusObjectManagerServer *manager;
	RemsimDbusClient1 *root;
	GPtrArray *slot_ifaces; /* RemsimDbusClient1Slot, per slot */
	RemsimDbusPublish *publish;
	guint counter_id;
};

G_DEFINE_FINAL_TYPE(RemsimClientDbus, remsim_client_dbus, G_TYPE_OBJECT)

static RemsimDbusSlotState
remsim_client_dbus_slot_state(RemsimClientSlotState state)
{
	switch (state) {
	case REMSIM_CLIENT_SLOT_STATE_INIT:
	case REMSIM_CLIENT_SLOT_STATE_UNCONFIGURED:
		return REMSIM_DBUS_SLOT_STATE_IDLE;
	case REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD:
		return REMSIM_DBUS_SLOT_STATE_MAPPED;
	case REMSIM_CLIENT_SLOT_STATE_OPERATIONAL:
		/* the bank answers the hello only once its card is powered */
		return REMSIM_DBUS_SLOT_STATE_CARD_POWERED;
	}
	return REMSIM_DBUS_SLOT_STATE_IDLE;
}

static const gchar *
remsim_client_dbus_link_state(RsproLinkState state)
{
	return remsim_dbus_enums_get_nick(RSPRO_TYPE_LINK_STATE, state);
}

static void
remsim_client_dbus_update_counters(RemsimDbusClient1Slot *iface, RemsimClientSlot *slot)
{
	const RemsimClientSlotCounters *c = remsim_client_slot_get_counters(slot);

	/* the skeleton only signals values that really changed */
	remsim_dbus_client1_slot_set_tpdus_to_card(iface, c->tpdus_to_card);
	remsim_dbus_client1_slot_set_tpdus_to_modem(iface, c->tpdus_to_modem);
	remsim_dbus_client1_slot_set_commands_dropped(iface, c->commands_dropped);
	remsim_dbus_client1_slot_set_status_indications(iface, c->status_indications);
	remsim_dbus_client1_slot_set_bankd_connects(iface, c->bankd_connects);
	remsim_dbus_client1_slot_set_server_connects(iface, c->server_connects);
}

static void
remsim_client_dbus_update_slot(RemsimDbusClient1Slot *iface, RemsimClientSlot *slot)
{
	RemsimClientFrontend *fe = remsim_client_slot_get_frontend(slot);
	const RsproBankSlot *bank = remsim_client_slot_get_bank_slot(slot);
	const RsproClientSlot *own = remsim_client_slot_get_client_slot(slot);
	const RsproSlotPhysStatus *st = remsim_client_frontend_get_status(fe);
	g_autofree gchar *server = remsim_client_slot_get_server_address(slot);
	g_autofree gchar *bankd = remsim_client_slot_get_bankd_address(slot);
	GBytes *atr = remsim_client_frontend_get_atr(fe);
	RemsimDbusSlotState state =
	    remsim_client_dbus_slot_state(remsim_client_slot_get_state(slot));
	GVariant *atr_v;

	atr_v =
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, atr ? g_bytes_get_data(atr, NULL) : NULL,
				      atr ? g_bytes_get_size(atr) : 0, 1);
	g_object_freeze_notify(G_OBJECT(iface));
	remsim_dbus_client1_slot_set_client_id(iface, own->client_id);
	remsim_dbus_client1_slot_set_slot_nr(iface, own->slot_nr);
	remsim_dbus_client1_slot_set_state(
	    iface, remsim_dbus_enums_get_nick(REMSIM_TYPE_DBUS_SLOT_STATE, state));
	remsim_dbus_client1_slot_set_server_state(
	    iface, remsim_client_dbus_link_state(remsim_client_slot_get_server_state(slot)));
	remsim_dbus_client1_slot_set_bankd_state(
	    iface, remsim_client_dbus_link_state(remsim_client_slot_get_bankd_state(slot)));
	remsim_dbus_client1_slot_set_server_address(iface, server);
	remsim_dbus_client1_slot_set_bankd_address(iface, bankd);
	remsim_dbus_client1_slot_set_bank_id(iface, bank->bank_id);
	remsim_dbus_client1_slot_set_bank_slot_nr(iface, bank->slot_nr);
	remsim_dbus_client1_slot_set_atr(iface, atr_v);
	remsim_dbus_client1_slot_set_card_present(iface,
						  remsim_client_frontend_get_card_present(fe));
	remsim_dbus_client1_slot_set_modem_reset(iface, st->reset_active);
	remsim_dbus_client1_slot_set_modem_vcc(iface, st->has_vcc_present && st->vcc_present);
	remsim_dbus_client1_slot_set_modem_clock(iface, st->has_clk_active && st->clk_active);
	remsim_client_dbus_update_counters(iface, slot);
	g_object_thaw_notify(G_OBJECT(iface));
}

static void
remsim_client_dbus_slot_changed_cb(RemsimClientSlot *slot, gpointer user_data)
{
	remsim_client_dbus_update_slot(REMSIM_DBUS_CLIENT1_SLOT(user_data), slot);
}

static gboolean
remsim_client_dbus_counter_cb(gpointer user_data)
{
	RemsimClientDbus *self = user_data;

	for (guint i = 0; i < self->slot_ifaces->len; i++)
		remsim_client_dbus_update_counters(self->slot_ifaces->pdata[i],
						   remsim_client_get_slot(self->client, i));
	return G_SOURCE_CONTINUE;
}

/* a reload (the method, or SIGHUP) may leave keys waiting for a restart */
static void
remsim_client_dbus_reloaded_cb(RemsimReload *reload, gpointer user_data)
{
	RemsimClientDbus *self = user_data;

	remsim_dbus_client1_set_restart_pending(self->root,
						remsim_reload_get_restart_pending(reload));
}

/* ---- methods ---- */

static gboolean
remsim_client_dbus_handle_reload_cb(RemsimDbusClient1 *root, GDBusMethodInvocation *invocation,
				    gpointer user_data)
{
	RemsimClientDbus *self = user_data;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;

	if (remsim_reload_run_for_call(self->reload, invocation, &applied, &needs_restart))
		remsim_dbus_client1_complete_reload(root, invocation, (const gchar *const *)applied,
						    (const gchar *const *)needs_restart);
	return TRUE;
}

static gboolean
remsim_client_dbus_handle_reset_card_cb(RemsimDbusClient1Slot *iface,
					GDBusMethodInvocation *invocation, gpointer user_data)
{
	RemsimClientSlot *slot = user_data;

	if (!remsim_client_slot_reset_card(slot)) {
		const RsproClientSlot *own = remsim_client_slot_get_client_slot(slot);

		g_dbus_method_invocation_return_error(
		    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_WRONG_STATE,
		    "client slot %u:%u has no card: it is not connected to its bank",
		    own->client_id, own->slot_nr);
		return TRUE;
	}
	remsim_dbus_client1_slot_complete_reset_card(iface, invocation);
	return TRUE;
}

/* ---- objects ---- */

/* the methods that change state: the bus policy and remsim-dbus-guard.h check the caller */
static const gchar *const remsim_client_dbus_guarded_root[] = { "Reload", NULL };
static const gchar *const remsim_client_dbus_guarded_slot[] = { "ResetCard", NULL };

static void
remsim_client_dbus_build(RemsimClientDbus *self)
{
	guint n = remsim_client_get_n_slots(self->client);

	self->root = remsim_dbus_client1_skeleton_new();
	remsim_dbus_client1_set_version(self->root, PACKAGE_VERSION);
	remsim_dbus_client1_set_api_version(self->root, REMSIM_DBUS_API_VERSION);
	remsim_dbus_client1_set_slot_count(self->root, n);
	remsim_client_dbus_reloaded_cb(self->reload, self);
	g_signal_connect(self->root, "handle-reload",
			 G_CALLBACK(remsim_client_dbus_handle_reload_cb), self);
	g_signal_connect(self->reload, "reloaded", G_CALLBACK(remsim_client_dbus_reloaded_cb),
			 self);
	remsim_dbus_guard_protect(G_DBUS_INTERFACE_SKELETON(self->root),
				  remsim_client_dbus_guarded_root, FALSE);

	self->manager = g_dbus_object_manager_server_new(REMSIM_DBUS_CLIENT_PATH);
	for (guint i = 0; i < n; i++) {
		RemsimClientSlot *slot = remsim_client_get_slot(self->client, i);
		const RsproClientSlot *own = remsim_client_slot_get_client_slot(slot);
		g_autofree gchar *path =
		    remsim_dbus_names_client_slot_path(own->client_id, own->slot_nr);
		g_autoptr(RemsimDbusObjectSkeleton) object = remsim_dbus_object_skeleton_new(path);
		RemsimDbusClient1Slot *iface = remsim_dbus_client1_slot_skeleton_new();

		remsim_dbus_client1_slot_set_frontend(
		    iface, remsim_client_get_frontend_name(self->client, i));
		remsim_client_dbus_update_slot(iface, slot);
		g_signal_connect_object(slot, "changed",
					G_CALLBACK(remsim_client_dbus_slot_changed_cb), iface, 0);
		g_signal_connect_object(iface, "handle-reset-card",
					G_CALLBACK(remsim_client_dbus_handle_reset_card_cb), slot,
					0);
		remsim_dbus_guard_protect(G_DBUS_INTERFACE_SKELETON(iface),
					  remsim_client_dbus_guarded_slot, TRUE);
		remsim_dbus_object_skeleton_set_client1_slot(object, iface);
		g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
		g_ptr_array_add(self->slot_ifaces, iface);
	}
}

static void
remsim_client_dbus_dispose(GObject *object)
{
	RemsimClientDbus *self = REMSIM_CLIENT_DBUS(object);

	g_clear_object(&self->publish);
	g_clear_handle_id(&self->counter_id, g_source_remove);
	if (self->reload != NULL)
		g_signal_handlers_disconnect_by_data(self->reload, self);
	if (self->root != NULL)
		g_signal_handlers_disconnect_by_data(self->root, self);
	g_clear_pointer(&self->slot_ifaces, g_ptr_array_unref);
	g_clear_object(&self->manager);
	g_clear_object(&self->root);
	g_clear_object(&self->reload);
	g_clear_object(&self->client);
	G_OBJECT_CLASS(remsim_client_dbus_parent_class)->dispose(object);
}

static void
remsim_client_dbus_class_init(RemsimClientDbusClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_client_dbus_dispose;
}

static void
remsim_client_dbus_init(RemsimClientDbus *self)
{
	self->slot_ifaces = g_ptr_array_new_with_free_func(g_object_unref);
}

RemsimClientDbus *
remsim_client_dbus_new(RemsimClient *client, RemsimReload *reload)
{
	RemsimClientDbus *self = g_object_new(REMSIM_TYPE_CLIENT_DBUS, NULL);

	self->client = g_object_ref(client);
	self->reload = g_object_ref(reload);
	remsim_client_dbus_build(self);
	self->counter_id = g_timeout_add(REMSIM_CLIENT_DBUS_COUNTER_INTERVAL_MS,
					 remsim_client_dbus_counter_cb, self);
	self->publish = remsim_dbus_publish_new(REMSIM_DBUS_CLIENT_NAME, self->manager,
						G_DBUS_INTERFACE_SKELETON(self->root));
	return self;
}

void
remsim_client_dbus_start(RemsimClientDbus *self, GBusType bus_type)
{
	g_return_if_fail(REMSIM_IS_CLIENT_DBUS(self));
	remsim_dbus_publish_start(self->publish, bus_type);
}
