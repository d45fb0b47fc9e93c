/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RSPRO over TLS as librspro does it, on real loopback sockets with
 * certificates made by certtool: RsproLink dialling an RsproListener in each
 * TLS mode, mutual TLS, a plain peer on a TLS-only port, an untrusted server,
 * and peers that stall before or in their handshake.
 */
#define G_LOG_DOMAIN "remsim-test"
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "remsim-test-common.h"
#include "remsim-test-tls.h"
#include "rspro-link.h"
#include "rspro-listener.h"

/* --- what librspro logs, kept for the assertions --- */

static GPtrArray *rspro_lines;

static void
test_log_cb(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
	g_ptr_array_add(rspro_lines, g_strdup(message));
	g_log_default_handler(domain, level, message, data);
}

static gboolean
logged(const gchar *pattern)
{
	for (guint i = 0; i < rspro_lines->len; i++)
		if (g_pattern_match_simple(pattern, rspro_lines->pdata[i]))
			return TRUE;
	return FALSE;
}

/* --- certificates --- */

typedef struct {
	RemsimTestTls *tls;
	GTlsCertificate *server; /* for 127.0.0.1 */
	GTlsCertificate *client; /* CN client:23 */
	GTlsDatabase *ca;
	GTlsDatabase *other_ca; /* trusts none of the above */
	RemsimTestTls *other;
} Certs;

static GTlsCertificate *
certs_load(RemsimTestTls *tls, const gchar *name, const gchar *cn)
{
	g_autofree gchar *pem = remsim_test_tls_make_cert(tls, name, cn, NULL);
	g_autofree gchar *key = remsim_test_tls_key(tls, name);
	g_autoptr(GError) error = NULL;
	GTlsCertificate *cert = g_tls_certificate_new_from_files(pem, key, &error);

	g_assert_no_error(error);
	return cert;
}

static Certs *
certs_new(void)
{
	g_autoptr(GError) error = NULL;
	Certs *c;
	RemsimTestTls *tls = remsim_test_tls_new();

	if (tls == NULL)
		return NULL;
	c = g_new0(Certs, 1);
	c->tls = tls;
	c->server = certs_load(tls, "server", "server");
	c->client = certs_load(tls, "client", "client:23");
	c->ca = g_tls_file_database_new(tls->ca_cert, &error);
	g_assert_no_error(error);
	c->other = remsim_test_tls_new();
	c->other_ca = g_tls_file_database_new(c->other->ca_cert, &error);
	g_assert_no_error(error);
	return c;
}

static void
certs_free(Certs *c)
{
	if (c == NULL)
		return;
	g_object_unref(c->server);
	g_object_unref(c->client);
	g_object_unref(c->ca);
	g_object_unref(c->other_ca);
	remsim_test_tls_free(c->tls);
	remsim_test_tls_free(c->other);
	g_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Certs, certs_free)

/* --- a server that answers every connectClientReq with ok --- */

typedef struct {
	RsproListener *listener;
	guint16 port;
	GPtrArray *conns;
} Server;

static void
server_message_cb(RsproConnection *conn, RsproPdu *pdu, Server *s)
{
	RsproComponentIdentity id = { 0 };

	if (pdu->type != RSPRO_MSG_CONNECT_CLIENT_REQ)
		return;
	rspro_component_identity_init(&id, RSPRO_COMPONENT_SERVER, "test-server", "remsim-test");
	g_autoptr(RsproPdu) res =
	    rspro_pdu_new_connect_res(RSPRO_MSG_CONNECT_CLIENT_RES, &id, RSPRO_RESULT_OK);
	rspro_component_identity_clear(&id);
	g_assert_true(rspro_connection_send(conn, res, NULL));
}

static void
server_connection_cb(RsproListener *listener, RsproConnection *conn, Server *s)
{
	g_ptr_array_add(s->conns, g_object_ref(conn));
	g_signal_connect(conn, "message", G_CALLBACK(server_message_cb), s);
}

static Server *
server_new(RsproListenerTls mode, Certs *c, gboolean require, guint handshake_ms)
{
	Server *s = g_new0(Server, 1);
	g_autoptr(GError) error = NULL;

	s->listener = rspro_listener_new();
	s->conns = g_ptr_array_new_with_free_func(g_object_unref);
	rspro_listener_set_tls(s->listener, mode, c->server, c->ca, require);
	if (handshake_ms > 0)
		rspro_listener_set_handshake_timeout(s->listener, handshake_ms);
	g_signal_connect(s->listener, "connection", G_CALLBACK(server_connection_cb), s);
	g_assert_true(rspro_listener_listen(s->listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);
	s->port = rspro_listener_get_port(s->listener);
	return s;
}

static void
server_free(Server *s)
{
	for (guint i = 0; i < s->conns->len; i++)
		rspro_connection_close(s->conns->pdata[i]);
	g_ptr_array_unref(s->conns);
	g_object_unref(s->listener);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Server, server_free)

/* --- the link --- */

static RsproLink *
link_new(Server *s, gboolean tls, GTlsCertificate *cert, GTlsDatabase *ca)
{
	RsproComponentIdentity id = { 0 };
	RsproClientSlot slot = { .client_id = 23, .slot_nr = 0 };

	rspro_component_identity_init(&id, RSPRO_COMPONENT_CLIENT, "test-client", "remsim-test");
	g_autoptr(RsproPdu) hello = rspro_pdu_new_connect_client_req(&id, &slot);
	rspro_component_identity_clear(&id);

	RsproLink *link = rspro_link_new(hello, RSPRO_COMPONENT_SERVER);

	rspro_link_set_backoff_scale(link, 0.05);
	rspro_link_set_target(link, "127.0.0.1", s->port);
	rspro_link_set_tls(link, tls, cert, ca);
	rspro_link_start(link);
	return link;
}

static gboolean
link_connected(RsproLink *link)
{
	return rspro_link_get_state(link) == RSPRO_LINK_STATE_CONNECTED;
}

/* the names in the certificate the server side saw, or NULL */
static gchar *
peer_cn(RsproConnection *conn)
{
	GTlsCertificate *cert = rspro_connection_get_peer_certificate(conn);

	return cert != NULL ? g_tls_certificate_get_subject_name(cert) : NULL;
}

static void
test_tls_only_mutual(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_ON, c, TRUE, 0);
	g_autoptr(RsproLink) link = link_new(s, TRUE, c->client, c->ca);

	REMSIM_TEST_WAIT_FOR(link_connected(link));
	g_assert_cmpuint(s->conns->len, ==, 1);
	RsproConnection *server_side = s->conns->pdata[0];
	RsproConnection *client_side = rspro_link_get_connection(link);

	g_assert_true(rspro_connection_is_tls(server_side));
	g_assert_true(rspro_connection_is_tls(client_side));
	g_autofree gchar *subject = peer_cn(server_side);
	g_assert_cmpstr(subject, ==, "CN=client:23");
	/* the peer's address is still known under TLS */
	g_assert_nonnull(rspro_connection_get_remote_address(server_side));
	g_assert_true(g_str_has_prefix(rspro_connection_get_peer_name(server_side), "127.0.0.1:"));

	/* a TLS connection's socket is never lent to another thread */
	g_autoptr(GByteArray) unread = g_byte_array_new();
	int fd = -1;
	g_assert_false(rspro_connection_lend(
	    server_side, (RsproConnectionWantedFunc)g_nullify_pointer, NULL, &fd, unread));
	g_assert_cmpint(fd, ==, -1);
}

static void
test_tls_without_client_cert(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	/* TLS without mutual authentication: no certificate asked for */
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_ON, c, FALSE, 0);
	g_autoptr(RsproLink) link = link_new(s, TRUE, NULL, c->ca);

	REMSIM_TEST_WAIT_FOR(link_connected(link));
	g_assert_null(rspro_connection_get_peer_certificate(s->conns->pdata[0]));
	rspro_link_stop(link);

	/* mutual TLS: a client without a certificate fails its handshake */
	g_autoptr(Server) m = server_new(RSPRO_LISTENER_TLS_ON, c, TRUE, 0);
	g_autoptr(RsproLink) anon = link_new(m, TRUE, NULL, c->ca);

	REMSIM_TEST_WAIT_FOR(logged("RSPRO from 127.0.0.1:*: TLS handshake failed, closed: *"));
	g_assert_false(link_connected(anon));
	g_assert_cmpuint(m->conns->len, ==, 0);

	/* and one whose certificate another CA signed */
	g_autoptr(GTlsCertificate) stranger = certs_load(c->other, "stranger", "client:23");
	g_autoptr(RsproLink) forged = link_new(m, TRUE, stranger, c->ca);

	g_ptr_array_set_size(rspro_lines, 0);
	REMSIM_TEST_WAIT_FOR(logged("RSPRO from 127.0.0.1:*: TLS handshake failed, closed: *"));
	g_assert_false(link_connected(forged));
	g_assert_cmpuint(m->conns->len, ==, 0);
}

static void
test_untrusted_server(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_ON, c, FALSE, 0);
	/* the link trusts another CA only */
	g_autoptr(RsproLink) link = link_new(s, TRUE, NULL, c->other_ca);

	REMSIM_TEST_WAIT_FOR(logged("RSPRO link to 127.0.0.1:*: TLS handshake failed: *"));
	g_assert_false(link_connected(link));
	g_assert_cmpuint(s->conns->len, ==, 0);
}

static void
test_plain_on_tls_only(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_ON, c, FALSE, 0);
	g_autoptr(RsproLink) link = link_new(s, FALSE, NULL, NULL);

	REMSIM_TEST_WAIT_FOR(logged("RSPRO from 127.0.0.1:*: refused: plain RSPRO on a TLS-only "
				    "port (first byte 0x00, not a TLS handshake)"));
	g_assert_false(link_connected(link));
	g_assert_cmpuint(s->conns->len, ==, 0);
	rspro_link_stop(link);
	REMSIM_TEST_WAIT_FOR(rspro_listener_get_n_connections(s->listener) == 0);
}

static void
test_either(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_EITHER, c, FALSE, 0);
	g_autoptr(RsproLink) plain = link_new(s, FALSE, NULL, NULL);
	g_autoptr(RsproLink) tls = link_new(s, TRUE, NULL, c->ca);

	REMSIM_TEST_WAIT_FOR(link_connected(plain) && link_connected(tls));
	g_assert_cmpuint(s->conns->len, ==, 2);
	g_assert_false(rspro_connection_is_tls(rspro_link_get_connection(plain)));
	g_assert_true(rspro_connection_is_tls(rspro_link_get_connection(tls)));
}

/* a raw TCP connection to the port, blocking (the test's own side) */
static GSocketConnection *
raw_connect(guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GError) error = NULL;
	GSocketConnection *conn =
	    g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);

	g_assert_no_error(error);
	return conn;
}

/* TRUE once the other side closed @conn (a read gives end of stream or an error) */
static gboolean
raw_closed(GSocketConnection *conn)
{
	guint8 buf[256];
	ssize_t n = recv(g_socket_get_fd(g_socket_connection_get_socket(conn)), buf, sizeof(buf),
			 MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void
test_stalled_peers(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_ON, c, TRUE, 300);

	/* connects and says nothing */
	g_autoptr(GSocketConnection) mute = raw_connect(s->port);
	REMSIM_TEST_WAIT_FOR(rspro_listener_get_n_pending(s->listener) == 1);
	REMSIM_TEST_WAIT_FOR(raw_closed(mute));
	g_assert_true(logged("RSPRO from 127.0.0.1:*: no first byte within 300 ms, closed"));

	/* starts a handshake record and never finishes it */
	g_autoptr(GSocketConnection) stall = raw_connect(s->port);
	const guint8 start[] = { 0x16, 0x03, 0x01 };
	g_assert_cmpint(
	    send(g_socket_get_fd(g_socket_connection_get_socket(stall)), start, sizeof(start), 0),
	    ==, sizeof(start));
	REMSIM_TEST_WAIT_FOR(raw_closed(stall));
	g_assert_true(logged("RSPRO from 127.0.0.1:*: no TLS handshake within 300 ms, closed"));
	REMSIM_TEST_WAIT_FOR(rspro_listener_get_n_pending(s->listener) == 0);
	g_clear_object(&mute);
	g_clear_object(&stall);
	REMSIM_TEST_WAIT_FOR(rspro_listener_get_n_connections(s->listener) == 0);

	/* and a real peer still gets through */
	g_autoptr(RsproLink) link = link_new(s, TRUE, c->client, c->ca);
	REMSIM_TEST_WAIT_FOR(link_connected(link));
}

static void
test_close_while_pending(void)
{
	g_autoptr(Certs) c = certs_new();

	if (c == NULL)
		return;
	g_autoptr(Server) s = server_new(RSPRO_LISTENER_TLS_ON, c, TRUE, 0);
	g_autoptr(GSocketConnection) mute = raw_connect(s->port);
	g_autoptr(GSocketConnection) stall = raw_connect(s->port);
	const guint8 start[] = { 0x16, 0x03, 0x01 };

	g_assert_cmpint(
	    send(g_socket_get_fd(g_socket_connection_get_socket(stall)), start, sizeof(start), 0),
	    ==, sizeof(start));
	REMSIM_TEST_WAIT_FOR(rspro_listener_get_n_pending(s->listener) == 2);
	/* give the handshake a turn to start on the second */
	remsim_test_common_spin_for(50);
	rspro_listener_close(s->listener);
	g_assert_cmpuint(rspro_listener_get_n_pending(s->listener), ==, 0);
	REMSIM_TEST_WAIT_FOR(raw_closed(mute) && raw_closed(stall));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	rspro_lines = g_ptr_array_new_with_free_func(g_free);
	g_log_set_handler("rspro", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, test_log_cb, NULL);
	g_test_add_func("/rspro-tls/tls-only-mutual", test_tls_only_mutual);
	g_test_add_func("/rspro-tls/without-client-cert", test_tls_without_client_cert);
	g_test_add_func("/rspro-tls/untrusted-server", test_untrusted_server);
	g_test_add_func("/rspro-tls/plain-on-tls-only", test_plain_on_tls_only);
	g_test_add_func("/rspro-tls/either", test_either);
	g_test_add_func("/rspro-tls/stalled-peers", test_stalled_peers);
	g_test_add_func("/rspro-tls/close-while-pending", test_close_while_pending);

	int ret = g_test_run();

	g_ptr_array_unref(rspro_lines);
	return ret;
}
