#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The shipped configs (data/*.conf) say what the code does: every key a daemon
reads from its file is shown in its config, and every key the config shows (set
or commented out) is one the daemon knows, in a group where it may stand.

usage: check-configs.py SRCDIR [NAME=PROGRAM...]   (NAME: server, bankd, client)
Without NAME=PROGRAM, the daemons named by REMSIM_SERVER, REMSIM_BANKD and
REMSIM_CLIENT (as meson test sets them; "none" where the build has no such daemon).
"""
import os
import re
import subprocess
import sys

GROUP = re.compile(r'^#?\s*\[([^\]]+)\]\s*$')
KEY = re.compile(r'^#?\s*([a-z][a-z0-9-]*)\s*=')
SLOT = re.compile(r'^slot [0-9]+$')


def dump_keys(program):
    """key -> groups column of PROGRAM --dump-keys, for the keys of the file"""
    out = subprocess.run([program, '--dump-keys'], check=True, capture_output=True,
                         text=True).stdout
    keys = {}
    for line in out.splitlines():
        if not line or line.startswith('#'):
            continue
        fields = line.split('\t')
        if fields[1] != '-':
            keys[fields[0]] = fields[1]
    return keys


def shown_keys(path):
    """(group, key, line number) of each key the file shows, set or commented out"""
    group = None
    for number, line in enumerate(open(path, encoding='utf-8'), 1):
        m = GROUP.match(line.strip())
        if m:
            group = m.group(1)
            continue
        m = KEY.match(line.strip())
        if m and group is not None:
            yield group, m.group(1), number


def check(srcdir, name, program):
    path = '%s/data/%s.conf' % (srcdir, name)
    known = dump_keys(program)
    problems = []
    documented = set()
    for group, key, number in shown_keys(path):
        where = '%s:%d: [%s] %s' % (path, number, group, key)
        if group == name:
            documented.add(key)
            if key not in known:
                problems.append('%s: not a key of %s' % (where, program))
        elif SLOT.match(group) and name == 'client':
            if '[slot N]' not in known.get(key, ''):
                problems.append('%s: not a key a [slot N] group takes' % where)
        elif name != 'bankd':
            problems.append('%s: %s has no such group' % (where, program))
        # the bankd's other groups are its backends', checked by their own tests
    for key in sorted(set(known) - documented):
        problems.append('%s: does not show the key %s' % (path, key))
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    daemons = [arg.split('=', 1) for arg in argv[2:]]
    if not daemons:
        # a daemon this build does not have is named "none" (tests/meson.build)
        daemons = [(name, os.environ['REMSIM_' + name.upper()])
                   for name in ('server', 'bankd', 'client')
                   if os.environ.get('REMSIM_' + name.upper(), 'none') != 'none']
    problems = []
    for name, program in daemons:
        problems += check(argv[1], name, program)
    for p in problems:
        print(p)
    print('%d problems' % len(problems))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
