/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "remsim-client-frontend-shell.h"

/* longer input lines are rejected as a whole, so garbage cannot grow memory */
#define SHELL_LINE_MAX 4096
/* stop reading input while this many commands wait, so a huge file is read as it is used */
#define SHELL_PENDING_MAX 64
#define SHELL_READ_CHUNK 4096

typedef struct {
	gboolean reset; /* a RESET line; else @tpdu */
	GBytes *tpdu;
} RemsimClientShellItem;

struct _RemsimClientFrontendShell {
	RemsimClientFrontend parent_instance;

	GInputStream *input;
	GOutputStream *output;
	GCancellable *cancellable;

	GString *line;
	gboolean line_too_long;
	gboolean reading;
	gboolean eof;
	GQueue pending; /* RemsimClientShellItem */
	GBytes *in_flight;

	GQueue out_queue; /* GBytes */
	gboolean writing;
	gboolean output_broken;
	gboolean told_waiting;
};

G_DEFINE_FINAL_TYPE(RemsimClientFrontendShell, remsim_client_frontend_shell,
		    REMSIM_TYPE_CLIENT_FRONTEND)

static void remsim_client_frontend_shell_read_next(RemsimClientFrontendShell *self);
static void remsim_client_frontend_shell_dispatch(RemsimClientFrontendShell *self);

static void
remsim_client_frontend_shell_item_free(RemsimClientShellItem *item)
{
	g_clear_pointer(&item->tpdu, g_bytes_unref);
	g_free(item);
}

gchar *
remsim_client_frontend_shell_format_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	GString *out = g_string_sized_new(len * 3 + 1);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(out, "%02x ", data[i]);
	return g_string_free(out, FALSE);
}

GBytes *
remsim_client_frontend_shell_parse_hex(const gchar *text, GError **error)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	gint high = -1;

	for (const gchar *p = text; *p != '\0'; p++) {
		gint v;

		if (g_ascii_isspace(*p)) {
			if (high >= 0)
				break; /* a lone digit before a space */
			continue;
		}
		v = g_ascii_xdigit_value(*p);
		if (v < 0) {
			g_set_error(error, REMSIM_CLIENT_FRONTEND_ERROR,
				    REMSIM_CLIENT_FRONTEND_ERROR_FAILED,
				    _("“%c” is not a hex digit"), *p);
			return NULL;
		}
		if (high < 0) {
			high = v;
		} else {
			guint8 b = (guint8)((high << 4) | v);

			g_byte_array_append(out, &b, 1);
			high = -1;
		}
	}
	if (high >= 0) {
		g_set_error_literal(error, REMSIM_CLIENT_FRONTEND_ERROR,
				    REMSIM_CLIENT_FRONTEND_ERROR_FAILED,
				    _("odd number of hex digits"));
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static void
remsim_client_frontend_shell_check_finished(RemsimClientFrontendShell *self)
{
	if (!self->eof || self->in_flight != NULL || !g_queue_is_empty(&self->pending))
		return;
	if (self->writing || !g_queue_is_empty(&self->out_queue))
		return;
	remsim_client_frontend_emit_finished(REMSIM_CLIENT_FRONTEND(self));
}

static void remsim_client_frontend_shell_write_next(RemsimClientFrontendShell *self);

static void
remsim_client_frontend_shell_write_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimClientFrontendShell) self = user_data;
	g_autoptr(GError) error = NULL;

	self->writing = FALSE;
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		/* nobody reads our answers any more: stop, as upstream dies of SIGPIPE */
		g_warning("Shell front end: cannot write output: %s", error->message);
		self->output_broken = TRUE;
		g_queue_clear_full(&self->out_queue, (GDestroyNotify)g_bytes_unref);
		self->eof = TRUE;
		g_queue_clear_full(&self->pending,
				   (GDestroyNotify)remsim_client_frontend_shell_item_free);
		g_clear_pointer(&self->in_flight, g_bytes_unref);
	}
	remsim_client_frontend_shell_write_next(self);
	remsim_client_frontend_shell_check_finished(self);
}

static void
remsim_client_frontend_shell_write_next(RemsimClientFrontendShell *self)
{
	g_autoptr(GBytes) chunk = NULL;
	gconstpointer data;
	gsize len;

	if (self->writing || g_queue_is_empty(&self->out_queue))
		return;
	chunk = g_queue_pop_head(&self->out_queue);
	data = g_bytes_get_data(chunk, &len);
	self->writing = TRUE;
	/* the buffer must outlive the write: keep it on the object until it completes */
	g_object_set_data_full(G_OBJECT(self), "remsim-shell-writing", g_bytes_ref(chunk),
			       (GDestroyNotify)g_bytes_unref);
	g_output_stream_write_all_async(self->output, data, len, G_PRIORITY_DEFAULT,
					self->cancellable, remsim_client_frontend_shell_write_ready,
					g_object_ref(self));
}

static void
remsim_client_frontend_shell_print(RemsimClientFrontendShell *self, const gchar *label,
				   GBytes *bytes)
{
	g_autofree gchar *hex = remsim_client_frontend_shell_format_hex(bytes);
	gchar *text;

	if (self->output_broken)
		return;
	text = g_strdup_printf("%s: %s\n", label, hex);
	g_queue_push_tail(&self->out_queue, g_bytes_new_take(text, strlen(text)));
	remsim_client_frontend_shell_write_next(self);
}

static void
remsim_client_frontend_shell_handle_line(RemsimClientFrontendShell *self, gchar *line)
{
	g_autoptr(GError) error = NULL;
	RemsimClientShellItem *item;
	GBytes *tpdu;
	gsize len;

	g_strstrip(line);
	if (line[0] == '\0' || line[0] == '#')
		return;
	if (g_ascii_strcasecmp(line, "RESET") == 0) {
		item = g_new0(RemsimClientShellItem, 1);
		item->reset = TRUE;
		g_queue_push_tail(&self->pending, item);
		return;
	}
	tpdu = remsim_client_frontend_shell_parse_hex(line, &error);
	if (tpdu == NULL) {
		/* TRANSLATORS: the line as typed, then what is wrong with it */
		g_printerr(_("ERROR parsing C-APDU “%s”: %s\n"), line, error->message);
		return;
	}
	len = g_bytes_get_size(tpdu);
	if (len < REMSIM_TPDU_MIN || len > REMSIM_TPDU_MAX) {
		/* TRANSLATORS: the line as typed, its length, the shortest and longest relayed */
		g_printerr(ngettext("ERROR: C-APDU “%s” has %zu byte; %d to %d are relayed\n",
				    "ERROR: C-APDU “%s” has %zu bytes; %d to %d are relayed\n",
				    len),
			   line, len, REMSIM_TPDU_MIN, REMSIM_TPDU_MAX);
		g_bytes_unref(tpdu);
		return;
	}
	item = g_new0(RemsimClientShellItem, 1);
	item->tpdu = tpdu;
	g_queue_push_tail(&self->pending, item);
}

static void
remsim_client_frontend_shell_feed(RemsimClientFrontendShell *self, const guint8 *data, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		gchar c = (gchar)data[i];

		if (c == '\n' || c == '\r') {
			if (self->line_too_long)
				g_printerr(
				    ngettext("ERROR: input line longer than %d byte ignored\n",
					     "ERROR: input line longer than %d bytes ignored\n",
					     SHELL_LINE_MAX),
				    SHELL_LINE_MAX);
			else
				remsim_client_frontend_shell_handle_line(self, self->line->str);
			g_string_truncate(self->line, 0);
			self->line_too_long = FALSE;
		} else if (self->line->len < SHELL_LINE_MAX) {
			g_string_append_c(self->line, c == '\0' ? ' ' : c);
		} else {
			self->line_too_long = TRUE;
		}
	}
}

static void
remsim_client_frontend_shell_read_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RemsimClientFrontendShell) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = NULL;

	bytes = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, &error);
	self->reading = FALSE;
	if (bytes == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		g_warning("Shell front end: cannot read input: %s", error->message);
	}
	if (bytes == NULL || g_bytes_get_size(bytes) == 0) {
		/* a last line without its newline still counts */
		if (self->line->len > 0 && !self->line_too_long)
			remsim_client_frontend_shell_handle_line(self, self->line->str);
		g_string_truncate(self->line, 0);
		self->eof = TRUE;
	} else {
		gsize len;
		const guint8 *data = g_bytes_get_data(bytes, &len);

		remsim_client_frontend_shell_feed(self, data, len);
	}
	remsim_client_frontend_shell_dispatch(self);
}

static void
remsim_client_frontend_shell_read_next(RemsimClientFrontendShell *self)
{
	if (self->reading || self->eof || self->cancellable == NULL ||
	    self->pending.length >= SHELL_PENDING_MAX)
		return;
	self->reading = TRUE;
	g_input_stream_read_bytes_async(self->input, SHELL_READ_CHUNK, G_PRIORITY_DEFAULT,
					self->cancellable, remsim_client_frontend_shell_read_ready,
					g_object_ref(self));
}

static void
remsim_client_frontend_shell_emit_reset(RemsimClientFrontendShell *self)
{
	/* what upstream sends for RESET: the bankd cold-resets the card */
	RsproSlotPhysStatus status = {
		.reset_active = TRUE,
		.has_vcc_present = TRUE,
		.vcc_present = FALSE,
		.has_clk_active = TRUE,
		.clk_active = FALSE,
		.has_card_present = TRUE,
		.card_present = TRUE,
	};

	remsim_client_frontend_emit_status(REMSIM_CLIENT_FRONTEND(self), &status);
}

/* one command at a time, as upstream's shell users do: the next waits for R-APDU */
static void
remsim_client_frontend_shell_dispatch(RemsimClientFrontendShell *self)
{
	g_object_ref(self);
	while (self->in_flight == NULL && !g_queue_is_empty(&self->pending) &&
	       self->cancellable != NULL &&
	       remsim_client_frontend_get_card_present(REMSIM_CLIENT_FRONTEND(self))) {
		RemsimClientShellItem *item = g_queue_pop_head(&self->pending);

		if (item->reset) {
			remsim_client_frontend_shell_emit_reset(self);
		} else {
			self->in_flight = g_steal_pointer(&item->tpdu);
			remsim_client_frontend_emit_command(REMSIM_CLIENT_FRONTEND(self),
							    self->in_flight);
		}
		remsim_client_frontend_shell_item_free(item);
	}
	/* say once why typed commands get no answer yet (stderr: stdout stays upstream's) */
	if (!g_queue_is_empty(&self->pending) && !self->told_waiting &&
	    !remsim_client_frontend_get_card_present(REMSIM_CLIENT_FRONTEND(self))) {
		g_printerr(_("remsim-client: commands wait until a card is mapped to this slot\n"));
		self->told_waiting = TRUE;
	}
	remsim_client_frontend_shell_read_next(self);
	remsim_client_frontend_shell_check_finished(self);
	g_object_unref(self);
}

/* a service started with StandardInput=null would end at once, and be started again */
static gboolean
remsim_client_frontend_shell_check_input(RemsimClientFrontendShell *self, GError **error)
{
	struct stat st;

	if (!G_IS_UNIX_INPUT_STREAM(self->input) ||
	    fstat(g_unix_input_stream_get_fd(G_UNIX_INPUT_STREAM(self->input)), &st) != 0 ||
	    !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return TRUE;
	g_set_error(error, REMSIM_CLIENT_FRONTEND_ERROR, REMSIM_CLIENT_FRONTEND_ERROR_CONFIG,
		    _("the shell front end reads commands from standard input, which is "
		      "/dev/null: set frontend to vpcd or simtrace2 in the configuration"));
	return FALSE;
}

static gboolean
remsim_client_frontend_shell_start(RemsimClientFrontend *frontend, GError **error)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(frontend);

	if (!remsim_client_frontend_shell_check_input(self, error))
		return FALSE;
	self->cancellable = g_cancellable_new();
	remsim_client_frontend_shell_read_next(self);
	return TRUE;
}

static void
remsim_client_frontend_shell_stop(RemsimClientFrontend *frontend)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(frontend);

	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
}

static void
remsim_client_frontend_shell_set_atr(RemsimClientFrontend *frontend, GBytes *atr)
{
	remsim_client_frontend_shell_print(REMSIM_CLIENT_FRONTEND_SHELL(frontend), "SET_ATR", atr);
}

/* no line: a script's first SET_ATR is the card's (or the only one, with -r) */
static void
remsim_client_frontend_shell_set_default_atr(RemsimClientFrontend *frontend, GBytes *atr)
{
}

static void
remsim_client_frontend_shell_receive_response(RemsimClientFrontend *frontend, GBytes *data)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(frontend);

	remsim_client_frontend_shell_print(self, "R-APDU", data);
	g_clear_pointer(&self->in_flight, g_bytes_unref);
	remsim_client_frontend_shell_dispatch(self);
}

static void
remsim_client_frontend_shell_set_card_present(RemsimClientFrontend *frontend, gboolean present)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(frontend);

	if (present)
		self->told_waiting = FALSE;
	/* the bank went away under this command: send it again to the next card */
	if (!present && self->in_flight != NULL) {
		RemsimClientShellItem *item = g_new0(RemsimClientShellItem, 1);

		item->tpdu = g_steal_pointer(&self->in_flight);
		g_queue_push_head(&self->pending, item);
	}
	remsim_client_frontend_shell_dispatch(self);
}

static void
remsim_client_frontend_shell_dispose(GObject *object)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(object);

	remsim_client_frontend_shell_stop(REMSIM_CLIENT_FRONTEND(self));
	g_queue_clear_full(&self->pending, (GDestroyNotify)remsim_client_frontend_shell_item_free);
	g_queue_clear_full(&self->out_queue, (GDestroyNotify)g_bytes_unref);
	g_clear_pointer(&self->in_flight, g_bytes_unref);
	g_clear_object(&self->input);
	g_clear_object(&self->output);
	G_OBJECT_CLASS(remsim_client_frontend_shell_parent_class)->dispose(object);
}

static void
remsim_client_frontend_shell_finalize(GObject *object)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(object);

	g_string_free(self->line, TRUE);
	G_OBJECT_CLASS(remsim_client_frontend_shell_parent_class)->finalize(object);
}

static void
remsim_client_frontend_shell_class_init(RemsimClientFrontendShellClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	RemsimClientFrontendClass *frontend_class = REMSIM_CLIENT_FRONTEND_CLASS(klass);

	object_class->dispose = remsim_client_frontend_shell_dispose;
	object_class->finalize = remsim_client_frontend_shell_finalize;
	frontend_class->start = remsim_client_frontend_shell_start;
	frontend_class->stop = remsim_client_frontend_shell_stop;
	frontend_class->set_atr = remsim_client_frontend_shell_set_atr;
	frontend_class->set_default_atr = remsim_client_frontend_shell_set_default_atr;
	frontend_class->receive_response = remsim_client_frontend_shell_receive_response;
	frontend_class->set_card_present = remsim_client_frontend_shell_set_card_present;
}

static void
remsim_client_frontend_shell_init(RemsimClientFrontendShell *self)
{
	self->line = g_string_new(NULL);
	g_queue_init(&self->pending);
	g_queue_init(&self->out_queue);
}

RemsimClientFrontend *
remsim_client_frontend_shell_new_for_streams(GInputStream *input, GOutputStream *output)
{
	RemsimClientFrontendShell *self = g_object_new(REMSIM_TYPE_CLIENT_FRONTEND_SHELL, NULL);

	self->input = g_object_ref(input);
	self->output = g_object_ref(output);
	return REMSIM_CLIENT_FRONTEND(self);
}

RemsimClientFrontend *
remsim_client_frontend_shell_new(void)
{
	g_autoptr(GInputStream) in = g_unix_input_stream_new(0, FALSE);
	g_autoptr(GOutputStream) out = g_unix_output_stream_new(1, FALSE);

	return remsim_client_frontend_shell_new_for_streams(in, out);
}
