/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Metrics during a relay: server, bankd (metrics-port) and client (shell
 * front end, metrics-port) on simulated cards; each one's /metrics is scraped
 * before and after APDUs go through the chain, and the counters that should
 * move do: the bank's APDUs, bytes and latency histogram for the mapped slot,
 * the client's TPDUs and round trips, and the server's report of the slot.
 * Every line parses as Prometheus' text format.
 */
#include "config.h"

#include <string.h>

#include "remsim-test-daemon.h"

typedef struct {
	RemsimTestDaemon *server;
	RemsimTestDaemon *bankd;
	RemsimTestDaemon *client;
	guint16 bankd_metrics;
	guint16 client_metrics;
} MetricsFixture;

/* GET http://127.0.0.1:@port/metrics, blocking (the daemons are other processes) */
static gchar *
scrape(guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn =
	    g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);
	const gchar *request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	g_autoptr(GString) reply = g_string_new(NULL);
	gchar buf[4096];
	gssize n;
	const gchar *body;

	g_assert_no_error(error);
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)),
						request, strlen(request), NULL, NULL, &error));
	while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(conn)), buf,
					sizeof(buf), NULL, &error)) > 0)
		g_string_append_len(reply, buf, n);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(reply->str, "HTTP/1.0 200 OK\r\n"));
	g_assert_nonnull(strstr(reply->str, "Content-Type: text/plain; version=0.0.4"));
	body = strstr(reply->str, "\r\n\r\n");
	g_assert_nonnull(body);
	return g_strdup(body + 4);
}

/* every line a comment or "name{labels} value"; the value of @sample, or -1 */
static gdouble
value_of(const gchar *text, const gchar *sample)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	gdouble found = -1;

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		const gchar *space = strrchr(line, ' ');
		gchar *end = NULL;
		gdouble v;

		if (*line == '\0' || g_str_has_prefix(line, "# HELP ") ||
		    g_str_has_prefix(line, "# TYPE "))
			continue;
		g_assert_nonnull(space);
		g_assert_true(g_str_has_prefix(line, "remsim_"));
		v = g_ascii_strtod(space + 1, &end);
		g_assert_true(*end == '\0');
		if (strlen(sample) == (gsize)(space - line) &&
		    strncmp(line, sample, space - line) == 0)
			found = v;
	}
	return found;
}

static void
fixture_setup(MetricsFixture *f, gconstpointer data)
{
	g_autofree gchar *card =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-004.json", NULL);
	g_autofree gchar *bankd_conf = NULL, *client_conf = NULL;
	const gchar *client_args[] = { "-c", "23", "-n", "0", NULL };

	f->bankd_metrics = remsim_test_common_free_port_pair();
	f->client_metrics = remsim_test_common_free_port_pair();
	bankd_conf = g_strdup_printf("metrics-port=%u\nmetrics-bind-ip=127.0.0.1\n"
				     "[simcard]\nslots=2\nprofiles=%s\n",
				     f->bankd_metrics, card);
	client_conf = g_strdup_printf("[client]\nmetrics-port=%u\nmetrics-bind-ip=127.0.0.1\n",
				      f->client_metrics);
	f->server = remsim_test_daemon_spawn(REMSIM_TEST_DAEMON_SERVER, NULL);
	f->bankd = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_BANKD,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.backend = "simcard",
					.n_slots = 2,
					.config = bankd_conf });
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 1, 23, 0), ==, 201);
	f->client = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_CLIENT,
	    &(RemsimTestDaemonOptions){ .server_port = remsim_test_daemon_get_port(f->server),
					.config = client_conf,
					.args = client_args });
	REMSIM_TEST_WAIT_FOR(remsim_test_daemon_find_prefix(f->client, "SET_ATR: ") != NULL);
}

static void
fixture_teardown(MetricsFixture *f, gconstpointer data)
{
	g_clear_object(&f->client);
	g_clear_object(&f->bankd);
	g_clear_object(&f->server);
}

static gdouble
server_value(MetricsFixture *f, const gchar *sample)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *ctype = NULL;

	g_assert_cmpuint(
	    remsim_test_daemon_rest(f->server, "GET", "/metrics", NULL, NULL, &body, &ctype), ==,
	    200);
	g_assert_true(g_str_has_prefix(ctype, "text/plain"));
	return value_of(body, sample);
}

static gdouble
bankd_value(MetricsFixture *f, const gchar *sample)
{
	g_autofree gchar *body = scrape(f->bankd_metrics);

	return value_of(body, sample);
}

#define BANK_SLOT "{bank=\"1\",slot=\"1\"}"

static void
test_metrics_relay(MetricsFixture *f, gconstpointer data)
{
	static const gchar *const apdus[] = { "00A40004023F00", "00C0000000", "00F2000000" };
	g_autofree gchar *client_before = scrape(f->client_metrics);
	gdouble bank_apdus = bankd_value(f, "remsim_bankd_apdus_total" BANK_SLOT);
	gdouble bank_count = bankd_value(f, "remsim_bankd_apdu_duration_seconds_count{bank=\"1\"}");
	gdouble client_tpdus =
	    value_of(client_before,
		     "remsim_client_tpdus_total{client=\"23\",slot=\"0\",direction=\"to_card\"}");
	g_autofree gchar *client_after = NULL;

	g_assert_cmpfloat(bank_apdus, >=, 0);
	g_assert_cmpfloat(client_tpdus, >=, 0);
	g_assert_cmpfloat(bankd_value(f, "remsim_bankd_client_connected" BANK_SLOT), ==, 1);
	g_assert_cmpfloat(bankd_value(f, "remsim_bankd_server_connected{bank=\"1\"}"), ==, 1);
	g_assert_cmpfloat(server_value(f, "remsim_server_connections{kind=\"bank\"}"), ==, 1);
	g_assert_cmpfloat(server_value(f, "remsim_server_connections{kind=\"client\"}"), ==, 1);
	g_assert_cmpfloat(server_value(f, "remsim_server_slotmaps{state=\"active\"}"), ==, 1);

	for (guint i = 0; i < G_N_ELEMENTS(apdus); i++) {
		g_autofree gchar *line = g_strdup_printf("%s\n", apdus[i]);
		GPtrArray *lines = remsim_test_daemon_get_lines(f->client);
		guint start = lines->len;

		remsim_test_daemon_write(f->client, line);
		REMSIM_TEST_WAIT_FOR(lines->len > start);
	}
	g_assert_cmpfloat(bankd_value(f, "remsim_bankd_apdus_total" BANK_SLOT), ==, bank_apdus + 3);
	g_assert_cmpfloat(bankd_value(f, "remsim_bankd_apdu_duration_seconds_count{bank=\"1\"}"),
			  ==, bank_count + 3);
	g_assert_cmpfloat(bankd_value(f, "remsim_bankd_apdu_bytes_total{bank=\"1\",slot=\"1\","
					 "direction=\"to_card\"}"),
			  >=, 7 + 5 + 5);
	g_assert_cmpfloat(bankd_value(f, "remsim_bankd_apdus_total{bank=\"1\",slot=\"0\"}"), ==, 0);
	client_after = scrape(f->client_metrics);
	g_assert_cmpfloat(
	    value_of(client_after,
		     "remsim_client_tpdus_total{client=\"23\",slot=\"0\",direction=\"to_card\"}"),
	    ==, client_tpdus + 3);
	g_assert_cmpfloat(value_of(client_after, "remsim_client_tpdu_duration_seconds_count{"
						 "client=\"23\",slot=\"0\"}"),
			  >=, 3);
	g_assert_cmpfloat(value_of(client_after, "remsim_client_link_connected{client=\"23\","
						 "slot=\"0\",link=\"bank\"}"),
			  ==, 1);
	/* the server hears the bank's counters at most a second later */
	REMSIM_TEST_WAIT_FOR(server_value(f, "remsim_server_bank_slot_apdus_total" BANK_SLOT) ==
			     bank_apdus + 3);
	g_assert_cmpfloat(server_value(f, "remsim_server_cards{state=\"read\"}"), >=, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/e2e/metrics/relay", MetricsFixture, NULL, fixture_setup, test_metrics_relay,
		   fixture_teardown);
	return g_test_run();
}
