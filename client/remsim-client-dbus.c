/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-dbus-generated.h"
#include "remsim-client-dbus.h"

/* counters change with every TPDU: publish them at most this often */
#define DBUS_COUNTER_INTERVAL_MS 1000

struct _RemsimClientDbus {
	GObject parent_instance;

	RemsimClient *client;
	GCancellable *cancellable;
	GDBusConnection *bus;
	GDBusObjectManagerServer *manager;
	RemsimDbusClient1 *daemon_iface;
	GPtrArray *slot_ifaces; /* RemsimDbusClient1Slot, per slot */
	guint owner_id;
	guint counter_id;
};

G_DEFINE_FINAL_TYPE(RemsimClientDbus, remsim_client_dbus, G_TYPE_OBJECT)

static void
dbus_update_counters(RemsimDbusClient1Slot *iface, RemsimClientSlot *slot)
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
	GVariant *atr_v;

	atr_v =
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, atr ? g_bytes_get_data(atr, NULL) : NULL,
				      atr ? g_bytes_get_size(atr) : 0, 1);
	g_object_freeze_notify(G_OBJECT(iface));
	remsim_dbus_client1_slot_set_client_id(iface, own->client_id);
	remsim_dbus_client1_slot_set_slot_nr(iface, own->slot_nr);
	remsim_dbus_client1_slot_set_state(
	    iface, remsim_client_slot_state_to_string(remsim_client_slot_get_state(slot)));
	remsim_dbus_client1_slot_set_server_state(
	    iface,
	    remsim_client_slot_link_state_to_string(remsim_client_slot_get_server_state(slot)));
	remsim_dbus_client1_slot_set_bankd_state(
	    iface,
	    remsim_client_slot_link_state_to_string(remsim_client_slot_get_bankd_state(slot)));
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
	dbus_update_counters(iface, slot);
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
		dbus_update_counters(self->slot_ifaces->pdata[i],
				     remsim_client_get_slot(self->client, i));
	return G_SOURCE_CONTINUE;
}

static void
remsim_client_dbus_export(RemsimClientDbus *self)
{
	g_autoptr(GError) error = NULL;
	guint n = remsim_client_get_n_slots(self->client);

	/* the manager's own path may not hold a managed object: export the daemon beside it */
	self->manager = g_dbus_object_manager_server_new(REMSIM_CLIENT_DBUS_PATH);
	self->daemon_iface = remsim_dbus_client1_skeleton_new();
	remsim_dbus_client1_set_version(self->daemon_iface, PACKAGE_VERSION);
	remsim_dbus_client1_set_slot_count(self->daemon_iface, n);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->daemon_iface),
					      self->bus, REMSIM_CLIENT_DBUS_PATH, &error))
		g_warning("Cannot export %s on D-Bus: %s", REMSIM_CLIENT_DBUS_PATH, error->message);

	for (guint i = 0; i < n; i++) {
		RemsimClientSlot *slot = remsim_client_get_slot(self->client, i);
		const RsproClientSlot *own = remsim_client_slot_get_client_slot(slot);
		g_autofree gchar *path = g_strdup_printf(REMSIM_CLIENT_DBUS_PATH "/Slot/%u_%u",
							 own->client_id, own->slot_nr);
		g_autoptr(GDBusObjectSkeleton) obj = g_dbus_object_skeleton_new(path);
		RemsimDbusClient1Slot *iface = remsim_dbus_client1_slot_skeleton_new();

		remsim_dbus_client1_slot_set_frontend(
		    iface, remsim_client_get_frontend_name(self->client, i));
		remsim_client_dbus_update_slot(iface, slot);
		g_signal_connect_object(slot, "changed",
					G_CALLBACK(remsim_client_dbus_slot_changed_cb), iface, 0);
		g_dbus_object_skeleton_add_interface(obj, G_DBUS_INTERFACE_SKELETON(iface));
		g_dbus_object_manager_server_export(self->manager, obj);
		g_ptr_array_add(self->slot_ifaces, iface);
	}
	g_dbus_object_manager_server_set_connection(self->manager, self->bus);
	self->counter_id =
	    g_timeout_add(DBUS_COUNTER_INTERVAL_MS, remsim_client_dbus_counter_cb, self);
}

static void
remsim_client_dbus_name_lost_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	/* the objects stay reachable under our unique name */
	g_warning("Cannot own the D-Bus name %s (another client runs, or the bus policy "
		  "forbids it)",
		  name);
}

static void
remsim_client_dbus_bus_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimClientDbus *self = user_data;
	g_autoptr(GError) error = NULL;
	GDBusConnection *bus = g_bus_get_finish(result, &error);

	if (bus == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		g_warning("No D-Bus (%s); running without it", error->message);
		return;
	}
	self->bus = bus;
	g_dbus_connection_set_exit_on_close(bus, FALSE);
	remsim_client_dbus_export(self);
	self->owner_id =
	    g_bus_own_name_on_connection(bus, REMSIM_CLIENT_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
					 NULL, remsim_client_dbus_name_lost_cb, NULL, NULL);
}

void
remsim_client_dbus_start(RemsimClientDbus *self, GBusType bus_type)
{
	g_return_if_fail(REMSIM_IS_CLIENT_DBUS(self));
	if (self->cancellable != NULL)
		return;
	self->cancellable = g_cancellable_new();
	g_bus_get(bus_type, self->cancellable, remsim_client_dbus_bus_ready, self);
}

static void
remsim_client_dbus_dispose(GObject *object)
{
	RemsimClientDbus *self = REMSIM_CLIENT_DBUS(object);

	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_handle_id(&self->counter_id, g_source_remove);
	g_clear_handle_id(&self->owner_id, g_bus_unown_name);
	g_clear_pointer(&self->slot_ifaces, g_ptr_array_unref);
	if (self->daemon_iface != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->daemon_iface));
	g_clear_object(&self->daemon_iface);
	g_clear_object(&self->manager);
	g_clear_object(&self->bus);
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
remsim_client_dbus_new(RemsimClient *client)
{
	RemsimClientDbus *self = g_object_new(REMSIM_TYPE_CLIENT_DBUS, NULL);

	self->client = g_object_ref(client);
	return self;
}
