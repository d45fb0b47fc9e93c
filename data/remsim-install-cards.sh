#!/bin/sh
# Run by `meson install`: the card profiles hold Ki, OPc and PINs, so they are
# root:remsim 0640 (install_mode in meson.build). meson gives them the group
# only if it exists; on an install as root into this very system (no DESTDIR:
# a package does this in its own scripts) the group is made from
# remsim.sysusers first, as systemd would at the next boot, and given to them.
# usage: remsim-install-cards.sh CARDDIR SYSUSERS-FILE
set -eu
carddir=$1
sysusers=$2
[ -z "${DESTDIR:-}" ] && [ "$(id -u)" = 0 ] || exit 0
if ! getent group remsim >/dev/null 2>&1 && command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers "$sysusers" || true
fi
if getent group remsim >/dev/null 2>&1; then
	chgrp remsim "$carddir"/*.json
	chmod 0640 "$carddir"/*.json
fi
