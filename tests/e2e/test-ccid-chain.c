/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole chain over the direct CCID backend: remsim-server, remsim-bankd
 * whose readers are those of the CCID device simulator (a process of its own,
 * over a Unix socket, with a simulated SIM behind each slot), and
 * remsim-client with its shell front end. Every response the client prints
 * must equal what the same simulated card answers when asked directly, and
 * the client must see the card's ATR.
 */
#include "config.h"

#include <signal.h>

#include "remsim-simcard-card.h"
#include "remsim-test-daemon.h"

/* a modem's boot: select, read, verify CHV1, authenticate */
static const gchar *const boot_session[] = {
	"A0A40000023F00",
	"A0C0000016",
	"A0A40000022FE2",
	"A0B000000A",
	"A0A40000027F20",
	"A0A40000026F07",
	"A0B0000009",
	"A02000010831323334FFFFFFFF",
	"A08800001000112233445566778899AABBCCDDEEFF",
	"A0C000000C",
	NULL,
};

typedef struct {
	gchar *dir;
	GSubprocess *sim;
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
	RemsimTestDaemon *client;
	RemsimSimcardCard *card;
} CcidChainFixture;

static gchar *
ccid_chain_profile(void)
{
	return g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json",
				NULL);
}

/* remsim-ccid-sim on @socket: one reader, two slots, sample-001 in each */
static GSubprocess *
ccid_chain_start_simulator(const gchar *socket)
{
	g_autofree gchar *profile = ccid_chain_profile();
	const gchar *argv[] = { g_getenv("REMSIM_CCID_SIM"),
				"--socket",
				socket,
				"--profile",
				profile,
				"--slots",
				"2",
				NULL };
	GSubprocess *proc;

	g_assert_nonnull(argv[0]);
	proc = remsim_test_common_daemon_spawn(NULL, argv, SIGTERM);
	/* it listens once its socket is there */
	REMSIM_TEST_WAIT_FOR(g_file_test(socket, G_FILE_TEST_EXISTS));
	return proc;
}

static gchar *
ccid_chain_shell_hex(GBytes *bytes)
{
	GString *s = g_string_new(NULL);
	gsize len;
	const guint8 *p = g_bytes_get_data(bytes, &len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x ", p[i]);
	return g_string_free(s, FALSE);
}

static void
fixture_setup(CcidChainFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *socket = NULL;
	g_autofree gchar *conf = NULL;
	g_autofree gchar *profile = ccid_chain_profile();
	const gchar *client_args[] = { "-c", "23", "-n", "0", NULL };

	f->dir = remsim_test_common_make_dir("remsim-ccid-chain-XXXXXX");
	socket = g_build_filename(f->dir, "sim.sock", NULL);
	f->card = remsim_simcard_card_new_from_file(profile, &error);
	g_assert_no_error(error);
	f->sim = ccid_chain_start_simulator(socket);
	f->server = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER, NULL);
	/* no slot rules: the reader's slots take the bank's slots in order */
	conf = g_strdup_printf("\n[ccid]\nsimulator=%s\n", socket);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.backend = "ccid",
					.n_slots = 2,
					.config = conf,
					.capture_stderr = TRUE });
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "uses reader slot") == 2);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 23, 0), ==, 201);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.args = client_args });
}

static void
fixture_teardown(CcidChainFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	if (f->sim != NULL)
		g_assert_true(
		    remsim_test_common_daemon_stop(f->sim, SIGTERM, REMSIM_TEST_TIMEOUT_MS));
	g_clear_object(&f->sim);
	g_clear_object(&f->card);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

/* the card's ATR reaches the modem side, then every answer is the card's own */
static void
test_relay(CcidChainFixture *f, gconstpointer data)
{
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(f->card);
	g_autofree gchar *atr_hex = ccid_chain_shell_hex(atr);
	g_autofree gchar *atr_line = g_strdup_printf("SET_ATR: %s", atr_hex);
	GPtrArray *lines = remsim_test_daemon_get_lines(f->client);

	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, atr_line) >= 0);
	for (guint i = 0; boot_session[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(boot_session[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card, apdu);
		g_autofree gchar *want_hex = ccid_chain_shell_hex(direct);
		g_autofree gchar *want = g_strdup_printf("R-APDU: %s", want_hex);
		g_autofree gchar *line = g_strdup_printf("%s\n", boot_session[i]);
		guint start = lines->len;

		remsim_test_daemon_write(f->client, line);
		REMSIM_TEST_WAIT_FOR(lines->len > start);
		g_assert_cmpstr(lines->pdata[start], ==, want);
	}
	remsim_test_daemon_close_stdin(f->client);
	g_assert_cmpint(remsim_test_daemon_wait_exit(f->client), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/e2e/ccid/relay", CcidChainFixture, NULL, fixture_setup, test_relay,
		   fixture_teardown);
	return g_test_run();
}
