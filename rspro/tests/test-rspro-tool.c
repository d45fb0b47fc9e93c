/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rspro-tool as a user runs it: the whole vector files through
 * `decode -` and `encode -`, and the one-line errors for bad input.
 * The tool's path is the first argument.
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rspro-test-util.h"

static const gchar *tool_path;
static GPtrArray *vectors;
static GPtrArray *invalid;

typedef struct {
	gint status;
	gchar *out;
	gchar *err;
} ToolRun;

static void
tool_run_clear(ToolRun *run)
{
	g_free(run->out);
	g_free(run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ToolRun, tool_run_clear)

/* runs the tool to its end; it must exit normally (no signal, no abort) */
static void
run_tool(ToolRun *run, const gchar *input, const gchar *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(argv, (gpointer)tool_path);
	for (guint i = 0; args[i]; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	proc = g_subprocess_newv((const gchar *const *)argv->pdata,
				 G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
				     G_SUBPROCESS_FLAGS_STDERR_PIPE,
				 &error);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8(proc, input, NULL, &run->out, &run->err, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(proc));
	run->status = g_subprocess_get_exit_status(proc);
}

static gchar *
join_column(GPtrArray *rows, guint column)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < rows->len; i++) {
		gchar **row = rows->pdata[i];

		g_string_append_printf(s, "%s\n", row[column]);
	}
	return g_string_free(s, FALSE);
}

static gchar **
output_lines(const gchar *out, guint expected)
{
	gchar **lines;

	g_assert_true(g_str_has_suffix(out, "\n"));
	lines = g_strsplit(out, "\n", -1);
	/* the final newline leaves one empty string */
	g_assert_cmpuint(g_strv_length(lines), ==, expected + 1);
	return lines;
}

static gboolean
json_equal(const gchar *a, const gchar *b)
{
	g_autoptr(JsonParser) pa = json_parser_new();
	g_autoptr(JsonParser) pb = json_parser_new();

	if (!json_parser_load_from_data(pa, a, -1, NULL) ||
	    !json_parser_load_from_data(pb, b, -1, NULL))
		return FALSE;
	return json_node_equal(json_parser_get_root(pa), json_parser_get_root(pb));
}

static void
test_decode_vectors(void)
{
	g_autofree gchar *input = join_column(vectors, 3);
	g_auto(GStrv) lines = NULL;
	g_auto(ToolRun) run = { 0 };

	run_tool(&run, input, (const gchar *const[]){ "decode", "-", NULL });
	g_assert_cmpint(run.status, ==, 0);
	lines = output_lines(run.out, vectors->len);
	for (guint i = 0; i < vectors->len; i++) {
		gchar **row = vectors->pdata[i];

		if (!json_equal(lines[i], row[2])) {
			g_test_message("%s: got %s, want %s", row[0], lines[i], row[2]);
			g_test_fail();
		}
	}
}

static void
test_encode_vectors(void)
{
	g_autofree gchar *input = join_column(vectors, 2);
	g_auto(GStrv) lines = NULL;
	g_auto(ToolRun) run = { 0 };

	run_tool(&run, input, (const gchar *const[]){ "encode", "-", NULL });
	g_assert_cmpint(run.status, ==, 0);
	lines = output_lines(run.out, vectors->len);
	for (guint i = 0; i < vectors->len; i++) {
		gchar **row = vectors->pdata[i];

		if (g_strcmp0(lines[i], row[3]) != 0) {
			g_test_message("%s: got %s, want %s", row[0], lines[i], row[3]);
			g_test_fail();
		}
	}
}

/* a bad line gives an error line in its place; the others go on; the status says so */
static void
test_decode_invalid(void)
{
	g_autofree gchar *input = join_column(invalid, 4);
	g_auto(GStrv) lines = NULL;
	g_auto(ToolRun) run = { 0 };
	gboolean any_rejected = FALSE;

	run_tool(&run, input, (const gchar *const[]){ "decode", "-", NULL });
	lines = output_lines(run.out, invalid->len);
	for (guint i = 0; i < invalid->len; i++) {
		gchar **row = invalid->pdata[i];
		gboolean rejected = g_str_has_prefix(lines[i], "error: ");

		g_test_message("%s -> %s", row[0], lines[i]);
		g_assert_cmpint(rejected, ==, g_str_equal(row[2], "reject"));
		g_assert_cmpuint(strlen(lines[i]), >, strlen("error: "));
		any_rejected |= rejected;
	}
	g_assert_true(any_rejected);
	g_assert_cmpint(run.status, ==, 1);
}

static void
assert_one_line_error(const gchar *command, const gchar *arg, const gchar *needle)
{
	g_auto(ToolRun) run = { 0 };

	run_tool(&run, "", (const gchar *const[]){ command, arg, NULL });
	g_test_message("%s %s -> %s", command, arg, run.err);
	g_assert_cmpint(run.status, ==, 1);
	g_assert_cmpstr(run.out, ==, "");
	/* exactly one line */
	g_assert_true(strchr(run.err, '\n') == run.err + strlen(run.err) - 1);
	g_assert_nonnull(strstr(run.err, needle));
}

static void
test_bad_input(void)
{
	assert_one_line_error("decode", "300", "odd number of hex digits");
	assert_one_line_error("decode", "30zz", "not a hex digit at position 3");
	assert_one_line_error("decode", "", "empty");
	assert_one_line_error("decode", "3000", "malformed PDU");
	assert_one_line_error("encode", "{\"version\":", "invalid JSON");
	assert_one_line_error("encode", "{\"version\":2,\"tag\":0,\"msg\":{\"nope\":{}}}",
			      "msg.nope: unknown message");
	assert_one_line_error("encode", "", "JSON");
}

static void
test_single_items(void)
{
	g_auto(ToolRun) dec = { 0 };
	g_auto(ToolRun) enc = { 0 };
	gchar **row = vectors->pdata[0];
	g_autofree gchar *want_hex = g_strconcat(row[3], "\n", NULL);

	run_tool(&dec, "", (const gchar *const[]){ "decode", row[3], NULL });
	g_assert_cmpint(dec.status, ==, 0);
	g_assert_true(g_str_has_suffix(dec.out, "\n"));
	dec.out[strlen(dec.out) - 1] = '\0';
	/* compact: one line */
	g_assert_null(strchr(dec.out, '\n'));
	g_assert_true(json_equal(dec.out, row[2]));

	run_tool(&enc, "", (const gchar *const[]){ "encode", row[2], NULL });
	g_assert_cmpint(enc.status, ==, 0);
	g_assert_cmpstr(enc.out, ==, want_hex);
}

static void
test_usage(void)
{
	g_auto(ToolRun) version = { 0 };
	g_auto(ToolRun) help = { 0 };
	g_auto(ToolRun) wrong = { 0 };
	g_auto(ToolRun) missing = { 0 };

	run_tool(&version, "", (const gchar *const[]){ "--version", NULL });
	g_assert_cmpint(version.status, ==, 0);
	g_assert_cmpstr(version.out, ==, "rspro-tool " PACKAGE_VERSION "\n");
	run_tool(&help, "", (const gchar *const[]){ "--help", NULL });
	g_assert_cmpint(help.status, ==, 0);
	g_assert_nonnull(strstr(help.out, "decode"));
	g_assert_nonnull(strstr(help.out, "encode"));
	run_tool(&wrong, "", (const gchar *const[]){ "frobnicate", "x", NULL });
	g_assert_cmpint(wrong.status, ==, 2);
	g_assert_nonnull(strstr(wrong.err, "frobnicate"));
	run_tool(&missing, "", (const gchar *const[]){ "decode", NULL });
	g_assert_cmpint(missing.status, ==, 2);
}

int
main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	if (argc < 2)
		g_error("usage: %s PATH-TO-RSPRO-TOOL", argv[0]);
	tool_path = argv[1];
	vectors = rspro_test_load_tsv("rspro-vectors.tsv", 4);
	invalid = rspro_test_load_tsv("rspro-invalid.tsv", 5);

	g_test_add_func("/rspro/tool/decode-vectors", test_decode_vectors);
	g_test_add_func("/rspro/tool/encode-vectors", test_encode_vectors);
	g_test_add_func("/rspro/tool/decode-invalid", test_decode_invalid);
	g_test_add_func("/rspro/tool/bad-input", test_bad_input);
	g_test_add_func("/rspro/tool/single-items", test_single_items);
	g_test_add_func("/rspro/tool/usage", test_usage);
	ret = g_test_run();
	g_ptr_array_unref(vectors);
	g_ptr_array_unref(invalid);
	return ret;
}
