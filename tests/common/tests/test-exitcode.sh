#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# remsim-test-exitcode.sh: a skip (77) is a skip, and a failure under
# REMSIM_TEST_STRICT=1; other statuses pass through.
# usage: test-exitcode.sh PATH-OF-remsim-test-exitcode.sh
set -u
wrap=$1
bad=0
check() { # expected status, strict (0/1), status the test exits with
	REMSIM_TEST_STRICT=$2 "$wrap" sh -c "exit $3" 2>/dev/null
	got=$?
	if [ "$got" -ne "$1" ]; then
		echo "FAIL: exit $3 with REMSIM_TEST_STRICT=$2 gave $got, not $1"
		bad=1
	fi
}
check 0 0 0
check 0 1 0
check 1 0 1
check 1 1 1
check 77 0 77
check 1 1 77
check 99 1 99
# the arguments reach the test as given
out=$("$wrap" printf '%s|' 'a b' '' c)
[ "$out" = 'a b||c|' ] || { echo "FAIL: arguments came as $out"; bad=1; }
exit $bad
