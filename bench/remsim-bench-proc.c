/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "remsim-bench-proc.h"

/* utime + stime of the whole process (ended threads included), in µs */
static gboolean
remsim_bench_proc_add_cpu(GPid pid, RemsimBenchProcSample *sample)
{
	g_autofree gchar *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) fields = NULL;
	const gchar *end;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return FALSE;
	/* the command name may hold spaces: count the fields after its closing parenthesis */
	end = strrchr(text, ')');
	if (end == NULL)
		return FALSE;
	fields = g_strsplit(end + 2, " ", -1);
	if (g_strv_length(fields) < 13)
		return FALSE;
	sample->cpu_us += (g_ascii_strtod(fields[11], NULL) + g_ascii_strtod(fields[12], NULL)) *
			  1e6 / (gdouble)sysconf(_SC_CLK_TCK);
	return TRUE;
}

static gdouble
remsim_bench_proc_field(const gchar *text, const gchar *name)
{
	const gchar *p = strstr(text, name);

	if (p == NULL)
		return 0;
	p += strlen(name);
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	return g_ascii_strtod(p, NULL);
}

/*
 * /proc/PID/status counts one thread only: sum over every thread there is.
 * The threads' run time (schedstat, in ns) is also far finer than the clock
 * ticks of /proc/PID/stat; a thread that ended takes its share with it, which
 * the daemons' long-lived threads do not.
 */
static void
remsim_bench_proc_add_threads(GPid pid, RemsimBenchProcSample *sample)
{
	g_autofree gchar *dir_path = g_strdup_printf("/proc/%d/task", (int)pid);
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
	const gchar *tid;

	if (dir == NULL)
		return;
	while ((tid = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(dir_path, tid, "status", NULL);
		g_autofree gchar *sched = g_build_filename(dir_path, tid, "schedstat", NULL);
		g_autofree gchar *text = NULL;
		g_autofree gchar *ns = NULL;

		if (g_file_get_contents(sched, &ns, NULL, NULL))
			sample->run_us += g_ascii_strtod(ns, NULL) / 1e3;
		if (!g_file_get_contents(path, &text, NULL, NULL))
			continue;
		sample->ctx_voluntary += remsim_bench_proc_field(text, "\nvoluntary_ctxt_switches");
		sample->ctx_involuntary +=
		    remsim_bench_proc_field(text, "\nnonvoluntary_ctxt_switches");
	}
}

static void
remsim_bench_proc_add_io(GPid pid, RemsimBenchProcSample *sample)
{
	g_autofree gchar *path = g_strdup_printf("/proc/%d/io", (int)pid);
	g_autofree gchar *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return;
	sample->syscalls +=
	    remsim_bench_proc_field(text, "syscr") + remsim_bench_proc_field(text, "syscw");
}

gboolean
remsim_bench_proc_add(GPid pid, RemsimBenchProcSample *sample)
{
	if (!remsim_bench_proc_add_cpu(pid, sample))
		return FALSE;
	remsim_bench_proc_add_threads(pid, sample);
	remsim_bench_proc_add_io(pid, sample);
	return TRUE;
}

void
remsim_bench_proc_diff(const RemsimBenchProcSample *from, const RemsimBenchProcSample *to,
		       RemsimBenchProcSample *out)
{
	out->cpu_us = to->cpu_us - from->cpu_us;
	out->run_us = to->run_us - from->run_us;
	out->ctx_voluntary = to->ctx_voluntary - from->ctx_voluntary;
	out->ctx_involuntary = to->ctx_involuntary - from->ctx_involuntary;
	out->syscalls = to->syscalls - from->syscalls;
}

struct _RemsimBenchProcTracer {
	RemsimBenchProcCount kind;
	GPid pid;
	gchar *output;
};

RemsimBenchProcTracer *
remsim_bench_proc_tracer_start(RemsimBenchProcCount kind, const GPid *pids, guint n_pids,
			       const gchar *dir, GError **error)
{
	static guint serial;
	const gchar *tool = kind == REMSIM_BENCH_PROC_COUNT_PERF ? "perf" : "strace";
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *exe = g_find_program_in_path(tool);
	RemsimBenchProcTracer *self;
	GPid pid;

	if (kind == REMSIM_BENCH_PROC_COUNT_IO || n_pids == 0)
		return NULL;
	if (exe == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not installed",
			    tool);
		return NULL;
	}
	self = g_new0(RemsimBenchProcTracer, 1);
	self->kind = kind;
	self->output = g_strdup_printf("%s/%s-%u.txt", dir, tool, serial++);
	g_ptr_array_add(argv, g_steal_pointer(&exe));
	if (kind == REMSIM_BENCH_PROC_COUNT_PERF) {
		g_autoptr(GString) list = g_string_new(NULL);

		for (guint i = 0; i < n_pids; i++)
			g_string_append_printf(list, "%s%d", i > 0 ? "," : "", (int)pids[i]);
		g_ptr_array_add(argv, g_strdup("stat"));
		g_ptr_array_add(argv, g_strdup("-e"));
		g_ptr_array_add(argv, g_strdup("raw_syscalls:sys_enter"));
		g_ptr_array_add(argv, g_strdup("-x,"));
		g_ptr_array_add(argv, g_strdup("-o"));
		g_ptr_array_add(argv, g_strdup(self->output));
		g_ptr_array_add(argv, g_strdup("-p"));
		g_ptr_array_add(argv, g_string_free(g_steal_pointer(&list), FALSE));
	} else {
		g_ptr_array_add(argv, g_strdup("-c"));
		g_ptr_array_add(argv, g_strdup("-f"));
		g_ptr_array_add(argv, g_strdup("-q"));
		g_ptr_array_add(argv, g_strdup("-o"));
		g_ptr_array_add(argv, g_strdup(self->output));
		for (guint i = 0; i < n_pids; i++) {
			g_ptr_array_add(argv, g_strdup("-p"));
			g_ptr_array_add(argv, g_strdup_printf("%d", (int)pids[i]));
		}
	}
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_async(NULL, (gchar **)argv->pdata, NULL,
			   G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid,
			   error)) {
		g_free(self->output);
		g_free(self);
		return NULL;
	}
	self->pid = pid;
	/* the tool attaches to each thread before it counts: give it that moment */
	g_usleep(kind == REMSIM_BENCH_PROC_COUNT_PERF ? 200000 : 500000);
	return self;
}

/* strace's summary: the "calls" column of its total line */
static gdouble
remsim_bench_proc_strace_total(const gchar *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) f = NULL;
		g_autoptr(GPtrArray) words = g_ptr_array_new();

		if (!g_str_has_suffix(g_strstrip(lines[i]), " total"))
			continue;
		f = g_strsplit_set(lines[i], " \t", -1);
		/* pct seconds [usecs/call] calls [errors] total, empty fields dropped */
		for (guint j = 0; f[j] != NULL; j++)
			if (f[j][0] != '\0')
				g_ptr_array_add(words, f[j]);
		if (words->len >= 5)
			return g_ascii_strtod(words->pdata[3], NULL);
		if (words->len == 4)
			return g_ascii_strtod(words->pdata[2], NULL);
	}
	return 0;
}

/*
 * perf's CSV: "COUNT,,raw_syscalls:sys_enter,...", or "<not counted>,..." for a
 * process that made no system call while it was watched (an idle server)
 */
static gdouble
remsim_bench_proc_perf_total(const gchar *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr(lines[i], "raw_syscalls:sys_enter") == NULL)
			continue;
		if (g_ascii_isdigit(lines[i][0]))
			return g_ascii_strtod(lines[i], NULL);
		if (g_str_has_prefix(lines[i], "<not counted>"))
			return 0;
	}
	return -1;
}

gdouble
remsim_bench_proc_tracer_stop(RemsimBenchProcTracer *self)
{
	g_autofree gchar *text = NULL;
	int status = 0;
	gdouble total = -1;

	if (self == NULL)
		return -1;
	kill(self->pid, SIGINT);
	waitpid(self->pid, &status, 0);
	g_spawn_close_pid(self->pid);
	if (g_file_get_contents(self->output, &text, NULL, NULL))
		total = self->kind == REMSIM_BENCH_PROC_COUNT_PERF
			    ? remsim_bench_proc_perf_total(text)
			    : remsim_bench_proc_strace_total(text);
	g_free(self->output);
	g_free(self);
	return total;
}
