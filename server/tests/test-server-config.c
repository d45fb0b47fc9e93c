/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's settings: the command line over the file over the defaults,
 * upstream's options, errors naming the file, the line and the key, negative
 * ports, and the key list for the manual.
 */
#include "config.h"

#include "remsim-config-check.h"
#include "remsim-server-config.h"

static gpointer
parse(gint *argc, gchar ***argv, gint *exit_status, GError **error)
{
	return remsim_server_config_parse(argc, argv, exit_status, error);
}

static void
test_defaults_and_precedence(void)
{
	g_autofree gchar *conf =
	    remsim_config_check_write("server.conf", "[server]\nrspro-port=1000\nrest-port=1001\n"
						     "bind-ip=127.0.0.1\ndbus-bus=session\n");
	const gchar *args[] = { "--config", conf, "--rest-port", "0", "-d", "DMAIN,1", "-L", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerConfig) cfg = remsim_config_check_parse(parse, args, &error);
	g_autofree gchar *db = NULL;

	g_assert_no_error(error);
	g_assert_cmpuint(cfg->rspro_port, ==, 1000);
	g_assert_cmpuint(cfg->rest_port, ==, 0);
	g_assert_cmpstr(cfg->bind_ip, ==, "127.0.0.1");
	g_assert_null(cfg->rest_bind_ip);
	g_assert_cmpstr(cfg->state_dir, ==, REMSIM_LOCALSTATEDIR);
	g_assert_cmpint(cfg->bus, ==, G_BUS_TYPE_SESSION);
	db = remsim_server_config_get_db_path(cfg);
	g_assert_true(g_str_has_suffix(db, "/server.db"));
	remsim_config_check_remove(conf);
}

static void
test_errors(void)
{
	const gchar *negative[] = { "--rspro-port", "-1", NULL };
	const gchar *big[] = { "--rest-port=65536", NULL };
	const gchar *extra[] = { "extra", NULL };

	remsim_config_check_parse_error(parse, "[server]\n# typo\nrspro_port=1\n", NULL,
					"%s:3: [server] rspro_port: unknown key");
	remsim_config_check_parse_error(parse, "[server]\n[bankd]\nbank-id=1\n", NULL,
					"%s:2: [bankd]: unknown group (expected [server])");
	remsim_config_check_parse_error(parse, "[server]\nrest-port=70000\n", NULL,
					"%s:2: [server] rest-port: 70000 is not in 0..65535");
	remsim_config_check_parse_error(parse, "[server]\ndbus=maybe\n", NULL,
					"%s:2: [server] dbus: “maybe” is not true or false");
	remsim_config_check_parse_error(parse, "[server]\nport-file=/tmp/p\n", NULL,
					"%s:2: [server] port-file:");
	remsim_config_check_parse_error(parse, "", negative, "--rspro-port: -1 is not in 0..65535");
	remsim_config_check_parse_error(parse, "", big, "--rest-port: 65536 is not in 0..65535");
	remsim_config_check_parse_error(parse, "", extra, "unexpected argument “extra”");
}

static void
test_dump_keys(void)
{
	remsim_config_check_program_dump(g_getenv("REMSIM_SERVER"),
					 remsim_server_config_get_schema());
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/config/defaults-and-precedence", test_defaults_and_precedence);
	g_test_add_func("/server/config/errors", test_errors);
	g_test_add_func("/server/config/dump-keys", test_dump_keys);
	return g_test_run();
}
