/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIMtrace2 front end through its transport seam: a simulated firmware, a
 * modem session played by the test (reset, ATR, PTS, SELECT with 9Fxx and GET
 * RESPONSE, READ BINARY, AUTHENTICATE with 61xx), and garbage from the device.
 * The client slot runs in this process against scripted server and bank peers.
 */
#include "config.h"

#include <string.h>

#include "remsim-client-apdu-case.h"
#include "remsim-client-slot.h"
#include "remsim-client-frontend-simtrace2.h"
#include "remsim-client-st2-message.h"
#include "remsim-test-peer.h"
#include "st2-simulator.h"

typedef struct {
	RemsimTestPeer *server;
	RemsimTestPeer *bank;
	TestSt2Sim *sim;
	RemsimClientFrontend *fe;
	RemsimClientSlot *slot;
	gboolean finished;
} Rig;

static gchar *
to_hex(const guint8 *data, gsize len)
{
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	return g_string_free(s, FALSE);
}

static GBytes *
from_hex(const gchar *hex)
{
	gsize n = strlen(hex) / 2;
	guint8 *buf = g_malloc(n + 1);

	for (gsize i = 0; i < n; i++)
		buf[i] = (guint8)((g_ascii_xdigit_value(hex[2 * i]) << 4) |
				  g_ascii_xdigit_value(hex[2 * i + 1]));
	return g_bytes_new_take(buf, n);
}

static gchar *
sent_hex(Rig *r, guint i)
{
	GBytes *b = g_ptr_array_index(test_st2_sim_get_sent(r->sim), i);
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);

	return to_hex(d, len);
}

static guint
n_sent(Rig *r)
{
	return test_st2_sim_get_sent(r->sim)->len;
}

/* a simple card: answers by INS the way a GSM or UICC card would */
static GBytes *
card_respond(GBytes *command, gpointer data)
{
	gsize len;
	const guint8 *c = g_bytes_get_data(command, &len);
	g_autoptr(GByteArray) out = g_byte_array_new();
	guint8 sw[2] = { 0x90, 0x00 };

	switch (c[1]) {
	case 0xa4: /* SELECT: response waiting */
		sw[0] = c[0] == 0xa0 ? 0x9f : 0x61;
		sw[1] = 0x17;
		break;
	case 0x88: /* AUTHENTICATE */
		sw[0] = c[0] == 0xa0 ? 0x9f : 0x61;
		sw[1] = c[0] == 0xa0 ? 0x0c : 0x35;
		break;
	case 0xc0: /* GET RESPONSE / READ BINARY: P3 bytes of data */
	case 0xb0:
		for (guint i = 0; i < c[4]; i++) {
			guint8 b = (guint8)(i * 7 + c[1]);

			g_byte_array_append(out, &b, 1);
		}
		break;
	case 0xd6: /* UPDATE BINARY */
		break;
	default:
		sw[0] = 0x6d;
		break;
	}
	g_byte_array_append(out, sw, 2);
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static void
inject_data(Rig *r, guint32 flags, const guint8 *data, gsize len)
{
	g_autofree guint8 *p = g_malloc(6 + len);
	g_autoptr(GBytes) msg = NULL;

	p[0] = (guint8)flags;
	p[1] = p[2] = p[3] = 0;
	p[4] = (guint8)len;
	p[5] = (guint8)(len >> 8);
	memcpy(p + 6, data, len);
	msg = remsim_client_st2_message_build(REMSIM_CLIENT_ST2_CLASS_CARDEM,
					      REMSIM_CLIENT_ST2_CEMU_RX_DATA, p, 6 + len);
	test_st2_sim_inject(r->sim, FALSE, g_bytes_get_data(msg, NULL), g_bytes_get_size(msg));
}

static void
inject_status(Rig *r, guint32 flags)
{
	guint8 p[13] = { (guint8)flags, 0, 0, 0, 0, 0, 1, 1, 10, 0x80, 0x25, 0, 0 };
	g_autoptr(GBytes) msg = remsim_client_st2_message_build(
	    REMSIM_CLIENT_ST2_CLASS_CARDEM, REMSIM_CLIENT_ST2_CEMU_STATUS, p, sizeof(p));

	test_st2_sim_inject(r->sim, TRUE, g_bytes_get_data(msg, NULL), g_bytes_get_size(msg));
}

static void
inject_hex(Rig *r, gboolean irq, const gchar *hex)
{
	g_autoptr(GBytes) b = from_hex(hex);

	test_st2_sim_inject(r->sim, irq, g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

/* the TX_DATA the host sent as message @i: its flags and data */
static guint32
sent_tx_data(Rig *r, guint i, const guint8 **data, gsize *len)
{
	GBytes *b = g_ptr_array_index(test_st2_sim_get_sent(r->sim), i);
	gsize blen, offset = 0;
	const guint8 *buf = g_bytes_get_data(b, &blen);
	g_autoptr(GError) error = NULL;
	RemsimClientSt2Msg msg;
	guint32 flags = 0;

	g_assert_true(remsim_client_st2_message_next(buf, blen, &offset, &msg, &error));
	g_assert_cmpuint(msg.msg_class, ==, REMSIM_CLIENT_ST2_CLASS_CARDEM);
	g_assert_cmpuint(msg.msg_type, ==, REMSIM_CLIENT_ST2_CEMU_TX_DATA);
	g_assert_true(remsim_client_st2_message_parse_data(&msg, &flags, data, len, &error));
	return flags;
}

static gboolean
final_sent(Rig *r, guint from)
{
	for (guint i = from; i < n_sent(r); i++) {
		const guint8 *d;
		gsize len;

		if (sent_tx_data(r, i, &d, &len) & REMSIM_CLIENT_ST2_DATA_FINAL)
			return TRUE;
	}
	return FALSE;
}

/*
 * The modem sends one command as T=0 does: the header, and after the ACK its
 * data in chunks of @chunk bytes. Returns what the modem got: data and SW, hex.
 */
static gchar *
modem_command(Rig *r, const gchar *header_hex, const gchar *data_hex, gsize chunk)
{
	g_autoptr(GBytes) header = from_hex(header_hex);
	g_autoptr(GBytes) body = from_hex(data_hex);
	const guint8 *h = g_bytes_get_data(header, NULL);
	g_autoptr(GByteArray) got = g_byte_array_new();
	guint start = n_sent(r);
	const guint8 *d;
	gsize len;
	guint32 flags;

	inject_data(r, REMSIM_CLIENT_ST2_DATA_TPDU_HDR, h, 5);
	if (g_bytes_get_size(body) > 0) {
		const guint8 *b = g_bytes_get_data(body, NULL);
		gsize total = g_bytes_get_size(body);

		/* the ACK: INS as procedure byte, then the modem sends */
		REMSIM_TEST_WAIT_FOR(n_sent(r) > start);
		flags = sent_tx_data(r, start, &d, &len);
		g_assert_cmpuint(flags, ==, REMSIM_CLIENT_ST2_DATA_PB_AND_RX);
		g_assert_cmpuint(len, ==, 1);
		g_assert_cmpuint(d[0], ==, h[1]);
		start = n_sent(r);
		for (gsize off = 0; off < total; off += chunk) {
			gsize n = MIN(chunk, total - off);

			inject_data(r, off + n == total ? REMSIM_CLIENT_ST2_DATA_FINAL : 0, b + off,
				    n);
		}
	}
	REMSIM_TEST_WAIT_FOR(final_sent(r, start));
	for (guint i = start; i < n_sent(r); i++) {
		flags = sent_tx_data(r, i, &d, &len);
		g_assert_true(flags & REMSIM_CLIENT_ST2_DATA_PB_AND_TX);
		if (!(flags & REMSIM_CLIENT_ST2_DATA_FINAL)) {
			/* data comes after INS as its procedure byte */
			g_assert_cmpuint(len, >, 1);
			g_assert_cmpuint(d[0], ==, h[1]);
			g_byte_array_append(got, d + 1, (guint)len - 1);
		} else {
			g_assert_cmpuint(len, ==, 2);
			g_byte_array_append(got, d, 2);
		}
	}
	return to_hex(got->data, got->len);
}

static GBytes *
last_tpdu(Rig *r)
{
	return remsim_test_peer_last(r->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD)
	    ->u.tpdu_modem_to_card.data;
}

static const RsproSlotPhysStatus *
last_status(Rig *r)
{
	return &remsim_test_peer_last(r->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND)
		    ->u.client_slot_status_ind.status;
}

static guint
status_inds(Rig *r)
{
	return remsim_test_peer_count(r->bank, RSPRO_MSG_CLIENT_SLOT_STATUS_IND);
}

/* what the card answers to header+data, in hex */
static gchar *
card_answer(const gchar *header_hex, const gchar *data_hex)
{
	g_autofree gchar *cmd_hex = g_strconcat(header_hex, data_hex, NULL);
	g_autoptr(GBytes) cmd = from_hex(cmd_hex);
	g_autoptr(GBytes) rsp = card_respond(cmd, NULL);

	return to_hex(g_bytes_get_data(rsp, NULL), g_bytes_get_size(rsp));
}

static void
check_command(Rig *r, const gchar *header_hex, const gchar *data_hex, gsize chunk)
{
	g_autofree gchar *got = modem_command(r, header_hex, data_hex, chunk);
	g_autofree gchar *want = card_answer(header_hex, data_hex);
	g_autofree gchar *cmd_hex = g_strconcat(header_hex, data_hex, NULL);
	g_autofree gchar *at_bank = NULL;

	g_test_message("%s %s -> %s", header_hex, data_hex, got);
	g_assert_cmpstr(got, ==, want);
	/* the bank saw the whole command TPDU */
	at_bank = to_hex(g_bytes_get_data(last_tpdu(r), NULL), g_bytes_get_size(last_tpdu(r)));
	g_assert_cmpstr(at_bank, ==, cmd_hex);
}

static void
finished_cb(RemsimClientFrontend *fe, gpointer user_data)
{
	((Rig *)user_data)->finished = TRUE;
}

static void
rig_start(Rig *r, gconstpointer data)
{
	RemsimClientSlotSettings settings = { 0 };
	g_autoptr(GError) error = NULL;

	r->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(r->server, REMSIM_TEST_PEER_SERVER_FOR_CLIENT);
	/* a bank with the card above */
	r->bank = remsim_test_peer_new_bank(1, 1);
	remsim_test_peer_expect(r->bank, RSPRO_MSG_CONNECT_CLIENT_REQ);
	remsim_test_peer_reply_result(r->bank, RSPRO_RESULT_OK);
	remsim_test_peer_reply_set_atr(r->bank, NULL);
	remsim_test_peer_every(r->bank, RSPRO_MSG_TPDU_MODEM_TO_CARD);
	remsim_test_peer_reply_tpdu(r->bank, card_respond, NULL);
	remsim_test_peer_listen(r->bank, 0);
	remsim_test_peer_set_config(r->server, 1, 5, remsim_test_peer_get_port(r->bank));
	r->sim = test_st2_sim_new();
	r->fe = remsim_client_frontend_simtrace2_new_for_transport(
	    REMSIM_CLIENT_ST2_TRANSPORT(r->sim), 1);
	g_signal_connect(r->fe, "finished", G_CALLBACK(finished_cb), r);
	settings.server_host = g_strdup("127.0.0.1");
	settings.server_port = remsim_test_peer_get_port(r->server);
	settings.client_slot.client_id = 23;
	r->slot = remsim_client_slot_new(&settings, r->fe, NULL);
	remsim_client_slot_settings_clear(&settings);
	g_assert_true(remsim_client_slot_start(r->slot, &error));
	g_assert_no_error(error);
}

static void
rig_stop(Rig *r, gconstpointer data)
{
	remsim_client_slot_stop(r->slot);
	g_object_unref(r->slot);
	g_object_unref(r->fe);
	g_object_unref(r->sim);
	g_object_unref(r->bank);
	g_object_unref(r->server);
}

static gint
find_sent(Rig *r, guint from, const gchar *hex)
{
	for (guint i = from; i < n_sent(r); i++) {
		g_autofree gchar *s = sent_hex(r, i);

		if (g_strcmp0(s, hex) == 0)
			return (gint)i;
	}
	return -1;
}

static void
rig_wait_operational(Rig *r)
{
	g_autofree gchar *atr_hex = NULL;
	g_autofree gchar *set_atr = NULL;
	GBytes *atr = remsim_test_peer_get_atr(r->bank);
	gint remote, local_atr, insert, reset;

	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(r->bank, RSPRO_MSG_SET_ATR_RES) == 1);
	atr_hex = to_hex(g_bytes_get_data(atr, NULL), g_bytes_get_size(atr));
	set_atr = g_strdup_printf("010200000000%02x00%02x%s",
				  (guint)(REMSIM_CLIENT_ST2_HEADER_LEN + 1 + g_bytes_get_size(atr)),
				  (guint)g_bytes_get_size(atr), atr_hex);
	REMSIM_TEST_WAIT_FOR(find_sent(r, 0, set_atr) >= 0);
	/* the spec's bytes: CONFIG with STATUS_IRQ and presence high, then as upstream on
	 * entering OPERATIONAL: SIM_SELECT remote, SET_ATR 3B 00, CARDINSERT, MODEM_RESET */
	g_assert_cmpint(find_sent(r, 0,
				  "0108000000000e000100000000"
				  "03"),
			==, 0);
	remote = find_sent(r, 0, "020200000000090001");
	local_atr = find_sent(r, 0, "0102000000000b00023b00");
	insert = find_sent(r, 0, "010500000000090001");
	reset = find_sent(r, 0, "0201000000000b00022c01");
	g_assert_cmpint(remote, >, 0);
	g_assert_cmpint(local_atr, >, remote);
	g_assert_cmpint(insert, >, local_atr);
	g_assert_cmpint(reset, >, insert);
	g_assert_cmpint(find_sent(r, 0, set_atr), >, reset);
}

static void
test_session(Rig *r, gconstpointer data)
{
	g_auto(GStrv) vars = NULL;

	rig_wait_operational(r);

	/* power-up: reset held, then released */
	inject_status(r, REMSIM_CLIENT_ST2_STATUS_VCC_PRESENT |
			     REMSIM_CLIENT_ST2_STATUS_CLK_ACTIVE |
			     REMSIM_CLIENT_ST2_STATUS_RESET_ACTIVE);
	inject_status(r,
		      REMSIM_CLIENT_ST2_STATUS_VCC_PRESENT | REMSIM_CLIENT_ST2_STATUS_CLK_ACTIVE);
	REMSIM_TEST_WAIT_FOR(status_inds(r) == 2);
	g_assert_false(last_status(r)->reset_active);
	g_assert_true(last_status(r)->vcc_present);
	g_assert_true(last_status(r)->clk_active);
	g_assert_false(last_status(r)->has_card_present);
	/* PTS: the firmware handled it, the host only hears of it */
	inject_hex(r, FALSE,
		   "01070000000015000"
		   "4ff1096790000ff1096790000");

	/* GSM: SELECT MF (case 4) → 9F17, GET RESPONSE (case 2), READ BINARY */
	check_command(r, "a0a4000002", "3f00", 2);
	check_command(r, "a0c0000017", "", 0);
	check_command(r, "a0b0000009", "", 0);
	/* a response with SW only: UPDATE BINARY (case 3), data in single-byte chunks */
	check_command(r, "a0d6000003", "010203", 1);
	/* UICC: AUTHENTICATE (case 4, 34 bytes in two chunks) → 6135, then GET RESPONSE */
	check_command(r, "0088008122",
		      "10001122334455667788990011223344551000000000000000000000000000000000", 20);
	check_command(r, "00c0000035", "", 0);
	/* an instruction no table knows goes to the card as its header */
	check_command(r, "a0ee000000", "", 0);

	g_assert_cmpuint(
	    remsim_client_frontend_simtrace2_get_errors(REMSIM_CLIENT_FRONTEND_SIMTRACE2(r->fe)),
	    ==, 0);
	vars = remsim_client_slot_get_script_vars(r->slot);
	g_assert_true(g_strv_contains((const gchar *const *)vars, "REMSIM_USB_PATH=sim-1.1"));
}

static void
test_garbage(Rig *r, gconstpointer data)
{
	RemsimClientFrontendSimtrace2 *st2;
	guint statuses;

	rig_wait_operational(r);
	st2 = REMSIM_CLIENT_FRONTEND_SIMTRACE2(r->fe);
	g_assert_cmpuint(remsim_client_frontend_simtrace2_get_errors(st2), ==, 0);

	inject_hex(r, FALSE, "010600");				/* shorter than a header */
	inject_hex(r, FALSE, "0106000000000400");		/* msg_len below the header */
	inject_hex(r, FALSE, "010600000000c800010000");		/* msg_len beyond the transfer */
	inject_hex(r, FALSE, "0106000000000f0001000000640000"); /* data_len beyond */
	inject_hex(r, FALSE, "0106000000000e00020000000000");	/* data without a header */
	inject_hex(r, FALSE,
		   "01060000000012000100000004"
		   "00a0a40000");		     /* 4-byte header */
	inject_hex(r, TRUE, "0104000000000a000300"); /* status too short */
	inject_hex(r, FALSE, "0901000000000800");    /* unknown class: ignored */
	inject_hex(r, FALSE, "");		     /* empty transfer */
	REMSIM_TEST_WAIT_FOR(remsim_client_frontend_simtrace2_get_errors(st2) == 7);

	/* more data than the header announced abandons the command */
	{
		guint start = n_sent(r);
		const guint8 hdr[] = { 0xa0, 0xd6, 0x00, 0x00, 0x02 };
		const guint8 five[] = { 1, 2, 3, 4, 5 };

		inject_data(r, REMSIM_CLIENT_ST2_DATA_TPDU_HDR, hdr, sizeof(hdr));
		REMSIM_TEST_WAIT_FOR(n_sent(r) > start);
		inject_data(r, REMSIM_CLIENT_ST2_DATA_FINAL, five, sizeof(five));
		REMSIM_TEST_WAIT_FOR(remsim_client_frontend_simtrace2_get_errors(st2) == 8);
	}

	/* two messages in one transfer are both used */
	statuses = status_inds(r);
	inject_hex(r, TRUE,
		   "010400000000150013000000000001010a80250000"
		   "010400000000150003000000000001010a80250000");
	REMSIM_TEST_WAIT_FOR(status_inds(r) == statuses + 2);
	g_assert_false(last_status(r)->reset_active);

	/* after all that, the modem's next command works */
	check_command(r, "a0a4000002", "7f20", 2);
	g_assert_cmpuint(remsim_client_frontend_simtrace2_get_errors(st2), ==, 8);

	/* the device goes away: the front end ends with an error */
	g_test_expect_message("remsim-client", G_LOG_LEVEL_WARNING, "*simulated device unplugged*");
	test_st2_sim_fail(r->sim);
	g_test_assert_expected_messages();
	g_assert_true(r->finished);
	g_assert_nonnull(remsim_client_frontend_get_error(r->fe));
}

static void
test_case_table(void)
{
	static const struct {
		const gchar *header;
		RemsimClientApduCase cse;
	} cases[] = {
		{ "a0a4000002", REMSIM_CLIENT_APDU_CASE_4 },
		{ "a0c0000017", REMSIM_CLIENT_APDU_CASE_2 },
		{ "a004000000", REMSIM_CLIENT_APDU_CASE_1 },
		{ "a0d6000003", REMSIM_CLIENT_APDU_CASE_3 },
		{ "8012000010", REMSIM_CLIENT_APDU_CASE_2 },
		{ "00a4000402", REMSIM_CLIENT_APDU_CASE_4 },
		{ "0073000010", REMSIM_CLIENT_APDU_CASE_2 },
		{ "0073018010", REMSIM_CLIENT_APDU_CASE_3 },
		{ "0073012010", REMSIM_CLIENT_APDU_CASE_2 },
		{ "0075040010", REMSIM_CLIENT_APDU_CASE_3 },
		{ "80ca00ff00", REMSIM_CLIENT_APDU_CASE_2 },
		{ "80ca00ff05", REMSIM_CLIENT_APDU_CASE_4 },
		{ "80f2000000", REMSIM_CLIENT_APDU_CASE_2 },
		{ "80f2400000", REMSIM_CLIENT_APDU_CASE_4 },
		{ "c0f2000000", REMSIM_CLIENT_APDU_CASE_2 },
		{ "80e2010010", REMSIM_CLIENT_APDU_CASE_4 },
		{ "84e2000010", REMSIM_CLIENT_APDU_CASE_3 },
		{ "a0ee000000", REMSIM_CLIENT_APDU_CASE_UNKNOWN },
		{ "00ca9f7f00", REMSIM_CLIENT_APDU_CASE_2 },
		{ "40b0000010", REMSIM_CLIENT_APDU_CASE_2 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) h = from_hex(cases[i].header);

		g_test_message("%s", cases[i].header);
		g_assert_cmpint(remsim_client_apdu_case(g_bytes_get_data(h, NULL)), ==,
				cases[i].cse);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/simtrace2/case-table", test_case_table);
	g_test_add("/client/simtrace2/session", Rig, NULL, rig_start, test_session, rig_stop);
	g_test_add("/client/simtrace2/garbage", Rig, NULL, rig_start, test_garbage, rig_stop);
	return g_test_run();
}
