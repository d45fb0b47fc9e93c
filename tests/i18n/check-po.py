#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every translation in po/ is valid and complete for the sources as they are now.

usage: check-po.py SRCDIR

  - po/POTFILES.in lists every product source file with a translatable message
    (_(), N_(), C_(), NC_(), ngettext()), and only files that exist;
  - the template is made afresh from those files, with the keywords of meson's
    i18n preset 'glib' (what `ninja -C BUILD remsim-pot` runs);
  - each language of po/LINGUAS passes `msgfmt --check --check-format`, and
    translates every message of the template, none of them fuzzy;
  - a backend's "[group] key: ..." keeps that start when translated: the daemon
    finds the FILE:LINE of an error from it.

Exit status 0 when all holds, 1 when not (the message names the msgids and the
command that updates the .po files), 77 (a skip) when gettext's tools are
missing; meson runs it through tests/common/remsim-test-exitcode.sh, which
fails a skip with REMSIM_TEST_STRICT=1.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# meson's i18n.gettext(preset: 'glib'), mesonbuild/modules/i18n.py, plus the
# -k_ its gettext script adds
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments', '-k_',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]

# the folders of product code; their tests/ and fuzz/ folders are not
PRODUCT_DIRS = ['bench', 'client', 'common', 'core', 'ctl', 'plugins', 'rspro', 'server']
GETTEXT_CALL = re.compile(r'\b(?:N?_|C_|NC_|ngettext|g_dngettext)\(')

# "[%s] key: " or "[%s]: " at the start of a backend's config error
KEY_PREFIX = re.compile(r'^\[%s\](?: [\w%-]+)?:')

UPDATE_HOWTO = (
    'To bring po/LANG.po up to date with the sources, run\n'
    '    ninja -C BUILDDIR remsim-update-po\n'
    '(the same as: ninja -C BUILDDIR remsim-pot && msgmerge --update po/LANG.po po/remsim.pot),\n'
    'then translate each empty msgstr, and check each entry marked "#, fuzzy" and remove\n'
    'the mark; po/de.po starts with the glossary to follow.')


def tools_missing():
    missing = [t for t in ('xgettext', 'msgmerge', 'msgfmt') if shutil.which(t) is None]
    if not missing:
        return False
    print('%s not installed (package gettext)' % ', '.join(missing), file=sys.stderr)
    return True


def unquote(s):
    """a PO string literal's text"""
    return bytes(s[1:-1], 'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')


def parse_po(path):
    """the entries of a PO file: dicts with msgctxt, msgid, msgid_plural, msgstr
    (a list), flags (a set) and obsolete"""
    entries = []
    entry, field = None, None
    with open(path, encoding='utf-8') as f:
        for line in f.read().splitlines() + ['']:
            obsolete = line.startswith('#~')
            if obsolete:
                line = line[2:].strip()
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if not line or (m and m.group(1) in ('msgctxt', 'msgid') and field and
                            field[0] == 'msgstr'):
                # a blank line, or a new message right after the last one's msgstr
                if entry is not None and 'msgid' in entry:
                    entries.append(entry)
                entry, field = None, None
                if not line:
                    continue
            if entry is None:
                entry = {'flags': set(), 'msgstr': [], 'obsolete': False}
            if line.startswith('#,'):
                entry['flags'] |= {w.strip() for w in line[2:].split(',')}
            elif m and m.group(1).startswith('msgstr'):
                entry['msgstr'].append(unquote(m.group(2)))
                field = ('msgstr', len(entry['msgstr']) - 1)
            elif m:
                entry[m.group(1)] = unquote(m.group(2))
                field = (m.group(1),)
            elif line.startswith('"') and field is not None:
                if field[0] == 'msgstr':
                    entry['msgstr'][field[1]] += unquote(line)
                else:
                    entry[field[0]] += unquote(line)
            entry['obsolete'] = entry['obsolete'] or obsolete
    return entries


def describe(entry):
    text = entry['msgid']
    if 'msgctxt' in entry:
        text = '[%s] %s' % (entry['msgctxt'], text)
    return repr(text)


def check_potfiles(srcdir):
    """problems of po/POTFILES.in, and the files it lists"""
    problems = []
    with open(os.path.join(srcdir, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith('#')]
    wanted = []
    for top in PRODUCT_DIRS:
        for folder, dirs, files in os.walk(os.path.join(srcdir, top)):
            dirs[:] = sorted(d for d in dirs if d not in ('tests', 'fuzz'))
            for name in sorted(files):
                if not name.endswith('.c'):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    if GETTEXT_CALL.search(f.read()):
                        wanted.append(os.path.relpath(path, srcdir))
    for path in listed:
        if not os.path.isfile(os.path.join(srcdir, path)):
            problems.append('po/POTFILES.in lists %s, which does not exist' % path)
        elif path not in wanted:
            problems.append('po/POTFILES.in lists %s, which has no translatable message' % path)
    for path in wanted:
        if path not in listed:
            problems.append('%s has translatable messages but is not in po/POTFILES.in' % path)
    return problems


def check_language(srcdir, lang, pot, work):
    """problems of po/LANG.po against the template @pot"""
    po = os.path.join(srcdir, 'po', lang + '.po')
    problems = []
    if not os.path.isfile(po):
        return ['po/LINGUAS names %s, but there is no po/%s.po' % (lang, lang)]
    r = subprocess.run(['msgfmt', '--check', '--check-format', '--statistics', '-o', os.devnull,
                        po], capture_output=True, text=True)
    print('po/%s.po: %s' % (lang, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''))
    if r.returncode != 0:
        problems.append('msgfmt --check --check-format po/%s.po fails:\n%s' % (lang, r.stderr))
    merged = os.path.join(work, lang + '.po')
    subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot],
                   check=True)
    untranslated, fuzzy, stale, prefixes = [], [], [], []
    for e in parse_po(merged):
        if e['msgid'] == '':
            continue
        if e['obsolete']:
            stale.append(e)
        elif 'fuzzy' in e['flags']:
            fuzzy.append(e)
        elif not e['msgstr'] or any(s == '' for s in e['msgstr']):
            untranslated.append(e)
        else:
            m = KEY_PREFIX.match(e['msgid'])
            if m and any(not s.startswith(m.group(0)) for s in e['msgstr']):
                prefixes.append((e, m.group(0)))
    if untranslated:
        problems.append('po/%s.po lacks the translation of %d message(s):\n%s' % (
            lang, len(untranslated), '\n'.join('    ' + describe(e) for e in untranslated)))
    if fuzzy:
        problems.append('po/%s.po has %d fuzzy translation(s), not used until checked:\n%s' % (
            lang, len(fuzzy), '\n'.join('    ' + describe(e) for e in fuzzy)))
    for e, prefix in prefixes:
        problems.append('po/%s.po: the translation of %s must start with %r, as the daemon '
                        'finds the line of the file from it' % (lang, describe(e), prefix))
    if stale:
        # not an error: msgmerge keeps them as obsolete; the next update drops them
        print('note: po/%s.po has %d message(s) the sources no longer have' % (lang, len(stale)))
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    srcdir = os.path.abspath(sys.argv[1])
    if tools_missing():
        return 77
    problems = check_potfiles(srcdir)
    with open(os.path.join(srcdir, 'po', 'LINGUAS'), encoding='utf-8') as f:
        langs = [w for l in f if not l.startswith('#') for w in l.split()]
    with tempfile.TemporaryDirectory(prefix='remsim-po.') as work:
        pot = os.path.join(work, 'remsim.pot')
        subprocess.run(['xgettext', '--package-name=remsim', '-f',
                        os.path.join(srcdir, 'po', 'POTFILES.in'), '-D', srcdir, '-o', pot] +
                       XGETTEXT_ARGS, check=True)
        n = sum(1 for e in parse_po(pot) if e['msgid'] != '')
        print('the sources have %d messages; languages: %s' % (n, ' '.join(langs) or 'none'))
        if not langs:
            problems.append('po/LINGUAS names no language')
        for lang in langs:
            problems += check_language(srcdir, lang, pot, work)
    if problems:
        for p in problems:
            print('FAIL: ' + p)
        print(UPDATE_HOWTO)
        return 1
    print('ok: every message is translated in ' + ', '.join('po/%s.po' % l for l in langs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
