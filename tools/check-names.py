#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks remsim's naming rules on C sources (doc/design.md, "Names").

Usage: check-names.py TOP                   every C file git knows under TOP
       check-names.py --root DIR FILE...    these files, named by their path in DIR
                                            (the checker's own tests)

Each problem is printed as FILE:LINE: [rule] message; the exit status is 1 if
there was any. The rules:

  prefix     every function defined in product code starts with its file's
             prefix (remsim-bankd-slot.c: remsim_bankd_slot_), statics too
  component  a product file's name and every type it defines carry the
             component of its folder (server/: remsim-server-*, RemsimServer*)
  unique     no two types with one name anywhere in the tree
  callback   signal and source callbacks end in _cb, GAsyncReadyCallbacks in
             _ready, and nothing else does
  async      an _async function takes a GCancellable and has its own _finish
  quark      an error quark's string is one token (clang-format splits
             remsim-x-error into "remsim - x - error")
  failed     *_FAILED is code 0 of every error enum
  log        log calls are never translated: no _() inside g_message() & co.
             or remsim_log_message() & co.

Test programs (*/tests/*.c, fuzz targets; in tests/common only its own tests/)
are product code for every rule but prefix and component.
"""

import os
import re
import subprocess
import sys

# folder (relative to the top) -> (file name prefix, type prefix); longest match wins
COMPONENTS = {
    'rspro': ('rspro-', 'Rspro'),
    'core': ('remsim-bankd', 'RemsimBankd'),
    'core/sdk': ('remsim-', 'Remsim'),
    'server': ('remsim-server', 'RemsimServer'),
    'client': ('remsim-client', 'RemsimClient'),
    'plugins/simcard': ('remsim-simcard', 'RemsimSimcard'),
    'plugins/pcsc': ('remsim-pcsc', 'RemsimPcsc'),
    'plugins/example': ('remsim-example', 'RemsimExample'),
    'plugins/ccid': ('remsim-ccid', 'RemsimCcid'),
    'plugins/slot-rules': ('remsim-slot', 'RemsimSlot'),
    'common': ('remsim-', 'Remsim'),
    'ctl': ('remsim-ctl', 'RemsimCtl'),
    'bench': ('remsim-bench', 'RemsimBench'),
    'tests/common': ('remsim-test', 'RemsimTest'),
}

# functions whose names an outside API fixes
EXTERNAL_NAMES = re.compile(r'^(main|LLVMFuzzerTestOneInput|IFDH[A-Za-z]+)$')

DECLARE_MACROS = ('G_DEFINE_', 'G_DECLARE_', 'REMSIM_DEFINE_', 'G_STATIC_ASSERT')

# functions that take source or bus callbacks: which arguments are callbacks
SOURCE_CALLBACK_SETTERS = {
    'g_idle_add': (0,), 'g_idle_add_once': (0,), 'g_idle_add_full': (1,),
    'g_timeout_add': (1,), 'g_timeout_add_once': (1,), 'g_timeout_add_full': (2,),
    'g_timeout_add_seconds': (1,), 'g_timeout_add_seconds_full': (2,),
    'g_source_set_callback': (1,), 'g_unix_signal_add': (1,), 'g_unix_signal_add_full': (2,),
    'g_unix_fd_add': (2,), 'g_unix_fd_add_full': (3,), 'g_child_watch_add': (1,),
    'g_child_watch_add_full': (2,), 'g_io_add_watch': (2,), 'g_io_add_watch_full': (3,),
    'g_bus_own_name': (3, 4, 5), 'g_bus_own_name_on_connection': (3, 4),
    'g_bus_watch_name': (3, 4), 'g_bus_watch_name_on_connection': (3, 4),
    'g_main_context_invoke': (1,), 'g_main_context_invoke_full': (2,),
}

LOG_CALLS = ('g_message', 'g_warning', 'g_info', 'g_debug', 'g_critical', 'g_log',
             'g_log_structured')
# common/remsim-log.h: the first argument says which object the line is about
TAGGED_LOG_CALLS = ('remsim_log_debug', 'remsim_log_info', 'remsim_log_message',
                    'remsim_log_warning')


class Problem(Exception):
    pass


def strip_comments_and_strings(text):
    """Blanks comments and string/char literals, keeping offsets and lines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def line_of(text, offset):
    return text.count('\n', 0, offset) + 1


def component_of(rel):
    folder = os.path.dirname(rel)
    best = None
    for key in COMPONENTS:
        if folder == key or folder.startswith(key + '/'):
            if best is None or len(key) > len(best):
                best = key
    return COMPONENTS[best] if best else None


def is_test_code(rel):
    return is_test_program(rel) or rel.startswith('tests/common/')


def is_test_program(rel):
    parts = rel.split('/')
    if rel.startswith('tests/common/'):
        # the helpers are product code; their own tests (tests/common/tests/) are not
        parts = parts[2:]
    return 'tests' in parts or 'fuzz' in parts


def function_definitions(code):
    """(name, params, offset) of each function defined at the top level.

    The parameter list ends at its own closing parenthesis: a line such as
    G_DEFINE_FINAL_TYPE(...) with no semicolon after it is no definition, and
    does not swallow the function that follows it.
    """
    for m in re.finditer(r'^([A-Za-z_]\w*)\s*\(', code, re.M):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {'(': 1, ')': -1}.get(code[i], 0)
            i += 1
        params = code[m.end():i - 1]
        if depth or ';' in params or '{' in params:
            continue
        if not re.match(r'\s*(?:G_GNUC_\w+\s*(?:\([^()]*\)\s*)?)*\{', code[i:]):
            continue
        name = m.group(1)
        if name.startswith(DECLARE_MACROS) or name.isupper():
            continue
        yield name, params, m.start()


def check_prefix(rel, code, report):
    prefix = os.path.basename(rel).rsplit('.', 1)[0].replace('-', '_')
    for name, _params, off in function_definitions(code):
        if EXTERNAL_NAMES.match(name):
            continue
        if name != prefix and not name.startswith(prefix + '_'):
            report(off, 'prefix', '%s() does not start with %s_' % (name, prefix))


def defined_types(code):
    for m in re.finditer(r'G_DECLARE_(?:FINAL|DERIVABLE|INTERFACE)_TYPE\s*\(\s*(\w+)', code):
        yield m.group(1), m.start()
    for m in re.finditer(r'\}\s*(\w+)\s*;', code):
        before = code[:m.start()]
        depth, i = 0, len(before) - 1
        # only the closing brace of a typedef at the top level
        while i >= 0:
            if before[i] == '}':
                depth += 1
            elif before[i] == '{':
                if depth == 0:
                    break
                depth -= 1
            i -= 1
        head = before[max(0, before.rfind(';', 0, i) + 1, before.rfind('}', 0, i) + 1):i]
        if re.search(r'\btypedef\s+(struct|enum|union)(\s+\w+)?\s*$', head):
            yield m.group(1), m.start()
    for m in re.finditer(r'\btypedef\s+(?:struct|enum|union)\s+\w+\s+(\w+)\s*;', code):
        yield m.group(1), m.start()


def check_component(rel, code, report):
    comp = component_of(rel)
    if comp is None:
        return
    file_prefix, type_prefix = comp
    base = os.path.basename(rel)
    if not base.startswith(file_prefix) and not base.endswith('.in'):
        report(0, 'component', 'file name does not start with %s' % file_prefix)
    for name, off in defined_types(code):
        if not name.startswith(type_prefix):
            report(off, 'component', 'type %s does not start with %s' % (name, type_prefix))


def called_function_args(code, callee):
    """The text of each argument list of calls to @callee."""
    for m in re.finditer(r'\b%s\s*\(' % re.escape(callee), code):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {'(': 1, ')': -1}.get(code[i], 0)
            i += 1
        yield code[m.end():i - 1], m.start()


def split_arguments(args):
    parts, depth, cur = [], 0, ''
    for c in args:
        if c == ',' and depth == 0:
            parts.append(cur)
            cur = ''
            continue
        depth += {'(': 1, ')': -1}.get(c, 0)
        cur += c
    parts.append(cur)
    return parts


def check_callbacks(rel, code, report):
    defined = {name: (params, off) for name, params, off in function_definitions(code)}
    source_cbs = set()
    for m in re.finditer(r'G_CALLBACK\s*\(\s*(\w+)\s*\)', code):
        source_cbs.add(m.group(1))
    for setter, positions in SOURCE_CALLBACK_SETTERS.items():
        for args, _off in called_function_args(code, setter):
            parts = split_arguments(args)
            for pos in positions:
                word = parts[pos].strip() if pos < len(parts) else ''
                word = re.sub(r'^\(\w+\)\s*', '', word)
                if word in defined:
                    source_cbs.add(word)
    # a GSourceFunc handed on by value (through a helper that arms a timer, say);
    # tests pass predicates of that shape to their wait helpers, so only product code
    for name, (params, off) in defined.items() if not is_test_code(rel) else []:
        returns = code[:off].rstrip().split('\n')[-1]
        used_as_value = re.search(r'\b%s\b(?!\s*\()' % re.escape(name), code[off + len(name):])
        if (re.fullmatch(r'\s*gpointer\s*\w*\s*', params) and 'gboolean' in returns and
                used_as_value):
            source_cbs.add(name)
    for name, (params, off) in defined.items():
        ready_like = re.fullmatch(
            r'\s*GObject\s*\*\s*\w*\s*,\s*GAsyncResult\s*\*\s*\w*\s*,\s*gpointer\s*\w*\s*', params)
        if ready_like and not name.endswith('_ready'):
            report(off, 'callback', '%s() is a GAsyncReadyCallback: name it *_ready' % name)
        elif name.endswith('_ready') and not ready_like:
            report(off, 'callback', '%s() ends in _ready but is no GAsyncReadyCallback' % name)
        elif name in source_cbs and not name.endswith('_cb'):
            report(off, 'callback', '%s() is a signal or source callback: name it *_cb' % name)
        elif name.endswith('_cb') and name not in source_cbs and 'GAsyncResult' in params:
            report(off, 'callback', '%s() takes a GAsyncResult: name it *_ready' % name)


def check_async(rel, code, report):
    names = set(re.findall(r'\b(\w+_finish)\b', code))
    for name, params, off in function_definitions(code):
        if not name.endswith('_async'):
            continue
        if 'GCancellable' not in params:
            report(off, 'async', '%s() takes no GCancellable' % name)
        if name[:-len('_async')] + '_finish' not in names:
            report(off, 'async', '%s() has no %s_finish' % (name, name[:-len('_async')]))


def check_quarks(rel, raw, report):
    for m in re.finditer(r'G_DEFINE_QUARK\s*\(([^,]*),', raw):
        if not re.fullmatch(r'\s*[a-z0-9_]+\s*', m.group(1)):
            report(m.start(), 'quark', 'quark string %r is not one token' % m.group(1).strip())


def check_failed(rel, code, report):
    for m in re.finditer(r'typedef\s+enum\s*(\w*)\s*\{([^}]*)\}\s*(\w+Error)\s*;', code):
        first = m.group(2).strip().split(',')[0].strip()
        name = first.split('=')[0].strip()
        value = first.split('=')[1].strip() if '=' in first else '0'
        if not name.endswith('_FAILED') or value not in ('0', ''):
            report(m.start(), 'failed', '%s: code 0 is %s, not *_FAILED' % (m.group(3), name))


def check_logs(rel, code, report):
    for call in LOG_CALLS:
        for m in re.finditer(r'\b%s\s*\(\s*(?:[A-Z_]+\s*,\s*)?(_|N_|C_|ngettext)\s*\(' % call,
                             code):
            report(m.start(), 'log', '%s() text is translated: logs are for operators' % call)
    for call in TAGGED_LOG_CALLS:
        for m in re.finditer(r'\b%s\s*\([^;,]*,\s*(_|N_|C_|ngettext)\s*\(' % call, code):
            report(m.start(), 'log', '%s() text is translated: logs are for operators' % call)


def check_file(rel, path, types_seen, report_out):
    raw = open(path, encoding='utf-8').read()
    code = strip_comments_and_strings(raw)

    def report(offset, rule, message):
        report_out.append('%s:%d: [%s] %s' % (rel, line_of(raw, offset), rule, message))

    test_program = is_test_program(rel)
    if rel.endswith('.c') and not test_program:
        check_prefix(rel, code, report)
    if not test_program:
        check_component(rel, code, report)
    for name, off in defined_types(code):
        if name in types_seen and types_seen[name] != rel:
            report(off, 'unique', 'type %s is also defined in %s' % (name, types_seen[name]))
        types_seen.setdefault(name, rel)
    check_callbacks(rel, code, report)
    if rel.endswith('.c'):
        check_async(rel, code, report)
    check_quarks(rel, raw, report)
    check_failed(rel, code, report)
    check_logs(rel, code, report)


def main(argv):
    if len(argv) == 2 and os.path.isdir(argv[1]):
        top = argv[1]
        files = subprocess.run(['git', '-C', top, 'ls-files', '*.c', '*.h'], check=True,
                               capture_output=True, text=True).stdout.split()
        # the checker's own bad examples are checked by tools/tests/test-check-names.py
        files = [(f, os.path.join(top, f)) for f in files if not f.startswith('tools/tests/')]
    elif len(argv) > 3 and argv[1] == '--root':
        files = [(os.path.relpath(f, argv[2]), f) for f in argv[3:]]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    problems, types_seen = [], {}
    for rel, path in sorted(files):
        check_file(rel, path, types_seen, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
