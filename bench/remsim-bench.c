/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bench: what a modem sees of a remsim system, and what the system
 * spends for it. It starts a complete system on loopback (or attaches to a
 * running one), drives APDUs through the real remsim-client one at a time
 * per slot, and reports APDUs per second, latency and, per daemon, CPU time,
 * context switches and system calls per APDU, beside the floors measured in
 * the same run: the card asked directly and a bare loopback TCP round trip.
 * Given another implementation's binaries it runs the same load through them
 * in alternating rounds and prints the ratios.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "remsim-bench-floor.h"
#include "remsim-bench-load.h"
#include "remsim-bench-proc.h"
#include "remsim-bench-report.h"
#include "remsim-bench-rest-maps.h"
#include "remsim-bench-spawn.h"
#include "remsim-i18n.h"

#define REMSIM_BENCH_PCSCD "/usr/sbin/pcscd"
#define REMSIM_BENCH_VPCD_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
/* the floors are steady: a few seconds of each are enough */
#define REMSIM_BENCH_FLOOR_MAX_S 3.0

typedef struct {
	gchar *backend;
	gchar *frontend;
	gint slots;
	gdouble duration;
	gdouble warmup;
	gint rounds;
	gboolean json;
	gchar *syscalls;
	gboolean keep;
	gchar *profile;
	gchar *plugin_dir;
	gchar *ccid_sim;
	gchar *pcscd;
	gchar *vpcd_driver;
	gint first_client_id;
	gchar *server, *bankd, *client;
	gchar *other_server, *other_bankd, *other_client;
	gchar *other_name;
	gchar *other_plugin_dir;
	gchar *other_style;
	gint attach_rspro_port, attach_rest_port, attach_bank, attach_first_slot;
	gint attach_server_pid, attach_bankd_pid;
	gint rest_maps;
	gint concurrency;
	gint banks;
	gint vpcd_card; /* hidden: serve as a vpcd card on this port */
	RemsimBenchProcCount count;
} RemsimBenchOptions;

/* the counters a window reads at each end */
typedef struct {
	RemsimBenchSystem *system;
	RemsimBenchProcCount count;
	GArray *pids[REMSIM_BENCH_N_DAEMONS];
	RemsimBenchProcSample before[REMSIM_BENCH_N_DAEMONS];
	RemsimBenchProcSample after[REMSIM_BENCH_N_DAEMONS];
	RemsimBenchProcTracer *tracers[REMSIM_BENCH_N_DAEMONS];
	gdouble traced[REMSIM_BENCH_N_DAEMONS];
	RemsimBenchLoadWindow *window;
} RemsimBenchCounters;

static void
remsim_bench_sample(RemsimBenchCounters *c, RemsimBenchProcSample *out)
{
	for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
		memset(&out[d], 0, sizeof(out[d]));
		for (guint i = 0; i < c->pids[d]->len; i++)
			remsim_bench_proc_add(g_array_index(c->pids[d], GPid, i), &out[d]);
	}
}

static void
remsim_bench_window_opened_cb(gpointer data)
{
	RemsimBenchCounters *c = data;

	remsim_bench_sample(c, c->before);
}

static void
remsim_bench_window_closed_cb(gpointer data)
{
	RemsimBenchCounters *c = data;

	remsim_bench_sample(c, c->after);
	for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
		gdouble total = remsim_bench_proc_tracer_stop(g_steal_pointer(&c->tracers[d]));

		c->traced[d] =
		    total >= 0 && c->window->answered > 0 ? total / c->window->answered : -1;
	}
}

/* one implementation's system, started, loaded, measured and stopped */
static gboolean
remsim_bench_run_stack(const RemsimBenchOptions *opt, const RemsimBenchSetup *setup,
		       const RemsimBenchImpl *impl, guint round, RemsimBenchRun *run,
		       GError **error)
{
	g_autofree gchar *name = g_strdup_printf("%s-%u", impl->name, round);
	g_autofree gchar *label =
	    g_strdup_printf("round %u/%d, %s", round, opt->rounds, impl->name);
	RemsimBenchCounters counters = { .count = opt->count };
	RemsimBenchLoadWindow window = { .warmup = opt->warmup,
					 .duration = opt->duration,
					 .opened = remsim_bench_window_opened_cb,
					 .closed = remsim_bench_window_closed_cb,
					 .data = &counters,
					 .label = label };
	RemsimBenchStats stats;
	RemsimBenchSystem *system;
	gboolean ok = TRUE;

	remsim_bench_load_progress(label, "starting", 0, 0, FALSE);
	system = remsim_bench_system_start(setup, impl, name, error);
	if (system == NULL)
		return FALSE;
	counters.system = system;
	counters.window = &window;
	for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
		counters.pids[d] = g_array_new(FALSE, FALSE, sizeof(GPid));
		remsim_bench_system_pids(system, d, counters.pids[d]);
		counters.traced[d] = -1;
		if (!ok)
			continue;
		counters.tracers[d] =
		    remsim_bench_proc_tracer_start(opt->count, (const GPid *)counters.pids[d]->data,
						   counters.pids[d]->len, setup->top_dir, error);
		ok = counters.tracers[d] != NULL || counters.pids[d]->len == 0 ||
		     opt->count == REMSIM_BENCH_PROC_COUNT_IO;
	}
	remsim_bench_stats_init(&stats);
	ok = ok && remsim_bench_load_run(system, &window, &stats, error);
	for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++)
		remsim_bench_proc_tracer_stop(g_steal_pointer(&counters.tracers[d]));
	if (ok) {
		guint64 n = MAX(remsim_bench_stats_count(&stats), 1);
		RemsimBenchProcSample diff;

		remsim_bench_report_figures_from_stats(&run->latency, &stats);
		for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++) {
			run->has[d] = counters.pids[d]->len > 0;
			remsim_bench_proc_diff(&counters.before[d], &counters.after[d], &diff);
			run->per_apdu[d].cpu_us = diff.cpu_us / n;
			run->per_apdu[d].run_us = diff.run_us / n;
			run->per_apdu[d].ctx_voluntary = diff.ctx_voluntary / n;
			run->per_apdu[d].ctx_involuntary = diff.ctx_involuntary / n;
			run->per_apdu[d].syscalls = diff.syscalls / n;
			run->strace_per_apdu[d] = counters.traced[d];
		}
	}
	remsim_bench_stats_clear(&stats);
	for (guint d = 0; d < REMSIM_BENCH_N_DAEMONS; d++)
		g_array_unref(counters.pids[d]);
	if (!remsim_bench_system_stop(system) && ok)
		g_printerr("remsim-bench: %s: a daemon did not exit cleanly (see %s)\n", impl->name,
			   setup->top_dir);
	return ok;
}

/* the floors of one round */
static gboolean
remsim_bench_run_floors(const RemsimBenchOptions *opt, const RemsimBenchSetup *setup,
			RemsimBenchResults *results, GError **error)
{
	gdouble seconds = MIN(opt->duration, REMSIM_BENCH_FLOOR_MAX_S);
	RemsimBenchStats card, tcp;
	RemsimBenchFigures f;
	RemsimBenchProcSample end = { 0 };
	gboolean ok;

	remsim_bench_stats_init(&card);
	remsim_bench_stats_init(&tcp);
	remsim_bench_load_progress("floors", "measuring", 0, 0, FALSE);
	if (setup->backend == REMSIM_BENCH_BACKEND_PCSC) {
		g_autofree gchar *reader = remsim_bench_pcscd_card_reader(setup->slots);

		ok = remsim_bench_floor_run_pcsc(setup->apdus, reader, seconds, &card, error);
	} else {
		ok = remsim_bench_apdus_run_card(setup->apdus, seconds, &card, error);
	}
	ok = ok && remsim_bench_floor_run_tcp(setup->apdus, seconds, &tcp, &end, error);
	if (ok) {
		remsim_bench_report_figures_from_stats(&f, &card);
		g_array_append_val(results->card, f);
		remsim_bench_report_figures_from_stats(&f, &tcp);
		g_array_append_val(results->tcp, f);
		g_array_append_val(results->tcp_end, end);
	}
	remsim_bench_load_progress("floors", "done", remsim_bench_stats_count(&card),
				   card.seconds + tcp.seconds, TRUE);
	remsim_bench_stats_clear(&card);
	remsim_bench_stats_clear(&tcp);
	return ok;
}

/* --- options --- */

/*
 * The option, else the environment variable, else the program beside this one
 * (an install), else on PATH (meson devenv); @name may be a path already.
 */
static gchar *
remsim_bench_find(const gchar *option, const gchar *env, const gchar *name)
{
	g_autofree gchar *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree gchar *dir = self != NULL ? g_path_get_dirname(self) : NULL;
	g_autofree gchar *beside =
	    dir != NULL && strchr(name, '/') == NULL ? g_build_filename(dir, name, NULL) : NULL;
	const gchar *value = env != NULL ? g_getenv(env) : NULL;

	/* absolute: each daemon starts in a folder of its own */
	if (option != NULL)
		return strchr(option, '/') != NULL ? g_canonicalize_filename(option, NULL)
						   : g_find_program_in_path(option);
	if (value != NULL && *value != '\0')
		return g_canonicalize_filename(value, NULL);
	if (beside != NULL && g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
		return g_steal_pointer(&beside);
	if (strchr(name, '/') != NULL)
		return g_strdup(name);
	return g_find_program_in_path(name);
}

static gboolean
remsim_bench_parse(RemsimBenchOptions *opt, int *argc, char ***argv, GError **error)
{
	const GOptionEntry entries[] = {
		{ "backend", 0, 0, G_OPTION_ARG_STRING, &opt->backend,
		  N_("the bank's reader backend: simcard, pcsc or ccid (default simcard)"),
		  N_("NAME") },
		{ "frontend", 0, 0, G_OPTION_ARG_STRING, &opt->frontend,
		  N_("the client's front end: shell or vpcd (default shell)"), N_("NAME") },
		{ "slots", 0, 0, G_OPTION_ARG_INT, &opt->slots,
		  N_("slots, each with a client process of its own (default 1)"), N_("N") },
		{ "duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt->duration,
		  N_("seconds measured per system and round (default 5)"), N_("SECONDS") },
		{ "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &opt->warmup,
		  N_("seconds of load before each measurement (default 1)"), N_("SECONDS") },
		{ "rounds", 0, 0, G_OPTION_ARG_INT, &opt->rounds,
		  N_("rounds, alternating the systems (default 1, or 5 with --other-*)"), N_("N") },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &opt->json, N_("print JSON instead of a table"),
		  NULL },
		{ "syscalls", 0, 0, G_OPTION_ARG_STRING, &opt->syscalls,
		  N_("how system calls are counted: io (read and write calls, from /proc), perf "
		     "(every call; root) or strace (every call; slows the daemons down) "
		     "(default io)"),
		  N_("HOW") },
		{ "keep", 0, 0, G_OPTION_ARG_NONE, &opt->keep,
		  N_("keep the run's folder (configs and logs)"), NULL },
		{ "profile", 0, 0, G_OPTION_ARG_FILENAME, &opt->profile,
		  N_("the simulated card's profile (default sample-001.json)"), N_("FILE") },
		{ "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt->plugin_dir,
		  N_("remsim-bankd's plugin folder (default REMSIM_PLUGIN_DIR, else its own)"),
		  N_("DIR") },
		{ "ccid-sim", 0, 0, G_OPTION_ARG_FILENAME, &opt->ccid_sim,
		  N_("the CCID device simulator (default REMSIM_CCID_SIM)"), N_("PROGRAM") },
		{ "pcscd", 0, 0, G_OPTION_ARG_FILENAME, &opt->pcscd,
		  N_("pcscd for the private PC/SC stack (default /usr/sbin/pcscd)"),
		  N_("PROGRAM") },
		{ "vpcd-driver", 0, 0, G_OPTION_ARG_FILENAME, &opt->vpcd_driver,
		  N_("vsmartcard's vpcd driver (default "
		     "/usr/lib/pcsc/drivers/serial/libifdvpcd.so)"),
		  N_("FILE") },
		{ "first-client-id", 0, 0, G_OPTION_ARG_INT, &opt->first_client_id,
		  N_("the client id of the first slot (default 0)"), N_("ID") },
		{ "server", 0, 0, G_OPTION_ARG_FILENAME, &opt->server,
		  N_("remsim-server to run (default: beside remsim-bench, else on PATH)"),
		  N_("PROGRAM") },
		{ "bankd", 0, 0, G_OPTION_ARG_FILENAME, &opt->bankd, N_("remsim-bankd to run"),
		  N_("PROGRAM") },
		{ "client", 0, 0, G_OPTION_ARG_FILENAME, &opt->client, N_("remsim-client to run"),
		  N_("PROGRAM") },
		{ "other-server", 0, 0, G_OPTION_ARG_FILENAME, &opt->other_server,
		  N_("another implementation's server, compared in alternating rounds"),
		  N_("PROGRAM") },
		{ "other-bankd", 0, 0, G_OPTION_ARG_FILENAME, &opt->other_bankd,
		  N_("another implementation's bankd"), N_("PROGRAM") },
		{ "other-client", 0, 0, G_OPTION_ARG_FILENAME, &opt->other_client,
		  N_("another implementation's shell client"), N_("PROGRAM") },
		{ "other-name", 0, 0, G_OPTION_ARG_STRING, &opt->other_name,
		  N_("its name in the report (default other)"), N_("NAME") },
		{ "other-plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt->other_plugin_dir,
		  N_("its bankd's plugin folder (--other-style=remsim)"), N_("DIR") },
		{ "other-style", 0, 0, G_OPTION_ARG_STRING, &opt->other_style,
		  N_("its command lines: upstream (osmo-remsim's options) or remsim (config "
		     "files; another remsim build) (default upstream)"),
		  N_("STYLE") },
		{ "attach-rspro-port", 0, 0, G_OPTION_ARG_INT, &opt->attach_rspro_port,
		  N_("attach to the server running on 127.0.0.1 with this RSPRO port"),
		  N_("PORT") },
		{ "attach-rest-port", 0, 0, G_OPTION_ARG_INT, &opt->attach_rest_port,
		  N_("its REST port (default 9997)"), N_("PORT") },
		{ "attach-bank", 0, 0, G_OPTION_ARG_INT, &opt->attach_bank,
		  N_("the bank whose slots the clients use (default 1)"), N_("ID") },
		{ "attach-first-slot", 0, 0, G_OPTION_ARG_INT, &opt->attach_first_slot,
		  N_("its first slot to use (default 0)"), N_("N") },
		{ "attach-server-pid", 0, 0, G_OPTION_ARG_INT, &opt->attach_server_pid,
		  N_("the running server's process, for its figures"), N_("PID") },
		{ "attach-bankd-pid", 0, 0, G_OPTION_ARG_INT, &opt->attach_bankd_pid,
		  N_("the running bankd's process, for its figures"), N_("PID") },
		{ "rest-maps", 0, 0, G_OPTION_ARG_INT, &opt->rest_maps,
		  N_("instead: create this many slot maps through REST and time them"), N_("N") },
		{ "concurrency", 0, 0, G_OPTION_ARG_INT, &opt->concurrency,
		  N_("REST connections at once for --rest-maps (default 16)"), N_("N") },
		{ "banks", 0, 0, G_OPTION_ARG_INT, &opt->banks,
		  N_("banks (1,000 slots each) that acknowledge the maps of --rest-maps "
		     "(default: as many as the maps need)"),
		  N_("N") },
		{ "vpcd-card", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt->vpcd_card, NULL,
		  NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);

	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_set_summary(
	    context, _("Drives APDUs through a complete remsim system on loopback, one at a time "
		       "per slot as a modem does, and reports APDUs per second, latency and what "
		       "each daemon spends per APDU, beside a bare TCP round trip and the card "
		       "asked directly."));
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	return g_option_context_parse(context, argc, argv, error);
}

static gboolean
remsim_bench_check(RemsimBenchOptions *opt, RemsimBenchSetup *setup, GError **error)
{
	if (g_strcmp0(opt->backend, "simcard") == 0)
		setup->backend = REMSIM_BENCH_BACKEND_SIMCARD;
	else if (g_strcmp0(opt->backend, "pcsc") == 0)
		setup->backend = REMSIM_BENCH_BACKEND_PCSC;
	else if (g_strcmp0(opt->backend, "ccid") == 0)
		setup->backend = REMSIM_BENCH_BACKEND_CCID;
	else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--backend: “%s” is not simcard, pcsc or ccid"), opt->backend);
		return FALSE;
	}
	if (g_strcmp0(opt->frontend, "shell") == 0)
		setup->frontend = REMSIM_BENCH_FRONTEND_SHELL;
	else if (g_strcmp0(opt->frontend, "vpcd") == 0)
		setup->frontend = REMSIM_BENCH_FRONTEND_VPCD;
	else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--frontend: “%s” is not shell or vpcd"), opt->frontend);
		return FALSE;
	}
	if (opt->slots < 1 || opt->slots > 1023 || opt->first_client_id < 0 ||
	    opt->first_client_id + opt->slots > 1024) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--slots: 1..1023 slots, with client ids up to 1023"));
		return FALSE;
	}
	if (setup->backend == REMSIM_BENCH_BACKEND_CCID && opt->slots > 8) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--slots: the CCID simulator has at most 8 slots"));
		return FALSE;
	}
	if (opt->duration <= 0 || opt->warmup < 0 || opt->rounds < 0) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--duration must be positive, --rounds and --warmup not negative"));
		return FALSE;
	}
	if (g_strcmp0(opt->syscalls, "io") == 0)
		opt->count = REMSIM_BENCH_PROC_COUNT_IO;
	else if (g_strcmp0(opt->syscalls, "perf") == 0)
		opt->count = REMSIM_BENCH_PROC_COUNT_PERF;
	else if (g_strcmp0(opt->syscalls, "strace") == 0)
		opt->count = REMSIM_BENCH_PROC_COUNT_STRACE;
	else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--syscalls: “%s” is not io, perf or strace"), opt->syscalls);
		return FALSE;
	}
	if (g_strcmp0(opt->other_style, "upstream") != 0 &&
	    g_strcmp0(opt->other_style, "remsim") != 0) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("--other-style: “%s” is not upstream or remsim"), opt->other_style);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_bench_impls(RemsimBenchOptions *opt, RemsimBenchImpl *impls, guint *n_impls, GError **error)
{
	gboolean other =
	    opt->other_server != NULL || opt->other_bankd != NULL || opt->other_client != NULL;

	impls[0].name = "remsim";
	impls[0].server = remsim_bench_find(opt->server, "REMSIM_SERVER", "remsim-server");
	impls[0].bankd = remsim_bench_find(opt->bankd, "REMSIM_BANKD", "remsim-bankd");
	impls[0].client = remsim_bench_find(opt->client, "REMSIM_CLIENT", "remsim-client");
	impls[0].plugin_dir = opt->plugin_dir;
	if (impls[0].server == NULL || impls[0].bankd == NULL || impls[0].client == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    _("cannot find remsim-server, remsim-bankd and remsim-client: give "
			      "--server, --bankd and --client"));
		return FALSE;
	}
	*n_impls = 1;
	if (!other)
		return TRUE;
	/* what the other implementation lacks, ours stands in for */
	impls[1].name = opt->other_name;
	impls[1].server = remsim_bench_find(opt->other_server, NULL, impls[0].server);
	impls[1].bankd = remsim_bench_find(opt->other_bankd, NULL, impls[0].bankd);
	impls[1].client = remsim_bench_find(opt->other_client, NULL, impls[0].client);
	impls[1].upstream = g_strcmp0(opt->other_style, "upstream") == 0;
	impls[1].plugin_dir = opt->other_plugin_dir;
	*n_impls = 2;
	if (impls[1].upstream &&
	    (opt->other_server == NULL || opt->other_bankd == NULL || opt->other_client == NULL)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("with --other-style=upstream, give all three of --other-server, "
			      "--other-bankd and --other-client"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_bench_run(RemsimBenchOptions *opt, RemsimBenchSetup *setup, RemsimBenchImpl *impls,
		 guint n_impls, RemsimBenchResults *results, GError **error)
{
	g_autofree gchar *self_exe = g_file_read_link("/proc/self/exe", NULL);

	if (setup->backend == REMSIM_BENCH_BACKEND_PCSC ||
	    setup->frontend == REMSIM_BENCH_FRONTEND_VPCD) {
		gboolean cards = setup->backend == REMSIM_BENCH_BACKEND_PCSC;
		g_autofree gchar *dir = g_build_filename(setup->top_dir, "pcscd", NULL);

		setup->pcscd = remsim_bench_pcscd_start(
		    dir, opt->pcscd, opt->vpcd_driver, self_exe, setup->apdus->profile,
		    /* one more card for the floor, beside the bank's */
		    cards ? setup->slots + 1 : 0,
		    setup->frontend == REMSIM_BENCH_FRONTEND_VPCD ? setup->slots : 0, error);
		if (setup->pcscd == NULL)
			return FALSE;
	}
	for (guint r = 0; r < (guint)opt->rounds; r++) {
		if (!remsim_bench_run_floors(opt, setup, results, error))
			return FALSE;
		/* alternating order, so that a drift in load hits each system alike */
		for (guint k = 0; k < n_impls; k++) {
			guint s = r % 2 == 0 ? k : n_impls - 1 - k;
			RemsimBenchRun run = { 0 };

			if (!remsim_bench_run_stack(opt, setup, &impls[s], r + 1, &run, error))
				return FALSE;
			g_array_append_val(results->stacks[s].runs, run);
		}
	}
	return TRUE;
}

static void
remsim_bench_options_clear(RemsimBenchOptions *opt)
{
	gchar **strings[] = {
		&opt->backend,	   &opt->frontend,     &opt->syscalls,	 &opt->profile,
		&opt->plugin_dir,  &opt->ccid_sim,     &opt->pcscd,	 &opt->vpcd_driver,
		&opt->server,	   &opt->bankd,	       &opt->client,	 &opt->other_server,
		&opt->other_bankd, &opt->other_client, &opt->other_name, &opt->other_plugin_dir,
		&opt->other_style,
	};

	for (guint i = 0; i < G_N_ELEMENTS(strings); i++)
		g_clear_pointer(strings[i], g_free);
}

static void
remsim_bench_impls_clear(RemsimBenchImpl *impls, guint n)
{
	for (guint i = 0; i < n; i++) {
		g_clear_pointer(&impls[i].server, g_free);
		g_clear_pointer(&impls[i].bankd, g_free);
		g_clear_pointer(&impls[i].client, g_free);
	}
}

/* a measuring run: the exit status */
static int
remsim_bench_measure(RemsimBenchOptions *opt, RemsimBenchImpl *impls, guint n_impls,
		     gboolean profile_given)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBenchApdus) apdus = NULL;
	g_autofree gchar *top_dir = NULL;
	RemsimBenchSetup setup = { 0 };
	RemsimBenchResults results;
	gboolean ok;
	int status;

	if (!remsim_bench_check(opt, &setup, &error)) {
		g_printerr("remsim-bench: %s\n", error->message);
		return 2;
	}
	if (opt->rounds == 0)
		opt->rounds = n_impls > 1 ? 5 : 1;
	/* an attached system's card is unknown: its answers are learned */
	apdus = remsim_bench_apdus_new(
	    opt->attach_rspro_port != 0 && !profile_given ? NULL : opt->profile, &error);
	if (apdus == NULL) {
		g_printerr("remsim-bench: %s\n", error->message);
		return 1;
	}
	setup.slots = (guint)opt->slots;
	setup.first_client_id = (guint)opt->first_client_id;
	setup.ccid_sim = opt->ccid_sim;
	setup.apdus = apdus;
	setup.attach_rspro_port = (guint16)opt->attach_rspro_port;
	setup.attach_rest_port = (guint16)opt->attach_rest_port;
	setup.attach_bank_id = (guint)opt->attach_bank;
	setup.attach_first_slot = (guint)opt->attach_first_slot;
	setup.attach_pids[REMSIM_BENCH_DAEMON_SERVER] = opt->attach_server_pid;
	setup.attach_pids[REMSIM_BENCH_DAEMON_BANKD] = opt->attach_bankd_pid;
	top_dir = g_dir_make_tmp("remsim-bench-XXXXXX", &error);
	if (top_dir == NULL) {
		g_printerr("remsim-bench: %s\n", error->message);
		return 1;
	}
	setup.top_dir = top_dir;

	remsim_bench_report_results_init(&results);
	results.backend = opt->backend;
	results.frontend = opt->frontend;
	results.slots = setup.slots;
	results.duration = opt->duration;
	results.warmup = opt->warmup;
	results.rounds = (guint)opt->rounds;
	results.card_floor = setup.backend == REMSIM_BENCH_BACKEND_PCSC ? "card via SCardTransmit"
									: "card in-process";
	results.n_stacks = n_impls;
	for (guint i = 0; i < n_impls; i++)
		results.stacks[i].impl = &impls[i];
	ok = remsim_bench_run(opt, &setup, impls, n_impls, &results, &error);
	status = ok ? 0 : 1;
	remsim_bench_pcscd_stop(setup.pcscd);
	if (ok && opt->json)
		remsim_bench_report_json(&results);
	else if (ok)
		remsim_bench_report_table(&results);
	else
		g_printerr("\nremsim-bench: %s\n", error->message);
	/* 3: this machine lacks what the run needs (root, pcscd, a simulator, a tool) */
	if (!ok && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
		status = 3;
	if (opt->keep || !ok)
		g_printerr("remsim-bench: the run's configs and logs are in %s\n", top_dir);
	else
		remsim_bench_spawn_remove_tree(top_dir);
	remsim_bench_report_results_clear(&results);
	return status;
}

static void
remsim_bench_absolute(gchar **path)
{
	gchar *absolute;

	if (*path == NULL || g_path_is_absolute(*path))
		return;
	absolute = g_canonicalize_filename(*path, NULL);
	g_free(*path);
	*path = absolute;
}

static void
remsim_bench_default(gchar **option, const gchar *value)
{
	if (*option == NULL)
		*option = g_strdup(value);
}

static int
remsim_bench_main_run(RemsimBenchOptions *opt, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	RemsimBenchImpl impls[2] = { 0 };
	guint n_impls = 0;
	gboolean profile_given;
	int status;

	if (!remsim_bench_parse(opt, &argc, &argv, &error)) {
		g_printerr("remsim-bench: %s\n", error->message);
		return 2;
	}
	remsim_bench_default(&opt->backend, "simcard");
	remsim_bench_default(&opt->frontend, "shell");
	remsim_bench_default(&opt->syscalls, "io");
	remsim_bench_default(&opt->pcscd, REMSIM_BENCH_PCSCD);
	remsim_bench_default(&opt->vpcd_driver, REMSIM_BENCH_VPCD_DRIVER);
	remsim_bench_default(&opt->other_name, "other");
	remsim_bench_default(&opt->other_style, "upstream");
	profile_given = opt->profile != NULL;
	if (opt->profile == NULL)
		opt->profile = remsim_bench_apdus_default_profile();
	if (opt->vpcd_card > 0)
		return remsim_bench_pcscd_serve_card(opt->profile, (guint16)opt->vpcd_card);
	if (opt->plugin_dir == NULL && g_getenv("REMSIM_PLUGIN_DIR") != NULL)
		opt->plugin_dir = g_strdup(g_getenv("REMSIM_PLUGIN_DIR"));
	/* each bankd gets its folder in its config: the variable would beat that, and
	 * give another build's bankd these plugins */
	g_unsetenv("REMSIM_PLUGIN_DIR");
	if (opt->ccid_sim == NULL && g_getenv("REMSIM_CCID_SIM") != NULL)
		opt->ccid_sim = g_strdup(g_getenv("REMSIM_CCID_SIM"));
	/* every path absolute: each daemon starts in a folder of its own */
	remsim_bench_absolute(&opt->profile);
	remsim_bench_absolute(&opt->plugin_dir);
	remsim_bench_absolute(&opt->other_plugin_dir);
	remsim_bench_absolute(&opt->ccid_sim);
	if (!remsim_bench_impls(opt, impls, &n_impls, &error)) {
		g_printerr("remsim-bench: %s\n", error->message);
		remsim_bench_impls_clear(impls, G_N_ELEMENTS(impls));
		return 2;
	}
	if (opt->rest_maps > 0)
		status = remsim_bench_rest_maps_run(&impls[0], n_impls > 1 ? &impls[1] : NULL,
						    opt->rest_maps, opt->concurrency, opt->banks,
						    opt->rounds > 0 ? opt->rounds : 1, opt->json)
			     ? 0
			     : 1;
	else
		status = remsim_bench_measure(opt, impls, n_impls, profile_given);
	remsim_bench_impls_clear(impls, G_N_ELEMENTS(impls));
	return status;
}

int
main(int argc, char **argv)
{
	/* the strings' defaults come after parsing: GOption does not free what it replaces */
	RemsimBenchOptions opt = {
		.slots = 1,
		.duration = 5,
		.warmup = 1,
		.rounds = 0,
		.attach_rest_port = 9997,
		.attach_bank = 1,
		.concurrency = 16,
	};
	int status;

	remsim_i18n_init();
	/* a client that goes away mid-write must not take the bench with it */
	signal(SIGPIPE, SIG_IGN);
	status = remsim_bench_main_run(&opt, argc, argv);
	remsim_bench_options_clear(&opt);
	return status;
}
