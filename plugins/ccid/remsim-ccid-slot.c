/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-atr.h"
#include "remsim-ccid-error.h"
#include "remsim-ccid-slot.h"
#include "remsim-ccid-xfr.h"

struct _RemsimCcidSlot {
	RemsimCardSlot parent_instance;
	RemsimSlotRule *rule;
	RemsimCcidSlotSettings settings;
	RemsimCcidReader *reader;
	guint reader_slot;
	gulong changed_id;
	gchar *identity;
	gboolean powered;
	RemsimCcidXfrMode mode;
	RemsimCcidT1 *t1;
};

G_DEFINE_FINAL_TYPE(RemsimCcidSlot, remsim_ccid_slot, REMSIM_TYPE_CARD_SLOT)

/* bPowerSelect of each voltage bit, highest first */
static const struct {
	guint8 bit;
	guint8 power_select;
	guint8 atr_class;
	const gchar *name;
} remsim_ccid_slot_voltages[] = {
	{ REMSIM_CCID_VOLTAGE_5V, 1, REMSIM_CCID_ATR_CLASS_A, "5 V" },
	{ REMSIM_CCID_VOLTAGE_3V, 2, REMSIM_CCID_ATR_CLASS_B, "3 V" },
	{ REMSIM_CCID_VOLTAGE_1V8, 3, REMSIM_CCID_ATR_CLASS_C, "1.8 V" },
};

typedef struct {
	RemsimCcidReader *reader;
	guint8 slot;
	guint voltage;	 /* index into remsim_ccid_slot_voltages, or G_MAXUINT: the reader picks */
	guint8 voltages; /* the ones left to try */
	GBytes *atr;
	RemsimCcidAtr parsed;
	guint protocol;
} RemsimCcidSlotPowerOn;

static void
remsim_ccid_slot_power_on_free(gpointer data)
{
	RemsimCcidSlotPowerOn *p = data;

	g_object_unref(p->reader);
	g_clear_pointer(&p->atr, g_bytes_unref);
	g_free(p);
}

static GError *
remsim_ccid_slot_card_error(GError *error)
{
	/* the CCID layer's errors become what they mean for the card */
	if (error->domain != REMSIM_CARD_ERROR && error->domain != G_IO_ERROR) {
		GError *card = g_error_new_literal(
		    REMSIM_CARD_ERROR, remsim_ccid_error_to_card(error), error->message);

		g_error_free(error);
		return card;
	}
	return error;
}

static void
remsim_ccid_slot_fail(GTask *task, GError *error)
{
	g_task_return_error(task, remsim_ccid_slot_card_error(error));
	g_object_unref(task);
}

static void remsim_ccid_slot_power(GTask *task);

/* the next voltage to try below the current one, that the card (if it said) takes */
static gboolean
remsim_ccid_slot_next_voltage(RemsimCcidSlotPowerOn *p, guint8 card_classes)
{
	for (guint i = p->voltage + 1; i < G_N_ELEMENTS(remsim_ccid_slot_voltages); i++) {
		if (!(p->voltages & remsim_ccid_slot_voltages[i].bit))
			continue;
		if (card_classes != 0 && !(card_classes & remsim_ccid_slot_voltages[i].atr_class))
			continue;
		p->voltage = i;
		return TRUE;
	}
	return FALSE;
}

static void
remsim_ccid_slot_ifs_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	RemsimCcidSlot *self = g_task_get_source_object(task);
	RemsimCcidSlotPowerOn *p = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) done = remsim_ccid_xfr_finish(REMSIM_CCID_READER(source), result, &error);

	/* cards that do not take S(IFS) work with the default IFSD */
	if (done == NULL)
		g_debug("%s: S(IFS) refused: %s", remsim_card_slot_get_name(REMSIM_CARD_SLOT(self)),
			error->message);
	self->powered = TRUE;
	g_task_return_pointer(task, g_bytes_ref(p->atr), (GDestroyNotify)g_bytes_unref);
	g_object_unref(task);
}

static void
remsim_ccid_slot_ready_to_use(GTask *task)
{
	RemsimCcidSlot *self = g_task_get_source_object(task);
	RemsimCcidSlotPowerOn *p = g_task_get_task_data(task);
	const RemsimCcidDescriptor *desc = remsim_ccid_reader_get_descriptor(p->reader);
	RemsimCcidLevel level = remsim_ccid_descriptor_get_level(desc);

	g_clear_pointer(&self->t1, remsim_ccid_t1_unref);
	if (level == REMSIM_CCID_LEVEL_EXTENDED_APDU)
		self->mode = REMSIM_CCID_XFR_EXTENDED_APDU;
	else if (level == REMSIM_CCID_LEVEL_SHORT_APDU)
		self->mode = REMSIM_CCID_XFR_SHORT_APDU;
	else if (p->protocol == 1)
		self->mode = REMSIM_CCID_XFR_TPDU_T1;
	else
		self->mode = REMSIM_CCID_XFR_TPDU_T0;
	if (self->mode == REMSIM_CCID_XFR_TPDU_T1) {
		self->t1 = remsim_ccid_t1_new(p->parsed.ifsc, p->parsed.crc);
		if (!(desc->features & REMSIM_CCID_FEATURE_AUTO_IFSD) &&
		    !(remsim_ccid_reader_get_quirks(p->reader) &
		      REMSIM_CCID_QUIRK_NO_IFS_REQUEST)) {
			remsim_ccid_xfr_async(p->reader, p->slot, self->mode, self->t1, NULL,
					      g_task_get_cancellable(task),
					      remsim_ccid_slot_ifs_ready, task);
			return;
		}
	}
	self->powered = TRUE;
	g_task_return_pointer(task, g_bytes_ref(p->atr), (GDestroyNotify)g_bytes_unref);
	g_object_unref(task);
}

static void
remsim_ccid_slot_params_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	GError *error = NULL;
	g_autoptr(RemsimCcidAnswer) answer =
	    remsim_ccid_reader_command_finish(REMSIM_CCID_READER(source), result, &error);

	if (answer == NULL || !remsim_ccid_reader_answer_check(answer, &error)) {
		g_prefix_error(&error, "SetParameters: ");
		remsim_ccid_slot_fail(task, error);
		return;
	}
	remsim_ccid_slot_ready_to_use(task);
}

/* the protocol both sides take, and its parameters unless the reader sets them itself */
static void
remsim_ccid_slot_set_parameters(GTask *task)
{
	RemsimCcidSlot *self = g_task_get_source_object(task);
	RemsimCcidSlotPowerOn *p = g_task_get_task_data(task);
	const RemsimCcidDescriptor *desc = remsim_ccid_reader_get_descriptor(p->reader);
	guint common = p->parsed.protocols & desc->protocols & self->settings.protocols;
	g_autoptr(GBytes) data = NULL;
	guint8 fi_di;

	if (p->parsed.specific_mode)
		common &= 1u << p->parsed.specific_protocol;
	if (common == 0) {
		remsim_ccid_slot_fail(task,
				      g_error_new(REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
						  "no protocol both card (0x%x) and reader (0x%x) "
						  "may use",
						  p->parsed.protocols, desc->protocols));
		return;
	}
	p->protocol = (common & (1u << p->parsed.first_protocol)) ? p->parsed.first_protocol
								  : (common & 1u ? 0 : 1);
	if ((desc->features & REMSIM_CCID_FEATURE_AUTO_NEGOTIATION) ||
	    (remsim_ccid_reader_get_quirks(p->reader) & REMSIM_CCID_QUIRK_NO_SET_PARAMETERS)) {
		remsim_ccid_slot_ready_to_use(task);
		return;
	}
	/* without PPS (the reader does none) the card stays at its default speed */
	fi_di = (p->parsed.specific_mode || (desc->features & REMSIM_CCID_FEATURE_AUTO_PPS))
		    ? p->parsed.ta1
		    : 0x11;
	data = remsim_ccid_atr_protocol_data(&p->parsed, p->protocol, fi_di);
	remsim_ccid_reader_command_async(
	    p->reader, p->slot, REMSIM_CCID_PC_TO_RDR_SET_PARAMETERS, (guint8)p->protocol, 0, 0,
	    data, 1, g_task_get_cancellable(task), remsim_ccid_slot_params_ready, task);
}

static void
remsim_ccid_slot_off_then_power_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimCcidAnswer) answer =
	    remsim_ccid_reader_command_finish(REMSIM_CCID_READER(source), result, NULL);

	remsim_ccid_slot_power(user_data);
}

static void
remsim_ccid_slot_power_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	RemsimCcidSlot *self = g_task_get_source_object(task);
	RemsimCcidSlotPowerOn *p = g_task_get_task_data(task);
	GError *error = NULL;
	g_autoptr(GError) atr_error = NULL;
	g_autoptr(RemsimCcidAnswer) answer =
	    remsim_ccid_reader_command_finish(REMSIM_CCID_READER(source), result, &error);
	const gchar *name = remsim_card_slot_get_name(REMSIM_CARD_SLOT(self));
	gsize len = 0;
	const guint8 *atr;

	if (answer == NULL) {
		remsim_ccid_slot_fail(task, error);
		return;
	}
	if (!remsim_ccid_reader_answer_check(answer, &error)) {
		/* a mute card may wake up at a lower voltage */
		if (g_error_matches(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_UNRESPONSIVE) &&
		    p->voltage != G_MAXUINT && remsim_ccid_slot_next_voltage(p, 0)) {
			g_debug("%s: mute, trying %s", name,
				remsim_ccid_slot_voltages[p->voltage].name);
			g_error_free(error);
			remsim_ccid_slot_power(task);
			return;
		}
		remsim_ccid_slot_fail(task, error);
		return;
	}
	atr = g_bytes_get_data(answer->data, &len);
	if (!remsim_ccid_atr_parse(atr, len, &p->parsed, &atr_error)) {
		/* a reader that got an ATR at all could talk to it: take the defaults */
		g_debug("%s: %s; taking T=0 defaults", name, atr_error->message);
		remsim_ccid_atr_parse((const guint8 *)"\x3b\x00", 2, &p->parsed, NULL);
	}
	g_clear_pointer(&p->atr, g_bytes_unref);
	p->atr = g_bytes_ref(answer->data);
	/* powered at a voltage the card says it does not take: lower, if we may */
	if (p->voltage != G_MAXUINT && p->parsed.classes != 0 &&
	    !(p->parsed.classes & remsim_ccid_slot_voltages[p->voltage].atr_class) &&
	    remsim_ccid_slot_next_voltage(p, p->parsed.classes)) {
		g_debug("%s: the card asks for another class, trying %s", name,
			remsim_ccid_slot_voltages[p->voltage].name);
		remsim_ccid_reader_command_async(
		    p->reader, p->slot, REMSIM_CCID_PC_TO_RDR_ICC_POWER_OFF, 0, 0, 0, NULL, 1,
		    g_task_get_cancellable(task), remsim_ccid_slot_off_then_power_ready, task);
		return;
	}
	remsim_ccid_slot_set_parameters(task);
}

static void
remsim_ccid_slot_power(GTask *task)
{
	RemsimCcidSlotPowerOn *p = g_task_get_task_data(task);
	guint8 select =
	    p->voltage == G_MAXUINT ? 0 : remsim_ccid_slot_voltages[p->voltage].power_select;

	remsim_ccid_reader_command_async(p->reader, p->slot, REMSIM_CCID_PC_TO_RDR_ICC_POWER_ON,
					 select, 0, 0, NULL, 1, g_task_get_cancellable(task),
					 remsim_ccid_slot_power_ready, task);
}

static void
remsim_ccid_slot_power_on_async(RemsimCardSlot *slot, RemsimPowerOnFlags flags,
				GCancellable *cancellable, GAsyncReadyCallback callback,
				gpointer user_data)
{
	RemsimCcidSlot *self = REMSIM_CCID_SLOT(slot);
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	const RemsimCcidDescriptor *desc;
	RemsimCcidSlotPowerOn *p;

	g_task_set_source_tag(task, remsim_ccid_slot_power_on_async);
	if (self->reader == NULL) {
		remsim_ccid_slot_fail(task, g_error_new(REMSIM_CARD_ERROR,
							REMSIM_CARD_ERROR_NO_CARD, "%s: no reader",
							remsim_card_slot_get_name(slot)));
		return;
	}
	desc = remsim_ccid_reader_get_descriptor(self->reader);
	self->powered = FALSE;
	p = g_new0(RemsimCcidSlotPowerOn, 1);
	p->reader = g_object_ref(self->reader);
	p->slot = (guint8)self->reader_slot;
	p->voltages = desc->voltage_support & self->settings.voltages;
	p->voltage = G_MAXUINT;
	g_task_set_task_data(task, p, remsim_ccid_slot_power_on_free);
	/* the highest voltage both allow first, unless the reader selects it itself */
	if (!(desc->features & REMSIM_CCID_FEATURE_AUTO_VOLTAGE) && p->voltages != 0) {
		for (guint i = 0; i < G_N_ELEMENTS(remsim_ccid_slot_voltages); i++) {
			if (p->voltages & remsim_ccid_slot_voltages[i].bit) {
				p->voltage = i;
				break;
			}
		}
	}
	remsim_ccid_slot_power(task);
}

static GBytes *
remsim_ccid_slot_power_on_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_ccid_slot_transmit_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	GError *error = NULL;
	GBytes *answer = remsim_ccid_xfr_finish(REMSIM_CCID_READER(source), result, &error);

	if (answer == NULL) {
		remsim_ccid_slot_fail(task, error);
		return;
	}
	g_task_return_pointer(task, answer, (GDestroyNotify)g_bytes_unref);
	g_object_unref(task);
}

static void
remsim_ccid_slot_transmit_async(RemsimCardSlot *slot, GBytes *apdu, GCancellable *cancellable,
				GAsyncReadyCallback callback, gpointer user_data)
{
	RemsimCcidSlot *self = REMSIM_CCID_SLOT(slot);
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, remsim_ccid_slot_transmit_async);
	if (self->reader == NULL || !remsim_card_slot_get_card_present(slot)) {
		remsim_ccid_slot_fail(task,
				      g_error_new(REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD,
						  "%s: no card", remsim_card_slot_get_name(slot)));
		return;
	}
	if (!self->powered) {
		remsim_ccid_slot_fail(
		    task, g_error_new(REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
				      "%s: card not powered", remsim_card_slot_get_name(slot)));
		return;
	}
	remsim_ccid_xfr_async(self->reader, (guint8)self->reader_slot, self->mode, self->t1, apdu,
			      cancellable, remsim_ccid_slot_transmit_ready, task);
}

static GBytes *
remsim_ccid_slot_transmit_finish(RemsimCardSlot *slot, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
remsim_ccid_slot_power_off_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimCcidAnswer) answer =
	    remsim_ccid_reader_command_finish(REMSIM_CCID_READER(source), result, NULL);
}

static void
remsim_ccid_slot_power_off(RemsimCardSlot *slot)
{
	RemsimCcidSlot *self = REMSIM_CCID_SLOT(slot);

	self->powered = FALSE;
	g_clear_pointer(&self->t1, remsim_ccid_t1_unref);
	if (self->reader == NULL || remsim_ccid_reader_is_gone(self->reader))
		return;
	/* queued behind whatever the slot still does; nobody waits for it */
	remsim_ccid_reader_command_async(self->reader, (guint8)self->reader_slot,
					 REMSIM_CCID_PC_TO_RDR_ICC_POWER_OFF, 0, 0, 0, NULL, 1,
					 NULL, remsim_ccid_slot_power_off_ready, NULL);
}

static void
remsim_ccid_slot_changed_cb(RemsimCcidReader *reader, guint slot, gboolean present,
			    gpointer user_data)
{
	RemsimCcidSlot *self = user_data;

	if (slot != self->reader_slot)
		return;
	if (!present) {
		self->powered = FALSE;
		g_clear_pointer(&self->t1, remsim_ccid_t1_unref);
	}
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self), present);
}

void
remsim_ccid_slot_bind(RemsimCcidSlot *self, RemsimCcidReader *reader, guint reader_slot)
{
	const RemsimCcidDeviceInfo *info = remsim_ccid_reader_get_info(reader);
	const gchar *serial = remsim_ccid_reader_get_serial(reader);

	remsim_ccid_slot_unbind(self);
	self->reader = g_object_ref(reader);
	self->reader_slot = reader_slot;
	g_free(self->identity);
	self->identity = serial != NULL ? g_strdup_printf("%s/%u", serial, reader_slot)
					: g_strdup_printf("usb:%s/%u", info->usb_path, reader_slot);
	self->changed_id =
	    g_signal_connect(reader, "slot-changed", G_CALLBACK(remsim_ccid_slot_changed_cb), self);
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self),
					  remsim_ccid_reader_get_present(reader, reader_slot));
}

void
remsim_ccid_slot_unbind(RemsimCcidSlot *self)
{
	if (self->reader == NULL)
		return;
	g_clear_signal_handler(&self->changed_id, self->reader);
	g_clear_object(&self->reader);
	self->powered = FALSE;
	g_clear_pointer(&self->t1, remsim_ccid_t1_unref);
	remsim_card_slot_set_card_present(REMSIM_CARD_SLOT(self), FALSE);
}

RemsimCcidReader *
remsim_ccid_slot_get_reader(RemsimCcidSlot *self, guint *reader_slot)
{
	if (reader_slot != NULL)
		*reader_slot = self->reader_slot;
	return self->reader;
}

const gchar *
remsim_ccid_slot_get_last_identity(RemsimCcidSlot *self)
{
	return self->identity;
}

const RemsimSlotRule *
remsim_ccid_slot_get_rule(RemsimCcidSlot *self)
{
	return self->rule;
}

static void
remsim_ccid_slot_dispose(GObject *object)
{
	remsim_ccid_slot_unbind(REMSIM_CCID_SLOT(object));
	G_OBJECT_CLASS(remsim_ccid_slot_parent_class)->dispose(object);
}

static void
remsim_ccid_slot_finalize(GObject *object)
{
	RemsimCcidSlot *self = REMSIM_CCID_SLOT(object);

	remsim_slot_rule_free(self->rule);
	g_free(self->identity);
	G_OBJECT_CLASS(remsim_ccid_slot_parent_class)->finalize(object);
}

static void
remsim_ccid_slot_class_init(RemsimCcidSlotClass *klass)
{
	RemsimCardSlotClass *slot_class = REMSIM_CARD_SLOT_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = remsim_ccid_slot_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_ccid_slot_finalize;
	slot_class->power_on_async = remsim_ccid_slot_power_on_async;
	slot_class->power_on_finish = remsim_ccid_slot_power_on_finish;
	slot_class->transmit_async = remsim_ccid_slot_transmit_async;
	slot_class->transmit_finish = remsim_ccid_slot_transmit_finish;
	slot_class->power_off = remsim_ccid_slot_power_off;
}

static void
remsim_ccid_slot_init(RemsimCcidSlot *self)
{
}

RemsimCcidSlot *
remsim_ccid_slot_new(guint index, RemsimSlotRule *rule, const RemsimCcidSlotSettings *settings)
{
	g_autofree gchar *name = g_strdup_printf("ccid%u", index);
	RemsimCcidSlot *self =
	    g_object_new(REMSIM_TYPE_CCID_SLOT, "index", index, "name", name, NULL);

	self->rule = rule;
	self->settings = *settings;
	return self;
}
