/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-client against scripted peers: a server and banks (tests/common). The
 * client runs as its own process with the shell front end, as a user runs it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

/* a server and bank 1, listening; the client is started by each test */
typedef struct {
	RemsimTestPeer *server;
	RemsimTestPeer *bank;
	RemsimTestDaemon *client;
	gchar *dir;		 /* a test's own files */
	gboolean capture_stderr; /* the client's log to a file, to be read */
} ClientFixture;

static const gchar *const own_slot_args[] = { "-c", "23", "-n", "0", NULL };

/* a bank as remsim-client sees it, listening */
static RemsimTestPeer *
bank_new(guint16 bank_id, const gchar *script)
{
	RemsimTestPeer *bank = remsim_test_peer_new_bank(bank_id, 1);

	remsim_test_peer_serve(bank, script);
	return bank;
}

static void
fixture_setup(ClientFixture *f, gconstpointer data)
{
	const gchar *bank_script = data != NULL ? data : REMSIM_TEST_PEER_BANK_FOR_CLIENT;

	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_CLIENT);
	f->bank = bank_new(1, bank_script);
}

static void
fixture_teardown(ClientFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bank);
	g_clear_object(&f->server);
	if (f->dir != NULL)
		remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

/* remsim-client on slot 23:0 with @extra_args and @env, towards the server peer */
static void
client_start(ClientFixture *f, const gchar *const *extra_args, const gchar *const *env)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_auto(GStrv) args = NULL;

	g_strv_builder_addv(b, (const gchar **)own_slot_args);
	if (extra_args != NULL)
		g_strv_builder_addv(b, (const gchar **)extra_args);
	args = g_strv_builder_end(b);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.args = (const gchar *const *)args,
					.env = env,
					.capture_stderr = f->capture_stderr });
}

static gchar *
bank_atr_line(RemsimTestPeer *bank)
{
	GString *s = g_string_new("SET_ATR: ");
	gsize len;
	const guint8 *atr = g_bytes_get_data(remsim_test_peer_get_atr(bank), &len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x ", atr[i]);
	return g_string_free(s, FALSE);
}

/* what the shell prints for the default card's answer to @cmd: bank id, INS, 90 00 */
static gchar *
response_line(guint16 bank_id, const guint8 *cmd, gsize len)
{
	return g_strdup_printf("R-APDU: %02x %02x 90 00 ", bank_id, len > 1 ? cmd[1] : 0);
}

static GPtrArray *
lines(ClientFixture *f)
{
	return remsim_test_daemon_get_lines(f->client);
}

/* server maps C23:0 to B1:5 on the bank; the client connects to both and shows the ATR */
static void
relay_start(ClientFixture *f, const gchar *const *extra_args, const gchar *const *env)
{
	g_autofree gchar *atr_line = bank_atr_line(f->bank);

	remsim_test_peer_set_config(f->server, 1, 5, remsim_test_peer_get_port(f->bank));
	client_start(f, extra_args, env);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, atr_line) >= 0 &&
			     remsim_test_peer_count(f->bank, RSPRO_MSG_SET_ATR_RES) == 1);
}

/* one APDU through the shell; returns once its R-APDU line came from @bank_id */
static void
relay_apdu(ClientFixture *f, guint16 bank_id, guint8 ins)
{
	const guint8 cmd[] = { 0xa0, ins, 0x00, 0x00, 0x02 };
	g_autofree gchar *text = g_strdup_printf("a0 %02x 00 00 02\n", ins);
	g_autofree gchar *expect = response_line(bank_id, cmd, sizeof(cmd));
	guint start = lines(f)->len;

	remsim_test_daemon_write(f->client, text);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, start, expect) >= 0);
}

static guint
count_prefix(RemsimTestDaemon *client, const gchar *prefix)
{
	GPtrArray *all = remsim_test_daemon_get_lines(client);
	guint n = 0;

	for (guint i = 0; i < all->len; i++)
		n += g_str_has_prefix(all->pdata[i], prefix);
	return n;
}

static const RsproPdu *
last(RemsimTestPeer *peer, RsproMsgType type)
{
	const RsproPdu *pdu = remsim_test_peer_last(peer, type);

	g_assert_nonnull(pdu);
	return pdu;
}

static guint
count(RemsimTestPeer *peer, RsproMsgType type)
{
	return remsim_test_peer_count(peer, type);
}

static void
test_relay(ClientFixture *f, gconstpointer data)
{
	g_autofree gchar *atr_line = NULL;
	const guint8 c1[] = { 0xa0, 0xa4, 0x00, 0x00, 0x02 };
	const guint8 c2[] = { 0x00, 0xb0, 0x00, 0x00, 0x10 };
	const guint8 c3[] = { 0xa0, 0xf2, 0x00, 0x00, 0x16 };
	g_autofree gchar *e1 = response_line(1, c1, sizeof(c1));
	g_autofree gchar *e2 = response_line(1, c2, sizeof(c2));
	g_autofree gchar *e3 = response_line(1, c3, sizeof(c3));
	const RsproConnectClientReq *hello;
	const RsproTpduModemToCard *tpdu;
	gint i1, i2, i3;

	relay_start(f, NULL, NULL);
	/* the client introduced itself with its slot to both */
	hello = &last(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ)->u.connect_client_req;
	g_assert_cmpuint(hello->client_slot.client_id, ==, 23);
	g_assert_cmpuint(hello->client_slot.slot_nr, ==, 0);
	g_assert_cmpstr(hello->identity.software, ==, "remsim-client");
	g_assert_cmpuint(count(f->server, RSPRO_MSG_CONFIG_CLIENT_BANK_RES), ==, 1);
	hello = &last(f->bank, RSPRO_MSG_CONNECT_CLIENT_REQ)->u.connect_client_req;
	g_assert_cmpuint(hello->client_slot.client_id, ==, 23);
	/* the first line a script reads is the card's ATR: the stand-in 3B 00 is not shown */
	atr_line = bank_atr_line(f->bank);
	g_assert_cmpstr(lines(f)->pdata[0], ==, atr_line);

	/* many lines in one write, garbage among them, the last one without a newline */
	remsim_test_daemon_write(f->client,
				 "a0a4000002\nzz\n0102\n\n  00 b0 00 00 10  \r\nA0F2000016");
	remsim_test_daemon_close_stdin(f->client);
	g_assert_cmpint(remsim_test_daemon_wait_exit(f->client), ==, 0);

	i1 = remsim_test_daemon_find_line(f->client, 0, e1);
	i2 = remsim_test_daemon_find_line(f->client, 0, e2);
	i3 = remsim_test_daemon_find_line(f->client, 0, e3);
	g_assert_cmpint(i1, >=, 1);
	g_assert_cmpint(i2, >, i1);
	g_assert_cmpint(i3, >, i2);
	g_assert_cmpuint(count_prefix(f->client, "R-APDU: "), ==, 3);
	g_assert_cmpuint(count_prefix(f->client, "SET_ATR: "), ==, 1);
	g_assert_cmpuint(count(f->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD), ==, 3);
	tpdu = &last(f->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD)->u.tpdu_modem_to_card;
	g_assert_cmpuint(tpdu->from_client_slot.client_id, ==, 23);
	g_assert_cmpuint(tpdu->to_bank_slot.bank_id, ==, 1);
	g_assert_cmpuint(tpdu->to_bank_slot.slot_nr, ==, 5);
	g_assert_cmpmem(g_bytes_get_data(tpdu->data, NULL), g_bytes_get_size(tpdu->data), c3,
			sizeof(c3));
}

/* -r: the local ATR (-a) is the card's for good, and the only SET_ATR line */
static void
test_atr_ignore_rspro(ClientFixture *f, gconstpointer data)
{
	static const gchar *const args[] = { "-r", "-a", "3B 02 14 50", NULL };

	remsim_test_peer_set_config(f->server, 1, 5, remsim_test_peer_get_port(f->bank));
	client_start(f, args, NULL);
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_SET_ATR_RES) == 1);
	relay_apdu(f, 1, 0xa4);
	g_assert_cmpstr(lines(f)->pdata[0], ==, "SET_ATR: 3b 02 14 50 ");
	g_assert_cmpuint(count_prefix(f->client, "SET_ATR: "), ==, 1);
}

/* a bank's answer addressed elsewhere: the other client slot (0) or bank slot (1) */
static RsproPdu *
stray_response(RemsimTestPeer *bank, const RsproPdu *pdu, gpointer user_data)
{
	const RsproTpduModemToCard *tpdu = &pdu->u.tpdu_modem_to_card;
	RsproBankSlot from = tpdu->to_bank_slot;
	RsproClientSlot to = tpdu->from_client_slot;
	g_autoptr(GBytes) data = g_bytes_new_static("\xde\xad\x90\x00", 4);

	if (GPOINTER_TO_INT(user_data) == 0)
		to.slot_nr++;
	else
		from.slot_nr++;
	return rspro_pdu_new_tpdu_card_to_modem(&from, &to, data);
}

/* an R-APDU that is not for this client slot from its bank slot never reaches the modem */
static void
test_stray_response(ClientFixture *f, gconstpointer data)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_auto(GStrv) args = NULL;
	g_autofree gchar *err_text = NULL;

	/* each command is answered twice wrongly, then rightly */
	g_clear_object(&f->bank);
	f->bank = remsim_test_peer_new_bank(1, 1);
	remsim_test_peer_load_script(f->bank, "expect connectClientReq\nreply result ok\n"
					      "reply atr\nevery tpduModemToCard\n");
	remsim_test_peer_reply_func(f->bank, stray_response, GINT_TO_POINTER(0), NULL);
	remsim_test_peer_reply_func(f->bank, stray_response, GINT_TO_POINTER(1), NULL);
	remsim_test_peer_reply_tpdu(f->bank, NULL, NULL);
	remsim_test_peer_listen(f->bank, 0);
	remsim_test_peer_set_config(f->server, 1, 5, remsim_test_peer_get_port(f->bank));
	g_strv_builder_addv(b, (const gchar **)own_slot_args);
	args = g_strv_builder_end(b);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.args = (const gchar *const *)args,
					.capture_stderr = TRUE });
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_SET_ATR_RES) == 1);
	relay_apdu(f, 1, 0xa4);
	relay_apdu(f, 1, 0xb0);
	/* only the right answers came out, one line logged per dropped answer */
	g_assert_cmpuint(count_prefix(f->client, "R-APDU: "), ==, 2);
	g_assert_cmpint(remsim_test_daemon_find_line(f->client, 0, "R-APDU: de ad 90 00 "), ==, -1);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->client, "tpduCardToModem"), ==, 4);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->client, "to C23:1 dropped"), ==, 2);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->client, "from B1:6 to C23:0 dropped"),
			 ==, 2);
	err_text = remsim_test_daemon_get_stderr(f->client);
	g_assert_null(strstr(err_text, "de ad"));
}

static void
test_eof_without_bank(ClientFixture *f, gconstpointer data)
{
	client_start(f, NULL, NULL);
	REMSIM_TEST_WAIT_FOR(count(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ) == 1);
	remsim_test_daemon_close_stdin(f->client);
	g_assert_cmpint(remsim_test_daemon_wait_exit(f->client), ==, 0);
	g_assert_cmpuint(lines(f)->len, ==, 0);
}

static void
test_reset_line(ClientFixture *f, gconstpointer data)
{
	const RsproSlotPhysStatus *status;

	relay_start(f, NULL, NULL);
	remsim_test_daemon_write(f->client, "reset\n");
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND) == 1);
	status = &last(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND)->u.client_slot_status_ind.status;
	g_assert_true(status->reset_active);
	g_assert_true(status->has_vcc_present);
	g_assert_false(status->vcc_present);
	relay_apdu(f, 1, 0xa4);
}

static void
test_remap(ClientFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) bank2 = bank_new(2, REMSIM_TEST_PEER_BANK_FOR_CLIENT);
	g_autofree gchar *atr2 = bank_atr_line(bank2);
	const RsproTpduModemToCard *tpdu;

	relay_start(f, NULL, NULL);
	relay_apdu(f, 1, 0xa4);
	remsim_test_peer_set_config(f->server, 2, 7, remsim_test_peer_get_port(bank2));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, atr2) >= 0);
	/* the old bank's connection is gone */
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_get_n_connections(f->bank) == 0);
	relay_apdu(f, 2, 0xb0);
	tpdu = &last(bank2, RSPRO_MSG_TPDU_MODEM_TO_CARD)->u.tpdu_modem_to_card;
	g_assert_cmpuint(tpdu->to_bank_slot.bank_id, ==, 2);
	g_assert_cmpuint(tpdu->to_bank_slot.slot_nr, ==, 7);
	g_assert_cmpuint(count(f->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD), ==, 1);
}

/* another slot of the same bank is another card: the client goes there */
static void
test_remap_same_bank(ClientFixture *f, gconstpointer data)
{
	const RsproTpduModemToCard *tpdu;

	relay_start(f, NULL, NULL);
	relay_apdu(f, 1, 0xa4);
	remsim_test_peer_set_config(f->server, 1, 6, remsim_test_peer_get_port(f->bank));
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_SET_ATR_RES) == 2);
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(f->bank), ==, 2);
	relay_apdu(f, 1, 0xb0);
	tpdu = &last(f->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD)->u.tpdu_modem_to_card;
	g_assert_cmpuint(tpdu->to_bank_slot.bank_id, ==, 1);
	g_assert_cmpuint(tpdu->to_bank_slot.slot_nr, ==, 6);
}

static void
test_bank_restart(ClientFixture *f, gconstpointer data)
{
	const guint8 cmd[] = { 0xa0, 0x88, 0x00, 0x00, 0x02 };
	g_autofree gchar *expect = response_line(1, cmd, sizeof(cmd));

	f->capture_stderr = TRUE;
	relay_start(f, NULL, NULL);
	relay_apdu(f, 1, 0xa4);
	remsim_test_peer_close(f->bank);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->client, "lost the bank") == 1);
	/* a command typed while the bank is away waits (the shell says so) ... */
	remsim_test_daemon_write(f->client, "a0 88 00 00 02\n");
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->client, "commands wait until a card is mapped") == 1);
	g_assert_cmpint(remsim_test_daemon_find_line(f->client, 0, expect), <, 0);
	/* ... and is sent once the bank is back (the back-off's steps: test-backoff) */
	remsim_test_peer_relisten(f->bank);
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_SET_ATR_RES) == 2);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, expect) >= 0);
	relay_apdu(f, 1, 0xb2);
}

/* a bank that refuses every client */
#define REFUSING_BANK "expect connectClientReq\nreply result illegalClientId\n"

/*
 * Against a bank that refuses it, the client makes three attempts at once (the
 * back-off table's three 0 s entries, the start among them), then waits a step
 * of the back-off (rspro-backoff.c; its values: test-backoff). The
 * scale makes that step 50 s, so that a short window tells "waits" from "storms"
 * (upstream retried about 800 times a second) however slow the machine.
 */
static void
test_no_reconnect_storm(ClientFixture *f, gconstpointer data)
{
	const gchar *const args[] = { "--backoff-scale=50", NULL };

	remsim_test_peer_set_config(f->server, 1, 5, remsim_test_peer_get_port(f->bank));
	client_start(f, args, NULL);
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_CONNECT_CLIENT_REQ) >= 3);
	remsim_test_common_spin_for(500);
	g_assert_cmpuint(count(f->bank, RSPRO_MSG_CONNECT_CLIENT_REQ), ==, 3);
	/* it is still mapped, only waiting: the server link stays */
	g_assert_cmpuint(remsim_test_peer_get_n_connections(f->server), ==, 1);
}

static void
test_server_restart(ClientFixture *f, gconstpointer data)
{
	relay_start(f, NULL, NULL);
	relay_apdu(f, 1, 0xa4);
	remsim_test_peer_close(f->server);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_get_n_connections(f->server) == 0);
	/* the relay does not need the server */
	relay_apdu(f, 1, 0xb0);
	remsim_test_peer_relisten(f->server);
	REMSIM_TEST_WAIT_FOR(count(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ) == 2 &&
			     count(f->server, RSPRO_MSG_CONFIG_CLIENT_BANK_RES) == 2);
	relay_apdu(f, 1, 0xb2);
	/* the same mapping again does not drop the bank connection */
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(f->bank), ==, 1);
	g_assert_cmpuint(remsim_test_peer_get_n_connections(f->bank), ==, 1);
}

static void
test_reset_state(ClientFixture *f, gconstpointer data)
{
	g_autoptr(RsproPdu) reset = rspro_pdu_new(RSPRO_MSG_RESET_STATE_REQ);

	relay_start(f, NULL, NULL);
	remsim_test_peer_send(f->server, reset);
	REMSIM_TEST_WAIT_FOR(count(f->server, RSPRO_MSG_RESET_STATE_RES) == 1);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_get_n_connections(f->bank) == 0);
}

static void
test_unmap(ClientFixture *f, gconstpointer data)
{
	relay_start(f, NULL, NULL);
	remsim_test_peer_set_config(f->server, 0, 0, 0);
	REMSIM_TEST_WAIT_FOR(count(f->server, RSPRO_MSG_CONFIG_CLIENT_BANK_RES) == 2);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_get_n_connections(f->bank) == 0);
	/* nothing dials the bank again: a link still running would within its 20 ms back-off */
	remsim_test_common_spin_for(300);
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(f->bank), ==, 1);
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

	REMSIM_TEST_WAIT_FOR((env = read_script_env(dir, cause, nth)) != NULL);
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

/* the relay with an event script that writes the environment of each run into f->dir */
static void
event_setup(ClientFixture *f, gconstpointer data)
{
	g_autofree gchar *script = NULL;
	g_autofree gchar *body = NULL;
	const gchar *env_extra[] = { "LANG=C.UTF-8", "REMSIM_TEST_SECRET=1", NULL };
	const gchar *args[] = { "-e", NULL, NULL };

	fixture_setup(f, NULL);
	f->dir = remsim_test_common_make_dir("remsim-client-test-XXXXXX");
	/* one file per run, named cause.N with N counting runs, written atomically */
	body = g_strdup_printf("#!/bin/sh\n"
			       "d='%s'\n"
			       "n=$(ls \"$d\" | wc -l)\n"
			       "{ env; echo \"ARG1=$1\"; } > \"$d/$1.tmp\"\n"
			       "mv \"$d/$1.tmp\" \"$d/$1.$(printf %%04d $n)\"\n",
			       f->dir);
	script = remsim_test_common_write_file(f->dir, "script.sh", body);
	g_assert_cmpint(g_chmod(script, 0755), ==, 0);
	args[1] = script;
	relay_start(f, args, env_extra);
}

static void
check_cause(ClientFixture *f, const gchar *cause, guint nth)
{
	g_autoptr(GHashTable) env = wait_script_env(f->dir, cause, nth);

	check_common_env(env, cause, remsim_test_peer_get_port(f->server));
}

/* every run says the cause and the client's state; before the configuration the bank is
 * unknown, as upstream shows it */
static void
test_event_script_connect(ClientFixture *f, gconstpointer data)
{
	const gchar *const causes[] = { "event-server-connect", "event-config-bankd",
					"event-bankd-connect",	"request-sim-remote",
					"request-card-insert",	"request-modem-reset" };
	g_autofree gchar *bankd =
	    g_strdup_printf("127.0.0.1:%u", remsim_test_peer_get_port(f->bank));
	GHashTable *env;

	for (guint i = 0; i < G_N_ELEMENTS(causes); i++)
		check_cause(f, causes[i], 0);
	env = wait_script_env(f->dir, "event-server-connect", 0);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_ADDR"), ==, "(null):0");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_SLOT"), ==, "0:0");
	g_hash_table_unref(env);
	env = wait_script_env(f->dir, "event-bankd-connect", 0);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_ADDR"), ==, bankd);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_SLOT"), ==, "1:5");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_BANKD_STATE"), ==, "CONNECTED");
	g_hash_table_unref(env);
}

/* the modem (here: the shell's RESET) changes its status */
static void
test_event_script_modem(ClientFixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) env = NULL;

	remsim_test_daemon_write(f->client, "RESET\n");
	check_cause(f, "event-modem-status", 0);
	env = wait_script_env(f->dir, "event-modem-status", 0);
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIMCARD_RST"), ==, "1");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIMCARD_VCC"), ==, "0");
	g_assert_cmpstr(g_hash_table_lookup(env, "REMSIM_SIMCARD_CLK"), ==, "0");
}

/* unmapped: card out, local SIM, modem reset */
static void
test_event_script_unmap(ClientFixture *f, gconstpointer data)
{
	/* the first modem reset came with the card */
	check_cause(f, "request-modem-reset", 0);
	remsim_test_peer_set_config(f->server, 0, 0, 0);
	check_cause(f, "request-card-remove", 0);
	check_cause(f, "request-sim-local", 0);
	check_cause(f, "request-modem-reset", 1);
}

/* the runs that connecting causes (see test_event_script_connect) */
#define CONNECT_RUNS 6

/*
 * A script that fails every time, or that cannot run at all (@command): the
 * client logs each failed run with its exit status (@status), runs the next
 * one, and relays as if nothing happened.
 */
static void
check_failing_script(ClientFixture *f, const gchar *command, const gchar *status)
{
	const gchar *args[] = { "-e", command, NULL };

	f->capture_stderr = TRUE;
	relay_start(f, args, NULL);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->client, status) >= CONNECT_RUNS);
	relay_apdu(f, 1, 0xa4);
	/* a modem reset is one more run, and fails too */
	remsim_test_daemon_write(f->client, "RESET\n");
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->client, status) >=
			     CONNECT_RUNS + 1);
	relay_apdu(f, 1, 0xb0);
	g_assert_false(remsim_test_daemon_has_exited(f->client));
}

static void
test_failing_script(ClientFixture *f, gconstpointer data)
{
	check_failing_script(f, "exit 3;", "exited with status 3");
}

/* the shell runs the command: a missing program is its status 127 */
static void
test_missing_script(ClientFixture *f, gconstpointer data)
{
	check_failing_script(f, "/nonexistent/remsim-event-script", "exited with status 127");
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
	REMSIM_TEST_WAIT_FOR(fake_vpcd_has_frame(v));
	return fake_vpcd_take(v);
}

static void
test_two_slots(ClientFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	FakeVpcd v = { 0 };
	g_autofree gchar *conf = NULL;
	g_autofree gchar *atr_line = bank_atr_line(f->bank);
	g_autofree gchar *atr = NULL;
	g_autofree gchar *atr_upper = NULL;
	g_autofree gchar *want_atr = NULL;
	g_autofree gchar *rsp = NULL;
	g_autofree gchar *wrong = NULL;
	const RsproSlotPhysStatus *status;
	const RsproTpduModemToCard *tpdu;

	v.listener = g_socket_listener_new();
	v.port = g_socket_listener_add_any_inet_port(v.listener, NULL, &error);
	g_assert_no_error(error);
	v.rx = g_byte_array_new();
	v.cancellable = g_cancellable_new();
	g_socket_listener_accept_async(v.listener, v.cancellable, fake_vpcd_accept_ready, &v);

	/* one process, two modems: slot 0 on the shell, slot 1 on vpcd */
	conf = g_strdup_printf("[client]\nclient-id=23\n\n[slot 0]\nfrontend=shell\n\n"
			       "[slot 1]\nfrontend=vpcd\nvpcd-port=%u\n",
			       v.port);
	remsim_test_peer_set_config(f->server, 1, 5, remsim_test_peer_get_port(f->bank));
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.config = conf });
	REMSIM_TEST_WAIT_FOR(count(f->server, RSPRO_MSG_CONNECT_CLIENT_REQ) == 2 &&
			     count(f->bank, RSPRO_MSG_SET_ATR_RES) == 2);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, atr_line) >= 0);

	/* the card shows up at vpcd once the bank gave its ATR */
	REMSIM_TEST_WAIT_FOR(v.conn != NULL);
	fake_vpcd_send(&v, "000104");
	atr = fake_vpcd_wait(&v);
	atr_upper = remsim_test_common_bytes_hex(remsim_test_peer_get_atr(f->bank));
	want_atr = g_ascii_strdown(atr_upper, -1);
	g_assert_cmpstr(atr, ==, want_atr);

	/* power on reaches the bank as a status of client slot 1 */
	fake_vpcd_send(&v, "000101");
	REMSIM_TEST_WAIT_FOR(count(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND) == 1);
	status = &last(f->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND)->u.client_slot_status_ind.status;
	g_assert_true(status->vcc_present);
	g_assert_false(status->reset_active);

	/* garbage in between changes nothing: an empty frame, an unknown control code */
	fake_vpcd_send(&v, "0000");
	fake_vpcd_send(&v, "000107");
	fake_vpcd_send(&v, "0005a0b2000002");
	rsp = fake_vpcd_wait(&v);
	g_assert_cmpstr(rsp, ==, "01b29000");
	tpdu = &last(f->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD)->u.tpdu_modem_to_card;
	g_assert_cmpuint(tpdu->from_client_slot.slot_nr, ==, 1);
	g_assert_cmpuint(tpdu->to_bank_slot.slot_nr, ==, 6);
	/* an APDU the bank cannot take is answered at once */
	fake_vpcd_send(&v, "00020102");
	wrong = fake_vpcd_wait(&v);
	g_assert_cmpstr(wrong, ==, "6700");

	/* and the shell slot relays on its own */
	remsim_test_daemon_write(f->client, "a0a4000002\n");
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, "R-APDU: 01 a4 90 00 ") >=
			     0);
	tpdu = &last(f->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD)->u.tpdu_modem_to_card;
	g_assert_cmpuint(tpdu->from_client_slot.slot_nr, ==, 0);
	g_assert_cmpuint(tpdu->to_bank_slot.slot_nr, ==, 5);

	/* unmapped: the card leaves vpcd */
	remsim_test_peer_set_config(f->server, 0, 0, 0);
	REMSIM_TEST_WAIT_FOR(
	    g_input_stream_is_closed(g_io_stream_get_input_stream(G_IO_STREAM(v.conn))) ||
	    remsim_test_peer_get_n_connections(f->bank) == 0);

	g_clear_object(&f->client);
	g_cancellable_cancel(v.cancellable);
	for (guint i = 0; i < 5; i++)
		g_main_context_iteration(NULL, FALSE);
	g_clear_object(&v.conn);
	g_socket_listener_close(v.listener);
	g_object_unref(v.listener);
	g_object_unref(v.cancellable);
	g_byte_array_unref(v.rx);
}

static void
test_bad_config(void)
{
	g_autoptr(RemsimTestDaemon) client = remsim_test_daemon_new(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .config = "[client]\nserver-port=9998\n\n[slot 1]\n"
						  "# the modem\nclient-id=4000\n" });
	g_autofree gchar *err_text = NULL;
	g_autofree gchar *want = NULL;

	g_assert_cmpint(remsim_test_daemon_run(client, &err_text), !=, 0);
	/* the message names the file, the line, the group and the key */
	want =
	    g_strdup_printf("%s:6: [slot 1] client-id", remsim_test_daemon_get_config_path(client));
	g_assert_nonnull(strstr(err_text, want));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, setup, bank, fn)                                                                 \
	g_test_add("/client/" name, ClientFixture, bank, setup, fn, fixture_teardown)
	ADD("relay", fixture_setup, NULL, test_relay);
	ADD("atr-ignore-rspro", fixture_setup, NULL, test_atr_ignore_rspro);
	ADD("stray-response", fixture_setup, NULL, test_stray_response);
	ADD("eof-without-bank", fixture_setup, NULL, test_eof_without_bank);
	ADD("reset-line", fixture_setup, NULL, test_reset_line);
	ADD("remap", fixture_setup, NULL, test_remap);
	ADD("remap-same-bank", fixture_setup, NULL, test_remap_same_bank);
	ADD("bank-restart", fixture_setup, NULL, test_bank_restart);
	ADD("no-reconnect-storm", fixture_setup, REFUSING_BANK, test_no_reconnect_storm);
	ADD("server-restart", fixture_setup, NULL, test_server_restart);
	ADD("reset-state", fixture_setup, NULL, test_reset_state);
	ADD("unmap", fixture_setup, NULL, test_unmap);
	ADD("event-script/connect", event_setup, NULL, test_event_script_connect);
	ADD("event-script/modem-status", event_setup, NULL, test_event_script_modem);
	ADD("event-script/unmap", event_setup, NULL, test_event_script_unmap);
	ADD("failing-script", fixture_setup, NULL, test_failing_script);
	ADD("missing-script", fixture_setup, NULL, test_missing_script);
	ADD("two-slots", fixture_setup, NULL, test_two_slots);
	g_test_add_func("/client/bad-config", test_bad_config);
	return g_test_run();
}
