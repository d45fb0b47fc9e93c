/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "remsim-test-peer.h"
#include "rspro-link.h"
#include "rspro-listener.h"

/* a short back-off for remsim_test_peer_dial_link(): 1 s of upstream's table is 20 ms */
#define REMSIM_TEST_PEER_BACKOFF_SCALE 0.02

typedef struct {
	RsproPdu *pdu;		      /* a fixed PDU, or */
	RemsimTestPeerReplyFunc func; /* one made of the request */
	gpointer data;
	GDestroyNotify destroy;
} RemsimTestPeerReply;

typedef struct {
	gboolean every;
	RsproMsgType type;
	JsonNode *fields; /* asserted as a subset, or NULL */
	GPtrArray *replies;
} RemsimTestPeerStep;

/* one connection and where it is in the script */
typedef struct {
	RemsimTestPeer *peer;
	RsproConnection *conn;
	guint next_step;       /* the first step not reached yet */
	GArray *every;	       /* guint: the every-steps reached */
	const RsproPdu *first; /* the first PDU received (in peer->received) */
	gint hello_result;     /* from connect*Res, -1 before */
	gboolean closed;
} RemsimTestPeerSession;

struct _RemsimTestPeer {
	GObject parent_instance;

	RemsimTestPeerRole role;
	RsproComponentIdentity identity;
	RsproClientSlot client_slot;
	guint16 bank_id;
	guint16 n_slots;
	GBytes *atr;
	gboolean has_config;
	RsproBankSlot config_bank;
	guint16 config_port;

	GPtrArray *steps; /* RemsimTestPeerStep */
	RsproListener *listener;
	guint16 port;
	RsproLink *link;
	RemsimTestPeerSession *link_session;
	GPtrArray *sessions; /* RemsimTestPeerSession, every one so far */

	GPtrArray *received; /* RsproPdu, every message in order */
	GQueue untaken;	     /* RsproPdu in received, not taken yet */
	guint counts[RSPRO_MSG_TYPE_COUNT];
	const RsproPdu *last[RSPRO_MSG_TYPE_COUNT];
	guint remsim_messages; /* remsim's own messages (rspro-ipa.h), which it never answers */
};

G_DEFINE_FINAL_TYPE(RemsimTestPeer, remsim_test_peer, G_TYPE_OBJECT)

/* --- steps and replies --- */

static void
remsim_test_peer_reply_free(RemsimTestPeerReply *reply)
{
	g_clear_pointer(&reply->pdu, rspro_pdu_free);
	if (reply->destroy != NULL && reply->data != NULL)
		reply->destroy(reply->data);
	g_free(reply);
}

static void
remsim_test_peer_step_free(RemsimTestPeerStep *step)
{
	g_clear_pointer(&step->fields, json_node_unref);
	g_ptr_array_unref(step->replies);
	g_free(step);
}

static void
remsim_test_peer_add_step(RemsimTestPeer *self, gboolean every, RsproMsgType type, JsonNode *fields)
{
	RemsimTestPeerStep *step = g_new0(RemsimTestPeerStep, 1);

	/* a script is written before the peer connects: a session never sees it change */
	g_assert_cmpuint(self->sessions->len, ==, 0);
	step->every = every;
	step->type = type;
	step->fields = fields;
	step->replies = g_ptr_array_new_with_free_func((GDestroyNotify)remsim_test_peer_reply_free);
	g_ptr_array_add(self->steps, step);
}

/* @fields in the vectors' shape; its one message name gives the type */
static JsonNode *
remsim_test_peer_parse_fields(const gchar *fields, RsproMsgType *type)
{
	g_autoptr(GError) error = NULL;
	JsonNode *node = json_from_string(fields, &error);
	JsonObject *msg;
	g_autoptr(GList) names = NULL;

	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	msg = json_object_get_object_member(json_node_get_object(node), "msg");
	g_assert_nonnull(msg);
	names = json_object_get_members(msg);
	g_assert_cmpuint(g_list_length(names), ==, 1);
	if (!rspro_msg_type_from_string(names->data, type))
		g_error("remsim-test-peer: no RSPRO message is called %s", (gchar *)names->data);
	return node;
}

void
remsim_test_peer_expect(RemsimTestPeer *self, RsproMsgType type)
{
	remsim_test_peer_add_step(self, FALSE, type, NULL);
}

void
remsim_test_peer_expect_json(RemsimTestPeer *self, const gchar *fields)
{
	RsproMsgType type;
	JsonNode *node = remsim_test_peer_parse_fields(fields, &type);

	remsim_test_peer_add_step(self, FALSE, type, node);
}

void
remsim_test_peer_every(RemsimTestPeer *self, RsproMsgType type)
{
	remsim_test_peer_add_step(self, TRUE, type, NULL);
}

void
remsim_test_peer_every_json(RemsimTestPeer *self, const gchar *fields)
{
	RsproMsgType type;
	JsonNode *node = remsim_test_peer_parse_fields(fields, &type);

	remsim_test_peer_add_step(self, TRUE, type, node);
}

static RemsimTestPeerStep *
remsim_test_peer_last_step(RemsimTestPeer *self)
{
	/* a reply answers a step: the script must have one */
	g_assert_cmpuint(self->steps->len, >, 0);
	return self->steps->pdata[self->steps->len - 1];
}

static void
remsim_test_peer_add_reply(RemsimTestPeer *self, RsproPdu *pdu, RemsimTestPeerReplyFunc func,
			   gpointer data, GDestroyNotify destroy)
{
	RemsimTestPeerReply *reply = g_new0(RemsimTestPeerReply, 1);

	reply->pdu = pdu;
	reply->func = func;
	reply->data = data;
	reply->destroy = destroy;
	g_ptr_array_add(remsim_test_peer_last_step(self)->replies, reply);
}

void
remsim_test_peer_reply(RemsimTestPeer *self, const RsproPdu *pdu)
{
	remsim_test_peer_add_reply(self, rspro_pdu_copy(pdu), NULL, NULL, NULL);
}

void
remsim_test_peer_reply_json(RemsimTestPeer *self, const gchar *pdu)
{
	g_autoptr(GError) error = NULL;
	RsproPdu *decoded = rspro_pdu_json_decode_string(pdu, &error);

	g_assert_no_error(error);
	remsim_test_peer_add_reply(self, decoded, NULL, NULL, NULL);
}

void
remsim_test_peer_reply_vector(RemsimTestPeer *self, const gchar *id, gboolean from_fields)
{
	remsim_test_peer_add_reply(self, remsim_test_peer_vector_pdu(id, from_fields), NULL, NULL,
				   NULL);
}

static RsproPdu *
remsim_test_peer_result_reply(RemsimTestPeer *peer, const RsproPdu *pdu, gpointer user_data)
{
	gint result = GPOINTER_TO_INT(user_data);
	gint type = rspro_msg_type_response(pdu->type);

	if (pdu->type == RSPRO_MSG_CONNECT_BANK_REQ || pdu->type == RSPRO_MSG_CONNECT_CLIENT_REQ)
		return rspro_pdu_new_connect_res(type, &peer->identity, result);
	return rspro_pdu_new_result(type, result);
}

void
remsim_test_peer_reply_result(RemsimTestPeer *self, gint result)
{
	gint type = rspro_msg_type_response(remsim_test_peer_last_step(self)->type);

	/* only a request answered by a result has one */
	g_assert_cmpint(type, >=, 0);
	g_assert_cmpint(type, !=, RSPRO_MSG_TPDU_CARD_TO_MODEM);
	remsim_test_peer_add_reply(self, NULL, remsim_test_peer_result_reply,
				   GINT_TO_POINTER(result), NULL);
}

static RsproPdu *
remsim_test_peer_set_atr_reply(RemsimTestPeer *peer, const RsproPdu *pdu, gpointer user_data)
{
	return rspro_pdu_new_set_atr_req(&pdu->u.connect_client_req.client_slot,
					 user_data != NULL ? user_data : peer->atr);
}

void
remsim_test_peer_reply_set_atr(RemsimTestPeer *self, GBytes *atr)
{
	g_assert_cmpint(remsim_test_peer_last_step(self)->type, ==, RSPRO_MSG_CONNECT_CLIENT_REQ);
	remsim_test_peer_add_reply(self, NULL, remsim_test_peer_set_atr_reply,
				   atr != NULL ? g_bytes_ref(atr) : NULL,
				   (GDestroyNotify)g_bytes_unref);
}

/* the configClientBankReq for the client whose hello is @pdu, or NULL without a map */
static RsproPdu *
remsim_test_peer_config_reply(RemsimTestPeer *peer, const RsproPdu *pdu, gpointer user_data)
{
	RsproIpPort ip = { 0 };
	RsproBankSlot bank = peer->config_bank;

	if (!peer->has_config || pdu->type != RSPRO_MSG_CONNECT_CLIENT_REQ)
		return NULL;
	/* client slot n gets bank slot slot_nr + n, so that slots can be told apart */
	if (peer->config_port != 0)
		bank.slot_nr += pdu->u.connect_client_req.client_slot.slot_nr;
	g_assert_true(rspro_ip_port_from_string(
	    &ip, peer->config_port != 0 ? "127.0.0.1" : "0.0.0.0", peer->config_port));
	return rspro_pdu_new_config_client_bank_req(&bank, &ip);
}

void
remsim_test_peer_reply_config(RemsimTestPeer *self)
{
	g_assert_cmpint(remsim_test_peer_last_step(self)->type, ==, RSPRO_MSG_CONNECT_CLIENT_REQ);
	remsim_test_peer_add_reply(self, NULL, remsim_test_peer_config_reply, NULL, NULL);
}

void
remsim_test_peer_set_config(RemsimTestPeer *self, guint16 bank_id, guint16 slot_nr, guint16 port)
{
	g_assert_true(self->role == REMSIM_TEST_PEER_SERVER);
	self->has_config = TRUE;
	self->config_bank.bank_id = bank_id;
	self->config_bank.slot_nr = slot_nr;
	self->config_port = port;
	remsim_test_peer_send_each(self, remsim_test_peer_config_reply, NULL);
}

typedef struct {
	RemsimTestPeerCardFunc card;
	gpointer data;
} RemsimTestPeerCard;

/* the default card: the bank id, the command's INS, 90 00 */
static GBytes *
remsim_test_peer_default_card(RemsimTestPeer *peer, GBytes *command)
{
	gsize len = 0;
	const guint8 *cmd = g_bytes_get_data(command, &len);
	const guint8 rsp[] = { (guint8)peer->bank_id, len > 1 ? cmd[1] : 0, 0x90, 0x00 };

	return g_bytes_new(rsp, sizeof(rsp));
}

static RsproPdu *
remsim_test_peer_tpdu_reply(RemsimTestPeer *peer, const RsproPdu *pdu, gpointer user_data)
{
	RemsimTestPeerCard *card = user_data;
	const RsproTpduModemToCard *tpdu = &pdu->u.tpdu_modem_to_card;
	g_autoptr(GBytes) response = card->card != NULL
					 ? card->card(tpdu->data, card->data)
					 : remsim_test_peer_default_card(peer, tpdu->data);

	return rspro_pdu_new_tpdu_card_to_modem(&tpdu->to_bank_slot, &tpdu->from_client_slot,
						response);
}

void
remsim_test_peer_reply_tpdu(RemsimTestPeer *self, RemsimTestPeerCardFunc card, gpointer user_data)
{
	RemsimTestPeerCard *data = g_new0(RemsimTestPeerCard, 1);

	g_assert_cmpint(remsim_test_peer_last_step(self)->type, ==, RSPRO_MSG_TPDU_MODEM_TO_CARD);
	data->card = card;
	data->data = user_data;
	remsim_test_peer_add_reply(self, NULL, remsim_test_peer_tpdu_reply, data, g_free);
}

void
remsim_test_peer_reply_func(RemsimTestPeer *self, RemsimTestPeerReplyFunc func, gpointer user_data,
			    GDestroyNotify destroy)
{
	remsim_test_peer_add_reply(self, NULL, func, user_data, destroy);
}

/* --- the vector table --- */

/* the fields and hex of row @id of tests/vectors/rspro-vectors.tsv */
static gboolean
remsim_test_peer_find_vector(const gchar *id, gchar **fields, gchar **hex)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *prefix = g_strdup_printf("%s-", id);
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_nonnull(srcdir);
	path = g_build_filename(srcdir, "tests", "vectors", "rspro-vectors.tsv", NULL);
	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);

		if (g_strv_length(cols) != 4 || cols[0][0] == '#')
			continue;
		if (g_strcmp0(cols[0], id) == 0 || g_str_has_prefix(cols[0], prefix)) {
			*fields = g_strdup(cols[2]);
			*hex = g_strdup(cols[3]);
			return TRUE;
		}
	}
	return FALSE;
}

RsproPdu *
remsim_test_peer_vector_pdu(const gchar *id, gboolean from_fields)
{
	g_autofree gchar *fields = NULL;
	g_autofree gchar *hex = NULL;
	g_autoptr(GBytes) der = NULL;
	g_autoptr(GBytes) again = NULL;
	g_autoptr(GError) error = NULL;
	RsproPdu *pdu;

	if (!remsim_test_peer_find_vector(id, &fields, &hex))
		g_error("remsim-test-peer: no vector %s in tests/vectors/rspro-vectors.tsv", id);
	if (from_fields) {
		pdu = rspro_pdu_json_decode_string(fields, &error);
		g_assert_no_error(error);
		return pdu;
	}
	der = remsim_test_common_hex_bytes(hex);
	pdu = rspro_pdu_decode_bytes(der, &error);
	g_assert_no_error(error);
	/* the connection encodes it again: what goes on the wire is upstream's bytes */
	again = rspro_pdu_encode(pdu, &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(again, der));
	return pdu;
}

/* --- the script as text --- */

static gint
remsim_test_peer_result_from_string(const gchar *name)
{
	gchar *end = NULL;
	gint64 number = g_ascii_strtoll(name, &end, 10);

	if (end != name && *end == '\0')
		return (gint)number;
	for (gint result = 0; result < 256; result++) {
		if (g_strcmp0(rspro_enum_result_code_to_string(result), name) == 0)
			return result;
	}
	g_error("remsim-test-peer: no RSPRO result is called %s", name);
}

static void
remsim_test_peer_load_step(RemsimTestPeer *self, gboolean every, const gchar *what)
{
	RsproMsgType type;

	if (what[0] == '{') {
		if (every)
			remsim_test_peer_every_json(self, what);
		else
			remsim_test_peer_expect_json(self, what);
		return;
	}
	if (!rspro_msg_type_from_string(what, &type))
		g_error("remsim-test-peer: no RSPRO message is called %s", what);
	remsim_test_peer_add_step(self, every, type, NULL);
}

static void
remsim_test_peer_load_reply(RemsimTestPeer *self, const gchar *what)
{
	g_auto(GStrv) words = g_strsplit_set(what, " \t", -1);

	if (what[0] == '{')
		remsim_test_peer_reply_json(self, what);
	else if (g_str_equal(words[0], "vector") && words[1] != NULL &&
		 (words[2] == NULL || (g_str_equal(words[2], "fields") && words[3] == NULL)))
		remsim_test_peer_reply_vector(self, words[1], words[2] != NULL);
	else if (g_str_equal(words[0], "result") && words[1] != NULL && words[2] == NULL)
		remsim_test_peer_reply_result(self, remsim_test_peer_result_from_string(words[1]));
	else if (g_str_equal(words[0], "atr") && (words[1] == NULL || words[2] == NULL)) {
		g_autoptr(GBytes) atr =
		    words[1] != NULL ? remsim_test_common_hex_bytes(words[1]) : NULL;

		remsim_test_peer_reply_set_atr(self, atr);
	} else if (g_str_equal(what, "tpdu"))
		remsim_test_peer_reply_tpdu(self, NULL, NULL);
	else if (g_str_equal(what, "config"))
		remsim_test_peer_reply_config(self);
	else
		g_error("remsim-test-peer: not a reply: %s", what);
}

void
remsim_test_peer_load_script(RemsimTestPeer *self, const gchar *script)
{
	g_auto(GStrv) lines = g_strsplit(script, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		gchar *rest = line + strcspn(line, " \t");

		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (*rest != '\0')
			*rest++ = '\0';
		rest = g_strchug(rest);
		if (g_str_equal(line, "expect") || g_str_equal(line, "every"))
			remsim_test_peer_load_step(self, g_str_equal(line, "every"), rest);
		else if (g_str_equal(line, "reply"))
			remsim_test_peer_load_reply(self, rest);
		else
			g_error("remsim-test-peer: script line %u: %s is no step", i + 1, line);
	}
}

/* --- running the script --- */

/* every member of @part is in @whole, recursively; arrays and values are equal */
static gboolean
remsim_test_peer_json_contains(JsonNode *whole, JsonNode *part)
{
	JsonObject *whole_object, *part_object;
	g_autoptr(GList) members = NULL;

	if (!JSON_NODE_HOLDS_OBJECT(part) || !JSON_NODE_HOLDS_OBJECT(whole))
		return json_node_equal(whole, part);
	whole_object = json_node_get_object(whole);
	part_object = json_node_get_object(part);
	members = json_object_get_members(part_object);
	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *member = json_object_get_member(whole_object, l->data);

		if (member == NULL || !remsim_test_peer_json_contains(
					  member, json_object_get_member(part_object, l->data)))
			return FALSE;
	}
	return TRUE;
}

static void
remsim_test_peer_check_fields(RemsimTestPeerStep *step, const RsproPdu *pdu)
{
	g_autoptr(JsonNode) got = NULL;
	g_autofree gchar *got_text = NULL;
	g_autofree gchar *want_text = NULL;

	if (step->fields == NULL)
		return;
	got = rspro_pdu_json_encode(pdu);
	if (remsim_test_peer_json_contains(got, step->fields))
		return;
	got_text = json_to_string(got, FALSE);
	want_text = json_to_string(step->fields, FALSE);
	g_error("remsim-test-peer: the script expected %s, and got %s", want_text, got_text);
}

static void
remsim_test_peer_session_send(RemsimTestPeerSession *session, const RsproPdu *pdu)
{
	g_autoptr(GError) error = NULL;

	/* a daemon may close as it answers: what it did not read, it does not miss */
	if (!rspro_connection_send(session->conn, pdu, &error))
		g_test_message("remsim-test-peer: cannot send: %s", error->message);
}

static void
remsim_test_peer_answer(RemsimTestPeerSession *session, RemsimTestPeerStep *step,
			const RsproPdu *pdu)
{
	remsim_test_peer_check_fields(step, pdu);
	for (guint i = 0; i < step->replies->len && !session->closed; i++) {
		RemsimTestPeerReply *reply = step->replies->pdata[i];
		g_autoptr(RsproPdu) made = NULL;

		if (reply->func != NULL)
			made = reply->func(session->peer, pdu, reply->data);
		if (reply->pdu != NULL)
			remsim_test_peer_session_send(session, reply->pdu);
		else if (made != NULL)
			remsim_test_peer_session_send(session, made);
	}
}

/* passes the every-steps from the next step on, up to the next expect step */
static void
remsim_test_peer_session_advance(RemsimTestPeerSession *session)
{
	GPtrArray *steps = session->peer->steps;

	while (session->next_step < steps->len) {
		RemsimTestPeerStep *step = steps->pdata[session->next_step];

		if (!step->every)
			break;
		g_array_append_val(session->every, session->next_step);
		session->next_step++;
	}
}

static void
remsim_test_peer_record(RemsimTestPeer *self, RemsimTestPeerSession *session, const RsproPdu *pdu)
{
	RsproPdu *copy = rspro_pdu_copy(pdu);

	g_ptr_array_add(self->received, copy);
	g_queue_push_tail(&self->untaken, copy);
	if ((guint)pdu->type < RSPRO_MSG_TYPE_COUNT) {
		self->counts[pdu->type]++;
		self->last[pdu->type] = copy;
	}
	if (session->first == NULL)
		session->first = copy;
	if (pdu->type == RSPRO_MSG_CONNECT_BANK_RES)
		session->hello_result = pdu->u.connect_bank_res.result;
	else if (pdu->type == RSPRO_MSG_CONNECT_CLIENT_RES)
		session->hello_result = pdu->u.connect_client_res.result;
}

static void
remsim_test_peer_session_receive(RemsimTestPeerSession *session, const RsproPdu *pdu)
{
	GPtrArray *steps = session->peer->steps;

	remsim_test_peer_record(session->peer, session, pdu);
	if (session->next_step < steps->len) {
		RemsimTestPeerStep *step = steps->pdata[session->next_step];

		if (step->type == pdu->type) {
			session->next_step++;
			remsim_test_peer_session_advance(session);
			remsim_test_peer_answer(session, step, pdu);
			return;
		}
	}
	for (guint i = 0; i < session->every->len; i++) {
		RemsimTestPeerStep *step = steps->pdata[g_array_index(session->every, guint, i)];

		if (step->type == pdu->type) {
			remsim_test_peer_answer(session, step, pdu);
			return;
		}
	}
}

/* --- connections --- */

static void
remsim_test_peer_session_free(RemsimTestPeerSession *session)
{
	if (session->conn != NULL) {
		g_signal_handlers_disconnect_by_data(session->conn, session);
		g_object_unref(session->conn);
	}
	g_array_unref(session->every);
	g_free(session);
}

static RemsimTestPeerSession *
remsim_test_peer_session_new(RemsimTestPeer *self, RsproConnection *conn)
{
	RemsimTestPeerSession *session = g_new0(RemsimTestPeerSession, 1);

	session->peer = self;
	session->conn = g_object_ref(conn);
	session->every = g_array_new(FALSE, FALSE, sizeof(guint));
	session->hello_result = -1;
	g_ptr_array_add(self->sessions, session);
	remsim_test_peer_session_advance(session);
	return session;
}

static void
remsim_test_peer_message_cb(RsproConnection *conn, RsproPdu *pdu, gpointer user_data)
{
	remsim_test_peer_session_receive(user_data, pdu);
}

static void
remsim_test_peer_closed_cb(RsproConnection *conn, GError *reason, gpointer user_data)
{
	RemsimTestPeerSession *session = user_data;

	session->closed = TRUE;
	g_signal_handlers_disconnect_by_data(conn, session);
}

static void
remsim_test_peer_remsim_message_cb(RsproConnection *conn, GBytes *payload, gpointer user_data)
{
	RemsimTestPeerSession *session = user_data;

	session->peer->remsim_messages++;
}

/* a connection of its own (not a link's): the peer reads it */
static RemsimTestPeerSession *
remsim_test_peer_session_start(RemsimTestPeer *self, RsproConnection *conn)
{
	RemsimTestPeerSession *session = remsim_test_peer_session_new(self, conn);

	g_signal_connect(conn, "message", G_CALLBACK(remsim_test_peer_message_cb), session);
	g_signal_connect(conn, "remsim-message", G_CALLBACK(remsim_test_peer_remsim_message_cb),
			 session);
	g_signal_connect(conn, "closed", G_CALLBACK(remsim_test_peer_closed_cb), session);
	return session;
}

static void
remsim_test_peer_connection_cb(RsproListener *listener, RsproConnection *conn, gpointer user_data)
{
	remsim_test_peer_session_start(user_data, conn);
}

void
remsim_test_peer_listen(RemsimTestPeer *self, guint16 port)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(self->role != REMSIM_TEST_PEER_CLIENT);
	g_assert_null(self->listener);
	self->listener = rspro_listener_new();
	g_signal_connect(self->listener, "connection", G_CALLBACK(remsim_test_peer_connection_cb),
			 self);
	rspro_listener_listen(self->listener, "127.0.0.1", port, &error);
	g_assert_no_error(error);
	self->port = rspro_listener_get_port(self->listener);
}

void
remsim_test_peer_serve(RemsimTestPeer *self, const gchar *script)
{
	remsim_test_peer_load_script(self, script);
	remsim_test_peer_listen(self, 0);
}

void
remsim_test_peer_relisten(RemsimTestPeer *self)
{
	g_assert_cmpuint(self->port, !=, 0);
	remsim_test_peer_listen(self, self->port);
}

guint16
remsim_test_peer_get_port(RemsimTestPeer *self)
{
	return self->port;
}

void
remsim_test_peer_dial(RemsimTestPeer *self, guint16 port, const RsproPdu *hello)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) sock = NULL;
	g_autoptr(RsproConnection) conn = NULL;
	g_autoptr(GError) error = NULL;
	RemsimTestPeerSession *session;

	g_assert_true(self->role != REMSIM_TEST_PEER_SERVER);
	sock = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);
	g_assert_no_error(error);
	conn = rspro_connection_new(G_IO_STREAM(sock));
	session = remsim_test_peer_session_start(self, conn);
	rspro_connection_start(conn);
	if (hello != NULL)
		remsim_test_peer_session_send(session, hello);
}

gint
remsim_test_peer_connect(RemsimTestPeer *self, guint16 port)
{
	g_autoptr(RsproPdu) hello = remsim_test_peer_new_hello(self);

	remsim_test_peer_dial(self, port, hello);
	return remsim_test_peer_wait_hello(self);
}

static void
remsim_test_peer_link_message_cb(RsproLink *link, RsproPdu *pdu, gpointer user_data)
{
	RemsimTestPeer *self = user_data;

	if (self->link_session != NULL)
		remsim_test_peer_session_receive(self->link_session, pdu);
}

static void
remsim_test_peer_link_connected_cb(RsproLink *link, RsproConnection *conn, gpointer user_data)
{
	RemsimTestPeer *self = user_data;

	self->link_session = remsim_test_peer_session_new(self, conn);
	/* the link took the hello's response: the script sees it all the same */
	remsim_test_peer_session_receive(self->link_session, rspro_link_get_hello_response(link));
}

static void
remsim_test_peer_link_disconnected_cb(RsproLink *link, GError *reason, gpointer user_data)
{
	RemsimTestPeer *self = user_data;

	if (self->link_session != NULL)
		self->link_session->closed = TRUE;
	self->link_session = NULL;
}

void
remsim_test_peer_dial_link(RemsimTestPeer *self, guint16 port, const RsproPdu *hello,
			   RsproComponentType peer_type)
{
	g_assert_true(self->role != REMSIM_TEST_PEER_SERVER);
	g_assert_null(self->link);
	self->link = rspro_link_new(hello, peer_type);
	rspro_link_set_backoff_scale(self->link, REMSIM_TEST_PEER_BACKOFF_SCALE);
	g_signal_connect(self->link, "connected", G_CALLBACK(remsim_test_peer_link_connected_cb),
			 self);
	g_signal_connect(self->link, "disconnected",
			 G_CALLBACK(remsim_test_peer_link_disconnected_cb), self);
	g_signal_connect(self->link, "message", G_CALLBACK(remsim_test_peer_link_message_cb), self);
	rspro_link_set_target(self->link, "127.0.0.1", port);
	rspro_link_start(self->link);
}

void
remsim_test_peer_close(RemsimTestPeer *self)
{
	if (self->listener != NULL) {
		rspro_listener_close(self->listener);
		g_signal_handlers_disconnect_by_data(self->listener, self);
		g_clear_object(&self->listener);
	}
	if (self->link != NULL) {
		g_signal_handlers_disconnect_by_data(self->link, self);
		rspro_link_stop(self->link);
		g_clear_object(&self->link);
		if (self->link_session != NULL)
			self->link_session->closed = TRUE;
		self->link_session = NULL;
	}
	for (guint i = 0; i < self->sessions->len; i++) {
		RemsimTestPeerSession *session = self->sessions->pdata[i];

		if (!session->closed) {
			session->closed = TRUE;
			g_signal_handlers_disconnect_by_data(session->conn, session);
			rspro_connection_close(session->conn);
		}
	}
}

guint
remsim_test_peer_get_n_connections(RemsimTestPeer *self)
{
	guint n = 0;

	for (guint i = 0; i < self->sessions->len; i++)
		n += !((RemsimTestPeerSession *)self->sessions->pdata[i])->closed;
	return n;
}

guint
remsim_test_peer_get_n_sessions(RemsimTestPeer *self)
{
	return self->sessions->len;
}

void
remsim_test_peer_wait_hellos(RemsimTestPeer *self, guint n)
{
	REMSIM_TEST_WAIT_FOR(self->counts[RSPRO_MSG_CONNECT_BANK_REQ] +
				     self->counts[RSPRO_MSG_CONNECT_CLIENT_REQ] >=
				 n &&
			     remsim_test_peer_get_n_connections(self) > 0);
}

static gboolean
remsim_test_peer_has_no_connection(gpointer data)
{
	return remsim_test_peer_get_n_connections(data) == 0;
}

gboolean
remsim_test_peer_wait_closed(RemsimTestPeer *self)
{
	return remsim_test_common_spin_until(remsim_test_peer_has_no_connection, self,
					     REMSIM_TEST_TIMEOUT_MS);
}

static RemsimTestPeerSession *
remsim_test_peer_newest(RemsimTestPeer *self)
{
	return self->sessions->len > 0 ? self->sessions->pdata[self->sessions->len - 1] : NULL;
}

static gboolean
remsim_test_peer_has_hello(gpointer data)
{
	RemsimTestPeerSession *session = remsim_test_peer_newest(data);

	return session != NULL && (session->hello_result >= 0 || session->closed);
}

gint
remsim_test_peer_wait_hello(RemsimTestPeer *self)
{
	RemsimTestPeerSession *session;

	REMSIM_TEST_WAIT_FOR(remsim_test_peer_has_hello(self));
	session = remsim_test_peer_newest(self);
	return session != NULL ? session->hello_result : -1;
}

/* --- sending --- */

guint
remsim_test_peer_send(RemsimTestPeer *self, const RsproPdu *pdu)
{
	guint n = 0;

	for (guint i = 0; i < self->sessions->len; i++) {
		RemsimTestPeerSession *session = self->sessions->pdata[i];

		if (!session->closed) {
			remsim_test_peer_session_send(session, pdu);
			n++;
		}
	}
	return n;
}

guint
remsim_test_peer_send_each(RemsimTestPeer *self, RemsimTestPeerReplyFunc func, gpointer user_data)
{
	guint n = 0;

	for (guint i = 0; i < self->sessions->len; i++) {
		RemsimTestPeerSession *session = self->sessions->pdata[i];
		g_autoptr(RsproPdu) pdu = NULL;

		if (session->closed || session->first == NULL)
			continue;
		pdu = func(self, session->first, user_data);
		if (pdu != NULL) {
			remsim_test_peer_session_send(session, pdu);
			n++;
		}
	}
	return n;
}

void
remsim_test_peer_request_async(RemsimTestPeer *self, const RsproPdu *request,
			       GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data)
{
	RemsimTestPeerSession *session = NULL;
	gint response = rspro_msg_type_response(request->type);

	for (guint i = self->sessions->len; i > 0 && session == NULL; i--) {
		RemsimTestPeerSession *s = self->sessions->pdata[i - 1];

		if (!s->closed)
			session = s;
	}
	g_assert_nonnull(session);
	g_assert_cmpint(response, >=, 0);
	rspro_connection_request_async(session->conn, request, response, REMSIM_TEST_TIMEOUT_MS,
				       cancellable, callback, user_data);
}

RsproPdu *
remsim_test_peer_request_finish(RemsimTestPeer *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GObject) conn = g_async_result_get_source_object(result);

	return rspro_connection_request_finish(RSPRO_CONNECTION(conn), result, error);
}

typedef struct {
	gboolean done;
	RsproPdu *response;
} RemsimTestPeerRequest;

static void
remsim_test_peer_request_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemsimTestPeerRequest *request = user_data;

	request->response = rspro_connection_request_finish(RSPRO_CONNECTION(source), result, NULL);
	request->done = TRUE;
}

static gboolean
remsim_test_peer_request_done(gpointer data)
{
	return ((RemsimTestPeerRequest *)data)->done;
}

RsproPdu *
remsim_test_peer_request(RemsimTestPeer *self, const RsproPdu *request)
{
	RemsimTestPeerRequest wait = { 0 };

	remsim_test_peer_request_async(self, request, NULL, remsim_test_peer_request_ready, &wait);
	/* the request itself gives up after REMSIM_TEST_TIMEOUT_MS */
	g_assert_true(remsim_test_common_spin_until(remsim_test_peer_request_done, &wait,
						    REMSIM_TEST_TIMEOUT_MS + 1000));
	return wait.response;
}

static gint
remsim_test_peer_mapping(RemsimTestPeer *self, RsproMsgType type, guint16 bank_slot,
			 guint16 client_id, guint16 client_slot)
{
	RsproClientSlot client = { client_id, client_slot };
	RsproBankSlot bank = { self->bank_id, bank_slot };
	g_autoptr(RsproPdu) req = rspro_pdu_new_mapping_req(type, &client, &bank);
	g_autoptr(RsproPdu) res = NULL;

	g_assert_true(self->role == REMSIM_TEST_PEER_SERVER);
	res = remsim_test_peer_request(self, req);
	return res != NULL ? res->u.create_mapping_res.result : -1;
}

gint
remsim_test_peer_map(RemsimTestPeer *self, guint16 bank_slot, guint16 client_id,
		     guint16 client_slot)
{
	return remsim_test_peer_mapping(self, RSPRO_MSG_CREATE_MAPPING_REQ, bank_slot, client_id,
					client_slot);
}

gint
remsim_test_peer_unmap(RemsimTestPeer *self, guint16 bank_slot, guint16 client_id,
		       guint16 client_slot)
{
	return remsim_test_peer_mapping(self, RSPRO_MSG_REMOVE_MAPPING_REQ, bank_slot, client_id,
					client_slot);
}

RsproPdu *
remsim_test_peer_new_tpdu(RemsimTestPeer *self, guint16 bank_slot, GBytes *apdu)
{
	RsproBankSlot to = { self->bank_id, bank_slot };

	g_assert_true(self->role == REMSIM_TEST_PEER_CLIENT);
	return rspro_pdu_new_tpdu_modem_to_card(&self->client_slot, &to, apdu);
}

GBytes *
remsim_test_peer_apdu(RemsimTestPeer *self, guint16 bank_slot, GBytes *apdu)
{
	g_autoptr(RsproPdu) tpdu = remsim_test_peer_new_tpdu(self, bank_slot, apdu);
	g_autoptr(RsproPdu) res = remsim_test_peer_request(self, tpdu);
	const RsproTpduCardToModem *answer;

	if (res == NULL)
		return NULL;
	answer = &res->u.tpdu_card_to_modem;
	g_assert_cmpuint(answer->to_client_slot.client_id, ==, self->client_slot.client_id);
	g_assert_cmpuint(answer->to_client_slot.slot_nr, ==, self->client_slot.slot_nr);
	g_assert_cmpuint(answer->from_bank_slot.slot_nr, ==, bank_slot);
	return g_bytes_ref(answer->data);
}

void
remsim_test_peer_send_status(RemsimTestPeer *self, guint16 bank_slot, gboolean vcc, gboolean rst)
{
	g_autoptr(RsproPdu) pdu = rspro_pdu_new(RSPRO_MSG_CLIENT_SLOT_STATUS_IND);
	RsproClientSlotStatusInd *ind = &pdu->u.client_slot_status_ind;

	g_assert_true(self->role == REMSIM_TEST_PEER_CLIENT);
	ind->from_client_slot = self->client_slot;
	ind->to_bank_slot.bank_id = self->bank_id;
	ind->to_bank_slot.slot_nr = bank_slot;
	ind->status.reset_active = rst;
	ind->status.has_vcc_present = TRUE;
	ind->status.vcc_present = vcc;
	ind->status.has_clk_active = TRUE;
	ind->status.clk_active = TRUE;
	g_assert_cmpuint(remsim_test_peer_send(self, pdu), ==, 1);
}

/* --- what it received --- */

guint
remsim_test_peer_count(RemsimTestPeer *self, RsproMsgType type)
{
	g_assert_cmpuint(type, <, RSPRO_MSG_TYPE_COUNT);
	return self->counts[type];
}

guint
remsim_test_peer_count_remsim_messages(RemsimTestPeer *self)
{
	return self->remsim_messages;
}

const RsproPdu *
remsim_test_peer_last(RemsimTestPeer *self, RsproMsgType type)
{
	g_assert_cmpuint(type, <, RSPRO_MSG_TYPE_COUNT);
	return self->last[type];
}

RsproPdu *
remsim_test_peer_take(RemsimTestPeer *self, RsproMsgType type)
{
	for (GList *l = self->untaken.head; l != NULL; l = l->next) {
		const RsproPdu *pdu = l->data;

		if (pdu->type == type) {
			g_queue_delete_link(&self->untaken, l);
			return rspro_pdu_copy(pdu);
		}
	}
	return NULL;
}

RsproPdu *
remsim_test_peer_wait(RemsimTestPeer *self, RsproMsgType type)
{
	RsproPdu *pdu = NULL;

	REMSIM_TEST_WAIT_FOR((pdu = remsim_test_peer_take(self, type)) != NULL);
	return pdu;
}

/* --- the object --- */

RemsimTestPeerRole
remsim_test_peer_get_role(RemsimTestPeer *self)
{
	return self->role;
}

const RsproClientSlot *
remsim_test_peer_get_client_slot(RemsimTestPeer *self)
{
	return &self->client_slot;
}

guint16
remsim_test_peer_get_bank_id(RemsimTestPeer *self)
{
	return self->bank_id;
}

GBytes *
remsim_test_peer_get_atr(RemsimTestPeer *self)
{
	return self->atr;
}

void
remsim_test_peer_set_atr(RemsimTestPeer *self, GBytes *atr)
{
	g_bytes_ref(atr);
	g_clear_pointer(&self->atr, g_bytes_unref);
	self->atr = atr;
}

RsproPdu *
remsim_test_peer_new_hello(RemsimTestPeer *self)
{
	switch (self->role) {
	case REMSIM_TEST_PEER_BANK:
		return rspro_pdu_new_connect_bank_req(&self->identity, self->bank_id,
						      self->n_slots);
	case REMSIM_TEST_PEER_CLIENT:
		return rspro_pdu_new_connect_client_req(&self->identity, &self->client_slot);
	default:
		g_assert_not_reached();
	}
}

static RemsimTestPeer *
remsim_test_peer_new(RemsimTestPeerRole role, RsproComponentType type, const gchar *name,
		     const gchar *software)
{
	RemsimTestPeer *self = g_object_new(REMSIM_TEST_TYPE_PEER, NULL);

	self->role = role;
	rspro_component_identity_init(&self->identity, type, name, software);
	return self;
}

RemsimTestPeer *
remsim_test_peer_new_server(void)
{
	return remsim_test_peer_new(REMSIM_TEST_PEER_SERVER, RSPRO_COMPONENT_SERVER, "test-server",
				    "remsim-server");
}

RemsimTestPeer *
remsim_test_peer_new_bank(guint16 bank_id, guint16 n_slots)
{
	RemsimTestPeer *self = remsim_test_peer_new(REMSIM_TEST_PEER_BANK, RSPRO_COMPONENT_BANKD,
						    "test-bank", "remsim-bankd");
	const guint8 atr[] = { 0x3b, 0x9f, 0x96, 0x80, 0x1f, (guint8)bank_id };

	self->bank_id = bank_id;
	self->n_slots = n_slots;
	self->atr = g_bytes_new(atr, sizeof(atr));
	return self;
}

RemsimTestPeer *
remsim_test_peer_new_client(guint16 client_id, guint16 slot_nr)
{
	RemsimTestPeer *self = remsim_test_peer_new(REMSIM_TEST_PEER_CLIENT, RSPRO_COMPONENT_CLIENT,
						    "test-client", "remsim-client");

	self->client_slot.client_id = client_id;
	self->client_slot.slot_nr = slot_nr;
	return self;
}

static void
remsim_test_peer_dispose(GObject *object)
{
	RemsimTestPeer *self = REMSIM_TEST_PEER(object);

	remsim_test_peer_close(self);
	G_OBJECT_CLASS(remsim_test_peer_parent_class)->dispose(object);
}

static void
remsim_test_peer_finalize(GObject *object)
{
	RemsimTestPeer *self = REMSIM_TEST_PEER(object);

	g_ptr_array_unref(self->sessions);
	g_ptr_array_unref(self->steps);
	g_queue_clear(&self->untaken);
	g_ptr_array_unref(self->received);
	g_clear_pointer(&self->atr, g_bytes_unref);
	rspro_component_identity_clear(&self->identity);
	G_OBJECT_CLASS(remsim_test_peer_parent_class)->finalize(object);
}

static void
remsim_test_peer_class_init(RemsimTestPeerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_test_peer_dispose;
	object_class->finalize = remsim_test_peer_finalize;
}

static void
remsim_test_peer_init(RemsimTestPeer *self)
{
	self->bank_id = REMSIM_TEST_PEER_BANK_ID;
	self->steps = g_ptr_array_new_with_free_func((GDestroyNotify)remsim_test_peer_step_free);
	self->sessions =
	    g_ptr_array_new_with_free_func((GDestroyNotify)remsim_test_peer_session_free);
	self->received = g_ptr_array_new_with_free_func((GDestroyNotify)rspro_pdu_free);
	g_queue_init(&self->untaken);
}
