/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The common config code on a daemon-like table: the command line beats the
 * file beats the default, upstream's option names, unknown keys and groups and
 * bad values named by file, line and key, negative ports, [slot N] groups,
 * groups checked later (backends), the key list for the manual.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "remsim-config-check.h"
#include "remsim-log.h"

typedef struct {
	gchar *server_host;
	guint16 server_port;
	gint count;
	gboolean shared;
	gdouble scale;
	GBytes *atr;
	gchar *mode;
} TestSettings;

static const RemsimConfigKey test_keys[] = {
	{ .key = "server-host",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CONFIG_KEY_GROUPS,
	  .default_value = "127.0.0.1",
	  .arg = N_("HOST"),
	  .help = N_("Server address"),
	  .aliases = { { "server-ip", 'i' } },
	  REMSIM_CONFIG_FIELD_STRING(TestSettings, server_host) },
	{ .key = "server-port",
	  .short_name = 'p',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CONFIG_KEY_GROUPS,
	  .default_value = "9998",
	  .min = 1,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("Server port"),
	  REMSIM_CONFIG_FIELD_INT(TestSettings, server_port) },
	{ .key = "bind-port",
	  .short_name = 'P',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = "9999",
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("Port to listen on") },
	{ .key = "count",
	  .short_name = 'n',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = "8",
	  .min = 1,
	  .max = 1023,
	  .help = N_("How many"),
	  REMSIM_CONFIG_FIELD_INT(TestSettings, count) },
	{ .key = "shared",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Share"),
	  .aliases = { { "permit-shared-pcsc", 's' } },
	  REMSIM_CONFIG_FIELD_BOOLEAN(TestSettings, shared) },
	{ .key = "scale",
	  .type = REMSIM_CONFIG_TYPE_DOUBLE,
	  .flags = REMSIM_CONFIG_KEY_HIDDEN,
	  .default_value = "1.0",
	  .min = 0,
	  .max = 100,
	  .help = N_("Scale"),
	  REMSIM_CONFIG_FIELD_DOUBLE(TestSettings, scale) },
	{ .key = "atr",
	  .short_name = 'a',
	  .type = REMSIM_CONFIG_TYPE_HEX,
	  .flags = REMSIM_CONFIG_KEY_GROUPS,
	  .default_value = "3B 00",
	  .min = 2,
	  .max = 55,
	  .help = N_("ATR"),
	  REMSIM_CONFIG_FIELD_BYTES(TestSettings, atr) },
	{ .key = "mode",
	  .type = REMSIM_CONFIG_TYPE_CHOICE,
	  .default_value = "fast",
	  .choices = "fast|slow",
	  .help = N_("Mode"),
	  REMSIM_CONFIG_FIELD_STRING(TestSettings, mode) },
	{ .key = "usb-vendor",
	  .short_name = 'V',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CONFIG_KEY_GROUPS | REMSIM_CONFIG_KEY_HEX_NUMBER,
	  .min = 0,
	  .max = G_MAXUINT16,
	  .help = N_("USB vendor") },
	{ .key = "port-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .help = N_("Port file") },
	{ .key = "gsmtap-ip",
	  .short_name = 'g',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CONFIG_KEY_IGNORED | REMSIM_CONFIG_KEY_HIDDEN,
	  .help = N_("Ignored") },
	{ NULL },
};

static const RemsimConfigSchema test_schema = {
	.program = "remsim-test",
	.group = "test",
	.summary = N_("A test daemon."),
	.keys = test_keys,
	.config_short = 'c',
	.version_short = 'v',
	.groups = REMSIM_CONFIG_GROUPS_SLOTS,
};

static const RemsimConfigSchema test_deferred_schema = {
	.program = "remsim-test",
	.group = "test",
	.summary = N_("A test daemon."),
	.keys = test_keys,
	.version_short = 'v',
	.groups = REMSIM_CONFIG_GROUPS_DEFERRED,
};

static void
test_settings_clear(TestSettings *s)
{
	remsim_config_clear_fields(&test_schema, s);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TestSettings, test_settings_clear)

/*
 * parses "prog @args... --config FILE"; @conf NULL: an empty file of the
 * test's, so that the host's $sysconfdir never counts
 */
static RemsimConfig *
parse(const RemsimConfigSchema *schema, const gchar *conf, const gchar *const *args, gint *status,
      GError **error)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autofree gchar *empty = conf == NULL ? remsim_config_check_write("test.conf", "") : NULL;
	RemsimConfig *config = remsim_config_new(schema);
	gchar **v;
	gint argc;
	gboolean ok;

	g_ptr_array_add(argv, "remsim-test");
	for (guint i = 0; args != NULL && args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, "--config");
	g_ptr_array_add(argv, (gpointer)(conf != NULL ? conf : empty));
	argc = argv->len;
	g_ptr_array_add(argv, NULL);
	/* the option parser rearranges the vector: hand it a copy */
	v = g_memdup2(argv->pdata, argv->len * sizeof(gpointer));
	ok = remsim_config_parse(config, &argc, &v, status, error);
	g_free(v);
	if (empty != NULL)
		remsim_config_check_remove(empty);
	if (ok)
		g_assert_cmpint(*status, ==, 0);
	if (!ok) {
		remsim_config_free(config);
		return NULL;
	}
	return config;
}

/* parses @text as the file and @args; asserts an error starting with @want ("%s" = the file) */
static void
assert_error(const RemsimConfigSchema *schema, const gchar *text, const gchar *const *args,
	     const gchar *want)
{
	g_autofree gchar *conf = remsim_config_check_write("test.conf", text != NULL ? text : "");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *expect =
	    g_str_has_prefix(want, "%s") ? g_strconcat(conf, want + 2, NULL) : g_strdup(want);
	gint status = -1;
	g_autoptr(RemsimConfig) config = parse(schema, conf, args, &status, &error);

	g_assert_null(config);
	g_assert_nonnull(error);
	g_assert_cmpint(status, ==, 2);
	if (!g_str_has_prefix(error->message, expect))
		g_error("“%s” does not start with “%s”", error->message, expect);
	remsim_config_check_remove(conf);
}

static void
test_schema_check(void)
{
	g_autoptr(GError) error = NULL;
	RemsimConfigKey bad[] = { test_keys[0], test_keys[1], { NULL } };
	RemsimConfigSchema schema = test_schema;

	g_assert_true(remsim_config_check_schema(&test_schema, &error));
	g_assert_no_error(error);
	schema.keys = bad;
	/* two keys with one short option */
	bad[1].short_name = 'i';
	g_assert_false(remsim_config_check_schema(&schema, &error));
	g_assert_nonnull(strstr(error->message, "-i"));
	g_clear_error(&error);
	/* a default that does not read */
	bad[1].short_name = 'p';
	bad[1].default_value = "99999";
	g_assert_false(remsim_config_check_schema(&schema, &error));
	g_assert_nonnull(strstr(error->message, "server-port"));
	g_clear_error(&error);
	/* -V is the version's here, as upstream's client has it */
	bad[1].default_value = "9998";
	bad[1].short_name = 'v';
	g_assert_false(remsim_config_check_schema(&schema, &error));
	g_clear_error(&error);
	/* a key that clashes with a common one */
	bad[1].short_name = 'p';
	bad[1].key = "debug";
	g_assert_false(remsim_config_check_schema(&schema, &error));
	g_clear_error(&error);
}

static void
test_defaults(void)
{
	g_autofree gchar *conf = remsim_config_check_write("test.conf", "# nothing\n");
	g_autoptr(GError) error = NULL;
	gint status = -1;
	g_autoptr(RemsimConfig) c = parse(&test_schema, conf, NULL, &status, &error);
	g_auto(TestSettings) s = { 0 };
	g_autoptr(GBytes) atr = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(remsim_config_get_path(c), ==, conf);
	g_assert_cmpstr(remsim_config_get_string(c, NULL, "server-host"), ==, "127.0.0.1");
	g_assert_cmpint(remsim_config_get_int(c, NULL, "server-port"), ==, 9998);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-vendor"), ==, -1);
	g_assert_false(remsim_config_is_set(c, NULL, "server-port"));
	g_assert_cmpint(remsim_config_get_bus_type(c), ==, G_BUS_TYPE_SYSTEM);
	g_assert_false(remsim_config_get_boolean(c, NULL, "log-personal-info"));
	remsim_config_fill(c, NULL, &s);
	g_assert_cmpstr(s.server_host, ==, "127.0.0.1");
	g_assert_cmpuint(s.server_port, ==, 9998);
	g_assert_cmpint(s.count, ==, 8);
	g_assert_false(s.shared);
	g_assert_cmpfloat(s.scale, ==, 1.0);
	g_assert_cmpstr(s.mode, ==, "fast");
	atr = g_bytes_new_static("\x3b\x00", 2);
	g_assert_true(g_bytes_equal(s.atr, atr));
	remsim_config_check_remove(conf);
}

/* the command line beats the file, the file beats the default */
static void
test_precedence(void)
{
	g_autofree gchar *conf =
	    remsim_config_check_write("test.conf", "[test]\nserver-port = 1000\ncount=3\n"
						   "server-host=file-host\nmode=slow\n"
						   "dbus=false\nscale=0.5\n");
	const gchar *args[] = { "-p", "2000", "--atr", "3b 9f 00", NULL };
	g_autoptr(GError) error = NULL;
	gint status = -1;
	g_autoptr(RemsimConfig) c = parse(&test_schema, conf, args, &status, &error);
	g_auto(TestSettings) s = { 0 };

	g_assert_no_error(error);
	remsim_config_fill(c, NULL, &s);
	g_assert_cmpuint(s.server_port, ==, 2000);
	g_assert_cmpint(s.count, ==, 3);
	g_assert_cmpstr(s.server_host, ==, "file-host");
	g_assert_cmpstr(s.mode, ==, "slow");
	g_assert_cmpfloat(s.scale, ==, 0.5);
	g_assert_cmpuint(g_bytes_get_size(s.atr), ==, 3);
	g_assert_true(remsim_config_is_set(c, NULL, "count"));
	g_assert_cmpint(remsim_config_get_bus_type(c), ==, G_BUS_TYPE_NONE);
	/* fill replaces what it wrote before */
	remsim_config_fill(c, NULL, &s);
	g_assert_cmpstr(s.server_host, ==, "file-host");
	remsim_config_check_remove(conf);
}

/* upstream's names, our names and flags that set a value */
static void
test_aliases(void)
{
	const struct {
		const gchar *args[4];
		const gchar *key;
		const gchar *value;
	} cases[] = {
		{ { "-i", "a", NULL }, "server-host", "a" },
		{ { "--server-ip", "b", NULL }, "server-host", "b" },
		{ { "--server-host=c", NULL }, "server-host", "c" },
		{ { "-s", NULL }, "shared", "true" },
		{ { "--permit-shared-pcsc", NULL }, "shared", "true" },
		{ { "--shared", NULL }, "shared", "true" },
		{ { "-V", "1d50", NULL }, "usb-vendor", "7504" },
		{ { "--usb-vendor", "0x1D50", NULL }, "usb-vendor", "7504" },
		{ { "-n", "0x10", NULL }, "count", "16" },
		{ { "-d", "DMAIN,1:DRSPRO,1", NULL }, "debug", "true" },
		{ { "--log-personal-info", NULL }, "log-personal-info", "true" },
		{ { "-L", "-g", "1.2.3.4", NULL }, "disable-color", "true" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(RemsimConfig) c = remsim_config_new(&test_schema);
		g_autofree gchar **v = g_new0(gchar *, 6);
		gint argc = 1;
		g_autofree gchar *got = NULL;

		v[0] = "remsim-test";
		for (guint j = 0; cases[i].args[j] != NULL; j++)
			v[argc++] = (gchar *)cases[i].args[j];
		g_assert_true(remsim_config_parse_args(c, &argc, &v, &error));
		g_assert_no_error(error);
		g_assert_cmpint(argc, ==, 1);
		if (g_str_equal(cases[i].key, "server-host"))
			got = g_strdup(remsim_config_get_string(c, NULL, cases[i].key));
		else if (g_str_equal(cases[i].key, "usb-vendor") ||
			 g_str_equal(cases[i].key, "count"))
			got = g_strdup_printf("%d", remsim_config_get_int(c, NULL, cases[i].key));
		else
			got = g_strdup(remsim_config_get_boolean(c, NULL, cases[i].key) ? "true"
											: "false");
		g_assert_cmpstr(got, ==, cases[i].value);
	}
	/* the bus: --no-dbus, --session */
	{
		const gchar *none[] = { "--no-dbus", "--session", NULL };
		const gchar *session[] = { "--session", NULL };
		g_autoptr(GError) error = NULL;
		gint status;
		g_autoptr(RemsimConfig) c1 = parse(&test_schema, NULL, none, &status, &error);
		g_autoptr(RemsimConfig) c2 = parse(&test_schema, NULL, session, &status, &error);

		g_assert_no_error(error);
		g_assert_cmpint(remsim_config_get_bus_type(c1), ==, G_BUS_TYPE_NONE);
		g_assert_cmpint(remsim_config_get_bus_type(c2), ==, G_BUS_TYPE_SESSION);
	}
}

static void
test_command_line_errors(void)
{
	const gchar *neg_port[] = { "-p", "-1", NULL };
	const gchar *neg_port_long[] = { "--bind-port=-5", NULL };
	const gchar *big_port[] = { "--server-port", "70000", NULL };
	const gchar *alias_port[] = { "-P", "65536", NULL };
	const gchar *not_number[] = { "-n", "many", NULL };
	const gchar *bad_hex[] = { "-a", "3", NULL };
	const gchar *extra[] = { "extra", NULL };
	const gchar *unknown[] = { "--frobnicate", NULL };

	/* a negative or too large port is an error naming the option */
	assert_error(&test_schema, NULL, neg_port, "--server-port: -1 is not in 1..65535");
	assert_error(&test_schema, NULL, neg_port_long, "--bind-port: -5 is not in 0..65535");
	assert_error(&test_schema, NULL, big_port, "--server-port: 70000 is not in 1..65535");
	assert_error(&test_schema, NULL, alias_port, "--bind-port: 65536 is not in 0..65535");
	assert_error(&test_schema, NULL, not_number, "--count: “many” is not a number");
	assert_error(&test_schema, NULL, bad_hex, "--atr: “3” is not 2 to 55 bytes of hex");
	assert_error(&test_schema, NULL, extra, "unexpected argument “extra”");
	assert_error(&test_schema, NULL, unknown, "Unknown option --frobnicate");
	{
		g_autoptr(GError) error = NULL;
		gint status = -1;

		/* a file named on the command line must be there */
		g_assert_null(parse(&test_schema, "/nonexistent/test.conf", NULL, &status, &error));
		g_assert_true(g_str_has_prefix(error->message, "/nonexistent/test.conf: "));
		g_assert_cmpint(status, ==, 2);
	}
}

static void
test_file_errors(void)
{
	/* every problem names the file, the line and the key */
	assert_error(&test_schema, "[test]\ncount=3\n\nfrobnicate=1\n", NULL,
		     "%s:4: [test] frobnicate: unknown key");
	assert_error(&test_schema, "[test]\ncount=3\n[elsewhere]\nx=1\n", NULL,
		     "%s:3: [elsewhere]: unknown group (expected [test] or [slot N]");
	assert_error(&test_schema, "[slot 1024]\n", NULL, "%s:1: [slot 1024]: unknown group");
	assert_error(&test_schema, "[test]\n# a comment\ncount = abc\n", NULL,
		     "%s:3: [test] count: “abc” is not a number");
	assert_error(&test_schema, "[test]\ncount=0\n", NULL,
		     "%s:2: [test] count: 0 is not in 1..1023");
	assert_error(&test_schema, "[test]\nserver-port=-1\n", NULL,
		     "%s:2: [test] server-port: -1 is not in 1..65535");
	assert_error(&test_schema, "[test]\nshared=maybe\n", NULL,
		     "%s:2: [test] shared: “maybe” is not true or false");
	assert_error(&test_schema, "[test]\nmode=quick\n", NULL,
		     "%s:2: [test] mode: “quick” is not one of fast, slow");
	assert_error(&test_schema, "[test]\nscale=1000\n", NULL,
		     "%s:2: [test] scale: 1000 is not in 0..100");
	assert_error(&test_schema, "[test]\nusb-vendor=xyz\n", NULL,
		     "%s:2: [test] usb-vendor: “xyz” is not a hex number");
	assert_error(&test_schema, "[test]\nport-file=/tmp/x\n", NULL,
		     "%s:2: [test] port-file: only an option (--port-file)");
	assert_error(&test_schema, "[test]\nversion=true\n", NULL, "%s:2: [test] version:");
	assert_error(&test_schema, "[slot 2]\ncount=2\n", NULL,
		     "%s:2: [slot 2] count: only valid in [test]");
	assert_error(&test_schema, "[test]\ncount=2\ngarbage here\n", NULL, "%s:3: ");
	assert_error(&test_schema, "count=2\n", NULL, "%s:");
	/* the last of two same keys is the one GKeyFile keeps */
	assert_error(&test_schema, "[test]\ncount=1\ncount=0\n", NULL, "%s:3: [test] count:");
}

static void
test_exit_status(void)
{
	const gchar *version[] = { "-v", "extra", NULL };
	g_autoptr(GError) error = NULL;
	gint status = -1;

	if (g_test_subprocess()) {
		g_assert_null(parse(&test_schema, NULL, version, &status, &error));
		g_assert_no_error(error);
		g_assert_cmpint(status, ==, 0);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("remsim-test " PACKAGE_VERSION "\n");
}

static void
test_slot_groups(void)
{
	g_autofree gchar *conf = remsim_config_check_write(
	    "test.conf", "[test]\nserver-host=all\nserver-port=1\n[slot 3]\nserver-port=3\n"
			 "usb-vendor=1d50\n[slot 1]\natr=3b 01 02\n");
	const gchar *args[] = { "-i", "cli", NULL };
	g_autoptr(GError) error = NULL;
	gint status;
	g_autoptr(RemsimConfig) c = parse(&test_schema, conf, args, &status, &error);
	g_autoptr(GArray) slots = NULL;
	g_autoptr(GBytes) atr = NULL;
	g_auto(TestSettings) s = { 0 };

	g_assert_no_error(error);
	slots = remsim_config_get_slots(c);
	g_assert_cmpuint(slots->len, ==, 2);
	g_assert_cmpuint(g_array_index(slots, guint, 0), ==, 1);
	g_assert_cmpuint(g_array_index(slots, guint, 1), ==, 3);
	/* a slot's group beats the daemon's group, the command line beats both */
	g_assert_cmpint(remsim_config_get_int(c, "slot 3", "server-port"), ==, 3);
	g_assert_cmpint(remsim_config_get_int(c, "slot 1", "server-port"), ==, 1);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "server-port"), ==, 1);
	g_assert_cmpint(remsim_config_get_int(c, "slot 3", "usb-vendor"), ==, 0x1d50);
	g_assert_cmpint(remsim_config_get_int(c, "slot 1", "usb-vendor"), ==, -1);
	g_assert_cmpstr(remsim_config_get_string(c, "slot 3", "server-host"), ==, "cli");
	atr = remsim_config_get_bytes(c, "slot 1", "atr");
	g_assert_cmpuint(g_bytes_get_size(atr), ==, 3);
	remsim_config_fill(c, "slot 3", &s);
	g_assert_cmpuint(s.server_port, ==, 3);
	g_assert_cmpuint(g_bytes_get_size(s.atr), ==, 2);
	remsim_config_check_remove(conf);
}

/* other groups are left to the caller, who checks them with the same messages */
static void
test_deferred_groups(void)
{
	g_autofree gchar *conf = remsim_config_check_write(
	    "test.conf", "[test]\ncount=2\n\n[reader]\nslot-0=x\nslots=1\n\n[other]\na=b\n");
	const gchar *const patterns[] = { "slot-*", NULL };
	g_autoptr(GError) error = NULL;
	gint status;
	g_autoptr(RemsimConfig) c = parse(&test_deferred_schema, conf, NULL, &status, &error);
	g_auto(GStrv) groups = NULL;
	g_autofree gchar *want = NULL;

	g_assert_no_error(error);
	groups = remsim_config_get_other_groups(c);
	g_assert_cmpuint(g_strv_length(groups), ==, 2);
	g_assert_cmpstr(groups[0], ==, "reader");
	g_assert_false(remsim_config_check_group(c, "reader", patterns, &error));
	want = g_strdup_printf("%s:6: [reader] slots: unknown key", conf);
	g_assert_cmpstr(error->message, ==, want);
	g_clear_error(&error);
	g_clear_pointer(&want, g_free);

	remsim_config_set_unknown_group_error(c, "other", "[test] or a backend", &error);
	want = g_strdup_printf("%s:8: [other]: unknown group (expected [test] or a backend)", conf);
	g_assert_cmpstr(error->message, ==, want);
	g_clear_error(&error);
	g_clear_pointer(&want, g_free);

	/* a backend's own error, worded "[group] key: ..." */
	error = g_error_new_literal(G_KEY_FILE_ERROR, 0, "[reader] slot-0: bad pattern");
	remsim_config_prefix_error(c, &error, NULL, NULL);
	want = g_strdup_printf("%s:5: [reader] slot-0: bad pattern", conf);
	g_assert_cmpstr(error->message, ==, want);
	g_clear_error(&error);
	remsim_config_check_remove(conf);
}

/* an error that quotes the file's text names its line, in English and translated */
static void
test_quoted_line(void)
{
	/* GLib's English quotes, German („“ and GLib's German »«), and « » */
	const gchar *const messages[] = {
		"the value “quick” is bad",
		"der Wert „quick“ ist falsch",
		"die Zeile »quick« ist kein Schlüssel-Wert-Paar",
		"la valeur «quick» est mauvaise",
	};
	g_autofree gchar *conf =
	    remsim_config_check_write("test.conf", "[test]\ncount=2\n\n[reader]\nname=quick\n");
	g_autoptr(GError) error = NULL;
	gint status;
	g_autoptr(RemsimConfig) c = parse(&test_deferred_schema, conf, NULL, &status, &error);

	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(messages); i++) {
		g_autofree gchar *want = g_strdup_printf("%s:5: %s", conf, messages[i]);

		error = g_error_new_literal(G_KEY_FILE_ERROR, 0, messages[i]);
		remsim_config_prefix_error(c, &error, NULL, NULL);
		g_assert_cmpstr(error->message, ==, want);
		g_clear_error(&error);
	}
	/* nothing quoted, or not in the file: the file without a line */
	error = g_error_new_literal(G_KEY_FILE_ERROR, 0, "„slow“ is not there");
	remsim_config_prefix_error(c, &error, NULL, NULL);
	g_assert_true(g_str_has_prefix(error->message, conf));
	g_assert_true(g_str_has_prefix(error->message + strlen(conf), ": „slow“"));
	g_clear_error(&error);
	remsim_config_check_remove(conf);
}

/* a file that does not read changes nothing, so that a reload can refuse it */
static void
test_bad_file_changes_nothing(void)
{
	g_autofree gchar *conf = remsim_config_check_write("test.conf", "[test]\ncount=5\n");
	g_autofree gchar *bad = remsim_config_check_write("bad.conf", "[test]\ncount=5000\n");
	g_autoptr(GError) error = NULL;
	gint status;
	g_autoptr(RemsimConfig) c = parse(&test_schema, conf, NULL, &status, &error);

	g_assert_no_error(error);
	g_assert_false(remsim_config_load_file(c, bad, TRUE, &error));
	g_assert_nonnull(strstr(error->message, bad));
	g_assert_cmpint(remsim_config_get_int(c, NULL, "count"), ==, 5);
	g_assert_cmpstr(remsim_config_get_path(c), ==, conf);
	g_clear_error(&error);
	/* a missing default file is no error */
	g_assert_true(remsim_config_load_file(c, "/nonexistent/test.conf", FALSE, &error));
	g_assert_no_error(error);
	remsim_config_check_remove(conf);
	remsim_config_check_remove(bad);
}

static void
test_dump_keys(void)
{
	g_autoptr(RemsimConfig) c = remsim_config_new(&test_schema);
	g_autofree gchar *dump = remsim_config_dump_keys(c);

	/* the check sees a line that does not say what the table says */
	if (g_test_subprocess()) {
		g_auto(GStrv) parts = g_strsplit(dump, "--server-ip", 2);
		g_autofree gchar *wrong = g_strjoinv("--server-ipx", parts);

		remsim_config_check_dump(&test_schema, wrong);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();

	remsim_config_check_dump(&test_schema, dump);
	g_assert_nonnull(strstr(dump, "\ndbus\t[test]\t--no-dbus (false)\ttrue|false\ttrue\t"));
	g_assert_nonnull(strstr(dump, "\nserver-host\t[test] [slot N]\t--server-host, -i, "
				      "--server-ip\tHOST\t127.0.0.1\tServer address\n"));
	g_assert_nonnull(strstr(dump, "\nport-file\t-\t--port-file\t"));
}

static void
test_logging_options(void)
{
	const gchar *args[] = { "--log-personal-info", NULL };
	g_autoptr(GError) error = NULL;
	gint status;
	g_autoptr(RemsimConfig) c = parse(&test_schema, NULL, args, &status, &error);

	g_assert_no_error(error);
	/* parsing changes nothing outside the config: applying it does */
	g_assert_false(remsim_log_get_personal_info());
	remsim_config_apply_logging(c);
	g_assert_true(remsim_log_get_personal_info());
	g_clear_pointer(&c, remsim_config_free);
	c = parse(&test_schema, NULL, NULL, &status, &error);
	remsim_config_apply_logging(c);
	g_assert_false(remsim_log_get_personal_info());
	g_assert_false(g_log_get_debug_enabled());
}

/* what a reload compares: values as read, not as written; the table's keys of the file only */
static void
test_diff(void)
{
	g_autofree gchar *conf = remsim_config_check_write(
	    "test.conf", "[test]\ncount=8\nserver-port=9998\natr=3b00\n[slot 1]\nserver-port=1\n");
	g_autofree gchar *other = remsim_config_check_write(
	    "other.conf", "[test]\ncount=0x8\nserver-port=9997\natr=3B 00\nscale=2\ndebug=1\n"
			  "[slot 1]\nserver-port=1\n");
	const gchar *args[] = { "--port-file", "x", NULL };
	const gchar *args2[] = { "--port-file", "y", NULL };
	g_autoptr(GError) error = NULL;
	gint status;
	g_autoptr(RemsimConfig) a = parse(&test_schema, conf, args, &status, &error);
	g_autoptr(RemsimConfig) b = parse(&test_schema, other, args2, &status, &error);
	g_auto(GStrv) changed = NULL;
	g_auto(GStrv) in_slot = NULL;

	g_assert_no_error(error);
	g_assert_false(remsim_config_differs(a, b, NULL, "count"));
	g_assert_false(remsim_config_differs(a, b, NULL, "atr"));
	g_assert_true(remsim_config_differs(a, b, NULL, "server-port"));
	g_assert_true(remsim_config_differs(a, b, NULL, "debug"));
	g_assert_true(remsim_config_differs(a, b, NULL, "port-file"));
	/* common keys and options that are no key of the file are not listed */
	changed = remsim_config_diff(a, b, NULL);
	g_assert_true(g_strv_equal((const gchar *const *)changed,
				   (const gchar *const[]){ "server-port", "scale", NULL }));
	in_slot = remsim_config_diff(a, b, "slot 1");
	g_assert_true(
	    g_strv_equal((const gchar *const *)in_slot, (const gchar *const[]){ "scale", NULL }));
	remsim_config_check_remove(conf);
	remsim_config_check_remove(other);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/common/config/schema-check", test_schema_check);
	g_test_add_func("/common/config/defaults", test_defaults);
	g_test_add_func("/common/config/precedence", test_precedence);
	g_test_add_func("/common/config/aliases", test_aliases);
	g_test_add_func("/common/config/command-line-errors", test_command_line_errors);
	g_test_add_func("/common/config/file-errors", test_file_errors);
	g_test_add_func("/common/config/exit-status", test_exit_status);
	g_test_add_func("/common/config/slot-groups", test_slot_groups);
	g_test_add_func("/common/config/deferred-groups", test_deferred_groups);
	g_test_add_func("/common/config/quoted-line", test_quoted_line);
	g_test_add_func("/common/config/bad-file-changes-nothing", test_bad_file_changes_nothing);
	g_test_add_func("/common/config/dump-keys", test_dump_keys);
	g_test_add_func("/common/config/logging-options", test_logging_options);
	g_test_add_func("/common/config/diff", test_diff);
	return g_test_run();
}
