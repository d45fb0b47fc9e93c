#!/bin/sh
# The quick-start demo. Until the daemons are built this shows librspro's
# codec on the shared vectors; see README.md.
set -eu
builddir=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
tool="$builddir/rspro/rspro-tool"

echo "== rspro-tool: decoding upstream's PDUs"
cut -f4 "$src/tests/vectors/rspro-vectors.tsv" | grep -v '^hex$' | head -5 | "$tool" decode -
echo "== rspro-tool: encoding them back"
cut -f4 "$src/tests/vectors/rspro-vectors.tsv" | grep -v '^hex$' | head -5 |
	"$tool" decode - | "$tool" encode -
