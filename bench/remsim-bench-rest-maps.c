/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>

#include "remsim-bench-proc.h"
#include "remsim-bench-stats.h"
#include "remsim-bench-rest-maps.h"
#include "remsim-bench-rest.h"
#include "remsim-bench-spawn.h"

#define REMSIM_BENCH_REST_MAPS_PER_BANK 1000
#define REMSIM_BENCH_REST_MAPS_WAIT_MS 300000
#define REMSIM_BENCH_REST_MAPS_GETS 5

typedef struct {
	gdouble created_s; /* until the last POST was answered */
	gdouble active_s;  /* until every map was ACTIVE */
	gdouble post_p50_ms, post_p99_ms;
	gdouble get_ms; /* GET /slotmaps with every map, the median of a few */
	/* the server's, from the first POST until every map was ACTIVE, per map */
	gdouble server_cpu_us, server_ctx;
} RemsimBenchRestMapsRound;

typedef struct {
	guint16 port;
	guint n_maps;
	guint concurrency;
	guint index; /* this connection's first map */
	RemsimBenchStats stats;
	GError *error;
} RemsimBenchRestMapsWorker;

static gpointer
remsim_bench_rest_maps_worker_thread(gpointer data)
{
	RemsimBenchRestMapsWorker *w = data;
	g_autoptr(RemsimBenchRest) rest = remsim_bench_rest_new(w->port);

	for (guint i = w->index; i < w->n_maps && w->error == NULL; i += w->concurrency) {
		gint64 t0 = g_get_monotonic_time();

		/* bank slots in order, client slots spread over every client id */
		if (remsim_bench_rest_map(rest, 1 + i / REMSIM_BENCH_REST_MAPS_PER_BANK,
					  i % REMSIM_BENCH_REST_MAPS_PER_BANK, i % 1024, i / 1024,
					  &w->error))
			remsim_bench_stats_add(&w->stats, (g_get_monotonic_time() - t0) / 1e3);
	}
	return NULL;
}

static GSubprocess *
remsim_bench_rest_maps_start_bank(RemsimBenchSystem *system, guint bank, GError **error)
{
	g_autofree gchar *log = g_strdup_printf("%s/bankd-%u.log", system->dir, bank);
	g_autofree gchar *rspro = g_strdup_printf("%u", system->rspro_port);
	g_autofree gchar *id = g_strdup_printf("%u", bank);
	g_autofree gchar *slots = g_strdup_printf("%u", REMSIM_BENCH_REST_MAPS_PER_BANK);
	guint16 port = remsim_bench_spawn_free_ports(1);
	g_autofree gchar *port_text = g_strdup_printf("%u", port);

	if (system->impl->upstream) {
		g_autofree gchar *dir = g_strdup_printf("%s/bank-%u", system->dir, bank);
		g_autofree gchar *csv = g_build_filename(dir, "bankd_pcsc_slots.csv", NULL);

		g_mkdir_with_parents(dir, 0755);
		g_file_set_contents(csv, "\"1\",\"0\",\"no such reader\"\n", -1, NULL);
		return remsim_bench_spawn(
		    (const gchar *const[]){ system->impl->bankd, "-i", "127.0.0.1", "-p", rspro,
					    "-b", id, "-n", slots, "-I", "127.0.0.1", "-P",
					    port_text, NULL },
		    dir, log, FALSE, error);
	} else {
		g_autofree gchar *conf = g_strdup_printf("%s/bankd-%u.conf", system->dir, bank);
		g_autofree gchar *text = g_strdup_printf(
		    "[bankd]\nserver-host=127.0.0.1\nserver-port=%s\nbank-id=%s\nnum-slots=%s\n"
		    "bind-ip=127.0.0.1\nbind-port=%s\nbackend=example\n%s%s%s[example]\nslots=%s\n",
		    rspro, id, slots, port_text,
		    system->impl->plugin_dir != NULL ? "plugin-dir=" : "",
		    system->impl->plugin_dir != NULL ? system->impl->plugin_dir : "",
		    system->impl->plugin_dir != NULL ? "\n" : "", slots);
		g_autofree gchar *conf_arg = g_strdup_printf("--config=%s", conf);

		g_file_set_contents(conf, text, -1, NULL);
		return remsim_bench_spawn(
		    (const gchar *const[]){ system->impl->bankd, conf_arg, "--no-dbus", NULL },
		    system->dir, log, FALSE, error);
	}
}

static gboolean
remsim_bench_rest_maps_round(RemsimBenchSystem *system, guint n_maps, guint concurrency,
			     guint n_banks, RemsimBenchRestMapsRound *out, GError **error)
{
	g_autoptr(GPtrArray) banks = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(RemsimBenchRest) rest = NULL;
	g_autofree RemsimBenchRestMapsWorker *workers =
	    g_new0(RemsimBenchRestMapsWorker, concurrency);
	g_autofree GThread **threads = g_new0(GThread *, concurrency);
	RemsimBenchStats posts;
	gdouble gets[REMSIM_BENCH_REST_MAPS_GETS];
	g_autoptr(GArray) server_pids = g_array_new(FALSE, FALSE, sizeof(GPid));
	RemsimBenchProcSample before = { 0 }, after = { 0 }, spent;
	gint64 t0, deadline;
	gboolean ok = TRUE;

	if (!remsim_bench_system_start_server(system, error))
		return FALSE;
	remsim_bench_system_pids(system, REMSIM_BENCH_DAEMON_SERVER, server_pids);
	rest = remsim_bench_rest_new(system->rest_port);
	for (guint b = 1; b <= n_banks && ok; b++) {
		GSubprocess *bank = remsim_bench_rest_maps_start_bank(system, b, error);

		ok = bank != NULL;
		if (ok)
			g_ptr_array_add(banks, bank);
	}
	deadline = g_get_monotonic_time() + REMSIM_BENCH_REST_MAPS_WAIT_MS * 1000;
	for (guint b = 1; b <= n_banks && ok; b++)
		while (!remsim_bench_rest_has_bank(rest, b)) {
			if (g_get_monotonic_time() > deadline) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "bank %u did not come (see %s)", b, system->dir);
				ok = FALSE;
				break;
			}
			g_usleep(20000);
		}
	remsim_bench_stats_init(&posts);
	if (ok) {
		g_printerr("%s: creating %u maps\n", system->impl->name, n_maps);
		for (guint p = 0; p < server_pids->len; p++)
			remsim_bench_proc_add(g_array_index(server_pids, GPid, p), &before);
		t0 = g_get_monotonic_time();
		for (guint t = 0; t < concurrency; t++) {
			workers[t] = (RemsimBenchRestMapsWorker){ .port = system->rest_port,
								  .n_maps = n_maps,
								  .concurrency = concurrency,
								  .index = t };
			remsim_bench_stats_init(&workers[t].stats);
			threads[t] =
			    g_thread_new("rest", remsim_bench_rest_maps_worker_thread, &workers[t]);
		}
		for (guint t = 0; t < concurrency; t++) {
			g_thread_join(threads[t]);
			for (guint k = 0; k < workers[t].stats.us->len; k++)
				remsim_bench_stats_add(
				    &posts, g_array_index(workers[t].stats.us, gdouble, k));
			if (workers[t].error != NULL && ok) {
				g_propagate_error(error, g_steal_pointer(&workers[t].error));
				ok = FALSE;
			}
			g_clear_error(&workers[t].error);
			remsim_bench_stats_clear(&workers[t].stats);
		}
		out->created_s = (g_get_monotonic_time() - t0) / 1e6;
		for (;;) {
			gint64 g0 = g_get_monotonic_time();
			guint active = ok ? remsim_bench_rest_count_maps(rest, "ACTIVE") : n_maps;

			if (active >= n_maps)
				break;
			if (g_get_monotonic_time() > deadline) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "the banks did not acknowledge every map (see %s)",
					    system->dir);
				ok = FALSE;
				break;
			}
			/* each look costs the server a list of every map: look rarely */
			g_usleep((gulong)MAX(20000, 2 * (g_get_monotonic_time() - g0)));
		}
		out->active_s = (g_get_monotonic_time() - t0) / 1e6;
		for (guint p = 0; p < server_pids->len; p++)
			remsim_bench_proc_add(g_array_index(server_pids, GPid, p), &after);
		remsim_bench_proc_diff(&before, &after, &spent);
		out->server_cpu_us = spent.cpu_us / n_maps;
		out->server_ctx = (spent.ctx_voluntary + spent.ctx_involuntary) / n_maps;
		out->post_p50_ms = remsim_bench_stats_percentile(&posts, 0.5);
		out->post_p99_ms = remsim_bench_stats_percentile(&posts, 0.99);
		for (guint i = 0; ok && i < REMSIM_BENCH_REST_MAPS_GETS; i++) {
			gint64 g0 = g_get_monotonic_time();

			remsim_bench_rest_request(rest, "GET", "/slotmaps", NULL, NULL, NULL);
			gets[i] = (g_get_monotonic_time() - g0) / 1e3;
		}
		out->get_ms = remsim_bench_stats_median(gets, REMSIM_BENCH_REST_MAPS_GETS);
	}
	remsim_bench_stats_clear(&posts);
	for (guint b = 0; b < banks->len; b++)
		remsim_bench_spawn_stop(banks->pdata[b], SIGTERM, 10000);
	return ok;
}

static gdouble
remsim_bench_rest_maps_median(GArray *rounds, gsize offset)
{
	g_autofree gdouble *values = g_new0(gdouble, rounds->len + 1);

	for (guint i = 0; i < rounds->len; i++)
		values[i] = *(const gdouble *)(rounds->data + i * sizeof(RemsimBenchRestMapsRound) +
					       offset);
	return remsim_bench_stats_median(values, rounds->len);
}

static void
remsim_bench_rest_maps_summary(GArray *rounds, RemsimBenchRestMapsRound *m)
{
	m->created_s = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, created_s));
	m->active_s = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, active_s));
	m->post_p50_ms = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, post_p50_ms));
	m->post_p99_ms = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, post_p99_ms));
	m->get_ms = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, get_ms));
	m->server_cpu_us = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, server_cpu_us));
	m->server_ctx = remsim_bench_rest_maps_median(
	    rounds, G_STRUCT_OFFSET(RemsimBenchRestMapsRound, server_ctx));
}

gboolean
remsim_bench_rest_maps_run(const RemsimBenchImpl *remsim, const RemsimBenchImpl *other,
			   guint n_maps, guint concurrency, guint banks, guint rounds,
			   gboolean json)
{
	const RemsimBenchImpl *impls[2] = { remsim, other };
	guint n_impls = other != NULL ? 2 : 1;
	GArray *results[2] = { g_array_new(FALSE, TRUE, sizeof(RemsimBenchRestMapsRound)),
			       g_array_new(FALSE, TRUE, sizeof(RemsimBenchRestMapsRound)) };
	g_autoptr(GError) error = NULL;
	RemsimBenchSetup setup = { 0 };
	RemsimBenchRestMapsRound m[2];
	gboolean ok = TRUE;

	if (banks == 0)
		banks = (n_maps + REMSIM_BENCH_REST_MAPS_PER_BANK - 1) /
			REMSIM_BENCH_REST_MAPS_PER_BANK;
	if (n_maps > banks * REMSIM_BENCH_REST_MAPS_PER_BANK || n_maps > 1024 * 1024 ||
	    concurrency == 0) {
		g_printerr("remsim-bench: --rest-maps: %u maps need %u banks of %u slots\n", n_maps,
			   (n_maps + REMSIM_BENCH_REST_MAPS_PER_BANK - 1) /
			       REMSIM_BENCH_REST_MAPS_PER_BANK,
			   REMSIM_BENCH_REST_MAPS_PER_BANK);
		return FALSE;
	}
	setup.top_dir = g_dir_make_tmp("remsim-bench-XXXXXX", &error);
	if (setup.top_dir == NULL) {
		g_printerr("remsim-bench: %s\n", error->message);
		return FALSE;
	}
	for (guint r = 0; r < rounds && ok; r++) {
		for (guint k = 0; k < n_impls && ok; k++) {
			guint s = r % 2 == 0 ? k : n_impls - 1 - k;
			g_autofree gchar *name =
			    g_strdup_printf("%s-rest-%u", impls[s]->name, r + 1);
			RemsimBenchSystem *system = remsim_bench_system_new(&setup, impls[s], name);
			RemsimBenchRestMapsRound round = { 0 };

			ok = remsim_bench_rest_maps_round(system, n_maps, concurrency, banks,
							  &round, &error);
			remsim_bench_system_stop(system);
			if (ok) {
				g_array_append_val(results[s], round);
				g_printerr("%s: %u maps created in %.2f s, active in %.2f s\n",
					   impls[s]->name, n_maps, round.created_s, round.active_s);
			}
		}
	}
	if (!ok) {
		g_array_unref(results[0]);
		g_array_unref(results[1]);
		g_printerr("remsim-bench: %s\nremsim-bench: the run's configs and logs are in %s\n",
			   error->message, setup.top_dir);
		g_free(setup.top_dir);
		return FALSE;
	}
	for (guint s = 0; s < n_impls; s++)
		remsim_bench_rest_maps_summary(results[s], &m[s]);
	if (json) {
		g_print("{\n  \"rest_maps\": %u,\n  \"concurrency\": %u,\n  \"banks\": %u,\n"
			"  \"rounds\": %u,\n  \"stacks\": [",
			n_maps, concurrency, banks, rounds);
		for (guint s = 0; s < n_impls; s++)
			g_print(
			    "%s\n    {\"name\": \"%s\", \"created_s\": %.3f, \"active_s\": %.3f, "
			    "\"post_p50_ms\": %.3f, \"post_p99_ms\": %.3f, "
			    "\"get_slotmaps_ms\": %.3f, \"server_cpu_us_per_map\": %.1f, "
			    "\"server_context_switches_per_map\": %.2f}",
			    s > 0 ? "," : "", impls[s]->name, m[s].created_s, m[s].active_s,
			    m[s].post_p50_ms, m[s].post_p99_ms, m[s].get_ms, m[s].server_cpu_us,
			    m[s].server_ctx);
		g_print("\n  ]\n}\n");
	} else {
		g_print(
		    "\nremsim-bench: %u slot maps through REST, %u at once, %u %s; medians of %u "
		    "%s\n\n%-12s %12s %12s %12s %12s %14s %13s %12s\n",
		    n_maps, concurrency, banks, banks == 1 ? "bank" : "banks", rounds,
		    rounds == 1 ? "round" : "rounds", "", "created s", "active s", "POST p50 ms",
		    "POST p99 ms", "GET all ms", "srv CPU µs", "srv ctx sw");
		for (guint s = 0; s < n_impls; s++)
			g_print("%-12s %12.3f %12.3f %12.3f %12.3f %14.3f %12.1f %12.2f\n",
				impls[s]->name, m[s].created_s, m[s].active_s, m[s].post_p50_ms,
				m[s].post_p99_ms, m[s].get_ms, m[s].server_cpu_us, m[s].server_ctx);
	}
	g_array_unref(results[0]);
	g_array_unref(results[1]);
	remsim_bench_spawn_remove_tree(setup.top_dir);
	g_free(setup.top_dir);
	return TRUE;
}
