/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test peers around a real remsim-bankd process: a server peer (answers
 * connectBankReq, sends mappings), a client peer (connectClientReq, setAtrRes,
 * TPDUs), and the bankd itself started from the build tree. Everything runs on
 * the default main context; the wait helpers spin it with a deadline.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-test-common.h"
#include "rspro-connection.h"
#include "rspro-listener.h"

G_BEGIN_DECLS

#define TEST_BANK_ID 1
#define TEST_TIMEOUT_MS 20000

typedef struct {
	RsproListener *listener;
	guint16 port;
	RsproConnection *bank; /* the bankd's current connection */
	guint n_hellos;	       /* connectBankReq received so far */
	RsproPdu *last_hello;
	GPtrArray *error_inds; /* RsproPdu, errorInd received from the bank */
} RemsimTestBankdServer;

RemsimTestBankdServer *remsim_test_bankd_server_new(void);
void remsim_test_bankd_server_free(RemsimTestBankdServer *server);
/* wait until the bank has said hello @n times in all */
gboolean remsim_test_bankd_server_wait_hellos(RemsimTestBankdServer *server, guint n);
/* createMappingReq / removeMappingReq; returns the result code, or -1 on no answer */
gint remsim_test_bankd_server_map(RemsimTestBankdServer *server, guint16 bank_slot,
				  guint16 client_id, guint16 client_slot);
gint remsim_test_bankd_server_unmap(RemsimTestBankdServer *server, guint16 bank_slot,
				    guint16 client_id, guint16 client_slot);
/* drop the listener and the bank's connection, as a killed server would */
void remsim_test_bankd_server_kill(RemsimTestBankdServer *server);
/* listen again on the same port */
void remsim_test_bankd_server_restart(RemsimTestBankdServer *server);

typedef struct {
	GSubprocess *proc;
	gchar *dir; /* temporary: config, plugin folder, port file */
	guint16 port;
} RemsimTestBankd;

/*
 * Start remsim-bankd with @backend and @n_slots bank slots, dialling
 * @server_port; @backend_conf is the text of its config group (may be NULL).
 * Fails the test if the bankd does not come up.
 */
RemsimTestBankd *remsim_test_bankd_start(const gchar *backend, guint n_slots, guint16 server_port,
					 const gchar *backend_conf);
/* the same on the session bus at @bus_address instead of without D-Bus */
RemsimTestBankd *remsim_test_bankd_start_full(const gchar *backend, guint n_slots,
					      guint16 server_port, const gchar *backend_conf,
					      const gchar *bus_address);
void remsim_test_bankd_stop(RemsimTestBankd *bankd);

typedef struct {
	RsproConnection *conn;
	guint16 client_id;
	guint16 slot_nr;
	gint result; /* connectClientRes result, -1 before */
	GBytes *atr; /* from setAtrReq */
	gboolean closed;
	GPtrArray *others; /* RsproPdu: errorInd, bankSlotStatusInd ... */
} RemsimTestBankdClient;

/* connect and say hello; NULL if the TCP connect fails. Check ->result. */
RemsimTestBankdClient *remsim_test_bankd_client_connect(guint16 port, guint16 client_id,
							guint16 slot_nr);
/* wait for the setAtrReq after an ok hello */
gboolean remsim_test_bankd_client_wait_atr(RemsimTestBankdClient *client);
gboolean remsim_test_bankd_client_wait_closed(RemsimTestBankdClient *client);
void remsim_test_bankd_client_free(RemsimTestBankdClient *client);

/* one TPDU to bank slot @bank_slot; the response data, or NULL if the connection ended */
GBytes *remsim_test_bankd_client_apdu(RemsimTestBankdClient *client, guint16 bank_slot,
				      GBytes *apdu);
/* the same without waiting */
void remsim_test_bankd_client_apdu_async(RemsimTestBankdClient *client, guint16 bank_slot,
					 GBytes *apdu, GCancellable *cancellable,
					 GAsyncReadyCallback callback, gpointer user_data);
/* the tpduCardToModem, or NULL with @error set */
RsproPdu *remsim_test_bankd_client_apdu_finish(RemsimTestBankdClient *client, GAsyncResult *result,
					       GError **error);

GBytes *remsim_test_bankd_hex_bytes(const gchar *hex);
gchar *remsim_test_bankd_bytes_hex(GBytes *bytes);

G_END_DECLS
