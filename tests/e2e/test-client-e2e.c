/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole chain with the real daemons: remsim-server, remsim-bankd with the
 * simulated card, and remsim-client with its shell front end. Every response the
 * shell prints must equal what the simulated card answers when asked directly.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client-test-pcscd.h"
#include "remsim-simcard-card.h"

#define WAIT_MS 20000

typedef struct {
	GSubprocess *proc;
	gchar *dir;
	guint16 rspro_port;
	guint16 rest_port;
	guint16 bank_port; /* bankd only */
} Daemon;

static gboolean
read_port_file(Daemon *d, const gchar *name)
{
	g_autofree gchar *path = g_build_filename(d->dir, name, NULL);

	if (g_strcmp0(name, "port") == 0) {
		d->bank_port = remsim_test_common_read_port_file(path);
		return d->bank_port != 0;
	}
	return remsim_test_common_read_server_ports(path, &d->rspro_port, &d->rest_port);
}

static void
server_start(Daemon *s)
{
	g_autofree gchar *ports = g_build_filename(s->dir, "ports", NULL);

	s->proc = remsim_test_common_server_spawn(g_getenv("REMSIM_SERVER"), s->dir, s->rspro_port,
						  ports);
	TEST_WAIT_FOR(read_port_file(s, "ports"), WAIT_MS);
}

static void
bankd_start(Daemon *b, guint16 server_port)
{
	g_autofree gchar *conf = g_build_filename(b->dir, "bankd.conf", NULL);
	g_autofree gchar *plugins = g_build_filename(b->dir, "plugins", NULL);
	g_autofree gchar *port_file = g_build_filename(b->dir, "port", NULL);
	g_autofree gchar *server = g_strdup_printf("%u", server_port);
	g_autofree gchar *bind_port = g_strdup_printf("%u", b->bank_port);
	g_autofree gchar *advertise = g_strdup_printf("127.0.0.1:%u", b->bank_port);
	const gchar *argv[] = { g_getenv("REMSIM_BANKD"),
				"-c",
				conf,
				"-i",
				"127.0.0.1",
				"-p",
				server,
				"-b",
				"1",
				"-n",
				"2",
				"-I",
				"127.0.0.1",
				"-P",
				bind_port,
				"--advertise",
				advertise,
				"--backend",
				"simcard",
				"--plugin-dir",
				plugins,
				"--port-file",
				port_file,
				"--no-dbus",
				NULL };

	g_unlink(port_file);
	b->proc = remsim_test_common_daemon_spawn(NULL, argv, SIGTERM);
	TEST_WAIT_FOR(read_port_file(b, "port"), WAIT_MS);
}

static void
daemon_stop(Daemon *d, gint sig)
{
	/* a daemon that does not go in time is killed, and fails the test */
	g_assert_true(remsim_test_common_daemon_stop(d->proc, sig, WAIT_MS));
	if (sig == SIGTERM) {
		/* a clean exit: no crash, no sanitizer report */
		g_assert_true(g_subprocess_get_if_exited(d->proc));
		g_assert_cmpint(g_subprocess_get_exit_status(d->proc), ==, 0);
	}
	g_clear_object(&d->proc);
}

static void
map_slot(Daemon *s, guint bank_slot)
{
	g_autofree gchar *body = g_strdup_printf("{\"bank\":{\"bankId\":1,\"slotNr\":%u},"
						 "\"client\":{\"clientId\":23,\"slotNr\":0}}",
						 bank_slot);

	g_assert_cmpuint(remsim_test_common_rest_request(s->rest_port, "POST",
							 "/api/backend/v1/slotmaps", body, NULL),
			 ==, 201);
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

static GBytes *
hex_bytes(const gchar *hex)
{
	gsize n = strlen(hex) / 2;
	guint8 *buf = g_malloc(n);

	for (gsize i = 0; i < n; i++)
		buf[i] = (guint8)((g_ascii_xdigit_value(hex[2 * i]) << 4) |
				  g_ascii_xdigit_value(hex[2 * i + 1]));
	return g_bytes_new_take(buf, n);
}

/* the APDU through the client must get what @card answers directly */
static void
check_apdu(TestClient *client, RemsimSimcardCard *card, const gchar *hex)
{
	g_autoptr(GBytes) apdu = hex_bytes(hex);
	g_autoptr(GBytes) direct = remsim_simcard_card_transmit(card, apdu);
	g_autofree gchar *want_hex = shell_hex(direct);
	g_autofree gchar *want = g_strdup_printf("R-APDU: %s", want_hex);
	g_autofree gchar *line = g_strdup_printf("%s\n", hex);
	guint start = client->lines->len;

	test_client_write(client, line);
	TEST_WAIT_FOR(client->lines->len > start, WAIT_MS);
	g_assert_cmpstr(client->lines->pdata[start], ==, want);
}

static void
wait_for_atr(TestClient *client, RemsimSimcardCard *card, guint start)
{
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(card);
	g_autofree gchar *hex = shell_hex(atr);
	g_autofree gchar *want = g_strdup_printf("SET_ATR: %s", hex);

	TEST_WAIT_FOR(test_client_find_line(client, start, want) >= 0, WAIT_MS);
	/* a new card: the modem side is reset, so is the direct card */
	remsim_simcard_card_reset(card);
}

static const gchar *const gsm_session[] = {
	"A0A40000023F00",
	"A0A40000027F20",
	"A0A40000026F07",
	"A0C000000F",
	"A0B0000009",
	"A0F2000016",
	NULL,
};

/* server and bankd with two simulated cards, and the same cards in this process */
typedef struct {
	gchar *dir;
	Daemon server;
	Daemon bankd;
	RemsimSimcardCard *card1;
	RemsimSimcardCard *card2;
} Chain;

static void
chain_start(Chain *c)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *p1 = NULL, *p2 = NULL, *conf_text = NULL, *conf = NULL;
	g_autofree gchar *plugins = NULL;
	g_auto(GStrv) modules = NULL;
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");

	g_assert_nonnull(srcdir);
	c->dir = g_dir_make_tmp("remsim-client-e2e-XXXXXX", &error);
	g_assert_no_error(error);
	p1 = g_build_filename(srcdir, "data", "cards", "sample-001.json", NULL);
	p2 = g_build_filename(srcdir, "data", "cards", "sample-002.json", NULL);
	c->card1 = remsim_simcard_card_new_from_file(p1, &error);
	g_assert_no_error(error);
	c->card2 = remsim_simcard_card_new_from_file(p2, &error);
	g_assert_no_error(error);

	c->server.dir = g_build_filename(c->dir, "server", NULL);
	c->bankd.dir = g_build_filename(c->dir, "bankd", NULL);
	plugins = g_build_filename(c->bankd.dir, "plugins", NULL);
	g_assert_cmpint(g_mkdir_with_parents(c->server.dir, 0700), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(plugins, 0700), ==, 0);
	modules = g_strsplit(g_getenv("REMSIM_TEST_PLUGINS"), ":", -1);
	for (guint i = 0; modules[i] != NULL; i++) {
		g_autofree gchar *base = g_path_get_basename(modules[i]);
		g_autofree gchar *link = g_build_filename(plugins, base, NULL);

		if (modules[i][0] != '\0')
			g_assert_cmpint(symlink(modules[i], link), ==, 0);
	}
	/* a short back-off: the restarted server is found again quickly */
	conf_text = g_strdup_printf("[bankd]\nbackoff-scale=0.02\n\n[simcard]\nslots=2\n"
				    "profiles=%s;%s\n",
				    p1, p2);
	conf = g_build_filename(c->bankd.dir, "bankd.conf", NULL);
	g_assert_true(g_file_set_contents(conf, conf_text, -1, &error));

	server_start(&c->server);
	/* a fixed port for the bankd, so that the server can tell it and the bank can restart */
	c->bankd.bank_port = test_free_port_pair();
	bankd_start(&c->bankd, c->server.rspro_port);
	map_slot(&c->server, 0);
}

static void
chain_stop(Chain *c)
{
	daemon_stop(&c->bankd, SIGTERM);
	daemon_stop(&c->server, SIGTERM);
	g_free(c->server.dir);
	g_free(c->bankd.dir);
	g_object_unref(c->card1);
	g_object_unref(c->card2);
	remsim_test_common_remove_tree(c->dir);
	g_free(c->dir);
}

static void
test_chain(void)
{
	Chain c = { 0 };
	TestClient *client;
	gint64 t0;
	guint start;

	chain_start(&c);
	{
		const gchar *args[] = { "-c", "23", "-n", "0", NULL };

		client = test_client_spawn(c.server.rspro_port, args, NULL);
	}
	wait_for_atr(client, c.card1, 0);
	for (guint i = 0; gsm_session[i] != NULL; i++)
		check_apdu(client, c.card1, gsm_session[i]);

	/* remap to the other card mid-session */
	g_assert_cmpuint(remsim_test_common_rest_request(c.server.rest_port, "DELETE",
							 "/api/backend/v1/slotmaps/65536", "",
							 NULL),
			 ==, 200);
	start = client->lines->len;
	map_slot(&c.server, 1);
	wait_for_atr(client, c.card2, start);
	check_apdu(client, c.card2, "A0A40000022FE2");
	check_apdu(client, c.card2, "A0B000000A");

	/* the server goes away: the relay does not notice */
	daemon_stop(&c.server, SIGKILL);
	check_apdu(client, c.card2, "A0A40000022FE2");
	check_apdu(client, c.card2, "A0B000000A");
	server_start(&c.server);

	/* the bank restarts on its port: the client is back */
	daemon_stop(&c.bankd, SIGTERM);
	start = client->lines->len;
	t0 = g_get_monotonic_time();
	bankd_start(&c.bankd, c.server.rspro_port);
	wait_for_atr(client, c.card2, start);
	g_test_message("client relaying again %" G_GINT64_FORMAT " ms after the bankd restart",
		       (g_get_monotonic_time() - t0) / 1000);
	check_apdu(client, c.card2, "A0A40000022FE2");
	check_apdu(client, c.card2, "A0B000000A");

	test_client_close_stdin(client);
	TEST_WAIT_FOR(client->exited, WAIT_MS);
	g_assert_cmpint(client->exit_status, ==, 0);
	test_client_free(client);
	chain_stop(&c);
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
run_pcsc_session(Chain *c, const gchar *reader_conf, const gchar *reader)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("remsim-e2e-pcsc-XXXXXX", &error);
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(c->card1);
	g_autofree gchar *atr_hex = pcsc_hex(atr);
	g_autofree gchar *atr_line = g_strdup_printf("ATR %s", atr_hex);
	TestClient *app;

	g_assert_no_error(error);
	app = test_pcscd_app_run(dir, reader_conf, reader, (const gchar *const *)gsm_session);
	if (app != NULL) {
		TEST_WAIT_FOR(test_find_line_prefix(app, "WAIT_REMOVE") != NULL ||
				  test_find_line_prefix(app, "ERROR") != NULL || app->exited,
			      WAIT_MS);
		g_assert_null(test_find_line_prefix(app, "ERROR"));
		g_assert_cmpstr(test_find_line_prefix(app, "ATR "), ==, atr_line);
		remsim_simcard_card_reset(c->card1);
		for (guint i = 0; gsm_session[i] != NULL; i++) {
			g_autoptr(GBytes) apdu = hex_bytes(gsm_session[i]);
			g_autoptr(GBytes) direct = remsim_simcard_card_transmit(c->card1, apdu);
			g_autofree gchar *hex = pcsc_hex(direct);
			g_autofree gchar *want = g_strdup_printf("RSP %s", hex);

			g_assert_cmpstr(app->lines->pdata[2 + i], ==, want);
		}
		/* unmapped over REST: the card leaves the reader */
		g_assert_cmpuint(remsim_test_common_rest_request(c->server.rest_port, "DELETE",
								 "/api/backend/v1/slotmaps/65536",
								 "", NULL),
				 ==, 200);
		TEST_WAIT_FOR(test_find_line_prefix(app, "REMOVED") != NULL, WAIT_MS);
		TEST_WAIT_FOR(app->exited, WAIT_MS);
		g_assert_cmpint(app->exit_status, ==, 0);
		test_client_free(app);
	}
	remsim_test_common_remove_tree(dir);
}

static void
test_chain_vpcd(void)
{
	Chain c = { 0 };
	g_autofree gchar *reader_conf = NULL;
	g_autofree gchar *conf_arg = NULL;
	g_autofree gchar *conf_text = NULL;
	g_autofree gchar *conf_path = NULL;
	TestClient *client;
	guint16 port;

	if (test_pcscd_skip(TEST_VPCD_DRIVER))
		return;
	chain_start(&c);
	port = test_free_port_pair();
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim E2E VPCD\"\nDEVICENAME /dev/null:%u\n"
				      "LIBPATH " TEST_VPCD_DRIVER "\nCHANNELID %u\n",
				      port, port);
	conf_text = g_strdup_printf("[client]\nfrontend=vpcd\nvpcd-port=%u\n", port);
	conf_path = test_write_file(c.dir, "client.conf", conf_text);
	conf_arg = g_strdup_printf("--config=%s", conf_path);
	{
		const gchar *args[] = { "-c", "23", "-n", "0", conf_arg, NULL };

		client = test_client_spawn(c.server.rspro_port, args, NULL);
	}
	run_pcsc_session(&c, reader_conf, "Remsim E2E VPCD 00 00");
	test_client_free(client);
	chain_stop(&c);
}

static void
test_chain_ifd(void)
{
	Chain c = { 0 };
	const gchar *driver = g_getenv("REMSIM_CLIENT_IFD_DRIVER");
	g_autofree gchar *reader_conf = NULL;

	if (driver == NULL) {
		/* sanitizer builds do not load the driver into pcscd (tests/meson.build) */
		g_test_skip("the pcscd reader driver is not tested in this build");
		return;
	}
	if (test_pcscd_skip(driver))
		return;
	chain_start(&c);
	reader_conf = g_strdup_printf("FRIENDLYNAME \"Remsim E2E IFD\"\n"
				      "DEVICENAME 23:0:127.0.0.1:%u\nLIBPATH %s\n",
				      c.server.rspro_port, driver);
	run_pcsc_session(&c, reader_conf, "Remsim E2E IFD 00 00");
	chain_stop(&c);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/e2e/chain", test_chain);
	g_test_add_func("/client/e2e/vpcd", test_chain_vpcd);
	g_test_add_func("/client/e2e/ifd", test_chain_ifd);
	return g_test_run();
}
