/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the daemons keep to themselves: a card profile holds Ki, OPc and PINs,
 * so one that every user may read is named in a warning at start; and while
 * the whole chain (server, bankd with the simulated card, client with its
 * shell) relays a PIN check and a GSM authentication with debug logging on,
 * none of the card's keys, the PIN, the RAND or the card's answer shows in any
 * daemon's log, on D-Bus or over REST, until --log-personal-info is put in
 * force (then the bank's log shows the PIN: the search can see it).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "remsim-dbus-names.h"
#include "remsim-simcard-card.h"
#include "remsim-test-daemon.h"
#include "remsim-test-dbus.h"
#include "remsim-test-peer.h"

/* sample-001.json's */
#define KI "1213bb62405183657a3539b6e6c3b852"
#define OPC "6469b2b8cf91c972a26ca2946115ac78"
/* VERIFY CHV1 with PIN 1234, and the PIN as the APDU carries it */
#define VERIFY_PIN "A02000010831323334FFFFFFFF"
#define PIN_DATA "31323334FFFFFFFF"
#define RAND "00112233445566778899AABBCCDDEEFF"
#define RUN_GSM "A088000010" RAND
#define GET_RESPONSE "A0C000000C"

static const gchar *const session[] = { "A0A40000023F00", "A0A40000027F20", VERIFY_PIN,
					RUN_GSM,	  GET_RESPONSE,	    NULL };

/* a copy of sample-001.json in @dir with @mode */
static gchar *
copy_profile(const gchar *dir, const gchar *name, gint mode)
{
	g_autofree gchar *src =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *text = NULL;
	gchar *path = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_get_contents(src, &text, NULL, NULL));
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_assert_cmpint(g_chmod(path, mode), ==, 0);
	return path;
}

/*
 * Two profiles, one that every user may read: one warning at start names it,
 * and not the other.
 */
static void
test_profile_mode(void)
{
	g_autofree gchar *dir = remsim_test_common_make_dir("remsim-secrets-XXXXXX");
	g_autofree gchar *open = copy_profile(dir, "open.json", 0644);
	g_autofree gchar *closed = copy_profile(dir, "closed.json", 0640);
	g_autofree gchar *conf =
	    g_strdup_printf("[simcard]\nslots=3\nprofiles=%s;%s\n", open, closed);
	g_autoptr(RemsimTestPeer) server = remsim_test_peer_new_server();
	g_autoptr(RemsimTestDaemon) bankd = NULL;
	g_autofree gchar *log = NULL;
	const gchar *line;

	remsim_test_peer_serve(server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
	bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
					.backend = "simcard",
					.n_slots = 3,
					.config = conf,
					.capture_stderr = TRUE });
	remsim_test_peer_wait_hellos(server, 1);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(bankd, "every user of this host may read"),
			 ==, 1);
	log = remsim_test_daemon_get_stderr(bankd);
	line = strstr(log, "every user of this host may read");
	g_assert_nonnull(strstr(line, open));
	g_assert_null(strstr(line, closed));
	remsim_test_daemon_stop(bankd);
	remsim_test_common_remove_tree(dir);
}

/* --- the chain --- */

typedef struct {
	gchar *dir;
	RemsimTestDbus *tbus;
	GDBusConnection *bus;
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
	RemsimTestDaemon *client;
	RemsimSimcardCard *card;
	GPtrArray *secrets; /* GBytes: what must not show */
} SecretsFixture;

static void
secrets_setup(SecretsFixture *f, gconstpointer data)
{
	g_autofree gchar *profile = NULL;
	g_autofree gchar *conf = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *address;
	const gchar *client_args[] = { "-c", "23", "-n", "0", NULL };

	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->dir = remsim_test_common_make_dir("remsim-secrets-XXXXXX");
	profile = copy_profile(f->dir, "card.json", 0640);
	f->card = remsim_simcard_card_new_from_file(profile, &error);
	g_assert_no_error(error);
	f->tbus = remsim_test_dbus_up(&f->bus);
	address = remsim_test_dbus_get_address(f->tbus);

	f->server =
	    remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER,
				     &(RemsimTestDaemonOptions){ .config = "[server]\ndebug=true\n",
								 .bus_address = address,
								 .capture_stderr = TRUE });
	conf = g_strdup_printf("debug=true\n[simcard]\nslots=1\nprofiles=%s\n", profile);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.backend = "simcard",
					.n_slots = 1,
					.config = conf,
					.bus_address = address,
					.capture_stderr = TRUE });
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 23, 0), ==, 201);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.config = "[client]\ndebug=true\n",
					.args = client_args,
					.bus_address = address,
					.capture_stderr = TRUE });
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(f->client, "SET_ATR: ") != NULL);

	f->secrets = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_ptr_array_add(f->secrets, remsim_test_common_hex_bytes(KI));
	g_ptr_array_add(f->secrets, remsim_test_common_hex_bytes(OPC));
	g_ptr_array_add(f->secrets, remsim_test_common_hex_bytes(PIN_DATA));
	g_ptr_array_add(f->secrets, remsim_test_common_hex_bytes(RAND));
}

static void
secrets_teardown(SecretsFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_clear_object(&f->card);
	g_clear_pointer(&f->secrets, g_ptr_array_unref);
	if (f->tbus != NULL)
		remsim_test_dbus_down(f->tbus, &f->bus);
	f->tbus = NULL;
	if (f->dir != NULL)
		remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

/* "00 a4" or "00A4": the hex of @bytes, each way a log may write it */
static gchar *
hex_text(GBytes *bytes, gboolean upper, gboolean spaced)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(bytes, &len);
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, upper ? "%s%02X" : "%s%02x", spaced && i ? " " : "",
				       p[i]);
	return g_string_free(s, FALSE);
}

/* the first secret @text shows, in any spelling, or NULL */
static gchar *
find_secret_text(SecretsFixture *f, const gchar *text)
{
	for (guint i = 0; i < f->secrets->len; i++)
		for (guint form = 0; form < 4; form++) {
			g_autofree gchar *hex = hex_text(f->secrets->pdata[i], form & 1, form & 2);

			if (strstr(text, hex) != NULL)
				return g_steal_pointer(&hex);
		}
	return NULL;
}

/* a secret among the bytes of @value (strings, byte arrays, everything), or FALSE */
static gboolean
find_secret_bytes(SecretsFixture *f, GVariant *value)
{
	gsize len = g_variant_get_size(value);
	const guint8 *data = g_variant_get_data(value);

	for (guint i = 0; i < f->secrets->len; i++) {
		gsize slen = 0;
		const guint8 *s = g_bytes_get_data(f->secrets->pdata[i], &slen);

		for (gsize at = 0; at + slen <= len; at++)
			if (memcmp(data + at, s, slen) == 0)
				return TRUE;
	}
	return FALSE;
}

/*
 * @daemon's log (stderr, and stdout where GLib puts debug lines); of the
 * client's stdout, what is not its shell's output (the R-APDU lines show the
 * card's answers: that is the shell's job)
 */
static void
assert_log_clean(SecretsFixture *f, RemsimTestDaemon *daemon, const gchar *what)
{
	g_autofree gchar *err = remsim_test_daemon_get_stderr(daemon);
	g_autoptr(GString) log = g_string_new(err);
	g_autofree gchar *found = NULL;

	if (remsim_test_daemon_get_kind(daemon) == REMSIM_TEST_DAEMON_CLIENT) {
		GPtrArray *lines = remsim_test_daemon_get_lines(daemon);

		for (guint i = 0; i < lines->len; i++)
			if (!g_str_has_prefix(lines->pdata[i], "R-APDU: ") &&
			    !g_str_has_prefix(lines->pdata[i], "SET_ATR: "))
				g_string_append_printf(log, "%s\n", (const gchar *)lines->pdata[i]);
	}
	found = find_secret_text(f, log->str);
	g_test_message("%s: %zu bytes of log", what, log->len);
	if (found != NULL)
		g_error("%s's log shows %s", what, found);
}

/* everything @name publishes (GetManagedObjects), as D-Bus carries it and as text */
static void
assert_dbus_clean(SecretsFixture *f, const gchar *name, const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) objects = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *found = NULL;

	/* a daemon owns its name once it is up, which may be after it relays */
	g_assert_true(remsim_test_dbus_wait_name(f->bus, name, REMSIM_TEST_TIMEOUT_MS));
	objects = g_dbus_connection_call_sync(
	    f->bus, name, path, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
	    NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	g_assert_no_error(error);
	text = g_variant_print(objects, FALSE);
	g_test_message("%s: %zu bytes on D-Bus", name, g_variant_get_size(objects));
	found = find_secret_text(f, text);
	if (found != NULL)
		g_error("%s shows %s on D-Bus", name, found);
	if (find_secret_bytes(f, objects))
		g_error("%s shows a secret's bytes on D-Bus", name);
}

static void
assert_rest_clean(SecretsFixture *f, const gchar *path)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *found = NULL;

	g_assert_cmpuint(remsim_test_daemon_rest(f->server, "GET", path, NULL, NULL, &body, NULL),
			 ==, 200);
	found = find_secret_text(f, body);
	if (found != NULL)
		g_error("REST %s shows %s", path, found);
}

/* @apdu through the client's shell; its answer must be the card's own */
static GBytes *
relay(SecretsFixture *f, const gchar *apdu_hex)
{
	g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(apdu_hex);
	GBytes *direct = remsim_simcard_card_transmit(f->card, apdu);
	g_autofree gchar *want_hex = hex_text(direct, FALSE, TRUE);
	g_autofree gchar *want = g_strdup_printf("R-APDU: %s ", want_hex);
	g_autofree gchar *line = g_strdup_printf("%s\n", apdu_hex);
	GPtrArray *lines = remsim_test_daemon_get_lines(f->client);
	guint start = lines->len;

	remsim_test_daemon_write(f->client, line);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, start, want) >= 0);
	return direct;
}

static void
test_not_shown(SecretsFixture *f, gconstpointer data)
{
	g_autofree gchar *conf_text = NULL;
	g_autofree gchar *personal = NULL;
	const gchar *conf_path;
	guint reloads;

	if (f->tbus == NULL)
		return;
	/* the modem's reset: the card in this process starts from its ATR too */
	remsim_simcard_card_reset(f->card);
	for (guint i = 0; session[i] != NULL; i++) {
		g_autoptr(GBytes) answer = relay(f, session[i]);
		gsize len = g_bytes_get_size(answer);

		/* SRES and Kc, the card's answer to the RAND */
		if (g_str_equal(session[i], GET_RESPONSE))
			g_ptr_array_add(f->secrets,
					g_bytes_new_from_bytes(answer, 0, len > 2 ? len - 2 : 0));
	}
	g_assert_cmpuint(f->secrets->len, ==, 5);
	/* the bank logged each APDU, as debug, without its data */
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "C-APDU a0 20 00 01 08 [8 "
								       "bytes]") == 1);

	assert_log_clean(f, f->server, "remsim-server");
	assert_log_clean(f, f->bankd, "remsim-bankd");
	assert_log_clean(f, f->client, "remsim-client");
	assert_dbus_clean(f, REMSIM_DBUS_SERVER_NAME, REMSIM_DBUS_SERVER_PATH);
	assert_dbus_clean(f, REMSIM_DBUS_BANKD_NAME, REMSIM_DBUS_BANKD_PATH);
	assert_dbus_clean(f, REMSIM_DBUS_CLIENT_NAME, REMSIM_DBUS_CLIENT_PATH);
	assert_rest_clean(f, "/api/backend/v1/banks");
	assert_rest_clean(f, "/api/backend/v1/clients");
	assert_rest_clean(f, "/api/backend/v1/slotmaps");
	assert_rest_clean(f, "/api/v1/slots");
	assert_rest_clean(f, "/api/v1/cards");
	assert_rest_clean(f, "/metrics");

	/* with log-personal-info in force (a reload) the PIN shows: the search sees it */
	conf_path = remsim_test_daemon_get_config_path(f->bankd);
	g_assert_true(g_file_get_contents(conf_path, &conf_text, NULL, NULL));
	{
		g_auto(GStrv) parts = g_strsplit(conf_text, "debug=true\n", 2);

		g_assert_cmpuint(g_strv_length(parts), ==, 2);
		personal =
		    g_strconcat(parts[0], "debug=true\nlog-personal-info=true\n", parts[1], NULL);
	}
	g_assert_true(g_file_set_contents(conf_path, personal, -1, NULL));
	reloads = remsim_test_daemon_count_stderr(f->bankd, "Configuration reloaded");
	g_subprocess_send_signal(remsim_test_daemon_get_process(f->bankd), SIGHUP);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "Configuration reloaded") >
			     reloads);
	g_bytes_unref(relay(f, VERIFY_PIN));
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "31 32 33 34 ff ff ff ff") ==
			     1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/e2e/secrets/profile-mode", test_profile_mode);
	g_test_add("/e2e/secrets/not-shown", SecretsFixture, NULL, secrets_setup, test_not_shown,
		   secrets_teardown);
	return g_test_run();
}
