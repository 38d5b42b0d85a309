#!/bin/bash
# Slow branch, end to end: ecmp2 with both members' links to r3 through a
# delay element (tests/lab/delayfwd.c) of 1 ms, and one of them (drawn from
# the printed seed) 5 ms more.  ecmptrace at its defaults (-c 10 is the
# default: about 10 s) must raise exactly one slow-branch finding naming
# that member, its 95% interval holding 5 ms (give or take the delay
# elements' own precision, TOL_MS below), its ports exactly the flows
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
RUNS=5
# How far the elements' difference may stray from 5 ms: each element's own
# cost (a veth crossing, a packet socket, waking on time) is some 10-60 us
# on a loaded machine and not the same for two elements, while the
# interval of several hundred samples is some 10 us wide.  Measured over
# 15 runs (5 in parallel): the shift came out 4.98-5.05 ms.
TOL_MS=0.1
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ecmptrace-slow.XXXXXX") || exit 1
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf "$OUT"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The flows' source ports whose path the kernel sends through ADDR at TTL 2.
ports_through() {	# ports_through JSON ADDR
	local sport dport
	dport=$(lab_check port "$1")
	lab_check flows "$1" | while read -r _ sport; do
		# shellcheck disable=SC2046 # one word per TTL
		set -- "$1" "$2" $(lab_path udp "$sport" "$dport")
		[ "$4" = "$2" ] && echo "$sport"
	done
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
		lab_check slow "$json" "$addr" 5.0 "$LAB_TMP/ports" "$TOL_MS" >>"$res.log"
		echo "$? $case run $n: one slow-branch names r2$branch ($addr), its interval holds 5 ms (+-$TOL_MS), its ports are the kernel's" >>"$res"
		;;
	*)
		lab_check none "$json" slow-branch >>"$res.log"
		echo "$? $case run $n: no slow-branch finding" >>"$res"
		;;
	esac
	grep -h '^# .*\(slow-branch\|took\|interval\|names ports\|blames\)' "$res.log" >>"$res.diag"
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
