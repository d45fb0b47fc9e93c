#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What the simcard path costs per APDU, in counts that do not depend on the machine.

usage: test-bench-counts.py REMSIM_BENCH

Runs remsim-bench on the simcard backend with the shell front end twice: once as
is, for the context switches the daemons make (voluntary ones: the wake-ups the
code asks for; preemptions depend on the machine's load), and once under strace,
for every system call they make. Each figure per APDU must stay under its limit,
with room to spare over what the code does today (README, "Performance"): a
change that adds a thread hop or a system call per APDU fails here.

Exit status 0 when all holds, 1 when not, 77 when strace or the bench's parts
are missing (1 with REMSIM_TEST_STRICT=1).
"""
import json
import os
import subprocess
import sys

# per APDU: (daemon, figure) -> most allowed
# (today: bankd 1 wake-up and 3 calls, its relay thread's epoll_wait, recv and send;
# the client at most 1 wake-up and 6 calls; before the relay thread and the
# shell's own I/O they were 1 and 4, 1.3 and 19)
LIMITS = {
    ('bankd', 'voluntary_context_switches_per_apdu'): 1.5,
    ('client', 'voluntary_context_switches_per_apdu'): 2.0,
    ('bankd', 'syscalls_per_apdu'): 3.5,
    ('client', 'syscalls_per_apdu'): 8.0,
}


def run(bench, *extra):
    cmd = [bench, '--backend', 'simcard', '--duration', '2', '--warmup', '0.5', '--json']
    cmd += list(extra)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode == 3:
        print(proc.stderr, file=sys.stderr)
        print('SKIP: remsim-bench cannot count here', file=sys.stderr)
        sys.exit(1 if os.environ.get('REMSIM_TEST_STRICT') == '1' else 77)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        print('FAIL: %s exited with %d' % (' '.join(cmd), proc.returncode))
        sys.exit(1)
    result = json.loads(proc.stdout)
    stack = result['stacks'][0]
    if stack['median']['apdus'] < 100:
        print('FAIL: only %d APDUs measured' % stack['median']['apdus'])
        sys.exit(1)
    return {d['daemon']: d for d in stack['daemons']}


def main():
    bench = sys.argv[1]
    plain = run(bench)
    traced = run(bench, '--syscalls', 'strace')
    bad = 0
    for (daemon, figure), limit in sorted(LIMITS.items()):
        source = traced if figure == 'syscalls_per_apdu' else plain
        value = source[daemon][figure]
        if figure == 'syscalls_per_apdu' and source[daemon]['syscalls_counted'] != 'all':
            print('FAIL: %s: strace counted nothing' % daemon)
            bad = 1
            continue
        ok = 0 < value <= limit
        print('%s %s %s: %.2f (limit %.2f)' % ('ok' if ok else 'FAIL', daemon, figure, value,
                                               limit))
        bad |= not ok
    return bad


if __name__ == '__main__':
    sys.exit(main())
