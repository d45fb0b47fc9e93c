#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Each systemd unit we install scores 4.0 or better (lower is better) on
# `systemd-analyze security --offline=yes`, as a distribution would check.
# usage: test-units.sh UNIT...
set -u
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze is not installed (package systemd)" >&2
	exit 77
fi
bad=0
for unit in "$@"; do
	# --threshold is the exposure times ten: fail above 4.0
	if ! systemd-analyze security --offline=yes --threshold=40 "$unit" >/dev/null 2>&1; then
		echo "FAIL: $unit scores above 4.0:"
		systemd-analyze security --offline=yes "$unit" 2>&1 | tail -1
		bad=1
	else
		systemd-analyze security --offline=yes "$unit" 2>&1 | tail -1
	fi
done
exit $bad
