#!/bin/bash
# The live view on a lossy 2-way ECMP (tests/lab/lab.sh, one branch router
# dropping 30% of what it forwards): within seconds the screen shows both
# branches and the lossy branch's loss; every key does what the help says;
# resizing keeps a sane screen; q exits 0 and gives the terminal back.
# Runs the real binary inside a private tmux server; needs root.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"
tui_require
tui_init
export LC_ALL=C.UTF-8

lab_topo_ecmp2 300 b || { echo "Bail out! lab_topo_ecmp2 failed"; exit 1; }
read -r addr_a addr_b <<<"$LAB_BRANCH_ADDRS"
lossy=$(tui_re "$LAB_LOSSY_ADDR")
sibling=$(tui_re "$LAB_SIBLING_ADDR")
diag "branches $addr_a $addr_b, lossy $LAB_LOSSY_ADDR, target $LAB_SERVER_ADDR"

tui_start 100 30 LANG=C.UTF-8 -- -n --flows 16 -i 0.2 --rate 200 --timeout 0.5 "$LAB_SERVER_ADDR"

# ---- what the screen must make obvious within seconds ----
tui_wait 10 "$(tui_re "$addr_a")" && tui_wait 2 "$(tui_re "$addr_b")"
ok $? "both branches of the 2-way ECMP are on screen"
tui_wait 2 "ecmptrace to $(tui_re "$LAB_SERVER_ADDR") +udp port 33434"
ok $? "header names the target, protocol and port"
grep -Eq 'flows 16 +rounds [0-9]+ +rate [0-9]+/s \(max 200\) +elapsed [0-9]+:[0-9]{2}' <<<"$TUI_LAST"
ok $? "header shows flows, rounds, probe rate and elapsed time"
tui_wait 2 'Loss% +Snt +Last +Avg +Best +Wrst +StDev +Flows'
ok $? "mtr's columns plus Flows"
grep -Eq "(├─|\`-|\|-)[a-z] $(tui_re "$addr_a")" <<<"$TUI_LAST" &&
	grep -Eq "└─[a-z] $(tui_re "$addr_b")" <<<"$TUI_LAST"
ok $? "branches are drawn as a tree under their hop"

# The lossy router drops what it forwards: the flows that came through it
# lose at the next hop, their siblings do not.
lossy_loss=""
end=$((SECONDS + 15))
while [ "$SECONDS" -lt "$end" ]; do
	TUI_LAST=$(tui_screen)
	lossy_loss=$(tui_loss_of "via [0-9]+[a-z] $lossy")
	[ -n "$lossy_loss" ] && tui_num "$lossy_loss" ">=" 10 && break
	sleep 0.5
done
tui_num "${lossy_loss:-0}" ">=" 10
ok $? "flows through the lossy branch show its loss (${lossy_loss:-none}%)"
sib_loss=$(tui_loss_of "via [0-9]+[a-z] $sibling")
tui_num "${sib_loss:-100}" "<" 3
ok $? "flows through the sibling branch show no loss (${sib_loss:-none}%)"
tui_wait 10 "lossy-branch:.*$lossy"
ok $? "the findings panel names the lossy branch"

# ---- keys, as the help lists them ----
tui_keys '?'
tui_wait 3 'Keys \(any key closes this help\)'
ok $? "? opens the help overlay"
missing=""
for k in 'q ' 'p/space' 'r ' 'n ' 'd ' 's ' 'j/k' 'Enter' 'Esc' '\?/h' 'Ctrl-L'; do
	grep -Eq -- "[│|] +$k" <<<"$TUI_LAST" || missing="$missing $k"
done
[ -z "$missing" ]
ok $? "the help lists every key${missing:+ (missing:$missing)}"
tui_keys x
tui_wait_gone 3 'Keys \(any key closes'
ok $? "any key closes the help"
tui_keys h
tui_wait 3 'Keys \(any key closes' && tui_keys Escape && tui_wait_gone 3 'Keys \(any key closes'
ok $? "h opens the help too"

tui_keys p
tui_wait 3 '^PAUSED'
ok $? "p pauses (PAUSED in the header)"
sleep 1.5
before=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
sleep 1.5
after=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
[ -n "$before" ] && [ "$before" = "$after" ]
ok $? "while paused nothing is sent (hop 1 Snt $before -> $after)"
tui_keys Space
tui_wait_gone 3 '^PAUSED'
ok $? "space resumes"
sleep 1.5
resumed=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
tui_num "${resumed:-0}" ">" "${after:-0}"
ok $? "after resuming probes flow again (hop 1 Snt $after -> $resumed)"

big=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
tui_keys r
sleep 0.5
small=$(tui_sent_of '^.  1\. ' "$(tui_screen)")
tui_num "${small:-999999}" "<" "${big:-0}"
ok $? "r resets the statistics (hop 1 Snt $big -> $small)"

tui_keys n
tui_wait 3 'dns on'
ok $? "n turns DNS on"
tui_keys n
tui_wait 3 'dns off'
ok $? "n again turns it off"

tui_keys d
tui_wait 3 'view: flows' && tui_wait 2 'Flow +Path +Loss%'
ok $? "d shows the flows view"
tui_settle
nflowrows=$(grep -Ec '^[> ] +[0-9]{1,5} +[0-9.]+' <<<"$TUI_LAST")
[ "$nflowrows" -eq 16 ]
ok $? "one row per flow ($nflowrows of 16)"
tui_keys s
tui_wait 3 'sort: loss'
ok $? "s sorts the flows (by loss)"
tui_settle
first=$(grep -E '^[> ] +[0-9]{1,5} ' <<<"$TUI_LAST" | head -n 1)
grep -Eq "$lossy" <<<"$first" || { sed 's/^/#   /' <<<"$TUI_LAST"; false; }
ok $? "sorted by loss, the first flow goes through the lossy branch"
tui_keys g Enter
tui_wait 3 'Flow [0-9]+ +source port [0-9]+ +end-to-end loss' && tui_wait 3 '^ path: 1 [0-9.]+ .* > 2 '
ok $? "Enter on a flow: its source port and its path hop by hop"
tui_keys Escape
tui_wait_gone 3 'Detail \('
ok $? "Esc closes it"
tui_keys s s s
tui_wait 3 'sort: port'
ok $? "s cycles back to port order"
tui_keys d
tui_wait 3 'view: hops \(merged\)' && tui_wait 2 '\(\+1\)'
ok $? "d shows the merged mtr-style hops"
tui_keys d
tui_wait 3 'view: branches'
ok $? "d cycles back to the branch tree"

tui_keys g
tui_wait 3 '^>  1\. '
ok $? "g selects the first row"
# The first hop answers from its own link: the detail names the MAC it
# answered from, which its ARP answer claimed and the host's table holds.
tui_keys Enter
tui_wait 3 "^ link-layer: [0-9a-f]{2}(:[0-9a-f]{2}){5} \\([0-9]+ answers, [0-9]+ ARP/ND claims?, this host's entry\\)"
ok $? "Enter on the first hop shows its MAC: answers, ARP claims, the host's entry"
tui_keys Enter
tui_wait_gone 3 'Detail \('
tui_keys j
tui_wait 3 '^>  2\. 2 branches'
ok $? "j moves the selection down"
tui_keys Enter
tui_wait 3 'Hop 2 +2 branches +merged loss' && tui_wait 2 '^ b [0-9.]+ .* flows: [0-9]'
ok $? "Enter on a split hop lists its branches with their flows"
tui_keys Enter
tui_wait_gone 3 'Detail \('
ok $? "Enter again closes the detail pane"
tui_keys Down Down
tui_wait 3 "^> +(└─|\`-)[a-z] $(tui_re "$addr_b")"
ok $? "the down arrow moves it too"
tui_keys k Up
tui_wait 3 '^>  2\. 2 branches' && tui_keys k && tui_wait 3 '^>  1\. '
ok $? "k and the up arrow move it up"

# Select the lossy via row at the merge hop and open its detail.
tui_keys G
for _ in $(seq 1 12); do
	grep -Eq "^> .*via [0-9]+[a-z] $lossy" <<<"$(tui_screen)" && break
	tui_keys k
	sleep 0.2
done
tui_keys Enter
tui_wait 3 'Detail \(Enter/Esc closes\)'
ok $? "Enter opens the detail pane"
tui_settle
grep -Eq "flows that came via [0-9]+[a-z] $lossy" <<<"$TUI_LAST" &&
	grep -Eq 'flows [0-9]+ of 16, source ports: [0-9]' <<<"$TUI_LAST"
ok $? "the detail names the branch and lists its source ports"
tui_wait 5 '^ RTT .*ms'
ok $? "the detail shows an RTT chart"
tui_keys Escape
tui_wait 3 'Findings \(' && tui_wait_gone 1 'Detail \('
ok $? "Esc closes the detail pane"

tui_keys C-l
sleep 0.5
tui_wait 3 '^ecmptrace to' && tui_wait 1 'q quit'
ok $? "Ctrl-L redraws the screen"

# ---- resizing ----
sane() {	# sane W H: header, titles and status on screen, nothing past W columns
	local line why=""
	tui_wait 3 '^ecmptrace to' || return 1
	grep -Eq 'Loss%' <<<"$TUI_LAST" || why="no column titles"
	[ "$(tail -n 1 <<<"$TUI_LAST" | cut -c1-6)" = "q quit" ] || why="$why; no status line at the bottom"
	[ "$(wc -l <<<"$TUI_LAST")" -eq "$2" ] || why="$why; $(wc -l <<<"$TUI_LAST") lines, not $2"
	while IFS= read -r line; do
		# ${#line} counts characters (not bytes) in a UTF-8 locale.
		[ "${#line}" -le "$1" ] || why="$why; a line of ${#line} columns"
	done <<<"$TUI_LAST"
	[ -z "$why" ] && return 0
	diag "not sane at ${1}x$2:$why"
	sed 's/^/#   /' <<<"$TUI_LAST"
	return 1
}
for size in 80x24 200x60 50x15; do
	w=${size%x*} h=${size#*x}
	tui_resize "$w" "$h"
	sleep 0.6
	sane "$w" "$h"
	ok $? "resized to $size: a sane screen"
	grep -Eq "$lossy" <<<"$TUI_LAST"
	ok $? "at $size the lossy branch is still listed"
done
tui_resize 200 60
tui_wait 3 'Source ports'
ok $? "a wide screen adds the source-port column"
tui_resize 30 8
tui_wait 3 'terminal too small'
ok $? "below the minimum size a message says so"
tui_resize 100 30
tui_wait 3 'Loss%'
ok $? "and the screen comes back when it grows again"

# Report the screen for the record.
diag "screen at 100x30:"
tui_screen | sed 's/^/#   /'

# ---- quitting ----
tui_keys q
tui_wait_exit 10
ok $? "q ends the program"
[ "$TUI_EXIT" = 0 ]
ok $? "exit status 0 after q (got ${TUI_EXIT:-none})"
tui_terminal_sane
ok $? "the terminal is back in canonical mode with echo"
tui_wait 3 'shell prompt back'
ok $? "the screen is usable after quitting"
[ ! -s "$LAB_TMP/stderr" ]
ok $? "nothing on stderr$( [ -s "$LAB_TMP/stderr" ] && printf ': %s' "$(head -c 200 "$LAB_TMP/stderr")")"

tap_done
