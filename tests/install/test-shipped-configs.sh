#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The configs we ship, started as the units start them (stdin /dev/null): a
# daemon whose configuration cannot work exits 2, which the units do not
# restart (RestartPreventExitStatus=2), naming the key to set.
# usage: test-shipped-configs.sh SRCDIR (REMSIM_BANKD, REMSIM_CLIENT in the environment)
set -u
src=$1
bad=0

expect() { # name, status wanted, text wanted, command...
	name=$1 want_status=$2 want_text=$3
	shift 3
	out=$("$@" --no-dbus </dev/null 2>&1)
	status=$?
	if [ "$status" != "$want_status" ] || ! printf '%s' "$out" | grep -q -- "$want_text"; then
		echo "FAIL: $name: exit $status (want $want_status), said: $out"
		bad=1
	else
		echo "ok: $name: exit $status: $out"
	fi
}

expect "bankd with the shipped bankd.conf" 2 "server-host" \
	"$REMSIM_BANKD" --config="$src/data/bankd.conf"
expect "client with the shipped client.conf" 2 "set frontend" \
	"$REMSIM_CLIENT" --config="$src/data/client.conf"
expect "client whose instance config is missing" 2 "client-modem1.conf" \
	"$REMSIM_CLIENT" --config=/nonexistent/client-modem1.conf
exit $bad
