#!/bin/bash
# The verdict with the defaults, as a user types it, on real kernels:
#   1. the field case (contrib/demo-network.sh: replies of some flows die
#      on one member of the way back; Linux's default ICMP limits on every
#      router): `ecmptrace -T -P 3306 db`;
#   2. the same with symmetric hashing (r1 and r3 share one hash key, so a
#      flow's replies take the mirror of its forward branch): every flow
#      through one branch fails, and the return path must stay among the
#      causes;
#   3. 30% forward loss behind one branch (lab_topo_ecmp2): `ecmptrace
#      server`.
# Truth comes from the kernel's routes, never from ecmptrace; every
# finding raised or updated counts, transients too (tests/lab/verdict.py).
# Time to the first right finding is printed, not asserted (bench/).
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

demo="$top_srcdir/contrib/demo-network.sh"
verdict="$top_srcdir/tests/lab/verdict.py"
ECMPTRACE_DEMO_PREFIX="etv$$r$RANDOM"
export ECMPTRACE_DEMO_PREFIX
trap 'rc=$?; "$demo" down >/dev/null 2>&1; lab_cleanup; exit $rc' EXIT

# Source ports of the run's flows (its end event).
stream_ports() {	# stream_ports STREAM
	$LAB_PY - "$1" <<-'EOF'
	import json, sys
	for line in open(sys.argv[1]):
	    ev = json.loads(line)
	    if ev["type"] == "end":
	        for f in ev["flows"]:
	            print(f["source_port"], "known" if f["path"][1] else "unknown")
	EOF
}

# The demo's truth: r3 sends the db's reply to a client port over r2a (10.0.4.1), which drops it.
demo_failing() {	# demo_failing STREAM OUT (ports whose path at the branch is known: OUT.known)
	: >"$2"
	: >"$2.known"
	stream_ports "$1" | while read -r port known; do
		ip -n "$ECMPTRACE_DEMO_PREFIX-r3" route get 10.0.1.1 from 10.0.6.2 iif v-db \
			ipproto tcp sport 3306 dport "$port" | grep -q ' via 10.0.4.1 ' || continue
		echo "$port" >>"$2"
		[ "$known" = known ] && echo "$port" >>"$2.known"
	done
}

# verdict.py's judgement, shown; the named ports go to OUT.named.
judge() {	# judge NAME STREAM TRUTH [ARGS...]
	local name=$1 stream=$2 rc
	shift 2
	$LAB_PY "$verdict" "$stream" "$@" >"$stream.verdict"
	rc=$?
	sed "s/^/# $name: /" "$stream.verdict"
	sed -n 's/^ports_named: //p' "$stream.verdict" | tr ' ' '\n' | sed '/^$/d' >"$stream.named"
	return $rc
}

# Every port listed in WANTED is named.
all_named() {	# all_named WANTED NAMED WHAT
	local missing
	missing=$(sort -n "$1" | comm -23 - <(sort -n "$2") | tr '\n' ' ')
	diag "$3 not named: ${missing:-none}"
	[ -z "$missing" ]
}

# 1. The field case.
"$demo" up >"$LAB_TMP/up" 2>&1
ok $? "the demo network is up"
out="$LAB_TMP/field.jsonl"
timeout -k 5 60 "$demo" run -T -P 3306 -n --json-stream -c 8 >"$out" 2>"$out.err"
ok $? "ecmptrace -T -P 3306 ran on the field case"
lab_schema stream "$out"
lab_ok_or_skip $? "its stream is valid against the schema"
demo_failing "$out" "$LAB_TMP/field.failing"
diag "truly failing ports: $(tr '\n' ' ' <"$LAB_TMP/field.failing")"
judge field "$out" return --failing "$LAB_TMP/field.failing"
ok $? "field case: a return-path finding, only failing ports named, never a wrong cause"
all_named "$LAB_TMP/field.failing.known" "$out.named" "failing ports with a known branch"
ok $? "field case: every failing port whose branch is known is named with it"
all_named "$LAB_TMP/field.failing" "$out.named" "failing ports"
ok $? "field case: every failing port is named, with its branch or apart"

# 2. Symmetric hashing: one key on both routers that split.
for r in r1 r3; do
	ip netns exec "$ECMPTRACE_DEMO_PREFIX-$r" sysctl -q -w net.ipv4.fib_multipath_hash_seed=4242
done
out="$LAB_TMP/sym.jsonl"
timeout -k 5 60 "$demo" run -T -P 3306 -n --json-stream -c 8 >"$out" 2>"$out.err"
ok $? "ecmptrace -T -P 3306 ran with symmetric hashing"
demo_failing "$out" "$LAB_TMP/sym.failing"
diag "truly failing ports: $(tr '\n' ' ' <"$LAB_TMP/sym.failing")"
judge symmetric "$out" return --failing "$LAB_TMP/sym.failing"
ok $? "symmetric hashing: the return path stays among the causes of every finding"
"$demo" down >/dev/null 2>&1

# 3. Forward loss: r2a drops 30% of what it forwards to r3.
lab_topo_ecmp2 300 a
ok $? "topology built (30% loss on the link r2a -> r3)"
out="$LAB_TMP/forward.jsonl"
lab_ecmptrace "$out" -n --json-stream -c 8 "$LAB_SERVER_ADDR"
ok $? "ecmptrace ran with its defaults"
stream_ports "$out" | while read -r port _; do
	[ "$(lab_oracle "$LAB_ECMP_NS" "$LAB_SERVER_ADDR" udp "$port" 33434)" = "$LAB_LOSSY_ADDR" ] &&
		echo "$port"
done >"$LAB_TMP/forward.failing"
judge forward "$out" forward --failing "$LAB_TMP/forward.failing" --link 2 3
ok $? "forward loss: a lossy branch whose range holds r2a -> r3, never a range without it"

tap_done
