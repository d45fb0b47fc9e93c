/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One complete system on loopback, as a run measures it: remsim-server, one
 * remsim-bankd with N slots of a backend, a slot map per slot made through
 * REST, and N remsim-client processes (one per slot) whose front end the load
 * drives. Each daemon gets an explicit config and a folder of its own. A
 * system may also be another implementation's binaries started with
 * upstream's command lines (osmo-remsim-server on its fixed ports 9998 and
 * 9997, osmo-remsim-bankd with bankd_pcsc_slots.csv in its working folder,
 * osmo-remsim-client-shell), or an attached system the bench did not start,
 * of which it only starts the clients.
 */
#pragma once

#include <gio/gio.h>

#include "remsim-bench-apdus.h"
#include "remsim-bench-pcscd.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_BENCH_BACKEND_SIMCARD,
	REMSIM_BENCH_BACKEND_PCSC,
	REMSIM_BENCH_BACKEND_CCID,
} RemsimBenchBackend;

typedef enum {
	REMSIM_BENCH_FRONTEND_SHELL,
	REMSIM_BENCH_FRONTEND_VPCD,
} RemsimBenchFrontend;

/* the daemons of a system, in report order */
typedef enum {
	REMSIM_BENCH_DAEMON_SERVER,
	REMSIM_BENCH_DAEMON_BANKD,
	REMSIM_BENCH_DAEMON_CLIENT,
	REMSIM_BENCH_DAEMON_PCSCD,
	REMSIM_BENCH_N_DAEMONS,
} RemsimBenchDaemon;

const gchar *remsim_bench_system_daemon_name(RemsimBenchDaemon daemon);

/* the binaries of one implementation */
typedef struct {
	const gchar *name; /* "remsim", or the other one's */
	gchar *server;
	gchar *bankd;
	gchar *client;
	/* started with upstream's command lines instead of remsim's config files */
	gboolean upstream;
	gchar *plugin_dir; /* remsim-bankd --plugin-dir, or NULL */
} RemsimBenchImpl;

/* what every system of a run shares */
typedef struct {
	RemsimBenchBackend backend;
	RemsimBenchFrontend frontend;
	guint slots;
	guint first_client_id;
	gchar *top_dir;	 /* the run's folder */
	gchar *ccid_sim; /* remsim-ccid-sim */
	RemsimBenchApdus *apdus;
	RemsimBenchPcscd *pcscd; /* cards (pcsc) and modem readers (vpcd), or NULL */
	/* an attached system: its server, bank and slots; 0 when the bench starts its own */
	guint16 attach_rspro_port;
	guint16 attach_rest_port;
	guint attach_bank_id;
	guint attach_first_slot;
	GPid attach_pids[REMSIM_BENCH_N_DAEMONS];
} RemsimBenchSetup;

typedef struct {
	GSubprocess *proc;
	int in_fd;  /* its stdin (the shell front end's commands) */
	int out_fd; /* its stdout, non-blocking */
	gchar *log;
	GString *pending; /* stdout read but not yet a whole line */
} RemsimBenchClient;

typedef struct {
	const RemsimBenchSetup *setup;
	const RemsimBenchImpl *impl;
	gchar *dir;
	GSubprocess *sim; /* remsim-ccid-sim */
	GSubprocess *server;
	GSubprocess *bankd;
	GPtrArray *clients; /* RemsimBenchClient */
	guint16 rspro_port;
	guint16 rest_port;
	guint16 bankd_port;
} RemsimBenchSystem;

/* starts it all and returns once every client slot has the card's ATR */
RemsimBenchSystem *remsim_bench_system_start(const RemsimBenchSetup *setup,
					     const RemsimBenchImpl *impl, const gchar *name,
					     GError **error);
/* the parts, for a run that needs only some: a system that runs nothing yet, its server */
RemsimBenchSystem *remsim_bench_system_new(const RemsimBenchSetup *setup,
					   const RemsimBenchImpl *impl, const gchar *name);
gboolean remsim_bench_system_start_server(RemsimBenchSystem *self, GError **error);
/* stops what it started; FALSE if a daemon did not exit cleanly */
gboolean remsim_bench_system_stop(RemsimBenchSystem *self);

/* the processes of @daemon (several clients), added to @pids */
void remsim_bench_system_pids(RemsimBenchSystem *self, RemsimBenchDaemon daemon, GArray *pids);

/* reads what client @i wrote; the next whole line (without newline) or NULL */
gchar *remsim_bench_system_client_line(RemsimBenchClient *client, GError **error);

G_END_DECLS
