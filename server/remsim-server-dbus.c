/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-audit.h"
#include "remsim-dbus-guard.h"
#include "remsim-dbus-publish.h"
#include "remsim-log.h"
#include "remsim-dbus.h"
#include "remsim-server-dbus.h"

struct _RemsimServerDbus {
	GObject parent_instance;
	RemsimServer *server;
	RemsimReload *reload;
	RemsimServerEvents *events;
	RemsimDbusServer1 *root;
	GDBusObjectManagerServer *manager;
	RemsimDbusPublish *publish;
};

G_DEFINE_FINAL_TYPE(RemsimServerDbus, remsim_server_dbus, G_TYPE_OBJECT)

/* a method call answered later: the interface it came to, the call, its audit line */
typedef struct {
	RemsimDbusServer1 *root;
	GDBusMethodInvocation *invocation; /* answered exactly once */
	gchar *caller;			   /* remsim-dbus-guard.h */
	const gchar *action;
	gchar *details;
} RemsimServerDbusCall;

static RemsimServerDbusCall *remsim_server_dbus_call_new(RemsimDbusServer1 *root,
							 GDBusMethodInvocation *invocation,
							 const gchar *action, const gchar *format,
							 ...) G_GNUC_PRINTF(4, 5);

static RemsimServerDbusCall *
remsim_server_dbus_call_new(RemsimDbusServer1 *root, GDBusMethodInvocation *invocation,
			    const gchar *action, const gchar *format, ...)
{
	RemsimServerDbusCall *call = g_new0(RemsimServerDbusCall, 1);
	va_list ap;

	call->root = g_object_ref(root);
	call->invocation = invocation;
	call->caller = g_strdup(remsim_dbus_guard_get_caller(invocation));
	call->action = action;
	va_start(ap, format);
	call->details = g_strdup_vprintf(format, ap);
	va_end(ap);
	return call;
}

static void
remsim_server_dbus_call_free(RemsimServerDbusCall *call)
{
	g_object_unref(call->root);
	g_free(call->caller);
	g_free(call->details);
	g_free(call);
}

/* the audit line of a change once it is done (@error NULL: ok) */
static void
remsim_server_dbus_call_audit(RemsimServerDbusCall *call, const GError *error)
{
	g_autofree gchar *result =
	    error != NULL ? g_strdup_printf("failed (%s)", error->message) : g_strdup("ok");

	remsim_audit(call->caller, call->action, result, "%s", call->details);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimServerDbusCall, remsim_server_dbus_call_free)

/* ---- objects: banks, clients, slot maps ---- */

static void
remsim_server_dbus_bank_added_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path =
	    remsim_dbus_names_server_bank_path(remsim_server_peer_get_bank_id(peer));
	g_autoptr(RemsimDbusObjectSkeleton) object = remsim_dbus_object_skeleton_new(path);
	g_autoptr(RemsimDbusServer1Bank) bank = remsim_dbus_server1_bank_skeleton_new();
	const RsproComponentIdentity *id = remsim_server_peer_get_identity(peer);

	remsim_dbus_server1_bank_set_bank_id(bank, remsim_server_peer_get_bank_id(peer));
	remsim_dbus_server1_bank_set_number_of_slots(bank,
						     remsim_server_peer_get_number_of_slots(peer));
	remsim_dbus_server1_bank_set_peer(bank, remsim_server_peer_get_id(peer));
	remsim_dbus_server1_bank_set_address(
	    bank, rspro_connection_get_peer_name(remsim_server_peer_get_connection(peer)));
	remsim_dbus_server1_bank_set_name(bank, id->name != NULL ? id->name : "");
	remsim_dbus_server1_bank_set_software(bank, id->software != NULL ? id->software : "");
	remsim_dbus_server1_bank_set_software_version(bank,
						      id->sw_version != NULL ? id->sw_version : "");
	remsim_dbus_object_skeleton_set_server1_bank(object, bank);
	g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
}

static void
remsim_server_dbus_bank_removed_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path =
	    remsim_dbus_names_server_bank_path(remsim_server_peer_get_bank_id(peer));

	g_dbus_object_manager_server_unexport(self->manager, path);
}

static gchar *
remsim_server_dbus_client_path(RemsimServerPeer *peer)
{
	const RsproClientSlot *slot = remsim_server_peer_get_client_slot(peer);

	return remsim_dbus_names_server_client_path(slot->client_id, slot->slot_nr);
}

static void
remsim_server_dbus_client_added_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path = remsim_server_dbus_client_path(peer);
	g_autoptr(RemsimDbusObjectSkeleton) object = remsim_dbus_object_skeleton_new(path);
	g_autoptr(RemsimDbusServer1Client) client = remsim_dbus_server1_client_skeleton_new();
	const RsproComponentIdentity *id = remsim_server_peer_get_identity(peer);
	const RsproClientSlot *slot = remsim_server_peer_get_client_slot(peer);

	remsim_dbus_server1_client_set_client_id(client, slot->client_id);
	remsim_dbus_server1_client_set_slot_nr(client, slot->slot_nr);
	remsim_dbus_server1_client_set_peer(client, remsim_server_peer_get_id(peer));
	remsim_dbus_server1_client_set_address(
	    client, rspro_connection_get_peer_name(remsim_server_peer_get_connection(peer)));
	remsim_dbus_server1_client_set_name(client, id->name != NULL ? id->name : "");
	remsim_dbus_server1_client_set_software(client, id->software != NULL ? id->software : "");
	remsim_dbus_server1_client_set_software_version(
	    client, id->sw_version != NULL ? id->sw_version : "");
	remsim_dbus_object_skeleton_set_server1_client(object, client);
	g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
}

static void
remsim_server_dbus_client_removed_cb(RemsimServer *server, RemsimServerPeer *peer, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path = remsim_server_dbus_client_path(peer);

	g_dbus_object_manager_server_unexport(self->manager, path);
}

static RemsimDbusSlotmapState
remsim_server_dbus_slotmap_state(RemsimServerSlotmapState state)
{
	switch (state) {
	case REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED:
		return REMSIM_DBUS_SLOTMAP_STATE_UNACKNOWLEDGED;
	case REMSIM_SERVER_SLOTMAP_ACTIVE:
		return REMSIM_DBUS_SLOTMAP_STATE_ACTIVE;
	case REMSIM_SERVER_SLOTMAP_ERROR:
		return REMSIM_DBUS_SLOTMAP_STATE_ERROR;
	case REMSIM_SERVER_SLOTMAP_NEW:
	case REMSIM_SERVER_SLOTMAP_DELETE_REQ: /* deleted maps are not listed */
	case REMSIM_SERVER_SLOTMAP_DELETING:
		break;
	}
	return REMSIM_DBUS_SLOTMAP_STATE_NEW;
}

static void
remsim_server_dbus_update_slotmap(RemsimDbusServer1Slotmap *iface, RemsimServerSlotmap *map)
{
	g_autofree gchar *error = remsim_server_slotmap_dup_error_name(map);

	/* one PropertiesChanged for both */
	g_object_freeze_notify(G_OBJECT(iface));
	remsim_dbus_server1_slotmap_set_state(
	    iface, remsim_dbus_enums_get_nick(REMSIM_TYPE_DBUS_SLOTMAP_STATE,
					      remsim_server_dbus_slotmap_state(map->state)));
	remsim_dbus_server1_slotmap_set_error(iface, error != NULL ? error : "");
	g_object_thaw_notify(G_OBJECT(iface));
}

/* a listed map appeared (its object is exported whole) or changed state */
static void
remsim_server_dbus_slotmap_changed_cb(RemsimServer *server, RemsimServerSlotmap *map, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path =
	    remsim_dbus_names_server_slotmap_path(remsim_server_slotmap_get_id(map));
	g_autoptr(GDBusObject) found =
	    g_dbus_object_manager_get_object(G_DBUS_OBJECT_MANAGER(self->manager), path);
	g_autoptr(RemsimDbusObjectSkeleton) object = NULL;
	g_autoptr(RemsimDbusServer1Slotmap) iface = NULL;

	if (found != NULL) {
		iface = remsim_dbus_object_get_server1_slotmap(REMSIM_DBUS_OBJECT(found));
		remsim_server_dbus_update_slotmap(iface, map);
		return;
	}
	object = remsim_dbus_object_skeleton_new(path);
	iface = remsim_dbus_server1_slotmap_skeleton_new();
	remsim_dbus_server1_slotmap_set_id(iface, remsim_server_slotmap_get_id(map));
	remsim_dbus_server1_slotmap_set_bank_id(iface, map->bank.bank_id);
	remsim_dbus_server1_slotmap_set_bank_slot_nr(iface, map->bank.slot_nr);
	remsim_dbus_server1_slotmap_set_client_id(iface, map->client.client_id);
	remsim_dbus_server1_slotmap_set_client_slot_nr(iface, map->client.slot_nr);
	remsim_server_dbus_update_slotmap(iface, map);
	remsim_dbus_object_skeleton_set_server1_slotmap(object, iface);
	g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
}

static void
remsim_server_dbus_slotmap_removed_cb(RemsimServer *server, RemsimServerSlotmap *map, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path =
	    remsim_dbus_names_server_slotmap_path(remsim_server_slotmap_get_id(map));

	g_dbus_object_manager_server_unexport(self->manager, path);
}

/* ---- bank slots (the banks' reports) ---- */

static void
remsim_server_dbus_update_bank_slot(RemsimDbusServer1BankSlot *iface,
				    const RemsimServerBankSlot *slot)
{
	const RemsimCardInfo *card = slot->card;

#define REMSIM_SERVER_DBUS_CARD(member) (card != NULL && card->member != NULL ? card->member : "")
	g_object_freeze_notify(G_OBJECT(iface));
	remsim_dbus_server1_bank_slot_set_state(iface, slot->state != NULL ? slot->state : "");
	remsim_dbus_server1_bank_slot_set_card_present(iface, slot->card_present);
	remsim_dbus_server1_bank_slot_set_apdus(iface, slot->apdus);
	remsim_dbus_server1_bank_slot_set_errors(iface, slot->errors);
	remsim_dbus_server1_bank_slot_set_stale(iface, slot->stale);
	remsim_dbus_server1_bank_slot_set_inventory(
	    iface, card != NULL ? remsim_card_info_state_to_string(card->state) : "unknown");
	remsim_dbus_server1_bank_slot_set_card_type(iface, REMSIM_SERVER_DBUS_CARD(type));
	remsim_dbus_server1_bank_slot_set_iccid(iface, REMSIM_SERVER_DBUS_CARD(iccid));
	remsim_dbus_server1_bank_slot_set_imsi(iface, REMSIM_SERVER_DBUS_CARD(imsi));
	remsim_dbus_server1_bank_slot_set_msisdn(iface, REMSIM_SERVER_DBUS_CARD(msisdn));
	remsim_dbus_server1_bank_slot_set_spn(iface, REMSIM_SERVER_DBUS_CARD(spn));
	remsim_dbus_server1_bank_slot_set_pin1(iface, REMSIM_SERVER_DBUS_CARD(pin1));
	g_object_thaw_notify(G_OBJECT(iface));
#undef REMSIM_SERVER_DBUS_CARD
}

static void
remsim_server_dbus_bank_slot_changed_cb(RemsimServerInventory *inventory,
					RemsimServerBankSlot *slot, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path =
	    remsim_dbus_names_server_bank_slot_path(slot->bank_id, slot->slot_nr);
	g_autoptr(GDBusObject) found =
	    g_dbus_object_manager_get_object(G_DBUS_OBJECT_MANAGER(self->manager), path);
	g_autoptr(RemsimDbusObjectSkeleton) object = NULL;
	g_autoptr(RemsimDbusServer1BankSlot) iface = NULL;

	if (found != NULL) {
		iface = remsim_dbus_object_get_server1_bank_slot(REMSIM_DBUS_OBJECT(found));
		remsim_server_dbus_update_bank_slot(iface, slot);
		return;
	}
	object = remsim_dbus_object_skeleton_new(path);
	iface = remsim_dbus_server1_bank_slot_skeleton_new();
	remsim_dbus_server1_bank_slot_set_bank_id(iface, slot->bank_id);
	remsim_dbus_server1_bank_slot_set_slot_nr(iface, slot->slot_nr);
	remsim_server_dbus_update_bank_slot(iface, slot);
	remsim_dbus_object_skeleton_set_server1_bank_slot(object, iface);
	g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
}

static void
remsim_server_dbus_bank_slot_removed_cb(RemsimServerInventory *inventory, guint bank_id,
					guint slot_nr, gpointer data)
{
	RemsimServerDbus *self = data;
	g_autofree gchar *path = remsim_dbus_names_server_bank_slot_path(bank_id, slot_nr);

	g_dbus_object_manager_server_unexport(self->manager, path);
}

static void
remsim_server_dbus_event_cb(RemsimServerEvents *events, const gchar *name, const gchar *data,
			    gpointer user_data)
{
	RemsimServerDbus *self = user_data;

	remsim_dbus_server1_emit_event(self->root, name, data);
}

/* ---- methods ---- */

/* the server's errors under the registered names */
static void
remsim_server_dbus_return_error(GDBusMethodInvocation *invocation, const GError *error)
{
	RemsimDbusError code = REMSIM_DBUS_ERROR_FAILED;

	if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_CONFLICT))
		code = REMSIM_DBUS_ERROR_CONFLICT;
	else if (g_error_matches(error, REMSIM_SERVER_ERROR, REMSIM_SERVER_ERROR_NOT_FOUND))
		code = REMSIM_DBUS_ERROR_NOT_FOUND;
	g_dbus_method_invocation_return_error_literal(invocation, REMSIM_DBUS_ERROR, code,
						      error->message);
}

static void
remsim_server_dbus_create_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimServerDbusCall) call = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerSlotmap) map =
	    remsim_server_create_slotmap_finish(REMSIM_SERVER(source), result, &error);

	remsim_server_dbus_call_audit(call, error);
	if (map == NULL) {
		remsim_server_dbus_return_error(call->invocation, error);
		return;
	}
	remsim_dbus_server1_complete_create_slotmap(call->root, call->invocation,
						    remsim_server_slotmap_get_id(map));
}

static gboolean
remsim_server_dbus_handle_create_cb(RemsimDbusServer1 *root, GDBusMethodInvocation *invocation,
				    guint16 bank_id, guint16 bank_slot, guint16 client_id,
				    guint16 client_slot, gpointer data)
{
	RemsimServerDbus *self = data;
	RsproBankSlot bank = { bank_id, bank_slot };
	RsproClientSlot client = { client_id, client_slot };

	if (bank_id > RSPRO_ID_MAX || bank_slot > RSPRO_ID_MAX || client_id > RSPRO_ID_MAX ||
	    client_slot > RSPRO_ID_MAX) {
		g_dbus_method_invocation_return_error(
		    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_INVALID_ARGS,
		    "ids must lie between 0 and %d", RSPRO_ID_MAX);
		return TRUE;
	}
	remsim_server_create_slotmap_async(
	    self->server, &bank, &client, NULL, remsim_server_dbus_create_ready,
	    remsim_server_dbus_call_new(root, invocation, "create-slotmap",
					"bank=%u:%u client=%u:%u", bank_id, bank_slot, client_id,
					client_slot));
	return TRUE;
}

static void
remsim_server_dbus_create_by_iccid_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimServerDbusCall) call = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerSlotmap) map =
	    remsim_server_create_slotmap_by_iccid_finish(REMSIM_SERVER(source), result, &error);

	remsim_server_dbus_call_audit(call, error);
	if (map == NULL) {
		remsim_server_dbus_return_error(call->invocation, error);
		return;
	}
	remsim_dbus_server1_complete_create_slotmap_by_iccid(call->root, call->invocation,
							     remsim_server_slotmap_get_id(map));
}

static gboolean
remsim_server_dbus_handle_create_by_iccid_cb(RemsimDbusServer1 *root,
					     GDBusMethodInvocation *invocation, const gchar *iccid,
					     guint16 client_id, guint16 client_slot, gpointer data)
{
	RemsimServerDbus *self = data;
	RsproClientSlot client = { client_id, client_slot };

	if (client_id > RSPRO_ID_MAX || client_slot > RSPRO_ID_MAX) {
		g_dbus_method_invocation_return_error(
		    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_INVALID_ARGS,
		    "ids must lie between 0 and %d", RSPRO_ID_MAX);
		return TRUE;
	}
	remsim_server_create_slotmap_by_iccid_async(
	    self->server, iccid, &client, NULL, remsim_server_dbus_create_by_iccid_ready,
	    remsim_server_dbus_call_new(root, invocation, "create-slotmap", "iccid=%s client=%u:%u",
					remsim_log_personal(iccid), client_id, client_slot));
	return TRUE;
}

static void
remsim_server_dbus_delete_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimServerDbusCall) call = data;
	g_autoptr(GError) error = NULL;

	gboolean ok = remsim_server_delete_slotmap_finish(REMSIM_SERVER(source), result, &error);

	remsim_server_dbus_call_audit(call, error);
	if (!ok)
		remsim_server_dbus_return_error(call->invocation, error);
	else
		remsim_dbus_server1_complete_delete_slotmap(call->root, call->invocation);
}

static gboolean
remsim_server_dbus_handle_delete_cb(RemsimDbusServer1 *root, GDBusMethodInvocation *invocation,
				    guint32 id, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_server_delete_slotmap_async(
	    self->server, id, NULL, remsim_server_dbus_delete_ready,
	    remsim_server_dbus_call_new(root, invocation, "delete-slotmap", "id=%u", id));
	return TRUE;
}

static void
remsim_server_dbus_reset_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(RemsimServerDbusCall) call = data;
	g_autoptr(GError) error = NULL;

	gboolean ok = remsim_server_global_reset_finish(REMSIM_SERVER(source), result, &error);

	remsim_server_dbus_call_audit(call, error);
	if (!ok)
		remsim_server_dbus_return_error(call->invocation, error);
	else
		remsim_dbus_server1_complete_global_reset(call->root, call->invocation);
}

static gboolean
remsim_server_dbus_handle_reset_cb(RemsimDbusServer1 *root, GDBusMethodInvocation *invocation,
				   gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_server_global_reset_async(
	    self->server, NULL, remsim_server_dbus_reset_ready,
	    remsim_server_dbus_call_new(root, invocation, "global-reset", "%s", ""));
	return TRUE;
}

static gboolean
remsim_server_dbus_handle_reload_cb(RemsimDbusServer1 *root, GDBusMethodInvocation *invocation,
				    gpointer data)
{
	RemsimServerDbus *self = data;
	g_auto(GStrv) applied = NULL;
	g_auto(GStrv) needs_restart = NULL;

	if (remsim_reload_run_for_call(self->reload, invocation, &applied, &needs_restart))
		remsim_dbus_server1_complete_reload(root, invocation, (const gchar *const *)applied,
						    (const gchar *const *)needs_restart);
	return TRUE;
}

/* a reload (the method, or SIGHUP) may leave keys waiting for a restart */
static void
remsim_server_dbus_reloaded_cb(RemsimReload *reload, gpointer data)
{
	RemsimServerDbus *self = data;

	remsim_dbus_server1_set_restart_pending(self->root,
						remsim_reload_get_restart_pending(reload));
}

/* ---- life ---- */

static void
remsim_server_dbus_dispose(GObject *object)
{
	RemsimServerDbus *self = REMSIM_SERVER_DBUS(object);

	g_clear_object(&self->publish);
	if (self->server != NULL) {
		g_signal_handlers_disconnect_by_data(self->server, self);
		g_signal_handlers_disconnect_by_data(remsim_server_get_inventory(self->server),
						     self);
	}
	if (self->events != NULL)
		g_signal_handlers_disconnect_by_data(self->events, self);
	g_clear_object(&self->events);
	if (self->reload != NULL)
		g_signal_handlers_disconnect_by_data(self->reload, self);
	if (self->root != NULL)
		g_signal_handlers_disconnect_by_data(self->root, self);
	g_clear_object(&self->manager);
	g_clear_object(&self->root);
	g_clear_object(&self->reload);
	g_clear_object(&self->server);
	G_OBJECT_CLASS(remsim_server_dbus_parent_class)->dispose(object);
}

static void
remsim_server_dbus_class_init(RemsimServerDbusClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_dbus_dispose;
}

static void
remsim_server_dbus_init(RemsimServerDbus *self)
{
}

/* the methods that change state: the bus policy and remsim-dbus-guard.h check the caller */
static const gchar *const remsim_server_dbus_guarded[] = {
	"CreateSlotmap", "CreateSlotmapByIccid", "DeleteSlotmap", "GlobalReset", "Reload", NULL,
};

static void
remsim_server_dbus_build_root(RemsimServerDbus *self, guint16 rspro_port, guint16 rest_port)
{
	self->root = remsim_dbus_server1_skeleton_new();
	remsim_dbus_server1_set_version(self->root, PACKAGE_VERSION);
	remsim_dbus_server1_set_api_version(self->root, REMSIM_DBUS_API_VERSION);
	remsim_dbus_server1_set_restart_counter(self->root,
						remsim_server_get_restart_counter(self->server));
	remsim_dbus_server1_set_rspro_port(self->root, rspro_port);
	remsim_dbus_server1_set_rest_port(self->root, rest_port);
	remsim_server_dbus_reloaded_cb(self->reload, self);
	g_signal_connect(self->root, "handle-create-slotmap",
			 G_CALLBACK(remsim_server_dbus_handle_create_cb), self);
	g_signal_connect(self->root, "handle-create-slotmap-by-iccid",
			 G_CALLBACK(remsim_server_dbus_handle_create_by_iccid_cb), self);
	g_signal_connect(self->root, "handle-delete-slotmap",
			 G_CALLBACK(remsim_server_dbus_handle_delete_cb), self);
	g_signal_connect(self->root, "handle-global-reset",
			 G_CALLBACK(remsim_server_dbus_handle_reset_cb), self);
	g_signal_connect(self->root, "handle-reload",
			 G_CALLBACK(remsim_server_dbus_handle_reload_cb), self);
	g_signal_connect(self->reload, "reloaded", G_CALLBACK(remsim_server_dbus_reloaded_cb),
			 self);
	remsim_dbus_guard_protect(G_DBUS_INTERFACE_SKELETON(self->root), remsim_server_dbus_guarded,
				  FALSE);
}

/* the objects of what the server knows now; its signals keep them in step */
static void
remsim_server_dbus_build_objects(RemsimServerDbus *self)
{
	g_autoptr(GList) maps = remsim_server_list_slotmaps(self->server);

	self->manager = g_dbus_object_manager_server_new(REMSIM_DBUS_SERVER_PATH);
	for (GList *l = remsim_server_get_banks(self->server); l != NULL; l = l->next)
		remsim_server_dbus_bank_added_cb(self->server, l->data, self);
	for (GList *l = remsim_server_get_clients(self->server); l != NULL; l = l->next)
		remsim_server_dbus_client_added_cb(self->server, l->data, self);
	for (GList *l = maps; l != NULL; l = l->next)
		remsim_server_dbus_slotmap_changed_cb(self->server, l->data, self);
	g_signal_connect(self->server, "bank-added", G_CALLBACK(remsim_server_dbus_bank_added_cb),
			 self);
	g_signal_connect(self->server, "bank-removed",
			 G_CALLBACK(remsim_server_dbus_bank_removed_cb), self);
	g_signal_connect(self->server, "client-added",
			 G_CALLBACK(remsim_server_dbus_client_added_cb), self);
	g_signal_connect(self->server, "client-removed",
			 G_CALLBACK(remsim_server_dbus_client_removed_cb), self);
	g_signal_connect(self->server, "slotmap-changed",
			 G_CALLBACK(remsim_server_dbus_slotmap_changed_cb), self);
	g_signal_connect(self->server, "slotmap-removed",
			 G_CALLBACK(remsim_server_dbus_slotmap_removed_cb), self);
}

RemsimServerDbus *
remsim_server_dbus_new(RemsimServer *server, RemsimReload *reload, RemsimServerEvents *events,
		       guint16 rspro_port, guint16 rest_port)
{
	RemsimServerDbus *self = g_object_new(REMSIM_TYPE_SERVER_DBUS, NULL);
	RemsimServerInventory *inventory = remsim_server_get_inventory(server);
	g_autoptr(GPtrArray) known = remsim_server_inventory_list(inventory);

	self->server = g_object_ref(server);
	self->reload = g_object_ref(reload);
	self->events = g_object_ref(events);
	remsim_server_dbus_build_root(self, rspro_port, rest_port);
	remsim_server_dbus_build_objects(self);
	for (guint i = 0; i < known->len; i++)
		remsim_server_dbus_bank_slot_changed_cb(inventory, known->pdata[i], self);
	g_signal_connect(inventory, "slot-changed",
			 G_CALLBACK(remsim_server_dbus_bank_slot_changed_cb), self);
	g_signal_connect(inventory, "slot-removed",
			 G_CALLBACK(remsim_server_dbus_bank_slot_removed_cb), self);
	g_signal_connect(events, "event", G_CALLBACK(remsim_server_dbus_event_cb), self);
	self->publish = remsim_dbus_publish_new(REMSIM_DBUS_SERVER_NAME, self->manager,
						G_DBUS_INTERFACE_SKELETON(self->root));
	return self;
}

void
remsim_server_dbus_start(RemsimServerDbus *self, GBusType bus_type)
{
	g_return_if_fail(REMSIM_IS_SERVER_DBUS(self));
	remsim_dbus_publish_start(self->publish, bus_type);
}
