/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rspro-tool: RSPRO PDUs between hex (DER/BER, no IPA header) and the JSON form
 * of the test vectors, one item from the command line or one per line of stdin.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "remsim-i18n.h"
#include "rspro-pdu.h"

#define EXIT_USAGE 2

typedef gchar *(*ItemFunc)(const gchar *item, GError **error);

static GBytes *
rspro_tool_parse_hex(const gchar *text, GError **error)
{
	gsize len = strlen(text);
	g_autofree guint8 *buf = NULL;

	if (len == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("empty hex input"));
		return NULL;
	}
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isxdigit(text[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    _("not a hex digit at position %zu: 0x%02x"), i + 1,
				    (guchar)text[i]);
			return NULL;
		}
	}
	if (len % 2) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    _("odd number of hex digits (%zu)"), len);
		return NULL;
	}
	buf = g_malloc(len / 2);
	for (gsize i = 0; i < len / 2; i++)
		buf[i] = (guint8)(g_ascii_xdigit_value(text[2 * i]) << 4 |
				  g_ascii_xdigit_value(text[2 * i + 1]));
	return g_bytes_new_take(g_steal_pointer(&buf), len / 2);
}

static gchar *
rspro_tool_to_hex(GBytes *bytes)
{
	static const gchar digits[] = "0123456789abcdef";
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	gchar *hex = g_malloc(len * 2 + 1);

	for (gsize i = 0; i < len; i++) {
		hex[2 * i] = digits[data[i] >> 4];
		hex[2 * i + 1] = digits[data[i] & 0xf];
	}
	hex[len * 2] = '\0';
	return hex;
}

static gchar *
rspro_tool_decode_item(const gchar *item, GError **error)
{
	g_autofree gchar *text = g_strstrip(g_strdup(item));
	g_autoptr(GBytes) bytes = rspro_tool_parse_hex(text, error);
	g_autoptr(RsproPdu) pdu = NULL;

	if (!bytes)
		return NULL;
	pdu = rspro_pdu_decode_bytes(bytes, error);
	if (!pdu)
		return NULL;
	return rspro_pdu_json_encode_string(pdu);
}

static gchar *
rspro_tool_encode_item(const gchar *item, GError **error)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_json_decode_string(item, error);
	g_autoptr(GBytes) der = NULL;

	if (!pdu)
		return NULL;
	der = rspro_pdu_encode(pdu, error);
	if (!der)
		return NULL;
	return rspro_tool_to_hex(der);
}

/*
 * One item: the result on stdout, or an error line; FALSE on error. The error
 * goes to stderr for a person, translated, or with @in_stream to stdout in
 * place of the item's result, where scripts match its "error:" in any language.
 */
static gboolean
rspro_tool_run_item(ItemFunc func, const gchar *item, gsize len, gboolean in_stream)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;

	if (strlen(item) != len)
		g_set_error(&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("NUL byte in input"));
	else
		out = func(item, &error);
	if (!out && in_stream) {
		printf("error: %s\n", error->message);
		return FALSE;
	}
	if (!out) {
		/* TRANSLATORS: %s: what is wrong with the item */
		fprintf(stderr, _("error: %s\n"), error->message);
		return FALSE;
	}
	printf("%s\n", out);
	return TRUE;
}

/* one item per line; errors go to stdout so that output lines match input lines */
static int
rspro_tool_run_stdin(ItemFunc func)
{
	gchar *line = NULL;
	size_t size = 0;
	ssize_t n;
	gboolean ok = TRUE;

	while ((n = getline(&line, &size, stdin)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!rspro_tool_run_item(func, line, (gsize)n, TRUE))
			ok = FALSE;
		fflush(stdout);
	}
	free(line);
	if (ferror(stdin)) {
		fprintf(stderr, "rspro-tool: %s\n", _("cannot read standard input"));
		return EXIT_FAILURE;
	}
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

static GOptionContext *
rspro_tool_new_option_context(gboolean *version)
{
	const GOptionEntry entries[] = {
		{ "version", 'V', 0, G_OPTION_ARG_NONE, version, N_("Show the version and exit"),
		  NULL },
		G_OPTION_ENTRY_NULL,
	};
	/* TRANSLATORS: the synopsis: the commands decode and encode, their arguments */
	GOptionContext *context = g_option_context_new(N_("decode HEX | encode JSON"));

	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_set_summary(
	    context,
	    /* TRANSLATORS: keep decode, encode, HEX, JSON and "error: ..." (what scripts read) */
	    N_("Convert RSPRO PDUs between hex (DER/BER, without IPA header) and JSON.\n"
	       "\n"
	       "  decode HEX    print the PDU as one line of JSON\n"
	       "  encode JSON   print the DER encoding as lowercase hex\n"
	       "\n"
	       "With - as the argument, read one item per line from standard input\n"
	       "and print one line for each (\"error: ...\" for a bad item); the exit\n"
	       "status is 1 if any item failed."));
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	return context;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	gboolean version = FALSE;
	ItemFunc func;

	remsim_i18n_init();
	context = rspro_tool_new_option_context(&version);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		fprintf(stderr, "rspro-tool: %s\n", error->message);
		return EXIT_USAGE;
	}
	if (version) {
		printf("rspro-tool %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (argc != 3) {
		fprintf(stderr, "rspro-tool: %s\n",
			_("expected a command and one argument; see --help"));
		return EXIT_USAGE;
	}
	if (g_str_equal(argv[1], "decode")) {
		func = rspro_tool_decode_item;
	} else if (g_str_equal(argv[1], "encode")) {
		func = rspro_tool_encode_item;
	} else {
		fprintf(stderr, "rspro-tool: ");
		/* TRANSLATORS: %s: what was given as the command */
		fprintf(stderr, _("unknown command “%s”: use decode or encode (see --help)\n"),
			argv[1]);
		return EXIT_USAGE;
	}
	if (g_str_equal(argv[2], "-"))
		return rspro_tool_run_stdin(func);
	return rspro_tool_run_item(func, argv[2], strlen(argv[2]), FALSE) ? EXIT_SUCCESS
									  : EXIT_FAILURE;
}
