/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-client against test peers: a server and bankds made of librspro parts.
 * The client runs as its own process with the shell front end, as a user runs it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "client-test-peers.h"
#include "remsim-test-common.h"

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
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIMCARD_RST"), ==, "1");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIMCARD_VCC"), ==, "0");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIMCARD_CLK"), ==, "0");
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

	remsim_test_common_remove_tree(dir);
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

/* a stand-in for pcscd's vpcd driver: accepts the virtual card, speaks 2-byte framing */
typedef struct {
	GSocketListener *listener;
	guint16 port;
	GSocketConnection *conn;
	GByteArray *rx;
	GCancellable *cancellable;
} FakeVpcd;

static void fake_vpcd_read(FakeVpcd *v);

static void
fake_vpcd_read_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	FakeVpcd *v = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes =
	    g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, &error);

	if (bytes == NULL || g_bytes_get_size(bytes) == 0)
		return;
	g_byte_array_append(v->rx, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
	fake_vpcd_read(v);
}

static void
fake_vpcd_read(FakeVpcd *v)
{
	g_input_stream_read_bytes_async(g_io_stream_get_input_stream(G_IO_STREAM(v->conn)), 1024,
					G_PRIORITY_DEFAULT, v->cancellable, fake_vpcd_read_ready,
					v);
}

static void
fake_vpcd_accept_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	FakeVpcd *v = user_data;

	v->conn = g_socket_listener_accept_finish(G_SOCKET_LISTENER(source), result, NULL, NULL);
	if (v->conn != NULL)
		fake_vpcd_read(v);
}

static void
fake_vpcd_send(FakeVpcd *v, const gchar *hex)
{
	g_autoptr(GError) error = NULL;
	gsize len = strlen(hex) / 2;
	guint8 buf[300];

	g_assert_cmpuint(len, <=, sizeof(buf));
	for (gsize i = 0; i < len; i++)
		buf[i] = (guint8)((g_ascii_xdigit_value(hex[2 * i]) << 4) |
				  g_ascii_xdigit_value(hex[2 * i + 1]));
	g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(v->conn)), buf, len,
				  NULL, NULL, &error);
	g_assert_no_error(error);
}

static gboolean
fake_vpcd_has_frame(FakeVpcd *v)
{
	return v->rx->len >= 2 && v->rx->len >= (((gsize)v->rx->data[0] << 8) | v->rx->data[1]) + 2;
}

/* the next whole frame from the card, as hex without its length */
static gchar *
fake_vpcd_take(FakeVpcd *v)
{
	GString *s;
	gsize len;

	g_assert_true(fake_vpcd_has_frame(v));
	len = ((gsize)v->rx->data[0] << 8) | v->rx->data[1];
	s = g_string_new(NULL);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", v->rx->data[2 + i]);
	g_byte_array_remove_range(v->rx, 0, (guint)(len + 2));
	return g_string_free(s, FALSE);
}

static gchar *
fake_vpcd_wait(FakeVpcd *v)
{
	TEST_WAIT_FOR(fake_vpcd_has_frame(v), WAIT_MS);
	return fake_vpcd_take(v);
}

static void
test_two_slots(void)
{
	g_autoptr(GError) error = NULL;
	FakeVpcd v = { 0 };
	TestPeer *server = test_peer_new_server();
	TestPeer *bank = test_peer_new_bank(1);
	g_autofree gchar *conf_path = NULL;
	g_autofree gchar *conf = NULL;
	g_autofree gchar *conf_arg = NULL;
	g_autofree gchar *atr_line = bank_atr_line(bank);
	g_autofree gchar *atr = NULL;
	g_autofree gchar *rsp = NULL;
	g_autofree gchar *wrong = NULL;
	GString *want_atr = g_string_new(NULL);
	TestClient *client;
	gint fd;

	v.listener = g_socket_listener_new();
	v.port = g_socket_listener_add_any_inet_port(v.listener, NULL, &error);
	g_assert_no_error(error);
	v.rx = g_byte_array_new();
	v.cancellable = g_cancellable_new();
	g_socket_listener_accept_async(v.listener, v.cancellable, fake_vpcd_accept_ready, &v);

	/* one process, two modems: slot 0 on the shell, slot 1 on vpcd */
	fd = g_file_open_tmp("remsim-client-XXXXXX.conf", &conf_path, &error);
	g_assert_no_error(error);
	close(fd);
	conf = g_strdup_printf("[client]\nclient-id=23\n\n[slot 0]\nfrontend=shell\n\n"
			       "[slot 1]\nfrontend=vpcd\nvpcd-port=%u\n",
			       v.port);
	g_assert_true(g_file_set_contents(conf_path, conf, -1, &error));
	conf_arg = g_strdup_printf("--config=%s", conf_path);
	test_peer_map(server, 1, 5, bank->port);
	{
		const gchar *args[] = { conf_arg, NULL };

		client = test_client_spawn(server->port, args, NULL);
	}
	TEST_WAIT_FOR(server->hellos == 2 && bank->set_atr_res == 2, WAIT_MS);
	TEST_WAIT_FOR(test_client_find_line(client, 0, atr_line) >= 0, WAIT_MS);

	/* the card shows up at vpcd once the bank gave its ATR */
	TEST_WAIT_FOR(v.conn != NULL, WAIT_MS);
	fake_vpcd_send(&v, "000104");
	atr = fake_vpcd_wait(&v);
	for (gsize i = 0; i < g_bytes_get_size(bank->atr); i++)
		g_string_append_printf(want_atr, "%02x",
				       ((const guint8 *)g_bytes_get_data(bank->atr, NULL))[i]);
	g_assert_cmpstr(atr, ==, want_atr->str);
	g_string_free(want_atr, TRUE);

	/* power on reaches the bank as a status of client slot 1 */
	fake_vpcd_send(&v, "000101");
	TEST_WAIT_FOR(bank->status_inds == 1, WAIT_MS);
	g_assert_true(bank->last_status.vcc_present);
	g_assert_false(bank->last_status.reset_active);

	/* garbage in between changes nothing: an empty frame, an unknown control code */
	fake_vpcd_send(&v, "0000");
	fake_vpcd_send(&v, "000107");
	fake_vpcd_send(&v, "0005a0b2000002");
	rsp = fake_vpcd_wait(&v);
	g_assert_cmpstr(rsp, ==, "01b29000");
	g_assert_cmpuint(bank->tpdu_from.slot_nr, ==, 1);
	g_assert_cmpuint(bank->tpdu_to.slot_nr, ==, 6);
	/* an APDU the bank cannot take is answered at once */
	fake_vpcd_send(&v, "00020102");
	wrong = fake_vpcd_wait(&v);
	g_assert_cmpstr(wrong, ==, "6700");

	/* and the shell slot relays on its own */
	test_client_write(client, "a0a4000002\n");
	TEST_WAIT_FOR(test_client_find_line(client, 0, "R-APDU: 01 a4 90 00 ") >= 0, WAIT_MS);
	g_assert_cmpuint(bank->tpdu_from.slot_nr, ==, 0);
	g_assert_cmpuint(bank->tpdu_to.slot_nr, ==, 5);

	/* unmapped: the card leaves vpcd */
	test_peer_map(server, 0, 0, 0);
	TEST_WAIT_FOR(g_input_stream_is_closed(g_io_stream_get_input_stream(G_IO_STREAM(v.conn))) ||
			  bank->conns->len == 0,
		      WAIT_MS);

	test_client_free(client);
	g_cancellable_cancel(v.cancellable);
	for (guint i = 0; i < 5; i++)
		g_main_context_iteration(NULL, FALSE);
	g_clear_object(&v.conn);
	g_socket_listener_close(v.listener);
	g_object_unref(v.listener);
	g_object_unref(v.cancellable);
	g_byte_array_unref(v.rx);
	g_unlink(conf_path);
	test_peer_free(bank);
	test_peer_free(server);
}

static void
test_bad_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf_path = NULL;
	g_autofree gchar *conf_arg = NULL;
	g_autofree gchar *err_text = NULL;
	const gchar *bin = g_getenv("REMSIM_CLIENT");
	g_autofree gchar *want = NULL;
	gint status = 0;
	gint fd;

	g_assert_nonnull(bin);
	fd = g_file_open_tmp("remsim-client-XXXXXX.conf", &conf_path, &error);
	g_assert_no_error(error);
	close(fd);
	g_assert_true(g_file_set_contents(conf_path,
					  "[client]\nserver-port=9998\n\n[slot 1]\n"
					  "# the modem\nclient-id=4000\n",
					  -1, &error));
	conf_arg = g_strdup_printf("--config=%s", conf_path);
	{
		const gchar *argv[] = { bin, "--no-dbus", conf_arg, NULL };

		g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
					   NULL, NULL, NULL, &err_text, &status, &error));
	}
	g_assert_no_error(error);
	/* the message names the file, the line, the group and the key */
	want = g_strdup_printf("%s:6: [slot 1] client-id", conf_path);
	g_assert_nonnull(strstr(err_text, want));
	g_assert_false(g_spawn_check_wait_status(status, NULL));
	g_unlink(conf_path);
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
	g_test_add_func("/client/two-slots", test_two_slots);
	g_test_add_func("/client/bad-config", test_bad_config);
	return g_test_run();
}
