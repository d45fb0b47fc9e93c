/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * I/O on the main thread, as cheap as a modem's lockstep needs it: stdin is
 * read once each time an fd source says it is readable (no GTask, no
 * thread), and every line of output goes out at once with one write from one
 * buffer, formatted by table. Only a full pipe adds a source that waits for
 * room. The write must not block, yet stdout's O_NONBLOCK would be shared with
 * whoever else holds it (the user's terminal): a pipe or terminal is opened
 * again through /proc for a description of our own, a socket (the journal)
 * gets MSG_DONTWAIT; a file never blocks for long. The fd sources may recurse:
 * GLib takes the fds of one that cannot out of the poll set for its dispatch
 * and puts them back after, which wakes the loop twice per line (nothing here
 * runs a nested loop).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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

	/* held for their file descriptors, which the I/O uses directly */
	GInputStream *input;
	GOutputStream *output;
	gboolean started;
	int in_fd;
	GSource *in_source; /* while more input is wanted */
	guint8 read_buf[SHELL_READ_CHUNK];

	GString *line;
	gboolean line_too_long;
	gboolean eof;
	GQueue pending; /* RemsimClientShellItem */
	GBytes *in_flight;

	int out_fd;
	gboolean out_own;    /* out_fd is our own description of the output, to close */
	gboolean out_socket; /* written with send(MSG_DONTWAIT) */
	GByteArray *out_buf; /* not yet written, from out_off on */
	gsize out_off;
	GSource *out_source; /* only while the output has no room */
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

/* "3b 00 " at @out, which has room for 3 * @len bytes */
static void
remsim_client_frontend_shell_put_hex(gchar *out, const guint8 *data, gsize len)
{
	static const gchar digits[] = "0123456789abcdef";

	for (gsize i = 0; i < len; i++) {
		*out++ = digits[data[i] >> 4];
		*out++ = digits[data[i] & 0xf];
		*out++ = ' ';
	}
}

gchar *
remsim_client_frontend_shell_format_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	gchar *out = g_malloc(len * 3 + 1);

	remsim_client_frontend_shell_put_hex(out, data, len);
	out[len * 3] = '\0';
	return out;
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
	if (self->out_off < self->out_buf->len)
		return;
	remsim_client_frontend_emit_finished(REMSIM_CLIENT_FRONTEND(self));
}

static void remsim_client_frontend_shell_flush(RemsimClientFrontendShell *self);

static gboolean
remsim_client_frontend_shell_writable_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	g_autoptr(RemsimClientFrontendShell) self = g_object_ref(user_data);

	/* the dispatch removes the source: output still full gets a new one */
	g_clear_pointer(&self->out_source, g_source_unref);
	remsim_client_frontend_shell_flush(self);
	remsim_client_frontend_shell_check_finished(self);
	return G_SOURCE_REMOVE;
}

/* nobody reads our answers any more: stop, as upstream dies of SIGPIPE */
static void
remsim_client_frontend_shell_output_failed(RemsimClientFrontendShell *self, int err)
{
	g_warning("Shell front end: cannot write output: %s", g_strerror(err));
	self->output_broken = TRUE;
	g_byte_array_set_size(self->out_buf, 0);
	self->out_off = 0;
	self->eof = TRUE;
	g_queue_clear_full(&self->pending, (GDestroyNotify)remsim_client_frontend_shell_item_free);
	g_clear_pointer(&self->in_flight, g_bytes_unref);
	if (self->in_source != NULL) {
		g_source_destroy(self->in_source);
		g_clear_pointer(&self->in_source, g_source_unref);
	}
}

/* writes what is buffered without blocking; a full output waits for room */
static void
remsim_client_frontend_shell_flush(RemsimClientFrontendShell *self)
{
	while (self->out_source == NULL && self->out_off < self->out_buf->len) {
		const guint8 *data = self->out_buf->data + self->out_off;
		gsize len = self->out_buf->len - self->out_off;
		ssize_t n = self->out_socket
				? send(self->out_fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL)
				: write(self->out_fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			self->out_source = g_unix_fd_source_new(self->out_fd, G_IO_OUT | G_IO_ERR);
			g_source_set_callback(
			    self->out_source,
			    G_SOURCE_FUNC(remsim_client_frontend_shell_writable_cb), self, NULL);
			g_source_set_static_name(self->out_source, "[remsim-client] shell output");
			g_source_set_can_recurse(self->out_source, TRUE);
			g_source_attach(self->out_source, NULL);
			return;
		}
		if (n < 0) {
			remsim_client_frontend_shell_output_failed(self, errno);
			return;
		}
		self->out_off += (gsize)n;
	}
	if (self->out_off == self->out_buf->len) {
		g_byte_array_set_size(self->out_buf, 0);
		self->out_off = 0;
	}
}

static void
remsim_client_frontend_shell_print(RemsimClientFrontendShell *self, const gchar *label,
				   GBytes *bytes)
{
	gsize len = 0, label_len = strlen(label), at;
	const guint8 *data = g_bytes_get_data(bytes, &len);

	if (self->output_broken)
		return;
	/* "LABEL: 3b 00 \n", straight into the output buffer */
	at = self->out_buf->len;
	g_byte_array_set_size(self->out_buf, (guint)(at + label_len + 2 + 3 * len + 1));
	memcpy(self->out_buf->data + at, label, label_len);
	memcpy(self->out_buf->data + at + label_len, ": ", 2);
	remsim_client_frontend_shell_put_hex((gchar *)self->out_buf->data + at + label_len + 2,
					     data, len);
	self->out_buf->data[self->out_buf->len - 1] = '\n';
	remsim_client_frontend_shell_flush(self);
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

static gboolean
remsim_client_frontend_shell_readable_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	g_autoptr(RemsimClientFrontendShell) self = g_object_ref(user_data);
	ssize_t n;

	/* one read per wake-up: readable, so it does not block even without O_NONBLOCK */
	n = read(self->in_fd, self->read_buf, sizeof(self->read_buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return G_SOURCE_CONTINUE;
	if (n < 0)
		g_warning("Shell front end: cannot read input: %s", g_strerror(errno));
	if (n <= 0) {
		/* a last line without its newline still counts */
		if (self->line->len > 0 && !self->line_too_long)
			remsim_client_frontend_shell_handle_line(self, self->line->str);
		g_string_truncate(self->line, 0);
		self->eof = TRUE;
		g_clear_pointer(&self->in_source, g_source_unref);
		remsim_client_frontend_shell_dispatch(self);
		return G_SOURCE_REMOVE;
	}
	remsim_client_frontend_shell_feed(self, self->read_buf, (gsize)n);
	remsim_client_frontend_shell_dispatch(self);
	return G_SOURCE_CONTINUE;
}

/* input is read while fewer than SHELL_PENDING_MAX commands wait */
static void
remsim_client_frontend_shell_read_next(RemsimClientFrontendShell *self)
{
	gboolean want = !self->eof && self->started && self->pending.length < SHELL_PENDING_MAX;

	if (want && self->in_source == NULL) {
		self->in_source = g_unix_fd_source_new(self->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
		g_source_set_callback(self->in_source,
				      G_SOURCE_FUNC(remsim_client_frontend_shell_readable_cb), self,
				      NULL);
		g_source_set_static_name(self->in_source, "[remsim-client] shell input");
		g_source_set_can_recurse(self->in_source, TRUE);
		g_source_attach(self->in_source, NULL);
	} else if (!want && self->in_source != NULL) {
		g_source_destroy(self->in_source);
		g_clear_pointer(&self->in_source, g_source_unref);
	}
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
	while (self->in_flight == NULL && !g_queue_is_empty(&self->pending) && self->started &&
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

	if (fstat(self->in_fd, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return TRUE;
	g_set_error(error, REMSIM_CLIENT_FRONTEND_ERROR, REMSIM_CLIENT_FRONTEND_ERROR_CONFIG,
		    _("the shell front end reads commands from standard input, which is "
		      "/dev/null: set frontend to vpcd or simtrace2 in the configuration"));
	return FALSE;
}

/* an output description of our own that does not block (see the top) */
static void
remsim_client_frontend_shell_open_output(RemsimClientFrontendShell *self, int fd)
{
	struct stat st;
	int flags, own;

	self->out_fd = fd;
	if (fstat(fd, &st) != 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		self->out_socket = TRUE;
		return;
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return;
	{
		g_autofree gchar *path = g_strdup_printf("/proc/self/fd/%d", fd);

		flags = fcntl(fd, F_GETFL);
		own = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
				     (flags >= 0 ? flags & O_APPEND : 0));
	}
	/* no /proc: blocking writes to the output as it is */
	if (own < 0)
		return;
	self->out_fd = own;
	self->out_own = TRUE;
}

static gboolean
remsim_client_frontend_shell_start(RemsimClientFrontend *frontend, GError **error)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(frontend);

	if (!remsim_client_frontend_shell_check_input(self, error))
		return FALSE;
	self->started = TRUE;
	remsim_client_frontend_shell_read_next(self);
	return TRUE;
}

static void
remsim_client_frontend_shell_stop(RemsimClientFrontend *frontend)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(frontend);

	self->started = FALSE;
	remsim_client_frontend_shell_read_next(self);
	if (self->out_source != NULL) {
		g_source_destroy(self->out_source);
		g_clear_pointer(&self->out_source, g_source_unref);
	}
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
	g_clear_pointer(&self->in_flight, g_bytes_unref);
	if (self->out_own)
		close(self->out_fd);
	self->out_own = FALSE;
	g_clear_object(&self->input);
	g_clear_object(&self->output);
	G_OBJECT_CLASS(remsim_client_frontend_shell_parent_class)->dispose(object);
}

static void
remsim_client_frontend_shell_finalize(GObject *object)
{
	RemsimClientFrontendShell *self = REMSIM_CLIENT_FRONTEND_SHELL(object);

	g_string_free(self->line, TRUE);
	g_byte_array_unref(self->out_buf);
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
	self->out_buf = g_byte_array_sized_new(1024);
	self->in_fd = self->out_fd = -1;
	g_queue_init(&self->pending);
}

RemsimClientFrontend *
remsim_client_frontend_shell_new_for_streams(GInputStream *input, GOutputStream *output)
{
	RemsimClientFrontendShell *self;

	g_return_val_if_fail(G_IS_UNIX_INPUT_STREAM(input), NULL);
	g_return_val_if_fail(G_IS_UNIX_OUTPUT_STREAM(output), NULL);
	self = g_object_new(REMSIM_TYPE_CLIENT_FRONTEND_SHELL, NULL);
	self->input = g_object_ref(input);
	self->output = g_object_ref(output);
	self->in_fd = g_unix_input_stream_get_fd(G_UNIX_INPUT_STREAM(input));
	remsim_client_frontend_shell_open_output(
	    self, g_unix_output_stream_get_fd(G_UNIX_OUTPUT_STREAM(output)));
	return REMSIM_CLIENT_FRONTEND(self);
}

RemsimClientFrontend *
remsim_client_frontend_shell_new(void)
{
	g_autoptr(GInputStream) in = g_unix_input_stream_new(0, FALSE);
	g_autoptr(GOutputStream) out = g_unix_output_stream_new(1, FALSE);

	return remsim_client_frontend_shell_new_for_streams(in, out);
}
