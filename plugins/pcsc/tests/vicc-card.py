#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# vsmartcard's vicc (python3-virtualsmartcard) as a PC/SC test card, with the
# fixes the Debian packages need (TESTING-NOTES), applied here rather than in
# system files:
#  - vicc imports PyCrypto's "Crypto"; Debian ships PyCryptodome as
#    "Cryptodome": alias the package (and Crypto.Hash.SHA, now SHA1);
#  - stock vicc announces only T=1: give it a T=0 ATR (--t1 keeps the stock one);
#  - the package installs under site-packages/virtualsmartcard, which is not
#    on Debian's sys.path, and ships no vicc script: add the path, run it here.
import argparse
import logging
import sys

VSMARTCARD_PATH = "/usr/lib/python3/site-packages/virtualsmartcard"
T0_ATR = bytes.fromhex("3b15138073ff0100")


def alias_cryptodome():
    import Cryptodome
    import Cryptodome.Cipher.AES
    import Cryptodome.Cipher.ARC4
    import Cryptodome.Cipher.DES
    import Cryptodome.Cipher.DES3
    import Cryptodome.Hash.HMAC
    import Cryptodome.Hash.MD5
    import Cryptodome.Hash.SHA1
    import Cryptodome.PublicKey.DSA
    import Cryptodome.PublicKey.RSA

    for name, module in list(sys.modules.items()):
        if name == "Cryptodome" or name.startswith("Cryptodome."):
            sys.modules["Crypto" + name[len("Cryptodome"):]] = module
    sys.modules["Crypto.Hash.SHA"] = Cryptodome.Hash.SHA1
    Cryptodome.Hash.SHA = Cryptodome.Hash.SHA1


def main():
    parser = argparse.ArgumentParser(description="vicc with a T=0 ATR")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--t1", action="store_true",
                        help="keep vicc's own ATR, which offers only T=1")
    args = parser.parse_args()

    alias_cryptodome()
    sys.path.insert(0, VSMARTCARD_PATH)
    from virtualsmartcard.VirtualSmartcard import VirtualICC

    vicc = VirtualICC(None, "iso7816", args.host, args.port,
                      logginglevel=logging.WARNING)
    if not args.t1:
        vicc.os.atr = T0_ATR
    try:
        vicc.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
