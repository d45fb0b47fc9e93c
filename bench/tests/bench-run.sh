#!/bin/sh
# Runs remsim-bench (its path, then its arguments) for the test suite: its
# exit status, except that a run this machine cannot make (status 3: no root
# for a private pcscd, no pcscd or vpcd, no simulator) is a loud skip, or a
# failure under REMSIM_TEST_STRICT=1.
"$@"
rc=$?
if [ "$rc" = 3 ]; then
	echo "remsim-bench cannot run here (see above)" >&2
	[ "${REMSIM_TEST_STRICT:-0}" = 1 ] && exit 1
	exit 77
fi
exit "$rc"
