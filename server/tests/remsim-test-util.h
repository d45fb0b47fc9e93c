/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the server tests: the real remsim-server binary on ephemeral
 * loopback ports, an HTTP client, and banks / clients built on librspro.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "remsim-test-common.h"
#include "rspro-connection.h"

G_BEGIN_DECLS

typedef struct {
	GSubprocess *proc;
	gchar *state_dir;
	gchar *port_file;
	gchar *config_file;
	guint16 rspro_port;
	guint16 rest_port;
	SoupSession *http;
} TestServer;

/* a fresh temporary directory (removed by remsim_test_common_remove_tree) */
gchar *test_make_temp_dir(void);

/* starts remsim-server on @state_dir with ephemeral ports and waits until it listens */
TestServer *test_server_start(const gchar *state_dir, const gchar *const *extra_args);
/* a g_test_add() fixture: a server on a fresh temporary state directory */
typedef struct {
	gchar *dir;
	TestServer *server;
} TestServerFixture;
void test_server_fixture_setup(TestServerFixture *f, gconstpointer data);
void test_server_fixture_teardown(TestServerFixture *f, gconstpointer data);

/* runs remsim-server expecting it to exit; returns its exit status and stderr */
gint test_server_run_to_exit(const gchar *const *args, gchar **stderr_text);
/* SIGTERM and wait; or SIGKILL and wait */
void test_server_stop(TestServer *s);
void test_server_kill(TestServer *s);
void test_server_free(TestServer *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestServer, test_server_free)

/* one HTTP request to the REST port; returns the status; @body may be NULL */
guint test_http(TestServer *s, const gchar *method, const gchar *path, const gchar *content_type,
		const gchar *body, gchar **out_body, gchar **out_content_type);
/* GET @path, assert @status and a JSON body; returns the parsed body */
JsonNode *test_http_get_json(TestServer *s, const gchar *path, guint status);
/* POST /slotmaps; returns the status */
guint test_create_slotmap(TestServer *s, guint bank, guint bank_slot, guint client,
			  guint client_slot);

typedef struct {
	RsproConnection *conn;
	GPtrArray *received; /* RsproPdu*, not yet taken */
	gboolean closed;
	gint hello_result; /* -1 until the Connect*Res arrives */
	gint map_result;   /* what a bank answers createMappingReq with */
	guint n_creates;
	guint n_removes;
	guint n_configs;
	guint last_config_port; /* bankd port of the last configClientBankReq */
} ServerTestPeer;

/* a TCP connection to the server's RSPRO port, nothing sent yet */
ServerTestPeer *test_peer_connect(TestServer *s);
void test_peer_send(ServerTestPeer *p, RsproPdu *pdu);
void test_peer_send_bank_hello(ServerTestPeer *p, guint16 bank_id, guint16 n_slots,
			       const RsproIpPort *bound);
void test_peer_send_client_hello(ServerTestPeer *p, guint16 client_id, guint16 slot_nr);
/* waits for the Connect*Res; returns its result or -1 */
gint test_peer_wait_hello(ServerTestPeer *p);
/* a registered bank / client (asserts the server said ok) */
ServerTestPeer *test_bank_new(TestServer *s, guint16 bank_id, guint16 n_slots,
			      const RsproIpPort *bound);
ServerTestPeer *test_client_new(TestServer *s, guint16 client_id, guint16 slot_nr);
/* takes the first received PDU of @type, waiting up to @timeout_ms; NULL if none */
RsproPdu *test_peer_take(ServerTestPeer *p, RsproMsgType type, guint timeout_ms);
gboolean test_peer_wait_closed(ServerTestPeer *p, guint timeout_ms);
void test_peer_free(ServerTestPeer *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ServerTestPeer, test_peer_free)

/* raise RLIMIT_NOFILE to the hard limit; returns the new soft limit */
guint64 test_raise_fd_limit(void);

G_END_DECLS

G_BEGIN_DECLS
/* the REST state of the map on bank slot @bank:@slot, or NULL if not listed */
gchar *test_slotmap_state(TestServer *s, guint bank, guint slot);
/* polls REST until that map is in @state (NULL: gone); FALSE on timeout */
gboolean test_wait_slotmap_state(TestServer *s, guint bank, guint slot, const gchar *state);
G_END_DECLS

G_BEGIN_DECLS
/* asserts that a PDU of @type arrives within @timeout_ms, and drops it */
void test_peer_expect(ServerTestPeer *p, RsproMsgType type, guint timeout_ms);
G_END_DECLS
