/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcsc backend end to end: the real remsim-bankd between a scripted server
 * peer and scripted client peers (tests/common), a private pcscd with
 * vsmartcard's vpcd, and as cards the simulated SIM (remsim-vpcd-card) or
 * vsmartcard's vicc. The bank behaves as upstream's where a client can tell: an
 * empty reader is cardNotPresent and the card's ATR follows when it comes, a
 * card is never reset because a client connected, a lost card closes the
 * client's connection without an RSPRO message.
 */
#include "config.h"

#include <PCSC/winscard.h>
#include <string.h>

#include "pcsc-test-env.h"
#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

#define CLIENT_ID 7

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

/* a client on bank slot @bank_slot (mapped now) that said hello: the bank's answer in @result */
static RemsimTestPeer *
connect_client_result(PcscFixture *f, guint16 bank_slot, guint16 client_slot, gint *result)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(CLIENT_ID, client_slot);

	g_assert_cmpint(remsim_test_peer_map(f->server, bank_slot, CLIENT_ID, client_slot), ==, 0);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	*result = remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd));
	return client;
}

/* the client got its ATR (and was not closed first) */
static gboolean
got_atr(RemsimTestPeer *client)
{
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) > 0 ||
			     is_closed(client));
	return remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) > 0;
}

/* a client on bank slot @bank_slot that was accepted and got its ATR */
static RemsimTestPeer *
connect_client(PcscFixture *f, guint16 bank_slot, guint16 client_slot)
{
	gint result;
	RemsimTestPeer *client = connect_client_result(f, bank_slot, client_slot, &result);

	g_assert_cmpint(result, ==, RSPRO_RESULT_OK);
	g_assert_true(got_atr(client));
	return client;
}

/*
 * a client on the only bank slot (vpcd slot 0) of a bank with @bankd_keys
 * that has had @apdus answered
 */
static RemsimTestPeer *
one_slot_client_after(PcscFixture *f, const gchar *bankd_keys, const gchar *const *apdus)
{
	RemsimTestPeer *client;

	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, bankd_keys);
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

/*
 * A client that lost its card (the bank closed its connection, as upstream does)
 * comes back to it: the card may be in again, or its ATR follows once it is.
 */
static RemsimTestPeer *
client_after_reinsert(PcscFixture *f, RemsimTestPeer *client, guint16 bank_slot)
{
	gint result;
	RemsimTestPeer *again;

	g_assert_true(is_closed(client));
	g_object_unref(client);
	again = connect_client_result(f, bank_slot, 0, &result);
	g_assert_true(result == RSPRO_RESULT_OK || result == RSPRO_RESULT_CARD_NOT_PRESENT);
	g_assert_true(got_atr(again));
	return again;
}

static void
test_sim_remove_reinsert(PcscFixture *f, gconstpointer data)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(GBytes) want_atr = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	gint64 t0;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, &want_atr);
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);
	assert_relay_equals(client, 0, sim_apdus, want);

	/*
	 * the card process stops: the card is out of the reader, and, as upstream,
	 * the client's connection ends with it, without an RSPRO message (pcscd's
	 * event, no polling: a wait, never timed)
	 */
	t0 = g_get_monotonic_time();
	g_clear_pointer(&f->cards[0], pcsc_card_stop);
	REMSIM_TEST_WAIT_FOR(is_closed(client));
	g_test_message("removal reached the client after %" G_GINT64_FORMAT " ms",
		       (g_get_monotonic_time() - t0) / 1000);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_BANK_SLOT_STATUS_IND), ==, 0);
	g_assert_true(pcsc_wait_card(reader, FALSE, REMSIM_TEST_TIMEOUT_MS));

	/* back in: the slot recovers without a bankd restart */
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	client = client_after_reinsert(f, client, 0);
	assert_bytes_equal(client_atr(client), want_atr);
	assert_relay_equals(client, 0, sim_apdus, want);
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
		/* as upstream: the bank closed, and said nothing */
		g_assert_true(is_closed(client));
		g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
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

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, NULL);
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client(f, 0, 0);

	/* the reader disappears with its pcscd, and the client's connection with it ... */
	pcsc_env_stop_pcscd(f->env);
	REMSIM_TEST_WAIT_FOR(is_closed(client));
	/* the card program ends when vpcd closes its socket */
	g_clear_pointer(&f->cards[0], pcsc_card_stop);

	/* ... and comes back */
	pcsc_env_start_pcscd(f->env);
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	client = client_after_reinsert(f, client, 0);
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
	client = one_slot_client_after(f, NULL, before);
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	assert_relay_equals(client, 0, after, want_after_reset);
}

/*
 * A new mapping's client finds a fresh card, whatever the last client left
 * selected: the last session's end powered the card down, as upstream's does
 * (not a reset when the client connects: see no-reset-on-connect). The bank's
 * inventory read, which would open the card between the sessions and leave
 * files of its own selected, stays off: the session's end alone is tested.
 */
static void
test_sim_new_mapping_fresh(PcscFixture *f, gconstpointer data)
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
	client = one_slot_client_after(f, "inventory=false\n", select);
	g_clear_object(&client);
	g_assert_cmpint(remsim_test_peer_unmap(f->server, 0, CLIENT_ID, 0), ==, 0);
	next = connect_client(f, 0, 1);
	assert_relay_equals(next, 0, read, want_fresh);
}

/* one APDU on an open PC/SC handle; returns its response */
static GBytes *
direct_transmit(SCARDHANDLE card, DWORD protocol, const gchar *hex)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(hex);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(apdu, &len);
	guint8 rx[258];
	DWORD rx_len = sizeof(rx);

	g_assert_cmphex(SCardTransmit(card,
				      protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0,
				      data, len, NULL, rx, &rx_len),
			==, SCARD_S_SUCCESS);
	return g_bytes_new(rx, rx_len);
}

/*
 * As upstream, the bank opens the card and reads its ATR, and resets it only
 * when the modem asks: a file another program selected on the (shared) card is
 * still selected for the bank's client, until the client's RST edge.
 */
static void
test_sim_no_reset_on_connect(PcscFixture *f, gconstpointer data)
{
	static const gchar *const read[] = { "a0 b0 00 00 0a", NULL };
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want_fresh = NULL, want_selected = NULL;
	g_autoptr(GPtrArray) want_read =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(RemsimTestPeer) client = NULL;
	SCARDCONTEXT ctx;
	SCARDHANDLE card = 0;
	DWORD protocol = 0;

	if (f->env == NULL)
		return;
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want_fresh = pcsc_direct_exchange(reader, read, NULL);
	want_selected = pcsc_direct_exchange(reader, sim_apdus, NULL);
	g_assert_false(g_bytes_equal(want_fresh->pdata[0], want_selected->pdata[2]));
	/* another program selects EF ICCID and keeps the card open */
	g_assert_cmphex(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), ==,
			SCARD_S_SUCCESS);
	g_assert_cmphex(SCardConnect(ctx, reader, SCARD_SHARE_SHARED,
				     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol),
			==, SCARD_S_SUCCESS);
	for (guint i = 0; i < 2; i++)
		g_bytes_unref(direct_transmit(card, protocol, sim_apdus[i]));
	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	/* upstream's bank has no inventory, whose read would select files of its own */
	fixture_start_bankd(f, 1, "permit-shared=true\ninventory=false\n");
	client = connect_client(f, 0, 0);
	/* the selection survived the client's arrival: EF ICCID reads as it did directly */
	g_ptr_array_add(want_read, g_bytes_ref(want_selected->pdata[2]));
	assert_relay_equals(client, 0, read, want_read);
	/* the modem's reset does reset the card: nothing is selected any more */
	remsim_test_peer_send_status(client, 0, TRUE, TRUE);
	remsim_test_peer_send_status(client, 0, TRUE, FALSE);
	assert_relay_equals(client, 0, read, want_fresh);
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
}

/*
 * An empty reader: the mapped client hears cardNotPresent and stays; the card
 * that comes later is opened, and its ATR goes out as setAtrReq on the same
 * connection (upstream's behaviour, with the insertion seen at once)
 */
static void
test_sim_empty_reader(PcscFixture *f, gconstpointer data)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = profile("sample-001.json");
	g_autoptr(GPtrArray) want = NULL;
	g_autoptr(GBytes) want_atr = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	gint result;

	if (f->env == NULL)
		return;
	/* what the card answers directly, then out with it */
	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	want = pcsc_direct_exchange(reader, sim_apdus, &want_atr);
	g_clear_pointer(&f->cards[0], pcsc_card_stop);
	g_assert_true(pcsc_wait_card(reader, FALSE, REMSIM_TEST_TIMEOUT_MS));

	fixture_write_slot_file(f, "1,0,VPCD 00 00\n");
	fixture_start_bankd(f, 1, NULL);
	client = connect_client_result(f, 0, 0, &result);
	g_assert_cmpint(result, ==, RSPRO_RESULT_CARD_NOT_PRESENT);
	/* a negative check: the client stays, and hears nothing more */
	remsim_test_common_spin_for(300);
	g_assert_false(is_closed(client));
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_ERROR_IND), ==, 0);
	g_assert_cmpuint(remsim_test_peer_count(f->server, RSPRO_MSG_ERROR_IND), ==, 0);

	f->cards[0] = pcsc_card_start_sim(f->env, 0, sample);
	g_assert_true(got_atr(client));
	assert_bytes_equal(client_atr(client), want_atr);
	assert_relay_equals(client, 0, sim_apdus, want);
	g_assert_cmpuint(remsim_test_peer_get_n_sessions(client), ==, 1);
	g_assert_cmpuint(remsim_test_peer_count(client, RSPRO_MSG_CONNECT_CLIENT_RES), ==, 1);
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
	/* the test opens the card itself, exclusively, right after a session: the bank's
	 * inventory read, which would hold the card then, stays off */
	fixture_start_bankd(f, 1, shared ? "permit-shared=true\ninventory=false\n" : NULL);
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
	ADD("sim/new-mapping-fresh", test_sim_new_mapping_fresh);
	ADD("sim/no-reset-on-connect", test_sim_no_reset_on_connect);
	ADD("sim/empty-reader", test_sim_empty_reader);
	ADD("sim/exclusive", test_sim_exclusive);
	ADD("sim/shared", test_sim_shared);
	return g_test_run();
}
