/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd end to end with the example backend (echo cards), between a
 * scripted server peer and scripted client peers: mapping, clients that come
 * before their map or to a slot without a card (upstream's cardNotPresent, and
 * they stay), remap and unmap during a session, card errors and removal (the
 * client is closed without a word, as upstream), server loss, upstream's own
 * bytes, the checks on each TPDU a client sends (its slots, its length, how
 * many wait), and many clients at once. Each echo response carries the
 * command's data, so a response routed to the wrong client or slot shows up as
 * wrong bytes.
 */
#include "config.h"

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define ECHO_ATR "3B046563686F"

/* the bank each test starts: its slots and its config */
typedef struct {
	guint n_slots;
	const gchar *config;
	/* the bank's log to a file, for tests that tell its reasons apart */
	gboolean capture_stderr;
} RelayBank;

typedef struct {
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
} RelayFixture;

static void
fixture_setup(RelayFixture *f, gconstpointer data)
{
	const RelayBank *bank = data;

	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "example",
					.n_slots = bank->n_slots,
					.config = bank->config,
					.capture_stderr = bank->capture_stderr });
	remsim_test_peer_wait_hellos(f->server, 1);
}

static void
fixture_teardown(RelayFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
}

/* an APDU with a recognisable data field, and the echo card's answer to it */
static GBytes *
make_apdu(guint client, guint seq, gchar **expected_hex)
{
	g_autofree gchar *data = g_strdup_printf("%04X%04X", client, seq);
	g_autofree gchar *hex = g_strdup_printf("00D60000%02X%s", (guint)strlen(data) / 2, data);

	*expected_hex = g_strdup_printf("%s9000", data);
	return remsim_test_common_hex_bytes(hex);
}

static void
assert_echo(RemsimTestPeer *client, guint16 bank_slot, guint seq)
{
	g_autofree gchar *expected = NULL;
	g_autoptr(GBytes) apdu =
	    make_apdu(remsim_test_peer_get_client_slot(client)->slot_nr, seq, &expected);
	g_autoptr(GBytes) response = remsim_test_peer_apdu(client, bank_slot, apdu);
	g_autofree gchar *got = NULL;

	g_assert_nonnull(response);
	got = remsim_test_common_bytes_hex(response);
	g_assert_cmpstr(got, ==, expected);
}

static gboolean
is_closed(RemsimTestPeer *client)
{
	return remsim_test_peer_get_n_connections(client) == 0;
}

/* the @n-th ATR came, or the connection ended; TRUE for the ATR */
static gboolean
wait_atr(RemsimTestPeer *client, guint n)
{
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) >= n ||
			     is_closed(client));
	return remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) >= n;
}

static gchar *
atr_hex(RemsimTestPeer *client)
{
	return remsim_test_common_bytes_hex(
	    remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ)->u.set_atr_req.atr);
}

/* a client peer that said hello to the bankd; its result in @result */
static RemsimTestPeer *
connect_client(RelayFixture *f, guint16 client_id, guint16 slot_nr, gint *result)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(client_id, slot_nr);

	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	*result = remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd));
	return client;
}

/* a client that was accepted and got the echo card's ATR */
static RemsimTestPeer *
connect_ok(RelayFixture *f, guint16 client_id, guint16 slot_nr)
{
	gint result;
	RemsimTestPeer *client = connect_client(f, client_id, slot_nr, &result);
	g_autofree gchar *atr = NULL;

	g_assert_cmpint(result, ==, 0);
	g_assert_true(wait_atr(client, 1));
	atr = atr_hex(client);
	g_assert_cmpstr(atr, ==, ECHO_ATR);
	return client;
}

static const RelayBank one_slot = { 1, "[example]\nslots=1\n", FALSE };
static const RelayBank two_slots = { 2, "[example]\nslots=2\n", FALSE };
/* bank slot 1 has no card: the backend has one card slot */
static const RelayBank one_card_two_slots = { 2, "[example]\nslots=1\n", FALSE };
static const RelayBank four_slots = { 4, "[example]\nslots=4\n", FALSE };
/* the bank announces where clients behind NAT should dial (ConnectBankReq.bound) */
static const RelayBank advertising = { 4, "advertise=192.0.2.10:19999\n\n[example]\nslots=4\n",
				       FALSE };

static void
test_hello(RelayFixture *f, gconstpointer data)
{
	const RsproConnectBankReq *hello =
	    &remsim_test_peer_last(f->server, RSPRO_MSG_CONNECT_BANK_REQ)->u.connect_bank_req;

	g_assert_true(hello->has_bound);
	g_assert_false(hello->bound.is_ipv6);
	g_assert_cmpmem(hello->bound.addr, 4, "\xc0\x00\x02\x0a", 4);
	g_assert_cmpuint(hello->bound.port, ==, 19999);
	g_assert_cmpuint(hello->bank_id, ==, 1);
	g_assert_cmpuint(hello->number_of_slots, ==, 4);
	g_assert_cmpint(hello->identity.type, ==, RSPRO_COMPONENT_BANKD);
	g_assert_cmpstr(hello->identity.software, ==, "remsim-bankd");
}

static void
test_relay_mapped(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 2, 7, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 7, 0);
	for (guint i = 0; i < 20; i++)
		assert_echo(client, 2, i);
}

static void
test_mapping_checks(RelayFixture *f, gconstpointer data)
{
	/* upstream's createMappingReq / removeMappingReq checks, in order */
	g_assert_cmpint(remsim_test_peer_map(f->server, 2, 1, 0), ==, RSPRO_RESULT_ILLEGAL_SLOT_ID);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, 1, 0), ==,
			RSPRO_RESULT_UNKNOWN_SLOTMAP);
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, 1, 1), ==,
			RSPRO_RESULT_UNKNOWN_SLOTMAP);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, 1, 0), ==, RSPRO_RESULT_OK);
}

/* nothing but the connectClientRes came, and the client is still connected */
static void
assert_waiting(RelayFixture *f, RemsimTestPeer *client)
{
	/* a negative check: whatever the bank would send comes at once */
	remsim_test_common_spin_for(300);
	g_assert_false(is_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_BANK_SLOT_STATUS_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_ERROR_IND), ==, 0);
}

/* a client before any map names it: cardNotPresent, it stays, and its map brings the card */
static void
test_unmapped_waits(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *atr = NULL;
	gint result;

	/* a map for someone else: the bank has the server's connectBankRes, so an
	 * errorInd to the server would have a link to go out on */
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 8, 0), ==, RSPRO_RESULT_OK);
	client = connect_client(f, 9, 3, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_CARD_NOT_PRESENT);
	assert_waiting(f, client);
	/* the map comes: the card opens, and its ATR follows on the same connection */
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 9, 3), ==, RSPRO_RESULT_OK);
	g_assert_true(wait_atr(client, 1));
	atr = atr_hex(client);
	g_assert_cmpstr(atr, ==, ECHO_ATR);
	assert_echo(client, 0, 1);
	/* one connection, one connectClientRes */
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(client), ==, 1);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_CONNECT_CLIENT_RES), ==, 1);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_ERROR_IND), ==, 0);
}

/* a client waiting for its map may report its modem's lines; an APDU before a card closes it */
static void
test_unmapped_apdu(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(GBytes) select = remsim_test_common_hex_bytes("A0A40000023F00");
	gint result;

	client = connect_client(f, 9, 4, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_CARD_NOT_PRESENT);
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	assert_waiting(f, client);
	/* as upstream's worker: a TPDU is only for a relaying client */
	g_assert_null(remsim_test_peer_apdu(client, 0, select));
	g_assert_true(remsim_test_peer_wait_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
}

/* a mapped bank slot whose card cannot be opened: cardNotPresent, and the client stays */
static void
test_no_card_waits(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	gint result;

	/* bank slot 1 has no card slot in the backend (it has one card, slot 0) */
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 4, 0), ==, RSPRO_RESULT_OK);
	client = connect_client(f, 4, 0, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_CARD_NOT_PRESENT);
	assert_waiting(f, client);
	/* the map goes: now the bank closes the connection, without a word (upstream) */
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 1, 4, 0), ==, RSPRO_RESULT_OK);
	g_assert_true(remsim_test_peer_wait_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
}

static void
test_remap_mid_session(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RemsimTestPeer) again = NULL;
	g_autoptr(GBytes) read_binary = remsim_test_common_hex_bytes("00B0000001");

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 5, 1), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 5, 1);
	assert_echo(client, 0, 1);
	/* the same client slot onto another bank slot: the old session ends */
	g_assert_cmpint(remsim_test_peer_map(f->server, 3, 5, 1), ==, RSPRO_RESULT_OK);
	g_assert_true(remsim_test_peer_wait_closed(client));
	/* the client comes back and now reaches bank slot 3, not 0 */
	again = connect_ok(f, 5, 1);
	assert_echo(again, 3, 2);
	g_assert_null(remsim_test_peer_apdu(again, 0, read_binary));
	g_assert_true(remsim_test_peer_wait_closed(again));
	/* the old bank slot is free again: removing its map is unknown now */
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, 5, 1), ==,
			RSPRO_RESULT_UNKNOWN_SLOTMAP);
}

static void
test_remove_mapping_in_session(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RemsimTestPeer) waiting = NULL;
	g_autoptr(RemsimTestPeer) again = NULL;
	gint result;

	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 2, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 2, 0);
	assert_echo(client, 1, 1);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 1, 2, 0), ==, RSPRO_RESULT_OK);
	/* upstream closes the client's socket without an RSPRO message */
	g_assert_true(remsim_test_peer_wait_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
	/* without the map the client waits for one */
	waiting = connect_client(f, 2, 0, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_CARD_NOT_PRESENT);
	/* mapped again, the slot serves the waiting client */
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 2, 0), ==, RSPRO_RESULT_OK);
	g_assert_true(wait_atr(waiting, 1));
	assert_echo(waiting, 1, 2);
	/* a new connection of that client slot takes over */
	again = connect_ok(f, 2, 0);
	g_assert_true(remsim_test_peer_wait_closed(waiting));
	assert_echo(again, 1, 3);
}

static void
test_server_lost(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 3, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 3, 0);
	assert_echo(client, 0, 1);
	remsim_test_peer_close(f->server);
	/* the relay does not need the server */
	for (guint i = 2; i < 30; i++)
		assert_echo(client, 0, i);
	g_assert_false(is_closed(client));
	/* a restarted server gets the bank back; re-sending the map changes nothing */
	remsim_test_peer_relisten(f->server);
	remsim_test_peer_wait_hellos(f->server, 2);
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 3, 0), ==, RSPRO_RESULT_OK);
	assert_echo(client, 0, 100);
	g_assert_false(is_closed(client));
}

static void
test_card_error(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RemsimTestPeer) next = NULL;
	g_autoptr(GBytes) failing = remsim_test_common_hex_bytes("00EE000000");

	/* the echo card fails INS 0xEE with a transmission error */
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 4, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 4, 0);
	assert_echo(client, 0, 1);
	g_assert_null(remsim_test_peer_apdu(client, 0, failing));
	/* as upstream: the connection closes, and nobody is told why */
	g_assert_true(remsim_test_peer_wait_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_ERROR_IND), ==, 0);
	/* the card is still usable by the next session */
	next = connect_ok(f, 4, 0);
	assert_echo(next, 0, 2);
}

static void
test_card_removed(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RemsimTestPeer) again = NULL;
	g_autoptr(GBytes) eject = remsim_test_common_hex_bytes("00E5000000");
	g_autoptr(GBytes) res = NULL;
	gint result;

	/* the echo card leaves its slot for 100 ms after an INS E5 */
	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 6, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 6, 0);
	res = remsim_test_peer_apdu(client, 0, eject);
	g_assert_nonnull(res);
	/* as upstream: the client loses its connection with the card, and no RSPRO message */
	g_assert_true(remsim_test_peer_wait_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_BANK_SLOT_STATUS_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ), ==, 1);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_ERROR_IND), ==, 0);
	/* back, the client finds the card again: at once, or after a cardNotPresent while
	 * the card is still out */
	again = connect_client(f, 6, 0, &result);
	g_assert_true(result == RSPRO_RESULT_OK || result == RSPRO_RESULT_CARD_NOT_PRESENT);
	g_assert_true(wait_atr(again, 1));
	assert_echo(again, 0, 5);
}

static void
test_modem_resets(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RemsimTestPeer) client = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 8, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 8, 0);
	assert_echo(client, 0, 1);
	/* VCC off then on (cold reset), RST pulse (warm reset): queued with the APDUs */
	remsim_test_peer_send_status(client, 0, FALSE, FALSE);
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	assert_echo(client, 0, 2);
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	assert_echo(client, 0, 3);
	g_assert_false(is_closed(client));
}

/* upstream's bytes: its server's createMappingReq, its client's SELECT MF */
static void
test_upstream_bytes(RelayFixture *f, gconstpointer data)
{
	g_autoptr(RsproPdu) map = remsim_test_peer_vector_pdu("029", FALSE);
	g_autoptr(RsproPdu) select = remsim_test_peer_vector_pdu("079", FALSE);
	g_autoptr(RsproPdu) created = NULL;
	g_autoptr(RsproPdu) answer = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *data_hex = NULL;

	/* C0:0 on B1:0 */
	created = remsim_test_peer_request(f->server, map);
	g_assert_nonnull(created);
	g_assert_cmpint(created->u.create_mapping_res.result, ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 0, 0);
	answer = remsim_test_peer_request(client, select);
	g_assert_nonnull(answer);
	g_assert_cmpuint(answer->u.tpdu_card_to_modem.from_bank_slot.bank_id, ==, 1);
	g_assert_cmpuint(answer->u.tpdu_card_to_modem.from_bank_slot.slot_nr, ==, 0);
	g_assert_cmpuint(answer->u.tpdu_card_to_modem.to_client_slot.client_id, ==, 0);
	g_assert_cmpuint(answer->u.tpdu_card_to_modem.to_client_slot.slot_nr, ==, 0);
	/* the echo card: SELECT's data and 90 00 */
	data_hex = remsim_test_common_bytes_hex(answer->u.tpdu_card_to_modem.data);
	g_assert_cmpstr(data_hex, ==, "3F009000");
}

/* --- the checks on a client's TPDU --- */

/* an APDU of @len bytes: a case 3 header with Lc 255 (or less), then a byte pattern */
static GBytes *
sized_apdu(gsize len)
{
	guint8 *data = g_malloc(len);

	g_assert_cmpuint(len, >=, 4);
	data[0] = 0x00;
	data[1] = 0xd6;
	data[2] = 0x00;
	data[3] = 0x00;
	if (len > 4)
		data[4] = (guint8)MIN(len - 5, 255);
	for (gsize i = 5; i < len; i++)
		data[i] = (guint8)i;
	return g_bytes_new_take(data, len);
}

/* @tpdu from @client is refused: no answer, and the bank closes the connection */
static void
assert_refused(RemsimTestPeer *client, RsproPdu *tpdu)
{
	g_autoptr(RsproPdu) res = remsim_test_peer_request(client, tpdu);

	g_assert_null(res);
	g_assert_true(remsim_test_peer_wait_closed(client));
}

/* upstream HEAD relays TPDUs of 5 to 260 bytes: each bound passes, one byte past it closes */
static void
test_tpdu_length(RelayFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) shortest = sized_apdu(5);
	g_autoptr(GBytes) longest = sized_apdu(260);
	g_autoptr(GBytes) too_short = sized_apdu(4);
	g_autoptr(GBytes) too_long = sized_apdu(261);
	g_autoptr(GBytes) res = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RsproPdu) tpdu = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 7, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(f, 7, 0);
	/* 5 bytes with Lc 0: the echo card answers 90 00 */
	res = remsim_test_peer_apdu(client, 0, shortest);
	g_assert_nonnull(res);
	g_assert_cmpmem(g_bytes_get_data(res, NULL), g_bytes_get_size(res), "\x90\x00", 2);
	g_clear_pointer(&res, g_bytes_unref);
	/* 260 bytes: header, Lc 255 and 255 data bytes, all echoed */
	res = remsim_test_peer_apdu(client, 0, longest);
	g_assert_nonnull(res);
	g_assert_cmpuint(g_bytes_get_size(res), ==, 257);
	g_assert_cmpmem(g_bytes_get_data(res, NULL), 255,
			(const guint8 *)g_bytes_get_data(longest, NULL) + 5, 255);
	g_clear_pointer(&res, g_bytes_unref);

	tpdu = remsim_test_peer_new_tpdu(client, 0, too_short);
	assert_refused(client, tpdu);
	g_clear_object(&client);
	g_clear_pointer(&tpdu, rspro_pdu_free);

	client = connect_ok(f, 7, 0);
	tpdu = remsim_test_peer_new_tpdu(client, 0, too_long);
	assert_refused(client, tpdu);
	g_clear_object(&client);

	/* the slot serves the next session */
	client = connect_ok(f, 7, 0);
	assert_echo(client, 0, 1);
}

typedef enum {
	WRONG_CLIENT_ID,
	WRONG_CLIENT_SLOT,
	WRONG_BANK_ID,
	WRONG_BANK_SLOT,
} WrongField;

/*
 * A TPDU names its client slot and bank slot; the bank relays only those of the
 * connection's own map (C7:0 on B1:0 here) and closes a client that names others.
 */
static void
test_tpdu_slots(RelayFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00B0000001");
	g_autoptr(RemsimTestPeer) client = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 7, 0), ==, RSPRO_RESULT_OK);
	/* bank slot 1 is mapped too: a TPDU to it from C7:0 is still not C7:0's */
	g_assert_cmpint(remsim_test_peer_map(f->server, 1, 7, 1), ==, RSPRO_RESULT_OK);
	for (WrongField wrong = WRONG_CLIENT_ID; wrong <= WRONG_BANK_SLOT; wrong++) {
		g_autoptr(RsproPdu) tpdu = NULL;
		RsproTpduModemToCard *m;

		g_test_message("wrong field %d", wrong);
		client = connect_ok(f, 7, 0);
		/* the right fields first: the connection works */
		assert_echo(client, 0, wrong);
		tpdu = remsim_test_peer_new_tpdu(client, 0, apdu);
		m = &tpdu->u.tpdu_modem_to_card;
		switch (wrong) {
		case WRONG_CLIENT_ID:
			m->from_client_slot.client_id = 8;
			break;
		case WRONG_CLIENT_SLOT:
			m->from_client_slot.slot_nr = 1;
			break;
		case WRONG_BANK_ID:
			m->to_bank_slot.bank_id = REMSIM_TEST_PEER_BANK_ID + 1;
			break;
		case WRONG_BANK_SLOT:
			m->to_bank_slot.slot_nr = 1;
			break;
		}
		assert_refused(client, tpdu);
		g_clear_object(&client);
	}
	client = connect_ok(f, 7, 0);
	assert_echo(client, 0, 100);
}

/* sends @n echo TPDUs to bank slot 0 without waiting for their answers */
static void
send_without_waiting(RemsimTestPeer *client, guint n)
{
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *expected = NULL;
		g_autoptr(GBytes) apdu = make_apdu(0, i, &expected);
		g_autoptr(RsproPdu) tpdu = remsim_test_peer_new_tpdu(client, 0, apdu);

		g_assert_cmpuint(remsim_test_peer_send(client, tpdu), ==, 1);
	}
}

/*
 * While the card works on one command, REMSIM_BANKD_SLOT_QUEUE_MAX (64) more
 * may wait in the bank; one more closes the client. The card here keeps an INS
 * B6 until it is powered off, so the queue fills behind it however fast the
 * bank reads.
 */
static void
test_tpdu_in_flight(RelayFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) hold = remsim_test_common_hex_bytes("00B6000000");
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes("00B0000001");
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RsproPdu) held = NULL;
	g_autoptr(RsproPdu) elsewhere = NULL;

	g_assert_cmpint(remsim_test_peer_map(f->server, 0, 7, 0), ==, RSPRO_RESULT_OK);

	/* the held command and 64 behind it: all taken. The bank reads a connection's
	 * PDUs in order, so a TPDU to another slot after them closes the client for
	 * that reason, which shows that none of the 64 did. */
	client = connect_ok(f, 7, 0);
	held = remsim_test_peer_new_tpdu(client, 0, hold);
	g_assert_cmpuint(remsim_test_peer_send(client, held), ==, 1);
	send_without_waiting(client, 64);
	elsewhere = remsim_test_peer_new_tpdu(client, 0, apdu);
	elsewhere->u.tpdu_modem_to_card.to_bank_slot.slot_nr = 1;
	g_assert_cmpuint(remsim_test_peer_send(client, elsewhere), ==, 1);
	g_assert_true(remsim_test_peer_wait_closed(client));
	REMSIM_TEST_WAIT_FOR(
	    remsim_test_daemon_count_stderr(f->bankd, "unexpected tpduModemToCard") == 1);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->bankd, "without waiting"), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_TPDU_CARD_TO_MODEM), ==, 0);
	g_clear_object(&client);

	/* the held command and 65 behind it: the 65th closes the client */
	client = connect_ok(f, 7, 0);
	g_assert_cmpuint(remsim_test_peer_send(client, held), ==, 1);
	send_without_waiting(client, 65);
	g_assert_true(remsim_test_peer_wait_closed(client));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "without waiting") == 1);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->bankd, "unexpected tpduModemToCard"),
			 ==, 1);
	g_clear_object(&client);

	/* power-off ended the held command: the card serves the next session */
	client = connect_ok(f, 7, 0);
	assert_echo(client, 0, 1);
}

/* --- many clients at once --- */

#define MANY 256
#define ROUNDS 8

static const RelayBank many_slots = { MANY, "[example]\nslots=256\n", FALSE };
/* the echo card fails INS 0xEE with a transmission error */
static const RelayBank failing = { 1, "[example]\nslots=1\nfail-ins=EE\n", FALSE };
/* the echo card leaves its slot for 100 ms after an INS E5 */
static const RelayBank ejecting = { 1, "[example]\nslots=1\neject-ins=E5\n", FALSE };
/* the echo card keeps an INS B6 until it is powered off; the bank's log is read */
static const RelayBank holding = { 1, "[example]\nslots=1\nhold-ins=B6\n", TRUE };

typedef struct {
	RemsimTestPeer *clients[MANY];
	guint seq[MANY];
	guint done;
	guint bad;
} RelayMany;

typedef struct {
	RelayMany *many;
	guint index;
	gchar *expected;
} RelayManyCall;

static void many_send(RelayMany *many, guint index);

static void
many_response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RelayManyCall *call = user_data;
	RelayMany *many = call->many;
	RemsimTestPeer *client = many->clients[call->index];
	g_autoptr(RsproPdu) res = remsim_test_peer_request_finish(client, result, NULL);
	g_autofree gchar *got = NULL;

	if (res == NULL ||
	    res->u.tpdu_card_to_modem.to_client_slot.slot_nr !=
		remsim_test_peer_get_client_slot(client)->slot_nr ||
	    res->u.tpdu_card_to_modem.from_bank_slot.slot_nr != call->index) {
		many->bad++;
	} else {
		got = remsim_test_common_bytes_hex(res->u.tpdu_card_to_modem.data);
		if (g_strcmp0(got, call->expected) != 0)
			many->bad++;
	}
	g_free(call->expected);
	many->seq[call->index]++;
	if (many->seq[call->index] < ROUNDS)
		many_send(many, call->index);
	else
		many->done++;
	g_free(call);
}

static void
many_send(RelayMany *many, guint index)
{
	RelayManyCall *call = g_new0(RelayManyCall, 1);
	RemsimTestPeer *client = many->clients[index];
	g_autoptr(GBytes) apdu = NULL;
	g_autoptr(RsproPdu) tpdu = NULL;

	call->many = many;
	call->index = index;
	apdu = make_apdu(remsim_test_peer_get_client_slot(client)->slot_nr, many->seq[index],
			 &call->expected);
	tpdu = remsim_test_peer_new_tpdu(client, index, apdu);
	remsim_test_peer_request_async(client, tpdu, NULL, many_response_ready, call);
}

static void
test_many_clients(RelayFixture *f, gconstpointer data)
{
	g_autofree RelayMany *many = g_new0(RelayMany, 1);

	/* bank slot i serves client slot 1000 - i of client 1: no identity mapping */
	for (guint i = 0; i < MANY; i++)
		g_assert_cmpint(remsim_test_peer_map(f->server, i, 1, 1000 - i), ==,
				RSPRO_RESULT_OK);
	for (guint i = 0; i < MANY; i++)
		many->clients[i] = connect_ok(f, 1, 1000 - i);
	for (guint i = 0; i < MANY; i++)
		many_send(many, i);
	REMSIM_TEST_WAIT_FOR(many->done == MANY);
	g_assert_cmpuint(many->bad, ==, 0);
	for (guint i = 0; i < MANY; i++) {
		g_assert_cmpuint(many->seq[i], ==, ROUNDS);
		g_object_unref(many->clients[i]);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, bank, fn)                                                                        \
	g_test_add("/bankd/relay/" name, RelayFixture, bank, fixture_setup, fn, fixture_teardown)
	ADD("hello", &advertising, test_hello);
	ADD("mapped", &advertising, test_relay_mapped);
	ADD("mapping-checks", &two_slots, test_mapping_checks);
	ADD("unmapped-waits", &two_slots, test_unmapped_waits);
	ADD("unmapped-apdu", &two_slots, test_unmapped_apdu);
	ADD("no-card-waits", &one_card_two_slots, test_no_card_waits);
	ADD("remap-mid-session", &four_slots, test_remap_mid_session);
	ADD("remove-mapping-in-session", &two_slots, test_remove_mapping_in_session);
	ADD("server-lost", &two_slots, test_server_lost);
	ADD("card-error", &failing, test_card_error);
	ADD("card-removed", &ejecting, test_card_removed);
	ADD("modem-resets", &one_slot, test_modem_resets);
	ADD("upstream-bytes", &one_slot, test_upstream_bytes);
	ADD("tpdu-length", &one_slot, test_tpdu_length);
	ADD("tpdu-slots", &two_slots, test_tpdu_slots);
	ADD("tpdu-in-flight", &holding, test_tpdu_in_flight);
	ADD("many-clients", &many_slots, test_many_clients);
	return g_test_run();
}
