/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-dbus.h"
#include "remsim-bankd-generated.h"

struct _RemsimBankdDbus {
	GObject parent_instance;
	RemsimBankd *bankd;
	GCancellable *cancellable;
	GDBusConnection *bus;
	GDBusObjectManagerServer *manager;
	RemsimDbusBankd1 *bank_iface;
	GPtrArray *slot_ifaces; /* RemsimDbusBankd1Slot, index = slot nr */
	guint owner_id;
	guint counter_timer;
};

G_DEFINE_TYPE(RemsimBankdDbus, remsim_bankd_dbus, G_TYPE_OBJECT)

static const gchar *
remsim_bankd_dbus_link_state_name(RsproLinkState state)
{
	switch (state) {
	case RSPRO_LINK_STATE_IDLE:
		return "idle";
	case RSPRO_LINK_STATE_WAITING:
		return "waiting";
	case RSPRO_LINK_STATE_CONNECTING:
		return "connecting";
	case RSPRO_LINK_STATE_ESTABLISHED:
		return "established";
	case RSPRO_LINK_STATE_CONNECTED:
		return "connected";
	}
	return "unknown";
}

static void
remsim_bankd_dbus_sync_slot(RemsimBankdDbus *self, RemsimBankdSlot *slot)
{
	RemsimDbusBankd1Slot *iface = self->slot_ifaces->pdata[remsim_bankd_slot_get_nr(slot)];
	RsproClientSlot client = { 0 };
	gboolean mapped = remsim_bankd_slot_get_client_slot(slot, &client);
	GBytes *atr = remsim_bankd_slot_get_atr(slot);
	gsize atr_len = 0;
	const guint8 *atr_data = atr != NULL ? g_bytes_get_data(atr, &atr_len) : NULL;

	remsim_dbus_bankd1_slot_set_state(
	    iface, remsim_bankd_slot_state_to_string(remsim_bankd_slot_get_state(slot)));
	remsim_dbus_bankd1_slot_set_mapped(iface, mapped);
	remsim_dbus_bankd1_slot_set_client_slot(
	    iface, g_variant_new("(qq)", client.client_id, client.slot_nr));
	remsim_dbus_bankd1_slot_set_atr(
	    iface, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, atr_data, atr_len, 1));
	remsim_dbus_bankd1_slot_set_card_present(iface, remsim_bankd_slot_get_card_present(slot));
}

static void
remsim_bankd_dbus_slot_changed_cb(RemsimBankdSlot *slot, gpointer user_data)
{
	remsim_bankd_dbus_sync_slot(REMSIM_BANKD_DBUS(user_data), slot);
}

/* counters change with every APDU: copy them on a timer, not on each change */
static gboolean
remsim_bankd_dbus_counter_timer_cb(gpointer user_data)
{
	RemsimBankdDbus *self = user_data;
	guint64 apdus = 0, errors = 0;

	for (guint i = 0; i < self->slot_ifaces->len; i++) {
		RemsimBankdSlot *slot = remsim_bankd_get_slot(self->bankd, i);
		RemsimDbusBankd1Slot *iface = self->slot_ifaces->pdata[i];

		remsim_dbus_bankd1_slot_set_apdus(iface, remsim_bankd_slot_get_apdus(slot));
		remsim_dbus_bankd1_slot_set_errors(iface, remsim_bankd_slot_get_errors(slot));
		apdus += remsim_bankd_slot_get_apdus(slot);
		errors += remsim_bankd_slot_get_errors(slot);
	}
	remsim_dbus_bankd1_set_apdus_relayed(self->bank_iface, apdus);
	remsim_dbus_bankd1_set_errors(self->bank_iface, errors);
	return G_SOURCE_CONTINUE;
}

static void
remsim_bankd_dbus_server_state_cb(RemsimBankd *bankd, gpointer user_data)
{
	RemsimBankdDbus *self = user_data;

	remsim_dbus_bankd1_set_server_state(
	    self->bank_iface,
	    remsim_bankd_dbus_link_state_name(remsim_bankd_get_server_state(bankd)));
}

static void
remsim_bankd_dbus_build_bank(RemsimBankdDbus *self)
{
	const RemsimBankdConfig *config = remsim_bankd_get_config(self->bankd);
	g_autofree gchar *server =
	    g_strdup_printf("%s:%u", config->server_host, config->server_port);

	self->bank_iface = remsim_dbus_bankd1_skeleton_new();
	remsim_dbus_bankd1_set_bank_id(self->bank_iface, config->bank_id);
	remsim_dbus_bankd1_set_num_slots(self->bank_iface, remsim_bankd_get_n_slots(self->bankd));
	remsim_dbus_bankd1_set_backend(self->bank_iface, config->backend);
	remsim_dbus_bankd1_set_client_port(self->bank_iface, remsim_bankd_get_port(self->bankd));
	remsim_dbus_bankd1_set_server_address(self->bank_iface, server);
	remsim_bankd_dbus_server_state_cb(self->bankd, self);
	g_signal_connect(self->bankd, "server-state-changed",
			 G_CALLBACK(remsim_bankd_dbus_server_state_cb), self);
}

static void
remsim_bankd_dbus_build_slots(RemsimBankdDbus *self)
{
	self->manager = g_dbus_object_manager_server_new(REMSIM_BANKD_DBUS_PATH);
	self->slot_ifaces = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < remsim_bankd_get_n_slots(self->bankd); i++) {
		RemsimBankdSlot *slot = remsim_bankd_get_slot(self->bankd, i);
		g_autofree gchar *path = g_strdup_printf(REMSIM_BANKD_DBUS_PATH "/Slot%u", i);
		g_autoptr(GDBusObjectSkeleton) object = g_dbus_object_skeleton_new(path);
		RemsimDbusBankd1Slot *iface = remsim_dbus_bankd1_slot_skeleton_new();

		remsim_dbus_bankd1_slot_set_slot_nr(iface, i);
		g_ptr_array_add(self->slot_ifaces, iface);
		remsim_bankd_dbus_sync_slot(self, slot);
		g_signal_connect(slot, "changed", G_CALLBACK(remsim_bankd_dbus_slot_changed_cb),
				 self);
		g_dbus_object_skeleton_add_interface(object, G_DBUS_INTERFACE_SKELETON(iface));
		g_dbus_object_manager_server_export(self->manager, object);
	}
}

static void
remsim_bankd_dbus_name_lost_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	g_message("D-Bus name %s not owned; the bank runs on without it", name);
}

static void
remsim_bankd_dbus_bus_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *bus = g_bus_get_finish(result, &error);
	RemsimBankdDbus *self;

	if (bus == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("No D-Bus (%s); running without it", error->message);
		return;
	}
	self = REMSIM_BANKD_DBUS(user_data);
	self->bus = bus;
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->bank_iface), bus,
					      REMSIM_BANKD_DBUS_PATH, &error)) {
		g_warning("Cannot export on D-Bus: %s", error->message);
		return;
	}
	g_dbus_object_manager_server_set_connection(self->manager, bus);
	self->owner_id =
	    g_bus_own_name_on_connection(bus, REMSIM_BANKD_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
					 NULL, remsim_bankd_dbus_name_lost_cb, self, NULL);
}

static void
remsim_bankd_dbus_dispose(GObject *object)
{
	RemsimBankdDbus *self = REMSIM_BANKD_DBUS(object);

	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->owner_id != 0)
		g_bus_unown_name(self->owner_id);
	self->owner_id = 0;
	g_clear_handle_id(&self->counter_timer, g_source_remove);
	if (self->bankd != NULL) {
		g_signal_handlers_disconnect_by_data(self->bankd, self);
		for (guint i = 0; i < remsim_bankd_get_n_slots(self->bankd); i++)
			g_signal_handlers_disconnect_by_data(remsim_bankd_get_slot(self->bankd, i),
							     self);
	}
	if (self->bank_iface != NULL && self->bus != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->bank_iface));
	g_clear_object(&self->manager);
	g_clear_object(&self->bank_iface);
	g_clear_pointer(&self->slot_ifaces, g_ptr_array_unref);
	g_clear_object(&self->bus);
	g_clear_object(&self->bankd);
	G_OBJECT_CLASS(remsim_bankd_dbus_parent_class)->dispose(object);
}

static void
remsim_bankd_dbus_class_init(RemsimBankdDbusClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_bankd_dbus_dispose;
}

static void
remsim_bankd_dbus_init(RemsimBankdDbus *self)
{
}

RemsimBankdDbus *
remsim_bankd_dbus_new(RemsimBankd *bankd, gboolean session_bus)
{
	RemsimBankdDbus *self = g_object_new(REMSIM_TYPE_BANKD_DBUS, NULL);

	self->bankd = g_object_ref(bankd);
	self->cancellable = g_cancellable_new();
	remsim_bankd_dbus_build_bank(self);
	remsim_bankd_dbus_build_slots(self);
	self->counter_timer = g_timeout_add(REMSIM_BANKD_DBUS_COUNTER_INTERVAL_MS,
					    remsim_bankd_dbus_counter_timer_cb, self);
	g_bus_get(session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, self->cancellable,
		  remsim_bankd_dbus_bus_ready, self);
	return self;
}
