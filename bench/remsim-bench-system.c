/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "remsim-bench-rest.h"
#include "remsim-bench-spawn.h"
#include "remsim-bench-system.h"

/* how long a start may take before the bench gives up on it */
#define REMSIM_BENCH_SYSTEM_START_MS 30000
#define REMSIM_BENCH_SYSTEM_STOP_MS 10000
/* upstream's server listens on fixed ports */
#define REMSIM_BENCH_SYSTEM_UPSTREAM_RSPRO 9998
#define REMSIM_BENCH_SYSTEM_UPSTREAM_REST 9997
/* ...and tells every client its bankd is on port 9999 (ConfigClientBankReq) */
#define REMSIM_BENCH_SYSTEM_UPSTREAM_BANKD 9999
#define REMSIM_BENCH_SYSTEM_BANK_ID 1

const gchar *
remsim_bench_system_daemon_name(RemsimBenchDaemon daemon)
{
	static const gchar *const names[] = { "server", "bankd", "client", "pcscd" };

	return daemon < REMSIM_BENCH_N_DAEMONS ? names[daemon] : "?";
}

static const gchar *
remsim_bench_system_backend_name(RemsimBenchBackend backend)
{
	switch (backend) {
	case REMSIM_BENCH_BACKEND_SIMCARD:
		return "simcard";
	case REMSIM_BENCH_BACKEND_PCSC:
		return "pcsc";
	case REMSIM_BENCH_BACKEND_CCID:
		return "ccid";
	}
	return "?";
}

static void
remsim_bench_system_client_free(RemsimBenchClient *client)
{
	if (client->proc != NULL)
		remsim_bench_spawn_stop(client->proc, SIGKILL, REMSIM_BENCH_SYSTEM_STOP_MS);
	g_clear_object(&client->proc);
	g_free(client->log);
	g_string_free(client->pending, TRUE);
	g_free(client);
}

static gchar *
remsim_bench_system_write(RemsimBenchSystem *self, const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(self->dir, name, NULL);

	g_file_set_contents(path, text, -1, NULL);
	return path;
}

/* --- the server --- */

gboolean
remsim_bench_system_start_server(RemsimBenchSystem *self, GError **error)
{
	g_autofree gchar *log = g_build_filename(self->dir, "server.log", NULL);
	g_autofree gchar *state = g_build_filename(self->dir, "state", NULL);
	g_autofree gchar *conf = NULL;
	g_autofree gchar *conf_arg = NULL;

	if (self->impl->upstream) {
		self->rspro_port = REMSIM_BENCH_SYSTEM_UPSTREAM_RSPRO;
		self->rest_port = REMSIM_BENCH_SYSTEM_UPSTREAM_REST;
		self->server =
		    remsim_bench_spawn((const gchar *const[]){ self->impl->server, NULL },
				       self->dir, log, FALSE, error);
	} else {
		g_autofree gchar *text = NULL;

		self->rspro_port = remsim_bench_spawn_free_ports(1);
		self->rest_port = remsim_bench_spawn_free_ports(1);
		g_mkdir_with_parents(state, 0700);
		text = g_strdup_printf("[server]\nbind-ip=127.0.0.1\nrspro-port=%u\n"
				       "rest-bind-ip=127.0.0.1\nrest-port=%u\nstate-dir=%s\n",
				       self->rspro_port, self->rest_port, state);
		conf = remsim_bench_system_write(self, "server.conf", text);
		conf_arg = g_strdup_printf("--config=%s", conf);
		self->server = remsim_bench_spawn(
		    (const gchar *const[]){ self->impl->server, conf_arg, "--no-dbus", NULL },
		    self->dir, log, FALSE, error);
	}
	if (self->server == NULL)
		return FALSE;
	if (!remsim_bench_spawn_wait_port(self->rspro_port, self->server,
					  REMSIM_BENCH_SYSTEM_START_MS, error) ||
	    !remsim_bench_spawn_wait_port(self->rest_port, self->server,
					  REMSIM_BENCH_SYSTEM_START_MS, error)) {
		g_prefix_error(error, "%s (see %s): ", self->impl->server, log);
		return FALSE;
	}
	return TRUE;
}

/* --- the card side --- */

static gboolean
remsim_bench_system_start_sim(RemsimBenchSystem *self, gchar **socket_out, GError **error)
{
	const RemsimBenchSetup *setup = self->setup;
	g_autofree gchar *socket = g_build_filename(self->dir, "ccid.sock", NULL);
	g_autofree gchar *log = g_build_filename(self->dir, "ccid-sim.log", NULL);
	g_autofree gchar *slots = g_strdup_printf("%u", setup->slots);
	gint64 deadline = g_get_monotonic_time() + REMSIM_BENCH_SYSTEM_START_MS * 1000;

	if (setup->ccid_sim == NULL || !g_file_test(setup->ccid_sim, G_FILE_TEST_IS_EXECUTABLE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "the ccid backend runs over the CCID device simulator: give its "
			    "program with --ccid-sim or REMSIM_CCID_SIM (%s)",
			    setup->ccid_sim != NULL ? setup->ccid_sim : "not set");
		return FALSE;
	}
	self->sim = remsim_bench_spawn((const gchar *const[]){ setup->ccid_sim, "--socket", socket,
							       "--profile", setup->apdus->profile,
							       "--slots", slots, NULL },
				       self->dir, log, FALSE, error);
	if (self->sim == NULL)
		return FALSE;
	/* it listens once its socket is there */
	while (!g_file_test(socket, G_FILE_TEST_EXISTS)) {
		if (g_get_monotonic_time() > deadline ||
		    !remsim_bench_spawn_check(self->sim, "remsim-ccid-sim", log, error)) {
			if (error != NULL && *error == NULL)
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "remsim-ccid-sim made no socket (see %s)", log);
			return FALSE;
		}
		g_usleep(10000);
	}
	*socket_out = g_steal_pointer(&socket);
	return TRUE;
}

/* the slot file both command lines take: bank slot i is card reader i */
static gchar *
remsim_bench_system_slot_file(RemsimBenchSystem *self, const gchar *name)
{
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < self->setup->slots; i++) {
		g_autofree gchar *pattern = remsim_bench_pcscd_card_pattern(i);

		g_string_append_printf(text, "\"%u\",\"%u\",\"%s\"\n", REMSIM_BENCH_SYSTEM_BANK_ID,
				       i, pattern);
	}
	return remsim_bench_system_write(self, name, text->str);
}

static gchar *
remsim_bench_system_bankd_config(RemsimBenchSystem *self, GError **error)
{
	const RemsimBenchSetup *setup = self->setup;
	g_autoptr(GString) text = g_string_new(NULL);

	g_string_append_printf(text,
			       "[bankd]\nserver-host=127.0.0.1\nserver-port=%u\nbank-id=%u\n"
			       "num-slots=%u\nbind-ip=127.0.0.1\nbind-port=%u\nbackend=%s\n",
			       self->rspro_port, REMSIM_BENCH_SYSTEM_BANK_ID, setup->slots,
			       self->bankd_port, remsim_bench_system_backend_name(setup->backend));
	if (self->impl->plugin_dir != NULL)
		g_string_append_printf(text, "plugin-dir=%s\n", self->impl->plugin_dir);
	switch (setup->backend) {
	case REMSIM_BENCH_BACKEND_SIMCARD:
		g_string_append_printf(text, "[simcard]\nslots=%u\nprofiles=%s\n", setup->slots,
				       setup->apdus->profile);
		break;
	case REMSIM_BENCH_BACKEND_PCSC: {
		g_autofree gchar *slot_file = remsim_bench_system_slot_file(self, "slots.csv");

		g_string_append_printf(text, "[pcsc]\nslot-file=%s\n", slot_file);
		break;
	}
	case REMSIM_BENCH_BACKEND_CCID: {
		g_autofree gchar *socket = NULL;

		/* no slot rules: the reader's slots take the bank's slots in order */
		if (!remsim_bench_system_start_sim(self, &socket, error))
			return NULL;
		g_string_append_printf(text, "[ccid]\nsimulator=%s\n", socket);
		break;
	}
	}
	return remsim_bench_system_write(self, "bankd.conf", text->str);
}

static gboolean
remsim_bench_system_start_bankd(RemsimBenchSystem *self, GError **error)
{
	g_autofree gchar *log = g_build_filename(self->dir, "bankd.log", NULL);

	self->bankd_port = self->impl->upstream ? REMSIM_BENCH_SYSTEM_UPSTREAM_BANKD
						: remsim_bench_spawn_free_ports(1);
	if (self->impl->upstream) {
		g_autofree gchar *rspro = g_strdup_printf("%u", self->rspro_port);
		g_autofree gchar *slots = g_strdup_printf("%u", self->setup->slots);
		g_autofree gchar *port = g_strdup_printf("%u", self->bankd_port);
		g_autofree gchar *csv = NULL;

		if (self->setup->backend != REMSIM_BENCH_BACKEND_PCSC) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "upstream's bankd has the PC/SC backend only: use "
					    "--backend pcsc, or leave out --other-bankd");
			return FALSE;
		}
		csv = remsim_bench_system_slot_file(self, "bankd_pcsc_slots.csv");
		self->bankd = remsim_bench_spawn(
		    (const gchar *const[]){ self->impl->bankd, "-i", "127.0.0.1", "-p", rspro, "-b",
					    "1", "-n", slots, "-I", "127.0.0.1", "-P", port, NULL },
		    self->dir, log, FALSE, error);
	} else {
		g_autofree gchar *conf = remsim_bench_system_bankd_config(self, error);
		g_autofree gchar *conf_arg = NULL;

		if (conf == NULL)
			return FALSE;
		conf_arg = g_strdup_printf("--config=%s", conf);
		self->bankd = remsim_bench_spawn(
		    (const gchar *const[]){ self->impl->bankd, conf_arg, "--no-dbus", NULL },
		    self->dir, log, FALSE, error);
	}
	if (self->bankd == NULL)
		return FALSE;
	if (!remsim_bench_spawn_wait_port(self->bankd_port, self->bankd,
					  REMSIM_BENCH_SYSTEM_START_MS, error)) {
		g_prefix_error(error, "%s (see %s): ", self->impl->bankd, log);
		return FALSE;
	}
	return TRUE;
}

/* the bank is on the server, with its slots and, for ccid, its readers */
static gboolean
remsim_bench_system_wait_bank(RemsimBenchSystem *self, RemsimBenchRest *rest, guint bank,
			      GError **error)
{
	g_autofree gchar *log = g_build_filename(self->dir, "bankd.log", NULL);
	gint64 deadline = g_get_monotonic_time() + REMSIM_BENCH_SYSTEM_START_MS * 1000;
	gboolean ccid = self->bankd != NULL && !self->impl->upstream &&
			self->setup->backend == REMSIM_BENCH_BACKEND_CCID;

	for (;;) {
		gboolean ready = remsim_bench_rest_has_bank(rest, bank);

		/* a map before the simulator's readers are known would be refused */
		if (ready && ccid) {
			g_autofree gchar *text = NULL;
			guint n = 0;

			g_file_get_contents(log, &text, NULL, NULL);
			for (const gchar *p = text != NULL ? strstr(text, "uses reader slot")
							   : NULL;
			     p != NULL; p = strstr(p + 1, "uses reader slot"))
				n++;
			ready = n >= self->setup->slots;
		}
		if (ready)
			return TRUE;
		if (g_get_monotonic_time() > deadline) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				    "bank %u is not ready on the server (see %s)", bank, self->dir);
			return FALSE;
		}
		if (self->bankd != NULL &&
		    !remsim_bench_spawn_check(self->bankd, self->impl->bankd, log, error))
			return FALSE;
		g_usleep(20000);
	}
}

/* --- the clients --- */

static RemsimBenchClient *
remsim_bench_system_start_client(RemsimBenchSystem *self, guint i, GError **error)
{
	const RemsimBenchSetup *setup = self->setup;
	guint id = setup->first_client_id + i;
	g_autofree gchar *name = g_strdup_printf("client-%u", i);
	g_autofree gchar *port = g_strdup_printf("%u", self->rspro_port);
	g_autofree gchar *id_text = g_strdup_printf("%u", id);
	g_autofree gchar *conf = NULL;
	g_autofree gchar *conf_arg = NULL;
	RemsimBenchClient *client = g_new0(RemsimBenchClient, 1);

	client->pending = g_string_new(NULL);
	client->log = g_strdup_printf("%s/%s.log", self->dir, name);
	if (self->impl->upstream) {
		client->proc = remsim_bench_spawn(
		    (const gchar *const[]){ self->impl->client, "-i", "127.0.0.1", "-p", port, "-c",
					    id_text, "-n", "0", NULL },
		    self->dir, client->log, TRUE, error);
	} else {
		g_autoptr(GString) text = g_string_new(NULL);
		g_autofree gchar *file = g_strdup_printf("%s.conf", name);

		g_string_append_printf(text,
				       "[client]\nserver-host=127.0.0.1\nserver-port=%u\n"
				       "client-id=%u\nclient-slot=0\n",
				       self->rspro_port, id);
		if (setup->frontend == REMSIM_BENCH_FRONTEND_VPCD)
			g_string_append_printf(text, "frontend=vpcd\nvpcd-port=%u\n",
					       remsim_bench_pcscd_modem_port(setup->pcscd, i));
		else
			g_string_append(text, "frontend=shell\n");
		conf = remsim_bench_system_write(self, file, text->str);
		conf_arg = g_strdup_printf("--config=%s", conf);
		client->proc = remsim_bench_spawn(
		    (const gchar *const[]){ self->impl->client, conf_arg, "--no-dbus", NULL },
		    self->dir, client->log, TRUE, error);
	}
	if (client->proc == NULL) {
		remsim_bench_system_client_free(client);
		return NULL;
	}
	client->in_fd = g_unix_output_stream_get_fd(
	    G_UNIX_OUTPUT_STREAM(g_subprocess_get_stdin_pipe(client->proc)));
	client->out_fd = g_unix_input_stream_get_fd(
	    G_UNIX_INPUT_STREAM(g_subprocess_get_stdout_pipe(client->proc)));
	g_unix_set_fd_nonblocking(client->out_fd, TRUE, NULL);
	return client;
}

gchar *
remsim_bench_system_client_line(RemsimBenchClient *client, GError **error)
{
	for (;;) {
		const gchar *nl = memchr(client->pending->str, '\n', client->pending->len);
		gchar buf[4096];
		ssize_t n;

		if (nl != NULL) {
			gsize len = (gsize)(nl - client->pending->str);
			gchar *line = g_strndup(client->pending->str, len);

			g_string_erase(client->pending, 0, (gssize)len + 1);
			return line;
		}
		n = read(client->out_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return NULL;
		if (n <= 0) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED,
				    "a client closed its output (see %s)", client->log);
			return NULL;
		}
		g_string_append_len(client->pending, buf, n);
	}
}

/* every shell client printed the card's ATR: its slot is mapped, the card powered */
static gboolean
remsim_bench_system_wait_atr(RemsimBenchSystem *self, GError **error)
{
	g_autofree gchar *want = remsim_bench_apdus_atr_line(self->setup->apdus);
	gint64 deadline = g_get_monotonic_time() + REMSIM_BENCH_SYSTEM_START_MS * 1000;

	for (guint i = 0; i < self->clients->len; i++) {
		RemsimBenchClient *client = self->clients->pdata[i];
		gboolean seen = FALSE;

		while (!seen) {
			struct pollfd pfd = { .fd = client->out_fd, .events = POLLIN };
			gint64 left = (deadline - g_get_monotonic_time()) / 1000;
			g_autofree gchar *line = NULL;

			if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "client %u did not get the card's ATR (see %s)", i,
					    self->dir);
				return FALSE;
			}
			while (!seen && (line = remsim_bench_system_client_line(client, error))) {
				/* an unknown card: the first ATR that is not the client's own */
				seen = want != NULL
					   ? g_strcmp0(g_strchomp(line), g_strchomp(want)) == 0
					   : g_str_has_prefix(line, "SET_ATR: ") &&
						 !g_str_has_prefix(line, "SET_ATR: 3b 00");
				g_clear_pointer(&line, g_free);
			}
			if (error != NULL && *error != NULL)
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean
remsim_bench_system_wait_modems(RemsimBenchSystem *self, GError **error)
{
	for (guint i = 0; i < self->setup->slots; i++) {
		g_autofree gchar *reader = remsim_bench_pcscd_modem_reader(i);

		if (!remsim_bench_pcscd_wait_card(reader, TRUE, REMSIM_BENCH_SYSTEM_START_MS)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				    "client %u shows no card in “%s” (see %s)", i, reader,
				    self->dir);
			return FALSE;
		}
	}
	return TRUE;
}

/* --- the system --- */

RemsimBenchSystem *
remsim_bench_system_new(const RemsimBenchSetup *setup, const RemsimBenchImpl *impl,
			const gchar *name)
{
	RemsimBenchSystem *self = g_new0(RemsimBenchSystem, 1);

	self->setup = setup;
	self->impl = impl;
	self->dir = g_build_filename(setup->top_dir, name, NULL);
	self->clients =
	    g_ptr_array_new_with_free_func((GDestroyNotify)remsim_bench_system_client_free);
	g_mkdir_with_parents(self->dir, 0755);
	return self;
}

RemsimBenchSystem *
remsim_bench_system_start(const RemsimBenchSetup *setup, const RemsimBenchImpl *impl,
			  const gchar *name, GError **error)
{
	RemsimBenchSystem *self = remsim_bench_system_new(setup, impl, name);
	g_autoptr(RemsimBenchRest) rest = NULL;
	guint bank = REMSIM_BENCH_SYSTEM_BANK_ID, first_slot = 0;
	if (setup->attach_rspro_port != 0) {
		self->rspro_port = setup->attach_rspro_port;
		self->rest_port = setup->attach_rest_port;
		bank = setup->attach_bank_id;
		first_slot = setup->attach_first_slot;
	} else if (!remsim_bench_system_start_server(self, error) ||
		   !remsim_bench_system_start_bankd(self, error)) {
		remsim_bench_system_stop(self);
		return NULL;
	}
	rest = remsim_bench_rest_new(self->rest_port);
	if (!remsim_bench_system_wait_bank(self, rest, bank, error)) {
		remsim_bench_system_stop(self);
		return NULL;
	}
	for (guint i = 0; i < setup->slots; i++) {
		RemsimBenchClient *client;

		if (!remsim_bench_rest_map(rest, bank, first_slot + i, setup->first_client_id + i,
					   0, error) ||
		    (client = remsim_bench_system_start_client(self, i, error)) == NULL) {
			remsim_bench_system_stop(self);
			return NULL;
		}
		g_ptr_array_add(self->clients, client);
	}
	if (!(setup->frontend == REMSIM_BENCH_FRONTEND_VPCD
		  ? remsim_bench_system_wait_modems(self, error)
		  : remsim_bench_system_wait_atr(self, error))) {
		remsim_bench_system_stop(self);
		return NULL;
	}
	return self;
}

/* upstream's daemons have no SIGTERM handler: dying of it is their clean exit */
static gboolean
remsim_bench_system_stop_daemon(RemsimBenchSystem *self, GSubprocess *proc)
{
	gboolean clean = remsim_bench_spawn_stop(proc, SIGTERM, REMSIM_BENCH_SYSTEM_STOP_MS);

	if (!clean && proc != NULL && self->impl->upstream && g_subprocess_get_if_signaled(proc))
		clean = g_subprocess_get_term_sig(proc) == SIGTERM;
	return clean;
}

gboolean
remsim_bench_system_stop(RemsimBenchSystem *self)
{
	gboolean clean = TRUE;

	if (self == NULL)
		return TRUE;
	for (guint i = 0; i < self->clients->len; i++) {
		RemsimBenchClient *client = self->clients->pdata[i];

		remsim_bench_spawn_stop(client->proc, SIGTERM, REMSIM_BENCH_SYSTEM_STOP_MS);
		g_clear_object(&client->proc);
	}
	/* the next system's client must find the modem reader empty, not this one's card */
	for (guint i = 0;
	     self->setup->frontend == REMSIM_BENCH_FRONTEND_VPCD && i < self->clients->len; i++) {
		g_autofree gchar *reader = remsim_bench_pcscd_modem_reader(i);

		remsim_bench_pcscd_wait_card(reader, FALSE, REMSIM_BENCH_SYSTEM_STOP_MS);
	}
	g_ptr_array_unref(self->clients);
	if (self->setup->attach_rspro_port != 0 && self->rest_port != 0) {
		/* an attached system keeps running: take back the maps the bench made */
		g_autoptr(RemsimBenchRest) rest = remsim_bench_rest_new(self->rest_port);

		for (guint i = 0; i < self->setup->slots; i++) {
			g_autofree gchar *path =
			    g_strdup_printf("/slotmaps/%u", self->setup->attach_bank_id * 65536 +
								self->setup->attach_first_slot + i);

			remsim_bench_rest_request(rest, "DELETE", path, NULL, NULL, NULL);
		}
	}
	/* the bank first: a server going first would make it log a lost link */
	clean &= remsim_bench_system_stop_daemon(self, self->bankd);
	clean &= remsim_bench_system_stop_daemon(self, self->server);
	clean &= remsim_bench_spawn_stop(self->sim, SIGTERM, REMSIM_BENCH_SYSTEM_STOP_MS);
	g_clear_object(&self->bankd);
	g_clear_object(&self->server);
	g_clear_object(&self->sim);
	g_free(self->dir);
	g_free(self);
	return clean;
}

void
remsim_bench_system_pids(RemsimBenchSystem *self, RemsimBenchDaemon daemon, GArray *pids)
{
	GPid pid = 0;

	switch (daemon) {
	case REMSIM_BENCH_DAEMON_SERVER:
		pid = self->server != NULL ? remsim_bench_spawn_get_pid(self->server)
					   : self->setup->attach_pids[daemon];
		break;
	case REMSIM_BENCH_DAEMON_BANKD:
		pid = self->bankd != NULL ? remsim_bench_spawn_get_pid(self->bankd)
					  : self->setup->attach_pids[daemon];
		break;
	case REMSIM_BENCH_DAEMON_CLIENT:
		for (guint i = 0; i < self->clients->len; i++) {
			RemsimBenchClient *client = self->clients->pdata[i];

			pid = remsim_bench_spawn_get_pid(client->proc);
			g_array_append_val(pids, pid);
		}
		return;
	case REMSIM_BENCH_DAEMON_PCSCD:
		pid = self->setup->pcscd != NULL ? remsim_bench_pcscd_get_pid(self->setup->pcscd)
						 : self->setup->attach_pids[daemon];
		break;
	default:
		break;
	}
	if (pid > 0)
		g_array_append_val(pids, pid);
}
