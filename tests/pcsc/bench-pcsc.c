/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * APDUs per second and mean latency, in the same run and against the same fast
 * card (the simulated SIM behind vpcd): directly with SCardTransmit, and
 * through client → remsim-bankd (pcsc backend) → pcscd → card. The difference
 * of the means is what the relay adds per APDU.
 */
#include "config.h"

#include <PCSC/winscard.h>

#include "bankd-test-harness.h"
#include "pcsc-test-env.h"

#define CLIENT_ID 3
#define WARMUP 200

static const gchar *const apdus_hex[] = {
	"a0 a4 00 00 02 3f 00", "a0 a4 00 00 02 2f e2", "a0 b0 00 00 0a", "a0 f2 00 00 16", NULL,
};

static guint
n_apdus(void)
{
	const gchar *n = g_getenv("REMSIM_BENCH_APDUS");

	return n != NULL ? (guint)g_ascii_strtoull(n, NULL, 10) : 5000;
}

static GPtrArray *
make_apdus(void)
{
	GPtrArray *apdus = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	for (guint i = 0; apdus_hex[i] != NULL; i++)
		g_ptr_array_add(apdus, test_hex_bytes(apdus_hex[i]));
	return apdus;
}

/* seconds for @n APDUs sent directly */
static gdouble
run_direct(const gchar *reader, GPtrArray *apdus, guint n)
{
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol = 0;
	gint64 t0 = 0;

	g_assert_cmphex(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), ==,
			SCARD_S_SUCCESS);
	/* the bank lets go of the card on its worker thread, just after the client left */
	for (guint tries = 0;; tries++) {
		LONG rv = SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE,
				       SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);

		if (rv == SCARD_E_SHARING_VIOLATION && tries < 500) {
			g_usleep(10000);
			continue;
		}
		g_assert_cmphex(rv, ==, SCARD_S_SUCCESS);
		break;
	}
	for (guint i = 0; i < WARMUP + n; i++) {
		GBytes *apdu = apdus->pdata[i % apdus->len];
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(apdu, &len);
		guint8 rx[512];
		DWORD rx_len = sizeof(rx);

		if (i == WARMUP)
			t0 = g_get_monotonic_time();
		g_assert_cmphex(SCardTransmit(card, SCARD_PCI_T0, data, len, NULL, rx, &rx_len), ==,
				SCARD_S_SUCCESS);
	}
	t0 = g_get_monotonic_time() - t0;
	SCardDisconnect(card, SCARD_UNPOWER_CARD);
	SCardReleaseContext(ctx);
	return t0 / 1e6;
}

/* seconds for @n APDUs through the bank */
static gdouble
run_relay(guint16 port, TestServer *server, GPtrArray *apdus, guint n)
{
	TestClient *client;
	gint64 t0 = 0;

	g_assert_cmpint(test_server_map(server, 0, CLIENT_ID, 0), ==, 0);
	client = test_client_connect(port, CLIENT_ID, 0);
	g_assert_nonnull(client);
	g_assert_cmpint(client->result, ==, 0);
	g_assert_true(test_client_wait_atr(client));
	for (guint i = 0; i < WARMUP + n; i++) {
		g_autoptr(GBytes) response = NULL;

		if (i == WARMUP)
			t0 = g_get_monotonic_time();
		response = test_client_apdu(client, 0, apdus->pdata[i % apdus->len]);
		g_assert_nonnull(response);
	}
	t0 = g_get_monotonic_time() - t0;
	test_client_free(client);
	g_assert_cmpint(test_server_unmap(server, 0, CLIENT_ID, 0), ==, 0);
	return t0 / 1e6;
}

static void
report(const gchar *what, guint n, gdouble seconds)
{
	g_print("%-38s %9.0f APDUs/s   mean %.4f ms\n", what, n / seconds, seconds * 1e3 / n);
}

/*
 * For reference, the same client and bankd with the in-process simulated card
 * (simcard backend): the RSPRO and client share of the added time, without
 * PC/SC and without the backend's worker thread.
 */
static void
bench_rspro_share(const gchar *sample, GPtrArray *apdus, guint n)
{
	g_autofree gchar *conf = g_strdup_printf("profiles=%s\nslots=1\n", sample);
	TestServer *server = test_server_new();
	TestBankd *bankd = test_bankd_start("simcard", 1, server->port, conf);
	gdouble seconds;

	g_assert_true(test_server_wait_hellos(server, 1));
	seconds = run_relay(bankd->port, server, apdus, n);
	report("client -> bankd (simcard, no PC/SC):", n, seconds);
	test_bankd_stop(bankd);
	test_server_free(server);
}

static void
bench_relay(void)
{
	g_autofree gchar *reader = pcsc_env_reader(0);
	g_autofree gchar *sample = pcsc_test_source_path("data", "cards", "sample-001.json", NULL);
	g_autofree gchar *slot_file = NULL;
	g_autofree gchar *conf = NULL;
	g_autoptr(GPtrArray) apdus = make_apdus();
	PcscTestEnv *env = pcsc_env_start();
	GSubprocess *card;
	TestServer *server;
	TestBankd *bankd;
	guint n = n_apdus();
	gdouble direct = 0, relay = 0;

	if (env == NULL)
		return;
	card = pcsc_card_start_sim(env, 0, sample);
	slot_file = g_build_filename(env->dir, "slots.csv", NULL);
	g_assert_true(g_file_set_contents(slot_file, "1,0,VPCD 00 00$\n", -1, NULL));
	conf = g_strdup_printf("slot-file=%s\n", slot_file);
	server = test_server_new();
	bankd = test_bankd_start("pcsc", 1, server->port, conf);
	g_assert_true(test_server_wait_hellos(server, 1));

	/* interleaved rounds, so that drift in machine load hits both paths alike */
	for (guint round = 0; round < 2; round++) {
		direct += run_direct(reader, apdus, n);
		relay += run_relay(bankd->port, server, apdus, n);
	}
	g_print("\n%u APDUs per path (2 rounds of %u), simulated SIM behind vpcd\n", 2 * n, n);
	report("direct SCardTransmit:", 2 * n, direct);
	report("client -> bankd -> pcscd -> card:", 2 * n, relay);
	g_print("added by the relay: %.4f ms per APDU (goal: at most 0.040 ms)\n",
		(relay - direct) * 1e3 / (2 * n));
	test_bankd_stop(bankd);
	test_server_free(server);
	bench_rspro_share(sample, apdus, n);

	pcsc_card_stop(card);
	pcsc_env_stop(env);
}

int
main(int argc, char **argv)
{
	pcsc_test_init(argc, argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcsc/bench/relay", bench_relay);
	return g_test_run();
}
