#!/bin/sh
# remsim quick start: installs what the build needs (Debian 12, as root), builds, then
#   ./quickstart.sh demo   runs a complete local remsim on simulated SIM cards
#   ./quickstart.sh test   runs every test (under AddressSanitizer and UBSan)
# Set REMSIM_NO_APT=1 to skip the package installation.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

# What the build and the demo need, from Debian 12's archive
BUILD_PACKAGES="build-essential pkg-config meson ninja-build asn1c libglib2.0-dev
  libglib2.0-bin libjson-glib-dev libsoup-3.0-dev libsqlite3-dev gettext curl
  glib-networking"
# and what the tests add: sanitizers, real pcscd and vsmartcard, a D-Bus daemon,
# the API reference, manual pages, unit checks, a German locale's sources, tshark
# to decode the bank's GSMTAP trace (its debconf question takes its default: no
# packet capture for other users), a headless browser for the server's web view
TEST_PACKAGES="libpcsclite-dev libusb-1.0-0-dev clang libclang-rt-14-dev libglib2.0-data
  sqlite3 dbus dbus-daemon pcscd locales gnutls-bin libgnutls28-dev
  pcsc-tools vsmartcard-vpcd python3 python3-pyscard python3-virtualsmartcard
  python3-pycryptodome procps util-linux iproute2 strace clang-format gi-docgen
  gobject-introspection libgirepository1.0-dev systemd scdoc bash-completion umockdev
  libumockdev-dev tshark chromium chromium-driver"

install_packages() {
	[ "${REMSIM_NO_APT:-0}" = 1 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "quickstart: run as root to install packages, or set REMSIM_NO_APT=1" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# wait for another apt (an unattended upgrade) instead of failing on its lock
	apt="apt-get -q -o DPkg::Lock::Timeout=600"
	$apt update
	# shellcheck disable=SC2086
	$apt install -y --no-install-recommends "$@"
}

build() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@"
	else
		meson configure "$dir" "$@"
	fi
	ninja -C "$dir"
}

case "${1:-}" in
demo)
	# shellcheck disable=SC2086
	install_packages $BUILD_PACKAGES
	# only what the demo runs: no test programs, no manual or API reference
	build build -Dtests=false -Dman=disabled -Ddocs=disabled
	exec "$here/tools/remsim-demo.sh" "$here/build"
	;;
test)
	# shellcheck disable=SC2086
	install_packages $BUILD_PACKAGES $TEST_PACKAGES
	build build-test -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
	meson test -C build-test --print-errorlogs --num-processes 2 ${REMSIM_TEST_ARGS:-}
	unset ASAN_OPTIONS UBSAN_OPTIONS
	# A sanitizer report from a process whose exit status no test reads (a
	# forked helper, a daemon a script starts) fails the run all the same.
	if grep -E -n 'ERROR: (Leak|Address)Sanitizer|runtime error:' \
		build-test/meson-logs/testlog.txt; then
		echo "quickstart: sanitizer reports in build-test/meson-logs/testlog.txt" >&2
		exit 1
	fi
	# The pcscd reader driver runs inside pcscd, which cannot load a sanitized
	# library: its tests run from a build without sanitizers, which also builds
	# and checks the plugin SDK's API reference.
	build build-test-plain -Dwerror=true -Ddocs=enabled
	meson test -C build-test-plain --print-errorlogs client-pcscd client-e2e sdk-docs
	# The fuzz targets under libFuzzer (coverage guided), a fixed number of runs
	# each, stopping at the first thing UBSan or ASan finds: a clang build of
	# only what they need. clang, not gcc, warns of a g_autoptr() that only
	# holds a reference, which the daemons use.
	if [ ! -f build-test-fuzz/build.ninja ]; then
		CC=clang meson setup build-test-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
			-Db_lundef=false -Dwerror=true -Dc_args=-Wno-unused-variable \
			-Dman=disabled -Ddocs=disabled
	fi
	ninja -C build-test-fuzz rspro/fuzz/fuzz-rspro-decode rspro/fuzz/fuzz-ipa-deframe \
		plugins/ccid/tests/fuzz/fuzz-ccid-answer tests/replay-fuzz-rspro-decode \
		tests/replay-fuzz-ipa-deframe tests/replay-fuzz-ccid-answer
	meson test -C build-test-fuzz --no-rebuild --print-errorlogs --suite fuzz
	;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
