#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Who may use remsim-server's REST API and its D-Bus methods, with the real
server on 127.0.0.1, curl, remsim-ctl, certtool and a private dbus-daemon:

- upstream's command line: REST on every address, one warning, open;
- the shipped server.conf binds REST to 127.0.0.1, without the warning;
- a tokens file: a bad line named FILE:LINE, a world-readable file warned
  about, read again on SIGHUP (a bad one then changes nothing); no token or an unknown one 401, a read token GET only (403 for
  changes), a write token everything, on upstream's routes and on /api/v1,
  /metrics and the event stream; the web view's page without a token;
- one audit line for each map made or removed, reset, and refused login;
- HTTPS with certificates made here: curl --cacert, remsim-ctl --ca --token;
- D-Bus: a caller of another uid refused (org.remsim.Error.AccessDenied, an
  audit line), root and the members of dbus-group accepted, on the server and
  (where the build has it) on remsim-bankd.

Exit 77 (a skip) without curl, certtool, dbus-daemon, gdbus or setpriv, or
when not root (setpriv); meson runs it through remsim-test-exitcode.sh, which
fails a skip with REMSIM_TEST_STRICT=1.
"""

import grp
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = float(os.environ.get('REMSIM_TEST_TIMEOUT', '30'))
READ = 'viewer-token-0123456789'
WRITE = 'ops-token-0123456789abcdef'
MAP = {'bank': {'bankId': 1, 'slotNr': 0}, 'client': {'clientId': 2, 'slotNr': 0}}
MAP2 = {'bank': {'bankId': 1, 'slotNr': 1}, 'client': {'clientId': 3, 'slotNr': 0}}
OPEN_WARNING = 'is open to the network without tokens'


def skip(why):
    print('SKIP: ' + why, file=sys.stderr)
    sys.exit(77)


def wait_for(what, check):
    """the one wait: @check() until it returns something true, or fail"""
    deadline = time.monotonic() + TIMEOUT
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.05)


class Server:
    """remsim-server with its log in a file; stop() asserts it ended cleanly"""

    def __init__(self, work, name, args, env=None):
        self.log_path = os.path.join(work, name + '.log')
        self.ports_path = os.path.join(work, name + '.ports')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [os.environ['REMSIM_SERVER'], '--no-dbus' if env is None else '--session',
             '--bind-ip', '127.0.0.1', '--rspro-port', '0', '--rest-port', '0',
             '--state-dir', os.path.join(work, name + '-state'),
             '--port-file', self.ports_path] + args,
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.ports = wait_for(name, self._read_ports)

    def _read_ports(self):
        if self.proc.poll() is not None:
            raise AssertionError('the server ended: ' + self.text())
        try:
            with open(self.ports_path) as f:
                pairs = dict(line.strip().split('=') for line in f if '=' in line)
            return pairs if 'rest' in pairs else None
        except OSError:
            return None

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def audit(self):
        return [line for line in self.text().splitlines() if 'audit: ' in line]

    def stop(self):
        self.proc.terminate()
        status = self.proc.wait(timeout=TIMEOUT)
        self.log.close()
        # a leak or a sanitizer's finding is a failed exit
        assert status == 0, (status, self.text()[-3000:])


def curl(url, method='GET', token=None, body=None, extra=()):
    """(status, headers text, JSON body or None) of one request"""
    argv = ['curl', '-sS', '-m', str(int(TIMEOUT)), '-X', method, '-D', '-',
            '-o', '/dev/stdout', '-w', '\n%{http_code}']
    if token is not None:
        argv += ['-H', 'Authorization: Bearer ' + token]
    if body is not None:
        argv += ['-H', 'Content-Type: application/json', '--data-binary', json.dumps(body)]
    out = subprocess.run(argv + list(extra) + [url], capture_output=True, text=True,
                         timeout=TIMEOUT)
    assert out.returncode == 0, (url, out.stderr)
    # text mode has made every CRLF a LF
    text, status = out.stdout.rsplit('\n', 1)
    head, _, payload = text.partition('\n\n')
    data = json.loads(payload) if payload.strip().startswith(('{', '[')) else None
    return int(status), head, data


def listening_address(port):
    """the address the kernel has for a listening TCP port (/proc/net/tcp, tcp6)"""
    for name, width in (('tcp', 8), ('tcp6', 32)):
        with open('/proc/net/' + name) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                addr, hexport = fields[1].split(':')
                if int(hexport, 16) == port and fields[3] == '0A':
                    return name, addr
    return None


def ctl(args, env_token=None):
    env = dict(os.environ)
    env.pop('REMSIM_TOKEN', None)
    if env_token is not None:
        env['REMSIM_TOKEN'] = env_token
    env['LANG'] = env['LC_ALL'] = 'C'
    return subprocess.run([os.environ['REMSIM_CTL']] + args, capture_output=True, text=True,
                          env=env, timeout=TIMEOUT)


def check_open(work):
    """upstream's command line, no config file: open on every address, one warning"""
    empty = os.path.join(work, 'empty.conf')
    open(empty, 'w').close()
    server = Server(work, 'open', ['--config', empty])
    try:
        port = int(server.ports['rest'])
        where = listening_address(port)
        assert where in (('tcp', '00000000'), ('tcp6', '0' * 32)), where
        assert server.text().count(OPEN_WARNING) == 1, server.text()
        rest = 'http://127.0.0.1:%d' % port
        status, _, _ = curl(rest + '/api/backend/v1/slotmaps', 'POST', body=MAP)
        assert status == 201, status
        status, _, who = curl(rest + '/api/v1/whoami')
        assert status == 200 and who['write'] and who['token'] is None, who
        audit = server.audit()
        assert any('caller=peer:127.0.0.1 action=create-slotmap bank=1:0 client=2:0 '
                   'result=ok' in line for line in audit), audit
    finally:
        server.stop()
    print('ok: upstream command line: REST on %s, one warning, open' % where[0])


def check_shipped(work):
    """the shipped server.conf: REST on 127.0.0.1 only, no warning"""
    conf = os.path.join(os.environ['REMSIM_SRCDIR'], 'data', 'server.conf')
    server = Server(work, 'shipped', ['--config', conf])
    try:
        where = listening_address(int(server.ports['rest']))
        assert where == ('tcp', '0100007F'), where
        assert OPEN_WARNING not in server.text(), server.text()
    finally:
        server.stop()
    print('ok: the shipped server.conf binds REST to 127.0.0.1')


def check_bad_tokens(work):
    bad = os.path.join(work, 'bad-tokens')
    with open(bad, 'w') as f:
        f.write('# comment\nops write %s\n\nviewer reed %s\n' % (WRITE, READ))
    out = subprocess.run([os.environ['REMSIM_SERVER'], '--no-dbus', '--rspro-port', '0',
                          '--rest-port', '0', '--state-dir', os.path.join(work, 'bad-state'),
                          '--rest-tokens-file', bad], capture_output=True, text=True,
                         timeout=TIMEOUT)
    assert out.returncode != 0, out
    assert '%s:4: the rights of viewer are "reed", not read or write' % bad in out.stderr, \
        out.stderr
    assert WRITE not in out.stderr + out.stdout
    print('ok: a bad tokens line: ' + out.stderr.strip().splitlines()[-1])


def check_tokens(work):
    tokens = os.path.join(work, 'tokens')
    with open(tokens, 'w') as f:
        f.write('# name rights token\nviewer read %s\nops write %s\n' % (READ, WRITE))
    os.chmod(tokens, 0o644)
    server = Server(work, 'tokens', ['--rest-bind-ip', '127.0.0.1',
                                     '--rest-tokens-file', tokens])
    rest = 'http://127.0.0.1:%s' % server.ports['rest']
    try:
        assert 'is readable by every user' in server.text(), server.text()
        assert OPEN_WARNING not in server.text()
        gets = ['/api/backend/v1/slotmaps', '/api/v1/slotmaps', '/api/v1/whoami', '/metrics',
                '/api/v1/events']
        # no token, or an unknown one
        for path in gets:
            for token in (None, 'not-a-known-token-0123'):
                status, head, data = curl(rest + path, token=token)
                assert status == 401, (path, status)
                assert 'WWW-Authenticate: Bearer' in head, head
                assert 'error' in data, data
        status, _, _ = curl(rest + '/api/backend/v1/slotmaps', 'POST', body=MAP)
        assert status == 401, status
        # the web view's page loads without one (it asks for one)
        status, _, _ = curl(rest + '/')
        assert status == 200, status
        # read: GET only
        for path in gets[:4]:
            status, _, _ = curl(rest + path, token=READ)
            assert status == 200, (path, status)
        status, _, who = curl(rest + '/api/v1/whoami', token=READ)
        assert who == {'write': False, 'tokens': True, 'token': 'viewer', 'rights': 'read'}, who
        for method, path, body in (('POST', '/api/backend/v1/slotmaps', MAP),
                                   ('POST', '/api/v1/slotmaps', MAP),
                                   ('DELETE', '/api/backend/v1/slotmaps/65536', None),
                                   ('DELETE', '/api/v1/slotmaps/65536', None),
                                   ('POST', '/api/backend/v1/global-reset', None),
                                   ('POST', '/api/v1/slots/1/0/reset', None)):
            status, _, data = curl(rest + path, method, READ, body)
            assert status == 403 and data == {'error': 'this token may only read'}, \
                (method, path, status, data)
        # the event stream: the token in the URL (EventSource sends no header)
        out = subprocess.run(['curl', '-sS', '-m', '1', '-o', '/dev/null', '-w', '%{http_code}',
                              rest + '/api/v1/events?access_token=' + READ],
                             capture_output=True, text=True, timeout=TIMEOUT)
        assert out.stdout == '200', out
        status, _, _ = curl(rest + '/api/v1/slotmaps?access_token=' + READ)
        assert status == 401, status
        # write: everything, on both APIs
        status, _, who = curl(rest + '/api/v1/whoami', token=WRITE)
        assert who['token'] == 'ops' and who['write'], who
        status, _, _ = curl(rest + '/api/backend/v1/slotmaps', 'POST', WRITE, MAP)
        assert status == 201, status
        status, _, made = curl(rest + '/api/v1/slotmaps', 'POST', WRITE, MAP2)
        assert status == 201, (status, made)
        status, _, _ = curl(rest + '/api/v1/slotmaps/65536', 'DELETE', WRITE)
        assert status == 200, status
        status, _, _ = curl(rest + '/api/backend/v1/slotmaps/65537', 'DELETE', WRITE)
        assert status == 200, status
        status, _, _ = curl(rest + '/api/backend/v1/global-reset', 'POST', WRITE)
        assert status == 200, status
        status, _, _ = curl(rest + '/api/v1/slots/1/0/reset', 'POST', WRITE)
        assert status == 404, status  # no bank 1: refused by the server, not the token
        # what remsim-ctl says
        out = ctl(['--server', rest, 'maps'])
        assert out.returncode == 4 and 'wants a token' in out.stderr, out
        out = ctl(['--server', rest, 'map', '4:0', '1:3'], env_token=READ)
        assert out.returncode == 4 and 'needs a token with write rights' in out.stderr, out
        token_file = os.path.join(work, 'ops-token')
        with open(token_file, 'w') as f:
            f.write(WRITE + '\n')
        out = ctl(['--server', rest, '--token-file', token_file, 'map', '4:0', '1:3'])
        assert out.returncode == 0, out
        audit = server.audit()
        for want in ('caller=token:ops action=create-slotmap bank=1:0 client=2:0 result=ok',
                     'caller=token:ops action=create-slotmap bank=1:1 client=3:0 result=ok',
                     'caller=token:ops action=delete-slotmap id=65536 result=ok',
                     'caller=token:ops action=delete-slotmap id=65537 result=ok',
                     'caller=token:ops action=global-reset result=ok',
                     'caller=token:ops action=reset-card bank=1:0 result=failed',
                     'caller=token:ops action=create-slotmap bank=1:3 client=4:0 result=ok',
                     'caller=peer:127.0.0.1 action=login method=GET '
                     'path=/api/backend/v1/slotmaps result=refused (no token)',
                     'caller=peer:127.0.0.1 action=login method=GET path=/metrics '
                     'result=refused (unknown token)',
                     'caller=token:viewer action=change method=DELETE '
                     'path=/api/v1/slotmaps/65536 result=refused (read-only token)'):
            assert any(want in line for line in audit), (want, audit)
        # a reload reads the file again: a token revoked, a new one; a bad file changes nothing
        renewed = 'ops-renewed-token-0123456789'
        with open(tokens, 'w') as f:
            f.write('viewer read %s\nops write %s\n' % (READ, renewed))
        server.proc.send_signal(signal.SIGHUP)
        wait_for('the tokens read again', lambda: server.text().count(
            'REST: 2 tokens from ' + tokens) == 2)
        status, _, _ = curl(rest + '/api/v1/whoami', token=WRITE)
        assert status == 401, status
        status, _, who = curl(rest + '/api/v1/whoami', token=renewed)
        assert status == 200 and who['token'] == 'ops', (status, who)
        with open(tokens, 'w') as f:
            f.write('ops write\n')
        server.proc.send_signal(signal.SIGHUP)
        wait_for('the bad file refused', lambda: '%s:1: expected NAME RIGHTS TOKEN' % tokens
                 in server.text())
        status, _, _ = curl(rest + '/api/v1/whoami', token=renewed)
        assert status == 200, status
        text = server.text()
        assert READ not in text and WRITE not in text and renewed not in text, 'a token logged'
    finally:
        server.stop()
    print('ok: tokens: 401 without, 403 read-only changes, write everything; %d audit lines'
          % len(audit))


def certtool(args, template=None, work=None):
    argv = ['certtool'] + args
    if template is not None:
        path = os.path.join(work, 'template')
        with open(path, 'w') as f:
            f.write(template)
        argv += ['--template', path]
    subprocess.run(argv, check=True, capture_output=True, timeout=TIMEOUT)


def check_https(work):
    d = os.path.join(work, 'tls')
    os.mkdir(d)
    p = lambda name: os.path.join(d, name)
    certtool(['--generate-privkey', '--outfile', p('ca.key')])
    certtool(['--generate-self-signed', '--load-privkey', p('ca.key'), '--outfile', p('ca.pem')],
             'cn = "remsim test CA"\nca\ncert_signing_key\nexpiration_days = 2\n', d)
    certtool(['--generate-privkey', '--outfile', p('rest.key')])
    certtool(['--generate-certificate', '--load-privkey', p('rest.key'),
              '--load-ca-certificate', p('ca.pem'), '--load-ca-privkey', p('ca.key'),
              '--outfile', p('rest.pem')],
             'cn = "remsim-server"\nip_address = "127.0.0.1"\ntls_www_server\n'
             'signing_key\nencryption_key\nexpiration_days = 2\n', d)
    tokens = os.path.join(work, 'tokens-https')
    with open(tokens, 'w') as f:
        f.write('ops write %s\n' % WRITE)
    os.chmod(tokens, 0o600)
    server = Server(work, 'https', ['--rest-bind-ip', '127.0.0.1', '--rest-tokens-file', tokens,
                                    '--rest-tls-cert', p('rest.pem'),
                                    '--rest-tls-key', p('rest.key')])
    port = server.ports['rest']
    https = 'https://127.0.0.1:%s' % port
    try:
        assert 'is readable by every user' not in server.text()
        status, _, who = curl(https + '/api/v1/whoami', token=WRITE,
                              extra=['--cacert', p('ca.pem')])
        assert status == 200 and who['token'] == 'ops', (status, who)
        status, head, _ = curl(https + '/api/backend/v1/slotmaps',
                               extra=['--cacert', p('ca.pem')])
        assert status == 401 and 'WWW-Authenticate: Bearer' in head, (status, head)
        # not trusted without the CA; no answer over plain HTTP
        out = subprocess.run(['curl', '-sS', '-m', '5', https + '/api/v1/whoami'],
                             capture_output=True, text=True, timeout=TIMEOUT)
        assert out.returncode == 60, out
        out = subprocess.run(['curl', '-sS', '-m', '5', 'http://127.0.0.1:%s/' % port],
                             capture_output=True, text=True, timeout=TIMEOUT)
        assert out.returncode != 0, out
        out = ctl(['--server', https, '--ca', p('ca.pem'), '--token', WRITE,
                   'map', '5:0', '1:5'])
        assert out.returncode == 0, out
        out = ctl(['--server', https, '--ca', p('ca.pem'), '--token', WRITE, '--json', 'maps'])
        assert out.returncode == 0, out
        assert [(m['client_id'], m['bank_slot']) for m in json.loads(out.stdout)['maps']] == \
            [(5, 5)], out.stdout
        out = ctl(['--server', https, '--token', WRITE, 'maps'])
        assert out.returncode == 3 and '--ca FILE' in out.stderr, out
        assert any('caller=token:ops action=create-slotmap bank=1:5 client=5:0 result=ok'
                   in line for line in server.audit()), server.audit()
    finally:
        server.stop()
    print('ok: HTTPS with curl --cacert and remsim-ctl --ca --token')


DBUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <!-- every user may connect and call: the daemon's own check is under test -->
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''


def gdbus(address, method, args, user=None, dest='org.remsim.Server1',
          path='/org/remsim/Server1', iface='org.remsim.Server1'):
    argv = ['gdbus', 'call', '--address', address, '--dest', dest,
            '--object-path', path, '--method', iface + '.' + method]
    if user is not None:
        argv = ['setpriv', '--reuid=%d' % user, '--regid=%d' % user, '--clear-groups'] + argv
    return subprocess.run(argv + args, capture_output=True, text=True, timeout=TIMEOUT)


def check_dbus_bankd(work, address, env, server):
    """the bank's ResetCard and DropClient: uid 65534 refused, root past the check"""
    bankd = os.environ.get('REMSIM_BANKD', 'none')
    if bankd == 'none':
        print('ok: (no remsim-bankd in this build: its D-Bus check not tried)')
        return
    plugin_dir = os.path.dirname(os.environ['REMSIM_TEST_PLUGINS'].split(':')[0])
    conf = os.path.join(work, 'bankd.conf')
    with open(conf, 'w') as f:
        f.write('[bankd]\n')
    log_path = os.path.join(work, 'bankd.log')
    with open(log_path, 'w') as log:
        proc = subprocess.Popen([bankd, '--config', conf, '--session', '-i', '127.0.0.1',
                                 '-p', server.ports['rspro'], '-b', '1', '-n', '1',
                                 '-I', '127.0.0.1', '-P', '0', '--backend', 'example',
                                 '--plugin-dir', plugin_dir],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    slot = dict(dest='org.remsim.Bankd1', path='/org/remsim/Bankd1/Slot/0',
                iface='org.remsim.Bankd1.Slot')
    try:
        wait_for('the bank on the bus', lambda: 'org.remsim.Error.WrongState' in gdbus(
            address, 'DropClient', [], **slot).stderr)
        for method in ('ResetCard', 'DropClient'):
            out = gdbus(address, method, [], user=65534, **slot)
            assert 'org.remsim.Error.AccessDenied' in out.stderr, out
            # root passes the check; the bank then says the slot has no client
            out = gdbus(address, method, [], **slot)
            assert out.returncode != 0 and 'org.remsim.Error.WrongState' in out.stderr, out
        out = gdbus(address, 'Reload', [], user=65534, dest='org.remsim.Bankd1',
                    path='/org/remsim/Bankd1', iface='org.remsim.Bankd1')
        assert 'org.remsim.Error.AccessDenied' in out.stderr, out
    finally:
        proc.terminate()
        status = proc.wait(timeout=TIMEOUT)
    with open(log_path) as f:
        text = f.read()
    assert status == 0, (status, text[-3000:])
    for want in ('(uid=65534) action=ResetCard group=(none) result=refused',
                 '(uid=65534) action=DropClient group=(none) result=refused',
                 '(uid=65534) action=Reload group=(none) result=refused',
                 '(uid=0) action=ResetCard object=/org/remsim/Bankd1/Slot/0 result=allowed',
                 '(uid=0) action=DropClient object=/org/remsim/Bankd1/Slot/0 result=allowed'):
        assert want in text, (want, text)
    print('ok: D-Bus: the bank refuses uid 65534 for ResetCard, DropClient, Reload')


def check_dbus(work):
    d = os.path.join(work, 'bus')
    os.mkdir(d)
    os.chmod(work, 0o755)
    os.chmod(d, 0o755)
    config = os.path.join(work, 'bus.conf')
    with open(config, 'w') as f:
        f.write(DBUS_CONFIG % d)
    bus = subprocess.Popen(['dbus-daemon', '--config-file=' + config, '--nofork',
                            '--print-address=1'], stdout=subprocess.PIPE, text=True)
    server = None
    try:
        address = bus.stdout.readline().strip()
        assert address, 'dbus-daemon gave no address'
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
        server = Server(work, 'dbus', [], env=env)
        wait_for('the server on the bus', lambda: gdbus(
            address, 'GlobalReset', [], None).returncode == 0)
        out = gdbus(address, 'CreateSlotmap', ['1', '0', '2', '0'], user=65534)
        assert out.returncode != 0 and 'org.remsim.Error.AccessDenied' in out.stderr, out
        out = gdbus(address, 'CreateSlotmap', ['1', '0', '2', '0'])
        assert out.returncode == 0 and '65536' in out.stdout, out
        out = gdbus(address, 'DeleteSlotmap', ['65536'], user=65534)
        assert out.returncode != 0 and 'org.remsim.Error.AccessDenied' in out.stderr, out
        out = gdbus(address, 'DeleteSlotmap', ['65536'])
        assert out.returncode == 0, out
        audit = server.audit()
        for want in ('(uid=65534) action=CreateSlotmap group=(none) result=refused',
                     '(uid=65534) action=DeleteSlotmap group=(none) result=refused',
                     '(uid=0) action=create-slotmap bank=1:0 client=2:0 result=ok',
                     '(uid=0) action=delete-slotmap id=65536 result=ok',
                     '(uid=0) action=global-reset result=ok'):
            assert any(want in line for line in audit), (want, audit)
        assert all('caller=dbus::' in line for line in audit), audit
        server.stop()
        # the members of dbus-group may call too: uid 65534's group is gid 65534
        group = grp.getgrgid(pwd.getpwuid(65534).pw_gid).gr_name
        server = Server(work, 'dbus-group', ['--dbus-group', group], env=env)
        wait_for('the server on the bus', lambda: gdbus(
            address, 'GlobalReset', [], None).returncode == 0)
        out = gdbus(address, 'CreateSlotmap', ['1', '1', '3', '0'], user=65534)
        assert out.returncode == 0, out
        assert any('(uid=65534) action=create-slotmap bank=1:1 client=3:0 result=ok' in line
                   for line in server.audit()), server.audit()
        check_dbus_bankd(work, address, env, server)
    finally:
        if server is not None:
            server.stop()
        bus.terminate()
        bus.wait(timeout=TIMEOUT)
    print('ok: D-Bus: uid 65534 refused with AccessDenied, root and dbus-group accepted, '
          'audit lines')


def main():
    for tool in ('curl', 'certtool', 'dbus-daemon', 'gdbus', 'setpriv'):
        if shutil.which(tool) is None:
            skip(tool + ' is not installed')
    if os.geteuid() != 0:
        skip('not root: a caller of another uid needs setpriv as root')
    work = tempfile.mkdtemp(prefix='remsim-rest-auth-')
    try:
        check_open(work)
        check_shipped(work)
        check_bad_tokens(work)
        check_tokens(work)
        check_https(work)
        check_dbus(work)
        print('ok')
        return 0
    finally:
        if os.environ.get('REMSIM_TEST_KEEP') != '1':
            shutil.rmtree(work, ignore_errors=True)
        else:
            print('kept ' + work)


if __name__ == '__main__':
    sys.exit(main())
