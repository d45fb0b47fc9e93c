#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# A PC/SC application for the vpcd test: waits for the card in READER, prints its
# ATR, sends each APDU given and prints the response, then reports the card's
# removal. One line per fact on stdout, for the test to read.
import sys
import time

from smartcard.scard import (SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCARD_STATE_EMPTY,
                             SCARD_STATE_UNAWARE, SCardEstablishContext,
                             SCardGetStatusChange, SCardReleaseContext)
from smartcard.System import readers
from smartcard.util import toBytes, toHexString


def out(*words):
    print(*words, flush=True)


def main():
    prefix, apdus = sys.argv[1], sys.argv[2:]
    deadline = time.time() + 30
    reader = None
    while reader is None:
        try:
            found = [r for r in readers() if str(r).startswith(prefix)]
        except Exception:  # pcscd is not listening yet
            found = []
        if found:
            reader = found[0]
        elif time.time() > deadline:
            out("ERROR no reader")
            return 1
        else:
            time.sleep(0.2)
    out("READER", str(reader))
    conn = reader.createConnection()
    while True:
        try:
            conn.connect()
            break
        except Exception as e:  # no card yet
            if time.time() > deadline:
                out("ERROR", e)
                return 1
            time.sleep(0.2)
    out("ATR", toHexString(conn.getATR()))
    for apdu in apdus:
        data, sw1, sw2 = conn.transmit(toBytes(apdu))
        out("RSP", toHexString(data + [sw1, sw2]))
    conn.disconnect()

    out("WAIT_REMOVE")
    hresult, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    states = [(str(reader), SCARD_STATE_UNAWARE)]
    while time.time() < deadline:
        hresult, states = SCardGetStatusChange(ctx, 500, states)
        if hresult == SCARD_S_SUCCESS and states[0][1] & SCARD_STATE_EMPTY:
            out("REMOVED")
            break
    SCardReleaseContext(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
