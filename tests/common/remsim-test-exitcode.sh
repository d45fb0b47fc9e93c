#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a test that speaks plain exit codes (0 passed, 77 skipped, anything else
# failed) and holds it to REMSIM_TEST_STRICT=1, where a skip fails: the one
# place that judges a skip of a script or a plain program, as
# remsim_test_common_skip_unless() does for the GLib test programs (TAP).
# tests/meson.build runs every test declared with 'tap': false through it.
# usage: remsim-test-exitcode.sh PROGRAM [ARG...]
"$@"
status=$?
if [ "$status" -eq 77 ] && [ "${REMSIM_TEST_STRICT:-0}" = 1 ]; then
	echo "FAIL: $1 skipped, and REMSIM_TEST_STRICT=1 makes a skip fail" >&2
	exit 1
fi
exit "$status"
