/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef HAVE_PCSC
#include <PCSC/winscard.h>
#endif

#include "remsim-bench-pcscd.h"
#include "remsim-bench-spawn.h"
#include "remsim-simcard-card.h"

#define REMSIM_BENCH_PCSCD_RUN "/run/pcscd"
#define REMSIM_BENCH_PCSCD_START_MS 20000
/* pcscd 1.9.9 takes at most 16 readers; each vpcd reader has two slots */
#define REMSIM_BENCH_PCSCD_MAX_READERS 16

/* vpcd's one-byte control messages */
#define REMSIM_BENCH_PCSCD_POWER_ON 0x01
#define REMSIM_BENCH_PCSCD_RESET 0x02
#define REMSIM_BENCH_PCSCD_GET_ATR 0x04

struct _RemsimBenchPcscd {
	gchar *dir;
	GSubprocess *pcscd;
	GPtrArray *cards; /* GSubprocess */
	guint16 card_port;
	guint16 modem_port;
	guint n_cards;
};

static gboolean remsim_bench_pcscd_in_namespace;

gboolean
remsim_bench_pcscd_enter_namespace(GError **error)
{
	if (remsim_bench_pcscd_in_namespace)
		return TRUE;
	if (getuid() != 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    "a private pcscd needs root (a mount namespace of its own)");
		return FALSE;
	}
	/* nothing mounted here may reach the system's namespace */
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "cannot make a private mount namespace: %s", g_strerror(errno));
		return FALSE;
	}
	/* where there is no /run/pcscd to cover, cover /run: only this namespace sees it */
	if (!g_file_test(REMSIM_BENCH_PCSCD_RUN, G_FILE_TEST_IS_DIR) &&
	    (mount("remsim-bench", "/run", "tmpfs", 0, NULL) != 0 ||
	     g_mkdir(REMSIM_BENCH_PCSCD_RUN, 0755) != 0)) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "cannot make /run/pcscd: %s", g_strerror(errno));
		return FALSE;
	}
	remsim_bench_pcscd_in_namespace = TRUE;
	return TRUE;
}

gchar *
remsim_bench_pcscd_card_reader(guint i)
{
	return g_strdup_printf("Remsim Bench Card %u 00 %02X", i / 2, i % 2);
}

gchar *
remsim_bench_pcscd_card_pattern(guint i)
{
	return g_strdup_printf("^Remsim Bench Card %u 00 %02X$", i / 2, i % 2);
}

gchar *
remsim_bench_pcscd_modem_reader(guint i)
{
	return g_strdup_printf("Remsim Bench Modem %u 00 %02X", i / 2, i % 2);
}

guint16
remsim_bench_pcscd_modem_port(RemsimBenchPcscd *self, guint i)
{
	return (guint16)(self->modem_port + i);
}

/* one vpcd reader (two slots) per pair, on @port + 2k and @port + 2k + 1 */
static void
remsim_bench_pcscd_write_readers(const gchar *confdir, const gchar *driver, const gchar *kind,
				 guint n, guint16 port)
{
	for (guint k = 0; k < (n + 1) / 2; k++) {
		g_autofree gchar *name = g_strdup_printf("%s-%u", kind, k);
		g_autofree gchar *path = g_build_filename(confdir, name, NULL);
		g_autofree gchar *text =
		    g_strdup_printf("FRIENDLYNAME \"Remsim Bench %s %u\"\n"
				    "DEVICENAME /dev/null:%u\n"
				    "LIBPATH %s\nCHANNELID %u\n",
				    kind, k, port + 2 * k, driver, port + 2 * k);

		g_file_set_contents(path, text, -1, NULL);
	}
}

#ifdef HAVE_PCSC
/* the reader names pcscd lists now */
static gboolean
remsim_bench_pcscd_listed(const gchar *reader)
{
	SCARDCONTEXT ctx;
	DWORD len = 0;
	gboolean found = FALSE;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
		return FALSE;
	if (SCardListReaders(ctx, NULL, NULL, &len) == SCARD_S_SUCCESS) {
		g_autofree gchar *names = g_malloc0(len + 1);

		if (SCardListReaders(ctx, NULL, names, &len) == SCARD_S_SUCCESS)
			for (const gchar *n = names; *n != '\0' && !found; n += strlen(n) + 1)
				found = g_strcmp0(n, reader) == 0;
	}
	SCardReleaseContext(ctx);
	return found;
}

gboolean
remsim_bench_pcscd_wait_card(const gchar *reader, gboolean present, guint timeout_ms)
{
	SCARD_READERSTATE state = { 0 };
	SCARDCONTEXT ctx;
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	gboolean done = FALSE;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
		return FALSE;
	state.szReader = reader;
	while (!done && g_get_monotonic_time() < deadline) {
		LONG rv = SCardGetStatusChange(ctx, 200, &state, 1);

		if (rv == SCARD_S_SUCCESS)
			state.dwCurrentState = state.dwEventState & ~SCARD_STATE_CHANGED;
		else if (rv != SCARD_E_TIMEOUT)
			g_usleep(20000);
		done = rv == SCARD_S_SUCCESS &&
		       ((state.dwEventState & SCARD_STATE_PRESENT) != 0) == present;
	}
	SCardReleaseContext(ctx);
	return done;
}
#else
static gboolean
remsim_bench_pcscd_listed(const gchar *reader)
{
	return FALSE;
}

gboolean
remsim_bench_pcscd_wait_card(const gchar *reader, gboolean present, guint timeout_ms)
{
	return FALSE;
}
#endif

RemsimBenchPcscd *
remsim_bench_pcscd_start(const gchar *dir, const gchar *pcscd, const gchar *driver,
			 const gchar *self_exe, const gchar *profile, guint n_cards, guint n_modems,
			 GError **error)
{
	RemsimBenchPcscd *self;
	g_autofree gchar *confdir = g_build_filename(dir, "reader.conf.d", NULL);
	g_autofree gchar *run = g_build_filename(dir, "run", NULL);
	g_autofree gchar *log = g_build_filename(dir, "pcscd.log", NULL);
	g_autofree gchar *first = NULL;
	gint64 deadline;

	if ((n_cards + 1) / 2 + (n_modems + 1) / 2 > REMSIM_BENCH_PCSCD_MAX_READERS) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "pcscd takes at most %u vpcd readers (%u slots): too many slots",
			    REMSIM_BENCH_PCSCD_MAX_READERS, 2 * REMSIM_BENCH_PCSCD_MAX_READERS);
		return NULL;
	}
	if (!g_file_test(pcscd, G_FILE_TEST_IS_EXECUTABLE) ||
	    !g_file_test(driver, G_FILE_TEST_EXISTS)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "needs pcscd (%s) and vsmartcard's vpcd driver (%s)", pcscd, driver);
		return NULL;
	}
	if (!remsim_bench_pcscd_enter_namespace(error))
		return NULL;
	self = g_new0(RemsimBenchPcscd, 1);
	self->dir = g_strdup(dir);
	self->cards = g_ptr_array_new_with_free_func(g_object_unref);
	self->n_cards = n_cards;
	g_mkdir_with_parents(confdir, 0755);
	g_mkdir_with_parents(run, 0755);
	if (mount(run, REMSIM_BENCH_PCSCD_RUN, NULL, MS_BIND, NULL) != 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "cannot mount over %s: %s", REMSIM_BENCH_PCSCD_RUN, g_strerror(errno));
		remsim_bench_pcscd_stop(self);
		return NULL;
	}
	self->card_port = remsim_bench_spawn_free_ports(2 * ((n_cards + 1) / 2));
	self->modem_port = remsim_bench_spawn_free_ports(2 * ((n_modems + 1) / 2) + 1);
	remsim_bench_pcscd_write_readers(confdir, driver, "Card", n_cards, self->card_port);
	remsim_bench_pcscd_write_readers(confdir, driver, "Modem", n_modems, self->modem_port);
	self->pcscd = remsim_bench_spawn((const gchar *const[]){ pcscd, "-f", "-c", confdir, NULL },
					 dir, log, FALSE, error);
	if (self->pcscd == NULL) {
		remsim_bench_pcscd_stop(self);
		return NULL;
	}
	first =
	    n_cards > 0 ? remsim_bench_pcscd_card_reader(0) : remsim_bench_pcscd_modem_reader(0);
	deadline = g_get_monotonic_time() + REMSIM_BENCH_PCSCD_START_MS * 1000;
	while (!remsim_bench_pcscd_listed(first)) {
		if (g_get_monotonic_time() > deadline ||
		    !remsim_bench_spawn_check(self->pcscd, "pcscd", log, error)) {
			if (error != NULL && *error == NULL)
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "pcscd does not list “%s” (see %s)", first, log);
			remsim_bench_pcscd_stop(self);
			return NULL;
		}
		g_usleep(20000);
	}
	for (guint i = 0; i < n_cards; i++) {
		g_autofree gchar *port = g_strdup_printf("%u", self->card_port + i);
		g_autofree gchar *card_log = g_strdup_printf("%s/card-%u.log", dir, i);
		GSubprocess *card =
		    remsim_bench_spawn((const gchar *const[]){ self_exe, "--vpcd-card", port,
							       "--profile", profile, NULL },
				       dir, card_log, FALSE, error);

		if (card == NULL) {
			remsim_bench_pcscd_stop(self);
			return NULL;
		}
		g_ptr_array_add(self->cards, card);
	}
	for (guint i = 0; i < n_cards; i++) {
		g_autofree gchar *reader = remsim_bench_pcscd_card_reader(i);

		if (!remsim_bench_pcscd_wait_card(reader, TRUE, REMSIM_BENCH_PCSCD_START_MS)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				    "no card in “%s” (see %s)", reader, dir);
			remsim_bench_pcscd_stop(self);
			return NULL;
		}
	}
	return self;
}

GPid
remsim_bench_pcscd_get_pid(RemsimBenchPcscd *self)
{
	return self->pcscd != NULL ? remsim_bench_spawn_get_pid(self->pcscd) : 0;
}

void
remsim_bench_pcscd_stop(RemsimBenchPcscd *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < self->cards->len; i++)
		remsim_bench_spawn_stop(self->cards->pdata[i], SIGTERM, 5000);
	g_ptr_array_unref(self->cards);
	if (self->pcscd != NULL)
		remsim_bench_spawn_stop(self->pcscd, SIGTERM, 10000);
	g_clear_object(&self->pcscd);
	umount2(REMSIM_BENCH_PCSCD_RUN, MNT_DETACH);
	g_free(self->dir);
	g_free(self);
}

/* --- the card --- */

static gboolean
remsim_bench_pcscd_io(int fd, guint8 *buf, gsize len, gboolean write_it)
{
	for (gsize done = 0; done < len;) {
		ssize_t n = write_it ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
				     : recv(fd, buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		/* vpcd writes the length and the payload apart, with Nagle on: never delay an ACK
		 */
		if (!write_it)
			setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
		if (n <= 0)
			return FALSE;
		done += (gsize)n;
	}
	return TRUE;
}

static gboolean
remsim_bench_pcscd_send(int fd, GBytes *payload)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(payload, &len);
	guint8 frame[2 + 65536];

	frame[0] = (guint8)(len >> 8);
	frame[1] = (guint8)len;
	memcpy(frame + 2, data, len);
	return remsim_bench_pcscd_io(fd, frame, len + 2, TRUE);
}

static int
remsim_bench_pcscd_dial(guint16 port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	gint64 deadline = g_get_monotonic_time() + REMSIM_BENCH_PCSCD_START_MS * 1000;

	while (g_get_monotonic_time() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
			return fd;
		}
		close(fd);
		/* vpcd listens once pcscd has loaded it */
		g_usleep(20000);
	}
	return -1;
}

int
remsim_bench_pcscd_serve_card(const gchar *profile, guint16 port)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card = remsim_simcard_card_new_from_file(profile, &error);
	g_autoptr(GBytes) atr = NULL;
	g_autofree guint8 *buf = g_malloc(65536);
	int fd;

	if (card == NULL) {
		g_printerr("remsim-bench: %s\n", error->message);
		return 1;
	}
	atr = remsim_simcard_card_get_atr(card);
	fd = remsim_bench_pcscd_dial(port);
	if (fd < 0) {
		g_printerr("remsim-bench: vpcd does not listen on port %u\n", port);
		return 1;
	}
	for (;;) {
		guint8 head[2];
		gsize len;

		if (!remsim_bench_pcscd_io(fd, head, 2, FALSE))
			break;
		len = ((gsize)head[0] << 8) | head[1];
		if (!remsim_bench_pcscd_io(fd, buf, len, FALSE))
			break;
		if (len == 1) {
			if (buf[0] == REMSIM_BENCH_PCSCD_GET_ATR &&
			    !remsim_bench_pcscd_send(fd, atr))
				break;
			if (buf[0] == REMSIM_BENCH_PCSCD_POWER_ON ||
			    buf[0] == REMSIM_BENCH_PCSCD_RESET)
				remsim_simcard_card_reset(card);
		} else if (len > 1) {
			static const guint8 wrong_length[] = { 0x67, 0x00 };
			g_autoptr(GBytes) apdu = g_bytes_new_static(buf, len);
			g_autoptr(GBytes) response = remsim_simcard_card_transmit(card, apdu);

			if (response == NULL)
				response = g_bytes_new_static(wrong_length, 2);
			if (!remsim_bench_pcscd_send(fd, response))
				break;
		}
	}
	close(fd);
	return 0;
}
