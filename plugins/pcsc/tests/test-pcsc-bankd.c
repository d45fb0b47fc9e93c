/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcsc backend end to end: the real remsim-bankd with a test server and a
 * test client (tests/bankd harness), a private pcscd with vsmartcard's vpcd,
 * and as cards the simulated SIM (remsim-vpcd-card) or vsmartcard's vicc.
 */
#include "config.h"

#include <PCSC/winscard.h>
#include <string.h>

#include "remsim-test-bankd.h"
#include "pcsc-test-env.h"
#include "rspro-pdu.h"

#define CLIENT_ID 7
/* the bound for a removed card to reach the client */
#define REMOVAL_REPORT_MS 1000

/* 2G SIM commands as T=0 TPDUs: select MF, select EF ICCID, read it, status */
static const gchar *const sim_apdus[] = {
	"a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2", "a0 b0 00 00 0a", "a0 f2 00 00 16", NULL,
};
/* vicc: commands with deterministic answers and no FCI (vicc crashes packing FCI) */
static const gchar *const vicc_apdus[] = {
	"00 a4 00 0c 02 3f 00", "00 b0 00 00 00", "00 ca 00 ff 00", "00 20 00 80 00", NULL,
};

typedef struct {
	PcscTestEnv *env;
	GSubprocess *cards[2];
	gchar *slot_file;
	RemsimTestBankdServer *server;
	RemsimTestBankd *bankd;
} PcscFixture;

static gchar *
profile(const gchar *name)
{
	return pcsc_test_source_path("data", "cards", name, NULL);
}

static gboolean
fixture_setup(PcscFixture *f)
{
	memset(f, 0, sizeof(*f));
	f->env = pcsc_env_start();
	return f->env != NULL;
}

static void
fixture_write_slot_file(PcscFixture *f, const gchar *text)
{
	f->slot_file = g_build_filename(f->env->dir, "bankd_pcsc_slots.csv", NULL);
	g_assert_true(g_file_set_contents(f->slot_file, text, -1, NULL));
}

/* the bankd with @n_slots bank slots and @extra lines in [pcsc] */
static void
fixture_start_bankd(PcscFixture *f, guint n_slots, const gchar *extra)
{
	g_autofree gchar *conf =
	    g_strdup_printf("slot-file=%s\n%s", f->slot_file, extra != NULL ? extra : "");

	f->server = remsim_test_bankd_server_new();
	f->bankd = remsim_test_bankd_start("pcsc", n_slots, f->server->port, conf);
	g_assert_true(remsim_test_bankd_server_wait_hellos(f->server, 1));
}

static void
fixture_teardown(PcscFixture *f)
{
	if (f->bankd != NULL)
		remsim_test_bankd_stop(f->bankd);
	if (f->server != NULL)
		remsim_test_bankd_server_free(f->server);
	for (guint i = 0; i < G_N_ELEMENTS(f->cards); i++)
		pcsc_card_stop(f->cards[i]);
	pcsc_env_stop(f->env);
	g_free(f->slot_file);
}

/* a client on bank slot @bank_slot that got its ATR */
static RemsimTestBankdClient *
connect_client(PcscFixture *f, guint16 bank_slot, guint16 client_slot)
{
	RemsimTestBankdClient *client;

	g_assert_cmpint(remsim_test_bankd_server_map(f->server, bank_slot, CLIENT_ID, client_slot),
			==, 0);
	client = remsim_test_bankd_client_connect(f->bankd->port, CLIENT_ID, client_slot);
	g_assert_nonnull(client);
	g_assert_cmpint(client->result, ==, 0);
	g_assert_true(remsim_test_bankd_client_wait_atr(client));
	g_assert_nonnull(client->atr);
	return client;
}

/* a client on the only bank slot (vpcd slot 0) that has had @apdus answered */
static RemsimTestBankdClient *
one_slot_client_after(PcscFixture *f, const gchar *const *apdus)
{
	RemsimTestBankdClient *client;

	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);
	for (guint i = 0; apdus[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(apdus[i]);
		g_autoptr(GBytes) got = remsim_test_bankd_client_apdu(client, 0, apdu);

		g_assert_nonnull(got);
	}
	return client;
}

static void
assert_bytes_equal(GBytes *got, GBytes *want)
{
	g_autofree gchar *got_hex = remsim_test_bankd_bytes_hex(got);
	g_autofree gchar *want_hex = remsim_test_bankd_bytes_hex(want);

	g_assert_cmpstr(got_hex, ==, want_hex);
}

/* the client's responses to @apdus equal @want, the direct PC/SC ones */
static void
assert_relay_equals(RemsimTestBankdClient *client, guint16 bank_slot, const gchar *const *apdus,
		    GPtrArray *want)
{
	for (guint i = 0; apdus[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(apdus[i]);
		g_autoptr(GBytes) got = remsim_test_bankd_client_apdu(client, bank_slot, apdu);

		g_assert_nonnull(got);
		assert_bytes_equal(got, want->pdata[i]);
	}
}

typedef enum { CARD_SIM, CARD_VICC_T0, CARD_VICC_T1 } CardKind;

static void
run_relay(CardKind kind)
{
	gboolean vicc = kind != CARD_SIM;
	const gchar *const *apdus = vicc ? vicc_apdus : sim_apdus;
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(GBytes) want_atr = NULL;
	RemsimTestBankdClient *client;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = vicc ? pcsc_card_start_vicc(f.env, 0, kind == CARD_VICC_T1)
			  : pcsc_card_start_sim(f.env, 0, sample);
	if (f.cards[0] == NULL) {
		fixture_teardown(&f);
		return;
	}
	/* first directly: the bank opens the card exclusively */
	want = pcsc_direct_exchange(reader, apdus, &want_atr);
	fixture_write_slot_file(&f, "\"1\",\"0\",\"^" PCSC_TEST_READER " 00 00$\"\n");
	fixture_start_bankd(&f, 1, NULL);
	client = connect_client(&f, 0, 0);
	assert_bytes_equal(client->atr, want_atr);
	assert_relay_equals(client, 0, apdus, want);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

static void
test_sim_relay(void)
{
	run_relay(CARD_SIM);
}

static void
test_vicc_relay(void)
{
	run_relay(CARD_VICC_T0);
}

/* a card that speaks only T=1 works too (upstream's bankd insists on T=0) */
static void
test_vicc_relay_t1(void)
{
	run_relay(CARD_VICC_T1);
}

static gboolean
client_saw_removal(RemsimTestBankdClient *client)
{
	for (guint i = 0; i < client->others->len; i++) {
		const RsproPdu *pdu = client->others->pdata[i];

		if (pdu->type == RSPRO_MSG_ERROR_IND)
			return TRUE;
		if (pdu->type == RSPRO_MSG_BANK_SLOT_STATUS_IND &&
		    pdu->u.bank_slot_status_ind.status.has_card_present &&
		    !pdu->u.bank_slot_status_ind.status.card_present)
			return TRUE;
	}
	return client->closed;
}

static gboolean
client_done_removal(gpointer data)
{
	return client_saw_removal(data);
}

static gboolean
client_has_atr(gpointer data)
{
	RemsimTestBankdClient *client = data;

	return client->atr != NULL || client->closed;
}

/* a client that lost its card gets it back: in the same session, or by reconnecting */
static RemsimTestBankdClient *
client_after_reinsert(PcscFixture *f, RemsimTestBankdClient *client, guint16 bank_slot)
{
	g_assert_true(remsim_test_common_spin_until(client_has_atr, client, TEST_TIMEOUT_MS));
	if (!client->closed)
		return client;
	remsim_test_bankd_client_free(client);
	return connect_client(f, bank_slot, 0);
}

static void
test_sim_remove_reinsert(void)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(GBytes) want_atr = NULL;
	RemsimTestBankdClient *client;
	gint64 t0, elapsed_ms;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, &want_atr);
	fixture_write_slot_file(&f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(&f, 1, NULL);
	client = connect_client(&f, 0, 0);
	assert_relay_equals(client, 0, sim_apdus, want);

	/* the card process stops: the card is out of the reader */
	t0 = g_get_monotonic_time();
	g_clear_pointer(&f.cards[0], pcsc_card_stop);
	g_assert_true(remsim_test_common_spin_until(client_done_removal, client, TEST_TIMEOUT_MS));
	elapsed_ms = (g_get_monotonic_time() - t0) / 1000;
	g_test_message("removal reached the client after %" G_GINT64_FORMAT " ms", elapsed_ms);
	g_assert_cmpint(elapsed_ms, <=, REMOVAL_REPORT_MS);
	g_assert_true(pcsc_wait_card(reader, FALSE, TEST_TIMEOUT_MS));

	/* back in: the slot recovers without a bankd restart */
	g_clear_pointer(&client->atr, g_bytes_unref);
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	client = client_after_reinsert(&f, client, 0);
	assert_bytes_equal(client->atr, want_atr);
	assert_relay_equals(client, 0, sim_apdus, want);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

static gboolean
error_names_reader(RemsimTestBankdClient *client, const gchar *reader)
{
	for (guint i = 0; i < client->others->len; i++) {
		const RsproPdu *pdu = client->others->pdata[i];

		if (pdu->type == RSPRO_MSG_ERROR_IND && pdu->u.error_ind.error_string != NULL &&
		    strstr(pdu->u.error_ind.error_string, reader) != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
test_sim_lost_mid_apdu(void)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(sim_apdus[0]);
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GPtrArray) want = NULL;
	RemsimTestBankdClient *client;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, NULL);
	fixture_write_slot_file(&f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(&f, 1, NULL);
	client = connect_client(&f, 0, 0);

	/* gone before pcscd's next presence check: the APDU itself finds the card missing */
	g_clear_pointer(&f.cards[0], pcsc_card_stop);
	got = remsim_test_bankd_client_apdu(client, 0, apdu);
	if (got == NULL) {
		/* the bank told why before it closed: an errorInd naming the reader */
		g_assert_true(client->closed);
		g_assert_true(error_names_reader(client, reader));
	} else {
		/* pcscd noticed first; the answer cannot be the card's */
		g_test_message("APDU answered after removal?");
		g_assert_not_reached();
	}
	remsim_test_bankd_client_free(client);

	/* pcscd may still list the old card until its next presence check */
	g_assert_true(pcsc_wait_card(reader, FALSE, TEST_TIMEOUT_MS));
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	client = connect_client(&f, 0, 0);
	assert_relay_equals(client, 0, sim_apdus, want);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

static void
test_sim_two_readers(void)
{
	g_autofree gchar *reader0 = pcsc_env_reader(0);
	g_autofree gchar *reader1 = pcsc_env_reader(1);
	g_autofree gchar *sample1 = profile("sample-001.json");
	g_autofree gchar *sample2 = profile("sample-002.json");
	g_autoptr(GPtrArray) want0 = NULL, want1 = NULL;
	RemsimTestBankdClient *client0, *client1;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample1);
	f.cards[1] = pcsc_card_start_sim(f.env, 1, sample2);
	want0 = pcsc_direct_exchange(reader0, sim_apdus, NULL);
	want1 = pcsc_direct_exchange(reader1, sim_apdus, NULL);
	/* the ICCIDs differ, so the responses tell the cards apart */
	g_assert_false(g_bytes_equal(want0->pdata[2], want1->pdata[2]));
	/* crossed over, and a row of another bank that must be ignored */
	fixture_write_slot_file(&f, "\"2\",\"0\",\"VPCD 00 00\"\n"
				    "\"1\",\"0\",\"VPCD 00 01$\"\n"
				    "\"1\",\"1\",\"VPCD 00 00$\"\n"
				    "\"1\",\"1\",\"VPCD 00 01$\"\n");
	fixture_start_bankd(&f, 2, NULL);
	client0 = connect_client(&f, 0, 0);
	client1 = connect_client(&f, 1, 1);
	assert_relay_equals(client0, 0, sim_apdus, want1);
	assert_relay_equals(client1, 1, sim_apdus, want0);
	remsim_test_bankd_client_free(client0);
	remsim_test_bankd_client_free(client1);
	fixture_teardown(&f);
}

static void
test_sim_pcscd_restart(void)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	RemsimTestBankdClient *client;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, NULL);
	fixture_write_slot_file(&f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(&f, 1, NULL);
	client = connect_client(&f, 0, 0);

	/* the reader disappears with its pcscd ... */
	pcsc_env_stop_pcscd(f.env);
	g_assert_true(remsim_test_common_spin_until(client_done_removal, client, TEST_TIMEOUT_MS));
	/* the card program ends when vpcd closes its socket */
	g_clear_pointer(&f.cards[0], pcsc_card_stop);
	remsim_test_common_spin_for(300);

	/* ... and comes back */
	g_clear_pointer(&client->atr, g_bytes_unref);
	pcsc_env_start_pcscd(f.env);
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	client = client_after_reinsert(&f, client, 0);
	assert_relay_equals(client, 0, sim_apdus, want);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

/* a warm reset (RST edge from the modem) really resets the card: the selection is gone */
static void
test_sim_reset(void)
{
	static const gchar *const before[] = { "a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2",
					       NULL };
	static const gchar *const after[] = { "a0 b0 00 00 0a", NULL };
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want_after_reset = NULL, want_no_reset = NULL;
	g_autoptr(RsproPdu) ind = rspro_pdu_new(RSPRO_MSG_CLIENT_SLOT_STATUS_IND);
	RsproClientSlotStatusInd *status = &ind->u.client_slot_status_ind;
	RemsimTestBankdClient *client;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	want_after_reset = pcsc_direct_exchange(reader, after, NULL);
	want_no_reset = pcsc_direct_exchange(reader, sim_apdus, NULL);
	g_assert_false(g_bytes_equal(want_after_reset->pdata[0], want_no_reset->pdata[2]));
	client = one_slot_client_after(&f, before);
	status->from_client_slot.client_id = CLIENT_ID;
	status->from_client_slot.slot_nr = 0;
	status->to_bank_slot.bank_id = TEST_BANK_ID;
	status->to_bank_slot.slot_nr = 0;
	status->status.reset_active = TRUE;
	status->status.has_vcc_present = TRUE;
	status->status.vcc_present = TRUE;
	rspro_connection_send(client->conn, ind, NULL);
	status->status.reset_active = FALSE;
	rspro_connection_send(client->conn, ind, NULL);
	assert_relay_equals(client, 0, after, want_after_reset);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

/* a new mapping gets a freshly reset card, whatever the last client left selected */
static void
test_sim_new_mapping_resets(void)
{
	static const gchar *const select[] = { "a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2",
					       NULL };
	static const gchar *const read[] = { "a0 b0 00 00 0a", NULL };
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want_fresh = NULL, want_selected = NULL;
	RemsimTestBankdClient *client;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	want_fresh = pcsc_direct_exchange(reader, read, NULL);
	want_selected = pcsc_direct_exchange(reader, sim_apdus, NULL);
	g_assert_false(g_bytes_equal(want_fresh->pdata[0], want_selected->pdata[2]));
	client = one_slot_client_after(&f, select);
	remsim_test_bankd_client_free(client);
	g_assert_cmpint(remsim_test_bankd_server_unmap(f.server, 0, CLIENT_ID, 0), ==, 0);
	client = connect_client(&f, 0, 1);
	assert_relay_equals(client, 0, read, want_fresh);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

static SCARDHANDLE
direct_connect(SCARDCONTEXT ctx, const gchar *reader, LONG *rv)
{
	SCARDHANDLE card = 0;
	DWORD protocol = 0;

	*rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			   &card, &protocol);
	return card;
}

/* exclusive by default: nobody else gets the card; shared on request */
static void
run_share_mode(gboolean shared)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	RemsimTestBankdClient *client;
	LONG rv;
	PcscFixture f;

	if (!fixture_setup(&f))
		return;
	f.cards[0] = pcsc_card_start_sim(f.env, 0, sample);
	fixture_write_slot_file(&f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(&f, 1, shared ? "[bankd]\npermit-shared=true\n" : NULL);
	client = connect_client(&f, 0, 0);
	g_assert_cmphex(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), ==,
			SCARD_S_SUCCESS);
	card = direct_connect(ctx, reader, &rv);
	if (shared) {
		g_autoptr(GBytes) apdu = remsim_test_bankd_hex_bytes(sim_apdus[0]);
		g_autoptr(GBytes) got = NULL;
		g_autoptr(GPtrArray) want = NULL;
		DWORD protocol = 0;

		g_assert_cmphex(rv, ==, SCARD_S_SUCCESS);
		/* another program resets the shared card under the bank's feet */
		g_assert_cmphex(SCardReconnect(card, SCARD_SHARE_SHARED,
					       SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
					       SCARD_RESET_CARD, &protocol),
				==, SCARD_S_SUCCESS);
		SCardDisconnect(card, SCARD_LEAVE_CARD);
		got = remsim_test_bankd_client_apdu(client, 0, apdu);
		g_assert_null(got);
		g_assert_true(client->closed);
		g_assert_true(error_names_reader(client, reader));
		remsim_test_bankd_client_free(client);
		/* the slot recovers on the client's next connection */
		want = pcsc_direct_exchange(reader, sim_apdus, NULL);
		client = connect_client(&f, 0, 0);
		assert_relay_equals(client, 0, sim_apdus, want);
	} else {
		g_assert_cmphex(rv, ==, SCARD_E_SHARING_VIOLATION);
	}
	SCardReleaseContext(ctx);
	remsim_test_bankd_client_free(client);
	fixture_teardown(&f);
}

static void
test_sim_exclusive(void)
{
	run_share_mode(FALSE);
}

static void
test_sim_shared(void)
{
	run_share_mode(TRUE);
}

int
main(int argc, char **argv)
{
	pcsc_test_init(argc, argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcsc/sim/relay", test_sim_relay);
	g_test_add_func("/pcsc/vicc/relay", test_vicc_relay);
	g_test_add_func("/pcsc/vicc/relay-t1", test_vicc_relay_t1);
	g_test_add_func("/pcsc/sim/remove-reinsert", test_sim_remove_reinsert);
	g_test_add_func("/pcsc/sim/lost-mid-apdu", test_sim_lost_mid_apdu);
	g_test_add_func("/pcsc/sim/two-readers", test_sim_two_readers);
	g_test_add_func("/pcsc/sim/pcscd-restart", test_sim_pcscd_restart);
	g_test_add_func("/pcsc/sim/reset", test_sim_reset);
	g_test_add_func("/pcsc/sim/new-mapping-resets", test_sim_new_mapping_resets);
	g_test_add_func("/pcsc/sim/exclusive", test_sim_exclusive);
	g_test_add_func("/pcsc/sim/shared", test_sim_shared);
	return g_test_run();
}
