/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcsc backend end to end: the real remsim-bankd between a scripted server
 * peer and scripted client peers (tests/common), a private pcscd with
 * vsmartcard's vpcd, and as cards the simulated SIM (remsim-vpcd-card) or
 * vsmartcard's vicc.
 */
#include "config.h"

#include <PCSC/winscard.h>
#include <string.h>

#include "pcsc-test-env.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

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
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
} PcscFixture;

static gchar *
profile(const gchar *name)
{
	return pcsc_test_source_path("data", "cards", name, NULL);
}

/* a private pcscd with a two-slot vpcd reader; the test is skipped without one */
static void
fixture_setup(PcscFixture *f, gconstpointer data)
{
	f->env = pcsc_env_start();
}

static void
fixture_write_slot_file(PcscFixture *f, const gchar *text)
{
	f->slot_file = g_build_filename(f->env->dir, "bankd_pcsc_slots.csv", NULL);
	g_assert_true(g_file_set_contents(f->slot_file, text, -1, NULL));
}

/* the bankd with @n_slots bank slots and @bankd_keys in [bankd] */
static void
fixture_start_bankd(PcscFixture *f, guint n_slots, const gchar *bankd_keys)
{
	g_autofree gchar *conf = g_strdup_printf(
	    "%s\n[pcsc]\nslot-file=%s\n", bankd_keys != NULL ? bankd_keys : "", f->slot_file);

	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "pcsc",
					.n_slots = n_slots,
					.config = conf });
	remsim_test_peer_wait_hellos(f->server, 1);
}

static void
fixture_teardown(PcscFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	for (guint i = 0; i < G_N_ELEMENTS(f->cards); i++)
		g_clear_pointer(&f->cards[i], pcsc_card_stop);
	g_clear_pointer(&f->env, pcsc_env_stop);
	g_free(f->slot_file);
}

static gboolean
is_closed(RemsimTestPeer *client)
{
	return remsim_test_peer_get_n_connections(client) == 0;
}

/* the ATR the client got last */
static GBytes *
client_atr(RemsimTestPeer *client)
{
	return remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ)->u.set_atr_req.atr;
}

/* a client on bank slot @bank_slot that got its ATR */
static RemsimTestPeer *
connect_client(PcscFixture *f, guint16 bank_slot, guint16 client_slot)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(CLIENT_ID, client_slot);

	g_assert_cmpint(remsim_test_peer_map(f->server, bank_slot, CLIENT_ID, client_slot), ==, 0);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
			0);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) > 0 ||
			     is_closed(client));
	g_assert_nonnull(remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ));
	return client;
}

/* a client on the only bank slot (vpcd slot 0) that has had @apdus answered */
static RemsimTestPeer *
one_slot_client_after(PcscFixture *f, const gchar *const *apdus)
{
	RemsimTestPeer *client;

	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);
	for (guint i = 0; apdus[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(apdus[i]);
		g_autoptr(GBytes) got = remsim_test_peer_apdu(client, 0, apdu);

		g_assert_nonnull(got);
	}
	return client;
}

static void
assert_bytes_equal(GBytes *got, GBytes *want)
{
	g_autofree gchar *got_hex = remsim_test_common_bytes_hex(got);
	g_autofree gchar *want_hex = remsim_test_common_bytes_hex(want);

	g_assert_cmpstr(got_hex, ==, want_hex);
}

/* the client's responses to @apdus equal @want, the direct PC/SC ones */
static void
assert_relay_equals(RemsimTestPeer *client, guint16 bank_slot, const gchar *const *apdus,
		    GPtrArray *want)
{
	for (guint i = 0; apdus[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(apdus[i]);
		g_autoptr(GBytes) got = remsim_test_peer_apdu(client, bank_slot, apdu);

		g_assert_nonnull(got);
		assert_bytes_equal(got, want->pdata[i]);
	}
}

typedef enum { CARD_SIM, CARD_VICC_T0, CARD_VICC_T1 } PcscCardKind;

static void
run_relay(PcscFixture *f, PcscCardKind kind)
{
	gboolean vicc = kind != CARD_SIM;
	const gchar *const *apdus = vicc ? vicc_apdus : sim_apdus;
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(GBytes) want_atr = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;

	if (f->env == NULL)
		return;
	f->cards[0] = vicc ? pcsc_card_start_vicc(f->env, 0, kind == CARD_VICC_T1)
			   : pcsc_card_start_sim(f->env, 0, sample);
	if (f->cards[0] == NULL)
		return;
	/* first directly: the bank opens the card exclusively */
	want = pcsc_direct_exchange(reader, apdus, &want_atr);
	fixture_write_slot_file(f, "\"1\",\"0\",\"^" PCSC_TEST_READER " 00 00$\"\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);
	assert_bytes_equal(client_atr(client), want_atr);
	assert_relay_equals(client, 0, apdus, want);
}

static void
test_sim_relay(PcscFixture *f, gconstpointer data)
{
	run_relay(f, CARD_SIM);
}

static void
test_vicc_relay(PcscFixture *f, gconstpointer data)
{
	run_relay(f, CARD_VICC_T0);
}

/* a card that speaks only T=1 works too (upstream's bankd insists on T=0) */
static void
test_vicc_relay_t1(PcscFixture *f, gconstpointer data)
{
	run_relay(f, CARD_VICC_T1);
}

/* an errorInd, a bankSlotStatusInd without the card, or the end of the connection */
static gboolean
client_saw_removal(RemsimTestPeer *client)
{
	g_autoptr(RsproPdu) pdu = NULL;

	if (remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND) > 0 || is_closed(client))
		return TRUE;
	while ((pdu = remsim_test_peer_take(client, RSPRO_MSG_BANK_SLOT_STATUS_IND)) != NULL) {
		const RsproSlotPhysStatus *status = &pdu->u.bank_slot_status_ind.status;

		if (status->has_card_present && !status->card_present)
			return TRUE;
		g_clear_pointer(&pdu, rspro_pdu_free);
	}
	return FALSE;
}

/*
 * A client that lost its card, which had had @n_atrs ATRs, gets it back: in the
 * same session, or by reconnecting.
 */
static RemsimTestPeer *
client_after_reinsert(PcscFixture *f, RemsimTestPeer *client, guint n_atrs, guint16 bank_slot)
{
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) > n_atrs ||
			     is_closed(client));
	if (!is_closed(client))
		return client;
	g_object_unref(client);
	return connect_client(f, bank_slot, 0);
}

static void
test_sim_remove_reinsert(PcscFixture *f, gconstpointer data)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(GBytes) want_atr = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	gint64 t0, elapsed_ms;
	guint n_atrs;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, &want_atr);
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);
	assert_relay_equals(client, 0, sim_apdus, want);

	/* the card process stops: the card is out of the reader */
	t0 = g_get_monotonic_time();
	g_clear_pointer(&f->cards[0], pcsc_card_stop);
	REMSIM_TEST_WAIT_FOR(client_saw_removal(client));
	elapsed_ms = (g_get_monotonic_time() - t0) / 1000;
	g_test_message("removal reached the client after %" G_GINT64_FORMAT " ms", elapsed_ms);
	g_assert_cmpint(elapsed_ms, <=, REMOVAL_REPORT_MS);
	g_assert_true(pcsc_wait_card(reader, FALSE, REMSIM_TEST_TIMEOUT_MS));

	/* back in: the slot recovers without a bankd restart */
	n_atrs = remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ);
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	client = client_after_reinsert(f, client, n_atrs, 0);
	assert_bytes_equal(client_atr(client), want_atr);
	assert_relay_equals(client, 0, sim_apdus, want);
}

/* an errorInd that names @reader came (takes the errorInds) */
static gboolean
error_names_reader(RemsimTestPeer *client, const gchar *reader)
{
	g_autoptr(RsproPdu) pdu = NULL;

	while ((pdu = remsim_test_peer_take(client, RSPRO_MSG_ERROR_IND)) != NULL) {
		if (pdu->u.error_ind.error_string != NULL &&
		    strstr(pdu->u.error_ind.error_string, reader) != NULL)
			return TRUE;
		g_clear_pointer(&pdu, rspro_pdu_free);
	}
	return FALSE;
}

static void
test_sim_lost_mid_apdu(PcscFixture *f, gconstpointer data)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(sim_apdus[0]);
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RemsimTestPeer) again = NULL;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, NULL);
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);

	/* gone before pcscd's next presence check: the APDU itself finds the card missing */
	g_clear_pointer(&f->cards[0], pcsc_card_stop);
	got = remsim_test_peer_apdu(client, 0, apdu);
	if (got == NULL) {
		/* the bank told why before it closed: an errorInd naming the reader */
		g_assert_true(is_closed(client));
		g_assert_true(error_names_reader(client, reader));
	} else {
		/* pcscd noticed first; the answer cannot be the card's */
		g_test_message("APDU answered after removal?");
		g_assert_not_reached();
	}

	/* pcscd may still list the old card until its next presence check */
	g_assert_true(pcsc_wait_card(reader, FALSE, REMSIM_TEST_TIMEOUT_MS));
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	again = connect_client(f, 0, 0);
	assert_relay_equals(again, 0, sim_apdus, want);
}

static void
test_sim_two_readers(PcscFixture *f, gconstpointer data)
{
	g_autofree gchar *reader0 = pcsc_env_reader(0);
	g_autofree gchar *reader1 = pcsc_env_reader(1);
	g_autofree gchar *sample1 = profile("sample-001.json");
	g_autofree gchar *sample2 = profile("sample-002.json");
	g_autoptr(GPtrArray) want0 = NULL, want1 = NULL;
	g_autoptr(RemsimTestPeer) client0 = NULL;
	g_autoptr(RemsimTestPeer) client1 = NULL;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample1);
	f->cards[1] = pcsc_card_start_sim(f->env, 1, sample2);
	want0 = pcsc_direct_exchange(reader0, sim_apdus, NULL);
	want1 = pcsc_direct_exchange(reader1, sim_apdus, NULL);
	/* the ICCIDs differ, so the responses tell the cards apart */
	g_assert_false(g_bytes_equal(want0->pdata[2], want1->pdata[2]));
	/* crossed over, and a row of another bank that must be ignored */
	fixture_write_slot_file(f, "\"2\",\"0\",\"VPCD 00 00\"\n"
				   "\"1\",\"0\",\"VPCD 00 01$\"\n"
				   "\"1\",\"1\",\"VPCD 00 00$\"\n"
				   "\"1\",\"1\",\"VPCD 00 01$\"\n");
	fixture_start_bankd(f, 2, NULL);
	client0 = connect_client(f, 0, 0);
	client1 = connect_client(f, 1, 1);
	assert_relay_equals(client0, 0, sim_apdus, want1);
	assert_relay_equals(client1, 1, sim_apdus, want0);
}

static void
test_sim_pcscd_restart(PcscFixture *f, gconstpointer data)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	guint n_atrs;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, NULL);
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);

	/* the reader disappears with its pcscd ... */
	pcsc_env_stop_pcscd(f->env);
	REMSIM_TEST_WAIT_FOR(client_saw_removal(client));
	/* the card program ends when vpcd closes its socket */
	g_clear_pointer(&f->cards[0], pcsc_card_stop);
	remsim_test_common_spin_for(300);

	/* ... and comes back */
	n_atrs = remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ);
	pcsc_env_start_pcscd(f->env);
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	client = client_after_reinsert(f, client, n_atrs, 0);
	assert_relay_equals(client, 0, sim_apdus, want);
}

/* a warm reset (RST edge from the modem) really resets the card: the selection is gone */
static void
test_sim_reset(PcscFixture *f, gconstpointer data)
{
	static const gchar *const before[] = { "a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2",
					       NULL };
	static const gchar *const after[] = { "a0 b0 00 00 0a", NULL };
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want_after_reset = NULL, want_no_reset = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want_after_reset = pcsc_direct_exchange(reader, after, NULL);
	want_no_reset = pcsc_direct_exchange(reader, sim_apdus, NULL);
	g_assert_false(g_bytes_equal(want_after_reset->pdata[0], want_no_reset->pdata[2]));
	client = one_slot_client_after(f, before);
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	assert_relay_equals(client, 0, after, want_after_reset);
}

/* a new mapping gets a freshly reset card, whatever the last client left selected */
static void
test_sim_new_mapping_resets(PcscFixture *f, gconstpointer data)
{
	static const gchar *const select[] = { "a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2",
					       NULL };
	static const gchar *const read[] = { "a0 b0 00 00 0a", NULL };
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want_fresh = NULL, want_selected = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RemsimTestPeer) next = NULL;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want_fresh = pcsc_direct_exchange(reader, read, NULL);
	want_selected = pcsc_direct_exchange(reader, sim_apdus, NULL);
	g_assert_false(g_bytes_equal(want_fresh->pdata[0], want_selected->pdata[2]));
	client = one_slot_client_after(f, select);
	g_clear_object(&client);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, CLIENT_ID, 0), ==, 0);
	next = connect_client(f, 0, 1);
	assert_relay_equals(next, 0, read, want_fresh);
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
run_share_mode(PcscFixture *f, gboolean shared)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	g_autoptr(RemsimTestPeer) client = NULL;
	LONG rv;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, shared ? "permit-shared=true\n" : NULL);
	client = connect_client(f, 0, 0);
	g_assert_cmphex(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), ==,
			SCARD_S_SUCCESS);
	card = direct_connect(ctx, reader, &rv);
	if (shared) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(sim_apdus[0]);
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
		got = remsim_test_peer_apdu(client, 0, apdu);
		g_assert_null(got);
		g_assert_true(is_closed(client));
		g_assert_true(error_names_reader(client, reader));
		g_clear_object(&client);
		/* the slot recovers on the client's next connection */
		want = pcsc_direct_exchange(reader, sim_apdus, NULL);
		client = connect_client(f, 0, 0);
		assert_relay_equals(client, 0, sim_apdus, want);
	} else {
		g_assert_cmphex(rv, ==, SCARD_E_SHARING_VIOLATION);
	}
	SCardReleaseContext(ctx);
}

static void
test_sim_exclusive(PcscFixture *f, gconstpointer data)
{
	run_share_mode(f, FALSE);
}

static void
test_sim_shared(PcscFixture *f, gconstpointer data)
{
	run_share_mode(f, TRUE);
}

int
main(int argc, char **argv)
{
	pcsc_test_init(argc, argv);
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/pcsc/" name, PcscFixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("sim/relay", test_sim_relay);
	ADD("vicc/relay", test_vicc_relay);
	ADD("vicc/relay-t1", test_vicc_relay_t1);
	ADD("sim/remove-reinsert", test_sim_remove_reinsert);
	ADD("sim/lost-mid-apdu", test_sim_lost_mid_apdu);
	ADD("sim/two-readers", test_sim_two_readers);
	ADD("sim/pcscd-restart", test_sim_pcscd_restart);
	ADD("sim/reset", test_sim_reset);
	ADD("sim/new-mapping-resets", test_sim_new_mapping_resets);
	ADD("sim/exclusive", test_sim_exclusive);
	ADD("sim/shared", test_sim_shared);
	return g_test_run();
}
