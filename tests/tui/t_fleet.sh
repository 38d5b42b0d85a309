#!/bin/bash
# The live view over three targets (tests/lab/t_fleet.sh's network: the
# server and s2 behind the two branches r2a|r2b, s3 behind r1; r2a drops a
# share of what it forwards to the server only): the target list is on
# screen, the server's target comes first (worst first: it has the
# finding) and is the one shown; Tab shows the next target of the list
# and its own table (s2's branches, no finding), Tab again the third,
# Shift-Tab goes back, and the help lists the Tab key.  q exits 0.
# Runs the real binary inside a private tmux server; needs root.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"
tui_require
tui_init
export LC_ALL=C.UTF-8

permille=$((250 + RANDOM % 150))
diag "r2a drops $permille permille of what it forwards to the server"
build() {
	lab_topo_ecmp2 0 a || return 1
	lab_ns s2 && lab_ns s3 || return 1
	lab_link r3 s2 7 && lab_default s2 r3 || return 1
	lab_route r1 7 r2a r2b && lab_route r2a 7 r3 && lab_route r2b 7 r3 || return 1
	lab_link r1 s3 8 && lab_default s3 r1 || return 1
	lab_route r2a 8 r1 && lab_route r2b 8 r1 || return 1
	lab_loss_match "$LAB_PREFIX-r2a" v-r3 ip daddr "$LAB_SERVER_ADDR" \
		numgen random mod 1000 lt "$permille"
}
build || { echo "Bail out! the topology could not be built"; exit 1; }
server=$LAB_SERVER_ADDR
s2=$(lab_ifaddr 4 s2 r3)
s3=$(lab_ifaddr 4 s3 r1)
lossy=$(tui_re "$(lab_answer "$LAB_PREFIX-r2a")")

# s3 first on the command line: the list must still put the server first.
tui_start 110 36 LANG=C.UTF-8 -- -n -i 0.2 --rate 900 --timeout 0.5 "$s3" "$s2" "$server"
tui_wait 10 'targets: 3, worst first \(Tab: next\)'
ok $? "the target list is on screen"
tui_wait 20 "^[> ] $(tui_re "$server") +udp +33434 +[1-9][0-9]* findings?" &&
	grep -A1 'targets: 3' <<<"$TUI_LAST" | tail -n 1 | grep -Eq "^[> ] $(tui_re "$server") "
ok $? "the server's target, with its finding, heads the list"
grep -Eq "^[> ] $(tui_re "$s2") +udp +33434 +0 findings" <<<"$TUI_LAST" &&
	grep -Eq "^> $(tui_re "$s3") +udp +33434 +0 findings" <<<"$TUI_LAST"
ok $? "s2 and s3 are listed below it without findings, s3 marked as the one shown"

# The first target given is shown first; Tab goes on in the list's order
# (server, then s3 and s2 in the order given: neither has a finding or loss).
tui_wait 5 "^ecmptrace to $(tui_re "$s3") +udp port 33434"
ok $? "the view shows the first target given ($s3)"
tui_keys Tab
tui_wait 5 "^ecmptrace to $(tui_re "$s2") +udp port 33434" &&
	tui_wait 10 "$lossy" && tui_wait 5 "$(tui_re "$(lab_answer "$LAB_PREFIX-r2b")")"
ok $? "Tab: the next in the list, s2, its two branches on screen"
! grep -Eq "lossy-branch" <<<"$TUI_LAST"
ok $? "s2's view shows no lossy-branch finding"
tui_keys Tab
tui_wait 5 "^ecmptrace to $(tui_re "$server") +udp port 33434" &&
	tui_wait 10 "lossy-branch:.*$lossy"
ok $? "Tab again: after the last comes the first, the server, with its finding"
tui_keys BTab
tui_wait 5 "^ecmptrace to $(tui_re "$s2") +udp port 33434"
ok $? "Shift-Tab goes back to s2"

tui_keys '?'
tui_wait 3 'Keys \(any key closes this help\)' && grep -Eq '[│|] +Tab +show the next target' <<<"$TUI_LAST"
ok $? "the help lists Tab"
tui_keys x
tui_wait_gone 3 'Keys \(any key closes'
tui_keys q
tui_wait_exit 10
[ "${TUI_EXIT:-}" = 0 ]
ok $? "q exits 0 (status ${TUI_EXIT:-none})"
tui_terminal_sane
ok $? "the terminal is given back"

tap_done
