# shellcheck shell=bash
#
# Helpers for the live-view tests: run ecmptrace's screen inside a private
# tmux server (its own socket, killed on exit) against a namespace lab
# (tests/lab/lab.sh), read the screen with capture-pane and wait for text.
#
# Usage (after sourcing tap.sh and lab.sh):
#	tui_require			# skips unless root, tmux, the binary
#	tui_start W H [ENV=VALUE...] -- ARGS...	# ecmptrace -t ARGS in the client namespace
#					# (TUI_FACE_FLAG= to leave -t out)
#	tui_wait SECONDS REGEX		# until the screen matches (grep -E)
#	tui_wait_row_attrs S ROW ATTR	# until that row's attributes match
#	tui_screen			# the screen as text
#	tui_keys KEY...			# tmux send-keys
#	tui_wait_exit SECONDS		# until ecmptrace ended; TUI_EXIT, TUI_STTY set

tui_require() {
	lab_require_root
	lab_require_binary
	command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
}

# A tmux server of our own, so no user session is touched; lab_init's
# EXIT trap is extended to kill it.
tui_init() {
	lab_init
	TUI_SOCK="ecmptrace-tui-$$-$RANDOM"
	trap 'tui_rc=$?; tui_cleanup; (exit $tui_rc); lab_on_exit' EXIT
}

tui_cleanup() {
	tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
	true
}

tmx() { tmux -L "$TUI_SOCK" "$@"; }

# Starts the screen in a new session "t" of WxH.  The pane runs a small
# script: ecmptrace, then it records the exit status and the terminal
# modes (stty -a) so the test can check the terminal was given back.
tui_start() {	# tui_start W H [VAR=VALUE...] -- ARGS...
	local w=$1 h=$2 envs=() a
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = "--" ] && shift
	tmx kill-session -t t >/dev/null 2>&1
	rm -f "$LAB_TMP/exit" "$LAB_TMP/stty" "$LAB_TMP/pid" "$LAB_TMP/stderr"
	{
		echo '#!/bin/sh'
		printf 'echo $$ > %q\n' "$LAB_TMP/pid"
		printf 'exec ip netns exec %q env' "$LAB_CLIENT_NS"
		for a in "${envs[@]}"; do printf ' %q' "$a"; done
		printf ' %q %s' "$ECMPTRACE" "${TUI_FACE_FLAG--t}"
		for a in "$@"; do printf ' %q' "$a"; done
		printf ' 2>%q\n' "$LAB_TMP/stderr"
	} > "$LAB_TMP/run-tui"
	{
		echo '#!/bin/sh'
		# Ctrl-C reaches the whole process group: like an interactive
		# shell, survive it (a handler, not SIG_IGN, which ecmptrace
		# would inherit) to record what happened.
		echo "trap ':' INT"
		printf 'sh %q\n' "$LAB_TMP/run-tui"
		printf 'echo $? > %q.tmp && mv %q.tmp %q\n' "$LAB_TMP/exit" "$LAB_TMP/exit" "$LAB_TMP/exit"
		printf 'stty -a > %q 2>&1\n' "$LAB_TMP/stty"
		echo 'echo "shell prompt back"'
		echo 'exec sleep 600'
	} > "$LAB_TMP/pane"
	tmx new-session -d -s t -x "$w" -y "$h" "sh $LAB_TMP/pane"
}

tui_screen() { tmx capture-pane -t t -p; }
tui_screen_attrs() { tmx capture-pane -t t -p -e; }
# Everything the pane printed, scrollback included, wrapped lines joined
# (for output longer or wider than the screen, like the report on exit).
tui_history() { tmx capture-pane -t t -p -J -S -; }
tui_keys() { tmx send-keys -t t "$@"; }
tui_resize() { tmx resize-window -t t -x "$1" -y "$2"; }

# Waits until the first line matching ROW (grep -E) of the screen with its
# attributes (capture-pane -e) also matches ATTR; the line is in TUI_ROW.
# Colours follow measured loss, and a few seconds of random loss can look
# clean: wait for the statistic to settle rather than read it once.
tui_wait_row_attrs() {	# tui_wait_row_attrs SECONDS ROW ATTR
	local end=$((SECONDS + $1))
	while :; do
		TUI_ROW=$(tui_screen_attrs | grep -E -- "$2" | head -n 1)
		grep -Eq -- "$3" <<<"$TUI_ROW" && return 0
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.2
	done
	diag "the row /$2/ did not show /$3/ within $1 s; it showed:"
	diag "$(printf '%q' "$TUI_ROW")"
	return 1
}

# Waits until the screen matches REGEX; the last screen is in TUI_LAST.
tui_wait() {	# tui_wait SECONDS REGEX
	local end=$((SECONDS + $1))
	while :; do
		TUI_LAST=$(tui_screen)
		if grep -Eq -- "$2" <<<"$TUI_LAST"; then
			return 0
		fi
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.2
	done
	diag "screen did not show /$2/ within $1 s; it showed:"
	sed 's/^/#   /' <<<"$TUI_LAST"
	return 1
}

# A screen caught while curses was still writing it can mix old and new
# lines: after a wait that saw the new header, read it again a moment later.
tui_settle() {
	sleep 0.3
	TUI_LAST=$(tui_screen)
}

# Waits until the screen no longer matches REGEX.
tui_wait_gone() {	# tui_wait_gone SECONDS REGEX
	local end=$((SECONDS + $1))
	while :; do
		TUI_LAST=$(tui_screen)
		grep -Eq -- "$2" <<<"$TUI_LAST" || return 0
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.2
	done
	diag "screen still shows /$2/ after $1 s:"
	sed 's/^/#   /' <<<"$TUI_LAST"
	return 1
}

# The pid of ecmptrace (the pane's script execs into it).
tui_pid() { cat "$LAB_TMP/pid" 2>/dev/null; }

tui_wait_exit() {	# tui_wait_exit SECONDS
	local end=$((SECONDS + $1))
	while [ ! -s "$LAB_TMP/exit" ] && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.2
	done
	TUI_EXIT=$(cat "$LAB_TMP/exit" 2>/dev/null)
	# stty runs right after; give it a moment.
	sleep 0.5
	TUI_STTY=$(cat "$LAB_TMP/stty" 2>/dev/null)
	[ -n "$TUI_EXIT" ]
}

# The terminal is back in the shell's mode: canonical input with echo.
tui_terminal_sane() {
	[ -n "$TUI_STTY" ] || return 1
	grep -Eq '(^|[ ;])icanon([ ;]|$)' <<<"$TUI_STTY" &&
		grep -Eq '(^|[ ;])echo([ ;]|$)' <<<"$TUI_STTY" &&
		! grep -Eq '(^|[ ;])-icanon([ ;]|$)' <<<"$TUI_STTY"
}

# The Loss% cell (first field ending in %) of the first line matching REGEX.
tui_loss_of() {	# tui_loss_of REGEX [SCREEN]
	local screen=${2:-$TUI_LAST}
	grep -E -- "$1" <<<"$screen" | head -n 1 |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+%$/) { sub(/%/, "", $i); print $i; exit } }'
}

# The Snt cell (the field after Loss%) of the first line matching REGEX.
tui_sent_of() {	# tui_sent_of REGEX [SCREEN]
	local screen=${2:-$TUI_LAST}
	grep -E -- "$1" <<<"$screen" | head -n 1 |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+%$/) { print $(i + 1); exit } }'
}

# Awk-style numeric comparison: tui_num A OP B (OP: > >= < <= ==).
tui_num() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
	r = (op == ">") ? a > b : (op == ">=") ? a >= b : (op == "<") ? a < b : (op == "<=") ? a <= b : a == b
	exit !r }'; }

# Escape dots of an IPv4 address for grep -E.
tui_re() { sed 's/[.]/\\./g' <<<"$1"; }
