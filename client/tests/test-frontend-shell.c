/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shell front end on its own: parsing, output format, flow and end of input. */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include "remsim-client-frontend-shell.h"
#include "remsim-test-common.h"

typedef struct {
	RemsimClientFrontend *fe;
	gint in_fd;  /* we write the shell's input here */
	gint out_fd; /* we read the shell's output here */
	GPtrArray *commands;
	guint statuses;
	gboolean finished;
} Shell;

static void
command_cb(RemsimClientFrontend *fe, GBytes *tpdu, gpointer user_data)
{
	Shell *s = user_data;

	g_ptr_array_add(s->commands, g_bytes_ref(tpdu));
}

static void
status_cb(RemsimClientFrontend *fe, gpointer status, gpointer user_data)
{
	Shell *s = user_data;

	s->statuses++;
}

static void
finished_cb(RemsimClientFrontend *fe, gpointer user_data)
{
	Shell *s = user_data;

	s->finished = TRUE;
}

static void
shell_open(Shell *s)
{
	gint in_pipe[2], out_pipe[2];
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GOutputStream) out = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_unix_open_pipe(in_pipe, FD_CLOEXEC, &error));
	g_assert_true(g_unix_open_pipe(out_pipe, FD_CLOEXEC, &error));
	in = g_unix_input_stream_new(in_pipe[0], TRUE);
	out = g_unix_output_stream_new(out_pipe[1], TRUE);
	s->in_fd = in_pipe[1];
	s->out_fd = out_pipe[0];
	g_assert_true(g_unix_set_fd_nonblocking(s->out_fd, TRUE, &error));
	s->commands = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	s->fe = remsim_client_frontend_shell_new_for_streams(in, out);
	g_signal_connect(s->fe, "command", G_CALLBACK(command_cb), s);
	g_signal_connect(s->fe, "status-changed", G_CALLBACK(status_cb), s);
	g_signal_connect(s->fe, "finished", G_CALLBACK(finished_cb), s);
	g_assert_true(remsim_client_frontend_start(s->fe, &error));
}

static void
shell_close(Shell *s)
{
	remsim_client_frontend_stop(s->fe);
	for (guint i = 0; i < 5; i++)
		g_main_context_iteration(NULL, FALSE);
	g_object_unref(s->fe);
	if (s->in_fd >= 0)
		close(s->in_fd);
	close(s->out_fd);
	g_ptr_array_unref(s->commands);
}

/* what the shell wrote since the last call, appended to @got; TRUE once @got has @len bytes */
static gboolean
read_more(Shell *s, GString *got, gsize len)
{
	gchar buf[4096];
	gssize n = read(s->out_fd, buf, sizeof(buf));

	if (n > 0)
		g_string_append_len(got, buf, n);
	return got->len >= len;
}

/* waits until the shell wrote as much as @want, which it must be */
static void
read_output(Shell *s, GString *got, const gchar *want)
{
	REMSIM_TEST_WAIT_FOR(read_more(s, got, strlen(want)));
	g_assert_cmpstr(got->str, ==, want);
	g_string_truncate(got, 0);
}

static void
put(Shell *s, const gchar *text)
{
	g_assert_cmpint(write(s->in_fd, text, strlen(text)), ==, (gssize)strlen(text));
}

static void
test_hex(void)
{
	g_autoptr(GBytes) b = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;

	b = remsim_client_frontend_shell_parse_hex(" a0 A4 0000\t02 ", &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), "\xa0\xa4\x00\x00\x02", 5);
	text = remsim_client_frontend_shell_format_hex(b);
	g_assert_cmpstr(text, ==, "a0 a4 00 00 02 ");
	g_assert_null(remsim_client_frontend_shell_parse_hex("a0a", &error));
	g_assert_error(error, REMSIM_CLIENT_FRONTEND_ERROR, REMSIM_CLIENT_FRONTEND_ERROR_FAILED);
	g_clear_error(&error);
	g_assert_null(remsim_client_frontend_shell_parse_hex("a0 4x", &error));
	g_assert_nonnull(error);
}

static void
test_flow(void)
{
	Shell s = { 0 };
	g_autoptr(GBytes) rsp = g_bytes_new("\x90\x00", 2);
	g_autoptr(GBytes) atr = g_bytes_new("\x3b\x02\x14\x50", 4);
	g_autoptr(GBytes) default_atr = g_bytes_new("\x3b\x00", 2);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree gchar *big = NULL;

	shell_open(&s);
	/* lines arrive before the card: they wait */
	put(&s, "a0a4000002\n00b0000010\nRESET\n");
	remsim_test_common_spin_for(100);
	g_assert_cmpuint(s.commands->len, ==, 0);
	/* the stand-in ATR is for modems: the shell shows only the card's */
	remsim_client_frontend_set_default_atr(s.fe, default_atr);
	remsim_client_frontend_set_atr(s.fe, atr);
	remsim_client_frontend_set_card_present(s.fe, TRUE);
	REMSIM_TEST_WAIT_FOR(s.commands->len >= 1);
	/* one command in flight at a time: the second waits for the first's answer */
	remsim_test_common_spin_for(50);
	g_assert_cmpuint(s.commands->len, ==, 1);
	remsim_client_frontend_receive_response(s.fe, rsp);
	REMSIM_TEST_WAIT_FOR(s.commands->len >= 2);
	g_assert_cmpuint(s.commands->len, ==, 2);
	/* the bank goes away mid-command: the command is sent again to the next card */
	remsim_client_frontend_set_card_present(s.fe, FALSE);
	remsim_client_frontend_set_card_present(s.fe, TRUE);
	REMSIM_TEST_WAIT_FOR(s.commands->len >= 3);
	g_assert_cmpuint(s.commands->len, ==, 3);
	g_assert_true(g_bytes_equal(s.commands->pdata[1], s.commands->pdata[2]));
	/* its answer lets the RESET line through, as a status */
	remsim_client_frontend_receive_response(s.fe, rsp);
	REMSIM_TEST_WAIT_FOR(s.statuses >= 1);
	g_assert_cmpuint(s.statuses, ==, 1);
	read_output(&s, out, "SET_ATR: 3b 02 14 50 \nR-APDU: 90 00 \nR-APDU: 90 00 \n");

	/* an over-long line is dropped whole, and the next line still works */
	big = g_strnfill(10000, 'a');
	put(&s, big);
	put(&s, "\na0a4000002\n");
	REMSIM_TEST_WAIT_FOR(s.commands->len >= 4);
	g_assert_cmpuint(s.commands->len, ==, 4);
	g_assert_cmpuint(g_bytes_get_size(s.commands->pdata[3]), ==, 5);

	/* end of input: finished only after the last answer is out */
	close(s.in_fd);
	s.in_fd = -1;
	remsim_test_common_spin_for(100);
	g_assert_false(s.finished);
	remsim_client_frontend_receive_response(s.fe, rsp);
	REMSIM_TEST_WAIT_FOR(s.finished);
	read_output(&s, out, "R-APDU: 90 00 \n");
	shell_close(&s);
}

/* answers faster than the reader takes them: none is lost, none blocks the main loop */
static void
test_full_output(void)
{
	Shell s = { 0 };
	guint8 data[258];
	g_autoptr(GBytes) rsp = NULL;
	g_autofree gchar *hex = NULL;
	g_autofree gchar *line = NULL;
	g_autoptr(GString) got = g_string_new(NULL);
	const guint n = 300; /* some 230 kB: more than a pipe holds */

	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)i;
	rsp = g_bytes_new(data, sizeof(data));
	hex = remsim_client_frontend_shell_format_hex(rsp);
	line = g_strdup_printf("R-APDU: %s\n", hex);
	shell_open(&s);
	/* a single-threaded test: a write that blocked would hang here */
	for (guint i = 0; i < n; i++)
		remsim_client_frontend_receive_response(s.fe, rsp);
	/* the end of input is not the end while answers still wait for room */
	close(s.in_fd);
	s.in_fd = -1;
	remsim_test_common_spin_for(50);
	g_assert_false(s.finished);
	REMSIM_TEST_WAIT_FOR(read_more(&s, got, n * strlen(line)));
	REMSIM_TEST_WAIT_FOR(s.finished);
	for (guint i = 0; i < n; i++)
		g_assert_cmpmem(got->str + i * strlen(line), strlen(line), line, strlen(line));
	g_assert_cmpuint(got->len, ==, n * strlen(line));
	shell_close(&s);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/shell/hex", test_hex);
	g_test_add_func("/client/shell/flow", test_flow);
	g_test_add_func("/client/shell/full-output", test_full_output);
	return g_test_run();
}
