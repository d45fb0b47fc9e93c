/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-test-bench.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

gdouble
remsim_test_bench_cpu_us(GSubprocess *proc)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_auto(GStrv) fields = NULL;
	const gchar *end;

	if (proc == NULL) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
		       ru.ru_stime.tv_usec;
	}
	path = g_strdup_printf("/proc/%s/stat", g_subprocess_get_identifier(proc));
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* the command name may hold spaces: count fields after its closing parenthesis */
	end = strrchr(text, ')');
	if (end == NULL)
		return 0;
	fields = g_strsplit(end + 2, " ", -1);
	if (g_strv_length(fields) < 13)
		return 0;
	return (g_ascii_strtod(fields[11], NULL) + g_ascii_strtod(fields[12], NULL)) * 1e6 /
	       sysconf(_SC_CLK_TCK);
}

static gint
remsim_test_bench_compare(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;

	return x < y ? -1 : x > y;
}

gdouble
remsim_test_bench_percentile(GArray *latencies, gdouble p)
{
	if (latencies->len == 0)
		return 0;
	g_array_sort(latencies, remsim_test_bench_compare);
	return g_array_index(latencies, gdouble, (guint)(p * (latencies->len - 1)));
}

typedef struct {
	int fd;
	gsize frame_len;
} RemsimTestBenchEcho;

static gboolean
remsim_test_bench_read_full(int fd, guint8 *buf, gsize len)
{
	for (gsize got = 0; got < len;) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n <= 0)
			return FALSE;
		got += (gsize)n;
	}
	return TRUE;
}

static gpointer
remsim_test_bench_echo_thread(gpointer data)
{
	RemsimTestBenchEcho *echo = data;
	g_autofree guint8 *buf = g_malloc0(echo->frame_len);

	while (remsim_test_bench_read_full(echo->fd, buf, echo->frame_len))
		if (send(echo->fd, buf, echo->frame_len, MSG_NOSIGNAL) != (ssize_t)echo->frame_len)
			break;
	return NULL;
}

static int
remsim_test_bench_tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	g_assert_cmpint(fd, >=, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

gdouble
remsim_test_bench_tcp_round_trip_us(guint n, gsize frame_len)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t addr_len = sizeof(addr);
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int client = remsim_test_bench_tcp_socket();
	RemsimTestBenchEcho echo = { -1, frame_len };
	g_autofree guint8 *buf = g_malloc0(frame_len);
	GThread *thread;
	gint64 t0;

	g_assert_cmpint(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	g_assert_cmpint(listen(listener, 1), ==, 0);
	g_assert_cmpint(getsockname(listener, (struct sockaddr *)&addr, &addr_len), ==, 0);
	g_assert_cmpint(connect(client, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	echo.fd = accept(listener, NULL, NULL);
	g_assert_cmpint(echo.fd, >=, 0);
	setsockopt(echo.fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	thread = g_thread_new("tcp echo", remsim_test_bench_echo_thread, &echo);
	t0 = g_get_monotonic_time();
	for (guint i = 0; i < n; i++) {
		g_assert_cmpint(send(client, buf, frame_len, MSG_NOSIGNAL), ==, frame_len);
		g_assert_true(remsim_test_bench_read_full(client, buf, frame_len));
	}
	t0 = g_get_monotonic_time() - t0;
	shutdown(client, SHUT_RDWR);
	g_thread_join(thread);
	close(echo.fd);
	close(client);
	close(listener);
	return (gdouble)t0 / n;
}
