#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""German under LANGUAGE=de, English otherwise: the built programs with the
build's catalogue.

usage: test-german.py BUILD-PO-DIR     (REMSIM_BANKD, and REMSIM_CTL if built)

The programs read BUILD-PO-DIR/de/LC_MESSAGES/remsim.mo through
$REMSIM_LOCALEDIR (common/remsim-i18n.h). A de_DE.UTF-8 locale is used where
the system has one, else compiled into a scratch folder with localedef and
found through $LOCPATH (package locales).

  - LANGUAGE=de with de_DE.UTF-8, and de_DE.UTF-8 alone: remsim-ctl's --help
    and its error for an unknown command, remsim-bankd's --help, a bad option
    value and a configuration file error (FILE:LINE) are the German of the
    catalogue, not English;
  - no locale variable at all, C.UTF-8 without LANGUAGE, and LANGUAGE=de in
    the C locale (where gettext ignores LANGUAGE): the same output is English,
    with no German.

Exit status 0, 1 on a failure, 77 (a skip) when no German locale can be had
or the build has no catalogue (no msgfmt at setup); meson runs it through
tests/common/remsim-test-exitcode.sh, which fails a skip with REMSIM_TEST_STRICT=1.
"""
import gettext
import os
import shutil
import subprocess
import sys
import tempfile

LOCALE = 'de_DE.UTF-8'
failures = []


def skip(why):
    print('skip: ' + why, file=sys.stderr)
    sys.exit(77)


def system_has_locale():
    try:
        out = subprocess.run(['locale', '-a'], capture_output=True, text=True).stdout
    except OSError:
        return False
    # locale -a writes de_DE.utf8
    return any(l.lower().replace('-', '') == 'de_de.utf8' for l in out.split())


def make_locale(work):
    """{'LOCPATH': DIR} for a de_DE.UTF-8 made into @work, or {} if the system has one"""
    if system_has_locale():
        return {}
    if shutil.which('localedef') is None:
        skip('no %s locale and no localedef to make one (package libc-bin)' % LOCALE)
    if not os.path.isdir('/usr/share/i18n/locales') or not os.path.exists(
            '/usr/share/i18n/locales/de_DE'):
        skip('no %s locale and no locale sources to make one (package locales)' % LOCALE)
    r = subprocess.run(['localedef', '-c', '-i', 'de_DE', '-f', 'UTF-8',
                        os.path.join(work, LOCALE)], capture_output=True, text=True)
    if not os.path.isdir(os.path.join(work, LOCALE)):
        skip('localedef could not make %s: %s' % (LOCALE, r.stderr.strip()))
    return {'LOCPATH': work}


def base_env(podir):
    """the test's environment without any locale variable"""
    env = {k: v for k, v in os.environ.items()
           if k not in ('LANG', 'LANGUAGE', 'LOCPATH') and not k.startswith('LC_')}
    env['REMSIM_LOCALEDIR'] = podir
    env['NO_COLOR'] = '1'
    return env


def run(argv, env):
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr


def variants(text, ascii_ok):
    """@text, and as GLib prints it in an ASCII locale (C) when @ascii_ok"""
    return {text, text.encode('ascii', 'replace').decode()} if ascii_ok else {text}


def expect(label, argv, env, status, texts, absent, ascii_ok=False):
    """@argv exits with @status and prints every text of @texts and none of @absent"""
    code, out = run(argv, env)
    problems = []
    if code != status:
        problems.append('exit status %d, not %d' % (code, status))
    problems += ['does not print %r' % t for t in texts
                 if not any(v in out for v in variants(t, ascii_ok))]
    problems += ['prints %r' % t for t in absent
                 if any(v in out for v in variants(t, ascii_ok))]
    name = '%s: %s' % (label, ' '.join(os.path.basename(a) if i == 0 else a
                                        for i, a in enumerate(argv)))
    if problems:
        failures.append(name)
        print('FAIL: %s: %s\n--- output:\n%s---' % (name, '; '.join(problems), out))
    else:
        print('ok: ' + name)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    podir = os.path.abspath(sys.argv[1])
    mo = os.path.join(podir, 'de', 'LC_MESSAGES', 'remsim.mo')
    if not os.path.isfile(mo):
        skip('the build has no %s: msgfmt (package gettext) was missing at setup' % mo)
    bankd = os.environ.get('REMSIM_BANKD')
    ctl = os.environ.get('REMSIM_CTL')
    if not bankd:
        print('FAIL: REMSIM_BANKD is not set')
        return 1
    # what the programs should say: the build's own catalogue, read by Python
    de = gettext.translation('remsim', localedir=podir, languages=['de'])

    def both(msgid, *args):
        """(English, German) of @msgid, formatted with @args; they must differ"""
        english, german = (msgid % args if args else msgid), (
            de.gettext(msgid) % args if args else de.gettext(msgid))
        if english == german:
            failures.append(msgid)
            print('FAIL: %r is not translated in %s' % (msgid, mo))
        return english, german

    with tempfile.TemporaryDirectory(prefix='remsim-i18n.') as work:
        conf = os.path.join(work, 'bankd.conf')
        with open(conf, 'w', encoding='utf-8') as f:
            f.write('[bankd]\nserver-host=127.0.0.1\nbogus=1\n')
        cases = []
        if ctl:
            cases += [
                ('remsim-ctl --help', [ctl, '--help'], 0,
                 [both('Commands:'),
                  both('Show which daemons answer, their versions, and their links')]),
                ('remsim-ctl, unknown command', [ctl, 'frobnicate'], 2,
                 [both('there is no command %s: remsim-ctl --help lists the commands',
                       'frobnicate')]),
            ]
        else:
            print('note: remsim-ctl is not built (-Dctl), only remsim-bankd is checked')
        cases += [
            ('remsim-bankd --help', [bankd, '--help'], 0,
             [both('The remsim SIM bank daemon.'), both('Bank id, 1..1023'),
              both('Configuration file')]),
            ('remsim-bankd, not a number', [bankd, '--bank-id=abc'], 2,
             [both('“%s” is not a number', 'abc')]),
            ('remsim-bankd, out of range', [bankd, '--bank-id=5000'], 2,
             [both('%d is not in %d..%d', 5000, 1, 1023)]),
            ('remsim-bankd, config file', [bankd, '--no-dbus', '-c', conf], 2,
             [('%s:3: [bankd] bogus: ' % conf + e, '%s:3: [bankd] bogus: ' % conf + g)
              for e, g in [both('unknown key')]]),
        ]

        locale_env = make_locale(work)
        base = base_env(podir)
        german = [
            ('LANGUAGE=de LC_ALL=%s' % LOCALE, dict(base, LANGUAGE='de', LC_ALL=LOCALE,
                                                     **locale_env)),
            ('LANG=%s' % LOCALE, dict(base, LANG=LOCALE, **locale_env)),
        ]
        # LANGUAGE counts in every locale but C (C.UTF-8 too): without it, or in
        # C, English; in C, GLib prints “ ” as ?
        english = [
            ('no locale variables', base),
            ('LC_ALL=C.UTF-8', dict(base, LC_ALL='C.UTF-8')),
            ('LANGUAGE=de LC_ALL=C', dict(base, LANGUAGE='de', LC_ALL='C')),
        ]
        for env_label, env in german:
            for label, argv, status, pairs in cases:
                expect('%s, %s' % (env_label, label), argv, env, status,
                       [g for e, g in pairs], [e for e, g in pairs])
        for env_label, env in english:
            for label, argv, status, pairs in cases:
                expect('%s, %s' % (env_label, label), argv, env, status,
                       [e for e, g in pairs], [g for e, g in pairs], ascii_ok=True)
    if failures:
        print('%d failed' % len(failures))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
