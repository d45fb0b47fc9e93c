#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# A PC/SC application for the vpcd test: waits for the card in READER, prints its
# ATR, sends each APDU given and prints the response, then reports the card's
# removal. One line per fact on stdout, for the test to read.
import sys
import time

from smartcard.scard import (SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCARD_STATE_EMPTY,
                             SCARD_STATE_PRESENT, SCARD_STATE_UNAWARE,
                             SCardEstablishContext, SCardGetStatusChange,
                             SCardReleaseContext)
from smartcard.System import readers
from smartcard.util import toBytes, toHexString


def out(*words):
    print(*words, flush=True)


# how long each wait may take: generous, as tests/common's REMSIM_TEST_TIMEOUT_MS
TIMEOUT_S = 30


def wait_state(ctx, reader, flag):
    """waits, on pcscd's events, until READER's state has FLAG; False after TIMEOUT_S"""
    deadline = time.monotonic() + TIMEOUT_S
    states = [(reader, SCARD_STATE_UNAWARE)]
    while time.monotonic() < deadline:
        hresult, states = SCardGetStatusChange(ctx, 1000, states)
        if hresult == SCARD_S_SUCCESS and states[0][1] & flag:
            return True
    return False


def main():
    prefix, apdus = sys.argv[1], sys.argv[2:]
    # pcscd starts beside this script: until it listens there is no event to wait on
    deadline = time.monotonic() + TIMEOUT_S
    reader = None
    while reader is None:
        try:
            found = [r for r in readers() if str(r).startswith(prefix)]
        except Exception:  # pcscd is not listening yet
            found = []
        if found:
            reader = found[0]
        elif time.monotonic() > deadline:
            out("ERROR no reader")
            return 1
        else:
            time.sleep(0.2)
    out("READER", str(reader))
    hresult, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    if not wait_state(ctx, str(reader), SCARD_STATE_PRESENT):
        out("ERROR no card")
        return 1
    conn = reader.createConnection()
    conn.connect()
    out("ATR", toHexString(conn.getATR()))
    for apdu in apdus:
        data, sw1, sw2 = conn.transmit(toBytes(apdu))
        out("RSP", toHexString(data + [sw1, sw2]))
    conn.disconnect()

    out("WAIT_REMOVE")
    if wait_state(ctx, str(reader), SCARD_STATE_EMPTY):
        out("REMOVED")
    SCardReleaseContext(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
