/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RSPRO over TLS with the real daemons and certificates made by certtool:
 * remsim-server, remsim-bankd with the simulated card and remsim-client with
 * its shell front end relay APDUs over TLS and over mutual TLS; with mutual
 * TLS a peer claims only what its certificate names (at the server and at the
 * bank); a plain peer on a TLS-only port and a peer that stalls its handshake
 * are closed with a log line.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "remsim-simcard-card.h"
#include "remsim-test-daemon.h"
#include "remsim-test-tls.h"
#include "rspro-connection.h"

static const gchar *const gsm_session[] = {
	"A0A40000023F00", "A0A40000027F20", "A0A40000026F07", "A0C000000F", "A0B0000009", NULL,
};

typedef struct {
	RemsimTestTls *tls;
	gchar *dir;
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
	RemsimTestDaemon *client;
	RemsimSimcardCard *card;
	guint16 bank_port;
} TlsFixture;

/* "--tls-cert-file=DIR/NAME.pem" and "--tls-key-file=DIR/NAME.key" into @args */
static void
add_cert_args(TlsFixture *f, GPtrArray *args, const gchar *name)
{
	g_autofree gchar *pem_name = g_strconcat(name, ".pem", NULL);
	g_autofree gchar *pem = g_build_filename(f->tls->dir, pem_name, NULL);
	g_autofree gchar *key = remsim_test_tls_key(f->tls, name);

	g_ptr_array_add(args, g_strdup_printf("--tls-cert-file=%s", pem));
	g_ptr_array_add(args, g_strdup_printf("--tls-key-file=%s", key));
	g_ptr_array_add(args, g_strdup_printf("--tls-ca-file=%s", f->tls->ca_cert));
}

static GPtrArray *
args_new(void)
{
	return g_ptr_array_new_with_free_func(g_free);
}

static const gchar *const *
args_end(GPtrArray *args)
{
	g_ptr_array_add(args, NULL);
	return (const gchar *const *)args->pdata;
}

/* every certificate the tests use, signed by one CA, for 127.0.0.1 */
static gboolean
make_certs(TlsFixture *f)
{
	static const struct {
		const gchar *name, *cn, *dns;
	} certs[] = {
		{ "server", "remsim-server", NULL },
		{ "bank1", "bank:1", NULL },
		{ "bank8", "bank:8", NULL },
		/* the claim in a DNS name, the CN something else */
		{ "client23", "modem 23", "client:23:0" },
		{ "client24", "client:24", NULL },
	};

	f->tls = remsim_test_tls_new();
	if (f->tls == NULL)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(certs); i++) {
		const gchar *dns[] = { certs[i].dns, NULL };
		g_autofree gchar *pem =
		    remsim_test_tls_make_cert(f->tls, certs[i].name, certs[i].cn, dns);
	}
	return TRUE;
}

/* the server and the bank; @mutual: both require peer certificates */
static void
start_server_and_bank(TlsFixture *f, gboolean mutual)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) sargs = args_new();
	g_autoptr(GPtrArray) bargs = args_new();
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autofree gchar *profile =
	    g_build_filename(srcdir, "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *conf = g_strdup_printf("\n[simcard]\nslots=1\nprofiles=%s\n", profile);

	f->card = remsim_simcard_card_new_from_file(profile, &error);
	g_assert_no_error(error);

	g_ptr_array_add(sargs, g_strdup("--tls=on"));
	add_cert_args(f, sargs, "server");
	if (mutual)
		g_ptr_array_add(sargs, g_strdup("--tls-require-peer-certificate"));
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .args = args_end(sargs), .capture_stderr = TRUE });

	f->bank_port = remsim_test_common_free_port_pair();
	g_ptr_array_add(bargs, g_strdup("--tls=on"));
	g_ptr_array_add(bargs, g_strdup("--server-tls"));
	add_cert_args(f, bargs, "bank1");
	if (mutual)
		g_ptr_array_add(bargs, g_strdup("--tls-require-peer-certificate"));
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.port = f->bank_port,
					.backend = "simcard",
					.n_slots = 1,
					.config = conf,
					.args = args_end(bargs),
					.capture_stderr = TRUE });
	/* the bank took the map over TLS */
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 23, 0), ==, 201);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(f->server, 1, 0, "ACTIVE"));
}

/* the client 23:0 with the certificate @cert_name (NULL: none), TLS both ways */
static void
start_client(TlsFixture *f, const gchar *cert_name)
{
	g_autoptr(GPtrArray) cargs = args_new();

	for (guint i = 0; i < 4; i++)
		g_ptr_array_add(cargs, g_strdup((const gchar *[]){ "-c", "23", "-n", "0" }[i]));
	g_ptr_array_add(cargs, g_strdup("--server-tls"));
	g_ptr_array_add(cargs, g_strdup("--bankd-tls"));
	if (cert_name != NULL)
		add_cert_args(f, cargs, cert_name);
	else
		g_ptr_array_add(cargs, g_strdup_printf("--tls-ca-file=%s", f->tls->ca_cert));
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.args = args_end(cargs),
					.capture_stderr = TRUE });
}

static void
fixture_teardown(TlsFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_clear_object(&f->card);
	remsim_test_tls_free(f->tls);
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

/* the client gets the card's ATR, then each APDU what the card answers directly */
static void
relay_session(TlsFixture *f)
{
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(f->card);
	g_autofree gchar *atr_hex = shell_hex(atr);
	g_autofree gchar *want_atr = g_strdup_printf("SET_ATR: %s", atr_hex);

	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_line(f->client, 0, want_atr) >= 0);
	remsim_simcard_card_reset(f->card);
	for (guint i = 0; gsm_session[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(gsm_session[i]);
		g_autoptr(GBytes) direct = remsim_simcard_card_transmit(f->card, apdu);
		g_autofree gchar *want_hex = shell_hex(direct);
		g_autofree gchar *want = g_strdup_printf("R-APDU: %s", want_hex);
		g_autofree gchar *line = g_strdup_printf("%s\n", gsm_session[i]);
		GPtrArray *lines = remsim_test_daemon_get_lines(f->client);
		guint start = lines->len;

		remsim_test_daemon_write(f->client, line);
		REMSIM_TEST_WAIT_FOR(lines->len > start);
		g_assert_cmpstr(lines->pdata[start], ==, want);
	}
	remsim_test_daemon_close_stdin(f->client);
	g_assert_cmpint(remsim_test_daemon_wait_exit(f->client), ==, 0);
}

static void
test_relay(TlsFixture *f, gconstpointer data)
{
	if (!make_certs(f))
		return;
	start_server_and_bank(f, FALSE);
	start_client(f, NULL);
	relay_session(f);
}

static void
test_relay_mutual(TlsFixture *f, gconstpointer data)
{
	if (!make_certs(f))
		return;
	start_server_and_bank(f, TRUE);
	start_client(f, "client23");
	relay_session(f);
	/* neither side refused anything */
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->server, "does not name"), ==, 0);
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->bankd, "does not name"), ==, 0);
}

/* --- a hello of the test's own, over TLS with a certificate of its choice --- */

typedef struct {
	RsproPdu *response;
	GError *error;
	gboolean done;
} HelloWait;

static void
hello_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	HelloWait *w = user_data;

	w->response = rspro_connection_request_finish(RSPRO_CONNECTION(source), result, &w->error);
	w->done = TRUE;
}

/*
 * Dials 127.0.0.1:@port with TLS (the certificate @cert_name), sends @hello
 * and returns the result of its response (-1: the connection ended first)
 */
static gint
tls_hello(TlsFixture *f, guint16 port, const gchar *cert_name, const RsproPdu *hello,
	  RsproMsgType response_type)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autofree gchar *pem_name = g_strconcat(cert_name, ".pem", NULL);
	g_autofree gchar *pem = g_build_filename(f->tls->dir, pem_name, NULL);
	g_autofree gchar *key = remsim_test_tls_key(f->tls, cert_name);
	g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files(pem, key, &error);
	g_autoptr(GTlsDatabase) ca = g_tls_file_database_new(f->tls->ca_cert, &error);
	g_assert_no_error(error);
	g_autoptr(GSocketConnection) socket_conn =
	    g_socket_client_connect_to_host(sc, "127.0.0.1", port, NULL, &error);
	g_assert_no_error(error);
	g_autoptr(GSocketConnectable) identity = g_network_address_new("127.0.0.1", port);
	g_autoptr(GIOStream) tls =
	    g_tls_client_connection_new(G_IO_STREAM(socket_conn), identity, &error);
	g_assert_no_error(error);
	g_tls_connection_set_database(G_TLS_CONNECTION(tls), ca);
	g_tls_connection_set_certificate(G_TLS_CONNECTION(tls), cert);
	/* the daemon is another process: the test may wait for it here */
	g_assert_true(g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error));
	g_assert_no_error(error);

	g_autoptr(RsproConnection) conn = rspro_connection_new(tls);
	HelloWait w = { 0 };
	gint result;

	rspro_connection_start(conn);
	rspro_connection_request_async(conn, hello, response_type, 0, NULL, hello_ready, &w);
	REMSIM_TEST_WAIT_FOR(w.done);
	if (w.response == NULL) {
		g_clear_error(&w.error);
		return -1;
	}
	result = response_type == RSPRO_MSG_CONNECT_BANK_RES
		     ? w.response->u.connect_bank_res.result
		     : w.response->u.connect_client_res.result;
	rspro_pdu_free(w.response);
	rspro_connection_close(conn);
	return result;
}

static RsproPdu *
client_hello(guint16 client_id, guint16 slot_nr)
{
	RsproComponentIdentity id = { 0 };
	RsproClientSlot slot = { .client_id = client_id, .slot_nr = slot_nr };

	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "test-client", "remsim-test");
	RsproPdu *hello = rspro_pdu_new_connect_client_req(&id, &slot);
	rspro_component_identity_clear(&id);
	return hello;
}

static void
test_claims_refused(TlsFixture *f, gconstpointer data)
{
	if (!make_certs(f))
		return;
	start_server_and_bank(f, TRUE);

	guint16 server_port = remsim_test_daemon_get_port(f->server);
	g_autoptr(RsproPdu) as_23 = client_hello(23, 0);
	g_autoptr(RsproPdu) as_23_1 = client_hello(23, 1);
	g_autoptr(RsproPdu) as_24 = client_hello(24, 0);

	/* client 24's certificate claiming client 23: at the server and at the bank */
	g_assert_cmpint(tls_hello(f, server_port, "client24", as_23, RSPRO_MSG_CONNECT_CLIENT_RES),
			==, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->server, "certificate CN=client:24 does not name client 23:0") ==
			     1);
	g_assert_cmpint(tls_hello(f, f->bank_port, "client24", as_23, RSPRO_MSG_CONNECT_CLIENT_RES),
			==, RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->bankd, "certificate CN=client:24 does not name client 23:0") ==
			     1);
	/* client:23:0 names one slot only */
	g_assert_cmpint(
	    tls_hello(f, server_port, "client23", as_23_1, RSPRO_MSG_CONNECT_CLIENT_RES), ==,
	    RSPRO_RESULT_ILLEGAL_CLIENT_ID);
	/* and its own claims go through */
	g_assert_cmpint(tls_hello(f, server_port, "client24", as_24, RSPRO_MSG_CONNECT_CLIENT_RES),
			==, RSPRO_RESULT_OK);
	g_assert_cmpint(tls_hello(f, f->bank_port, "client23", as_23, RSPRO_MSG_CONNECT_CLIENT_RES),
			==, RSPRO_RESULT_OK);

	/* bank 8's certificate claiming bank 7 */
	RsproComponentIdentity id = { 0 };
	rspro_component_identity_init(&id, RSPRO_COMPONENT_BANKD, "test-bank", "remsim-test");
	g_autoptr(RsproPdu) as_bank7 = rspro_pdu_new_connect_bank_req(&id, 7, 4);
	g_autoptr(RsproPdu) as_bank8 = rspro_pdu_new_connect_bank_req(&id, 8, 4);
	rspro_component_identity_clear(&id);
	g_assert_cmpint(tls_hello(f, server_port, "bank8", as_bank7, RSPRO_MSG_CONNECT_BANK_RES),
			==, RSPRO_RESULT_ILLEGAL_BANK_ID);
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->server, "certificate CN=bank:8 does not name bank 7") == 1);
	g_assert_cmpint(tls_hello(f, server_port, "bank8", as_bank8, RSPRO_MSG_CONNECT_BANK_RES),
			==, RSPRO_RESULT_OK);
}

/* a peer that speaks plain RSPRO to a TLS-only port: the bank to the server */
static void
test_plain_refused(TlsFixture *f, gconstpointer data)
{
	if (!make_certs(f))
		return;

	g_autoptr(GPtrArray) sargs = args_new();
	g_autofree gchar *profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
	g_autofree gchar *conf = g_strdup_printf("\n[simcard]\nslots=1\nprofiles=%s\n", profile);

	g_ptr_array_add(sargs, g_strdup("--tls=on"));
	add_cert_args(f, sargs, "server");
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .args = args_end(sargs), .capture_stderr = TRUE });
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.backend = "simcard",
					.n_slots = 1,
					.config = conf,
					.capture_stderr = TRUE });
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(
				 f->server, "refused: plain RSPRO on a TLS-only port") >= 1);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 0, 23, 0), ==, 201);
	g_autofree gchar *state = remsim_test_daemon_slotmap_state(f->server, 1, 0);
	g_assert_cmpstr(state, ==, "NEW");
}

/* TRUE once the other side closed @conn */
static gboolean
peer_closed(GSocketConnection *conn)
{
	guint8 buf[256];
	ssize_t n = recv(g_socket_get_fd(g_socket_connection_get_socket(conn)), buf, sizeof(buf),
			 MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* a peer that opens a handshake and goes quiet is closed, and others still served */
static void
test_stalled_handshake(TlsFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	if (!make_certs(f))
		return;

	g_autoptr(GPtrArray) sargs = args_new();

	g_ptr_array_add(sargs, g_strdup("--tls=on"));
	add_cert_args(f, sargs, "server");
	g_ptr_array_add(sargs, g_strdup("--tls-require-peer-certificate"));
	f->server = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .args = args_end(sargs), .capture_stderr = TRUE });

	guint16 port = remsim_test_daemon_get_port(f->server);
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GSocketConnection) stall =
	    g_socket_client_connect_to_host(sc, "127.0.0.1", port, NULL, &error);
	g_assert_no_error(error);
	const guint8 start[] = { 0x16, 0x03, 0x01 };
	g_assert_cmpint(
	    send(g_socket_get_fd(g_socket_connection_get_socket(stall)), start, sizeof(start), 0),
	    ==, sizeof(start));

	/* meanwhile a real client is served */
	g_autoptr(RsproPdu) as_24 = client_hello(24, 0);
	g_assert_cmpint(tls_hello(f, port, "client24", as_24, RSPRO_MSG_CONNECT_CLIENT_RES), ==,
			RSPRO_RESULT_OK);

	REMSIM_TEST_WAIT_FOR(peer_closed(stall));
	g_assert_cmpuint(remsim_test_daemon_count_stderr(f->server, "no TLS handshake within"), ==,
			 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/tls-e2e/" name, TlsFixture, NULL, NULL, fn, fixture_teardown)
	ADD("relay", test_relay);
	ADD("relay-mutual", test_relay_mutual);
	ADD("claims-refused", test_claims_refused);
	ADD("plain-refused", test_plain_refused);
	ADD("stalled-handshake", test_stalled_handshake);
	return g_test_run();
}
