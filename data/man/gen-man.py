#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Makes a manual page from an scdoc template and a program's own tables.

Usage: gen-man.py [--doc MARKDOWN] TEMPLATE OUTPUT VERSION [BINARY]

The template is scdoc (https://git.sr.ht/~sircmpwn/scdoc) with markers that are
replaced from the program itself, so options, keys and commands cannot drift
from the code:
  @OPTIONS@   a daemon's command-line options (BINARY --dump-keys), with value,
              default and help
  @KEYS@      a daemon's configuration file keys (BINARY --dump-keys)
  @COMMANDS@  a tool's commands, each with its arguments, summary, own options
              and description (BINARY --help and BINARY COMMAND --help, which
              come from its command table)
  @GLOBAL@    the options a tool takes before or after any command (BINARY --help)
  @JSON@      the JSON objects and outputs documented in MARKDOWN's "Objects" and
              "Output of each command" tables (doc/remsim-ctl.md)
  @VERSION@   the version
The result is piped through scdoc into OUTPUT.
"""

import os
import re
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


# --- a tool with commands (remsim-ctl): its --help, untranslated ---

# the options every command of remsim-ctl takes; listed once, under @GLOBAL@
GLOBAL_OPTIONS = ('--json', '--session', '--server', '--token', '--token-file', '--ca')


def run_help(binary, *args):
    env = dict(os.environ, LC_ALL='C.UTF-8', NO_COLOR='1')
    env.pop('LANGUAGE', None)
    return subprocess.check_output([binary] + list(args) + ['--help'], text=True, env=env)


def help_blocks(text):
    """the blank-line separated blocks of a GOption --help"""
    return [b.strip('\n') for b in re.split(r'\n\s*\n', text) if b.strip()]


def help_options(text):
    """[(spelling, help)] of the 'Application Options:' block"""
    for block in help_blocks(text):
        lines = block.splitlines()
        if lines[0] == 'Application Options:':
            return [tuple(re.split(r'\s{2,}', l.strip(), maxsplit=1)) for l in lines[1:]]
    return []


def format_option(spelling, text):
    names = []
    for name in spelling.split(', '):
        flag, _, value = name.partition('=')
        names.append('*%s*' % escape(flag) + (' _%s_' % escape(value) if value else ''))
    return '%s\n\t%s\n' % (', '.join(names), sentence(text))


def format_global(binary):
    return '\n'.join(format_option(*o) for o in help_options(run_help(binary)))


def format_argument(word):
    """a keyword in bold, a placeholder underlined, brackets as they are"""
    opening, inner, closing = re.match(r'(\[?)(.*?)(\]?)$', word).groups()
    inner = '*%s*' % escape(inner) if inner == inner.lower() else '_%s_' % escape(inner)
    return opening + inner + closing


def format_commands(binary):
    out = []
    blocks = help_blocks(run_help(binary))
    commands = next(b for b in blocks if b.startswith('Commands:')).splitlines()[1:]
    for line in commands:
        head, summary = re.split(r'\s{2,}', line.strip(), maxsplit=1)
        name, _, arguments = head.partition(' ')
        own = run_help(binary, name)
        words = ' '.join(format_argument(w) for w in arguments.split())
        entry = '*%s*%s\n\t%s' % (escape(name), ' ' + words if words else '', sentence(summary))
        last = help_blocks(own)[-1]
        if not last.startswith(('Application Options:', 'Help Options:')):
            entry += ' ' + escape(' '.join(last.split()))
        for spelling, text in help_options(own):
            flags = [n.partition('=')[0] for n in spelling.split(', ')]
            if not any(f in GLOBAL_OPTIONS for f in flags):
                entry += '\n\n\t' + format_option(spelling, text).replace('\n\t', ': ', 1).strip()
        out.append(entry + '\n')
    return '\n'.join(out)


# --- JSON shapes from the Markdown document ---

def inline(text):
    """Markdown `code` and *emphasis* as scdoc bold and underline"""
    parts = re.split(r'(`[^`]*`)', text.strip())
    out = ''
    for part in parts:
        if part.startswith('`') and part.endswith('`') and len(part) > 1:
            out += '*%s*' % escape(part[1:-1])
        else:
            out += re.sub(r'\\\*([^*]+)\\\*', r'_\1_', escape(part))
    return out


def format_json(markdown):
    """the member tables of the document's "Objects" and "Output of each command" """
    out = []
    section = None
    prose = True
    for line in open(markdown, encoding='utf-8').read().splitlines():
        if line.startswith('### ') or line.startswith('## '):
            section = {'### Objects': 'OBJECTS',
                       '### Output of each command': 'OUTPUT OF EACH COMMAND'}.get(line)
            if section:
                out.append('## %s\n' % section)
            continue
        if section is None:
            continue
        if line.startswith('#### '):
            name = line[5:].strip().strip('`')
            title = name if section == 'OBJECTS' else 'remsim-ctl %s --json' % name
            out.append('*%s*' % escape(title))
            prose = True
        elif line.startswith('| ') and not line.startswith(('| member', '| event', '|---')):
            cells = [c.strip() for c in line.strip('|').split('|')]
            if len(cells) == 3:
                out.append('- %s (%s): %s' % (inline(cells[0]), inline(cells[1]),
                                              inline(cells[2])))
            else:
                out.append('- %s (%s): %s; %s' % (inline(cells[0]), inline(cells[1]),
                                                  inline(cells[2]), inline(cells[3])))
            prose = False
        elif line.strip() and not line.startswith('|'):
            out.append(('\t' if prose else '') + inline(line))
        elif not line.strip():
            out.append('')
    return re.sub(r'\n{3,}', '\n\n', '\n'.join(out)).strip() + '\n'


def main(argv):
    markdown = None
    if len(argv) > 2 and argv[1] == '--doc':
        markdown = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    template, output, version = argv[1:4]
    text = open(template, encoding='utf-8').read().replace('@VERSION@', version)
    if len(argv) == 5 and ('@OPTIONS@' in text or '@KEYS@' in text):
        rows = read_keys(argv[4])
        text = text.replace('@OPTIONS@', format_options(rows)).replace('@KEYS@', format_keys(rows))
    if len(argv) == 5 and '@COMMANDS@' in text:
        text = text.replace('@COMMANDS@', format_commands(argv[4]))
        text = text.replace('@GLOBAL@', format_global(argv[4]))
    if markdown is not None:
        text = text.replace('@JSON@', format_json(markdown))
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
