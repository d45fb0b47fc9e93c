/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole chain with the real daemons: remsim-server, remsim-bankd with the
 * simulated card, and remsim-client with its shell front end, its vpcd front
 * end and its pcscd reader driver. Every response the client gives must equal
 * what the simulated card answers when asked directly.
 */
#include "config.h"

#include <string.h>

#include "remsim-simcard-card.h"
#include "remsim-test-pcscd.h"

static const gchar *const gsm_session[] = {
	"A0A40000023F00",
	"A0A40000027F20",
	"A0A40000026F07",
	"A0C000000F",
	"A0B0000009",
	"A0F2000016",
	NULL,
};

/* server and bankd with two simulated cards, the same cards in this process */
typedef struct {
	gchar *dir;
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
	RemsimTestDaemon *client;
	RemsimSimcardCard *card1;
	RemsimSimcardCard *card2;
} ChainFixture;

static void
map_slot(ChainFixture *f, guint bank_slot)
{
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, bank_slot, 23, 0), ==,
			 201);
}

static void
unmap_slot(ChainFixture *f)
{
	g_assert_cmpuint(remsim_test_daemon_rest(f->server, "DELETE",
						 "/api/backend/v1/slotmaps/65536", NULL, NULL, NULL,
						 NULL),
			 ==, 200);
}

static void
fixture_setup(ChainFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *p1 = NULL, *p2 = NULL, *conf = NULL, *advertise = NULL;
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	guint16 bank_port;

	g_assert_nonnull(srcdir);
	f->dir = remsim_test_common_make_dir("remsim-client-e2e-XXXXXX");
	p1 = g_build_filename(srcdir, "data", "cards", "sample-001.json", NULL);
	p2 = g_build_filename(srcdir, "data", "cards", "sample-002.json", NULL);
	f->card1 = remsim_simcard_card_new_from_file(p1, &error);
	g_assert_no_error(error);
	f->card2 = remsim_simcard_card_new_from_file(p2, &error);
	g_assert_no_error(error);

	f->server = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER, NULL);
	/* a fixed port for the bankd, so that the server can tell it and the bank can restart */
	bank_port = remsim_test_common_free_port_pair();
	advertise = g_strdup_printf("127.0.0.1:%u", bank_port);
	conf = g_strdup_printf("\n[simcard]\nslots=2\nprofiles=%s;%s\n", p1, p2);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){
		.server_port = remsim_test_daemon_get_port(f->server),
		.port = bank_port,
		.backend = "simcard",
		.n_slots = 2,
		.config = conf,
		.args = (const gchar *const[]){ "--advertise", advertise, NULL } });
	map_slot(f, 0);
}

static void
fixture_teardown(ChainFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_clear_object(&f->card1);
	g_clear_object(&f->card2);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

static gchar *
shell_hex(GBytes *bytes)
{
	GString *s = g_string_new(NULL);
	gsize len;
	const guint8 *p = g_bytes_get_data(bytes, &len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x ", p[i]);
	return g_string_free(s, FALSE);
}

/* the APDU through the client must get what @card answers directly */
static void
check_apdu(RemsimTestDaemon *client, RemsimSimcardCard *card, const gchar *hex)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(hex);
	g_autoptr(GBytes) direct = remsim_simcard_card_transmit(card, apdu);
	g_autofree gchar *want_hex = shell_hex(direct);
	g_autofree gchar *want = g_strdup_printf("R-APDU: %s", want_hex);
	g_autofree gchar *line = g_strdup_printf("%s\n", hex);
	GPtrArray *lines = remsim_test_daemon_get_lines(client);
	guint start = lines->len;

	remsim_test_daemon_write(client, line);
	REMSIM_TEST_WAIT_FOR(lines->len > start);
	g_assert_cmpstr(lines->pdata[start], ==, want);
}

static void
wait_for_atr(RemsimTestDaemon *client, RemsimSimcardCard *card, guint start)
{
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(card);
	g_autofree gchar *hex = shell_hex(atr);
	g_autofree gchar *want = g_strdup_printf("SET_ATR: %s", hex);

	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(client, start, want) >= 0);
	/* a new card: the modem side is reset, so is the direct card */
	remsim_simcard_card_reset(card);
}

/* the chain, and the client's shell that got the first card */
static void
shell_setup(ChainFixture *f, gconstpointer data)
{
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };

	fixture_setup(f, data);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.args = args });
	wait_for_atr(f->client, f->card1, 0);
}

/* a modem's first commands; at the end of its input the shell ends, with status 0 */
static void
test_relay(ChainFixture *f, gconstpointer data)
{
	for (guint i = 0; gsm_session[i] != NULL; i++)
		check_apdu(f->client, f->card1, gsm_session[i]);
	remsim_test_daemon_close_stdin(f->client);
	g_assert_cmpint(remsim_test_daemon_wait_exit(f->client), ==, 0);
}

/* remapped to the other card mid-session */
static void
test_remap(ChainFixture *f, gconstpointer data)
{
	guint start;

	check_apdu(f->client, f->card1, gsm_session[0]);
	unmap_slot(f);
	start = remsim_test_daemon_get_lines(f->client)->len;
	map_slot(f, 1);
	wait_for_atr(f->client, f->card2, start);
	check_apdu(f->client, f->card2, "A0A40000022FE2");
	check_apdu(f->client, f->card2, "A0B000000A");
}

/* the server goes away: the relay does not notice */
static void
test_server_killed(ChainFixture *f, gconstpointer data)
{
	remsim_test_daemon_kill(f->server);
	check_apdu(f->client, f->card1, "A0A40000022FE2");
	check_apdu(f->client, f->card1, "A0B000000A");
	remsim_test_daemon_start(f->server);
}

/* the bank restarts on its port: the client is back */
static void
test_bankd_restart(ChainFixture *f, gconstpointer data)
{
	guint start;
	gint64 t0;

	check_apdu(f->client, f->card1, "A0A40000022FE2");
	remsim_test_daemon_stop(f->bankd);
	start = remsim_test_daemon_get_lines(f->client)->len;
	t0 = g_get_monotonic_time();
	remsim_test_daemon_start(f->bankd);
	wait_for_atr(f->client, f->card1, start);
	g_test_message("client relaying again %" G_GINT64_FORMAT " ms after the bankd restart",
		       (g_get_monotonic_time() - t0) / 1000);
	check_apdu(f->client, f->card1, "A0A40000022FE2");
	check_apdu(f->client, f->card1, "A0B000000A");
}

/* pyscard's format: "9F 17" */
static gchar *
pcsc_hex(GBytes *bytes)
{
	g_autofree gchar *lower = shell_hex(bytes);
	gchar *up = g_ascii_strup(lower, -1);

	return g_strchomp(up);
}

/* a PC/SC program, through pcscd and the front end, gets what the card answers */
static void
run_pcsc_session(ChainFixture *f, const gchar *reader_conf, const gchar *reader)
{
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(f->card1);
	g_autofree gchar *atr_hex = pcsc_hex(atr);
	g_autofree gchar *atr_line = g_strdup_printf("ATR %s", atr_hex);
	g_autoptr(RemsimTestDaemon) app = NULL;
	GPtrArray *lines;

	app = remsim_test_pcscd_run_app(f->dir, reader_conf, reader,
					(const gchar *const *)gsm_session);
	if (app == NULL)
		return;
	lines = remsim_test_daemon_get_lines(app);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(app, "WAIT_REMOVE") != NULL ||
			     remsim_test_daemon_find_prefix(app, "ERROR") != NULL ||
			     remsim_test_daemon_has_exited(app));
	g_assert_null(remsim_test_daemon_find_prefix(app, "ERROR"));
	g_assert_cmpstr(remsim_test_daemon_find_prefix(app, "ATR "), ==, atr_line);
	remsim_simcard_card_reset(f->card1);
	for (guint i = 0; gsm_session[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(gsm_session[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card1, apdu);
		g_autofree gchar *hex = pcsc_hex(direct);
		g_autofree gchar *want = g_strdup_printf("RSP %s", hex);

		g_assert_cmpstr(lines->pdata[2 + i], ==, want);
	}
	/* unmapped over REST: the card leaves the reader */
	unmap_slot(f);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(app, "REMOVED") != NULL);
	g_assert_cmpint(remsim_test_daemon_wait_exit(app), ==, 0);
}

static void
test_chain_vpcd(ChainFixture *f, gconstpointer data)
{
	g_autofree gchar *reader_conf = NULL;
	g_autofree gchar *conf = NULL;
	const gchar *args[] = { "-c", "23", "-n", "0", NULL };
	guint16 port;

	if (remsim_test_pcscd_skip(REMSIM_TEST_PCSCD_VPCD_DRIVER))
		return;
	port = remsim_test_common_free_port_pair();
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim E2E VPCD\"\nDEVICENAME /dev/null:%u\n"
				      "LIBPATH " REMSIM_TEST_PCSCD_VPCD_DRIVER "\nCHANNELID %u\n",
				      port, port);
	conf = g_strdup_printf("[client]\nfrontend=vpcd\nvpcd-port=%u\n", port);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.config = conf,
					.args = args });
	run_pcsc_session(f, reader_conf, "Remsim E2E VPCD 00 00");
}

static void
test_chain_ifd(ChainFixture *f, gconstpointer data)
{
	const gchar *driver = g_getenv("REMSIM_CLIENT_IFD_DRIVER");
	g_autofree gchar *reader_conf = NULL;

	if (remsim_test_pcscd_skip(driver))
		return;
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim E2E IFD\"\n"
				      "DEVICENAME 23:0:127.0.0.1:%u\nLIBPATH %s\n",
				      remsim_test_daemon_get_port(f->server), driver);
	run_pcsc_session(f, reader_conf, "Remsim E2E IFD 00 00");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, setup, fn)                                                                       \
	g_test_add("/e2e/client/" name, ChainFixture, NULL, setup, fn, fixture_teardown)
	ADD("relay", shell_setup, test_relay);
	ADD("remap", shell_setup, test_remap);
	ADD("server-killed", shell_setup, test_server_killed);
	ADD("bankd-restart", shell_setup, test_bankd_restart);
	ADD("vpcd", fixture_setup, test_chain_vpcd);
	/* the build says "none" where pcscd cannot load the driver (tests/meson.build) */
	if (g_strcmp0(g_getenv("REMSIM_CLIENT_IFD_DRIVER"), "none") != 0)
		ADD("ifd", fixture_setup, test_chain_ifd);
	return g_test_run();
}
