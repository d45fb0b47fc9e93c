/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_PCSC
#include <PCSC/winscard.h>
#endif

#include "remsim-bench-load.h"

/* an answer that takes longer than this means the system is stuck */
#define REMSIM_BENCH_LOAD_STALL_US (15 * G_USEC_PER_SEC)
#define REMSIM_BENCH_LOAD_TICK_US (G_USEC_PER_SEC / 2)

void
remsim_bench_load_progress(const gchar *label, const gchar *phase, guint64 done, gdouble seconds,
			   gboolean final)
{
	static gint tty = -1;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (tty) {
		g_printerr("\r\033[K%s: %s, %" G_GUINT64_FORMAT " APDUs, %.1f s%s", label, phase,
			   done, seconds, final ? "\n" : "");
	} else if (final) {
		g_printerr("%s: %s, %" G_GUINT64_FORMAT " APDUs, %.1f s\n", label, phase, done,
			   seconds);
	}
}

typedef struct {
	guint64 index;	 /* commands sent since the card's reset */
	gdouble sent_at; /* µs; 0: nothing in flight */
} RemsimBenchLoadSlot;

typedef struct {
	RemsimBenchSystem *system;
	RemsimBenchApdus *apdus;
	RemsimBenchLoadWindow *window;
	RemsimBenchStats *stats;
	gint64 open_at, close_at;
	gboolean opened, closed;
	guint64 done;	  /* answers within the window */
	guint64 answered; /* all answers */
} RemsimBenchLoad;

static gboolean
remsim_bench_load_send(RemsimBenchLoad *load, guint i, RemsimBenchLoadSlot *slot, GError **error)
{
	RemsimBenchClient *client = load->system->clients->pdata[i];
	const gchar *line = load->apdus->lines[slot->index % remsim_bench_apdus_cycle(load->apdus)];
	gsize len = strlen(line);

	slot->sent_at = remsim_bench_stats_now();
	for (gsize off = 0; off < len;) {
		ssize_t n = write(client->in_fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
				    "cannot write to client %u: %s (see %s)", i, g_strerror(errno),
				    client->log);
			return FALSE;
		}
		off += (gsize)n;
	}
	return TRUE;
}

/* "R-APDU: 9f 17 " of a card the bench learns: its bytes */
static GBytes *
remsim_bench_load_parse(const gchar *hex)
{
	GByteArray *out = g_byte_array_new();

	for (const gchar *p = hex; p[0] != '\0' && p[1] != '\0';) {
		if (*p == ' ') {
			p++;
			continue;
		}
		guint8 b = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));

		g_byte_array_append(out, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes(out);
}

static gboolean
remsim_bench_load_answer(RemsimBenchLoad *load, guint i, RemsimBenchLoadSlot *slot,
			 const gchar *line, GError **error)
{
	RemsimBenchClient *client = load->system->clients->pdata[i];
	gboolean ok;

	if (g_str_has_prefix(line, "SET_ATR: ")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "client %u saw the card reset during the run (see %s)", i, client->log);
		return FALSE;
	}
	if (!g_str_has_prefix(line, "R-APDU: "))
		return TRUE; /* not an answer: whatever else a client prints */
	if (slot->sent_at == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "client %u answered a command it did not get: %s", i, line);
		return FALSE;
	}
	if (load->apdus->learned) {
		g_autoptr(GBytes) got = remsim_bench_load_parse(line + 8);

		ok = remsim_bench_apdus_check(load->apdus, slot->index, g_bytes_get_data(got, NULL),
					      g_bytes_get_size(got));
	} else {
		ok = g_strcmp0(line, remsim_bench_apdus_expected_line(load->apdus, slot->index)) ==
		     0;
	}
	if (!ok) {
		g_autofree gchar *command = g_strdup(
		    load->apdus->lines[slot->index % remsim_bench_apdus_cycle(load->apdus)]);

		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "client %u: command %" G_GUINT64_FORMAT " (%s) got “%s”, the card "
			    "answers “%s”",
			    i, slot->index, g_strchomp(command), line,
			    remsim_bench_apdus_expected_line(load->apdus, slot->index));
		return FALSE;
	}
	if (load->opened && !load->closed) {
		remsim_bench_stats_add(load->stats, remsim_bench_stats_now() - slot->sent_at);
		load->done++;
	}
	slot->sent_at = 0;
	slot->index++;
	load->answered++;
	return load->closed || remsim_bench_load_send(load, i, slot, error);
}

/* opens and closes the window on time; TRUE once it is closed */
static gboolean
remsim_bench_load_clock(RemsimBenchLoad *load, gint64 now)
{
	if (!load->opened && now >= load->open_at) {
		load->opened = TRUE;
		load->open_at = g_get_monotonic_time();
		load->close_at = load->open_at + (gint64)(load->window->duration * G_USEC_PER_SEC);
		if (load->window->opened != NULL)
			load->window->opened(load->window->data);
	}
	if (load->opened && !load->closed && now >= load->close_at) {
		load->closed = TRUE;
		load->stats->seconds += (now - load->open_at) / 1e6;
		load->window->answered = load->answered;
		if (load->window->closed != NULL)
			load->window->closed(load->window->data);
	}
	return load->closed;
}

static gboolean
remsim_bench_load_stalled(RemsimBenchLoad *load, RemsimBenchLoadSlot *slots, guint *in_flight,
			  GError **error)
{
	gdouble now = remsim_bench_stats_now();

	*in_flight = 0;
	for (guint i = 0; i < load->system->clients->len; i++) {
		RemsimBenchClient *client = load->system->clients->pdata[i];

		if (slots[i].sent_at == 0)
			continue;
		(*in_flight)++;
		if (now - slots[i].sent_at > REMSIM_BENCH_LOAD_STALL_US) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				    "client %u did not answer for %d s (see %s)", i,
				    (int)(REMSIM_BENCH_LOAD_STALL_US / G_USEC_PER_SEC),
				    client->log);
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean
remsim_bench_load_read(RemsimBenchLoad *load, guint i, RemsimBenchLoadSlot *slot, GError **error)
{
	RemsimBenchClient *client = load->system->clients->pdata[i];
	g_autoptr(GError) local = NULL;
	gchar *line;

	while ((line = remsim_bench_system_client_line(client, &local)) != NULL) {
		gboolean ok = remsim_bench_load_answer(load, i, slot, line, &local);

		g_free(line);
		if (!ok)
			break;
	}
	if (local != NULL) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_bench_load_run_shell(RemsimBenchLoad *load, GError **error)
{
	guint n = load->system->clients->len;
	g_autofree struct pollfd *pfds = g_new0(struct pollfd, n);
	g_autofree RemsimBenchLoadSlot *slots = g_new0(RemsimBenchLoadSlot, n);
	gint64 start = g_get_monotonic_time(), next_tick = start;
	guint in_flight = n;

	for (guint i = 0; i < n; i++) {
		RemsimBenchClient *client = load->system->clients->pdata[i];

		pfds[i].fd = client->out_fd;
		pfds[i].events = POLLIN;
		if (!remsim_bench_load_send(load, i, &slots[i], error))
			return FALSE;
	}
	/* after the window: no new commands, the last answers drain */
	while (!load->closed || in_flight > 0) {
		gint64 now = g_get_monotonic_time();
		gint64 wake;
		int rc;

		remsim_bench_load_clock(load, now);
		if (now >= next_tick) {
			remsim_bench_load_progress(load->window->label,
						   !load->opened  ? "warming up"
						   : load->closed ? "draining"
								  : "measuring",
						   load->done, (now - start) / 1e6, FALSE);
			next_tick = now + REMSIM_BENCH_LOAD_TICK_US;
		}
		wake = load->closed ? now + REMSIM_BENCH_LOAD_STALL_US
				    : (load->opened ? load->close_at : load->open_at);
		wake = MIN(wake, next_tick);
		rc = poll(pfds, n, (int)MAX(0, (wake - now + 999) / 1000));
		if (rc < 0 && errno != EINTR) {
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "poll: %s",
				    g_strerror(errno));
			return FALSE;
		}
		now = g_get_monotonic_time();
		remsim_bench_load_clock(load, now);
		for (guint i = 0; i < n && rc > 0; i++)
			if (pfds[i].revents != 0 &&
			    !remsim_bench_load_read(load, i, &slots[i], error))
				return FALSE;
		if (remsim_bench_load_stalled(load, slots, &in_flight, error))
			return FALSE;
	}
	remsim_bench_load_progress(load->window->label, "done", load->done,
				   (g_get_monotonic_time() - start) / 1e6, TRUE);
	return TRUE;
}

#ifdef HAVE_PCSC
typedef struct {
	RemsimBenchLoad *load;
	guint slot;
	gint stop;	  /* atomic */
	gint ended;	  /* atomic: the thread is done (early: it failed) */
	guint64 done;	  /* atomic: answers in the window */
	guint64 answered; /* atomic: all answers */
	RemsimBenchStats stats;
	GError *error;
	GThread *thread;
	GMutex *check_lock; /* a learned card's answers are shared */
} RemsimBenchLoadModem;

static gpointer
remsim_bench_load_modem_thread(gpointer data)
{
	RemsimBenchLoadModem *modem = data;
	RemsimBenchLoad *load = modem->load;
	g_autofree gchar *reader = remsim_bench_pcscd_modem_reader(modem->slot);
	const DWORD protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
	guint n = remsim_bench_apdus_cycle(load->apdus);
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol = 0;
	LONG rv;

	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv == SCARD_S_SUCCESS)
		rv = SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, protocols, &card, &protocol);
	if (rv != SCARD_S_SUCCESS) {
		g_set_error(&modem->error, G_IO_ERROR, G_IO_ERROR_FAILED, "PC/SC %s: %s", reader,
			    pcsc_stringify_error(rv));
		g_atomic_int_set(&modem->ended, 1);
		return NULL;
	}
	for (guint64 i = 0; !g_atomic_int_get(&modem->stop); i++) {
		GBytes *command = load->apdus->commands->pdata[i % n];
		gsize len = 0;
		const guint8 *cmd = g_bytes_get_data(command, &len);
		guint8 rx[300];
		DWORD rx_len = sizeof(rx);
		gdouble t0 = remsim_bench_stats_now(), t1;
		gboolean ok;

		rv =
		    SCardTransmit(card, protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0,
				  cmd, len, NULL, rx, &rx_len);
		t1 = remsim_bench_stats_now();
		if (rv != SCARD_S_SUCCESS) {
			g_set_error(&modem->error, G_IO_ERROR, G_IO_ERROR_FAILED, "PC/SC %s: %s",
				    reader, pcsc_stringify_error(rv));
			break;
		}
		g_mutex_lock(modem->check_lock);
		ok = remsim_bench_apdus_check(load->apdus, i, rx, rx_len);
		g_mutex_unlock(modem->check_lock);
		if (!ok) {
			g_set_error(&modem->error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "modem %u: a wrong answer to command %" G_GUINT64_FORMAT,
				    modem->slot, i);
			break;
		}
		g_atomic_pointer_add(&modem->answered, 1);
		/* the window's ends are set before the threads start */
		if (t1 >= load->open_at && t1 < load->close_at) {
			remsim_bench_stats_add(&modem->stats, t1 - t0);
			g_atomic_pointer_add(&modem->done, 1);
		}
	}
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	g_atomic_int_set(&modem->ended, 1);
	return NULL;
}

static gboolean
remsim_bench_load_run_vpcd(RemsimBenchLoad *load, GError **error)
{
	guint n = load->system->setup->slots;
	g_autofree RemsimBenchLoadModem *modems = g_new0(RemsimBenchLoadModem, n);
	GMutex check_lock;
	gint64 start = g_get_monotonic_time();
	gboolean failed = FALSE;

	g_mutex_init(&check_lock);
	load->open_at = start + (gint64)(load->window->warmup * G_USEC_PER_SEC);
	load->close_at = load->open_at + (gint64)(load->window->duration * G_USEC_PER_SEC);
	for (guint i = 0; i < n; i++) {
		modems[i].load = load;
		modems[i].slot = i;
		modems[i].check_lock = &check_lock;
		remsim_bench_stats_init(&modems[i].stats);
		modems[i].thread =
		    g_thread_new("modem", remsim_bench_load_modem_thread, &modems[i]);
	}
	for (gint64 now = start; now < load->close_at && !failed; now = g_get_monotonic_time()) {
		guint64 done = 0;

		if (!load->opened && now >= load->open_at) {
			load->opened = TRUE;
			if (load->window->opened != NULL)
				load->window->opened(load->window->data);
		}
		for (guint i = 0; i < n; i++) {
			done += (guint64)g_atomic_pointer_get(&modems[i].done);
			/* a thread that ended before the stop failed */
			failed |= g_atomic_int_get(&modems[i].ended) != 0;
		}
		remsim_bench_load_progress(load->window->label,
					   load->opened ? "measuring" : "warming up", done,
					   (now - start) / 1e6, FALSE);
		g_usleep(MIN(REMSIM_BENCH_LOAD_TICK_US,
			     MAX(1000, (load->opened ? load->close_at : load->open_at) - now)));
	}
	load->closed = TRUE;
	load->stats->seconds += (load->close_at - load->open_at) / 1e6;
	for (guint i = 0; i < n; i++)
		load->window->answered += (guint64)g_atomic_pointer_get(&modems[i].answered);
	if (load->opened && load->window->closed != NULL)
		load->window->closed(load->window->data);
	for (guint i = 0; i < n; i++)
		g_atomic_int_set(&modems[i].stop, 1);
	for (guint i = 0; i < n; i++) {
		g_thread_join(modems[i].thread);
		for (guint k = 0; k < modems[i].stats.us->len; k++)
			remsim_bench_stats_add(load->stats,
					       g_array_index(modems[i].stats.us, gdouble, k));
		load->done += modems[i].done;
		if (modems[i].error != NULL && (error == NULL || *error == NULL))
			g_propagate_error(error, g_steal_pointer(&modems[i].error));
		g_clear_error(&modems[i].error);
		remsim_bench_stats_clear(&modems[i].stats);
	}
	g_mutex_clear(&check_lock);
	remsim_bench_load_progress(load->window->label, "done", load->done,
				   (g_get_monotonic_time() - start) / 1e6, TRUE);
	return error == NULL || *error == NULL;
}
#else
static gboolean
remsim_bench_load_run_vpcd(RemsimBenchLoad *load, GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "remsim-bench was built without PC/SC");
	return FALSE;
}
#endif

gboolean
remsim_bench_load_run(RemsimBenchSystem *system, RemsimBenchLoadWindow *window,
		      RemsimBenchStats *stats, GError **error)
{
	RemsimBenchLoad load = {
		.system = system, .apdus = system->setup->apdus, .window = window, .stats = stats
	};

	load.open_at = g_get_monotonic_time() + (gint64)(window->warmup * G_USEC_PER_SEC);
	if (system->setup->frontend == REMSIM_BENCH_FRONTEND_VPCD)
		return remsim_bench_load_run_vpcd(&load, error);
	return remsim_bench_load_run_shell(&load, error);
}
