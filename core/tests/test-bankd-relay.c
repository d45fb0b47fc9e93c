/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd end to end with the example backend (echo cards): mapping,
 * refusal of unknown clients, remap and unmap during a session, server loss,
 * and many clients at once. Each echo response carries the command's data, so
 * a response routed to the wrong client or slot shows up as wrong bytes.
 */
#include "config.h"

#include "remsim-test-bankd.h"

#define ECHO_ATR "3B046563686F"

typedef struct {
	RemsimTestBankdServer *server;
	RemsimTestBankd *bankd;
} Fixture;

static void
fixture_start(Fixture *f, guint n_slots, const gchar *conf)
{
	f->server = remsim_test_bankd_server_new();
	f->bankd = remsim_test_bankd_start("example", n_slots, f->server->port, conf);
	g_assert_true(remsim_test_bankd_server_wait_hellos(f->server, 1));
}

static void
fixture_stop(Fixture *f)
{
	remsim_test_bankd_stop(f->bankd);
	remsim_test_bankd_server_free(f->server);
}

/* an APDU with a recognisable data field, and the echo card's answer to it */
static GBytes *
make_apdu(guint client, guint seq, gchar **expected_hex)
{
	g_autofree gchar *data = g_strdup_printf("%04X%04X", client, seq);
	g_autofree gchar *hex = g_strdup_printf("00D60000%02X%s", (guint)strlen(data) / 2, data);

	*expected_hex = g_strdup_printf("%s9000", data);
	return remsim_test_bankd_hex_bytes(hex);
}

static void
assert_echo(RemsimTestBankdClient *client, guint16 bank_slot, guint seq)
{
	g_autofree gchar *expected = NULL;
	g_autoptr(GBytes) apdu = make_apdu(client->slot_nr, seq, &expected);
	g_autoptr(GBytes) response = remsim_test_bankd_client_apdu(client, bank_slot, apdu);
	g_autofree gchar *got = NULL;

	g_assert_nonnull(response);
	got = remsim_test_bankd_bytes_hex(response);
	g_assert_cmpstr(got, ==, expected);
}

static RemsimTestBankdClient *
connect_ok(Fixture *f, guint16 client_id, guint16 slot_nr)
{
	RemsimTestBankdClient *client =
	    remsim_test_bankd_client_connect(f->bankd->port, client_id, slot_nr);
	g_autofree gchar *atr = NULL;

	g_assert_nonnull(client);
	g_assert_cmpint(client->result, ==, 0);
	g_assert_true(remsim_test_bankd_client_wait_atr(client));
	atr = remsim_test_bankd_bytes_hex(client->atr);
	g_assert_cmpstr(atr, ==, ECHO_ATR);
	return client;
}

static void
test_relay_mapped(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;
	const RsproConnectBankReq *hello;

	/* the bank announces where clients behind NAT should dial (ConnectBankReq.bound) */
	fixture_start(&f, 4, "slots=4\n[bankd]\nadvertise=192.0.2.10:19999");
	hello = &f.server->last_hello->u.connect_bank_req;
	g_assert_true(hello->has_bound);
	g_assert_false(hello->bound.is_ipv6);
	g_assert_cmpmem(hello->bound.addr, 4, "\xc0\x00\x02\x0a", 4);
	g_assert_cmpuint(hello->bound.port, ==, 19999);
	g_assert_cmpuint(hello->bank_id, ==, 1);
	g_assert_cmpuint(hello->number_of_slots, ==, 4);
	g_assert_cmpint(hello->identity.type, ==, RSPRO_COMPONENT_BANKD);
	g_assert_cmpstr(hello->identity.software, ==, "remsim-bankd");

	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 2, 7, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 7, 0);
	for (guint i = 0; i < 20; i++)
		assert_echo(client, 2, i);
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

static void
test_mapping_checks(void)
{
	Fixture f = { 0 };

	fixture_start(&f, 2, "slots=2");
	/* upstream's createMappingReq / removeMappingReq checks, in order */
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 2, 1, 0), ==,
			RSPRO_RESULT_ILLEGAL_SLOT_ID);
	g_assert_cmpint(remsim_test_bankd_server_unmap(f.server, 0, 1, 0), ==,
			RSPRO_RESULT_UNKNOWN_SLOTMAP);
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	g_assert_cmpint(remsim_test_bankd_server_unmap(f.server, 0, 1, 1), ==,
			RSPRO_RESULT_UNKNOWN_SLOTMAP);
	g_assert_cmpint(remsim_test_bankd_server_unmap(f.server, 0, 1, 0), ==, RSPRO_RESULT_OK);
	fixture_stop(&f);
}

static gboolean
server_has_error_ind(gpointer data)
{
	return ((RemsimTestBankdServer *)data)->error_inds->len > 0;
}

static void
test_unmapped_refused(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;
	const RsproPdu *ind = NULL;

	fixture_start(&f, 2, "slots=2");
	/* a map for someone else: its answer shows the bank has taken the server's
	 * connectBankRes, so the errorInd below has a connected link to go out on */
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 1, 8, 0), ==, RSPRO_RESULT_OK);
	client = remsim_test_bankd_client_connect(f.bankd->port, 9, 3);
	g_assert_nonnull(client);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	/* the bank closes the connection after its refusal and an errorInd */
	g_assert_true(remsim_test_bankd_client_wait_closed(client));
	g_assert_null(client->atr);
	for (guint i = 0; i < client->others->len; i++) {
		const RsproPdu *pdu = client->others->pdata[i];

		if (pdu->type == RSPRO_MSG_ERROR_IND)
			ind = pdu;
	}
	g_assert_nonnull(ind);
	g_assert_cmpint(ind->u.error_ind.code, ==, RSPRO_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED);
	g_assert_true(ind->u.error_ind.has_client_slot);
	g_assert_cmpuint(ind->u.error_ind.client_slot.client_id, ==, 9);
	g_assert_cmpuint(ind->u.error_ind.client_slot.slot_nr, ==, 3);
	/* and the server hears of it too (on its own connection: maybe a little later) */
	g_assert_true(
	    remsim_test_common_spin_until(server_has_error_ind, f.server, TEST_TIMEOUT_MS));
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

static void
test_remap_mid_session(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;
	g_autoptr(GBytes) read_binary = remsim_test_bankd_hex_bytes("00B0000001");

	fixture_start(&f, 4, "slots=4");
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 5, 1), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 5, 1);
	assert_echo(client, 0, 1);
	/* the same client slot onto another bank slot: the old session ends */
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 3, 5, 1), ==, RSPRO_RESULT_OK);
	g_assert_true(remsim_test_bankd_client_wait_closed(client));
	remsim_test_bankd_client_free(client);
	/* the client comes back and now reaches bank slot 3, not 0 */
	client = connect_ok(&f, 5, 1);
	assert_echo(client, 3, 2);
	g_assert_null(remsim_test_bankd_client_apdu(client, 0, read_binary));
	g_assert_true(remsim_test_bankd_client_wait_closed(client));
	remsim_test_bankd_client_free(client);
	/* the old bank slot is free again: removing its map is unknown now */
	g_assert_cmpint(remsim_test_bankd_server_unmap(f.server, 0, 5, 1), ==,
			RSPRO_RESULT_UNKNOWN_SLOTMAP);
	fixture_stop(&f);
}

static void
test_remove_mapping_in_session(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;

	fixture_start(&f, 2, "slots=2");
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 1, 2, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 2, 0);
	assert_echo(client, 1, 1);
	g_assert_cmpint(remsim_test_bankd_server_unmap(f.server, 1, 2, 0), ==, RSPRO_RESULT_OK);
	g_assert_true(remsim_test_bankd_client_wait_closed(client));
	remsim_test_bankd_client_free(client);
	/* without the map the client is refused */
	client = remsim_test_bankd_client_connect(f.bankd->port, 2, 0);
	g_assert_nonnull(client);
	g_assert_cmpint(client->result, ==, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	remsim_test_bankd_client_free(client);
	/* mapped again, the slot serves again */
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 1, 2, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 2, 0);
	assert_echo(client, 1, 2);
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

static void
remsim_test_bankd_server_lost(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;

	fixture_start(&f, 2, "slots=2");
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 3, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 3, 0);
	assert_echo(client, 0, 1);
	remsim_test_bankd_server_kill(f.server);
	/* the relay does not need the server */
	for (guint i = 2; i < 30; i++) {
		assert_echo(client, 0, i);
		remsim_test_common_spin_for(10);
	}
	g_assert_false(client->closed);
	/* a restarted server gets the bank back; re-sending the map changes nothing */
	remsim_test_bankd_server_restart(f.server);
	g_assert_true(remsim_test_bankd_server_wait_hellos(f.server, 2));
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 3, 0), ==, RSPRO_RESULT_OK);
	assert_echo(client, 0, 100);
	g_assert_false(client->closed);
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

static void
test_card_error(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;
	gboolean saw_error = FALSE;
	g_autoptr(GBytes) failing = remsim_test_bankd_hex_bytes("00EE000000");

	/* the echo card fails INS 0xEE with a transmission error */
	fixture_start(&f, 1, "slots=1\nfail-ins=EE");
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 4, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 4, 0);
	assert_echo(client, 0, 1);
	g_assert_null(remsim_test_bankd_client_apdu(client, 0, failing));
	g_assert_true(remsim_test_bankd_client_wait_closed(client));
	for (guint i = 0; i < client->others->len; i++)
		saw_error |= ((RsproPdu *)client->others->pdata[i])->type == RSPRO_MSG_ERROR_IND;
	g_assert_true(saw_error);
	remsim_test_bankd_client_free(client);
	/* the card is still usable by the next session */
	client = connect_ok(&f, 4, 0);
	assert_echo(client, 0, 2);
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

typedef struct {
	RemsimTestBankdClient *client;
	gboolean want_present;
} StatusWait;

typedef struct {
	RemsimTestBankdServer *server;
	guint n;
} ErrorWait;

static gboolean
server_has_more_error_inds(gpointer data)
{
	ErrorWait *wait = data;

	return wait->server->error_inds->len > wait->n;
}

/* a bankSlotStatusInd with card-present @want_present has arrived */
static gboolean
has_status(gpointer data)
{
	StatusWait *wait = data;

	for (guint i = 0; i < wait->client->others->len; i++) {
		const RsproPdu *pdu = wait->client->others->pdata[i];

		if (pdu->type == RSPRO_MSG_BANK_SLOT_STATUS_IND &&
		    pdu->u.bank_slot_status_ind.status.has_card_present &&
		    pdu->u.bank_slot_status_ind.status.card_present == wait->want_present)
			return TRUE;
	}
	return FALSE;
}

static void
test_card_removed(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;
	g_autoptr(GBytes) eject = remsim_test_bankd_hex_bytes("00E5000000");
	g_autoptr(GBytes) res = NULL;
	StatusWait out = { NULL, FALSE }, in = { NULL, TRUE };
	ErrorWait more = { f.server, 0 };

	/* the echo card leaves its slot for 100 ms after an INS E5 */
	fixture_start(&f, 1, "slots=1\neject-ins=E5");
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 6, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 6, 0);
	more.server = f.server;
	more.n = f.server->error_inds->len;
	res = remsim_test_bankd_client_apdu(client, 0, eject);
	g_assert_nonnull(res);
	g_clear_pointer(&client->atr, g_bytes_unref);
	/* the client hears the card go and come back, and gets its ATR again */
	out.client = in.client = client;
	g_assert_true(remsim_test_common_spin_until(has_status, &out, TEST_TIMEOUT_MS));
	g_assert_true(remsim_test_common_spin_until(has_status, &in, TEST_TIMEOUT_MS));
	g_assert_true(remsim_test_bankd_client_wait_atr(client));
	g_assert_false(client->closed);
	/* the server was told of the removal */
	g_assert_true(
	    remsim_test_common_spin_until(server_has_more_error_inds, &more, TEST_TIMEOUT_MS));
	assert_echo(client, 0, 5);
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

static void
send_status(RemsimTestBankdClient *client, guint16 bank_slot, gboolean vcc, gboolean rst)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new(RSPRO_MSG_CLIENT_SLOT_STATUS_IND);
	RsproClientSlotStatusInd *ind = &pdu->u.client_slot_status_ind;

	ind->from_client_slot.client_id = client->client_id;
	ind->from_client_slot.slot_nr = client->slot_nr;
	ind->to_bank_slot.bank_id = TEST_BANK_ID;
	ind->to_bank_slot.slot_nr = bank_slot;
	ind->status.reset_active = rst;
	ind->status.has_vcc_present = TRUE;
	ind->status.vcc_present = vcc;
	ind->status.has_clk_active = TRUE;
	ind->status.clk_active = TRUE;
	g_assert_true(rspro_connection_send(client->conn, pdu, NULL));
}

static void
test_modem_resets(void)
{
	Fixture f = { 0 };
	RemsimTestBankdClient *client;

	fixture_start(&f, 1, "slots=1");
	g_assert_cmpint(remsim_test_bankd_server_map(f.server, 0, 8, 0), ==, RSPRO_RESULT_OK);
	client = connect_ok(&f, 8, 0);
	assert_echo(client, 0, 1);
	/* VCC off then on (cold reset), RST pulse (warm reset): queued with the APDUs */
	send_status(client, 0, FALSE, FALSE);
	send_status(client, 0, TRUE, FALSE);
	assert_echo(client, 0, 2);
	send_status(client, 0, TRUE, TRUE);
	send_status(client, 0, TRUE, FALSE);
	assert_echo(client, 0, 3);
	g_assert_false(client->closed);
	remsim_test_bankd_client_free(client);
	fixture_stop(&f);
}

/* --- many clients at once --- */

#define MANY 256
#define ROUNDS 8

typedef struct {
	RemsimTestBankdClient *clients[MANY];
	guint seq[MANY];
	guint done;
	guint bad;
} Many;

typedef struct {
	Many *many;
	guint index;
	gchar *expected;
} ManyCall;

static void many_send(Many *many, guint index);

static void
many_response_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ManyCall *call = user_data;
	Many *many = call->many;
	RemsimTestBankdClient *client = many->clients[call->index];
	g_autoptr(RsproPdu) res =
	    rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);
	g_autofree gchar *got = NULL;

	if (res == NULL || res->u.tpdu_card_to_modem.to_client_slot.slot_nr != client->slot_nr ||
	    res->u.tpdu_card_to_modem.from_bank_slot.slot_nr != call->index) {
		many->bad++;
	} else {
		got = remsim_test_bankd_bytes_hex(res->u.tpdu_card_to_modem.data);
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
many_send(Many *many, guint index)
{
	ManyCall *call = g_new0(ManyCall, 1);
	g_autoptr(GBytes) apdu = NULL;

	call->many = many;
	call->index = index;
	apdu = make_apdu(many->clients[index]->slot_nr, many->seq[index], &call->expected);
	remsim_test_bankd_client_apdu_async(many->clients[index], index, apdu, NULL,
					    many_response_ready, call);
}

static gboolean
many_finished(gpointer data)
{
	Many *many = data;

	return many->done == MANY;
}

static void
test_many_clients(void)
{
	Fixture f = { 0 };
	g_autofree Many *many = g_new0(Many, 1);

	fixture_start(&f, MANY, "slots=256");
	/* bank slot i serves client slot 1000 - i of client 1: no identity mapping */
	for (guint i = 0; i < MANY; i++)
		g_assert_cmpint(remsim_test_bankd_server_map(f.server, i, 1, 1000 - i), ==,
				RSPRO_RESULT_OK);
	for (guint i = 0; i < MANY; i++)
		many->clients[i] = connect_ok(&f, 1, 1000 - i);
	for (guint i = 0; i < MANY; i++)
		many_send(many, i);
	g_assert_true(remsim_test_common_spin_until(many_finished, many, 50000));
	g_assert_cmpuint(many->bad, ==, 0);
	for (guint i = 0; i < MANY; i++) {
		g_assert_cmpuint(many->seq[i], ==, ROUNDS);
		remsim_test_bankd_client_free(many->clients[i]);
	}
	fixture_stop(&f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bankd/relay/mapped", test_relay_mapped);
	g_test_add_func("/bankd/relay/mapping-checks", test_mapping_checks);
	g_test_add_func("/bankd/relay/unmapped-refused", test_unmapped_refused);
	g_test_add_func("/bankd/relay/remap-mid-session", test_remap_mid_session);
	g_test_add_func("/bankd/relay/remove-mapping-in-session", test_remove_mapping_in_session);
	g_test_add_func("/bankd/relay/server-lost", remsim_test_bankd_server_lost);
	g_test_add_func("/bankd/relay/card-error", test_card_error);
	g_test_add_func("/bankd/relay/card-removed", test_card_removed);
	g_test_add_func("/bankd/relay/modem-resets", test_modem_resets);
	g_test_add_func("/bankd/relay/many-clients", test_many_clients);
	return g_test_run();
}
