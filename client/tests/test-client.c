/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-client against test peers: a server and bankds made of librspro parts.
 * The client runs as its own process with the shell front end, as a user runs it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "client-test-peers.h"

#define WAIT_MS 10000

typedef struct {
	TestPeer *server;
	TestPeer *bank;
	TestClient *client;
} Relay;

static const gchar *const own_slot_args[] = { "-c", "23", "-n", "0", NULL };

static gchar *
bank_atr_line(TestPeer *bank)
{
	GString *s = g_string_new("SET_ATR: ");
	gsize len;
	const guint8 *atr = g_bytes_get_data(bank->atr, &len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x ", atr[i]);
	return g_string_free(s, FALSE);
}

static gchar *
response_line(guint16 bank_id, const guint8 *cmd, gsize len)
{
	g_autoptr(GBytes) command = g_bytes_new(cmd, len);
	g_autoptr(GBytes) rsp = test_peer_expected_response(bank_id, command);
	const guint8 *r = g_bytes_get_data(rsp, NULL);

	return g_strdup_printf("R-APDU: %02x %02x %02x %02x ", r[0], r[1], r[2], r[3]);
}

/* server maps C23:0 to B1:5 on @bank; the client connects to both and shows the ATR */
static void
relay_start(Relay *r, const gchar *const *extra_args, const gchar *const *env)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_auto(GStrv) args = NULL;
	g_autofree gchar *atr_line = NULL;

	r->server = test_peer_new_server();
	r->bank = test_peer_new_bank(1);
	test_peer_map(r->server, 1, 5, r->bank->port);
	g_strv_builder_addv(b, (const gchar **)own_slot_args);
	if (extra_args != NULL)
		g_strv_builder_addv(b, (const gchar **)extra_args);
	args = g_strv_builder_end(b);
	r->client = test_client_spawn(r->server->port, (const gchar *const *)args, env);

	atr_line = bank_atr_line(r->bank);
	TEST_WAIT_FOR(test_client_find_line(r->client, 0, atr_line) >= 0 &&
			  r->bank->set_atr_res == 1,
		      WAIT_MS);
}

static void
relay_stop(Relay *r)
{
	test_client_free(r->client);
	test_peer_free(r->bank);
	test_peer_free(r->server);
}

/* one APDU through the shell; returns once its R-APDU line came from @bank_id */
static void
relay_apdu(Relay *r, guint16 bank_id, guint8 ins)
{
	const guint8 cmd[] = { 0xa0, ins, 0x00, 0x00, 0x02 };
	g_autofree gchar *text = g_strdup_printf("a0 %02x 00 00 02\n", ins);
	g_autofree gchar *expect = response_line(bank_id, cmd, sizeof(cmd));
	guint start = r->client->lines->len;

	test_client_write(r->client, text);
	TEST_WAIT_FOR(test_client_find_line(r->client, start, expect) >= 0, WAIT_MS);
}

static guint
count_prefix(TestClient *client, const gchar *prefix)
{
	guint n = 0;

	for (guint i = 0; i < client->lines->len; i++)
		n += g_str_has_prefix(client->lines->pdata[i], prefix);
	return n;
}

static void
test_relay(void)
{
	Relay r = { 0 };
	g_autofree gchar *atr_line = NULL;
	const guint8 c1[] = { 0xa0, 0xa4, 0x00, 0x00, 0x02 };
	const guint8 c2[] = { 0x00, 0xb0, 0x00, 0x00, 0x10 };
	const guint8 c3[] = { 0xa0, 0xf2, 0x00, 0x00, 0x16 };
	g_autofree gchar *e1 = response_line(1, c1, sizeof(c1));
	g_autofree gchar *e2 = response_line(1, c2, sizeof(c2));
	g_autofree gchar *e3 = response_line(1, c3, sizeof(c3));
	gint i1, i2, i3;

	relay_start(&r, NULL, NULL);
	/* the client introduced itself with its slot to both */
	g_assert_cmpuint(r.server->hello_slot.client_id, ==, 23);
	g_assert_cmpuint(r.server->hello_slot.slot_nr, ==, 0);
	g_assert_cmpstr(r.server->hello_software, ==, "remsim-client");
	g_assert_cmpuint(r.server->config_bank_res, ==, 1);
	g_assert_cmpuint(r.bank->hello_slot.client_id, ==, 23);
	/* upstream's shell shows the local ATR first, then the card's */
	atr_line = bank_atr_line(r.bank);
	g_assert_cmpstr(r.client->lines->pdata[0], ==, "SET_ATR: 3b 00 ");
	g_assert_cmpstr(r.client->lines->pdata[1], ==, atr_line);

	/* many lines in one write, garbage among them, the last one without a newline */
	test_client_write(r.client, "a0a4000002\nzz\n0102\n\n  00 b0 00 00 10  \r\nA0F2000016");
	test_client_close_stdin(r.client);
	TEST_WAIT_FOR(r.client->exited && r.client->stdout_eof, WAIT_MS);
	g_assert_cmpint(r.client->exit_status, ==, 0);

	i1 = test_client_find_line(r.client, 0, e1);
	i2 = test_client_find_line(r.client, 0, e2);
	i3 = test_client_find_line(r.client, 0, e3);
	g_assert_cmpint(i1, >=, 2);
	g_assert_cmpint(i2, >, i1);
	g_assert_cmpint(i3, >, i2);
	g_assert_cmpuint(count_prefix(r.client, "R-APDU: "), ==, 3);
	g_assert_cmpuint(r.bank->tpdus, ==, 3);
	g_assert_cmpuint(r.bank->tpdu_from.client_id, ==, 23);
	g_assert_cmpuint(r.bank->tpdu_to.bank_id, ==, 1);
	g_assert_cmpuint(r.bank->tpdu_to.slot_nr, ==, 5);
	g_assert_cmpmem(g_bytes_get_data(r.bank->last_tpdu, NULL),
			g_bytes_get_size(r.bank->last_tpdu), c3, sizeof(c3));
	relay_stop(&r);
}

static void
test_eof_without_bank(void)
{
	TestPeer *server = test_peer_new_server();
	TestClient *client = test_client_spawn(server->port, own_slot_args, NULL);

	TEST_WAIT_FOR(server->hellos == 1, WAIT_MS);
	test_client_close_stdin(client);
	TEST_WAIT_FOR(client->exited && client->stdout_eof, WAIT_MS);
	g_assert_cmpint(client->exit_status, ==, 0);
	g_assert_cmpuint(client->lines->len, ==, 0);
	test_client_free(client);
	test_peer_free(server);
}

static void
test_reset_line(void)
{
	Relay r = { 0 };

	relay_start(&r, NULL, NULL);
	test_client_write(r.client, "reset\n");
	TEST_WAIT_FOR(r.bank->status_inds == 1, WAIT_MS);
	g_assert_true(r.bank->last_status.reset_active);
	g_assert_true(r.bank->last_status.has_vcc_present);
	g_assert_false(r.bank->last_status.vcc_present);
	relay_apdu(&r, 1, 0xa4);
	relay_stop(&r);
}

static void
test_remap(void)
{
	Relay r = { 0 };
	TestPeer *bank2 = test_peer_new_bank(2);
	g_autofree gchar *atr2 = bank_atr_line(bank2);

	relay_start(&r, NULL, NULL);
	relay_apdu(&r, 1, 0xa4);
	test_peer_map(r.server, 2, 7, bank2->port);
	TEST_WAIT_FOR(test_client_find_line(r.client, 0, atr2) >= 0, WAIT_MS);
	/* the old bank's connection is gone */
	TEST_WAIT_FOR(r.bank->conns->len == 0, WAIT_MS);
	relay_apdu(&r, 2, 0xb0);
	g_assert_cmpuint(bank2->tpdu_to.bank_id, ==, 2);
	g_assert_cmpuint(bank2->tpdu_to.slot_nr, ==, 7);
	g_assert_cmpuint(r.bank->tpdus, ==, 1);
	relay_stop(&r);
	test_peer_free(bank2);
}

static void
wait_ms(guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		test_iterate();
}

static void
test_bank_restart(void)
{
	Relay r = { 0 };
	const guint8 cmd[] = { 0xa0, 0x88, 0x00, 0x00, 0x02 };
	g_autofree gchar *expect = response_line(1, cmd, sizeof(cmd));
	gint64 back, elapsed_ms;

	relay_start(&r, NULL, NULL);
	relay_apdu(&r, 1, 0xa4);
	test_peer_stop(r.bank);
	wait_ms(300);
	/* a command typed while the bank is away is sent once it is back */
	test_client_write(r.client, "a0 88 00 00 02\n");
	wait_ms(200);
	back = g_get_monotonic_time();
	test_peer_listen(r.bank);
	TEST_WAIT_FOR(r.bank->set_atr_res == 2, WAIT_MS);
	elapsed_ms = (g_get_monotonic_time() - back) / 1000;
	g_test_message("client back %" G_GINT64_FORMAT " ms after the bank", elapsed_ms);
	/* the back-off starts with three immediate retries, then one per second */
	g_assert_cmpint(elapsed_ms, <=, 1000);
	TEST_WAIT_FOR(test_client_find_line(r.client, 0, expect) >= 0, WAIT_MS);
	relay_apdu(&r, 1, 0xb2);
	relay_stop(&r);
}

static void
test_no_reconnect_storm(void)
{
	TestPeer *server = test_peer_new_server();
	TestPeer *bank = test_peer_new_bank(1);
	TestClient *client;

	bank->reject = TRUE;
	test_peer_map(server, 1, 5, bank->port);
	client = test_client_spawn(server->port, own_slot_args, NULL);
	TEST_WAIT_FOR(bank->hellos >= 1, WAIT_MS);
	wait_ms(3000);
	g_test_message("%u attempts in 3 s against a rejecting bank", bank->hellos);
	/* upstream retried about 800 times a second; the back-off allows a handful */
	g_assert_cmpuint(bank->hellos, >=, 2);
	g_assert_cmpuint(bank->hellos, <=, 10);
	test_client_free(client);
	test_peer_free(bank);
	test_peer_free(server);
}

static void
test_server_restart(void)
{
	Relay r = { 0 };

	relay_start(&r, NULL, NULL);
	relay_apdu(&r, 1, 0xa4);
	test_peer_stop(r.server);
	TEST_WAIT_FOR(r.server->conns->len == 0, WAIT_MS);
	/* the relay does not need the server */
	relay_apdu(&r, 1, 0xb0);
	test_peer_listen(r.server);
	TEST_WAIT_FOR(r.server->hellos == 2 && r.server->config_bank_res == 2, WAIT_MS);
	relay_apdu(&r, 1, 0xb2);
	/* the same mapping again does not drop the bank connection */
	g_assert_cmpuint(r.bank->accepted, ==, 1);
	g_assert_cmpuint(r.bank->conns->len, ==, 1);
	relay_stop(&r);
}

static void
test_reset_state(void)
{
	Relay r = { 0 };
	g_autoptr(RsproPdu) reset = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);

	relay_start(&r, NULL, NULL);
	test_peer_send_all(r.server, reset);
	TEST_WAIT_FOR(r.server->reset_state_res == 1, WAIT_MS);
	TEST_WAIT_FOR(r.bank->conns->len == 0, WAIT_MS);
	relay_stop(&r);
}

static void
test_unmap(void)
{
	Relay r = { 0 };

	relay_start(&r, NULL, NULL);
	test_peer_map(r.server, 0, 0, 0);
	TEST_WAIT_FOR(r.server->config_bank_res == 2, WAIT_MS);
	TEST_WAIT_FOR(r.bank->conns->len == 0, WAIT_MS);
	/* nothing dials the bank again */
	wait_ms(1500);
	g_assert_cmpuint(r.bank->accepted, ==, 1);
	relay_stop(&r);
}

/* the environment of the run of @cause number @nth (0 first), or NULL while it is missing */
static GHashTable *
read_script_env(const gchar *dir, const gchar *cause, guint nth)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *prefix = g_strdup_printf("%s.", cause);
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *env;
	const gchar *name;

	while ((name = g_dir_read_name(d)) != NULL) {
		if (g_str_has_prefix(name, prefix) && !g_str_has_suffix(name, ".tmp"))
			g_ptr_array_add(names, g_strdup(name));
	}
	if (names->len <= nth)
		return NULL;
	/* the script names its files by a sequence number that sorts in run order */
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	path = g_build_filename(dir, names->pdata[nth], NULL);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *eq = strchr(lines[i], '=');

		if (eq != NULL)
			g_hash_table_insert(env, g_strndup(lines[i], eq - lines[i]),
					    g_strdup(eq + 1));
	}
	return env;
}

static GHashTable *
wait_script_env(const gchar *dir, const gchar *cause, guint nth)
{
	GHashTable *env = NULL;

	TEST_WAIT_FOR((env = read_script_env(dir, cause, nth)) != NULL, WAIT_MS);
	return env;
}

static void
check_common_env(GHashTable *env, const gchar *cause, guint16 server_port)
{
	g_autofree gchar *server = g_strdup_printf("127.0.0.1:%u", server_port);

	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_CAUSE"), ==, cause);
	g_assert_cmpstr(g_hash_table_lookup(env, "ARG1"), ==, cause);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_CLIENT_SLOT"), ==, "23:0");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SERVER_ADDR"), ==, server);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SERVER_STATE"), ==, "CONNECTED");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_CLIENT_VERSION"), ==, PACKAGE_VERSION);
	/* upstream's filter: safe variables pass, others do not */
	g_assert_cmpstr(g_hash_table_lookup(env, "LANG"), ==, "C.UTF-8");
	g_assert_null(g_hash_table_lookup(env, "REMSIM_TEST_SECRET"));
}

static void
test_event_script(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("remsim-client-test-XXXXXX", &error);
	g_autofree gchar *script = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *bankd = NULL;
	const gchar *env_extra[] = { "LANG=C.UTF-8", "REMSIM_TEST_SECRET=1", NULL };
	const gchar *args[] = { "-e", NULL, NULL };
	const gchar *const causes[] = { "event-server-connect", "event-config-bankd",
					"event-bankd-connect",	"request-sim-remote",
					"request-card-insert",	"request-modem-reset" };
	Relay r = { 0 };
	GHashTable *env;

	g_assert_no_error(error);
	script = g_build_filename(dir, "script.sh", NULL);
	/* one file per run, named cause.N with N counting runs, written atomically */
	body = g_strdup_printf("#!/bin/sh\n"
			       "d='%s'\n"
			       "n=$(ls \"$d\" | wc -l)\n"
			       "{ env; echo \"ARG1=$1\"; } > \"$d/$1.tmp\"\n"
			       "mv \"$d/$1.tmp\" \"$d/$1.$(printf %%04d $n)\"\n",
			       dir);
	g_assert_true(g_file_set_contents(script, body, -1, &error));
	g_assert_cmpint(g_chmod(script, 0755), ==, 0);
	args[1] = script;

	relay_start(&r, args, env_extra);
	bankd = g_strdup_printf("127.0.0.1:%u", r.bank->port);

	for (guint i = 0; i < G_N_ELEMENTS(causes); i++) {
		env = wait_script_env(dir, causes[i], 0);
		check_common_env(env, causes[i], r.server->port);
		g_hash_table_unref(env);
	}
	/* before the configuration the bank is unknown, as upstream shows it */
	env = wait_script_env(dir, "event-server-connect", 0);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_ADDR"), ==, "(null):0");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_SLOT"), ==, "0:0");
	g_hash_table_unref(env);
	env = wait_script_env(dir, "event-bankd-connect", 0);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_ADDR"), ==, bankd);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_SLOT"), ==, "1:5");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_STATE"), ==, "CONNECTED");
	g_hash_table_unref(env);

	/* the modem (here: the shell's RESET) changes its status */
	test_client_write(r.client, "RESET\n");
	env = wait_script_env(dir, "event-modem-status", 0);
	check_common_env(env, "event-modem-status", r.server->port);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIM_RST"), ==, "1");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIM_VCC"), ==, "0");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIM_CLK"), ==, "0");
	g_hash_table_unref(env);

	/* unmapped: card out, local SIM, modem reset */
	test_peer_map(r.server, 0, 0, 0);
	env = wait_script_env(dir, "request-card-remove", 0);
	check_common_env(env, "request-card-remove", r.server->port);
	g_hash_table_unref(env);
	env = wait_script_env(dir, "request-sim-local", 0);
	check_common_env(env, "request-sim-local", r.server->port);
	g_hash_table_unref(env);
	env = wait_script_env(dir, "request-modem-reset", 1);
	check_common_env(env, "request-modem-reset", r.server->port);
	g_hash_table_unref(env);
	relay_stop(&r);

	{
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		const gchar *name;

		while ((name = g_dir_read_name(d)) != NULL) {
			g_autofree gchar *p = g_build_filename(dir, name, NULL);

			g_unlink(p);
		}
		g_rmdir(dir);
	}
}

static void
test_failing_script(void)
{
	const gchar *args[] = { "-e", "exit 3;", NULL };
	Relay r = { 0 };

	/* a script that fails every time changes nothing for the relay */
	relay_start(&r, args, NULL);
	relay_apdu(&r, 1, 0xa4);
	relay_stop(&r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/relay", test_relay);
	g_test_add_func("/client/eof-without-bank", test_eof_without_bank);
	g_test_add_func("/client/reset-line", test_reset_line);
	g_test_add_func("/client/remap", test_remap);
	g_test_add_func("/client/bank-restart", test_bank_restart);
	g_test_add_func("/client/no-reconnect-storm", test_no_reconnect_storm);
	g_test_add_func("/client/server-restart", test_server_restart);
	g_test_add_func("/client/reset-state", test_reset_state);
	g_test_add_func("/client/unmap", test_unmap);
	g_test_add_func("/client/event-script", test_event_script);
	g_test_add_func("/client/failing-script", test_failing_script);
	return g_test_run();
}
