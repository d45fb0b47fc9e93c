/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-bankd's settings: upstream's option names, the config file, and errors a person can act
 * on. */
#include "config.h"

#include <glib/gstdio.h>

#include "remsim-bankd-config.h"
#include "remsim-config-check.h"

static gchar *
write_conf(const gchar *text)
{
	g_autoptr(GError) error = NULL;
	gchar *path = NULL;
	gint fd = g_file_open_tmp("remsim-bankd-XXXXXX.conf", &path, &error);

	g_assert_no_error(error);
	close(fd);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static RemsimBankdConfig *
parse(const gchar *const *args, GError **error)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	gchar **v;
	gint argc, status = -1;
	RemsimBankdConfig *config;

	g_ptr_array_add(argv, g_strdup("remsim-bankd"));
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(args[i]));
	argc = argv->len;
	g_ptr_array_add(argv, NULL);
	/* the option parser rearranges the vector: hand it a copy */
	v = g_new0(gchar *, argv->len);
	memcpy(v, argv->pdata, argv->len * sizeof(gchar *));
	config = remsim_bankd_config_parse(&argc, &v, &status, error);
	g_free(v);
	if (config == NULL)
		g_assert_cmpint(status, ==, 2);
	return config;
}

static void
test_upstream_options(void)
{
	g_autofree gchar *conf = write_conf("");
	const gchar *args[] = { "-c", conf, "-i", "10.0.0.1", "-p",	    "1234", "-b",
				"7",  "-n", "5",  "-N",	      "bank-seven", "-I",   "127.0.0.1",
				"-P", "0",  "-s", "-g",	      "192.0.2.9",  "-G",   "3",
				"-T", "-e", "3",  "-L",	      NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBankdConfig) c = parse(args, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(c->server_host, ==, "10.0.0.1");
	g_assert_cmpuint(c->server_port, ==, 1234);
	g_assert_cmpuint(c->bank_id, ==, 7);
	g_assert_cmpuint(c->num_slots, ==, 5);
	g_assert_cmpstr(c->component_name, ==, "bank-seven");
	g_assert_cmpstr(c->bind_ip, ==, "127.0.0.1");
	g_assert_cmpuint(c->bind_port, ==, 0);
	g_assert_true(c->shared);
	/* upstream HEAD's GSMTAP and logging options */
	g_assert_cmpstr(c->gsmtap_ip, ==, "192.0.2.9");
	g_assert_cmpint(c->gsmtap_slot, ==, 3);
	g_assert_cmpuint(c->gsmtap_port, ==, 4729);
	g_assert_true(remsim_config_get_boolean(c->file, NULL, "timestamp"));
	g_assert_true(remsim_config_get_boolean(c->file, NULL, "disable-color"));
	g_assert_cmpint(remsim_config_get_int(c->file, NULL, "log-level"), ==, 3);
	g_unlink(conf);
}

static void
test_defaults_and_file(void)
{
	g_autofree gchar *conf = write_conf("[bankd]\nserver-host=srv\nnum-slots=3\n"
					    "backend=simcard\nadvertise=198.51.100.7:19999\n"
					    "[simcard]\nslots=3\n");
	const gchar *args[] = { "--config", conf, "--num-slots", "4", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBankdConfig) c = parse(args, &error);

	g_assert_no_error(error);
	/* the command line beats the file, the file beats the defaults */
	g_assert_cmpuint(c->num_slots, ==, 4);
	g_assert_cmpstr(c->server_host, ==, "srv");
	g_assert_cmpuint(c->server_port, ==, 9998);
	g_assert_cmpuint(c->bank_id, ==, 1);
	g_assert_cmpuint(c->bind_port, ==, 9999);
	g_assert_cmpstr(c->backend, ==, "simcard");
	g_assert_cmpstr(c->advertise_host, ==, "198.51.100.7");
	g_assert_cmpuint(c->advertise_port, ==, 19999);
	g_assert_false(c->shared);
	g_assert_cmpint(g_key_file_get_integer(c->keyfile, "simcard", "slots", NULL), ==, 3);
	g_unlink(conf);
}

static void
assert_error(const gchar *conf_text, const gchar *const *extra, const gchar *expect)
{
	g_autofree gchar *conf = write_conf(conf_text);
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBankdConfig) c = NULL;
	g_autofree gchar *want = NULL;

	g_ptr_array_add(args, (gpointer) "-c");
	g_ptr_array_add(args, conf);
	for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
		g_ptr_array_add(args, (gpointer)extra[i]);
	g_ptr_array_add(args, NULL);
	c = parse((const gchar *const *)args->pdata, &error);
	g_assert_null(c);
	g_assert_nonnull(error);
	/* "%s" at the start of @expect stands for the config file's path */
	want =
	    g_str_has_prefix(expect, "%s") ? g_strconcat(conf, expect + 2, NULL) : g_strdup(expect);
	if (!g_str_has_prefix(error->message, want))
		g_error("“%s” does not start with “%s”", error->message, want);
	g_unlink(conf);
}

static void
test_errors(void)
{
	const gchar *no_server[] = { NULL };
	const gchar *bad_id[] = { "-i", "x", "-b", "0", NULL };
	const gchar *bad_adv[] = { "-i", "x", "--advertise", "nowhere", NULL };

	/* file errors name the file and the line */
	assert_error("[bankd]\nserver-host=x\n\nbank-id=abc\n", NULL, "%s:4: [bankd] bank-id:");
	assert_error("[bankd]\nserver-host=x\nnum-slots=1024\n", NULL, "%s:3: [bankd] num-slots:");
	assert_error("[bankd]\nserver-host=x\ngarbage here\n", NULL, "%s:3: ");
	assert_error("", no_server, "no server host");
	assert_error("", bad_id, "--bank-id: 0 is not in 1..1023");
	assert_error("", bad_adv, "--advertise: ");
}

static void
test_missing_file(void)
{
	const gchar *args[] = { "-c", "/nonexistent/bankd.conf", "-i", "x", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBankdConfig) c = parse(args, &error);

	g_assert_null(c);
	g_assert_nonnull(strstr(error->message, "/nonexistent/bankd.conf"));
}

static void
test_line_of_backend_error(void)
{
	g_autofree gchar *conf =
	    write_conf("[bankd]\nserver-host=x\n[simcard]\n# slots\nslots=0\n");
	const gchar *args[] = { "-c", conf, NULL };
	g_autoptr(GError) error =
	    g_error_new_literal(G_KEY_FILE_ERROR, 0, "[simcard] slots: 0 is too few");
	g_autofree gchar *want = g_strdup_printf("%s:5: [simcard] slots:", conf);
	g_autoptr(RemsimBankdConfig) c = parse(args, NULL);

	/* the bankd adds the file and line to what a backend's configure() reports */
	remsim_config_prefix_error(c->file, &error, NULL, NULL);
	g_assert_true(g_str_has_prefix(error->message, want));
	g_unlink(conf);
}

/* [bankd] holds only the bankd's keys; every other group is a backend's, with its keys */
static void
test_unknown_keys_and_groups(void)
{
	const gchar *plugin = g_getenv("REMSIM_TEST_EXAMPLE_PLUGIN");
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	const struct {
		const gchar *text;
		const gchar *want; /* "%s" = the file; NULL: no error */
	} cases[] = {
		{ "[bankd]\nserver-host=x\n[example]\nslots=2\nfail-ins=b2\n", NULL },
		{ "[bankd]\nserver-host=x\n\n[simcard]\nslots=1\n",
		  "%s:4: [simcard]: unknown group (expected [bankd] or a backend: example)" },
		{ "[bankd]\nserver-host=x\n[example]\nslots=2\nslot=3\n",
		  "%s:5: [example] slot: unknown key" },
	};
	g_autoptr(GError) error = NULL;

	g_assert_nonnull(plugin);
	g_assert_true(remsim_bankd_plugin_loader_load_file(loader, plugin, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *conf = write_conf(cases[i].text);
		const gchar *args[] = { "-c", conf, NULL };
		g_autoptr(RemsimBankdConfig) c = parse(args, &error);
		g_autofree gchar *want = NULL;

		g_assert_no_error(error);
		if (cases[i].want == NULL) {
			g_assert_true(remsim_bankd_config_check_backend_groups(c, loader, &error));
			g_assert_no_error(error);
		} else {
			g_assert_false(remsim_bankd_config_check_backend_groups(c, loader, &error));
			want = g_strconcat(conf, cases[i].want + 2, NULL);
			g_assert_cmpstr(error->message, ==, want);
			g_clear_error(&error);
		}
		g_unlink(conf);
	}
	/* an unknown key of [bankd] is refused when the file is read */
	assert_error("[bankd]\nserver-host=x\n# the port\nserverport=1\n", NULL,
		     "%s:4: [bankd] serverport: unknown key");
}

static void
test_ports(void)
{
	const gchar *negative[] = { "-i", "x", "-p", "-1", NULL };
	const gchar *negative_bind[] = { "-i", "x", "--bind-port=-1", NULL };
	const gchar *big[] = { "-i", "x", "-P", "65536", NULL };

	assert_error("", negative, "--server-port: -1 is not in 1..65535");
	assert_error("", negative_bind, "--bind-port: -1 is not in 0..65535");
	assert_error("", big, "--bind-port: 65536 is not in 0..65535");
	assert_error("[bankd]\nserver-host=x\nbind-port=-1\n", NULL,
		     "%s:3: [bankd] bind-port: -1 is not in 0..65535");
	assert_error("[bankd]\nserver-host=x\nadvertise=nowhere\n", NULL,
		     "%s:3: [bankd] advertise: “nowhere” is not HOST:PORT");
}

static void
test_common_keys(void)
{
	g_autofree gchar *conf = write_conf("[bankd]\nserver-host=x\ndbus-bus=session\n");
	const gchar *args[] = { "-c", conf, NULL };
	const gchar *no_dbus[] = { "-c", conf, "--no-dbus", NULL };
	g_autoptr(RemsimBankdConfig) c = parse(args, NULL);
	g_autoptr(RemsimBankdConfig) c2 = parse(no_dbus, NULL);

	g_assert_cmpint(c->bus, ==, G_BUS_TYPE_SESSION);
	g_assert_cmpint(c2->bus, ==, G_BUS_TYPE_NONE);
	g_unlink(conf);
}

/* --dump-keys, the key list for the manual, says what the table says */
static void
test_dump_keys(void)
{
	remsim_config_check_program_dump(g_getenv("REMSIM_BANKD"),
					 remsim_bankd_config_get_schema());
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bankd/config/upstream-options", test_upstream_options);
	g_test_add_func("/bankd/config/defaults-and-file", test_defaults_and_file);
	g_test_add_func("/bankd/config/errors", test_errors);
	g_test_add_func("/bankd/config/missing-file", test_missing_file);
	g_test_add_func("/bankd/config/line-of-backend-error", test_line_of_backend_error);
	g_test_add_func("/bankd/config/unknown-keys-and-groups", test_unknown_keys_and_groups);
	g_test_add_func("/bankd/config/ports", test_ports);
	g_test_add_func("/bankd/config/common-keys", test_common_keys);
	g_test_add_func("/bankd/config/dump-keys", test_dump_keys);
	return g_test_run();
}
