/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "remsim-test-common.h"
#include "remsim-test-hostile.h"
#include "rspro-ipa.h"

#define REMSIM_TEST_HOSTILE_BATCH (64 * 1024)
/* how often the flood looks at the daemon's memory */
#define REMSIM_TEST_HOSTILE_SAMPLE_MS 50
/*
 * The kernel takes in megabytes from a peer that never reads (both socket
 * buffers grow) before the daemon's queue stays full, and the daemon then
 * waits RSPRO_CONNECTION_STALL_MS: a flood lasts longer than one event wait.
 */
#define REMSIM_TEST_HOSTILE_FLOOD_TIMEOUT_MS (4 * REMSIM_TEST_TIMEOUT_MS)

static const guint8 remsim_test_hostile_ping[] = { 0x00, 0x01, 0xfe, 0x00 };
static const guint8 remsim_test_hostile_pong[] = { 0x00, 0x01, 0xfe, 0x01 };
/* one frame in so many is a PONG: the daemon's keep-alive PING counts as answered */
#define REMSIM_TEST_HOSTILE_PONG_EVERY 1024

static void
remsim_test_hostile_send_all(GSocket *socket, GBytes *bytes)
{
	gsize len = 0;
	const gchar *data = g_bytes_get_data(bytes, &len);

	while (len > 0) {
		g_autoptr(GError) error = NULL;
		gssize n = g_socket_send_with_blocking(socket, data, len, TRUE, NULL, &error);

		g_assert_no_error(error);
		data += n;
		len -= n;
	}
}

GSocket *
remsim_test_hostile_connect(const gchar *from_ip, guint16 port, const RsproPdu *hello,
			    GError **error)
{
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) target = g_inet_socket_address_new(lo, port);
	g_autoptr(GSocket) socket =
	    g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

	if (socket == NULL)
		return NULL;
	if (from_ip != NULL) {
		g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(from_ip);
		g_autoptr(GSocketAddress) local = g_inet_socket_address_new(ip, 0);

		g_assert_nonnull(ip);
		if (!g_socket_bind(socket, local, FALSE, error))
			return NULL;
	}
	if (!g_socket_connect(socket, target, NULL, error))
		return NULL;
	if (hello != NULL) {
		g_autoptr(GBytes) pdu = rspro_pdu_encode(hello, NULL);
		g_autoptr(GBytes) frame = NULL;

		g_assert_nonnull(pdu);
		frame = rspro_ipa_wrap_rspro(pdu, NULL);
		g_assert_nonnull(frame);
		remsim_test_hostile_send_all(socket, frame);
	}
	g_socket_set_blocking(socket, FALSE);
	return g_steal_pointer(&socket);
}

void
remsim_test_hostile_send_pong(GSocket *socket)
{
	g_autoptr(GBytes) pong =
	    g_bytes_new_static(remsim_test_hostile_pong, sizeof(remsim_test_hostile_pong));

	remsim_test_hostile_send_all(socket, pong);
}

gboolean
remsim_test_hostile_is_closed(GSocket *socket)
{
	gchar buf[4096];

	for (;;) {
		g_autoptr(GError) error = NULL;
		gssize n =
		    g_socket_receive_with_blocking(socket, buf, sizeof(buf), FALSE, NULL, &error);

		if (n == 0)
			return TRUE;
		if (n > 0)
			continue;
		return !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
	}
}

/* --- the flood --- */

typedef struct {
	GSocket *socket;
	GSource *source;
	gsize sent;
	gboolean closed;
} RemsimTestHostileFlooder;

typedef struct {
	RemsimTestHostileFlooder *flooders;
	guint n_open;
	const guint8 *batch;
	GSubprocess *proc;
	guint64 give_up_kb;
	RemsimTestHostileFlood *result;
} RemsimTestHostileFloodRun;

static gboolean
remsim_test_hostile_flood_writable_cb(GSocket *socket, GIOCondition condition, gpointer data)
{
	RemsimTestHostileFloodRun *run = data;
	RemsimTestHostileFlooder *f = NULL;

	for (guint i = 0; f == NULL; i++)
		if (run->flooders[i].socket == socket)
			f = &run->flooders[i];
	/* a few batches per turn, so that the other connections and the samples get theirs */
	for (guint turn = 0; turn < 16; turn++) {
		g_autoptr(GError) error = NULL;
		/* whole PINGs only: a partial write goes on where it stopped */
		gsize off = f->sent % sizeof(remsim_test_hostile_ping);
		gssize n = g_socket_send(socket, (const gchar *)run->batch + off,
					 REMSIM_TEST_HOSTILE_BATCH - off, NULL, &error);

		if (n > 0) {
			f->sent += n;
			continue;
		}
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			return G_SOURCE_CONTINUE;
		/* reset or broken pipe: the daemon closed it */
		f->closed = TRUE;
		run->n_open--;
		g_clear_pointer(&f->source, g_source_unref);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
remsim_test_hostile_flood_done(gpointer data)
{
	RemsimTestHostileFloodRun *run = data;

	return run->n_open == 0 || run->result->rss_peak_kb > run->give_up_kb;
}

static gboolean
remsim_test_hostile_flood_sample_cb(gpointer data)
{
	RemsimTestHostileFloodRun *run = data;
	guint64 rss = remsim_test_hostile_proc_kb(run->proc, "VmRSS");

	run->result->rss_peak_kb = MAX(run->result->rss_peak_kb, rss);
	return G_SOURCE_CONTINUE;
}

void
remsim_test_hostile_flood(GSocket *const *sockets, guint n_sockets, GSubprocess *proc,
			  guint64 give_up_kb, RemsimTestHostileFlood *result)
{
	g_autofree guint8 *batch = g_malloc(REMSIM_TEST_HOSTILE_BATCH);
	g_autofree RemsimTestHostileFlooder *flooders = g_new0(RemsimTestHostileFlooder, n_sockets);
	RemsimTestHostileFloodRun run = { flooders, n_sockets, batch, proc, 0, result };
	gint64 start = g_get_monotonic_time();
	guint sampler;

	for (gsize i = 0; i < REMSIM_TEST_HOSTILE_BATCH; i += sizeof(remsim_test_hostile_ping)) {
		gboolean pong =
		    i / sizeof(remsim_test_hostile_ping) % REMSIM_TEST_HOSTILE_PONG_EVERY ==
		    REMSIM_TEST_HOSTILE_PONG_EVERY - 1;

		memcpy(batch + i, pong ? remsim_test_hostile_pong : remsim_test_hostile_ping,
		       sizeof(remsim_test_hostile_ping));
	}
	memset(result, 0, sizeof(*result));
	result->rss_before_kb = remsim_test_hostile_proc_kb(proc, "VmRSS");
	result->rss_peak_kb = result->rss_before_kb;
	run.give_up_kb = result->rss_before_kb + give_up_kb;
	for (guint i = 0; i < n_sockets; i++) {
		flooders[i].socket = sockets[i];
		g_socket_set_blocking(sockets[i], FALSE);
		flooders[i].source = g_socket_create_source(sockets[i], G_IO_OUT, NULL);
		g_source_set_callback(flooders[i].source,
				      G_SOURCE_FUNC(remsim_test_hostile_flood_writable_cb), &run,
				      NULL);
		g_source_attach(flooders[i].source, NULL);
	}
	sampler =
	    g_timeout_add(REMSIM_TEST_HOSTILE_SAMPLE_MS, remsim_test_hostile_flood_sample_cb, &run);
	g_assert_true(remsim_test_common_spin_until(remsim_test_hostile_flood_done, &run,
						    REMSIM_TEST_HOSTILE_FLOOD_TIMEOUT_MS));
	g_source_remove(sampler);
	remsim_test_hostile_flood_sample_cb(&run);
	result->seconds = (g_get_monotonic_time() - start) / (gdouble)G_USEC_PER_SEC;
	result->hwm_kb = remsim_test_hostile_proc_kb(proc, "VmHWM");
	for (guint i = 0; i < n_sockets; i++) {
		result->bytes += flooders[i].sent;
		if (flooders[i].source != NULL) {
			g_source_destroy(flooders[i].source);
			g_source_unref(flooders[i].source);
		}
	}
}

/* --- /proc --- */

static gchar *
remsim_test_hostile_proc_read(GSubprocess *proc, const gchar *what)
{
	const gchar *pid = g_subprocess_get_identifier(proc);
	g_autofree gchar *path = NULL;
	gchar *text = NULL;

	g_assert_nonnull(pid);
	path = g_strdup_printf("/proc/%s/%s", pid, what);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	return text;
}

guint64
remsim_test_hostile_proc_kb(GSubprocess *proc, const gchar *field)
{
	g_autofree gchar *text = remsim_test_hostile_proc_read(proc, "status");
	g_autofree gchar *key = g_strconcat("\n", field, ":", NULL);
	const gchar *line = strstr(text, key);
	guint64 kb = 0;

	g_assert_nonnull(line);
	g_assert_cmpint(sscanf(line + strlen(key), " %" G_GUINT64_FORMAT, &kb), ==, 1);
	return kb;
}

guint
remsim_test_hostile_count_fds(GSubprocess *proc)
{
	g_autofree gchar *path = g_strdup_printf("/proc/%s/fd", g_subprocess_get_identifier(proc));
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	guint n = 0;

	g_assert_nonnull(dir);
	while (g_dir_read_name(dir) != NULL)
		n++;
	return n;
}

guint64
remsim_test_hostile_fd_limit(GSubprocess *proc)
{
	g_autofree gchar *text = remsim_test_hostile_proc_read(proc, "limits");
	const gchar *line = strstr(text, "Max open files");
	guint64 soft = 0;

	g_assert_nonnull(line);
	g_assert_cmpint(sscanf(line + strlen("Max open files"), " %" G_GUINT64_FORMAT, &soft), ==,
			1);
	return soft;
}

guint64
remsim_test_hostile_raise_fd_limit(guint64 wanted)
{
	struct rlimit rl;

	g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &rl), ==, 0);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < wanted) {
		rl.rlim_cur = (rlim_t)wanted;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < wanted)
			rl.rlim_max = (rlim_t)wanted;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			g_error("cannot raise the open-file limit to %" G_GUINT64_FORMAT
				" (%s): the test needs it",
				wanted, g_strerror(errno));
	}
	return rl.rlim_cur;
}
