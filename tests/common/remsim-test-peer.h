/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimTestPeer: the one scripted RSPRO peer of the tests, the other end of a
 * real daemon's RSPRO link. Its role is what it plays:
 *
 *   server   for remsim-bankd and remsim-client: it listens
 *   bank     for remsim-client (it listens) and for remsim-server (it dials)
 *   client   for remsim-bankd and remsim-server: it dials
 *
 * over real loopback TCP with librspro's RsproListener, RsproConnection and
 * RsproLink, and answers from a script. Its identity is the role's
 * ("test-server"/"remsim-server", "test-bank"/"remsim-bankd",
 * "test-client"/"remsim-client").
 *
 * The script. An ordered list of steps that every new connection runs from its
 * start, so that a daemon that comes back is answered again:
 *
 *   expect T    the next PDU of type T on this connection (once) ...
 *   every T     each PDU of type T, from the moment the script reaches this step ...
 *   reply R     ... is answered with R (a step may have several replies, in order)
 *
 * An expect step holds the script until its PDU comes; the every steps after it
 * start with it. A step's type decides whether a PDU is its; the step's JSON
 * fields, if any, are then asserted (a mismatch fails the test). Fields are
 * given in the shape of tests/vectors/rspro-vectors.tsv and compared as a
 * subset: {"msg":{"connectClientReq":{"clientSlot":{"clientId":23}}}} checks
 * only that client id. A reply is a PDU built in C or written as JSON in the
 * vectors' shape, a row of the vector table (upstream's DER bytes, or its
 * fields), the response that answers the request with a result code, or a
 * function of the request.
 *
 * The same script as text (remsim_test_peer_load_script()), one step or reply
 * a line, '#' for comments:
 *
 *   expect connectBankReq
 *   reply result ok
 *   reply atr [HEX]             remsim_test_peer_reply_set_atr(); reply tpdu, reply config
 *   every tpduModemToCard
 *   reply vector 085            upstream's bytes of vector 085; "... fields" for its JSON
 *   expect {"msg":{"setAtrRes":{"result":"ok"}}}
 *   reply {"version":2,"tag":0,"msg":{"resetStateReq":{}}}
 *
 * What it received. Every PDU that comes as a message is recorded, whether a
 * step took it or not: counted per type, kept as the last of its type, and
 * queued until a test takes it (remsim_test_peer_take(), _wait()). The
 * responses to the peer's own requests (remsim_test_peer_request()) go to the
 * caller only.
 *
 * Everything runs on the thread-default main context; the waits spin it
 * (remsim-test-common.h) and fail the test when nothing comes in
 * REMSIM_TEST_TIMEOUT_MS.
 *
 * Example: remsim-bankd between a server peer and a client peer
 *
 *   g_autoptr(RemsimTestPeer) server = remsim_test_peer_new_server();
 *   g_autoptr(RemsimTestPeer) client = remsim_test_peer_new_client(7, 0);
 *
 *   remsim_test_peer_serve(server, "expect connectBankReq\nreply result ok\n");
 *   ... start remsim-bankd towards remsim_test_peer_get_port(server) ...
 *   remsim_test_peer_wait_hellos(server, 1);
 *   g_assert_cmpint(remsim_test_peer_map(server, 0, 7, 0), ==, RSPRO_RESULT_OK);
 *
 *   remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
 *   g_assert_cmpint(remsim_test_peer_connect(client, bankd_port), ==, RSPRO_RESULT_OK);
 *   response = remsim_test_peer_apdu(client, 0, apdu);
 */
#pragma once

#include <gio/gio.h>

#include "remsim-test-common.h"
#include "rspro-connection.h"

G_BEGIN_DECLS

/* the bank a client peer's TPDUs go to and a server peer's maps name */
#define REMSIM_TEST_PEER_BANK_ID 1

typedef enum {
	REMSIM_TEST_PEER_SERVER,
	REMSIM_TEST_PEER_BANK,
	REMSIM_TEST_PEER_CLIENT,
} RemsimTestPeerRole;

#define REMSIM_TEST_TYPE_PEER (remsim_test_peer_get_type())
G_DECLARE_FINAL_TYPE(RemsimTestPeer, remsim_test_peer, REMSIM_TEST, PEER, GObject)

RemsimTestPeer *remsim_test_peer_new_server(void);
/* a bank with @bank_id and @n_slots (its connectBankReq) */
RemsimTestPeer *remsim_test_peer_new_bank(guint16 bank_id, guint16 n_slots);
/* a client on client slot @client_id:@slot_nr (its connectClientReq, its TPDUs) */
RemsimTestPeer *remsim_test_peer_new_client(guint16 client_id, guint16 slot_nr);

RemsimTestPeerRole remsim_test_peer_get_role(RemsimTestPeer *self);
const RsproClientSlot *remsim_test_peer_get_client_slot(RemsimTestPeer *self);
guint16 remsim_test_peer_get_bank_id(RemsimTestPeer *self);
/* the hello of a bank or client peer: connectBankReq / connectClientReq (transfer full) */
RsproPdu *remsim_test_peer_new_hello(RemsimTestPeer *self);
/*
 * A bank's card: its ATR, by default a T=0 one that ends in the bank id
 * (3B 9F 96 80 1F <id>), so that a test tells banks apart.
 */
GBytes *remsim_test_peer_get_atr(RemsimTestPeer *self);
void remsim_test_peer_set_atr(RemsimTestPeer *self, GBytes *atr);
/*
 * A server's map for its clients: client slot N goes to bank @bank_id, slot
 * @slot_nr + N, at 127.0.0.1:@port; @port 0 unmaps (bank 0:0 at 0.0.0.0:0).
 * Sent at once to every open connection whose first PDU was a connectClientReq,
 * and by "reply config" from then on.
 */
void remsim_test_peer_set_config(RemsimTestPeer *self, guint16 bank_id, guint16 slot_nr,
				 guint16 port);

/* --- the script --- */

/* the usual parts, as scripts for remsim_test_peer_load_script() */
/* a server as remsim-bankd sees it: every bank is welcome */
#define REMSIM_TEST_PEER_SERVER_FOR_BANKD "expect connectBankReq\nreply result ok\n"
/* a client of remsim-bankd: it takes every ATR */
#define REMSIM_TEST_PEER_CLIENT_FOR_BANKD "every setAtrReq\nreply result ok\n"
/* a bank of remsim-server: it takes every map */
#define REMSIM_TEST_PEER_BANK_FOR_SERVER                                                           \
	"every createMappingReq\nreply result ok\nevery removeMappingReq\nreply result ok\n"
/* a client of remsim-server: it takes every bank it is sent to */
#define REMSIM_TEST_PEER_CLIENT_FOR_SERVER "every configClientBankReq\nreply result ok\n"
/* a server as remsim-client sees it: every client is welcome, and told its bank */
#define REMSIM_TEST_PEER_SERVER_FOR_CLIENT                                                         \
	"expect connectClientReq\nreply result ok\nreply config\n"
/* a bank as remsim-client sees it: its card's ATR, then the default card's answers */
#define REMSIM_TEST_PEER_BANK_FOR_CLIENT                                                           \
	"expect connectClientReq\nreply result ok\nreply atr\nevery tpduModemToCard\nreply tpdu\n"

/*
 * Makes a reply from the PDU a step took (or, for remsim_test_peer_send_each(),
 * the first PDU the connection received); NULL sends nothing.
 */
typedef RsproPdu *(*RemsimTestPeerReplyFunc)(RemsimTestPeer *peer, const RsproPdu *pdu,
					     gpointer user_data);
/* a card: the response (data and status word) to a command TPDU */
typedef GBytes *(*RemsimTestPeerCardFunc)(GBytes *command, gpointer user_data);

/* a new step: the next PDU of @type */
void remsim_test_peer_expect(RemsimTestPeer *self, RsproMsgType type);
/* the same with fields to assert, in the vectors' shape (the message name gives the type) */
void remsim_test_peer_expect_json(RemsimTestPeer *self, const gchar *fields);
/* a new step: each PDU of @type from here on */
void remsim_test_peer_every(RemsimTestPeer *self, RsproMsgType type);
void remsim_test_peer_every_json(RemsimTestPeer *self, const gchar *fields);

/* replies of the last step, sent in the order they were added */
void remsim_test_peer_reply(RemsimTestPeer *self, const RsproPdu *pdu);
/* a whole PDU in the vectors' shape: {"version":2,"tag":0,"msg":{...}} */
void remsim_test_peer_reply_json(RemsimTestPeer *self, const gchar *pdu);
/*
 * The PDU of row @id of tests/vectors/rspro-vectors.tsv ("020" names
 * 020-connectClientRes-...): decoded from its hex, whose bytes it then is on
 * the wire; or, with @from_fields, decoded from its JSON fields.
 */
void remsim_test_peer_reply_vector(RemsimTestPeer *self, const gchar *id, gboolean from_fields);
/*
 * The response to the step's request type with @result: connectBankRes and
 * connectClientRes carry the peer's identity.
 */
void remsim_test_peer_reply_result(RemsimTestPeer *self, gint result);
/*
 * A bank's setAtrReq with @atr (NULL: the peer's ATR when it is sent) to the
 * client slot of the connectClientReq the step took.
 */
void remsim_test_peer_reply_set_atr(RemsimTestPeer *self, GBytes *atr);
/*
 * A bank's tpduCardToModem, between the TPDU's slots, with what @card answers;
 * @card NULL is a card whose answers tell banks and commands apart: the bank
 * id, the command's INS, 90 00.
 */
void remsim_test_peer_reply_tpdu(RemsimTestPeer *self, RemsimTestPeerCardFunc card,
				 gpointer user_data);
/* a server's configClientBankReq for the client of the step's hello: see _set_config() */
void remsim_test_peer_reply_config(RemsimTestPeer *self);
void remsim_test_peer_reply_func(RemsimTestPeer *self, RemsimTestPeerReplyFunc func,
				 gpointer user_data, GDestroyNotify destroy);

/*
 * Adds the steps and replies of @script, as in the header comment; asserts
 * that each line is one ("expect", "every", "reply" with a message name, JSON,
 * "vector ID [fields]" or "result NAME").
 */
void remsim_test_peer_load_script(RemsimTestPeer *self, const gchar *script);

/* a row of the vector table as a PDU (see remsim_test_peer_reply_vector()) */
RsproPdu *remsim_test_peer_vector_pdu(const gchar *id, gboolean from_fields);

/* --- connections --- */

/* listens on 127.0.0.1:@port (0: any; remsim_test_peer_get_port() says which) */
void remsim_test_peer_listen(RemsimTestPeer *self, guint16 port);
/* remsim_test_peer_load_script() and remsim_test_peer_listen() on any port */
void remsim_test_peer_serve(RemsimTestPeer *self, const gchar *script);
/* listens again on the port it had, after remsim_test_peer_close() */
void remsim_test_peer_relisten(RemsimTestPeer *self);
guint16 remsim_test_peer_get_port(RemsimTestPeer *self);
/* connects to 127.0.0.1:@port and sends @hello first (NULL: nothing); asserts it connected */
void remsim_test_peer_dial(RemsimTestPeer *self, guint16 port, const RsproPdu *hello);
/*
 * The same through an RsproLink, as the daemons dial: after a refused @hello or
 * a lost connection it dials again (after a short back-off) until @hello is
 * accepted by a peer of @peer_type. The accepted hello's response is recorded.
 */
void remsim_test_peer_dial_link(RemsimTestPeer *self, guint16 port, const RsproPdu *hello,
				RsproComponentType peer_type);
/*
 * Dials @port with the peer's own hello (remsim_test_peer_new_hello()) and
 * waits for its answer: the result, or -1 if the connection closed without one.
 */
gint remsim_test_peer_connect(RemsimTestPeer *self, guint16 port);
/* closes the listener, the link and every connection, as a killed process would */
void remsim_test_peer_close(RemsimTestPeer *self);

/* connections open now */
guint remsim_test_peer_get_n_connections(RemsimTestPeer *self);
/* connections ever accepted or made */
guint remsim_test_peer_get_n_sessions(RemsimTestPeer *self);
/*
 * Waits until the peer received @n hellos (connectBankReq, connectClientReq) in
 * all and has a connection open: a daemon that dials it is there.
 */
void remsim_test_peer_wait_hellos(RemsimTestPeer *self, guint n);
/* waits until no connection is open; FALSE if one still is after REMSIM_TEST_TIMEOUT_MS */
gboolean remsim_test_peer_wait_closed(RemsimTestPeer *self);
/*
 * Waits for the answer to the hello on the newest connection: its result, or
 * -1 if the connection closed without one (fails the test if neither comes).
 */
gint remsim_test_peer_wait_hello(RemsimTestPeer *self);

/* --- sending --- */

/* sends @pdu on every open connection; returns on how many */
guint remsim_test_peer_send(RemsimTestPeer *self, const RsproPdu *pdu);
/* on every open connection, sends what @func makes of the first PDU it received */
guint remsim_test_peer_send_each(RemsimTestPeer *self, RemsimTestPeerReplyFunc func,
				 gpointer user_data);
/*
 * Sends @request on the newest open connection and waits for its response
 * (rspro_connection_request_async()); NULL if the connection closed first.
 */
RsproPdu *remsim_test_peer_request(RemsimTestPeer *self, const RsproPdu *request);
/* the same without waiting */
void remsim_test_peer_request_async(RemsimTestPeer *self, const RsproPdu *request,
				    GCancellable *cancellable, GAsyncReadyCallback callback,
				    gpointer user_data);
RsproPdu *remsim_test_peer_request_finish(RemsimTestPeer *self, GAsyncResult *result,
					  GError **error);
/* a server's createMappingReq / removeMappingReq: the result, or -1 with no answer */
gint remsim_test_peer_map(RemsimTestPeer *self, guint16 bank_slot, guint16 client_id,
			  guint16 client_slot);
gint remsim_test_peer_unmap(RemsimTestPeer *self, guint16 bank_slot, guint16 client_id,
			    guint16 client_slot);
/* a client's tpduModemToCard from its slot to bank slot @bank_slot (transfer full) */
RsproPdu *remsim_test_peer_new_tpdu(RemsimTestPeer *self, guint16 bank_slot, GBytes *apdu);
/*
 * One TPDU as a request: the response's data, after asserting that it came
 * from that bank slot to this client slot; NULL if the connection ended.
 */
GBytes *remsim_test_peer_apdu(RemsimTestPeer *self, guint16 bank_slot, GBytes *apdu);
/* a client's clientSlotStatusInd to bank slot @bank_slot: VCC, RST, CLK active */
void remsim_test_peer_send_status(RemsimTestPeer *self, guint16 bank_slot, gboolean vcc,
				  gboolean rst);

/* --- what it received --- */

/* how many PDUs of @type came as messages so far */
guint remsim_test_peer_count(RemsimTestPeer *self, RsproMsgType type);
/* how many of remsim's own messages (rspro-ipa.h) came on accepted connections */
guint remsim_test_peer_count_remsim_messages(RemsimTestPeer *self);
/* the last PDU of @type that came, or NULL (owned by the peer) */
const RsproPdu *remsim_test_peer_last(RemsimTestPeer *self, RsproMsgType type);
/* the first PDU of @type not taken yet, or NULL (transfer full) */
RsproPdu *remsim_test_peer_take(RemsimTestPeer *self, RsproMsgType type);
/* the same, waiting for it; fails the test if none comes */
RsproPdu *remsim_test_peer_wait(RemsimTestPeer *self, RsproMsgType type);

G_END_DECLS
