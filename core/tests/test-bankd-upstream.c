/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Upstream HEAD's newer bankd options at work in the real remsim-bankd (example
 * backend, scripted server and client peers): the GSMTAP trace (-g, -G) caught
 * on a loopback UDP socket of the test's, its header and bytes checked and, with
 * tshark, decoded as Wireshark decodes it; and the logging options (-e, -T, -L).
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"

/* upstream's GSMTAP: version 2, a 16-byte header, type SIM; sub-types APDU 0, ATR 1 */
#define GSMTAP_HEADER_LEN 16
#define GSMTAP_TYPE_SIM 0x04
#define GSMTAP_SIM_APDU 0
#define GSMTAP_SIM_ATR 1
#define GSMTAP_UDP_PORT 4729

/* SELECT MF and SELECT DF GSM: the echo card answers each with its data and 90 00 */
#define SELECT_MF "A0A40000023F00"
#define SELECT_DF_GSM "A0A40000027F20"

typedef struct {
	GSocket *udp;
	GSource *source;
	GPtrArray *datagrams; /* GBytes, as they came */
	RemsimTestPeer *server;
	RemsimTestDaemon *bankd;
} UpstreamFixture;

static gboolean
udp_readable_cb(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	UpstreamFixture *f = user_data;
	gchar buf[2048];
	gssize n;

	while ((n = g_socket_receive(socket, buf, sizeof(buf), NULL, NULL)) >= 0)
		g_ptr_array_add(f->datagrams, g_bytes_new(buf, n));
	return G_SOURCE_CONTINUE;
}

/* a UDP socket on 127.0.0.1 and a port the kernel picks: where the bank's trace goes */
static void
fixture_setup(UpstreamFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);

	f->udp = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
			      &error);
	g_assert_no_error(error);
	g_assert_true(g_socket_bind(f->udp, any, FALSE, &error));
	g_assert_no_error(error);
	g_socket_set_blocking(f->udp, FALSE);
	f->datagrams = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	f->source = g_socket_create_source(f->udp, G_IO_IN, NULL);
	g_source_set_callback(f->source, G_SOURCE_FUNC(udp_readable_cb), f, NULL);
	g_source_attach(f->source, NULL);
	f->server = remsim_test_peer_new_server();
	remsim_test_peer_serve(f->server, REMSIM_TEST_PEER_SERVER_FOR_BANKD);
}

static void
fixture_teardown(UpstreamFixture *f, gconstpointer data)
{
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
	g_source_destroy(f->source);
	g_source_unref(f->source);
	g_clear_object(&f->udp);
	g_ptr_array_unref(f->datagrams);
}

static guint16
udp_port(UpstreamFixture *f)
{
	g_autoptr(GSocketAddress) address = g_socket_get_local_address(f->udp, NULL);

	return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(address));
}

/* the bank with two echo cards, upstream's @args and the trace's port */
static void
start_bankd(UpstreamFixture *f, const gchar *const *args, gboolean capture_stderr)
{
	g_autofree gchar *config =
	    g_strdup_printf("gsmtap-port=%u\n\n[example]\nslots=2\n", udp_port(f));

	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(f->server),
					.backend = "example",
					.n_slots = 2,
					.config = config,
					.args = args,
					.capture_stderr = capture_stderr });
	remsim_test_peer_wait_hellos(f->server, 1);
}

/* client 7:@bank_slot on bank slot @bank_slot, accepted, with its ATR */
static RemsimTestPeer *
connect_client(UpstreamFixture *f, guint16 bank_slot)
{
	RemsimTestPeer *client = remsim_test_peer_new_client(7, bank_slot);

	g_assert_cmpint(remsim_test_peer_map(f->server, bank_slot, 7, bank_slot), ==,
			RSPRO_RESULT_OK);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_BANKD);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(f->bankd)), ==,
			RSPRO_RESULT_OK);
	REMSIM_TEST_WAIT_FOR(remsim_test_peer_count(client, RSPRO_MSG_SET_ATR_REQ) == 1);
	return client;
}

/* @apdu through the bank; its response as hex */
static gchar *
apdu_hex(RemsimTestPeer *client, guint16 bank_slot, const gchar *apdu)
{
	g_autoptr(GBytes) command = remsim_test_common_hex_bytes(apdu);
	g_autoptr(GBytes) response = remsim_test_peer_apdu(client, bank_slot, command);

	g_assert_nonnull(response);
	return remsim_test_common_bytes_hex(response);
}

/* datagram @i is upstream's GSMTAP SIM header with @sub_type, then @payload_hex */
static void
assert_gsmtap(UpstreamFixture *f, guint i, guint sub_type, const gchar *payload_hex)
{
	static const guint8 zero[GSMTAP_HEADER_LEN] = { 0 };
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(f->datagrams->pdata[i], &len);
	g_autoptr(GBytes) payload = NULL;
	g_autofree gchar *got = NULL;

	g_assert_cmpuint(len, >, GSMTAP_HEADER_LEN);
	g_assert_cmpuint(d[0], ==, 2);			   /* version */
	g_assert_cmpuint(d[1], ==, GSMTAP_HEADER_LEN / 4); /* header length in words */
	g_assert_cmpuint(d[2], ==, GSMTAP_TYPE_SIM);
	g_assert_cmpuint(d[12], ==, sub_type);
	/* timeslot, ARFCN, signal, SNR, frame number, antenna, sub-slot: all zero, as upstream */
	g_assert_cmpmem(d + 3, 9, zero, 9);
	g_assert_cmpmem(d + 13, 3, zero, 3);
	payload = g_bytes_new(d + GSMTAP_HEADER_LEN, len - GSMTAP_HEADER_LEN);
	got = remsim_test_common_bytes_hex(payload);
	g_assert_cmpstr(got, ==, payload_hex);
}

static gchar *
client_atr_hex(RemsimTestPeer *client)
{
	return remsim_test_common_bytes_hex(
	    remsim_test_peer_last(client, RSPRO_MSG_SET_ATR_REQ)->u.set_atr_req.atr);
}

/* -g: the ATR a client is sent, then each command with the card's response after it */
static void
test_gsmtap_trace(UpstreamFixture *f, gconstpointer data)
{
	static const gchar *const args[] = { "-g", "127.0.0.1", NULL };
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *atr = NULL;
	g_autofree gchar *r1 = NULL;
	g_autofree gchar *r2 = NULL;
	g_autofree gchar *want1 = NULL;
	g_autofree gchar *want2 = NULL;

	start_bankd(f, args, FALSE);
	client = connect_client(f, 0);
	REMSIM_TEST_WAIT_FOR(f->datagrams->len == 1);
	atr = client_atr_hex(client);
	assert_gsmtap(f, 0, GSMTAP_SIM_ATR, atr);
	r1 = apdu_hex(client, 0, SELECT_MF);
	r2 = apdu_hex(client, 0, SELECT_DF_GSM);
	REMSIM_TEST_WAIT_FOR(f->datagrams->len == 3);
	want1 = g_strconcat(SELECT_MF, r1, NULL);
	want2 = g_strconcat(SELECT_DF_GSM, r2, NULL);
	assert_gsmtap(f, 1, GSMTAP_SIM_APDU, want1);
	assert_gsmtap(f, 2, GSMTAP_SIM_APDU, want2);
}

/* -G 1: only bank slot 1's traffic is traced; the host by name, resolved off the main loop */
static void
test_gsmtap_one_slot(UpstreamFixture *f, gconstpointer data)
{
	static const gchar *const args[] = { "-g", "localhost", "-G", "1", NULL };
	g_autoptr(RemsimTestPeer) client0 = NULL;
	g_autoptr(RemsimTestPeer) client1 = NULL;
	g_autofree gchar *r0 = NULL;
	g_autofree gchar *r1 = NULL;
	g_autofree gchar *atr1 = NULL;
	g_autofree gchar *want = NULL;

	start_bankd(f, args, FALSE);
	client0 = connect_client(f, 0);
	r0 = apdu_hex(client0, 0, SELECT_DF_GSM);
	/* slot 1 after slot 0: had slot 0 been traced, its datagrams would have come first */
	client1 = connect_client(f, 1);
	r1 = apdu_hex(client1, 1, SELECT_MF);
	REMSIM_TEST_WAIT_FOR(f->datagrams->len >= 2);
	g_assert_cmpuint(f->datagrams->len, ==, 2);
	atr1 = client_atr_hex(client1);
	assert_gsmtap(f, 0, GSMTAP_SIM_ATR, atr1);
	want = g_strconcat(SELECT_MF, r1, NULL);
	assert_gsmtap(f, 1, GSMTAP_SIM_APDU, want);
}

/* the datagrams as a pcap file of raw IPv4 packets to upstream's port 4729 */
static gchar *
write_pcap(UpstreamFixture *f, const gchar *dir)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	gchar *path = g_build_filename(dir, "gsmtap.pcap", NULL);
	/* pcap file header: magic, 2.4, no zone, no accuracy, snap length, LINKTYPE_RAW */
	const guint32 head[] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };

	g_byte_array_append(out, (const guint8 *)head, sizeof(head));
	for (guint i = 0; i < f->datagrams->len; i++) {
		gsize len = 0;
		const guint8 *d = g_bytes_get_data(f->datagrams->pdata[i], &len);
		guint16 udp_len = (guint16)(8 + len), ip_len = (guint16)(20 + 8 + len);
		const guint32 rec[] = { i, 0, ip_len, ip_len };
		guint8 ip[20] = { 0x45, 0, ip_len >> 8, ip_len & 0xff, 0, 0, 0, 0,   64,
				  17,	0, 0,		127,	       0, 0, 1, 127, 0,
				  0,	1 };
		guint8 udp[8] = { 0x9c,
				  0x40,
				  GSMTAP_UDP_PORT >> 8,
				  GSMTAP_UDP_PORT & 0xff,
				  udp_len >> 8,
				  udp_len & 0xff,
				  0,
				  0 };
		guint32 sum = 0;

		for (guint j = 0; j < sizeof(ip); j += 2)
			sum += (ip[j] << 8) | ip[j + 1];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~(sum + (sum >> 16)) & 0xffff;
		ip[10] = sum >> 8;
		ip[11] = sum & 0xff;
		g_byte_array_append(out, (const guint8 *)rec, sizeof(rec));
		g_byte_array_append(out, ip, sizeof(ip));
		g_byte_array_append(out, udp, sizeof(udp));
		g_byte_array_append(out, d, len);
	}
	g_assert_true(g_file_set_contents(path, (const gchar *)out->data, out->len, NULL));
	return path;
}

/* what a person sees in Wireshark: tshark decodes the trace as GSMTAP carrying SIM APDUs */
static void
test_gsmtap_tshark(UpstreamFixture *f, gconstpointer data)
{
	static const gchar *const args[] = { "-g", "127.0.0.1", NULL };
	g_autofree gchar *tshark = g_find_program_in_path("tshark");
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *r = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *pcap = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) error = NULL;
	gint status;

	if (remsim_test_common_skip_unless(tshark != NULL, "tshark is not installed"))
		return;
	start_bankd(f, args, FALSE);
	client = connect_client(f, 0);
	r = apdu_hex(client, 0, SELECT_MF);
	g_assert_cmpstr(r, ==, "3F009000");
	REMSIM_TEST_WAIT_FOR(f->datagrams->len == 2);
	dir = remsim_test_common_make_dir("remsim-gsmtap-XXXXXX");
	pcap = write_pcap(f, dir);
	g_assert_true(
	    g_spawn_sync(NULL,
			 (gchar *[]){ tshark, "-n", "-r", pcap, "-T", "fields", "-E", "separator=;",
				      "-e", "frame.protocols", "-e", "gsm_sim.apdu.ins", "-e",
				      "gsm_sim.file_id", "-e", "gsm_sim.apdu.sw", NULL },
			 (gchar *[]){ "HOME=/nonexistent", "LC_ALL=C", NULL }, G_SPAWN_DEFAULT,
			 NULL, NULL, &out, &err, &status, &error));
	g_assert_no_error(error);
	g_test_message("tshark: %s%s", out, err);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	lines = g_strsplit(g_strstrip(out), "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 2);
	/* the command with its response: SELECT of MF, answered 90 00 */
	g_assert_cmpstr(lines[1], ==, "raw:ip:udp:gsmtap:gsm_sim;0xa4;0x3f00;0x9000");
	/* the ATR datagram is GSMTAP too */
	g_assert_true(g_str_has_prefix(lines[0], "raw:ip:udp:gsmtap"));
	remsim_test_common_remove_tree(dir);
}

/* TRUE if every line of @text starts with a date, YYYY-MM-DD */
static gboolean
lines_dated(const gchar *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint n = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0')
			continue;
		if (!g_regex_match_simple("^[0-9]{4}-[0-9]{2}-[0-9]{2} ", lines[i], 0, 0))
			return FALSE;
		n++;
	}
	return n > 0;
}

/* -e 1 writes debug lines, -T dates every line; -L is taken (stderr is a file here) */
static void
test_log_options(UpstreamFixture *f, gconstpointer data)
{
	static const gchar *const args[] = { "-e", "1", "-T", "-L", NULL };
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *text = NULL;

	start_bankd(f, args, TRUE);
	client = connect_client(f, 0);
	/* the bank's debug line for a client that said who it is */
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_count_stderr(f->bankd, "identified on") > 0);
	remsim_test_daemon_stop(f->bankd);
	text = remsim_test_daemon_get_stderr(f->bankd);
	g_assert_true(lines_dated(text));
	g_assert_null(strchr(text, '\033'));
}

/* -e 7: notices (remsim's g_message lines) are left out, warnings would not be */
static void
test_log_level_quiet(UpstreamFixture *f, gconstpointer data)
{
	static const gchar *const args[] = { "-e", "7", NULL };
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autofree gchar *text = NULL;

	start_bankd(f, args, TRUE);
	client = connect_client(f, 0);
	remsim_test_daemon_stop(f->bankd);
	text = remsim_test_daemon_get_stderr(f->bankd);
	g_assert_null(strstr(text, "waiting for clients on port"));
	g_assert_null(strstr(text, "Message"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/bankd/upstream/" name, UpstreamFixture, NULL, fixture_setup, fn,              \
		   fixture_teardown)
	ADD("gsmtap-trace", test_gsmtap_trace);
	ADD("gsmtap-one-slot", test_gsmtap_one_slot);
	ADD("gsmtap-tshark", test_gsmtap_tshark);
	ADD("log-options", test_log_options);
	ADD("log-level-quiet", test_log_level_quiet);
	return g_test_run();
}
