#!/bin/bash
# Terminal discipline of the live view: it is the default face on a
# terminal, falls back to ASCII glyphs outside UTF-8 locales, colours loss
# unless NO_COLOR is set, keeps probing at its pace while keys flood in,
# and gives the terminal back after SIGTERM and Ctrl-C (SIGINT) as after
# q; --report-on-exit prints the report once the screen is gone.  Runs the
# real binary in a private tmux server against a lossy 2-way ECMP lab.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"
tui_require
tui_init
export LC_ALL=C.UTF-8

lab_topo_ecmp2 300 b || { echo "Bail out! lab_topo_ecmp2 failed"; exit 1; }
lossy=$(tui_re "$LAB_LOSSY_ADDR")
args=(-n --flows 16 -i 0.2 --rate 200 --timeout 0.5 "$LAB_SERVER_ADDR")

# SGR sequences that set a foreground colour (tmux capture-pane -e).
colour_re=$'\e\\[([0-9;]*;)?(3[0-7]|9[0-7]|38;[25];[0-9;]+)(;[0-9;]*)?m'

# ---- default face, UTF-8, colours ----
TUI_FACE_FLAG="" tui_start 100 30 LANG=C.UTF-8 -- "${args[@]}"
tui_wait 10 "via [0-9]+[a-z] $lossy"
ok $? "without -t the live view is the default on a terminal"
grep -q '├─' <<<"$TUI_LAST" && grep -q '──' <<<"$TUI_LAST"
ok $? "UTF-8 locale: box-drawing glyphs"
sleep 1
attrs=$(tui_screen_attrs)
grep -Eq "$colour_re" <<<"$attrs"
ok $? "loss is coloured"
# 30% loss is red from 5% on; the first seconds' few probes can miss it.
tui_wait_row_attrs 15 "via [0-9]+[a-z] $lossy" $'\e\\[([0-9;]*;)?31(;[0-9;]*)?m'
ok $? "the lossy branch's loss is red"

# Probing keeps its pace while keys flood the screen: probes resolved at
# hop 1 per second, quiet and while about 250 keys a second come in.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)
quiet0=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
sleep 3
t1=$(now_ms)
quiet1=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
while [ $(($(now_ms) - t1)) -lt 3000 ]; do
	# A pause between bursts: a tighter loop would mostly measure the
	# CPU that forking tmux clients takes from the prober.
	tui_keys j k j k j k j k j k d d d
	sleep 0.05
done
t2=$(now_ms)
busy1=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
quiet=$(((quiet1 - quiet0) * 1000 / (t1 - t0)))
busy=$(((busy1 - quiet1) * 1000 / (t2 - t1)))
diag "hop 1 probes per second: quiet $quiet, while keys flood in $busy"
[ "$quiet" -gt 0 ] && tui_num "$busy" ">=" "$((quiet * 7 / 10))"
ok $? "probing keeps its pace while the screen redraws"
tui_keys q
tui_wait_exit 10 && [ "$TUI_EXIT" = 0 ] && tui_terminal_sane
ok $? "q: exit 0 and the terminal restored"

# ---- ASCII fallback and NO_COLOR ----
tui_start 100 30 LANG=C LC_ALL=C NO_COLOR=1 -- "${args[@]}"
tui_wait 10 "via [0-9]+[a-z] $lossy"
ok $? "C locale: the screen comes up"
grep -Eq '(\|-|`-)[a-z] ' <<<"$TUI_LAST" && ! LC_ALL=C grep -q $'[\x80-\xff]' <<<"$TUI_LAST"
ok $? "C locale: ASCII tree glyphs and no UTF-8 bytes"
sleep 1
attrs=$(tui_screen_attrs)
! grep -Eq "$colour_re" <<<"$attrs"
ok $? "NO_COLOR: no colours at all"
pid=$(tui_pid)
kill -TERM "$pid"
tui_wait_exit 10
ok $? "SIGTERM ends the program"
[ -n "$TUI_EXIT" ] && [ "$TUI_EXIT" -lt 128 ]
ok $? "SIGTERM is handled, not fatal (exit ${TUI_EXIT:-none})"
tui_terminal_sane
ok $? "SIGTERM: the terminal is restored"

# ---- Ctrl-C, and --report-on-exit ----
tui_start 100 30 LANG=C.UTF-8 -- --report-on-exit "${args[@]}"
tui_wait 10 "via [0-9]+[a-z] $lossy"
ok $? "--report-on-exit: the screen comes up"
tui_keys C-c
tui_wait_exit 10
ok $? "Ctrl-C ends the program"
[ -n "$TUI_EXIT" ] && [ "$TUI_EXIT" -lt 128 ]
ok $? "SIGINT is handled, not fatal (exit ${TUI_EXIT:-none})"
tui_terminal_sane
ok $? "Ctrl-C: the terminal is restored"
tui_wait 3 'shell prompt back' && ! grep -q 'q quit  p/space pause' <<<"$TUI_LAST"
ok $? "the live screen is gone"
# The report is longer and wider than the pane: read the whole history.
report=$(tui_history)
grep -q '^ Hop Host / branch' <<<"$report" && grep -q "$lossy" <<<"$report" &&
	grep -q "$(tui_re "$LAB_SERVER_ADDR")" <<<"$report" && grep -q '^Flows (end to end):' <<<"$report"
ok $? "--report-on-exit printed the report after leaving the screen"

tap_done
