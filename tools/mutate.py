#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Mutation testing: plant one-line bugs and check that the tests catch each.

Usage: tools/mutate.py [--list tools/mutants.txt] [--only ID[,ID...]] [--jobs N]
                       [--keep] [--build-args 'ARGS'] [--check]

Each mutant in the list is one line:

    ID | FILE | ORIGINAL | MUTATED | SUITE[,SUITE...] [| equivalent: REASON]

ORIGINAL must occur exactly once in FILE (so mutants survive edits elsewhere in
the file); it is replaced by MUTATED. The tree is copied into a temporary git
worktree of HEAD (your working tree is never touched), built once, the named
suites run once unmutated (they must pass, or no kill means anything), then for
each mutant: apply, rebuild, run `meson test` on the named suites, revert.
A mutant is "killed" when the build or a test fails, "survived" when everything
passes, and "equivalent" mutants (with a reason) are reported but not run. The
suites run with REMSIM_TEST_STRICT=1: a test that cannot run fails the
unmutated tree at once rather than let every mutant it should catch pass.

--check only checks the list against the working tree (each ORIGINAL occurs
once in its file, each equivalent mutant says why): quick, and run by the
'mutants-list' test, so that an edit that moves a mutant's code fails at once.

Exit status: 0 when every non-equivalent mutant was killed, 1 otherwise, 2 on
a list or setup error. Too slow for every CI run: run it before a release or
after changing tests (about a minute per mutant on two cores).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def parse_list(path):
    mutants = []
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        parts = [p.strip() for p in line.split(' | ')]
        if len(parts) not in (5, 6):
            raise SystemExit('%s:%d: expected 5 or 6 fields separated by " | "' % (path, n))
        equivalent = None
        if len(parts) == 6:
            if not parts[5].startswith('equivalent:'):
                raise SystemExit('%s:%d: the 6th field must start with "equivalent:"' % (path, n))
            equivalent = parts[5][len('equivalent:'):].strip()
            if not equivalent:
                raise SystemExit('%s:%d: an equivalent mutant says why' % (path, n))
        if parts[2] == parts[3]:
            raise SystemExit('%s:%d: the mutant changes nothing' % (path, n))
        mutants.append({
            'id': parts[0], 'file': parts[1], 'original': unescape(parts[2]),
            'mutated': unescape(parts[3]), 'suites': parts[4].split(','),
            'equivalent': equivalent, 'line': n,
        })
    ids = [m['id'] for m in mutants]
    dups = {i for i in ids if ids.count(i) > 1}
    if dups:
        raise SystemExit('%s: duplicate ids: %s' % (path, ', '.join(sorted(dups))))
    return mutants


def unescape(text):
    return text.replace('\\|', '|').replace('\\n', '\n').replace('\\t', '\t')


def run(cmd, cwd, timeout, log):
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, text=True, errors='replace')
        ok = proc.returncode == 0
        out = proc.stdout
    except subprocess.TimeoutExpired as e:
        ok = False
        out = (e.stdout or '') if isinstance(e.stdout, str) else ''
        out += '\n[mutate] timed out after %d s\n' % timeout
    log.write('$ %s\n%s\n' % (' '.join(cmd), out))
    return ok, time.monotonic() - start, out


def check_mutant(m, src):
    path = os.path.join(src, m['file'])
    if not os.path.exists(path):
        return 'no such file'
    count = open(path, encoding='utf-8').read().count(m['original'])
    if count != 1:
        return 'the original text occurs %d times' % count
    return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--list', default=os.path.join(here, 'mutants.txt'))
    ap.add_argument('--only', default='')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--keep', action='store_true', help='keep the scratch tree')
    ap.add_argument('--build-args', default='-Dbuildtype=debug')
    ap.add_argument('--timeout', type=int, default=600, help='per test run, seconds')
    ap.add_argument('--check', action='store_true',
                    help='only check the list against the working tree')
    args = ap.parse_args()

    os.environ['REMSIM_TEST_STRICT'] = '1'
    mutants = parse_list(args.list)
    if args.only:
        wanted = set(args.only.split(','))
        mutants = [m for m in mutants if m['id'] in wanted]
    problems = [(m, check_mutant(m, top)) for m in mutants]
    problems = [(m, p) for m, p in problems if p]
    for m, p in problems:
        print('%s:%d: %s: %s in %s' % (args.list, m['line'], m['id'], p, m['file']))
    if problems:
        return 2
    if args.check:
        print('%s: %d mutants (%d equivalent), each anchored once' %
              (args.list, len(mutants), sum(1 for m in mutants if m['equivalent'])))
        return 0

    scratch = tempfile.mkdtemp(prefix='remsim-mutate-')
    tree = os.path.join(scratch, 'tree')
    build = os.path.join(scratch, 'build')
    log_path = os.path.join(scratch, 'mutate.log')
    log = open(log_path, 'w', encoding='utf-8')
    subprocess.run(['git', '-C', top, 'worktree', 'add', '--detach', tree, 'HEAD'], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # the list itself is read from the working tree; the code is HEAD's
    print('mutation testing in %s (log: %s)' % (scratch, log_path), flush=True)
    try:
        ok, _, _ = run(['meson', 'setup', build] + args.build_args.split(), tree, 600, log)
        ok = ok and run(['ninja', '-C', build], tree, 1800, log)[0]
        if not ok:
            print('the unmutated tree does not build; see %s' % log_path)
            return 2
        # a kill means something only if the unmutated tree passes the same suites
        suites = sorted({s for m in mutants if not m['equivalent'] for s in m['suites']})
        if suites:
            cmd = ['meson', 'test', '-C', build, '--no-rebuild', '--num-processes',
                   str(args.jobs)]
            for s in suites:
                cmd += ['--suite', s]
            if not run(cmd, tree, args.timeout * 3, log)[0]:
                print('the unmutated tree fails its suites (%s); see %s' %
                      (', '.join(suites), log_path))
                return 2
        results = []
        for m in mutants:
            if m['equivalent']:
                results.append((m, 'equivalent', 0.0))
                print('%-28s equivalent  (%s)' % (m['id'], m['equivalent']), flush=True)
                continue
            path = os.path.join(tree, m['file'])
            original = open(path, encoding='utf-8').read()
            if original.count(m['original']) != 1:
                # HEAD differs from the working tree the list was checked against
                print('%s: the original text occurs %d times in HEAD\'s %s; commit first' %
                      (m['id'], original.count(m['original']), m['file']))
                return 2
            open(path, 'w', encoding='utf-8').write(
                original.replace(m['original'], m['mutated'], 1))
            log.write('\n=== %s: %s\n' % (m['id'], m['file']))
            built, t1, _ = run(['ninja', '-C', build], tree, 1800, log)
            if not built:
                verdict, t2 = 'killed', 0.0
                how = 'build'
            else:
                cmd = ['meson', 'test', '-C', build, '--no-rebuild', '--num-processes',
                       str(args.jobs)]
                for s in m['suites']:
                    cmd += ['--suite', s]
                passed, t2, out = run(cmd, tree, args.timeout, log)
                verdict = 'survived' if passed else 'killed'
                how = 'tests' if not passed else ''
            open(path, 'w', encoding='utf-8').write(original)
            results.append((m, verdict, t1 + t2))
            print('%-28s %-9s %5.0f s  %s' % (m['id'], verdict, t1 + t2, how), flush=True)
        # rebuild the unmutated tree so a kept scratch tree is sane
        run(['ninja', '-C', build], tree, 1800, log)
    finally:
        log.close()
        if not args.keep:
            subprocess.run(['git', '-C', top, 'worktree', 'remove', '--force', tree],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(scratch, ignore_errors=True)
    killed = sum(1 for _, v, _ in results if v == 'killed')
    survived = [m['id'] for m, v, _ in results if v == 'survived']
    equivalent = sum(1 for _, v, _ in results if v == 'equivalent')
    print('\n%d mutants: %d killed, %d survived, %d equivalent' %
          (len(results), killed, len(survived), equivalent))
    if survived:
        print('survived: %s' % ', '.join(survived))
    return 1 if survived else 0


if __name__ == '__main__':
    sys.exit(main())
