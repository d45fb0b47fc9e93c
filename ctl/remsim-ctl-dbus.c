/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-ctl-dbus.h"
#include "remsim-ctl-error.h"
#include "remsim-ctl-model.h"
#include "remsim-dbus.h"

typedef enum {
	REMSIM_CTL_DBUS_SERVER,
	REMSIM_CTL_DBUS_BANKD,
	REMSIM_CTL_DBUS_CLIENT,
	REMSIM_CTL_DBUS_N_DAEMONS,
} RemsimCtlDbusDaemon;

typedef struct {
	const gchar *daemon;
	const gchar *bus_name;
	const gchar *path;
	const gchar *interface;
	GType (*proxy_type)(void);
	const gchar *unit; /* what systemctl starts */
} RemsimCtlDbusInfo;

static const RemsimCtlDbusInfo remsim_ctl_dbus_info[] = {
	{ "remsim-server", REMSIM_DBUS_SERVER_NAME, REMSIM_DBUS_SERVER_PATH,
	  REMSIM_DBUS_SERVER_INTERFACE, remsim_dbus_server1_proxy_get_type, "remsim-server" },
	{ "remsim-bankd", REMSIM_DBUS_BANKD_NAME, REMSIM_DBUS_BANKD_PATH,
	  REMSIM_DBUS_BANKD_INTERFACE, remsim_dbus_bankd1_proxy_get_type, "remsim-bankd" },
	{ "remsim-client", REMSIM_DBUS_CLIENT_NAME, REMSIM_DBUS_CLIENT_PATH,
	  REMSIM_DBUS_CLIENT_INTERFACE, remsim_dbus_client1_proxy_get_type, "remsim-client@NAME" },
};

struct _RemsimCtlDbus {
	RemsimCtlSource parent_instance;
	GBusType bus_type;
	GDBusConnection *bus;
	/* each daemon's objects and its own interface, once asked */
	GDBusObjectManager *managers[REMSIM_CTL_DBUS_N_DAEMONS];
	GDBusProxy *roots[REMSIM_CTL_DBUS_N_DAEMONS];
};

G_DEFINE_FINAL_TYPE(RemsimCtlDbus, remsim_ctl_dbus, REMSIM_CTL_TYPE_SOURCE)

static const gchar *
remsim_ctl_dbus_via(RemsimCtlDbus *self)
{
	return self->bus_type == G_BUS_TYPE_SESSION ? "session-bus" : "system-bus";
}

/* ---- connecting ---- */

/* there is no bus of @self's type: @why (English) */
static GError *
remsim_ctl_dbus_no_bus_error(RemsimCtlDbus *self, const gchar *why)
{
	if (self->bus_type == G_BUS_TYPE_SESSION)
		return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
				   /* TRANSLATORS: %s: why (English) */
				   _("there is no session bus here (%s): run remsim-ctl in the "
				     "session of the daemons, or use --server URL"),
				   why);
	return g_error_new(REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			   /* TRANSLATORS: %s: why (English) */
			   _("there is no system bus here (%s): start dbus, or use --session or "
			     "--server URL"),
			   why);
}

static gboolean
remsim_ctl_dbus_connect(RemsimCtlDbus *self, GError **error)
{
	g_autoptr(GError) local = NULL;

	if (self->bus != NULL)
		return TRUE;
	/* the daemons' errors as RemsimDbusError, not as bare names */
	(void)REMSIM_DBUS_ERROR;
	self->bus = g_bus_get_sync(self->bus_type, NULL, &local);
	if (self->bus != NULL)
		return TRUE;
	g_propagate_error(error, remsim_ctl_dbus_no_bus_error(self, local->message));
	return FALSE;
}

static GDBusProxy *
remsim_ctl_dbus_new_root(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon, GError **error)
{
	const RemsimCtlDbusInfo *info = &remsim_ctl_dbus_info[daemon];

	return g_initable_new(info->proxy_type(), NULL, error, "g-flags",
			      G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, "g-name", info->bus_name,
			      "g-connection", self->bus, "g-object-path", info->path,
			      "g-interface-name", info->interface, NULL);
}

/* asks @daemon for its objects once; FALSE only when there is no bus */
static gboolean
remsim_ctl_dbus_load(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon, GError **error)
{
	const RemsimCtlDbusInfo *info = &remsim_ctl_dbus_info[daemon];
	g_autoptr(GError) local = NULL;

	if (self->managers[daemon] != NULL)
		return TRUE;
	if (!remsim_ctl_dbus_connect(self, error))
		return FALSE;
	self->managers[daemon] = remsim_dbus_object_manager_client_new_sync(
	    self->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, info->bus_name,
	    info->path, NULL, &local);
	if (self->managers[daemon] != NULL)
		self->roots[daemon] = remsim_ctl_dbus_new_root(self, daemon, &local);
	if (self->roots[daemon] == NULL) {
		g_clear_object(&self->managers[daemon]);
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			    /* TRANSLATORS: %s: the daemon, %s: why (English) */
			    _("%s cannot be asked on the bus (%s): check that it runs"),
			    info->daemon, local->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_ctl_dbus_is_up(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon)
{
	g_autofree gchar *owner = NULL;

	if (self->managers[daemon] == NULL)
		return FALSE;
	owner = g_dbus_object_manager_client_get_name_owner(
	    G_DBUS_OBJECT_MANAGER_CLIENT(self->managers[daemon]));
	return owner != NULL;
}

/* @daemon's objects, or an error that says how to reach it */
static gboolean
remsim_ctl_dbus_require(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon, GError **error)
{
	const RemsimCtlDbusInfo *info = &remsim_ctl_dbus_info[daemon];
	gboolean session = self->bus_type == G_BUS_TYPE_SESSION;

	if (!remsim_ctl_dbus_load(self, daemon, error))
		return FALSE;
	if (remsim_ctl_dbus_is_up(self, daemon))
		return TRUE;
	if (daemon == REMSIM_CTL_DBUS_SERVER && session)
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			    /* TRANSLATORS: %s: the daemon */
			    _("%s is not on the session bus: start it with --session, or use "
			      "--server URL for a remote server"),
			    info->daemon);
	else if (daemon == REMSIM_CTL_DBUS_SERVER)
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			    /* TRANSLATORS: %s: the daemon, %s: its systemd unit */
			    _("%s is not on the system bus: start it (systemctl start %s), or use "
			      "--session for daemons on the session bus, or --server URL for a "
			      "remote server"),
			    info->daemon, info->unit);
	else if (session)
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			    /* TRANSLATORS: %s: the daemon */
			    _("%s is not on the session bus: start it with --session, or run "
			      "remsim-ctl where it runs"),
			    info->daemon);
	else
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			    /* TRANSLATORS: %s: the daemon, %s: its systemd unit */
			    _("%s is not on the system bus: start it (systemctl start %s), use "
			      "--session for daemons on the session bus, or run remsim-ctl on the "
			      "machine where it runs"),
			    info->daemon, info->unit);
	return FALSE;
}

/* ---- D-Bus objects as model objects ---- */

static JsonObject *
remsim_ctl_dbus_bank_model(RemsimDbusServer1Bank *bank)
{
	return remsim_ctl_model_bank_new(remsim_dbus_server1_bank_get_bank_id(bank),
					 remsim_dbus_server1_bank_get_number_of_slots(bank),
					 remsim_dbus_server1_bank_get_address(bank),
					 remsim_dbus_server1_bank_get_name(bank),
					 remsim_dbus_server1_bank_get_software(bank),
					 remsim_dbus_server1_bank_get_software_version(bank));
}

static JsonObject *
remsim_ctl_dbus_map_model(RemsimDbusServer1Slotmap *map)
{
	const gchar *state = remsim_dbus_server1_slotmap_get_state(map);

	return remsim_ctl_model_map_new(remsim_dbus_server1_slotmap_get_bank_id(map),
					remsim_dbus_server1_slotmap_get_bank_slot_nr(map),
					remsim_dbus_server1_slotmap_get_client_id(map),
					remsim_dbus_server1_slotmap_get_client_slot_nr(map),
					state != NULL ? state : "new",
					remsim_dbus_server1_slotmap_get_error(map));
}

static JsonObject *
remsim_ctl_dbus_client_model(RemsimDbusServer1Client *client)
{
	JsonObject *object =
	    remsim_ctl_model_client_new(remsim_dbus_server1_client_get_client_id(client),
					remsim_dbus_server1_client_get_slot_nr(client));

	remsim_ctl_model_client_set_server(object, remsim_dbus_server1_client_get_address(client),
					   remsim_dbus_server1_client_get_name(client),
					   remsim_dbus_server1_client_get_software(client),
					   remsim_dbus_server1_client_get_software_version(client));
	return object;
}

static void
remsim_ctl_dbus_client_set_local(JsonObject *object, RemsimDbusClient1Slot *slot)
{
	remsim_ctl_model_client_set_local(object, remsim_dbus_client1_slot_get_state(slot),
					  remsim_dbus_client1_slot_get_frontend(slot),
					  remsim_dbus_client1_slot_get_bank_id(slot),
					  remsim_dbus_client1_slot_get_bank_slot_nr(slot));
}

static JsonObject *
remsim_ctl_dbus_client_slot_model(RemsimDbusClient1Slot *slot)
{
	JsonObject *object =
	    remsim_ctl_model_client_new(remsim_dbus_client1_slot_get_client_id(slot),
					remsim_dbus_client1_slot_get_slot_nr(slot));

	remsim_ctl_dbus_client_set_local(object, slot);
	return object;
}

static void
remsim_ctl_dbus_slot_set_local(JsonObject *object, RemsimDbusBankd1Slot *slot)
{
	GVariant *atr = remsim_dbus_bankd1_slot_get_atr(slot);
	GVariant *client = remsim_dbus_bankd1_slot_get_client_slot(slot);
	g_autofree gchar *hex = NULL;
	guint16 client_id = 0, client_slot = 0;

	if (atr != NULL) {
		gsize len = 0;
		const guint8 *bytes = g_variant_get_fixed_array(atr, &len, 1);

		hex = remsim_ctl_model_hex(bytes, len);
	}
	if (client != NULL)
		g_variant_get(client, "(qq)", &client_id, &client_slot);
	remsim_ctl_model_slot_set_local(
	    object, remsim_dbus_bankd1_slot_get_state(slot),
	    remsim_dbus_bankd1_slot_get_card_present(slot), hex,
	    remsim_dbus_bankd1_slot_get_apdus(slot), remsim_dbus_bankd1_slot_get_errors(slot),
	    remsim_dbus_bankd1_slot_get_mapped(slot), client_id, client_slot);
}

static JsonObject *
remsim_ctl_dbus_slot_model(guint bank_id, RemsimDbusBankd1Slot *slot)
{
	JsonObject *object =
	    remsim_ctl_model_slot_new(bank_id, remsim_dbus_bankd1_slot_get_slot_nr(slot));

	remsim_ctl_dbus_slot_set_local(object, slot);
	return object;
}

static JsonObject *
remsim_ctl_dbus_bankd_link(RemsimDbusBankd1 *bankd)
{
	g_autofree gchar *from =
	    g_strdup_printf("bank:%u", (guint)remsim_dbus_bankd1_get_bank_id(bankd));
	const gchar *state = remsim_dbus_bankd1_get_server_state(bankd);

	return remsim_ctl_model_link_new("remsim-bankd", from, "server",
					 state != NULL ? state : "idle",
					 remsim_dbus_bankd1_get_server_address(bankd));
}

static gchar *
remsim_ctl_dbus_client_name(RemsimDbusClient1Slot *slot)
{
	return g_strdup_printf("client:%u:%u", (guint)remsim_dbus_client1_slot_get_client_id(slot),
			       (guint)remsim_dbus_client1_slot_get_slot_nr(slot));
}

static JsonObject *
remsim_ctl_dbus_client_server_link(RemsimDbusClient1Slot *slot)
{
	g_autofree gchar *from = remsim_ctl_dbus_client_name(slot);
	const gchar *state = remsim_dbus_client1_slot_get_server_state(slot);

	return remsim_ctl_model_link_new("remsim-client", from, "server",
					 state != NULL ? state : "idle",
					 remsim_dbus_client1_slot_get_server_address(slot));
}

static JsonObject *
remsim_ctl_dbus_client_bank_link(RemsimDbusClient1Slot *slot)
{
	g_autofree gchar *from = remsim_ctl_dbus_client_name(slot);
	guint bank_id = remsim_dbus_client1_slot_get_bank_id(slot);
	g_autofree gchar *to =
	    bank_id != 0 ? g_strdup_printf("bank:%u", bank_id) : g_strdup("bank");
	const gchar *state = remsim_dbus_client1_slot_get_bankd_state(slot);
	const gchar *address = remsim_dbus_client1_slot_get_bankd_address(slot);

	/* the client says "(null):0" before it knows its bank, "0.0.0.0:0" after it lost it */
	if (g_strcmp0(address, "(null):0") == 0 || g_strcmp0(address, "0.0.0.0:0") == 0)
		address = NULL;
	return remsim_ctl_model_link_new("remsim-client", from, to, state != NULL ? state : "idle",
					 address);
}

/* ---- reading ---- */

/* calls @each with every object of @daemon that has the interface named @iface */
static void
remsim_ctl_dbus_foreach(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon, const gchar *iface,
			void (*each)(GDBusInterface *iface, gpointer data), gpointer data)
{
	g_autolist(GDBusObject) objects = NULL;

	if (!remsim_ctl_dbus_is_up(self, daemon))
		return;
	objects = g_dbus_object_manager_get_objects(self->managers[daemon]);
	for (GList *l = objects; l != NULL; l = l->next) {
		g_autoptr(GDBusInterface) found = g_dbus_object_get_interface(l->data, iface);

		if (found != NULL)
			each(found, data);
	}
}

static void
remsim_ctl_dbus_add_bank(GDBusInterface *iface, gpointer data)
{
	json_array_add_object_element(data,
				      remsim_ctl_dbus_bank_model(REMSIM_DBUS_SERVER1_BANK(iface)));
}

static void
remsim_ctl_dbus_add_map(GDBusInterface *iface, gpointer data)
{
	json_array_add_object_element(
	    data, remsim_ctl_dbus_map_model(REMSIM_DBUS_SERVER1_SLOTMAP(iface)));
}

static void
remsim_ctl_dbus_add_client(GDBusInterface *iface, gpointer data)
{
	json_array_add_object_element(
	    data, remsim_ctl_dbus_client_model(REMSIM_DBUS_SERVER1_CLIENT(iface)));
}

/* a client slot of the local remsim-client: its row, made if the server does not list it */
static void
remsim_ctl_dbus_merge_client(GDBusInterface *iface, gpointer data)
{
	RemsimDbusClient1Slot *slot = REMSIM_DBUS_CLIENT1_SLOT(iface);
	JsonObject *row =
	    remsim_ctl_model_find(data, "client_id", remsim_dbus_client1_slot_get_client_id(slot),
				  "slot", remsim_dbus_client1_slot_get_slot_nr(slot));

	if (row != NULL)
		remsim_ctl_dbus_client_set_local(row, slot);
	else
		json_array_add_object_element(data, remsim_ctl_dbus_client_slot_model(slot));
}

static JsonArray *
remsim_ctl_dbus_list_banks(RemsimCtlSource *source, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	JsonArray *banks;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error))
		return NULL;
	banks = json_array_new();
	remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_SERVER, REMSIM_DBUS_SERVER_BANK_INTERFACE,
				remsim_ctl_dbus_add_bank, banks);
	return banks;
}

static JsonArray *
remsim_ctl_dbus_list_maps(RemsimCtlSource *source, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	JsonArray *maps;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error))
		return NULL;
	maps = json_array_new();
	remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_SERVER, REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE,
				remsim_ctl_dbus_add_map, maps);
	return maps;
}

/* the server's clients with what the local remsim-client adds; either may be missing */
static JsonArray *
remsim_ctl_dbus_list_clients(RemsimCtlSource *source, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	JsonArray *clients;

	if (!remsim_ctl_dbus_load(self, REMSIM_CTL_DBUS_SERVER, error) ||
	    !remsim_ctl_dbus_load(self, REMSIM_CTL_DBUS_CLIENT, error))
		return NULL;
	if (!remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_SERVER) &&
	    !remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_CLIENT)) {
		remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error);
		return NULL;
	}
	clients = json_array_new();
	remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_SERVER, REMSIM_DBUS_SERVER_CLIENT_INTERFACE,
				remsim_ctl_dbus_add_client, clients);
	remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_CLIENT, REMSIM_DBUS_CLIENT_SLOT_INTERFACE,
				remsim_ctl_dbus_merge_client, clients);
	return clients;
}

typedef struct {
	JsonArray *slots;
	guint bank_id;
} RemsimCtlDbusSlotMerge;

static void
remsim_ctl_dbus_merge_slot(GDBusInterface *iface, gpointer data)
{
	RemsimCtlDbusSlotMerge *merge = data;
	RemsimDbusBankd1Slot *slot = REMSIM_DBUS_BANKD1_SLOT(iface);
	JsonObject *row = remsim_ctl_model_find(merge->slots, "bank_id", merge->bank_id, "slot",
						remsim_dbus_bankd1_slot_get_slot_nr(slot));

	if (row != NULL)
		remsim_ctl_dbus_slot_set_local(row, slot);
	else
		json_array_add_object_element(merge->slots,
					      remsim_ctl_dbus_slot_model(merge->bank_id, slot));
}

/* the server's banks and maps with what the local remsim-bankd adds; either may be missing */
static JsonArray *
remsim_ctl_dbus_list_slots(RemsimCtlSource *source, gint bank_id, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	RemsimCtlDbusSlotMerge merge = { NULL, 0 };

	if (!remsim_ctl_dbus_load(self, REMSIM_CTL_DBUS_SERVER, error) ||
	    !remsim_ctl_dbus_load(self, REMSIM_CTL_DBUS_BANKD, error))
		return NULL;
	if (remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_SERVER)) {
		g_autoptr(JsonArray) banks = remsim_ctl_dbus_list_banks(source, error);
		g_autoptr(JsonArray) maps = remsim_ctl_dbus_list_maps(source, error);

		if (banks == NULL || maps == NULL)
			return NULL;
		merge.slots = remsim_ctl_model_slots_from(banks, maps, bank_id);
	} else if (remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_BANKD)) {
		merge.slots = json_array_new();
	} else {
		remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error);
		return NULL;
	}
	if (remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_BANKD)) {
		merge.bank_id = remsim_dbus_bankd1_get_bank_id(
		    REMSIM_DBUS_BANKD1(self->roots[REMSIM_CTL_DBUS_BANKD]));
		if (bank_id < 0 || merge.bank_id == (guint)bank_id)
			remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_BANKD,
						REMSIM_DBUS_BANKD_SLOT_INTERFACE,
						remsim_ctl_dbus_merge_slot, &merge);
	}
	if (bank_id >= 0 && json_array_get_length(merge.slots) == 0) {
		json_array_unref(merge.slots);
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND,
			    /* TRANSLATORS: %d: a bank id */
			    _("bank %d is not connected to the server, nor on this bus: "
			      "remsim-ctl banks lists the banks"),
			    bank_id);
		return NULL;
	}
	return merge.slots;
}

static void
remsim_ctl_dbus_add_client_links(GDBusInterface *iface, gpointer data)
{
	RemsimDbusClient1Slot *slot = REMSIM_DBUS_CLIENT1_SLOT(iface);

	json_array_add_object_element(data, remsim_ctl_dbus_client_server_link(slot));
	json_array_add_object_element(data, remsim_ctl_dbus_client_bank_link(slot));
}

static const gchar *
remsim_ctl_dbus_root_version(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon)
{
	gpointer root = self->roots[daemon];

	switch (daemon) {
	case REMSIM_CTL_DBUS_SERVER:
		return remsim_dbus_server1_get_version(root);
	case REMSIM_CTL_DBUS_BANKD:
		return remsim_dbus_bankd1_get_version(root);
	case REMSIM_CTL_DBUS_CLIENT:
	case REMSIM_CTL_DBUS_N_DAEMONS:
		break;
	}
	return remsim_dbus_client1_get_version(root);
}

static JsonObject *
remsim_ctl_dbus_daemon_model(RemsimCtlDbus *self, RemsimCtlDbusDaemon daemon)
{
	gboolean up = remsim_ctl_dbus_is_up(self, daemon);

	return remsim_ctl_model_daemon_new(remsim_ctl_dbus_info[daemon].daemon, up,
					   remsim_ctl_dbus_via(self),
					   remsim_ctl_dbus_info[daemon].bus_name,
					   up ? remsim_ctl_dbus_root_version(self, daemon) : NULL);
}

static JsonObject *
remsim_ctl_dbus_get_status(RemsimCtlSource *source, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	JsonObject *status;
	JsonArray *daemons, *links;
	gboolean any = FALSE;

	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++) {
		if (!remsim_ctl_dbus_load(self, d, error))
			return NULL;
		any |= remsim_ctl_dbus_is_up(self, d);
	}
	if (!any) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
			    self->bus_type == G_BUS_TYPE_SESSION
				? _("no remsim daemon is on the session bus: start them with "
				    "--session, or use --server URL for a remote server")
				: _("no remsim daemon is on the system bus: start them (systemctl "
				    "start remsim-server remsim-bankd), or use --session or "
				    "--server URL"));
		return NULL;
	}
	status = json_object_new();
	daemons = json_array_new();
	links = json_array_new();
	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++)
		json_array_add_object_element(daemons, remsim_ctl_dbus_daemon_model(self, d));
	if (remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_SERVER)) {
		g_autoptr(JsonArray) banks = json_array_new();
		g_autoptr(JsonArray) clients = json_array_new();

		remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_SERVER,
					REMSIM_DBUS_SERVER_BANK_INTERFACE, remsim_ctl_dbus_add_bank,
					banks);
		remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_SERVER,
					REMSIM_DBUS_SERVER_CLIENT_INTERFACE,
					remsim_ctl_dbus_add_client, clients);
		remsim_ctl_model_add_server_links(links, banks, clients);
	}
	if (remsim_ctl_dbus_is_up(self, REMSIM_CTL_DBUS_BANKD))
		json_array_add_object_element(links, remsim_ctl_dbus_bankd_link(REMSIM_DBUS_BANKD1(
							 self->roots[REMSIM_CTL_DBUS_BANKD])));
	remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_CLIENT, REMSIM_DBUS_CLIENT_SLOT_INTERFACE,
				remsim_ctl_dbus_add_client_links, links);
	json_object_set_array_member(status, "daemons", daemons);
	json_object_set_array_member(status, "links", links);
	return status;
}

typedef struct {
	JsonArray *cards;
	const gchar *iccid;
	const gchar *imsi;
} RemsimCtlDbusCards;

static void
remsim_ctl_dbus_add_card(GDBusInterface *iface, gpointer data)
{
	RemsimCtlDbusCards *q = data;
	RemsimDbusServer1BankSlot *slot = REMSIM_DBUS_SERVER1_BANK_SLOT(iface);
	const gchar *iccid = remsim_dbus_server1_bank_slot_get_iccid(slot);
	const gchar *imsi = remsim_dbus_server1_bank_slot_get_imsi(slot);
	const gchar *state = remsim_dbus_server1_bank_slot_get_inventory(slot);

	if (g_str_equal(state, "unknown") ||
	    (q->iccid != NULL && !g_str_has_prefix(iccid, q->iccid)) ||
	    (q->imsi != NULL && (*imsi == '\0' || !g_str_has_prefix(imsi, q->imsi))))
		return;
	json_array_add_object_element(
	    q->cards,
	    remsim_ctl_model_card_new(remsim_dbus_server1_bank_slot_get_bank_id(slot),
				      remsim_dbus_server1_bank_slot_get_slot_nr(slot), state,
				      remsim_dbus_server1_bank_slot_get_card_type(slot), iccid,
				      imsi, remsim_dbus_server1_bank_slot_get_msisdn(slot),
				      remsim_dbus_server1_bank_slot_get_spn(slot),
				      remsim_dbus_server1_bank_slot_get_pin1(slot),
				      remsim_dbus_server1_bank_slot_get_stale(slot)));
}

/* the server's bank slots with a card read, and the clients mapped to them */
static JsonArray *
remsim_ctl_dbus_list_cards(RemsimCtlSource *source, const gchar *iccid, const gchar *imsi,
			   GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	RemsimCtlDbusCards q = { NULL, iccid, imsi };
	g_autoptr(JsonArray) maps = NULL;
	g_autoptr(JsonArray) cards = NULL;

	if ((maps = remsim_ctl_dbus_list_maps(source, error)) == NULL)
		return NULL;
	q.cards = json_array_new();
	remsim_ctl_dbus_foreach(self, REMSIM_CTL_DBUS_SERVER,
				REMSIM_DBUS_SERVER_BANK_SLOT_INTERFACE, remsim_ctl_dbus_add_card,
				&q);
	cards = remsim_ctl_model_sort(q.cards, "bank_id", "slot");
	json_array_unref(q.cards);
	for (guint i = 0; i < json_array_get_length(cards); i++) {
		JsonObject *card = json_array_get_object_element(cards, i);
		JsonObject *map = remsim_ctl_model_find(
		    maps, "bank_id", json_object_get_int_member(card, "bank_id"), "bank_slot",
		    json_object_get_int_member(card, "slot"));

		if (map != NULL)
			remsim_ctl_model_card_set_client(
			    card, (guint)json_object_get_int_member(map, "client_id"),
			    (guint)json_object_get_int_member(map, "client_slot"));
	}
	return g_steal_pointer(&cards);
}

/* ---- changing ---- */

static gboolean
remsim_ctl_dbus_create_map_by_iccid(RemsimCtlSource *source, guint client_id, guint client_slot,
				    const gchar *iccid, guint *bank_id, guint *bank_slot,
				    GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	g_autoptr(GError) local = NULL;
	g_autofree gchar *what = NULL;
	guint id = 0;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error))
		return FALSE;
	if (remsim_dbus_server1_call_create_slotmap_by_iccid_sync(
		REMSIM_DBUS_SERVER1(self->roots[REMSIM_CTL_DBUS_SERVER]), iccid, client_id,
		client_slot, &id, NULL, &local)) {
		*bank_id = id >> 16;
		*bank_slot = id & 0xffff;
		return TRUE;
	}
	/* TRANSLATORS: what failed; client id:slot, an ICCID */
	what = g_strdup_printf(_("mapping client %u:%u to the card %s"), client_id, client_slot,
			       iccid);
	g_propagate_error(error, remsim_ctl_error_from_dbus(local, "remsim-server", what));
	return FALSE;
}

static gboolean
remsim_ctl_dbus_create_map(RemsimCtlSource *source, guint client_id, guint client_slot,
			   guint bank_id, guint bank_slot, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	g_autoptr(GError) local = NULL;
	g_autofree gchar *what = NULL;
	guint id = 0;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error))
		return FALSE;
	if (remsim_dbus_server1_call_create_slotmap_sync(
		REMSIM_DBUS_SERVER1(self->roots[REMSIM_CTL_DBUS_SERVER]), bank_id, bank_slot,
		client_id, client_slot, &id, NULL, &local))
		return TRUE;
	/* TRANSLATORS: what failed; the numbers are client id:slot and bank id:slot */
	what = g_strdup_printf(_("mapping client %u:%u to bank %u:%u"), client_id, client_slot,
			       bank_id, bank_slot);
	g_propagate_error(error, remsim_ctl_error_from_dbus(local, "remsim-server", what));
	return FALSE;
}

static gboolean
remsim_ctl_dbus_delete_map(RemsimCtlSource *source, guint32 map_id, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	g_autoptr(GError) local = NULL;
	g_autofree gchar *what = NULL;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error))
		return FALSE;
	if (remsim_dbus_server1_call_delete_slotmap_sync(
		REMSIM_DBUS_SERVER1(self->roots[REMSIM_CTL_DBUS_SERVER]), map_id, NULL, &local))
		return TRUE;
	/* TRANSLATORS: what failed; %u: the map's id */
	what = g_strdup_printf(_("deleting slot map %u"), map_id);
	g_propagate_error(error, remsim_ctl_error_from_dbus(local, "remsim-server", what));
	return FALSE;
}

static gboolean
remsim_ctl_dbus_reset(RemsimCtlSource *source, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	g_autoptr(GError) local = NULL;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_SERVER, error))
		return FALSE;
	if (remsim_dbus_server1_call_global_reset_sync(
		REMSIM_DBUS_SERVER1(self->roots[REMSIM_CTL_DBUS_SERVER]), NULL, &local))
		return TRUE;
	g_propagate_error(error, remsim_ctl_error_from_dbus(local, "remsim-server",
							    /* TRANSLATORS: what failed */
							    _("deleting every slot map")));
	return FALSE;
}

/* reads every property of @proxy again: a call's effects, before their signals come */
static void
remsim_ctl_dbus_refresh(GDBusProxy *proxy)
{
	g_autoptr(GVariant) reply =
	    g_dbus_proxy_call_sync(proxy, "org.freedesktop.DBus.Properties.GetAll",
				   g_variant_new("(s)", g_dbus_proxy_get_interface_name(proxy)),
				   G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	g_autoptr(GVariant) props = NULL;
	GVariantIter iter;
	const gchar *name;
	GVariant *value;

	if (reply == NULL)
		return;
	props = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, props);
	while (g_variant_iter_next(&iter, "{&sv}", &name, &value)) {
		g_dbus_proxy_set_cached_property(proxy, name, value);
		g_variant_unref(value);
	}
}

static JsonObject *
remsim_ctl_dbus_reset_slot(RemsimCtlSource *source, guint bank_id, guint slot_nr, GError **error)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	g_autoptr(GError) local = NULL;
	g_autofree gchar *path = remsim_dbus_names_bankd_slot_path(slot_nr);
	g_autofree gchar *what = NULL;
	g_autoptr(GDBusInterface) iface = NULL;
	guint own_id, n_slots;

	if (!remsim_ctl_dbus_require(self, REMSIM_CTL_DBUS_BANKD, error))
		return NULL;
	own_id =
	    remsim_dbus_bankd1_get_bank_id(REMSIM_DBUS_BANKD1(self->roots[REMSIM_CTL_DBUS_BANKD]));
	n_slots = remsim_dbus_bankd1_get_num_slots(
	    REMSIM_DBUS_BANKD1(self->roots[REMSIM_CTL_DBUS_BANKD]));
	if (own_id != bank_id) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND,
			    /* TRANSLATORS: %u: the bank asked for, %u: the bank on this bus */
			    _("bank %u is not on this bus (the remsim-bankd here is bank %u): run "
			      "remsim-ctl on the machine of bank %u"),
			    bank_id, own_id, bank_id);
		return NULL;
	}
	iface = g_dbus_object_manager_get_interface(self->managers[REMSIM_CTL_DBUS_BANKD], path,
						    REMSIM_DBUS_BANKD_SLOT_INTERFACE);
	if (iface == NULL) {
		g_set_error(error, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_NOT_FOUND,
			    /* TRANSLATORS: bank id, slot, bank id, the last slot's number */
			    _("bank %u has no slot %u: its slots are %u:0 to %u:%u"), bank_id,
			    slot_nr, bank_id, bank_id, n_slots > 0 ? n_slots - 1 : 0);
		return NULL;
	}
	if (!remsim_dbus_bankd1_slot_call_reset_card_sync(REMSIM_DBUS_BANKD1_SLOT(iface), NULL,
							  &local)) {
		what = g_strdup_printf(
		    /* TRANSLATORS: what failed; bank id:slot */
		    _("resetting the card in bank slot %u:%u"), bank_id, slot_nr);
		g_propagate_error(error, remsim_ctl_error_from_dbus(local, "remsim-bankd", what));
		return NULL;
	}
	remsim_ctl_dbus_refresh(G_DBUS_PROXY(iface));
	return remsim_ctl_dbus_slot_model(bank_id, REMSIM_DBUS_BANKD1_SLOT(iface));
}

/* ---- watching ---- */

static void
remsim_ctl_dbus_emit(RemsimCtlDbus *self, const gchar *event, const gchar *kind, JsonObject *object)
{
	remsim_ctl_source_emit_event(REMSIM_CTL_SOURCE(self),
				     remsim_ctl_model_event_new(event, kind, object));
}

/* an object came or went: banks, clients and maps of the server */
static void
remsim_ctl_dbus_object_event(RemsimCtlDbus *self, GDBusObject *object, const gchar *verb)
{
	RemsimDbusObject *o = REMSIM_DBUS_OBJECT(object);
	g_autofree gchar *event = NULL;

	if (remsim_dbus_object_peek_server1_bank(o) != NULL) {
		event = g_strconcat("bank-", verb, NULL);
		remsim_ctl_dbus_emit(
		    self, event, "bank",
		    remsim_ctl_dbus_bank_model(remsim_dbus_object_peek_server1_bank(o)));
	} else if (remsim_dbus_object_peek_server1_client(o) != NULL) {
		event = g_strconcat("client-", verb, NULL);
		remsim_ctl_dbus_emit(
		    self, event, "client",
		    remsim_ctl_dbus_client_model(remsim_dbus_object_peek_server1_client(o)));
	} else if (remsim_dbus_object_peek_server1_slotmap(o) != NULL) {
		event = g_strconcat("map-", verb, NULL);
		remsim_ctl_dbus_emit(
		    self, event, "map",
		    remsim_ctl_dbus_map_model(remsim_dbus_object_peek_server1_slotmap(o)));
	}
}

static void
remsim_ctl_dbus_object_added_cb(GDBusObjectManager *manager, GDBusObject *object, gpointer data)
{
	remsim_ctl_dbus_object_event(data, object, "added");
}

static void
remsim_ctl_dbus_object_removed_cb(GDBusObjectManager *manager, GDBusObject *object, gpointer data)
{
	remsim_ctl_dbus_object_event(data, object, "removed");
}

static gboolean
remsim_ctl_dbus_has_any(GVariant *changed, const gchar *const *names)
{
	for (guint i = 0; names[i] != NULL; i++) {
		g_autoptr(GVariant) value = g_variant_lookup_value(changed, names[i], NULL);

		if (value != NULL)
			return TRUE;
	}
	return FALSE;
}

static guint
remsim_ctl_dbus_bankd_id(RemsimCtlDbus *self)
{
	GDBusProxy *root = self->roots[REMSIM_CTL_DBUS_BANKD];

	return root != NULL ? remsim_dbus_bankd1_get_bank_id(REMSIM_DBUS_BANKD1(root)) : 0;
}

static void
remsim_ctl_dbus_properties_changed_cb(GDBusObjectManagerClient *manager, GDBusObjectProxy *object,
				      GDBusProxy *iface, GVariant *changed, GStrv invalidated,
				      gpointer data)
{
	RemsimCtlDbus *self = data;

	if (REMSIM_DBUS_IS_SERVER1_SLOTMAP(iface) &&
	    remsim_ctl_dbus_has_any(changed, (const gchar *[]){ "State", "Error", NULL }))
		remsim_ctl_dbus_emit(self, "map-changed", "map",
				     remsim_ctl_dbus_map_model(REMSIM_DBUS_SERVER1_SLOTMAP(iface)));
	else if (REMSIM_DBUS_IS_BANKD1_SLOT(iface) &&
		 remsim_ctl_dbus_has_any(
		     changed,
		     (const gchar *[]){ "State", "CardPresent", "Mapped", "ClientSlot", NULL }))
		remsim_ctl_dbus_emit(self, "slot-changed", "slot",
				     remsim_ctl_dbus_slot_model(remsim_ctl_dbus_bankd_id(self),
								REMSIM_DBUS_BANKD1_SLOT(iface)));
	else if (REMSIM_DBUS_IS_CLIENT1_SLOT(iface)) {
		RemsimDbusClient1Slot *slot = REMSIM_DBUS_CLIENT1_SLOT(iface);

		if (remsim_ctl_dbus_has_any(
			changed,
			(const gchar *[]){ "State", "Frontend", "BankId", "BankSlotNr", NULL }))
			remsim_ctl_dbus_emit(self, "client-changed", "client",
					     remsim_ctl_dbus_client_slot_model(slot));
		if (remsim_ctl_dbus_has_any(changed, (const gchar *[]){ "ServerState", NULL }))
			remsim_ctl_dbus_emit(self, "link-changed", "link",
					     remsim_ctl_dbus_client_server_link(slot));
		if (remsim_ctl_dbus_has_any(changed, (const gchar *[]){ "BankdState", NULL }))
			remsim_ctl_dbus_emit(self, "link-changed", "link",
					     remsim_ctl_dbus_client_bank_link(slot));
	}
}

static void
remsim_ctl_dbus_bankd_changed_cb(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
				 gpointer data)
{
	if (remsim_ctl_dbus_has_any(changed, (const gchar *[]){ "ServerState", NULL }))
		remsim_ctl_dbus_emit(data, "link-changed", "link",
				     remsim_ctl_dbus_bankd_link(REMSIM_DBUS_BANKD1(proxy)));
}

static void
remsim_ctl_dbus_name_owner_cb(GObject *manager, GParamSpec *pspec, gpointer data)
{
	RemsimCtlDbus *self = data;

	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++) {
		if ((GObject *)self->managers[d] != manager)
			continue;
		remsim_ctl_dbus_emit(
		    self, remsim_ctl_dbus_is_up(self, d) ? "daemon-found" : "daemon-lost", "daemon",
		    remsim_ctl_dbus_daemon_model(self, d));
	}
}

/* every manager and root proxy is there: listen to them all */
static void
remsim_ctl_dbus_watch_connect(RemsimCtlDbus *self)
{
	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++) {
		g_signal_connect(self->managers[d], "object-added",
				 G_CALLBACK(remsim_ctl_dbus_object_added_cb), self);
		g_signal_connect(self->managers[d], "object-removed",
				 G_CALLBACK(remsim_ctl_dbus_object_removed_cb), self);
		g_signal_connect(self->managers[d], "interface-proxy-properties-changed",
				 G_CALLBACK(remsim_ctl_dbus_properties_changed_cb), self);
		g_signal_connect(self->managers[d], "notify::name-owner",
				 G_CALLBACK(remsim_ctl_dbus_name_owner_cb), self);
	}
	g_signal_connect(self->roots[REMSIM_CTL_DBUS_BANKD], "g-properties-changed",
			 G_CALLBACK(remsim_ctl_dbus_bankd_changed_cb), self);
}

/* one manager or root proxy less to wait for; the last one starts the watch */
static void
remsim_ctl_dbus_watch_step(GTask *task)
{
	RemsimCtlDbus *self = g_task_get_source_object(task);
	guint *pending = g_task_get_task_data(task);

	if (--*pending > 0)
		return;
	if (g_task_had_error(task) || g_task_return_error_if_cancelled(task)) {
		g_object_unref(task);
		return;
	}
	remsim_ctl_dbus_watch_connect(self);
	g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static void
remsim_ctl_dbus_watch_fail(GTask *task, const gchar *daemon, GError *error)
{
	/* the first failure answers; the others only count down */
	if (!g_task_had_error(task) && !g_task_get_completed(task))
		g_task_return_new_error(task, REMSIM_CTL_ERROR, REMSIM_CTL_ERROR_UNREACHABLE,
					/* TRANSLATORS: %s: the daemon, %s: why (English) */
					_("%s cannot be watched on the bus (%s): check that it "
					  "runs"),
					daemon, error->message);
}

static void
remsim_ctl_dbus_manager_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	GTask *task = data;
	RemsimCtlDbus *self = g_task_get_source_object(task);
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *manager = remsim_dbus_object_manager_client_new_finish(result, &error);

	for (guint d = 0; manager != NULL && d < REMSIM_CTL_DBUS_N_DAEMONS; d++)
		if (g_str_equal(g_dbus_object_manager_client_get_name(
				    G_DBUS_OBJECT_MANAGER_CLIENT(manager)),
				remsim_ctl_dbus_info[d].bus_name))
			self->managers[d] = g_object_ref(manager);
	if (manager == NULL)
		remsim_ctl_dbus_watch_fail(task, "D-Bus", error);
	g_clear_object(&manager);
	remsim_ctl_dbus_watch_step(task);
}

static void
remsim_ctl_dbus_root_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	GTask *task = data;
	RemsimCtlDbus *self = g_task_get_source_object(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GObject) root =
	    g_async_initable_new_finish(G_ASYNC_INITABLE(source), result, &error);

	for (guint d = 0; root != NULL && d < REMSIM_CTL_DBUS_N_DAEMONS; d++)
		if (g_str_equal(g_dbus_proxy_get_name(G_DBUS_PROXY(root)),
				remsim_ctl_dbus_info[d].bus_name))
			self->roots[d] = g_object_ref(G_DBUS_PROXY(root));
	if (root == NULL)
		remsim_ctl_dbus_watch_fail(task, "D-Bus", error);
	remsim_ctl_dbus_watch_step(task);
}

static void
remsim_ctl_dbus_bus_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	GTask *task = data;
	RemsimCtlDbus *self = g_task_get_source_object(task);
	GCancellable *cancellable = g_task_get_cancellable(task);
	g_autoptr(GError) error = NULL;

	self->bus = g_bus_get_finish(result, &error);
	if (self->bus == NULL) {
		g_task_return_error(task, remsim_ctl_dbus_no_bus_error(self, error->message));
		g_object_unref(task);
		return;
	}
	(void)REMSIM_DBUS_ERROR;
	g_task_set_task_data(
	    task, g_memdup2(&(guint){ 2 * REMSIM_CTL_DBUS_N_DAEMONS }, sizeof(guint)), g_free);
	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++) {
		const RemsimCtlDbusInfo *info = &remsim_ctl_dbus_info[d];

		remsim_dbus_object_manager_client_new(
		    self->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, info->bus_name,
		    info->path, cancellable, remsim_ctl_dbus_manager_ready, task);
		g_async_initable_new_async(
		    info->proxy_type(), G_PRIORITY_DEFAULT, cancellable, remsim_ctl_dbus_root_ready,
		    task, "g-flags", G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, "g-name", info->bus_name,
		    "g-connection", self->bus, "g-object-path", info->path, "g-interface-name",
		    info->interface, NULL);
	}
}

static void
remsim_ctl_dbus_watch_async(RemsimCtlSource *source, GCancellable *cancellable,
			    GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(source);
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_ctl_dbus_watch_async);
	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++) {
		g_clear_object(&self->managers[d]);
		g_clear_object(&self->roots[d]);
	}
	g_clear_object(&self->bus);
	g_bus_get(self->bus_type, cancellable, remsim_ctl_dbus_bus_ready, task);
}

static gboolean
remsim_ctl_dbus_watch_finish(RemsimCtlSource *source, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, source), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- the object ---- */

static void
remsim_ctl_dbus_dispose(GObject *object)
{
	RemsimCtlDbus *self = REMSIM_CTL_DBUS(object);

	for (guint d = 0; d < REMSIM_CTL_DBUS_N_DAEMONS; d++) {
		if (self->managers[d] != NULL)
			g_signal_handlers_disconnect_by_data(self->managers[d], self);
		if (self->roots[d] != NULL)
			g_signal_handlers_disconnect_by_data(self->roots[d], self);
		g_clear_object(&self->managers[d]);
		g_clear_object(&self->roots[d]);
	}
	g_clear_object(&self->bus);
	G_OBJECT_CLASS(remsim_ctl_dbus_parent_class)->dispose(object);
}

static void
remsim_ctl_dbus_class_init(RemsimCtlDbusClass *klass)
{
	RemsimCtlSourceClass *source_class = REMSIM_CTL_SOURCE_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_ctl_dbus_dispose;
	source_class->get_status = remsim_ctl_dbus_get_status;
	source_class->list_banks = remsim_ctl_dbus_list_banks;
	source_class->list_clients = remsim_ctl_dbus_list_clients;
	source_class->list_maps = remsim_ctl_dbus_list_maps;
	source_class->list_slots = remsim_ctl_dbus_list_slots;
	source_class->create_map = remsim_ctl_dbus_create_map;
	source_class->list_cards = remsim_ctl_dbus_list_cards;
	source_class->create_map_by_iccid = remsim_ctl_dbus_create_map_by_iccid;
	source_class->delete_map = remsim_ctl_dbus_delete_map;
	source_class->reset = remsim_ctl_dbus_reset;
	source_class->reset_slot = remsim_ctl_dbus_reset_slot;
	source_class->watch_async = remsim_ctl_dbus_watch_async;
	source_class->watch_finish = remsim_ctl_dbus_watch_finish;
}

static void
remsim_ctl_dbus_init(RemsimCtlDbus *self)
{
}

RemsimCtlSource *
remsim_ctl_dbus_new(GBusType bus_type)
{
	RemsimCtlDbus *self = g_object_new(REMSIM_CTL_TYPE_DBUS, NULL);

	self->bus_type = bus_type;
	return REMSIM_CTL_SOURCE(self);
}
