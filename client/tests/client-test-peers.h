/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test peers for remsim-client: a server and a bankd made of librspro parts, and
 * a remsim-client process driven through its shell front end.
 */
#pragma once

#include <gio/gio.h>

#include "rspro-listener.h"

G_BEGIN_DECLS

typedef struct {
	gboolean is_bank;
	RsproListener *listener;
	guint16 port;
	GPtrArray *conns; /* RsproConnection, live ones */
	guint accepted;
	RsproComponentIdentity identity;

	/* what the peer saw */
	guint hellos;
	RsproClientSlot hello_slot;
	gchar *hello_software;
	guint config_bank_res;
	guint set_atr_res;
	guint reset_state_res;
	guint tpdus;
	RsproClientSlot tpdu_from;
	RsproBankSlot tpdu_to;
	GBytes *last_tpdu;
	guint status_inds;
	RsproSlotPhysStatus last_status;

	/* how it behaves */
	GBytes *(*respond)(GBytes *command, gpointer data); /* NULL: bank id, INS, 90 00 */
	gpointer respond_data;
	gboolean reject; /* answer connectClientReq with illegalClientId */
	guint16 bank_id;
	GBytes *atr;
	gboolean has_map;
	RsproBankSlot map_bank;
	guint16 map_port;
} TestPeer;

TestPeer *test_peer_new_server(void);
TestPeer *test_peer_new_bank(guint16 bank_id);
void test_peer_free(TestPeer *peer);
/* listen again on the same port after test_peer_stop() */
void test_peer_listen(TestPeer *peer);
/* close the listener and every connection */
void test_peer_stop(TestPeer *peer);
/* server: the mapping to announce now and to every client that connects */
void test_peer_map(TestPeer *peer, guint16 bank_id, guint16 slot_nr, guint16 bank_port);
/* server: send resetStateReq to every client */
void test_peer_send_all(TestPeer *peer, const RsproPdu *pdu);

/* a free TCP port on 127.0.0.1 whose successor is free too (vpcd takes two) */
guint16 test_free_port_pair(void);

/* the bank's answer to a command: bank id, INS, 90 00 */
GBytes *test_peer_expected_response(guint16 bank_id, GBytes *command);

typedef struct {
	GSubprocess *proc;
	GOutputStream *stdin_pipe;
	GDataInputStream *stdout_data;
	GPtrArray *lines;
	gboolean stdout_eof;
	gboolean exited;
	gint exit_status;
	GCancellable *cancellable;
} TestClient;

/* remsim-client --no-dbus --config <empty> -i 127.0.0.1 -p <port> @args...; @env extra vars */
TestClient *test_client_spawn(guint16 server_port, const gchar *const *args,
			      const gchar *const *env);
/* any program, with the same stdin/stdout handling */
TestClient *test_process_spawn(const gchar *const *argv, const gchar *const *env);
void test_client_write(TestClient *client, const gchar *text);
void test_client_close_stdin(TestClient *client);
void test_client_free(TestClient *client); /* terminates it if still running */
/* index of the first line from @start that equals @line, or -1 */
gint test_client_find_line(TestClient *client, guint start, const gchar *line);

/* run the main context until @cond holds or @timeout_ms passed */
void test_iterate(void);
/* @cond is evaluated once per turn, and not again after it held */
#define TEST_WAIT_FOR(cond, timeout_ms)                                                            \
	G_STMT_START                                                                               \
	{                                                                                          \
		gint64 _end = g_get_monotonic_time() + (gint64)(timeout_ms)*1000;                  \
		gboolean _ok;                                                                      \
		while (!(_ok = (cond)) && g_get_monotonic_time() < _end)                           \
			test_iterate();                                                            \
		if (!_ok)                                                                          \
			g_test_message("timed out after %d ms waiting for: %s", (int)(timeout_ms), \
				       #cond);                                                     \
		g_assert_true(_ok);                                                                \
	}                                                                                          \
	G_STMT_END

G_END_DECLS
