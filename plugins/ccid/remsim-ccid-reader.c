/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-error.h"
#include "remsim-ccid-name.h"
#include "remsim-ccid-reader.h"

/* time extensions one command may ask for before it counts as hung */
#define REMSIM_CCID_READER_MAX_EXTENSIONS 64
/* answers with an old bSeq remembered per slot (of commands that timed out) */
#define REMSIM_CCID_READER_STALE_SEQS 4
#define REMSIM_CCID_READER_INTERRUPT_SIZE 128
#define REMSIM_CCID_READER_INTERRUPT_TIMEOUT_MS 60000
#define REMSIM_CCID_READER_INTERRUPT_MAX_ERRORS 3

typedef struct {
	GTask *task;
	guint8 slot, type, seq;
	guint8 b7, b8, b9;
	GBytes *data;
	guint timeout_ms;
	gint64 deadline; /* monotonic µs, once sent */
	guint extensions;
} RemsimCcidReaderCommand;

typedef struct {
	gboolean present;
	guint8 stale[REMSIM_CCID_READER_STALE_SEQS];
	guint n_stale;
} RemsimCcidReaderSlot;

struct _RemsimCcidReader {
	GObject parent_instance;
	RemsimCcidTransport *transport;
	RemsimCcidDeviceInfo *info;
	RemsimCcidQuirk quirk;
	RemsimCcidDescriptor desc;
	guint timeout_ms;
	gchar *strings[4]; /* manufacturer, product, serial, interface */
	gchar *name;
	guint number;
	GCancellable *cancellable;
	gboolean gone;

	guint8 seq;
	GQueue queue;	 /* RemsimCcidReaderCommand, not sent yet */
	GPtrArray *busy; /* RemsimCcidReaderCommand, sent */
	guint max_busy;
	gboolean reading;
	RemsimCcidReaderSlot *slots;
	guint int_errors;
};

G_DEFINE_FINAL_TYPE(RemsimCcidReader, remsim_ccid_reader, G_TYPE_OBJECT)

enum { SIGNAL_SLOT_CHANGED, SIGNAL_GONE, N_SIGNALS };
static guint remsim_ccid_reader_signals[N_SIGNALS];

static void remsim_ccid_reader_pump(RemsimCcidReader *self);
static void remsim_ccid_reader_read(RemsimCcidReader *self);

void
remsim_ccid_reader_answer_free(RemsimCcidAnswer *answer)
{
	if (answer == NULL)
		return;
	g_bytes_unref(answer->data);
	g_free(answer);
}

gboolean
remsim_ccid_reader_answer_check(const RemsimCcidAnswer *answer, GError **error)
{
	RemsimCcidMessage msg = { answer->type,	 answer->slot,	0,    answer->status,
				  answer->error, answer->param, NULL, 0 };

	return remsim_ccid_message_check(&msg, error);
}

static void
remsim_ccid_reader_command_free(RemsimCcidReaderCommand *cmd)
{
	g_clear_object(&cmd->task);
	g_clear_pointer(&cmd->data, g_bytes_unref);
	g_free(cmd);
}

/* ends @cmd (taken) with @answer or @error (both taken) */
static void
remsim_ccid_reader_finish_command(RemsimCcidReaderCommand *cmd, RemsimCcidAnswer *answer,
				  GError *error)
{
	GTask *task = g_steal_pointer(&cmd->task);

	remsim_ccid_reader_command_free(cmd);
	if (error != NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, answer, (GDestroyNotify)remsim_ccid_reader_answer_free);
	g_object_unref(task);
}

static void
remsim_ccid_reader_set_present(RemsimCcidReader *self, guint slot, gboolean present)
{
	if (slot > self->desc.max_slot_index || self->slots[slot].present == present)
		return;
	self->slots[slot].present = present;
	g_signal_emit(self, remsim_ccid_reader_signals[SIGNAL_SLOT_CHANGED], 0, slot, present);
}

/* every command, sent or not, ends with a copy of @error */
static void
remsim_ccid_reader_fail_all(RemsimCcidReader *self, const GError *error)
{
	RemsimCcidReaderCommand *cmd;

	while (self->busy->len > 0)
		remsim_ccid_reader_finish_command(g_ptr_array_steal_index(self->busy, 0), NULL,
						  g_error_copy(error));
	while ((cmd = g_queue_pop_head(&self->queue)) != NULL)
		remsim_ccid_reader_finish_command(cmd, NULL, g_error_copy(error));
}

static void
remsim_ccid_reader_mark_gone(RemsimCcidReader *self, const GError *error)
{
	if (self->gone)
		return;
	self->gone = TRUE;
	g_message("%s: gone: %s", self->name, error->message);
	g_cancellable_cancel(self->cancellable);
	remsim_ccid_reader_fail_all(self, error);
	for (guint i = 0; i <= self->desc.max_slot_index; i++)
		remsim_ccid_reader_set_present(self, i, FALSE);
	g_signal_emit(self, remsim_ccid_reader_signals[SIGNAL_GONE], 0);
}

static gboolean
remsim_ccid_reader_slot_busy(RemsimCcidReader *self, guint8 slot)
{
	for (guint i = 0; i < self->busy->len; i++) {
		if (((RemsimCcidReaderCommand *)self->busy->pdata[i])->slot == slot)
			return TRUE;
	}
	return FALSE;
}

static RemsimCcidReaderCommand *
remsim_ccid_reader_take_busy(RemsimCcidReader *self, guint8 slot, gint seq)
{
	for (guint i = 0; i < self->busy->len; i++) {
		RemsimCcidReaderCommand *cmd = self->busy->pdata[i];

		if (cmd->slot == slot && (seq < 0 || cmd->seq == seq))
			return g_ptr_array_steal_index(self->busy, i);
	}
	return NULL;
}

static void
remsim_ccid_reader_remember_stale(RemsimCcidReader *self, const RemsimCcidReaderCommand *cmd)
{
	RemsimCcidReaderSlot *s = &self->slots[cmd->slot];

	s->stale[s->n_stale % REMSIM_CCID_READER_STALE_SEQS] = cmd->seq;
	s->n_stale++;
}

static gboolean
remsim_ccid_reader_is_stale(RemsimCcidReader *self, guint8 slot, guint8 seq)
{
	RemsimCcidReaderSlot *s = &self->slots[slot];

	for (guint i = 0; i < MIN(s->n_stale, REMSIM_CCID_READER_STALE_SEQS); i++) {
		if (s->stale[i] == seq)
			return TRUE;
	}
	return FALSE;
}

/* which command a bulk OUT transfer carried: it may be answered before the transfer is back */
typedef struct {
	RemsimCcidReader *self;
	guint8 slot, seq;
} RemsimCcidReaderSent;

static void
remsim_ccid_reader_out_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimCcidReaderSent *sent = user_data;
	g_autoptr(RemsimCcidReader) self = sent->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) done =
	    remsim_ccid_transport_transfer_finish(REMSIM_CCID_TRANSPORT(source), result, &error);
	RemsimCcidReaderCommand *cmd;
	guint8 slot = sent->slot, seq = sent->seq;

	g_free(sent);
	if (done != NULL || self->gone)
		return;
	if (g_error_matches(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE)) {
		remsim_ccid_reader_mark_gone(self, error);
		return;
	}
	cmd = remsim_ccid_reader_take_busy(self, slot, seq);
	if (cmd == NULL)
		return;
	remsim_ccid_reader_remember_stale(self, cmd);
	g_prefix_error(&error, "%s: cannot send a command: ", self->name);
	remsim_ccid_reader_finish_command(cmd, NULL, g_steal_pointer(&error));
	remsim_ccid_reader_pump(self);
}

static void
remsim_ccid_reader_send(RemsimCcidReader *self, RemsimCcidReaderCommand *cmd)
{
	gsize len = cmd->data != NULL ? g_bytes_get_size(cmd->data) : 0;
	g_autoptr(GBytes) msg =
	    remsim_ccid_message_build(cmd->type, cmd->slot, cmd->seq, cmd->b7, cmd->b8, cmd->b9,
				      len > 0 ? g_bytes_get_data(cmd->data, NULL) : NULL, len);
	RemsimCcidTransfer t = { .kind = REMSIM_CCID_TRANSFER_BULK_OUT,
				 .data = msg,
				 .timeout_ms = self->timeout_ms };
	RemsimCcidReaderSent *sent = g_new0(RemsimCcidReaderSent, 1);

	cmd->deadline = g_get_monotonic_time() + (gint64)cmd->timeout_ms * 1000;
	g_ptr_array_add(self->busy, cmd);
	sent->self = g_object_ref(self);
	sent->slot = cmd->slot;
	sent->seq = cmd->seq;
	remsim_ccid_transport_transfer_async(self->transport, self->info->id, &t, self->cancellable,
					     remsim_ccid_reader_out_ready, sent);
}

static void
remsim_ccid_reader_pump(RemsimCcidReader *self)
{
	for (GList *l = self->queue.head; l != NULL && !self->gone;) {
		RemsimCcidReaderCommand *cmd = l->data;
		GList *next = l->next;

		if (self->busy->len >= self->max_busy)
			break;
		if (!remsim_ccid_reader_slot_busy(self, cmd->slot)) {
			g_queue_delete_link(&self->queue, l);
			cmd->seq = self->seq++;
			remsim_ccid_reader_send(self, cmd);
		}
		l = next;
	}
	remsim_ccid_reader_read(self);
}

/* the commands whose time is up end with TIMEOUT */
static void
remsim_ccid_reader_expire(RemsimCcidReader *self)
{
	gint64 now = g_get_monotonic_time();

	for (guint i = 0; i < self->busy->len;) {
		RemsimCcidReaderCommand *cmd = self->busy->pdata[i];

		if (cmd->deadline > now + 1000) {
			i++;
			continue;
		}
		g_ptr_array_remove_index(self->busy, i);
		remsim_ccid_reader_remember_stale(self, cmd);
		remsim_ccid_reader_finish_command(
		    cmd, NULL,
		    g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_TIMEOUT,
				"%s: slot %u does not answer", self->name, cmd->slot));
	}
}

static void
remsim_ccid_reader_fail_busy(RemsimCcidReader *self, const GError *error)
{
	while (self->busy->len > 0) {
		RemsimCcidReaderCommand *cmd = g_ptr_array_steal_index(self->busy, 0);

		remsim_ccid_reader_remember_stale(self, cmd);
		remsim_ccid_reader_finish_command(cmd, NULL, g_error_copy(error));
	}
}

/* one message from the bulk IN endpoint */
static void
remsim_ccid_reader_on_message(RemsimCcidReader *self, GBytes *bytes)
{
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data(bytes, &len);
	g_autoptr(GError) error = NULL;
	RemsimCcidReaderCommand *cmd;
	RemsimCcidMessage msg;
	RemsimCcidAnswer *answer;

	if (!remsim_ccid_message_parse(buf, len, &msg, &error)) {
		/* the stream is out of step: whatever waits fails */
		g_prefix_error(&error, "%s: ", self->name);
		remsim_ccid_reader_fail_busy(self, error);
		return;
	}
	cmd = remsim_ccid_reader_take_busy(self, msg.slot, -1);
	if (cmd == NULL && self->busy->len == 1)
		cmd = g_ptr_array_steal_index(self->busy, 0);
	if (cmd == NULL) {
		g_debug("%s: dropped an answer for slot %u sequence %u", self->name, msg.slot,
			msg.seq);
		return;
	}
	if (msg.slot == cmd->slot && msg.seq != cmd->seq &&
	    remsim_ccid_reader_is_stale(self, msg.slot, msg.seq)) {
		g_debug("%s: dropped a late answer, slot %u sequence %u", self->name, msg.slot,
			msg.seq);
		g_ptr_array_add(self->busy, cmd);
		return;
	}
	if (!remsim_ccid_message_parse_answer(buf, len, cmd->type, cmd->slot, cmd->seq, &msg,
					      &error)) {
		g_prefix_error(&error, "%s: ", self->name);
		remsim_ccid_reader_remember_stale(self, cmd);
		remsim_ccid_reader_finish_command(cmd, NULL, g_steal_pointer(&error));
		return;
	}
	if (remsim_ccid_message_command_status(&msg) == REMSIM_CCID_COMMAND_TIME_EXTENSION) {
		if (++cmd->extensions > REMSIM_CCID_READER_MAX_EXTENSIONS) {
			remsim_ccid_reader_remember_stale(self, cmd);
			remsim_ccid_reader_finish_command(
			    cmd, NULL,
			    g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_TIMEOUT,
					"%s: slot %u asks for time without end", self->name,
					cmd->slot));
			return;
		}
		cmd->deadline =
		    g_get_monotonic_time() + (gint64)cmd->timeout_ms * 1000 * MAX(msg.b8, 1);
		g_ptr_array_add(self->busy, cmd);
		return;
	}
	remsim_ccid_reader_set_present(
	    self, msg.slot, remsim_ccid_message_icc_status(&msg) != REMSIM_CCID_ICC_ABSENT);
	answer = g_new0(RemsimCcidAnswer, 1);
	answer->type = msg.type;
	answer->slot = msg.slot;
	answer->status = msg.b7;
	answer->error = msg.b8;
	answer->param = msg.b9;
	answer->data = g_bytes_new(msg.data, msg.len);
	remsim_ccid_reader_finish_command(cmd, answer, NULL);
}

static void
remsim_ccid_reader_in_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimCcidReader) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes =
	    remsim_ccid_transport_transfer_finish(REMSIM_CCID_TRANSPORT(source), result, &error);

	self->reading = FALSE;
	if (self->gone)
		return;
	if (bytes != NULL)
		remsim_ccid_reader_on_message(self, bytes);
	else if (g_error_matches(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE))
		remsim_ccid_reader_mark_gone(self, error);
	else if (g_error_matches(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_TIMEOUT))
		remsim_ccid_reader_expire(self);
	else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		remsim_ccid_reader_fail_busy(self, error);
	remsim_ccid_reader_pump(self);
}

/* keep one bulk IN transfer in flight while any command waits for its answer */
static void
remsim_ccid_reader_read(RemsimCcidReader *self)
{
	RemsimCcidTransfer t = { .kind = REMSIM_CCID_TRANSFER_BULK_IN,
				 .length = self->desc.max_message_length };
	gint64 first = G_MAXINT64, now = g_get_monotonic_time();

	if (self->reading || self->gone || self->busy->len == 0)
		return;
	for (guint i = 0; i < self->busy->len; i++)
		first = MIN(first, ((RemsimCcidReaderCommand *)self->busy->pdata[i])->deadline);
	t.timeout_ms = (guint)CLAMP((first - now) / 1000 + 1, 1, G_MAXINT);
	self->reading = TRUE;
	remsim_ccid_transport_transfer_async(self->transport, self->info->id, &t, self->cancellable,
					     remsim_ccid_reader_in_ready, g_object_ref(self));
}

void
remsim_ccid_reader_command_async(RemsimCcidReader *self, guint8 slot, guint8 type, guint8 b7,
				 guint8 b8, guint8 b9, GBytes *data, guint timeout_factor,
				 GCancellable *cancellable, GAsyncReadyCallback callback,
				 gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimCcidReaderCommand *cmd;

	g_task_set_source_tag(task, remsim_ccid_reader_command_async);
	if (self->gone || slot > self->desc.max_slot_index) {
		g_task_return_new_error(task, REMSIM_CCID_ERROR,
					self->gone ? REMSIM_CCID_ERROR_NO_DEVICE
						   : REMSIM_CCID_ERROR_UNSUPPORTED,
					"%s: no slot %u", self->name, slot);
		g_object_unref(task);
		return;
	}
	cmd = g_new0(RemsimCcidReaderCommand, 1);
	cmd->task = task;
	cmd->slot = slot;
	cmd->type = type;
	cmd->b7 = b7;
	cmd->b8 = b8;
	cmd->b9 = b9;
	cmd->data = data != NULL ? g_bytes_ref(data) : NULL;
	cmd->timeout_ms = self->timeout_ms * MAX(timeout_factor, 1);
	g_queue_push_tail(&self->queue, cmd);
	remsim_ccid_reader_pump(self);
}

RemsimCcidAnswer *
remsim_ccid_reader_command_finish(RemsimCcidReader *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* --- the interrupt endpoint --- */

static void remsim_ccid_reader_listen(RemsimCcidReader *self);

static void
remsim_ccid_reader_on_interrupt(RemsimCcidReader *self, GBytes *bytes)
{
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data(bytes, &len);

	if (len >= 4 && buf[0] == REMSIM_CCID_RDR_TO_PC_HARDWARE_ERROR) {
		g_message("%s: hardware error 0x%02x in slot %u", self->name, buf[3], buf[1]);
		return;
	}
	for (guint i = 0; i <= self->desc.max_slot_index; i++) {
		gboolean present, changed;

		if (!remsim_ccid_message_parse_notify(buf, len, i, &present, &changed, NULL)) {
			g_debug("%s: interrupt message of %" G_GSIZE_FORMAT " bytes ignored",
				self->name, len);
			return;
		}
		/* a card swapped between two reports: removed, then present */
		if (changed && present && self->slots[i].present)
			remsim_ccid_reader_set_present(self, i, FALSE);
		remsim_ccid_reader_set_present(self, i, present);
	}
}

static void
remsim_ccid_reader_int_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimCcidReader) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes =
	    remsim_ccid_transport_transfer_finish(REMSIM_CCID_TRANSPORT(source), result, &error);

	if (self->gone || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (bytes != NULL) {
		self->int_errors = 0;
		remsim_ccid_reader_on_interrupt(self, bytes);
	} else if (g_error_matches(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE)) {
		remsim_ccid_reader_mark_gone(self, error);
		return;
	} else if (!g_error_matches(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_TIMEOUT) &&
		   ++self->int_errors >= REMSIM_CCID_READER_INTERRUPT_MAX_ERRORS) {
		g_warning("%s: interrupt endpoint fails (%s); card changes are seen with the "
			  "next command",
			  self->name, error->message);
		return;
	}
	remsim_ccid_reader_listen(self);
}

static void
remsim_ccid_reader_listen(RemsimCcidReader *self)
{
	RemsimCcidTransfer t = { .kind = REMSIM_CCID_TRANSFER_INTERRUPT_IN,
				 .length = REMSIM_CCID_READER_INTERRUPT_SIZE,
				 .timeout_ms = REMSIM_CCID_READER_INTERRUPT_TIMEOUT_MS };

	remsim_ccid_transport_transfer_async(self->transport, self->info->id, &t, self->cancellable,
					     remsim_ccid_reader_int_ready, g_object_ref(self));
}

/* --- opening --- */

typedef struct {
	guint step; /* strings 0..3, then slots */
	guint16 langid;
	gboolean have_langid;
} RemsimCcidReaderOpen;

static void remsim_ccid_reader_open_step(GTask *task);

static void
remsim_ccid_reader_string_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	RemsimCcidReader *self = g_task_get_source_object(task);
	RemsimCcidReaderOpen *ctx = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes =
	    remsim_ccid_transport_transfer_finish(REMSIM_CCID_TRANSPORT(source), result, &error);
	gsize len = 0;
	const guint8 *buf = bytes != NULL ? g_bytes_get_data(bytes, &len) : NULL;

	if (g_error_matches(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!ctx->have_langid) {
		ctx->have_langid = TRUE;
		/* the first language the device offers */
		if (buf != NULL && len >= 4 && buf[1] == 0x03)
			ctx->langid = (guint16)(buf[2] | buf[3] << 8);
	} else {
		if (buf != NULL)
			self->strings[ctx->step] =
			    remsim_ccid_name_from_string_descriptor(buf, len);
		ctx->step++;
	}
	remsim_ccid_reader_open_step(g_steal_pointer(&task));
}

static void
remsim_ccid_reader_status_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	RemsimCcidReader *self = g_task_get_source_object(task);
	RemsimCcidReaderOpen *ctx = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimCcidAnswer) answer =
	    remsim_ccid_reader_command_finish(self, result, &error);

	if (answer == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ctx->step++;
	remsim_ccid_reader_open_step(g_steal_pointer(&task));
}

static void
remsim_ccid_reader_open_step(GTask *task)
{
	RemsimCcidReader *self = g_task_get_source_object(task);
	RemsimCcidReaderOpen *ctx = g_task_get_task_data(task);
	const guint8 indexes[4] = { self->info->i_manufacturer, self->info->i_product,
				    self->info->i_serial, self->info->i_interface };

	while (ctx->step < 4 && indexes[ctx->step] == 0)
		ctx->step++;
	if (ctx->step < 4) {
		guint8 index = ctx->have_langid ? indexes[ctx->step] : 0;
		guint16 langid = ctx->have_langid ? ctx->langid : 0;
		RemsimCcidTransfer t = {
			.kind = REMSIM_CCID_TRANSFER_CONTROL,
			.setup = { 0x80, 0x06, index, 0x03, (guint8)langid, (guint8)(langid >> 8),
				   0xff, 0x00 },
			.timeout_ms = self->timeout_ms,
		};

		remsim_ccid_transport_transfer_async(self->transport, self->info->id, &t,
						     self->cancellable,
						     remsim_ccid_reader_string_ready, task);
		return;
	}
	if (ctx->step == 4) {
		g_autofree gchar *friendly =
		    remsim_ccid_name_friendly(self->quirk.name, self->strings[0], self->strings[1],
					      self->info->vendor, self->info->product);

		g_free(self->name);
		self->name = remsim_ccid_name_reader(friendly, self->strings[3], self->strings[2]);
	}
	if (ctx->step - 4 <= self->desc.max_slot_index) {
		remsim_ccid_reader_command_async(
		    self, (guint8)(ctx->step - 4), REMSIM_CCID_PC_TO_RDR_GET_SLOT_STATUS, 0, 0, 0,
		    NULL, 1, self->cancellable, remsim_ccid_reader_status_ready, task);
		return;
	}
	if (self->info->has_interrupt && !(self->quirk.flags & REMSIM_CCID_QUIRK_NO_INTERRUPT))
		remsim_ccid_reader_listen(self);
	g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static gboolean
remsim_ccid_reader_prepare(RemsimCcidReader *self, GError **error)
{
	gsize len = 0;
	const guint8 *extra = g_bytes_get_data(self->info->extra, &len);

	if (!remsim_ccid_descriptor_parse(extra, len, &self->desc, error)) {
		g_prefix_error(error, "%s: ", self->name);
		return FALSE;
	}
	if (self->quirk.max_message_length > 0)
		self->desc.max_message_length = self->quirk.max_message_length;
	if (self->quirk.flags & REMSIM_CCID_QUIRK_NO_AUTO_VOLTAGE)
		self->desc.features &= ~(guint32)REMSIM_CCID_FEATURE_AUTO_VOLTAGE;
	self->max_busy = self->quirk.max_busy_slots > 0 ? self->quirk.max_busy_slots
							: MAX(self->desc.max_busy_slots, 1);
	if (remsim_ccid_descriptor_get_level(&self->desc) == REMSIM_CCID_LEVEL_CHARACTER) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_UNSUPPORTED,
			    "%s: a character-level reader; TPDU or APDU level needed", self->name);
		return FALSE;
	}
	self->slots = g_new0(RemsimCcidReaderSlot, (gsize)self->desc.max_slot_index + 1);
	return remsim_ccid_transport_open(self->transport, self->info->id, error);
}

void
remsim_ccid_reader_open_async(RemsimCcidReader *self, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	GError *error = NULL;

	g_task_set_source_tag(task, remsim_ccid_reader_open_async);
	g_task_set_task_data(task, g_new0(RemsimCcidReaderOpen, 1), g_free);
	if (!remsim_ccid_reader_prepare(self, &error)) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	remsim_ccid_reader_open_step(task);
}

gboolean
remsim_ccid_reader_open_finish(RemsimCcidReader *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

void
remsim_ccid_reader_close(RemsimCcidReader *self)
{
	g_autoptr(GError) error = NULL;

	if (self->gone)
		return;
	error =
	    g_error_new(REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_NO_DEVICE, "%s is gone", self->name);
	self->gone = TRUE;
	g_cancellable_cancel(self->cancellable);
	remsim_ccid_reader_fail_all(self, error);
	remsim_ccid_transport_close(self->transport, self->info->id);
	for (guint i = 0; self->slots != NULL && i <= self->desc.max_slot_index; i++)
		remsim_ccid_reader_set_present(self, i, FALSE);
}

/* --- properties --- */

const RemsimCcidDeviceInfo *
remsim_ccid_reader_get_info(RemsimCcidReader *self)
{
	return self->info;
}

const RemsimCcidDescriptor *
remsim_ccid_reader_get_descriptor(RemsimCcidReader *self)
{
	return &self->desc;
}

guint
remsim_ccid_reader_get_quirks(RemsimCcidReader *self)
{
	return self->quirk.flags;
}

guint
remsim_ccid_reader_get_n_slots(RemsimCcidReader *self)
{
	return (guint)self->desc.max_slot_index + 1;
}

const gchar *
remsim_ccid_reader_get_name(RemsimCcidReader *self)
{
	return self->name;
}

const gchar *
remsim_ccid_reader_get_serial(RemsimCcidReader *self)
{
	return self->strings[2];
}

void
remsim_ccid_reader_set_number(RemsimCcidReader *self, guint number)
{
	self->number = number;
}

gchar *
remsim_ccid_reader_dup_slot_name(RemsimCcidReader *self, guint slot)
{
	return remsim_ccid_name_slot(self->name, self->number, slot);
}

gboolean
remsim_ccid_reader_get_present(RemsimCcidReader *self, guint slot)
{
	return slot <= self->desc.max_slot_index && self->slots != NULL &&
	       self->slots[slot].present;
}

gboolean
remsim_ccid_reader_is_gone(RemsimCcidReader *self)
{
	return self->gone;
}

static void
remsim_ccid_reader_dispose(GObject *object)
{
	RemsimCcidReader *self = REMSIM_CCID_READER(object);

	if (self->transport != NULL)
		remsim_ccid_reader_close(self);
	g_clear_object(&self->transport);
	G_OBJECT_CLASS(remsim_ccid_reader_parent_class)->dispose(object);
}

static void
remsim_ccid_reader_finalize(GObject *object)
{
	RemsimCcidReader *self = REMSIM_CCID_READER(object);

	g_ptr_array_unref(self->busy);
	g_clear_object(&self->cancellable);
	remsim_ccid_device_info_free(self->info);
	for (guint i = 0; i < G_N_ELEMENTS(self->strings); i++)
		g_free(self->strings[i]);
	g_free(self->quirk.name);
	g_free(self->name);
	g_free(self->slots);
	G_OBJECT_CLASS(remsim_ccid_reader_parent_class)->finalize(object);
}

static void
remsim_ccid_reader_class_init(RemsimCcidReaderClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_ccid_reader_dispose;
	G_OBJECT_CLASS(klass)->finalize = remsim_ccid_reader_finalize;
	remsim_ccid_reader_signals[SIGNAL_SLOT_CHANGED] =
	    g_signal_new("slot-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
	remsim_ccid_reader_signals[SIGNAL_GONE] =
	    g_signal_new("gone", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 0);
}

static void
remsim_ccid_reader_init(RemsimCcidReader *self)
{
	self->cancellable = g_cancellable_new();
	self->busy = g_ptr_array_new();
	g_queue_init(&self->queue);
}

RemsimCcidReader *
remsim_ccid_reader_new(RemsimCcidTransport *transport, const RemsimCcidDeviceInfo *info,
		       const RemsimCcidQuirk *quirk, guint timeout_ms)
{
	RemsimCcidReader *self = g_object_new(REMSIM_TYPE_CCID_READER, NULL);

	self->transport = g_object_ref(transport);
	self->info = remsim_ccid_device_info_copy(info);
	if (quirk != NULL) {
		self->quirk = *quirk;
		self->quirk.name = g_strdup(quirk->name);
	}
	self->timeout_ms = MAX(timeout_ms, 10);
	self->name = g_strdup_printf("CCID reader %s", info->usb_path);
	return self;
}
