#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Regenerate the seed corpus in corpus/ from tests/vectors/rspro-*.tsv.

usage: gen-corpus.py [SOURCE-ROOT]   (default: two folders up)
The files are committed; run this again when the vectors change.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..')


def rows(name, hex_column):
    with open(os.path.join(root, 'tests', 'vectors', name)) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            cols = line.split('\t')
            yield cols[0], bytes.fromhex(cols[hex_column])


def ipa_rspro(pdu):
    return (len(pdu) + 1).to_bytes(2, 'big') + b'\xee\x07' + pdu


def write(folder, name, data):
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def main():
    decode = os.path.join(here, 'corpus', 'fuzz-rspro-decode')
    deframe = os.path.join(here, 'corpus', 'fuzz-ipa-deframe')
    # regress-* files are inputs the fuzzers found; they are kept as they are
    for d in (decode, deframe):
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if not name.startswith('regress-'):
                os.remove(os.path.join(d, name))

    valid = list(rows('rspro-vectors.tsv', 3))
    invalid = list(rows('rspro-invalid.tsv', 4))
    for ident, pdu in valid + invalid:
        write(decode, ident + '.ber', pdu)

    # de-framer inputs: the first byte picks the read size (value + 1)
    ping = b'\x00\x01\xfe\x00'
    for i, (ident, pdu) in enumerate(valid[::8]):
        write(deframe, ident + '.ipa', bytes([i % 4 * 3]) + ipa_rspro(pdu))
    stream = b''.join(ipa_rspro(pdu) for _, pdu in valid[:6])
    write(deframe, 'stream-6-pdus-1byte.ipa', b'\x00' + stream)
    write(deframe, 'stream-6-pdus-whole.ipa', b'\xff' + stream)
    write(deframe, 'ccm-ping-pong.ipa', b'\x01' + ping + b'\x00\x01\xfe\x01' + stream[:40])
    write(deframe, 'unknown-proto.ipa', b'\x10' + b'\x00\x02\x12\x34\x56')
    write(deframe, 'unknown-ext.ipa', b'\x10' + b'\x00\x02\xee\x08\x00')
    write(deframe, 'empty-osmo.ipa', b'\x10' + b'\x00\x00\xee')
    write(deframe, 'truncated.ipa', b'\x03' + ipa_rspro(valid[0][1])[:-5])
    for ident, pdu in invalid[::6]:
        write(deframe, ident + '.ipa', b'\x07' + ipa_rspro(pdu))


if __name__ == '__main__':
    main()
