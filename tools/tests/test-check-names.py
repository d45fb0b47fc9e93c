#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The names checker's own test: every bad example fails with its rule, the good one passes."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, 'check-names')
checker = os.path.join(here, '..', 'check-names.py')
cases = {
    'remsim-server-good.c': None,
    'remsim-server-prefix-bad.c': 'prefix',
    'remsim-server-define-bad.c': 'prefix',
    'server-component-bad.c': 'component',
    'remsim-server-component-type-bad.h': 'component',
    'remsim-server-unique-bad-a.h remsim-server-unique-bad-b.h': 'unique',
    'remsim-server-callback-bad.c': 'callback',
    'remsim-server-ready-bad.c': 'callback',
    'remsim-server-timer-bad.c': 'callback',
    'remsim-server-async-bad.c': 'async',
    'remsim-server-quark-bad.c': 'quark',
    'remsim-server-failed-bad.h': 'failed',
    'remsim-server-log-bad.c': 'log',
    # the test helpers are product code, their own tests are test programs
    '../tests/common/remsim-test-helper-bad.c': 'prefix',
    '../tests/common/tests/test-helper-good.c': None,
}
failures = 0
for names, rule in cases.items():
    paths = [os.path.join(root, 'server', n) for n in names.split()]
    run = subprocess.run([sys.executable, checker, '--root', root] + paths,
                         capture_output=True, text=True)
    rules = {line.split('[', 1)[1].split(']', 1)[0] for line in run.stdout.splitlines()}
    want = set() if rule is None else {rule}
    ok = run.returncode == (0 if rule is None else 1) and rules == want
    print('%s %s: exit %d, rules %s' % ('ok' if ok else 'FAIL', names, run.returncode,
                                        sorted(rules) or 'none'))
    failures += not ok
sys.exit(1 if failures else 0)
