#!/bin/sh
# The quick-start demo: a complete local remsim on simulated SIM cards.
#
# Starts remsim-server, a remsim-bankd with four simulated cards and a
# remsim-client with the shell front end, all on 127.0.0.1 with ports the
# kernel picks; shows the bank and its slots and maps client 1:0 to bank 1
# slot 0 with remsim-ctl (over the server's REST API), prints the address of
# the server's web view and the inventory of the four cards (what the bank read
# from them, remsim-ctl cards), then talks to the card
# through the whole chain: SELECT, VERIFY CHV1, READ EF.IMSI and RUN GSM
# ALGORITHM. Where dbus-daemon is installed, the daemons are also on a private
# session bus, and remsim-ctl shows what only the bank knows (its slots' states,
# cards and APDU counters). Everything is stopped at the end.
#
# usage: remsim-demo.sh [BUILDDIR]
# REMSIM_DEMO_KEEP=1 keeps the daemons' logs and the database after the demo.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-$src/build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/remsim-demo.XXXXXX")
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${REMSIM_DEMO_KEEP:-}" ] || rm -rf "$work"
}
# a signal (^C, or SIGPIPE from `| head`) exits, and the exit stops the daemons
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

say() { printf '\n== %s\n' "$*"; }

# the demo's one wait: a daemon has no event to offer a shell, so look every
# 0.1 s, for up to 30 s (a loaded machine is slow, never wrong)
wait_for_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			echo "remsim-demo: $2 did not start; its log:" >&2
			cat "$3" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# remsim-ctl, talking to the demo's server over REST; each call shown as typed
ctl() {
	printf '$ remsim-ctl %s\n' "$*"
	"$builddir/ctl/remsim-ctl" --server "$url" "$@"
}

# remsim-ctl on the demo's own bus, where the bank daemon tells more
ctl_bus() {
	printf '$ remsim-ctl --session %s\n' "$*"
	"$builddir/ctl/remsim-ctl" --session "$@"
}

# every daemon gets a config of ours, so that nothing depends on the host's /etc
: >"$work/empty.conf"

# a private session bus if there is a dbus-daemon, else no D-Bus at all
dbus=--no-dbus
if command -v dbus-daemon >/dev/null 2>&1 &&
	dbus-daemon --session --fork --print-address=1 --print-pid=1 >"$work/bus" 2>"$work/bus.log"; then
	DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p "$work/bus")
	export DBUS_SESSION_BUS_ADDRESS
	pids="$pids $(sed -n 2p "$work/bus")"
	dbus=--session
fi

say "remsim-server (state in $work)"
"$builddir/server/remsim-server" --config "$work/empty.conf" $dbus --bind-ip 127.0.0.1 --rest-bind-ip 127.0.0.1 \
	--rspro-port 0 --rest-port 0 --state-dir "$work" --port-file "$work/server.ports" \
	>"$work/server.log" 2>&1 &
pids="$pids $!"
wait_for_file "$work/server.ports" remsim-server "$work/server.log"
rspro_port=$(sed -n 's/^rspro=//p' "$work/server.ports")
rest_port=$(sed -n 's/^rest=//p' "$work/server.ports")
url=http://127.0.0.1:$rest_port
echo "RSPRO on 127.0.0.1:$rspro_port, REST on $url/api/backend/v1/"
echo "the web view: $url/ (live while the demo runs; REMSIM_DEMO_KEEP=1 keeps its files, not the daemons)"
echo "remsim-ctl asks it with --server $url (left out below)"

say "remsim-bankd: bank 1 with four simulated SIM cards"
cat >"$work/bankd.conf" <<CONF
[simcard]
slots=4
profiles=$src/data/cards/sample-001.json;$src/data/cards/sample-002.json;$src/data/cards/sample-003.json;$src/data/cards/sample-004.json
CONF
"$builddir/core/remsim-bankd" $dbus -c "$work/bankd.conf" --backend simcard \
	--plugin-dir "$builddir/plugins" -i 127.0.0.1 -p "$rspro_port" -b 1 -n 4 \
	-I 127.0.0.1 -P 0 --port-file "$work/bankd.port" >"$work/bankd.log" 2>&1 &
pids="$pids $!"
wait_for_file "$work/bankd.port" remsim-bankd "$work/bankd.log"
i=0
until "$builddir/ctl/remsim-ctl" --server "$url" slots 1 >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "remsim-demo: the bank did not register" >&2; exit 1; }
	sleep 0.1
done
ctl banks
ctl slots 1

say "the inventory: what the bank read from its four cards"
# each card is read once it is in its slot and no client holds it
i=0
until [ "$("$builddir/ctl/remsim-ctl" --server "$url" --json cards | grep -c '"state" : "read"')" -ge 4 ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "remsim-demo: the bank did not report its cards" >&2; exit 1; }
	sleep 0.1
done
ctl cards
echo "(IMSI only where PIN1 is disabled: the bank's inventory-pin1 key may open the others)"
echo "the web view at $url/ shows the same, live"

say "map client 1:0 to bank 1 slot 0"
ctl map 1:0 1:0
ctl --json maps

say "remsim-client 1:0, shell front end: APDUs in, responses out"
# each command with its name (GSM 11.11 class A0)
cat >"$work/commands" <<APDUS
A0A40000023F00	SELECT MF
A0A40000027F20	SELECT DF.GSM
A02000010831323334FFFFFFFF	VERIFY CHV1 (PIN 1234)
A0A40000026F07	SELECT EF.IMSI
A0B0000009	READ BINARY (9 bytes of EF.IMSI)
A088000010000102030405060708090A0B0C0D0E0F	RUN GSM ALGORITHM (RAND 00..0F)
A0C000000C	GET RESPONSE (SRES and Kc)
APDUS
cut -f1 "$work/commands" >"$work/apdus"
if ! timeout 60 "$builddir/client/remsim-client" --config "$work/empty.conf" --no-dbus \
	-i 127.0.0.1 -p "$rspro_port" -c 1 -n 0 --frontend shell <"$work/apdus" \
	2>"$work/client.log" >"$work/out"; then
	echo "remsim-demo: remsim-client failed; its log:" >&2
	cat "$work/client.log" >&2
	exit 1
fi
sed -n 's/^SET_ATR: /the modem sees ATR /p' "$work/out" | sed 's/^/  /'
# the shell front end answers in order: one R-APDU line per command
sed -n 's/^R-APDU: //p' "$work/out" >"$work/responses"
paste "$work/commands" "$work/responses" |
	awk -F'\t' '{ printf "  %-38s %s\n      -> %s\n", $2, $1, $3 }'
imsi=$(sed -n 's/^R-APDU: //p' "$work/out" | tr -d ' ' | grep -m1 '^08[0-9a-f]\{16\}9000$' | cut -c1-18 || true)
if [ -z "$imsi" ]; then
	echo "remsim-demo: the card's EF.IMSI did not come back; the client's log:" >&2
	cat "$work/client.log" >&2
	exit 1
fi
digits=$(echo "$imsi" | cut -c3- | sed 's/\(.\)\(.\)/\2\1/g' | cut -c2-)
echo "EF.IMSI says the card is IMSI $digits"
want=$(sed -n 's/.*"imsi": *"\([0-9]*\)".*/\1/p' "$src/data/cards/sample-001.json")
[ "$digits" = "$want" ] || { echo "remsim-demo: IMSI $digits, but the profile says $want" >&2; exit 1; }

say "what the server knows now"
ctl status
ctl maps
ctl slots 1

if [ "$dbus" = --session ]; then
	say "what the bank itself knows (D-Bus): its cards, their states and APDU counters"
	# the bank publishes its counters once a second
	i=0
	until "$builddir/ctl/remsim-ctl" --session --json slots 1 | grep -q '"apdus" : [1-9]'; do
		i=$((i + 1))
		[ $i -gt 300 ] && break
		sleep 0.1
	done
	ctl_bus slots 1
fi

say "unmap, and the bank's slot is free again"
ctl unmap 1:0
ctl slots 1
echo
if [ -n "${REMSIM_DEMO_KEEP:-}" ]; then
	echo "The daemons' logs and the database are kept in $work. Done."
else
	echo "The daemons' logs were in $work (removed; REMSIM_DEMO_KEEP=1 keeps them). Done."
fi
