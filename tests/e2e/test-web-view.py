#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The server's web view in a real browser (headless Chromium through
chromedriver, spoken to over the WebDriver HTTP protocol with urllib only).

A real remsim-server and remsim-bankd (bank 1: the four simulated cards; bank
2: a thousand slots) run on loopback ports. The page must show bank 1 and its
cards; a map made in the page must appear in the REST API; a map made over
REST must appear in the page without a reload; the thousand slots must come
up paged. Screenshots of each step go to REMSIM_TEST_ARTIFACTS (the meson
log folder). Exit 77 (a skip) without chromium or chromedriver; meson runs it
through tests/common/remsim-test-exitcode.sh, which fails a skip with
REMSIM_TEST_STRICT=1.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TIMEOUT = float(os.environ.get('REMSIM_TEST_TIMEOUT', '30'))


def skip(why):
    print('SKIP: ' + why, file=sys.stderr)
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


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


def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
            text = res.read().decode()
            return res.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, json.loads(text) if text else None


class WebDriver:
    """just the WebDriver commands this test needs"""

    def __init__(self, port, profile):
        self.base = 'http://127.0.0.1:%d' % port
        caps = {'capabilities': {'alwaysMatch': {
            'browserName': 'chrome',
            'goog:chromeOptions': {
                'binary': shutil.which('chromium'),
                'args': ['--headless=new', '--no-sandbox', '--disable-gpu',
                         '--disable-dev-shm-usage', '--user-data-dir=' + profile,
                         '--window-size=1400,1000'],
            }}}}
        status, res = http('POST', self.base + '/session', caps)
        assert status == 200, res
        self.session = self.base + '/session/' + res['value']['sessionId']

    def cmd(self, method, path, body=None):
        status, res = http(method, self.session + path, body)
        assert status == 200, (path, res)
        return res['value']

    def go(self, url):
        self.cmd('POST', '/url', {'url': url})

    def js(self, script, *args):
        return self.cmd('POST', '/execute/sync', {'script': script, 'args': list(args)})

    def find(self, css):
        el = self.cmd('POST', '/element', {'using': 'css selector', 'value': css})
        return list(el.values())[0]

    def type(self, css, text):
        el = self.find(css)
        self.cmd('POST', '/element/%s/clear' % el, {})
        self.cmd('POST', '/element/%s/value' % el, {'text': text})

    def click(self, css):
        self.cmd('POST', '/element/%s/click' % self.find(css), {})

    def screenshot(self, name):
        png = base64.b64decode(self.cmd('GET', '/screenshot'))
        folder = os.environ.get('REMSIM_TEST_ARTIFACTS', '.')
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, 'web-view-%s.png' % name)
        with open(path, 'wb') as f:
            f.write(png)
        print('screenshot: ' + path)

    def quit(self):
        http('DELETE', self.session)

    def text(self, css):
        return self.js('const e = document.querySelector(arguments[0]);'
                       'return e ? e.textContent : null;', css)


def start(argv, log, **kw):
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **kw)


def main():
    chromium = shutil.which('chromium')
    driver = shutil.which('chromedriver')
    if not chromium or not driver:
        skip('chromium and chromium-driver are not installed')
    server_exe = os.environ['REMSIM_SERVER']
    bankd_exe = os.environ['REMSIM_BANKD']
    plugin_dir = os.path.dirname(os.environ['REMSIM_TEST_PLUGINS'].split(':')[0])
    cards = os.path.join(os.environ['REMSIM_SRCDIR'], 'data', 'cards')
    work = tempfile.mkdtemp(prefix='remsim-web-')
    procs = []
    web = None
    try:
        log = open(os.path.join(work, 'daemons.log'), 'w')
        open(os.path.join(work, 'server.conf'), 'w').close()
        procs.append(start([server_exe, '--config', os.path.join(work, 'server.conf'),
                            '--no-dbus', '--bind-ip', '127.0.0.1', '--rspro-port', '0',
                            '--rest-bind-ip', '127.0.0.1', '--rest-port', '0',
                            '--state-dir', os.path.join(work, 'state'),
                            '--port-file', os.path.join(work, 'ports')], log))
        ports = wait_for('the server', lambda: _read_ports(os.path.join(work, 'ports')))
        rest = 'http://127.0.0.1:%s' % ports['rest']
        profiles = ';'.join(os.path.join(cards, 'sample-00%d.json' % i) for i in range(1, 5))
        for bank, slots in ((1, 4), (2, 1000)):
            conf = os.path.join(work, 'bankd%d.conf' % bank)
            with open(conf, 'w') as f:
                f.write('[bankd]\nbackoff-scale=0.02\n[simcard]\nslots=%d\nprofiles=%s\n'
                        % (slots, profiles))
            procs.append(start([bankd_exe, '--config', conf, '--no-dbus', '-i', '127.0.0.1',
                                '-p', ports['rspro'], '-b', str(bank), '-n', str(slots),
                                '-I', '127.0.0.1', '-P', '0', '--backend', 'simcard',
                                '--plugin-dir', plugin_dir], log))
        wait_for('the cards', lambda: http('GET', rest + '/api/v1/cards?limit=1')[1]['total']
                 == 1004 and all(not c['stale'] for c in
                                 http('GET', rest + '/api/v1/cards')[1]['cards']))

        driver_port = free_port()
        procs.append(start([driver, '--port=%d' % driver_port], log))
        wait_for('chromedriver', lambda: _answers('http://127.0.0.1:%d/status' % driver_port))
        web = WebDriver(driver_port, os.path.join(work, 'profile'))

        # the page, bank 1 and its first card; the thousand slots paged
        t0 = time.monotonic()
        web.go(rest + '/')
        wait_for('the page', lambda: web.js('return document.body.dataset.ready || null;'))
        load_ms = (time.monotonic() - t0) * 1000
        assert web.text('#bank-1 td') == '1', web.text('#banks')
        assert '8900101000000000019' in web.text('#slot-1-0'), web.text('#slot-1-0')
        assert web.text('#slot-count') == '1004 of 1004', web.text('#slot-count')
        rows = web.js('return document.querySelectorAll("#slots tbody tr").length;')
        assert rows == 50, rows
        print('page load with 1,004 slots: %.0f ms (navigation to drawn), %s ms in the page'
              % (load_ms, web.js('return document.body.dataset.ready;')))
        wait_for('the event stream', lambda: web.text('#live') == 'live')
        web.screenshot('1-loaded')

        # search: an ICCID prefix narrows to that card in both banks
        web.type('#search', '8900101000000000043')
        wait_for('the search', lambda: web.text('#slot-count') == '251 of 1004')
        web.type('#search', '1:')
        wait_for('bank 1 alone', lambda: web.text('#slot-count') == '4 of 1004')
        web.screenshot('2-search')

        # a map made in the page shows in REST
        web.type('#map-client', '23:0')
        web.type('#map-target', '8900101000000000027')
        web.click('#map-submit')
        wait_for('the map in REST', lambda: any(
            m['bank'] == {'bankId': 1, 'slotNr': 1} and
            m['client'] == {'clientId': 23, 'slotNr': 0}
            for m in http('GET', rest + '/api/backend/v1/slotmaps')[1]['slotmaps']))
        wait_for('the map in the page', lambda: web.text('#slot-1-1 .map') == '23:0')
        web.screenshot('3-map-from-page')

        # a map made over REST shows in the page without a reload
        marker = web.js('window.remsimNotReloaded = true; return true;')
        status, _ = http('POST', rest + '/api/backend/v1/slotmaps',
                         {'bank': {'bankId': 1, 'slotNr': 3},
                          'client': {'clientId': 24, 'slotNr': 0}})
        assert status == 201, status
        t0 = time.monotonic()
        wait_for('the REST map in the page', lambda: web.text('#slot-1-3 .map') == '24:0')
        print('map over REST to the page (SSE): %.0f ms' % ((time.monotonic() - t0) * 1000))
        assert marker and web.js('return window.remsimNotReloaded === true;')
        wait_for('the map active', lambda: 'active' in (web.text('#map-65539') or ''))
        web.screenshot('4-map-from-rest')

        # unmap from the page
        web.js('document.querySelector("#map-65539 button.unmap").click(); return true;')
        wait_for('the map gone from REST', lambda: not any(
            m['bank'] == {'bankId': 1, 'slotNr': 3}
            for m in http('GET', rest + '/api/backend/v1/slotmaps')[1]['slotmaps']))
        web.screenshot('5-unmapped')

        # a server with tokens: the page asks for one and uses it, the stream too
        tokens = os.path.join(work, 'tokens')
        with open(tokens, 'w') as f:
            f.write('viewer read viewer-token-0123456789\n')
        os.chmod(tokens, 0o600)
        procs.append(start([server_exe, '--config', os.path.join(work, 'server.conf'),
                            '--no-dbus', '--bind-ip', '127.0.0.1', '--rspro-port', '0',
                            '--rest-bind-ip', '127.0.0.1', '--rest-port', '0',
                            '--rest-tokens-file', tokens,
                            '--state-dir', os.path.join(work, 'state-tokens'),
                            '--port-file', os.path.join(work, 'ports-tokens')], log))
        ports = wait_for('the server with tokens',
                         lambda: _read_ports(os.path.join(work, 'ports-tokens')))
        web.go('http://127.0.0.1:%s/' % ports['rest'])
        wait_for('the token form', lambda: web.js(
            'return !document.getElementById("token-form").hidden;'))
        web.type('#token', 'not-the-token-0123456789')
        web.click('#token-submit')
        wait_for('the wrong token refused', lambda: web.text('#token-result') ==
                 'the token is not known')
        web.type('#token', 'viewer-token-0123456789')
        web.click('#token-submit')
        wait_for('the page with the token', lambda: web.text('#rights') ==
                 'viewer: read only')
        wait_for('the event stream with the token', lambda: web.text('#live') == 'live')
        assert web.js('return document.getElementById("map-panel").hidden;')
        web.screenshot('6-token')
        print('ok')
        return 0
    finally:
        if web is not None:
            web.quit()
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
        if os.environ.get('REMSIM_TEST_KEEP') != '1':
            shutil.rmtree(work, ignore_errors=True)
        else:
            print('kept ' + work)


def _read_ports(path):
    try:
        with open(path) as f:
            pairs = dict(line.strip().split('=') for line in f if '=' in line)
        return pairs if 'rest' in pairs else None
    except OSError:
        return None


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


if __name__ == '__main__':
    sys.exit(main())
