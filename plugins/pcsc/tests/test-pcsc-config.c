/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd with the pcsc backend refuses to start on a bad slot file or
 * bad [pcsc] settings, naming the file and line (or key). No pcscd needed:
 * the configuration is checked before any reader is looked at.
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"

/* a bankd with [pcsc] @pcsc_conf, not started yet (the server it would dial is port 1) */
static RemsimTestDaemon *
bankd_new(const gchar *pcsc_conf)
{
	g_autofree gchar *conf = g_strdup_printf("\n[pcsc]\n%s\n", pcsc_conf);

	return remsim_test_daemon_new(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = 1, .backend = "pcsc", .config = conf });
}

/* runs @bankd, which must fail at once; returns its stderr */
static gchar *
bankd_must_fail(RemsimTestDaemon *bankd)
{
	gchar *err = NULL;

	g_assert_cmpint(remsim_test_daemon_run(bankd, &err), !=, 0);
	return err;
}

static void
test_bad_csv_line(void)
{
	g_autoptr(RemsimTestDaemon) bankd = NULL;
	g_autofree gchar *csv = NULL, *conf = NULL, *err = NULL, *want = NULL;
	g_autofree gchar *dir = remsim_test_common_make_dir("remsim-pcsc-config-XXXXXX");

	csv = remsim_test_common_write_file(
	    dir, "slots.csv",
	    "\"1\",\"0\",\"Reader 00 00\"\n\"1\",\"1\",\"Reader 00 01\"\n\"1\",\"2\"\n");
	conf = g_strdup_printf("slot-file=%s", csv);
	bankd = bankd_new(conf);
	err = bankd_must_fail(bankd);
	want = g_strdup_printf("%s:3:", csv);
	g_assert_nonnull(strstr(err, want));
	remsim_test_common_remove_tree(dir);
}

static void
test_bad_csv_pattern(void)
{
	g_autoptr(RemsimTestDaemon) bankd = bankd_new("");
	g_autofree gchar *err = NULL;

	/* the default file name, in the working directory, as upstream */
	g_free(remsim_test_common_write_file(remsim_test_daemon_get_dir(bankd),
					     "bankd_pcsc_slots.csv",
					     "1,0,Reader 00 00\n\n1,1,Reader (00\n"));
	err = bankd_must_fail(bankd);
	g_assert_nonnull(strstr(err, "bankd_pcsc_slots.csv:3:"));
	g_assert_nonnull(strstr(err, "Reader (00"));
}

static void
test_missing_csv(void)
{
	g_autoptr(RemsimTestDaemon) bankd = bankd_new("");
	g_autofree gchar *err = bankd_must_fail(bankd);

	g_assert_nonnull(strstr(err, "bankd_pcsc_slots.csv"));
}

static void
test_bad_conf_rule(void)
{
	const struct {
		const gchar *conf;
		const gchar *fragment;
	} cases[] = {
		{ "slot-0=Reader 00 00\nslot-1=Reader [00", "[pcsc] slot-1" },
		{ "slot-x=Reader", "slot-x" },
		{ "slot-0=Reader\nprotocols=t0;t2", "t2" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(RemsimTestDaemon) bankd = bankd_new(cases[i].conf);
		g_autofree gchar *err = bankd_must_fail(bankd);

		g_assert_nonnull(strstr(err, cases[i].fragment));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcsc/config/bad-csv-line", test_bad_csv_line);
	g_test_add_func("/pcsc/config/bad-csv-pattern", test_bad_csv_pattern);
	g_test_add_func("/pcsc/config/missing-csv", test_missing_csv);
	g_test_add_func("/pcsc/config/bad-conf-rule", test_bad_conf_rule);
	return g_test_run();
}
