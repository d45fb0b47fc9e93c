/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a process costs, read from /proc: CPU time (all its threads, the ones
 * that ended included), context switches (voluntary and involuntary, summed
 * over the threads it has) and read/write system calls (syscr + syscw of the
 * whole process: socket calls such as send() and recv() are not among them).
 * Optionally every system call, counted by perf (a kernel counter on the
 * syscall tracepoint, which costs the process little) or by strace (which
 * stops it at every call), attached to the running processes.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	gdouble cpu_us; /* user + system, from clock ticks */
	gdouble run_us; /* on a CPU, from the scheduler's ns (live threads only) */
	gdouble ctx_voluntary;
	gdouble ctx_involuntary;
	gdouble syscalls; /* syscr + syscw */
} RemsimBenchProcSample;

/* adds the current figures of @pid to @sample; FALSE if the process is gone */
gboolean remsim_bench_proc_add(GPid pid, RemsimBenchProcSample *sample);

/* @to - @from, field by field */
void remsim_bench_proc_diff(const RemsimBenchProcSample *from, const RemsimBenchProcSample *to,
			    RemsimBenchProcSample *out);

typedef enum {
	REMSIM_BENCH_PROC_COUNT_IO,	/* read and write calls from /proc/PID/io only */
	REMSIM_BENCH_PROC_COUNT_PERF,	/* perf stat -e raw_syscalls:sys_enter */
	REMSIM_BENCH_PROC_COUNT_STRACE, /* strace -c -f */
} RemsimBenchProcCount;

/* a counter of every system call of @pids, until remsim_bench_proc_tracer_stop() */
typedef struct _RemsimBenchProcTracer RemsimBenchProcTracer;

RemsimBenchProcTracer *remsim_bench_proc_tracer_start(RemsimBenchProcCount kind, const GPid *pids,
						      guint n_pids, const gchar *dir,
						      GError **error);
/* detaches; returns the number of system calls counted, or -1 */
gdouble remsim_bench_proc_tracer_stop(RemsimBenchProcTracer *self);

G_END_DECLS
