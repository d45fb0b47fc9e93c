/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-dbus.h"
#include "remsim-dbus-guard.h"
#include "remsim-dbus-publish.h"
#include "remsim-dbus.h"

struct _RemsimBankdDbus {
	GObject parent_instance;
	RemsimBankd *bankd;
	RemsimReload *reload;
	GDBusObjectManagerServer *manager;
	RemsimDbusBankd1 *root;
	GPtrArray *slot_ifaces; /* RemsimDbusBankd1Slot, index = slot nr */
	RemsimDbusPublish *publish;
	guint counter_timer;
};

G_DEFINE_FINAL_TYPE(RemsimBankdDbus, remsim_bankd_dbus, G_TYPE_OBJECT)

/* ---- properties ---- */

static RemsimDbusSlotState
remsim_bankd_dbus_slot_state(RemsimBankdSlotState state)
{
	switch (state) {
	case REMSIM_BANKD_SLOT_STATE_IDLE:
		return REMSIM_DBUS_SLOT_STATE_IDLE;
	case REMSIM_BANKD_SLOT_STATE_MAPPED:
		return REMSIM_DBUS_SLOT_STATE_MAPPED;
	case REMSIM_BANKD_SLOT_STATE_CLIENT_CONNECTED:
		return REMSIM_DBUS_SLOT_STATE_CLIENT_CONNECTED;
	case REMSIM_BANKD_SLOT_STATE_CARD_POWERED:
		return REMSIM_DBUS_SLOT_STATE_CARD_POWERED;
	}
	return REMSIM_DBUS_SLOT_STATE_IDLE;
}

static const gchar *
remsim_bankd_dbus_inventory_word(RemsimBankdDbus *self, RemsimBankdSlot *slot)
{
	const RemsimCardInfo *info = remsim_bankd_slot_get_card_info(slot);

	if (!remsim_bankd_get_config(self->bankd)->inventory)
		return "off";
	if (remsim_bankd_slot_get_inventory_reading(slot))
		return "reading";
	if (info == NULL)
		return "unknown";
	return remsim_card_info_state_to_string(info->state);
}

static void
remsim_bankd_dbus_sync_card(RemsimBankdDbus *self, RemsimBankdSlot *slot,
			    RemsimDbusBankd1Slot *iface)
{
	const RemsimCardInfo *info = remsim_bankd_slot_get_card_info(slot);
	gsize atr_len = 0;
	const guint8 *atr =
	    info != NULL && info->atr != NULL ? g_bytes_get_data(info->atr, &atr_len) : NULL;

#define REMSIM_BANKD_DBUS_CARD_STRING(member) (info != NULL && info->member ? info->member : "")
	remsim_dbus_bankd1_slot_set_inventory(iface, remsim_bankd_dbus_inventory_word(self, slot));
	remsim_dbus_bankd1_slot_set_inventory_error(iface, REMSIM_BANKD_DBUS_CARD_STRING(error));
	remsim_dbus_bankd1_slot_set_card_type(iface, REMSIM_BANKD_DBUS_CARD_STRING(type));
	remsim_dbus_bankd1_slot_set_card_atr(
	    iface, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, atr, atr_len, 1));
	remsim_dbus_bankd1_slot_set_iccid(iface, REMSIM_BANKD_DBUS_CARD_STRING(iccid));
	remsim_dbus_bankd1_slot_set_imsi(iface, REMSIM_BANKD_DBUS_CARD_STRING(imsi));
	remsim_dbus_bankd1_slot_set_msisdn(iface, REMSIM_BANKD_DBUS_CARD_STRING(msisdn));
	remsim_dbus_bankd1_slot_set_spn(iface, REMSIM_BANKD_DBUS_CARD_STRING(spn));
	remsim_dbus_bankd1_slot_set_pin1(iface, REMSIM_BANKD_DBUS_CARD_STRING(pin1));
#undef REMSIM_BANKD_DBUS_CARD_STRING
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
	RemsimDbusSlotState state = remsim_bankd_dbus_slot_state(remsim_bankd_slot_get_state(slot));

	g_object_freeze_notify(G_OBJECT(iface));
	remsim_dbus_bankd1_slot_set_state(
	    iface, remsim_dbus_enums_get_nick(REMSIM_TYPE_DBUS_SLOT_STATE, state));
	remsim_dbus_bankd1_slot_set_mapped(iface, mapped);
	remsim_dbus_bankd1_slot_set_client_slot(
	    iface, g_variant_new("(qq)", client.client_id, client.slot_nr));
	remsim_dbus_bankd1_slot_set_atr(
	    iface, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, atr_data, atr_len, 1));
	remsim_dbus_bankd1_slot_set_card_present(iface, remsim_bankd_slot_get_card_present(slot));
	remsim_bankd_dbus_sync_card(self, slot, iface);
	g_object_thaw_notify(G_OBJECT(iface));
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
	remsim_dbus_bankd1_set_apdus_relayed(self->root, apdus);
	remsim_dbus_bankd1_set_errors(self->root, errors);
	return G_SOURCE_CONTINUE;
}

static void
remsim_bankd_dbus_server_state_cb(RemsimBankd *bankd, gpointer user_data)
{
	RemsimBankdDbus *self = user_data;

	remsim_dbus_bankd1_set_server_state(
	    self->root, remsim_dbus_enums_get_nick(RSPRO_TYPE_LINK_STATE,
						   remsim_bankd_get_server_state(bankd)));
}

/* a reload (the method, or SIGHUP) may move the server and leave keys waiting */
static void
remsim_bankd_dbus_reloaded_cb(RemsimReload *reload, gpointer user_data)
{
	RemsimBankdDbus *self = user_data;
	const RemsimBankdConfig *config = remsim_bankd_get_config(self->bankd);
	g_autofree gchar *server =
	    g_strdup_printf("%s:%u", config->server_host, config->server_port);

	remsim_dbus_bankd1_set_server_address(self->root, server);
	remsim_dbus_bankd1_set_restart_pending(self->root,
					       remsim_reload_get_restart_pending(reload));
}

/* ---- methods ---- */

static gboolean
remsim_bankd_dbus_handle_reload_cb(RemsimDbusBankd1 *root, GDBusMethodInvocation *invocation,
				   gpointer user_data)
{
	RemsimBankdDbus *self = user_data;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;

	if (remsim_reload_run_for_call(self->reload, invocation, &applied, &needs_restart))
		remsim_dbus_bankd1_complete_reload(root, invocation, (const gchar *const *)applied,
						   (const gchar *const *)needs_restart);
	return TRUE;
}

/* a ResetCard waiting for the card: the slot's interface and the call */
typedef struct {
	RemsimDbusBankd1Slot *iface;
	GDBusMethodInvocation *invocation; /* answered exactly once */
} RemsimBankdDbusCall;

static void
remsim_bankd_dbus_call_free(RemsimBankdDbusCall *call)
{
	g_object_unref(call->iface);
	g_free(call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBankdDbusCall, remsim_bankd_dbus_call_free)

static void
remsim_bankd_dbus_reset_card_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimBankdDbusCall) call = user_data;
	g_autoptr(GError) error = NULL;
	gint code;

	if (remsim_bankd_slot_reset_card_finish(REMSIM_BANKD_SLOT(source), result, &error)) {
		remsim_dbus_bankd1_slot_complete_reset_card(call->iface, call->invocation);
		return;
	}
	code = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED)
		   ? REMSIM_DBUS_ERROR_WRONG_STATE
		   : REMSIM_DBUS_ERROR_FAILED;
	g_dbus_method_invocation_return_error_literal(call->invocation, REMSIM_DBUS_ERROR, code,
						      error->message);
}

static gboolean
remsim_bankd_dbus_handle_reset_card_cb(RemsimDbusBankd1Slot *iface,
				       GDBusMethodInvocation *invocation, gpointer user_data)
{
	RemsimBankdDbus *self = user_data;
	RemsimBankdSlot *slot =
	    remsim_bankd_get_slot(self->bankd, remsim_dbus_bankd1_slot_get_slot_nr(iface));
	RemsimBankdDbusCall *call;

	if (remsim_bankd_slot_get_state(slot) != REMSIM_BANKD_SLOT_STATE_CARD_POWERED) {
		g_dbus_method_invocation_return_error(
		    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_WRONG_STATE,
		    "bank slot %u has no powered card (no client, or no card)",
		    remsim_bankd_slot_get_nr(slot));
		return TRUE;
	}
	/* the reply waits for the card */
	call = g_new0(RemsimBankdDbusCall, 1);
	call->iface = g_object_ref(iface);
	call->invocation = invocation;
	remsim_bankd_slot_reset_card_async(slot, NULL, remsim_bankd_dbus_reset_card_ready, call);
	return TRUE;
}

static gboolean
remsim_bankd_dbus_handle_drop_client_cb(RemsimDbusBankd1Slot *iface,
					GDBusMethodInvocation *invocation, gpointer user_data)
{
	RemsimBankdDbus *self = user_data;
	RemsimBankdSlot *slot =
	    remsim_bankd_get_slot(self->bankd, remsim_dbus_bankd1_slot_get_slot_nr(iface));

	if (!remsim_bankd_slot_drop_client(slot)) {
		g_dbus_method_invocation_return_error(
		    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_WRONG_STATE,
		    "no client is connected to bank slot %u", remsim_bankd_slot_get_nr(slot));
		return TRUE;
	}
	remsim_dbus_bankd1_slot_complete_drop_client(iface, invocation);
	return TRUE;
}

/* ---- objects ---- */

/* the methods that change state: the bus policy and remsim-dbus-guard.h check the caller */
static const gchar *const remsim_bankd_dbus_guarded_root[] = { "Reload", NULL };
static const gchar *const remsim_bankd_dbus_guarded_slot[] = { "ResetCard", "DropClient", NULL };

static void
remsim_bankd_dbus_build_root(RemsimBankdDbus *self)
{
	const RemsimBankdConfig *config = remsim_bankd_get_config(self->bankd);

	self->root = remsim_dbus_bankd1_skeleton_new();
	remsim_dbus_bankd1_set_version(self->root, PACKAGE_VERSION);
	remsim_dbus_bankd1_set_api_version(self->root, REMSIM_DBUS_API_VERSION);
	remsim_dbus_bankd1_set_bank_id(self->root, config->bank_id);
	remsim_dbus_bankd1_set_num_slots(self->root, remsim_bankd_get_n_slots(self->bankd));
	remsim_dbus_bankd1_set_backend(self->root, config->backend);
	remsim_dbus_bankd1_set_client_port(self->root, remsim_bankd_get_port(self->bankd));
	remsim_bankd_dbus_reloaded_cb(self->reload, self);
	remsim_bankd_dbus_server_state_cb(self->bankd, self);
	g_signal_connect(self->bankd, "server-state-changed",
			 G_CALLBACK(remsim_bankd_dbus_server_state_cb), self);
	g_signal_connect(self->reload, "reloaded", G_CALLBACK(remsim_bankd_dbus_reloaded_cb), self);
	g_signal_connect(self->root, "handle-reload",
			 G_CALLBACK(remsim_bankd_dbus_handle_reload_cb), self);
	remsim_dbus_guard_protect(G_DBUS_INTERFACE_SKELETON(self->root),
				  remsim_bankd_dbus_guarded_root, FALSE);
}

static void
remsim_bankd_dbus_build_slots(RemsimBankdDbus *self)
{
	self->manager = g_dbus_object_manager_server_new(REMSIM_DBUS_BANKD_PATH);
	self->slot_ifaces = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < remsim_bankd_get_n_slots(self->bankd); i++) {
		RemsimBankdSlot *slot = remsim_bankd_get_slot(self->bankd, i);
		g_autofree gchar *path = remsim_dbus_names_bankd_slot_path(i);
		g_autoptr(RemsimDbusObjectSkeleton) object = remsim_dbus_object_skeleton_new(path);
		RemsimDbusBankd1Slot *iface = remsim_dbus_bankd1_slot_skeleton_new();

		remsim_dbus_bankd1_slot_set_slot_nr(iface, i);
		g_ptr_array_add(self->slot_ifaces, iface);
		remsim_bankd_dbus_sync_slot(self, slot);
		g_signal_connect(slot, "changed", G_CALLBACK(remsim_bankd_dbus_slot_changed_cb),
				 self);
		g_signal_connect(iface, "handle-reset-card",
				 G_CALLBACK(remsim_bankd_dbus_handle_reset_card_cb), self);
		g_signal_connect(iface, "handle-drop-client",
				 G_CALLBACK(remsim_bankd_dbus_handle_drop_client_cb), self);
		remsim_dbus_guard_protect(G_DBUS_INTERFACE_SKELETON(iface),
					  remsim_bankd_dbus_guarded_slot, TRUE);
		remsim_dbus_object_skeleton_set_bankd1_slot(object, iface);
		g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
	}
}

static void
remsim_bankd_dbus_dispose(GObject *object)
{
	RemsimBankdDbus *self = REMSIM_BANKD_DBUS(object);

	g_clear_object(&self->publish);
	g_clear_handle_id(&self->counter_timer, g_source_remove);
	if (self->bankd != NULL) {
		g_signal_handlers_disconnect_by_data(self->bankd, self);
		for (guint i = 0; i < remsim_bankd_get_n_slots(self->bankd); i++)
			g_signal_handlers_disconnect_by_data(remsim_bankd_get_slot(self->bankd, i),
							     self);
	}
	if (self->reload != NULL)
		g_signal_handlers_disconnect_by_data(self->reload, self);
	for (guint i = 0; self->slot_ifaces != NULL && i < self->slot_ifaces->len; i++)
		g_signal_handlers_disconnect_by_data(self->slot_ifaces->pdata[i], self);
	if (self->root != NULL)
		g_signal_handlers_disconnect_by_data(self->root, self);
	g_clear_object(&self->manager);
	g_clear_object(&self->root);
	g_clear_pointer(&self->slot_ifaces, g_ptr_array_unref);
	g_clear_object(&self->reload);
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
remsim_bankd_dbus_new(RemsimBankd *bankd, RemsimReload *reload)
{
	RemsimBankdDbus *self = g_object_new(REMSIM_TYPE_BANKD_DBUS, NULL);

	self->bankd = g_object_ref(bankd);
	self->reload = g_object_ref(reload);
	remsim_bankd_dbus_build_root(self);
	remsim_bankd_dbus_build_slots(self);
	self->counter_timer = g_timeout_add(REMSIM_BANKD_DBUS_COUNTER_INTERVAL_MS,
					    remsim_bankd_dbus_counter_timer_cb, self);
	self->publish = remsim_dbus_publish_new(REMSIM_DBUS_BANKD_NAME, self->manager,
						G_DBUS_INTERFACE_SKELETON(self->root));
	return self;
}

void
remsim_bankd_dbus_start(RemsimBankdDbus *self, GBusType bus_type)
{
	g_return_if_fail(REMSIM_IS_BANKD_DBUS(self));
	remsim_dbus_publish_start(self->publish, bus_type);
}
