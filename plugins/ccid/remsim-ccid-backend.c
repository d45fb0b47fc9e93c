/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ccid backend: USB smart-card readers of the CCID class driven directly,
 * without pcscd. Config group [ccid]:
 *   slot-file = PATH     upstream's CSV slot file; reader-name patterns match
 *                        the names pcscd's CCID driver gives (see
 *                        remsim-ccid-name.h), serial:SERIAL/N and usb:PATH/N too
 *   slot-N = PATTERN     the rule of bank slot N, the same three kinds
 *   bank-id = N          the bank id whose CSV rows to use (default: the bank's)
 *   (no rule at all: every reader slot becomes the next free bank slot, in
 *   the order readers appear; a reader that comes back gets its slots back)
 *   protocols = t0;t1    protocols a card may use
 *   voltage = auto|5|3|1.8  the highest voltage a card gets (auto: from 5 V
 *                        down as reader and card allow)
 *   timeout = MS         how long a reader may take to answer a command
 *                        before time extensions (default 5000)
 *   quirks-file = PATH   the reader quirks (default: the installed one)
 *   simulator = PATH     drive the CCID device simulator listening on this
 *                        Unix socket instead of USB (tests, demos); also the
 *                        environment variable REMSIM_CCID_SIMULATOR
 */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-ccid-backend.h"
#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-quirks.h"
#include "remsim-ccid-slot.h"
#include "remsim-ccid-socket.h"
#include "remsim-ccid-usb.h"
#include "remsim-slot-rules.h"

#define REMSIM_CCID_BACKEND_DEFAULT_TIMEOUT_MS 5000
#define REMSIM_CCID_BACKEND_QUIRKS_FILE REMSIM_DATADIR "/ccid-quirks.conf"
/* interface classes: smart card, and vendor (with the quirk) */
#define REMSIM_CCID_BACKEND_CLASS 0x0b
#define REMSIM_CCID_BACKEND_VENDOR_CLASS 0xff

static const gchar *const remsim_ccid_backend_keys[] = {
	"slot-file", "slot-*",	    "bank-id",	 "protocols", "voltage",
	"timeout",   "quirks-file", "simulator", NULL,
};

struct _RemsimCcidBackend {
	RemsimBackend parent_instance;
	GPtrArray *slots; /* RemsimCcidSlot, by bank slot number */
	gboolean auto_assign;
	RemsimCcidSlotSettings settings;
	guint timeout_ms;
	RemsimCcidQuirks *quirks;
	RemsimCcidTransport *transport;
	GHashTable *readers; /* device id → RemsimCcidReader */
	GQueue arrivals;     /* device ids in arrival order, while their reader opens */
	GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE(RemsimCcidBackend, remsim_ccid_backend, REMSIM_TYPE_BACKEND)

static gboolean
remsim_ccid_backend_get_protocols(GKeyFile *config, const gchar *group, guint *protocols,
				  GError **error)
{
	g_auto(GStrv) names = g_key_file_get_string_list(config, group, "protocols", NULL, NULL);

	*protocols = 0x3;
	if (names == NULL)
		return TRUE;
	*protocols = 0;
	for (guint i = 0; names[i] != NULL; i++) {
		const gchar *name = g_strstrip(names[i]);

		if (g_ascii_strcasecmp(name, "t0") == 0) {
			*protocols |= 0x1;
		} else if (g_ascii_strcasecmp(name, "t1") == 0) {
			*protocols |= 0x2;
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

static gboolean
remsim_ccid_backend_get_voltage(GKeyFile *config, const gchar *group, guint8 *voltages,
				GError **error)
{
	static const struct {
		const gchar *name;
		guint8 voltages;
	} choices[] = {
		{ "auto",
		  REMSIM_CCID_VOLTAGE_5V | REMSIM_CCID_VOLTAGE_3V | REMSIM_CCID_VOLTAGE_1V8 },
		{ "5", REMSIM_CCID_VOLTAGE_5V | REMSIM_CCID_VOLTAGE_3V | REMSIM_CCID_VOLTAGE_1V8 },
		{ "3", REMSIM_CCID_VOLTAGE_3V | REMSIM_CCID_VOLTAGE_1V8 },
		{ "1.8", REMSIM_CCID_VOLTAGE_1V8 },
	};
	g_autofree gchar *text = g_key_file_get_string(config, group, "voltage", NULL);

	*voltages = choices[0].voltages;
	if (text == NULL)
		return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(choices); i++) {
		if (g_str_equal(g_strstrip(text), choices[i].name)) {
			*voltages = choices[i].voltages;
			return TRUE;
		}
	}
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		    /* TRANSLATORS: keep "[%s] voltage:" at the start */
		    _("[%s] voltage: “%s” is none of auto, 5, 3, 1.8"), group, text);
	return FALSE;
}

static gboolean
remsim_ccid_backend_get_timeout(GKeyFile *config, const gchar *group, guint *timeout_ms,
				GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(config, group, "timeout", NULL);
	guint64 v = REMSIM_CCID_BACKEND_DEFAULT_TIMEOUT_MS;

	if (text != NULL &&
	    !g_ascii_string_to_unsigned(g_strstrip(text), 10, 10, 600000, &v, NULL)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    /* TRANSLATORS: keep "[%s] timeout:" at the start */
			    _("[%s] timeout: not a number of milliseconds in 10..600000"), group);
		return FALSE;
	}
	*timeout_ms = (guint)v;
	return TRUE;
}

static gboolean
remsim_ccid_backend_load_quirks(RemsimCcidBackend *self, GKeyFile *config, const gchar *group,
				GError **error)
{
	g_autofree gchar *path = g_key_file_get_string(config, group, "quirks-file", NULL);
	g_autoptr(GError) local_error = NULL;

	if (path != NULL) {
		self->quirks = remsim_ccid_quirks_load(path, error);
		if (self->quirks == NULL) {
			g_prefix_error(error, "[%s] quirks-file: ", group);
			return FALSE;
		}
		return TRUE;
	}
	self->quirks = remsim_ccid_quirks_load(REMSIM_CCID_BACKEND_QUIRKS_FILE, &local_error);
	if (self->quirks == NULL) {
		g_debug("no reader quirks: %s", local_error->message);
		self->quirks = remsim_ccid_quirks_new_empty();
	}
	return TRUE;
}

/* --- readers and bank slots --- */

static gboolean
remsim_ccid_backend_reader_slot_taken(RemsimCcidBackend *self, RemsimCcidReader *reader,
				      guint reader_slot)
{
	for (guint i = 0; i < self->slots->len; i++) {
		guint n;

		if (remsim_ccid_slot_get_reader(self->slots->pdata[i], &n) == reader &&
		    n == reader_slot)
			return TRUE;
	}
	return FALSE;
}

static void
remsim_ccid_backend_bind(RemsimCcidBackend *self, RemsimCcidSlot *slot, RemsimCcidReader *reader,
			 guint reader_slot)
{
	g_autofree gchar *name = remsim_ccid_reader_dup_slot_name(reader, reader_slot);

	remsim_ccid_slot_bind(slot, reader, reader_slot);
	g_message("CCID: bank slot %u uses reader slot “%s”",
		  remsim_card_slot_get_index(REMSIM_CARD_SLOT(slot)), name);
}

/* the rule of each free bank slot against each free slot of @reader */
static void
remsim_ccid_backend_bind_by_rules(RemsimCcidBackend *self, RemsimCcidReader *reader)
{
	const gchar *serial = remsim_ccid_reader_get_serial(reader);
	const gchar *path = remsim_ccid_reader_get_info(reader)->usb_path;

	for (guint i = 0; i < self->slots->len; i++) {
		RemsimCcidSlot *slot = self->slots->pdata[i];
		const RemsimSlotRule *rule = remsim_ccid_slot_get_rule(slot);

		if (remsim_ccid_slot_get_reader(slot, NULL) != NULL)
			continue;
		for (guint n = 0; n < remsim_ccid_reader_get_n_slots(reader); n++) {
			g_autofree gchar *name = remsim_ccid_reader_dup_slot_name(reader, n);

			if (remsim_ccid_backend_reader_slot_taken(self, reader, n) ||
			    !remsim_slot_rule_matches_reader(rule, name, serial, path, n))
				continue;
			remsim_ccid_backend_bind(self, slot, reader, n);
			break;
		}
	}
}

/* no rules: each slot of @reader takes the bank slot it had before, else the first free one */
static void
remsim_ccid_backend_bind_in_order(RemsimCcidBackend *self, RemsimCcidReader *reader)
{
	const gchar *serial = remsim_ccid_reader_get_serial(reader);

	for (guint n = 0; n < remsim_ccid_reader_get_n_slots(reader); n++) {
		g_autofree gchar *identity =
		    serial != NULL
			? g_strdup_printf("%s/%u", serial, n)
			: g_strdup_printf("usb:%s/%u",
					  remsim_ccid_reader_get_info(reader)->usb_path, n);
		RemsimCcidSlot *pick = NULL;

		for (guint i = 0; i < self->slots->len && pick == NULL; i++) {
			RemsimCcidSlot *slot = self->slots->pdata[i];

			if (remsim_ccid_slot_get_reader(slot, NULL) == NULL &&
			    g_strcmp0(remsim_ccid_slot_get_last_identity(slot), identity) == 0)
				pick = slot;
		}
		for (guint i = 0; i < self->slots->len && pick == NULL; i++) {
			RemsimCcidSlot *slot = self->slots->pdata[i];

			if (remsim_ccid_slot_get_reader(slot, NULL) == NULL &&
			    remsim_ccid_slot_get_last_identity(slot) == NULL)
				pick = slot;
		}
		if (pick == NULL) {
			g_autofree gchar *name = remsim_ccid_reader_dup_slot_name(reader, n);

			g_message("CCID: no free bank slot for reader slot “%s”", name);
			continue;
		}
		remsim_ccid_backend_bind(self, pick, reader, n);
	}
}

/* NN of the reader's slot names: the lowest not used by a reader of the same name */
static void
remsim_ccid_backend_number(RemsimCcidBackend *self, RemsimCcidReader *reader)
{
	g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
	GHashTableIter iter;
	gpointer value;
	guint nr = 0;

	g_hash_table_iter_init(&iter, self->readers);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		RemsimCcidReader *other = value;

		if (other == reader || g_object_get_data(G_OBJECT(other), "number") == NULL ||
		    g_strcmp0(remsim_ccid_reader_get_name(other),
			      remsim_ccid_reader_get_name(reader)) != 0)
			continue;
		g_hash_table_add(used, g_object_get_data(G_OBJECT(other), "number"));
	}
	while (g_hash_table_contains(used, GUINT_TO_POINTER(nr + 1)))
		nr++;
	remsim_ccid_reader_set_number(reader, nr);
	g_object_set_data(G_OBJECT(reader), "number", GUINT_TO_POINTER(nr + 1));
}

/* readers are bound in the order they arrived, so that start-up is repeatable */
static void
remsim_ccid_backend_bind_arrived(RemsimCcidBackend *self)
{
	while (!g_queue_is_empty(&self->arrivals)) {
		gpointer id = g_queue_peek_head(&self->arrivals);
		RemsimCcidReader *reader = g_hash_table_lookup(self->readers, id);

		if (reader != NULL && g_object_get_data(G_OBJECT(reader), "open") == NULL)
			return;
		g_queue_pop_head(&self->arrivals);
		if (reader == NULL)
			continue;
		remsim_ccid_backend_number(self, reader);
		if (self->auto_assign)
			remsim_ccid_backend_bind_in_order(self, reader);
		else
			remsim_ccid_backend_bind_by_rules(self, reader);
	}
}

static void
remsim_ccid_backend_drop_reader(RemsimCcidBackend *self, guint id)
{
	g_autoptr(RemsimCcidReader) reader = NULL;

	if (!g_hash_table_steal_extended(self->readers, GUINT_TO_POINTER(id), NULL,
					 (gpointer *)&reader))
		return;
	for (guint i = 0; i < self->slots->len; i++) {
		RemsimCcidSlot *slot = self->slots->pdata[i];

		if (remsim_ccid_slot_get_reader(slot, NULL) == reader) {
			g_message("CCID: bank slot %u lost its reader “%s”", i,
				  remsim_ccid_reader_get_name(reader));
			remsim_ccid_slot_unbind(slot);
		}
	}
	g_signal_handlers_disconnect_by_data(reader, self);
	remsim_ccid_reader_close(reader);
	remsim_ccid_backend_bind_arrived(self);
}

static void
remsim_ccid_backend_open_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimCcidReader *reader = REMSIM_CCID_READER(source);
	g_autoptr(GError) error = NULL;
	RemsimCcidBackend *self;
	guint id = remsim_ccid_reader_get_info(reader)->id;

	if (!remsim_ccid_reader_open_finish(reader, result, &error)) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		self = user_data;
		g_warning("%s: %s", remsim_ccid_reader_get_info(reader)->usb_path, error->message);
		remsim_ccid_backend_drop_reader(self, id);
		return;
	}
	self = user_data;
	g_object_set_data(G_OBJECT(reader), "open", GINT_TO_POINTER(TRUE));
	g_message("CCID: reader “%s” at USB %s, %u slot(s), %s level",
		  remsim_ccid_reader_get_name(reader),
		  remsim_ccid_reader_get_info(reader)->usb_path,
		  remsim_ccid_reader_get_n_slots(reader),
		  remsim_ccid_descriptor_level_name(
		      remsim_ccid_descriptor_get_level(remsim_ccid_reader_get_descriptor(reader))));
	remsim_ccid_backend_bind_arrived(self);
}

static void
remsim_ccid_backend_reader_gone_cb(RemsimCcidReader *reader, gpointer user_data)
{
	remsim_ccid_backend_drop_reader(user_data, remsim_ccid_reader_get_info(reader)->id);
}

static void
remsim_ccid_backend_device_added_cb(RemsimCcidTransport *transport, gpointer data,
				    gpointer user_data)
{
	RemsimCcidBackend *self = user_data;
	const RemsimCcidDeviceInfo *info = data;
	const RemsimCcidQuirk *quirk =
	    remsim_ccid_quirks_lookup(self->quirks, info->vendor, info->product);
	gboolean vendor_ok = quirk != NULL && (quirk->flags & REMSIM_CCID_QUIRK_VENDOR_CLASS);
	RemsimCcidReader *reader;

	if (info->interface_class != REMSIM_CCID_BACKEND_CLASS &&
	    !(info->interface_class == REMSIM_CCID_BACKEND_VENDOR_CLASS && vendor_ok))
		return;
	if (info->interface_protocol != 0) {
		g_message("USB %s: an ICCD reader (protocol %u), not handled", info->usb_path,
			  info->interface_protocol);
		return;
	}
	reader = remsim_ccid_reader_new(self->transport, info, quirk, self->timeout_ms);
	g_hash_table_replace(self->readers, GUINT_TO_POINTER(info->id), reader);
	g_queue_push_tail(&self->arrivals, GUINT_TO_POINTER(info->id));
	g_signal_connect(reader, "gone", G_CALLBACK(remsim_ccid_backend_reader_gone_cb), self);
	remsim_ccid_reader_open_async(reader, self->cancellable, remsim_ccid_backend_open_ready,
				      self);
}

static void
remsim_ccid_backend_device_removed_cb(RemsimCcidTransport *transport, guint id, gpointer user_data)
{
	remsim_ccid_backend_drop_reader(user_data, id);
}

/* --- configuration --- */

static gboolean
remsim_ccid_backend_make_slots(RemsimCcidBackend *self, GKeyFile *config, const gchar *group,
			       GError **error)
{
	g_autoptr(GPtrArray) rules = NULL;
	g_autoptr(GPtrArray) mine = NULL;
	gint bank_id;

	if (!remsim_slot_rules_get_bank_id(config, group, &bank_id, error))
		return FALSE;
	rules = remsim_slot_rules_read(config, group, bank_id, NULL,
				       REMSIM_SLOT_RULE_KINDS_NAME | REMSIM_SLOT_RULE_KINDS_SERIAL |
					   REMSIM_SLOT_RULE_KINDS_USB_PATH,
				       error);
	if (rules == NULL)
		return FALSE;
	self->slots = g_ptr_array_new_with_free_func(g_object_unref);
	self->auto_assign = rules->len == 0;
	if (self->auto_assign) {
		gint n = g_key_file_get_integer(config, "bankd", "num-slots", NULL);

		for (gint i = 0; i < CLAMP(n, 1, REMSIM_SLOT_RULES_MAX_SLOT + 1); i++)
			g_ptr_array_add(self->slots,
					remsim_ccid_slot_new((guint)i, NULL, &self->settings));
		return TRUE;
	}
	mine = remsim_slot_rules_for_bank(rules, bank_id);
	for (guint i = 0; i < mine->len; i++) {
		RemsimSlotRule *rule = mine->pdata[i];

		g_ptr_array_add(self->slots,
				remsim_ccid_slot_new((guint)rule->slot_nr, rule, &self->settings));
	}
	/* the slots own their rules now */
	g_ptr_array_set_free_func(mine, NULL);
	if (self->slots->len == 0)
		g_message("CCID: no slot rule for bank %d", bank_id);
	return TRUE;
}

static gboolean
remsim_ccid_backend_configure(RemsimBackend *backend, GKeyFile *config, const gchar *group,
			      GError **error)
{
	RemsimCcidBackend *self = REMSIM_CCID_BACKEND(backend);
	g_autofree gchar *simulator = g_key_file_get_string(config, group, "simulator", NULL);
	g_autoptr(GError) local_error = NULL;

	if (!remsim_ccid_backend_get_protocols(config, group, &self->settings.protocols, error) ||
	    !remsim_ccid_backend_get_voltage(config, group, &self->settings.voltages, error) ||
	    !remsim_ccid_backend_get_timeout(config, group, &self->timeout_ms, error) ||
	    !remsim_ccid_backend_load_quirks(self, config, group, error) ||
	    !remsim_ccid_backend_make_slots(self, config, group, error))
		return FALSE;
	if (simulator == NULL && g_getenv("REMSIM_CCID_SIMULATOR") != NULL)
		simulator = g_strdup(g_getenv("REMSIM_CCID_SIMULATOR"));
	if (simulator != NULL) {
		g_message("CCID: readers of the simulator at %s, not USB", simulator);
		self->transport = remsim_ccid_socket_new(simulator);
	} else {
		self->transport = remsim_ccid_usb_new();
	}
	g_signal_connect(self->transport, "device-added",
			 G_CALLBACK(remsim_ccid_backend_device_added_cb), self);
	g_signal_connect(self->transport, "device-removed",
			 G_CALLBACK(remsim_ccid_backend_device_removed_cb), self);
	/* a bank without USB runs with no readers, as one without pcscd */
	if (!remsim_ccid_transport_start(self->transport, &local_error))
		g_warning("CCID: %s", local_error->message);
	return TRUE;
}

static gpointer
remsim_ccid_backend_ref_slot(gconstpointer slot, gpointer user_data)
{
	return g_object_ref((gpointer)slot);
}

static GPtrArray *
remsim_ccid_backend_enumerate(RemsimBackend *backend)
{
	RemsimCcidBackend *self = REMSIM_CCID_BACKEND(backend);

	if (self->slots == NULL)
		return g_ptr_array_new_with_free_func(g_object_unref);
	return g_ptr_array_copy(self->slots, remsim_ccid_backend_ref_slot, NULL);
}

static void
remsim_ccid_backend_dispose(GObject *object)
{
	RemsimCcidBackend *self = REMSIM_CCID_BACKEND(object);
	g_autoptr(GList) readers = NULL;

	g_cancellable_cancel(self->cancellable);
	if (self->transport != NULL)
		g_signal_handlers_disconnect_by_data(self->transport, self);
	for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
		remsim_ccid_slot_unbind(self->slots->pdata[i]);
	readers = g_hash_table_get_values(self->readers);
	for (GList *l = readers; l != NULL; l = l->next) {
		g_signal_handlers_disconnect_by_data(l->data, self);
		remsim_ccid_reader_close(l->data);
	}
	g_hash_table_remove_all(self->readers);
	g_queue_clear(&self->arrivals);
	/* its reads and writes in flight hold references: stop them now */
	if (self->transport != NULL)
		g_object_run_dispose(G_OBJECT(self->transport));
	g_clear_object(&self->transport);
	g_clear_pointer(&self->slots, g_ptr_array_unref);
	G_OBJECT_CLASS(remsim_ccid_backend_parent_class)->dispose(object);
}

static void
remsim_ccid_backend_finalize(GObject *object)
{
	RemsimCcidBackend *self = REMSIM_CCID_BACKEND(object);

	g_hash_table_unref(self->readers);
	g_clear_pointer(&self->quirks, remsim_ccid_quirks_free);
	g_object_unref(self->cancellable);
	G_OBJECT_CLASS(remsim_ccid_backend_parent_class)->finalize(object);
}

static void
remsim_ccid_backend_class_init(RemsimCcidBackendClass *klass)
{
	RemsimBackendClass *backend_class = REMSIM_BACKEND_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_ccid_backend_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_ccid_backend_finalize;
	backend_class->configure = remsim_ccid_backend_configure;
	backend_class->enumerate = remsim_ccid_backend_enumerate;
	backend_class->config_keys = remsim_ccid_backend_keys;
}

static void
remsim_ccid_backend_init(RemsimCcidBackend *self)
{
	self->readers = g_hash_table_new_full(NULL, NULL, NULL, g_object_unref);
	self->cancellable = g_cancellable_new();
	g_queue_init(&self->arrivals);
}

REMSIM_DEFINE_PLUGIN(ccid, remsim_ccid_backend_get_type);
