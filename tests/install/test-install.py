#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What `meson install` writes, checked as a distribution would.

  test-install.py tree BUILDDIR [--with-man]
      installs BUILDDIR into a scratch DESTDIR and checks that every file a
      distribution expects is there, below the prefix, and nothing outside it;
      that the config files, the units and the binaries' defaults name the
      same paths (the binaries come from REMSIM_SERVER, REMSIM_BANKD and
      REMSIM_CLIENT)
  test-install.py prefix SRCDIR
      configures SRCDIR (no build) for a scratch prefix and checks that every
      install destination lies inside that prefix
"""
import fnmatch
import grp
import json
import os
import shutil
import subprocess
import sys
import tempfile

# below the prefix; sysconfdir is PREFIX/etc unless the prefix is /usr
EXPECTED = [
    'bin/remsim-server', 'bin/remsim-bankd', 'bin/remsim-client', 'bin/remsim-ctl',
    'bin/rspro-tool', 'bin/remsim-bench',
    'lib/*/remsim/plugins/remsim-simcard.so', 'lib/*/remsim/plugins/remsim-pcsc.so',
    'lib/*/remsim/plugins/remsim-example.so', 'lib/*/remsim/plugins/remsim-ccid.so',
    'share/remsim/ccid-quirks.conf', 'lib/udev/rules.d/70-remsim.rules',
    'lib/*/libremsim-plugin.so.1', 'lib/*/pkgconfig/remsim-plugin.pc',
    'include/remsim-1/remsim-plugin.h',
    'lib/systemd/system/remsim-server.service', 'lib/systemd/system/remsim-bankd.service',
    'lib/systemd/system/remsim-client@.service',
    'lib/sysusers.d/remsim.conf',
    'lib/pcsc/drivers/serial/libifd-remsim-client.so',
    'etc/reader.conf.d/remsim-client-ifd',
    'etc/remsim/server.conf', 'etc/remsim/bankd.conf', 'etc/remsim/client.conf',
    'share/dbus-1/system.d/org.remsim.Server1.conf',
    'share/dbus-1/system.d/org.remsim.Bankd1.conf',
    'share/dbus-1/system.d/org.remsim.Client1.conf',
    'share/dbus-1/interfaces/org.remsim.Server1.xml',
    'share/remsim/cards/sample-001.json',
    'share/bash-completion/completions/remsim-bankd',
    'share/bash-completion/completions/rspro-tool',
    'share/bash-completion/completions/remsim-ctl',
    'share/locale/de/LC_MESSAGES/remsim.mo',
]
MAN_PAGES = [
    'share/man/man8/remsim-server.8', 'share/man/man8/remsim-bankd.8',
    'share/man/man8/remsim-client.8', 'share/man/man1/rspro-tool.1',
    'share/man/man1/remsim-ctl.1', 'share/man/man1/remsim-bench.1',
    'share/man/man5/remsim-server.conf.5', 'share/man/man5/remsim-bankd.conf.5',
    'share/man/man5/remsim-client.conf.5',
]


def fail(msg):
    print('FAIL: ' + msg)
    return 1


def build_prefix(builddir):
    opts = json.loads(subprocess.check_output(['meson', 'introspect', '--buildoptions', builddir]))
    return next(o['value'] for o in opts if o['name'] == 'prefix')


def dump_keys(binary):
    """{key: default} of a daemon's --dump-keys"""
    out = subprocess.check_output([binary, '--dump-keys'], text=True)
    keys = {}
    for line in out.splitlines():
        if line.startswith('#'):
            continue
        f = line.split('\t')
        keys[f[0]] = f[4]
    return keys


def check_paths(root, prefix):
    """the paths of the shipped configs and the units are the binaries' defaults"""
    problems = []
    for daemon, unit in (('server', 'remsim-server.service'), ('bankd', 'remsim-bankd.service'),
                         ('client', 'remsim-client@.service')):
        defaults = dump_keys(os.environ['REMSIM_' + daemon.upper()])
        conf = glob_one(root, prefix, 'etc/remsim/%s.conf' % daemon)
        unit_path = glob_one(root, prefix, 'lib/systemd/system/' + unit)
        if conf is None or unit_path is None:
            continue
        text = open(conf, encoding='utf-8').read()
        if '@' in text:
            problems.append('%s: an unsubstituted @name@' % conf)
        for line in text.splitlines():
            if line.startswith('#') and '=' in line and line[1:].split('=')[0] in defaults:
                key, value = line[1:].split('=', 1)
                if value.startswith('/') and defaults[key] not in (value, '-'):
                    problems.append('%s: #%s=%s, but the binary\'s default is %s' %
                                    (conf, key, value, defaults[key]))
        exec_start = next(l for l in open(unit_path, encoding='utf-8').read().splitlines()
                          if l.startswith('ExecStart='))
        config_default = defaults['config']
        if daemon == 'client':
            config_default = config_default.replace('client.conf', 'client-%i.conf')
        if '--config=' + config_default not in exec_start:
            problems.append('%s: %s does not name %s' % (unit, exec_start, config_default))
    return problems


def check_card_modes(root, prefix):
    """the card profiles (Ki, OPc, PINs) are 0640, of the group remsim where it exists"""
    problems = []
    try:
        remsim_gid = grp.getgrnam('remsim').gr_gid
    except KeyError:
        remsim_gid = None
    for f in fnmatch.filter(list_files(root), os.path.join(prefix.strip('/'),
                                                           'share/remsim/cards/*.json')):
        st = os.stat(os.path.join(root, f))
        if st.st_mode & 0o777 != 0o640:
            problems.append('/%s: mode %o, not 640' % (f, st.st_mode & 0o777))
        if remsim_gid is not None and os.geteuid() == 0 and st.st_gid != remsim_gid:
            problems.append('/%s: group %d, not remsim' % (f, st.st_gid))
    return problems


def glob_one(root, prefix, pattern):
    found = fnmatch.filter(list_files(root), os.path.join(prefix.strip('/'), pattern))
    return os.path.join(root, found[0]) if found else None


def list_files(root):
    files = []
    for top, _, names in os.walk(root):
        files += [os.path.relpath(os.path.join(top, n), root) for n in names]
    return files


def check_tree(builddir, with_man):
    prefix = build_prefix(builddir)
    dest = tempfile.mkdtemp(prefix='remsim-destdir-')
    try:
        subprocess.run(['meson', 'install', '-C', builddir, '--destdir', dest, '--no-rebuild',
                        '--quiet'], check=True, stdout=subprocess.DEVNULL)
        files = list_files(dest)
        top = prefix.strip('/') + '/'
        outside = [f for f in files if not f.startswith(top)]
        inside = [f[len(top):] for f in files if f.startswith(top)]
        problems = ['outside the prefix %s: /%s' % (prefix, f) for f in outside]
        expected = EXPECTED + (MAN_PAGES if with_man else [])
        problems += ['missing: %s/%s' % (prefix, e) for e in expected
                     if not fnmatch.filter(inside, e)]
        problems += check_paths(dest, prefix)
        problems += check_card_modes(dest, prefix)
        for p in problems:
            print('FAIL: ' + p)
        print('%d files installed below %s' % (len(inside), prefix))
        return 1 if problems else 0
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def check_prefix(srcdir):
    scratch = tempfile.mkdtemp(prefix='remsim-prefix-')
    prefix = os.path.join(scratch, 'prefix')
    build = os.path.join(scratch, 'build')
    try:
        subprocess.run(['meson', 'setup', build, srcdir, '--prefix', prefix, '-Dtests=false'],
                       check=True, stdout=subprocess.DEVNULL)
        installed = json.loads(subprocess.check_output(['meson', 'introspect', '--installed',
                                                        build]))
        outside = sorted(d for d in installed.values() if not d.startswith(prefix + '/'))
        for d in outside:
            print('FAIL: installs outside %s: %s' % (prefix, d))
        print('%d destinations, %d outside the prefix' % (len(installed), len(outside)))
        return 1 if outside or not installed else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ('tree', 'prefix'):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == 'tree':
        sys.exit(check_tree(sys.argv[2], sys.argv[3:] == ['--with-man']))
    sys.exit(check_prefix(sys.argv[2]))
