#!/bin/sh
# Running from the build tree: in `meson devenv`, remsim-bankd is on PATH and finds
# the build's backend plugins, the simulated card profiles of data/cards and the
# build's message catalogues, with no --plugin-dir and no profile paths.
#
# usage: test-devenv.sh MESON BUILDDIR
set -eu

meson=$1
builddir=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/remsim-devenv.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail() {
	echo "test-devenv: $*" >&2
	if [ -f "$work/bankd.log" ]; then cat "$work/bankd.log" >&2; fi
	exit 1
}

# the environment meson devenv gives
"$meson" devenv -C "$builddir" --dump >"$work/env" || fail "meson devenv --dump failed"
grep -q '^REMSIM_SIMCARD_PROFILE_DIR=' "$work/env" || fail "no REMSIM_SIMCARD_PROFILE_DIR"
grep -q "^REMSIM_LOCALEDIR=.*$builddir/po" "$work/env" || fail "no REMSIM_LOCALEDIR"
if ! grep -q '^REMSIM_PLUGIN_DIR=' "$work/env"; then
	# -Dbuiltin_plugins: the backends are inside remsim-bankd
	"$meson" introspect "$builddir" --buildoptions |
		grep -q '"name": "builtin_plugins", "value": true' || fail "no REMSIM_PLUGIN_DIR"
fi
found=$("$meson" devenv -C "$builddir" sh -c 'command -v remsim-bankd') ||
	fail "remsim-bankd is not on the PATH of meson devenv"
case "$found" in
"$builddir"/*) ;;
*) fail "meson devenv runs $found, not the build tree's" ;;
esac

# a bank of two simulated cards, started as a developer would, from another folder
cat >"$work/bankd.conf" <<CONF
[bankd]
backend=simcard
num-slots=2
[simcard]
slots=2
CONF
(
	# shellcheck disable=SC1091
	. "$work/env"
	cd "$work"
	exec remsim-bankd --no-dbus -c bankd.conf -i 127.0.0.1 -p 1 -P 0 --port-file bankd.port
) >"$work/bankd.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$work/bankd.port" ]; do
	i=$((i + 1))
	kill -0 "$pid" 2>/dev/null || fail "remsim-bankd did not start"
	[ $i -gt 300 ] && fail "remsim-bankd did not listen within 30 s"
	sleep 0.1
done
# the backend gave a card for each bank slot ("has N card slots for 2" otherwise)
if grep -q "card slots for" "$work/bankd.log"; then fail "the simcard backend found no cards"; fi
echo "ok: remsim-bankd ran from the build tree on port $(cat "$work/bankd.port")"
