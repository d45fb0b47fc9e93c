#!/bin/sh
# Generate the RSPRO BER/DER codec with asn1c into OUTDIR.
# usage: asn1c-gen.sh ASN1C MODULE OUTDIR
set -eu
asn1c=$1
module=$(realpath "$2")
outdir=$3

mkdir -p "$outdir"
cd "$outdir"
"$asn1c" -fcompound-names "$module" >asn1c.log 2>&1 ||
	{ cat asn1c.log >&2; exit 1; }

# asn1c 0.9.28 marks an extensible SEQUENCE without root members (ResetStateReq)
# as not extensible (stop index -1), so its decoder refuses the extension elements
# X.680 says it must skip. Give it the stop index a one-element type would have.
sed -i 's|^\t-1\t/\* Stop extensions \*/|\t1\t/* Stop extensions */|' ResetStateReq.c
grep -q '^	1	/\* Stop extensions \*/' ResetStateReq.c ||
	{ echo "asn1c-gen.sh: could not fix ResetStateReq extensibility" >&2; exit 1; }

# asn1c 0.9.28's CHOICE decoder loops forever when an indefinite-length CHOICE
# (the envelope's msg [2]) is followed by 00 and a non-zero byte: the "cannot
# happen" branch after its end-of-contents check neither advances nor fails.
# Make it fail (found by rspro/fuzz/fuzz-rspro-decode).
sed -i 's|^\t\t\t/\* UNREACHABLE \*/$|\t\t\tRETURN(RC_FAIL); /* 00 then non-zero: not end-of-contents */|' constr_CHOICE.c
grep -q 'RETURN(RC_FAIL); /\* 00 then non-zero' constr_CHOICE.c ||
	{ echo "asn1c-gen.sh: could not fix the CHOICE end-of-contents loop" >&2; exit 1; }

# asn1c 0.9.28 builds negative INTEGERs by shifting a negative long left, which
# C11 leaves undefined (UBSan stops there). Shift the unsigned representation.
sed -i 's|^\t\tl = (l << 8) \| \*b;$|\t\tl = (long)(((unsigned long)l << 8) \| *b);|' INTEGER.c
grep -q 'l = (long)(((unsigned long)l << 8) | \*b);' INTEGER.c ||
	{ echo "asn1c-gen.sh: could not fix the INTEGER shift" >&2; exit 1; }

# asn1c 0.9.28's BER length decoder shifts a signed length left before it
# checks it, so eight length octets from 0x80 on overflow (UBSan stops there;
# rspro/fuzz found it). Shift the unsigned representation: the check after it
# then sees the negative value and refuses the length.
sed -i 's|^\t\t\tlen = (len << 8) \| \*buf;$|\t\t\tlen = (ber_tlv_len_t)(((size_t)len << 8) \| *buf);|' ber_tlv_length.c
grep -q 'len = (ber_tlv_len_t)(((size_t)len << 8) | \*buf);' ber_tlv_length.c &&
	! grep -q 'len = (len << 8)' ber_tlv_length.c ||
	{ echo "asn1c-gen.sh: could not fix the BER length shift" >&2; exit 1; }

rm -f converter-sample.c Makefile.am.sample
