#!/bin/bash
# Slow branch, end to end: ecmp2 with both members' links to r3 through a
# delay element (tests/lab/delayfwd.c) of 1 ms, and one of them (drawn from
# the printed seed) 5 ms more.  ecmptrace at its defaults (-c 10 is the
# default: about 10 s) must raise exactly one slow-branch finding naming
# that member, its 95% interval holding 5 ms, its ports exactly the flows
# the kernel sends through it.  With no extra delay (plain links, or both
# members at 1 ms), or with Linux's ICMP rate limits on the branch routers
# and the first hop, there must be none.  5 runs of each, IPv4 or IPv6 by
# the seed; each case's 5 runs go in parallel, in namespaces of their own.
# make sets top_srcdir and top_builddir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
[ -x "$LAB_DELAYFWD" ] || skip_all "no delay element ($LAB_DELAYFWD)"

SEED=${SLOW_SEED:-$RANDOM}
RANDOM=$SEED
echo "# seed $SEED (SLOW_SEED to replay)"
RUNS=${SLOW_RUNS:-5}
# The interval must hold 5 ms, to within what the lab itself can tell: the
# delay elements report how long they really held frames (delayfwd's own
# account, the median time from a frame's arrival to just before and just
# after the send that passed it on), and the send itself takes some 5-10
# us, during which the frame leaves at a moment nobody knows; that time
# (the larger of the two elements') is the tolerance, and the delay
# delivered is printed beside the interval, so that a miss says whether
# the tool or the lab was off.  The way back is a plain wire
# (lab_link_delayed), so only the way there differs.
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ecmptrace-slow.XXXXXX") || exit 1
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf "$OUT"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The source ports of the flows the run placed at TTL 2 (not its lane
# flows, probed only end to end: no finding can name a branch for them)
# whose path the kernel sends through ADDR at TTL 2.
ports_through() {	# ports_through JSON ADDR
	local sport dport
	dport=$(lab_check port "$1")
	lab_check flows "$1" 2 | while read -r _ sport; do
		# shellcheck disable=SC2046 # one word per TTL
		set -- "$1" "$2" $(lab_path udp "$sport" "$dport")
		[ "$4" = "$2" ] && echo "$sport"
	done
}

# The lab's account (lab_delay_held) of the slow member's element against the
# other's: "DELIVERED_MS SEND_MS", the difference of the medians before the
# send, and the longer of the two elements' sends (after less before).
delivered() {	# delivered SLOW_BRANCH
	local other=a slow_held other_held
	[ "$1" = a ] && other=b
	slow_held=$(lab_delay_held "r2$1" r3) && other_held=$(lab_delay_held "r2$other" r3) ||
		return 1
	echo "$slow_held $other_held" | awk '{ s = $2 - $1; o = $4 - $3
		printf "%.4f %.4f\n", $1 - $3, (s > o ? s : o) }'
}

# A run whose last check failed leaves its JSON where the log says.
keep_failed() {	# keep_failed RESULT JSON NAME
	local kept="${TMPDIR:-/tmp}/ecmptrace-slow-$SEED.$3.json"
	tail -1 "$1" | grep -q '^0 ' && return
	cp "$LAB_TMP/ports" "$kept.ports" 2>/dev/null
	cp "$2" "$kept" 2>/dev/null && echo "# its JSON: $kept" >>"$1.log"
}

# One run, in a subshell of its own: CASE (slow, clean, limited), run N,
# family FAM, and what the case draws.  Writes "STATUS DESCRIPTION" lines.
one_run() {	# one_run CASE N FAM BRANCH BASED
	local case=$1 n=$2 fam=$3 branch=$4 based=$5 res="$OUT/$1.$2" json ns
	LAB_PREFIX="etl$$${case:0:1}$n"
	LAB_FAMILY=$fam
	lab_init || return 1
	json="$LAB_TMP/run.json"
	case $case in
	slow) LAB_DELAY_BASE_US=1000 LAB_DELAY_BRANCH=$branch LAB_DELAY_US=5000 lab_topo_ecmp2 ;;
	clean)
		if [ "$based" = 1 ]; then LAB_DELAY_BASE_US=1000 lab_topo_ecmp2; else lab_topo_ecmp2; fi ;;
	limited)
		LAB_DELAY_BASE_US=1000 lab_topo_ecmp2 &&
			for ns in r1 r2a r2b; do lab_icmp_ratelimit "$LAB_PREFIX-$ns" on || exit 1; done ;;
	esac
	echo "$? $case run $n (IPv$fam): topology built" >"$res"
	lab_ecmptrace "$json" -n -j "$LAB_SERVER_ADDR" >"$res.log" 2>&1
	echo "$? $case run $n: ecmptrace ran at its defaults" >>"$res"
	lab_check elapsed "$json" 11 >>"$res.log"
	echo "$? $case run $n: it took 10 s (11 with whole-second stamps) or less" >>"$res"
	case $case in
	slow)
		local addr
		addr=$(lab_answer "$LAB_PREFIX-r2$branch")
		ports_through "$json" "$addr" >"$LAB_TMP/ports"
		local lab_says tol
		lab_says=$(delivered "$branch")
		echo "$? $case run $n: the delay elements gave their account ($lab_says)" >>"$res"
		tol=${lab_says#* }
		echo "# the lab delivered ${lab_says% *} ms more on r2$branch; its sends took up to $tol ms" >>"$res.log"
		lab_check slow "$json" "$addr" 5.0 "$LAB_TMP/ports" "${tol:-0}" >>"$res.log"
		echo "$? $case run $n: one slow-branch names r2$branch ($addr), its interval holds 5 ms (+-${tol:-0} ms, the lab's own send), its ports are the kernel's" >>"$res"
		keep_failed "$res" "$json" "$case.$n"
		;;
	*)
		lab_check none "$json" slow-branch >>"$res.log"
		echo "$? $case run $n: no slow-branch finding" >>"$res"
		keep_failed "$res" "$json" "$case.$n"
		;;
	esac
	grep -h '^# .*\(slow-branch\|took\|interval\|names ports\|blames\|delivered\|account\|JSON\)' "$res.log" >>"$res.diag"
}

report() {	# report CASE: TAP lines of the case's runs
	local f status desc
	for f in "$OUT/$1".[0-9]; do
		[ -f "$f" ] || { ok 1 "$f: the run left no result"; continue; }
		while read -r status desc; do ok "$status" "$desc"; done <"$f"
		[ -f "$f.diag" ] && sed 's/^#/#  /' "$f.diag"
	done
}

for case in slow clean limited; do
	for n in $(seq 1 "$RUNS"); do
		fam=$((RANDOM % 2 ? 6 : 4))
		branch=$((RANDOM % 2)); branch=${branch/0/a}; branch=${branch/1/b}
		( one_run "$case" "$n" "$fam" "$branch" $((RANDOM % 2)) ) &
	done
	wait
	report "$case"
done

tap_done
