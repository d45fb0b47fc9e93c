#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion offers the daemons' options and choices as the built
# binaries list them. usage: test-completion.sh COMPLETION-FILE
set -u
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
	echo "bash-completion is not installed" >&2
	exit 77
fi
# shellcheck disable=SC1090
source "$bc"
# shellcheck disable=SC1090
source "$1"
PATH=$(dirname "$REMSIM_BANKD"):$(dirname "$REMSIM_CLIENT"):$(dirname "$REMSIM_CTL"):$PATH
bad=0

complete_line() { # command, words...: prints the completions of the last word
	local cmd=$1
	shift
	COMP_WORDS=("$cmd" "$@")
	COMP_CWORD=$#
	COMP_LINE="$cmd $*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$(complete -p "$cmd" | sed 's/.*-F \([^ ]*\) .*/\1/')" "$cmd" "${COMP_WORDS[-1]}" \
		"${COMP_WORDS[-2]}"
	echo "${COMPREPLY[*]}"
}

check() { # what, got, want
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: got [$2], want [$3]"
		bad=1
	else
		echo "ok: $1: $2"
	fi
}

check "remsim-bankd --bac" "$(complete_line remsim-bankd --bac)" "--backend --backoff-scale"
check "remsim-client --frontend v" "$(complete_line remsim-client --frontend v)" "vpcd"
check "remsim-client --server-p" "$(complete_line remsim-client --server-p)" "--server-port"
check "rspro-tool d" "$(complete_line rspro-tool d)" "decode"
# remsim-ctl: commands from its command table, options global and per command
check "remsim-ctl ma" "$(complete_line remsim-ctl ma)" "maps map"
check "remsim-ctl --json sl" "$(complete_line remsim-ctl --json sl)" "slots slot"
check "remsim-ctl --server URL m" "$(complete_line remsim-ctl --server http://x:9997 m)" "maps map"
check "remsim-ctl --se" "$(complete_line remsim-ctl --se)" "--server --session"
check "remsim-ctl --tok" "$(complete_line remsim-ctl --tok)" "--token --token-file"
check "remsim-ctl --token-file F m" "$(complete_line remsim-ctl --token-file /dev/null m)" "maps map"
check "remsim-ctl reset --y" "$(complete_line remsim-ctl reset --y)" "--yes"
check "remsim-ctl slot r" "$(complete_line remsim-ctl slot r)" "reset"
check "remsim-ctl help wa" "$(complete_line remsim-ctl help wa)" "watch"
check "remsim-ctl maps 1" "$(complete_line remsim-ctl maps 1)" ""
exit $bad
