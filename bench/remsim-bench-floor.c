/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef HAVE_PCSC
#include <PCSC/winscard.h>
#endif

#include "remsim-bench-floor.h"
#include "rspro-ipa.h"
#include "rspro-pdu.h"

typedef struct {
	int fd;
	guint n;
	gsize *request_len;
	gsize *response_len;
	struct rusage usage; /* of the echo thread */
} RemsimBenchFloorEcho;

/* the IPA frame of a TPDU message carrying @data */
static gsize
remsim_bench_floor_frame_len(GBytes *data, gboolean to_card)
{
	RsproClientSlot client = { .client_id = 1000, .slot_nr = 0 };
	RsproBankSlot bank = { .bank_id = 1, .slot_nr = 0 };
	g_autoptr(RsproPdu) pdu = to_card ? rspro_pdu_new_tpdu_modem_to_card(&client, &bank, data)
					  : rspro_pdu_new_tpdu_card_to_modem(&bank, &client, data);
	g_autoptr(GBytes) encoded = rspro_pdu_encode(pdu, NULL);
	g_autoptr(GBytes) frame = encoded != NULL ? rspro_ipa_wrap_rspro(encoded, NULL) : NULL;

	return frame != NULL ? g_bytes_get_size(frame) : 16;
}

static gboolean
remsim_bench_floor_read_full(int fd, guint8 *buf, gsize len)
{
	for (gsize got = 0; got < len;) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		got += (gsize)n;
	}
	return TRUE;
}

static gpointer
remsim_bench_floor_echo_thread(gpointer data)
{
	RemsimBenchFloorEcho *echo = data;
	guint8 buf[1024];

	for (guint64 i = 0;; i++) {
		if (!remsim_bench_floor_read_full(echo->fd, buf, echo->request_len[i % echo->n]))
			break;
		if (send(echo->fd, buf, echo->response_len[i % echo->n], MSG_NOSIGNAL) < 0)
			break;
	}
	getrusage(RUSAGE_THREAD, &echo->usage);
	return NULL;
}

static int
remsim_bench_floor_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* a connected pair of loopback TCP sockets */
static gboolean
remsim_bench_floor_pair(int *a, int *b, GError **error)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t addr_len = sizeof(addr);
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	*a = remsim_bench_floor_socket();
	*b = -1;
	if (listener < 0 || *a < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(listener, 1) != 0 ||
	    getsockname(listener, (struct sockaddr *)&addr, &addr_len) != 0 ||
	    connect(*a, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    (*b = accept(listener, NULL, NULL)) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "loopback TCP: %s",
			    g_strerror(errno));
		if (listener >= 0)
			close(listener);
		if (*a >= 0)
			close(*a);
		return FALSE;
	}
	setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(listener);
	return TRUE;
}

static void
remsim_bench_floor_usage_add(RemsimBenchProcSample *sample, const struct rusage *ru)
{
	sample->cpu_us += (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e6 + ru->ru_utime.tv_usec +
			  ru->ru_stime.tv_usec;
	sample->ctx_voluntary += ru->ru_nvcsw;
	sample->ctx_involuntary += ru->ru_nivcsw;
}

gboolean
remsim_bench_floor_run_tcp(const RemsimBenchApdus *apdus, gdouble seconds, RemsimBenchStats *stats,
			   RemsimBenchProcSample *per_end, GError **error)
{
	guint n = remsim_bench_apdus_cycle(apdus);
	g_autofree gsize *request_len = g_new(gsize, n);
	g_autofree gsize *response_len = g_new(gsize, n);
	RemsimBenchFloorEcho echo = { .n = n,
				      .request_len = request_len,
				      .response_len = response_len };
	struct rusage before, after;
	guint8 buf[1024];
	GThread *thread;
	int client;
	gint64 start, end;
	guint64 count = 0;

	for (guint i = 0; i < n; i++) {
		GBytes *response = remsim_bench_apdus_expected(apdus, n + i);

		request_len[i] = remsim_bench_floor_frame_len(apdus->commands->pdata[i], TRUE);
		/* a learned card: its answers are not known yet, take a status word's size */
		response_len[i] = response != NULL ? remsim_bench_floor_frame_len(response, FALSE)
						   : request_len[i];
	}
	if (!remsim_bench_floor_pair(&client, &echo.fd, error))
		return FALSE;
	thread = g_thread_new("tcp floor", remsim_bench_floor_echo_thread, &echo);
	getrusage(RUSAGE_THREAD, &before);
	start = g_get_monotonic_time();
	end = start + (gint64)(seconds * G_USEC_PER_SEC);
	for (;; count++) {
		gdouble t0 = remsim_bench_stats_now();

		if (t0 >= end)
			break;
		if (send(client, buf, request_len[count % n], MSG_NOSIGNAL) < 0 ||
		    !remsim_bench_floor_read_full(client, buf, response_len[count % n])) {
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
				    "loopback TCP: %s", g_strerror(errno));
			break;
		}
		remsim_bench_stats_add(stats, remsim_bench_stats_now() - t0);
	}
	stats->seconds += (g_get_monotonic_time() - start) / 1e6;
	getrusage(RUSAGE_THREAD, &after);
	shutdown(client, SHUT_RDWR);
	g_thread_join(thread);
	close(client);
	close(echo.fd);
	if (per_end != NULL && count > 0) {
		RemsimBenchProcSample sum = { 0 }, base = { 0 };

		remsim_bench_floor_usage_add(&sum, &after);
		remsim_bench_floor_usage_add(&base, &before);
		remsim_bench_proc_diff(&base, &sum, &sum);
		remsim_bench_floor_usage_add(&sum, &echo.usage);
		/* one send and one receive at each end */
		per_end->cpu_us = sum.cpu_us / count / 2;
		per_end->ctx_voluntary = sum.ctx_voluntary / count / 2;
		per_end->ctx_involuntary = sum.ctx_involuntary / count / 2;
		per_end->syscalls = 2;
	}
	return error == NULL || *error == NULL;
}

#ifdef HAVE_PCSC
gboolean
remsim_bench_floor_run_pcsc(const RemsimBenchApdus *apdus, const gchar *reader, gdouble seconds,
			    RemsimBenchStats *stats, GError **error)
{
	const DWORD protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
	guint n = remsim_bench_apdus_cycle(apdus);
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol = 0;
	gint64 start, end;
	LONG rv;
	gboolean ok = TRUE;

	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "PC/SC: %s",
			    pcsc_stringify_error(rv));
		return FALSE;
	}
	rv = SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, protocols, &card, &protocol);
	/* the card starts from its reset, as it does under the bank */
	if (rv == SCARD_S_SUCCESS)
		rv = SCardReconnect(card, SCARD_SHARE_EXCLUSIVE, protocols, SCARD_RESET_CARD,
				    &protocol);
	if (rv != SCARD_S_SUCCESS) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "PC/SC %s: %s", reader,
			    pcsc_stringify_error(rv));
		SCardReleaseContext(ctx);
		return FALSE;
	}
	start = g_get_monotonic_time();
	end = start + (gint64)(seconds * G_USEC_PER_SEC);
	for (guint64 i = 0; ok; i++) {
		GBytes *command = apdus->commands->pdata[i % n];
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(command, &len);
		guint8 rx[300];
		DWORD rx_len = sizeof(rx);
		gdouble t0 = remsim_bench_stats_now();

		if (t0 >= end)
			break;
		rv =
		    SCardTransmit(card, protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0,
				  data, len, NULL, rx, &rx_len);
		remsim_bench_stats_add(stats, remsim_bench_stats_now() - t0);
		if (rv != SCARD_S_SUCCESS) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "PC/SC %s: %s", reader,
				    pcsc_stringify_error(rv));
			ok = FALSE;
		} else if (!remsim_bench_apdus_check((RemsimBenchApdus *)apdus, i, rx, rx_len)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "PC/SC %s: a wrong answer to command %" G_GUINT64_FORMAT,
				    reader, i);
			ok = FALSE;
		}
	}
	stats->seconds += (g_get_monotonic_time() - start) / 1e6;
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	return ok;
}
#else
gboolean
remsim_bench_floor_run_pcsc(const RemsimBenchApdus *apdus, const gchar *reader, gdouble seconds,
			    RemsimBenchStats *stats, GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "remsim-bench was built without PC/SC");
	return FALSE;
}
#endif
