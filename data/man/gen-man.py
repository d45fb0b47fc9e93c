#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Makes a manual page from an scdoc template and a daemon's key table.

Usage: gen-man.py TEMPLATE OUTPUT VERSION [BINARY]

The template is scdoc (https://git.sr.ht/~sircmpwn/scdoc) with markers that are
replaced from `BINARY --dump-keys`, so options and keys cannot drift from the code:
  @OPTIONS@   every command-line option, with its value, default and help
  @KEYS@      every configuration file key, with where it may stand
  @VERSION@   the version
The result is piped through scdoc into OUTPUT.
"""

import subprocess
import sys


def read_keys(binary):
    rows = []
    out = subprocess.check_output([binary, '--dump-keys'], text=True)
    for line in out.splitlines():
        if line.startswith('#') or not line.strip():
            continue
        key, groups, options, value, default, text = line.split('\t')
        rows.append({'key': key, 'groups': groups, 'options': options, 'value': value,
                     'default': default, 'help': text})
    return rows


def escape(text):
    # scdoc formats *bold* and _underline_: keep ours literal
    return text.replace('\\', '\\\\').replace('*', '\\*').replace('_', '\\_')


def option_names(row):
    """['*-i*, *--server-host* _HOST_', ...]: every spelling that takes a value"""
    names = []
    for spelling in row['options'].split(', '):
        if ' (' in spelling:  # a flag that sets one value: "--no-dbus (false)"
            flag, value = spelling[:-1].split(' (')
            names.append('*%s* (sets %s to %s)' % (escape(flag), escape(row['key']),
                                                    escape(value)))
        else:
            names.append('*%s*' % escape(spelling))
    return names


def value_of(row):
    # the common key debug is a boolean in the file, and its option takes upstream's log mask
    if row['key'] == 'debug':
        return ' _MASK_'
    if row['value'] in ('true|false', '-'):
        return ''
    return ' _%s_' % escape(row['value'])


def sentence(text):
    return escape(text if text.endswith('.') else text + '.')


def default_text(row):
    return '' if row['default'] == '-' else ' Default: %s.' % escape(row['default'])


def format_options(rows):
    out = []
    for row in rows:
        if row['options'] == '-':
            continue
        head = ', '.join(option_names(row))
        if any(' (' not in o for o in row['options'].split(', ')):
            head += value_of(row)
        out.append('%s\n\t%s%s\n' % (head, sentence(row['help']), default_text(row)))
    return '\n'.join(out)


def format_keys(rows):
    out = []
    for row in rows:
        if row['groups'] == '-':
            continue
        value = row['value'] if row['value'] != '-' else 'VALUE'
        out.append('*%s* = _%s_\n\t%s%s Allowed in %s.\n' %
                   (escape(row['key']), escape(value), sentence(row['help']), default_text(row),
                    escape(row['groups'].replace('] [', '], ['))))
    return '\n'.join(out)


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    template, output, version = argv[1:4]
    text = open(template, encoding='utf-8').read().replace('@VERSION@', version)
    if len(argv) == 5:
        rows = read_keys(argv[4])
        text = text.replace('@OPTIONS@', format_options(rows)).replace('@KEYS@', format_keys(rows))
    if '@' in ''.join(l for l in text.splitlines() if l.strip().startswith('@')):
        print('%s: a marker was not replaced' % template, file=sys.stderr)
        return 1
    page = subprocess.run(['scdoc'], input=text, capture_output=True, text=True)
    if page.returncode != 0:
        print('%s: scdoc: %s' % (template, page.stderr.strip()), file=sys.stderr)
        return 1
    open(output, 'w', encoding='utf-8').write(page.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
