/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-client's settings: upstream's options, [client] and [slot N] groups,
 * the command line over the file over the defaults, errors naming the file,
 * the line and the key, negative ports, and the key list for the manual.
 */
#include "config.h"

#include "remsim-client-config.h"
#include "remsim-config-check.h"

static gpointer
parse(gint *argc, gchar ***argv, gint *exit_status, GError **error)
{
	return remsim_client_config_parse(argc, argv, exit_status, error);
}

/* upstream's command line of osmo-remsim-client-st2, as its systemd unit gives it */
static void
test_upstream_options(void)
{
	g_autofree gchar *conf = remsim_config_check_write("client.conf", "");
	const gchar *args[] = { "--config",  conf, "-i",   "10.0.0.1", "-p",	  "1234", "-c",
				"23",	     "-n", "1",	   "-a",       "3b9f",	  "-r",	  "-e",
				"/bin/true", "-V", "1d50", "-P",       "4004",	  "-C",	  "1",
				"-I",	     "2",  "-S",   "0",	       "-A",	  "7",	  "-H",
				"2-1.1",     "-Z", "1",	   "-d",       "DMAIN,1", "-L",	  NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimConfig) c = remsim_config_check_parse(parse, args, &error);
	RemsimClientSlotSettings s = { 0 };

	g_assert_no_error(error);
	remsim_client_config_get_slot_settings(c, NULL, 1, &s);
	g_assert_cmpstr(s.server_host, ==, "10.0.0.1");
	g_assert_cmpuint(s.server_port, ==, 1234);
	g_assert_cmpuint(s.client_slot.client_id, ==, 23);
	g_assert_cmpuint(s.client_slot.slot_nr, ==, 1);
	g_assert_cmpuint(g_bytes_get_size(s.atr), ==, 2);
	g_assert_true(s.atr_ignore_rspro);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "client-slot"), ==, 1);
	g_assert_cmpstr(remsim_config_get_string(c, NULL, "event-script"), ==, "/bin/true");
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-vendor"), ==, 0x1d50);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-product"), ==, 0x4004);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-config"), ==, 1);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-interface"), ==, 2);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-altsetting"), ==, 0);
	g_assert_cmpint(remsim_config_get_int(c, NULL, "usb-address"), ==, 7);
	g_assert_cmpstr(remsim_config_get_string(c, NULL, "usb-path"), ==, "2-1.1");
	g_assert_cmpint(remsim_config_get_int(c, NULL, "sim-presence"), ==, 1);
	remsim_client_slot_settings_clear(&s);
	remsim_config_check_remove(conf);
}

/* [slot N] beats [client], the command line beats both, the defaults fill the rest */
static void
test_slot_groups(void)
{
	g_autofree gchar *conf = remsim_config_check_write(
	    "client.conf", "[client]\nclient-id=23\nserver-port=1000\nfrontend=vpcd\n\n"
			   "[slot 0]\nfrontend=shell\n\n[slot 1]\nvpcd-port=35964\n"
			   "server-port=1001\n");
	const gchar *args[] = { "--config", conf, "--server-host", "srv", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimConfig) c = remsim_config_check_parse(parse, args, &error);
	g_autoptr(GArray) slots = NULL;
	RemsimClientSlotSettings s0 = { 0 }, s1 = { 0 };

	g_assert_no_error(error);
	slots = remsim_config_get_slots(c);
	g_assert_cmpuint(slots->len, ==, 2);
	remsim_client_config_get_slot_settings(c, "slot 0", 0, &s0);
	remsim_client_config_get_slot_settings(c, "slot 1", 1, &s1);
	g_assert_cmpuint(s0.server_port, ==, 1000);
	g_assert_cmpuint(s1.server_port, ==, 1001);
	g_assert_cmpuint(s1.client_slot.client_id, ==, 23);
	g_assert_cmpstr(s1.server_host, ==, "srv");
	g_assert_null(s1.atr);
	g_assert_cmpuint(s1.connect_timeout_ms, ==, 10000);
	g_assert_cmpstr(remsim_config_get_string(c, "slot 0", "frontend"), ==, "shell");
	g_assert_cmpstr(remsim_config_get_string(c, "slot 1", "frontend"), ==, "vpcd");
	g_assert_cmpint(remsim_config_get_int(c, "slot 0", "vpcd-port"), ==, 35963);
	g_assert_cmpint(remsim_config_get_int(c, "slot 1", "vpcd-port"), ==, 35964);
	g_assert_cmpint(remsim_config_get_int(c, "slot 1", "usb-vendor"), ==, -1);
	remsim_client_slot_settings_clear(&s0);
	remsim_client_slot_settings_clear(&s1);
	remsim_config_check_remove(conf);
}

static void
test_errors(void)
{
	const gchar *negative[] = { "-p", "-1", NULL };
	const gchar *too_big[] = { "--server-port=65536", NULL };
	const gchar *bad_id[] = { "-c", "1024", NULL };
	const gchar *bad_atr[] = { "-a", "3b", NULL };
	const gchar *bad_vendor[] = { "-V", "xyz", NULL };

	remsim_config_check_parse_error(parse, "[client]\nclient-id=1\nvpcd_port=1\n", NULL,
					"%s:3: [client] vpcd_port: unknown key");
	remsim_config_check_parse_error(parse, "[client]\n[slot 1]\n# a typo\nfrontnd=vpcd\n", NULL,
					"%s:4: [slot 1] frontnd: unknown key");
	remsim_config_check_parse_error(parse, "[client]\n[slot 1]\nclient-slot=1\n", NULL,
					"%s:3: [slot 1] client-slot: only valid in [client]");
	remsim_config_check_parse_error(parse, "[client]\n[slot one]\n", NULL,
					"%s:2: [slot one]: unknown group");
	remsim_config_check_parse_error(parse, "[bankd]\n", NULL, "%s:1: [bankd]: unknown group");
	remsim_config_check_parse_error(
	    parse, "[slot 2]\nfrontend=modem\n", NULL,
	    "%s:2: [slot 2] frontend: “modem” is not one of shell, vpcd, simtrace2");
	remsim_config_check_parse_error(parse, "[slot 2]\nvpcd-port=0\n", NULL,
					"%s:2: [slot 2] vpcd-port: 0 is not in");
	remsim_config_check_parse_error(
	    parse, "[client]\nconnect-timeout-ms=5\n", NULL,
	    "%s:2: [client] connect-timeout-ms: 5 is not in 100..60000");
	remsim_config_check_parse_error(parse, "", negative,
					"--server-port: -1 is not in 1..65535");
	remsim_config_check_parse_error(parse, "", too_big,
					"--server-port: 65536 is not in 1..65535");
	remsim_config_check_parse_error(parse, "", bad_id, "--client-id: 1024 is not in 0..1023");
	remsim_config_check_parse_error(parse, "", bad_atr,
					"--atr: “3b” is not 2 to 55 bytes of hex");
	remsim_config_check_parse_error(parse, "", bad_vendor,
					"--usb-vendor: “xyz” is not a hex number");
}

static void
test_dump_keys(void)
{
	remsim_config_check_program_dump(g_getenv("REMSIM_CLIENT"),
					 remsim_client_config_get_schema());
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/config/upstream-options", test_upstream_options);
	g_test_add_func("/client/config/slot-groups", test_slot_groups);
	g_test_add_func("/client/config/errors", test_errors);
	g_test_add_func("/client/config/dump-keys", test_dump_keys);
	return g_test_run();
}
