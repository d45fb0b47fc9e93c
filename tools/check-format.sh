#!/bin/sh
# Fails, listing the files, when a C source does not follow .clang-format.
# usage: check-format.sh SRCDIR
set -eu
src=${1:-.}
cd "$src"
if ! command -v clang-format >/dev/null; then
	echo "clang-format is not installed" >&2
	exit 77 # a skip (a failure under REMSIM_TEST_STRICT=1: tests/common/remsim-test-exitcode.sh)
fi
bad=0
for f in $(find rspro common core plugins client server ctl bench tests -name '*.[ch]' -not -path '*/corpus/*'); do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (clang-format -i $f)"
		bad=1
	fi
done
exit $bad
