#!/bin/bash
#
# The benchmark of issue 6: ecmptrace against scamper's tracelb (the
# multipath discovery algorithm, MDA) on lab diamonds, and against mtr for
# CPU time per probe, plus ecmptrace's peak memory at 256 flows x 30 hops.
# Everything runs inside network namespaces built with tests/lab/lab.sh;
# no packet leaves them.  Needs root, scamper (with sc_warts2json), mtr,
# nft and python3.  Not part of "make check": it takes a couple of minutes.
#
# Usage: bench/run.sh [PATH/TO/ecmptrace]
#	(default: $ECMPTRACE, else ./ecmptrace)
# Environment: LAB_KEEP=1 keeps the raw outputs (the path is printed);
# BENCH_REPS=N (default 3) runs each diamond comparison N times and judges
# the goals on the medians (scamper takes about 14 s a run);
# BENCH_REPS_UNEQUAL=N (default 10) is the number of runs of scenario 1b,
# which counts how often each tool finds a router.  With tcpdump, the
# tables also say when each TTL was probed.
#
# Probes are counted the same way for every tool: nftables counters on the
# client namespace's output hook, one per IP TTL, for packets to the
# destination.  Wall time, CPU time and peak memory come from wait4() (see
# rusage.py).  Interfaces found are the answer addresses a tool reports,
# compared with the addresses the lab says can answer.  See README.md.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
ECMPTRACE=${1:-${ECMPTRACE:-./ecmptrace}}
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
[ -x "$ECMPTRACE" ] || die "no ecmptrace binary at $ECMPTRACE (give its path)"
ECMPTRACE=$(cd "$(dirname "$ECMPTRACE")" && pwd)/$(basename "$ECMPTRACE")
for t in ip nft timeout scamper sc_warts2json sc_warts2text mtr "$PY"; do
	command -v "$t" >/dev/null 2>&1 || die "needs $t"
done
HAVE_TCPDUMP=$(command -v tcpdump)
# Capture the probes of the diamond runs (off for the CPU runs: a capture
# socket makes every transmitted packet cost the sender more).
CAPTURE=1

# IPv4: the per-packet balancer and the probe counters are IPv4 rules.
LAB_FAMILY=4
# shellcheck source-path=SCRIPTDIR source=../tests/lab/lab.sh
. "$TOP/tests/lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=topo.sh
. "$BENCH_DIR/topo.sh"
LAB_PREFIX=${LAB_PREFIX:-bench$$}
lab_init || die "lab_init failed"

# Bounds: every tool run is under timeout(1).
T_SCAMPER=${BENCH_T_SCAMPER:-300}
T_TOOL=${BENCH_T_TOOL:-120}
# Linux refills a router's per-destination ICMP token bucket at 1 token a
# second up to 6: a pause this long gives every run a full bucket, so one
# tool's run does not drain the routers for the next.
REFILL=7
REPS=${BENCH_REPS:-3}
# BENCH_ONLY="1 2b ...": run only these scenarios (default: all).
ONLY=${BENCH_ONLY:-}
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
case $REPS in ''|*[!0-9]*|0) die "BENCH_REPS must be a positive number" ;; esac
# Scenario 1b counts how many runs find x: 3 runs say little about a miss
# that happens about half the time.  Bounded: scamper takes ~14 s a run.
REPS_UNEQUAL=${BENCH_REPS_UNEQUAL:-10}
case $REPS_UNEQUAL in
''|*[!0-9]*|0) die "BENCH_REPS_UNEQUAL must be a positive number" ;;
esac
[ "$REPS_UNEQUAL" -le 50 ] || die "BENCH_REPS_UNEQUAL: at most 50 (scamper takes ~14 s a run)"

# Adaptive MDA (--confidence) or, in an ecmptrace without it, a fixed
# number of flows: 32 flows miss one branch of a 4-way split with
# probability 4 * (3/4)^32 < 0.1%, more than the 95% of the MDA runs.
if "$ECMPTRACE" --help 2>&1 | grep -q -- '--confidence'; then
	ET_MODE=mda
	ET_DISCOVERY=(--confidence 95)
else
	ET_MODE=fixed
	ET_DISCOVERY=(--flows 32)
fi
ET_ROUNDS=1

# Output counters in the client: probes to DST per TTL.
bench_count_reset() {	# bench_count_reset DST
	local t
	ip netns exec "$LAB_CLIENT_NS" nft delete table ip benchcnt 2>/dev/null
	{
		echo "table ip benchcnt {"
		echo " chain out {"
		echo "  type filter hook output priority 0; policy accept;"
		for t in $(seq 1 32); do
			echo "  ip daddr $1 ip ttl $t counter"
		done
		echo "  ip daddr $1 ip ttl > 32 counter"
		echo " }"
		echo "}"
	} | ip netns exec "$LAB_CLIENT_NS" nft -f - || die "nft counters failed"
}

# With tcpdump: capture the probes of a run (client -> server, on the
# client's only interface) to print when each TTL was probed.
bench_capture_start() {	# bench_capture_start PCAP
	local i
	CAPTURE_PID=""
	[ -n "$HAVE_TCPDUMP" ] && [ "$CAPTURE" = 1 ] || return 0
	rm -f "$1"
	# Immediate mode: without it the kernel hands packets over in
	# batches, and those still queued when the capture is stopped are lost.
	lab_bg "$LAB_CLIENT_NS" tcpdump -i "$LAB_CLIENT_FIRST_DEV" -n -U --immediate-mode \
		-s 64 -w "$1" \
		"ip src $LAB_CLIENT_ADDR and ip dst $LAB_SERVER_ADDR" 2>/dev/null
	CAPTURE_PID=${LAB_PIDS[${#LAB_PIDS[@]}-1]}
	# The file header is written once the capture is open.
	for i in $(seq 1 40); do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge 24 ] && return 0
		sleep 0.05
	done
}

bench_capture_stop() {	# bench_capture_stop PCAP TIMES
	[ -n "$CAPTURE_PID" ] || return 0
	sleep 0.3
	kill "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
	# Forget it, so that cleanup never signals a reused process id.
	local keep=() p
	for p in "${LAB_PIDS[@]}"; do
		[ "$p" = "$CAPTURE_PID" ] || keep+=("$p")
	done
	LAB_PIDS=("${keep[@]}")
	# "SECONDS TTL" per probe.
	tcpdump -tt -n -v -r "$1" 2>/dev/null |
		sed -n 's/^\([0-9.]*\) IP (tos [^,]*, ttl \([0-9]*\),.*/\1 \2/p' >"$2"
	rm -f "$1"
}

# Run one tool in the client: DIR/TOOL.{out,err,ru,cnt,cmd,times}.
bench_run() {	# bench_run DIR TOOL TIMEOUT CMD...
	local d=$1 tool=$2 limit=$3; shift 3
	bench_count_reset "$LAB_SERVER_ADDR"
	echo "$*" >"$d/$tool.cmd"
	bench_capture_start "$d/$tool.pcap"
	timeout -k 5 "$limit" ip netns exec "$LAB_CLIENT_NS" \
		"$PY" "$BENCH_DIR/rusage.py" "$d/$tool.ru" "$@" \
		>"$d/$tool.out" 2>"$d/$tool.err"
	local rc=$?
	[ "$rc" -eq 124 ] && echo "  ($tool timed out after $limit s)"
	bench_capture_stop "$d/$tool.pcap" "$d/$tool.times"
	ip netns exec "$LAB_CLIENT_NS" nft list table ip benchcnt >"$d/$tool.cnt"
	return 0
}

bench_scamper() {	# bench_scamper DIR RUN
	local d=$1 run=scamper-$2
	rm -f "$d/$run.warts"
	bench_run "$d" "$run" "$T_SCAMPER" scamper -O warts -o "$d/$run.warts" \
		-c "tracelb -P udp-dport -c 95" -i "$LAB_SERVER_ADDR"
	sc_warts2json "$d/$run.warts" >"$d/$run.json" 2>>"$d/$run.err"
	# The text form as well: sc_warts2json (20211212) leaves out the last
	# hop of a graph that ends in a hop of several addresses (x and the
	# server at TTL 5 in scenario 1b); sc_warts2text prints it.
	sc_warts2text "$d/$run.warts" >"$d/$run.txt" 2>>"$d/$run.err"
}

bench_ecmptrace() {	# bench_ecmptrace DIR RUN EXTRA_ARGS...
	local d=$1 run=ecmptrace-$2; shift 2
	echo "$ET_MODE" >"$d/ecmptrace.mode"
	bench_run "$d" "$run" "$T_TOOL" "$ECMPTRACE" -n -j "${ET_DISCOVERY[@]}" \
		-c "$ET_ROUNDS" "$@" "$LAB_SERVER_ADDR"
	cp "$d/$run.out" "$d/$run.json"
}

# RUNS runs of both tools, alternating; PAUSE seconds before each.  Each
# run has a flow set of its own: ecmptrace picks a random source port base,
# scamper's source port comes from its process id (the report prints them).
bench_pair() {	# bench_pair DIR PAUSE RUNS ECMPTRACE_ARGS...
	local d=$1 pause=$2 runs=$3 i; shift 3
	for i in $(seq 1 "$runs"); do
		[ "$pause" -gt 0 ] && sleep "$pause"
		bench_ecmptrace "$d" "$i" "$@"
		[ "$pause" -gt 0 ] && sleep "$pause"
		bench_scamper "$d" "$i"
	done
}

# The expected answers of the current topology.
bench_expected() {	# bench_expected DIR
	local t e
	{
		for t in $(seq 1 "$LAB_DEST_TTL"); do
			echo "ttl $t ${LAB_TTL_ADDRS[$t]}"
		done
		for e in ${BENCH_EDGES:-}; do
			echo "edge ${e%>*} ${e#*>}"
		done
		echo "diamond ${BENCH_DIAMOND_TTLS:-2 3 4}"
		if [ -n "${BENCH_LONG_ADDR:-}" ]; then echo "long $BENCH_LONG_ADDR"; fi
	} >"$1/expected"
}

# ICMP limits of every namespace but the client's: Linux's defaults or none.
bench_limits() {	# bench_limits on|off
	local ns
	for ns in "${LAB_NAMESPACES[@]}"; do
		[ "$ns" = "$LAB_CLIENT_NS" ] && continue
		lab_icmp_ratelimit "$ns" "$1"
	done
}

bench_report() { "$PY" "$BENCH_DIR/report.py" "$@"; }

echo "bench: ecmptrace $("$ECMPTRACE" --version 2>&1 | head -n 1) ($ECMPTRACE)"
echo "bench: scamper $(scamper -v 2>&1 | head -n 1); $(mtr -v 2>&1 | head -n 1)"
echo "bench: kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
if [ "$ET_MODE" = fixed ]; then
	echo "bench: NOTE: this ecmptrace has no --confidence: it runs FIXED FLOWS"
	echo "bench:       (${ET_DISCOVERY[*]} -c 1), NOT the MDA; its probe counts say"
	echo "bench:       nothing about the adaptive discovery the goals are about"
fi

if want 1; then
	# 1. The 4-way -> 4 -> 2-way diamond, per-flow ECMP, ICMP limits off.
	D1=$LAB_TMP/diamond-off
	mkdir -p "$D1"
	bench_topo_wide flow || die "could not build the diamond"
	bench_limits off
	bench_expected "$D1"
	echo
	echo "== 1. diamond 4-way -> 4 -> 2-way (TTL 2, 3, 4; server at TTL 5), per-flow ECMP,"
	echo "==    routers' ICMP limits off"
	bench_pair "$D1" 0 "$REPS" --rate 10000
	bench_report diamond "$D1" --wall-goal 0.1
	lab_teardown
fi

if want 1b; then
	# 1b. The same diamond with branches of unequal length: c2 reaches the
	# server through one more router, x.  At TTL 5 flows through c1 meet the
	# server and flows through c2 meet x.  ecmptrace follows a flow through
	# each router of TTL 4 to TTL 5; scamper stops at its first answer from
	# the server, and sees x only when its first TTL-5 probe went through c2.
	D1B=$LAB_TMP/diamond-unequal
	mkdir -p "$D1B"
	bench_topo_wide unequal || die "could not build the unequal diamond"
	bench_limits off
	bench_expected "$D1B"
	echo
	echo "== 1b. the same diamond with branches of unequal length: c2 - x - server,"
	echo "==     so TTL 5 is x (via c2) or the server (via c1), and TTL 6 the server;"
	echo "==     routers' ICMP limits off, $REPS_UNEQUAL runs each"
	bench_pair "$D1B" 0 "$REPS_UNEQUAL" --rate 10000
	bench_report unequal "$D1B"
	lab_teardown
fi

if want 2; then
	# Scenario 2 uses scenario 1's diamond again, built anew (new hash seeds).
	bench_topo_wide flow || die "could not build the diamond"

	# 2. The same diamond, every router (and the server) at Linux's default
	# ICMP limits: 6 errors, then 1 per second, per destination.
	D2=$LAB_TMP/diamond-limits
	mkdir -p "$D2"
	bench_limits on
	bench_expected "$D2"
	echo
	echo "== 2. the same diamond, every router and the server at Linux's default ICMP"
	echo "==    limits (icmp_ratelimit 1000 ms: 6 answers, then 1 a second per prober)"
	bench_pair "$D2" "$REFILL" "$REPS"
	bench_report diamond "$D2" --wall-goal 0.75 --no-probe-goal --floor
	lab_teardown
fi

# 2b. Issue 10, point 4: a 4-way split merging on one router m whose route
# back to the client is multipath without a preferred source, so m answers
# from four addresses that share its one ICMP limiter; then a 2-way split.
# Linux's default limits on every router and the server.
if want 2b; then
	D2B=$LAB_TMP/merge-limits
	mkdir -p "$D2B"
	bench_topo_merge || die "could not build the merge diamond"
	bench_limits on
	bench_expected "$D2B"
	echo "alias $BENCH_ALIASES" >>"$D2B/expected"
	echo
	echo "== 2b. 4-way -> merge router m (answers from 4 addresses, one limiter) -> 2-way"
	echo "==     (TTL 2 a1..a4, TTL 3 m, TTL 4 c1|c2, server at TTL 5), every router"
	echo "==     and the server at Linux's default ICMP limits"
	bench_pair "$D2B" "$REFILL" "$REPS"
	bench_report diamond "$D2B" --wall-goal 0.75 --floor --aliases
	lab_teardown
fi

if want 3; then
	# 3. Per-packet balancing at r1 (nftables numgen + fwmark rules).
	D3=$LAB_TMP/per-packet
	mkdir -p "$D3"
	bench_topo_wide packet || die "could not build the per-packet diamond"
	bench_limits off
	bench_expected "$D3"
	echo
	echo "== 3. the same diamond with r1 balancing per packet (random mark, ip rule"
	echo "==    fwmark -> one table per branch), ICMP limits off; ecmptrace -c 1 and -c 4"
	# ecmptrace twice: discovery alone (-c 1, as in 1), and 4 rounds (-c 4),
	# so that a flow can show several answers: ecmptrace calls a single change
	# of responder a path change and needs a flow to go back and forth to call
	# it per-packet balancing.
	ET_ROUNDS=4
	for i in $(seq 1 "$REPS"); do
		bench_ecmptrace "$D3" "$i" --rate 10000 -i 0.05
		for f in "$D3/ecmptrace-$i".*; do
			mv "$f" "$D3/ecmptrace_c4-$i.${f##*.}"
		done
	done
	ET_ROUNDS=1
	bench_pair "$D3" 0 "$REPS" --rate 10000
	bench_report perpacket "$D3"
	lab_teardown
fi

if want 4; then
	# 4. A 29-router chain (server at TTL 30): CPU time per probe against mtr,
	# then peak memory at 256 flows x 30 hops.
	D4=$LAB_TMP/chain-cpu
	D5=$LAB_TMP/chain-memory
	mkdir -p "$D4" "$D5"
	lab_topo_chain 29 || die "could not build the chain"
	CAPTURE=0
	bench_limits off
	echo
	echo "== 4. CPU time per probe against mtr -r, 29-router chain (server at TTL 30),"
	echo "==    one flow, 50 rounds 0.1 s apart, ICMP limits off"
	# The lab's forwarding runs in softirq context on the sending CPU, and the
	# kernel charges it to whatever task runs there: the tool's own "sys" time
	# would include 29 routers' work for every probe.  So the tool runs pinned
	# to CPU 0 and RPS moves the first router's receive processing (and with it
	# all the forwarding and the answers) to CPU 1.
	PIN=()
	if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
		ip netns exec "$(lab_ns_name c1)" sh -c \
			'echo 2 >/sys/class/net/v-client/queues/rx-0/rps_cpus' && PIN=(taskset -c 0)
	fi
	if [ "${#PIN[@]}" -gt 0 ]; then
		echo "==    (tools pinned to CPU 0; the lab's forwarding steered to CPU 1 by RPS)"
	else
		echo "==    (one CPU: the tools' sys time includes the lab's forwarding)"
	fi
	# A few runs of each, alternating: one run's CPU time is tick-sampled and
	# moves with whatever else the machine does; the goal is judged on medians.
	for i in $(seq 1 "$REPS"); do
		bench_run "$D4" "mtr-$i" "$T_TOOL" "${PIN[@]}" mtr -r -n -c 50 -i 0.1 "$LAB_SERVER_ADDR"
		bench_run "$D4" "ecmptrace-$i" "$T_TOOL" "${PIN[@]}" "$ECMPTRACE" -r -n --flows 1 -c 50 \
			-i 0.1 --rate 10000 "$LAB_SERVER_ADDR"
	done
	bench_report cpu "$D4"
	echo
	echo "== 5. peak memory at 256 flows x 30 hops (same chain)"
	bench_run "$D5" ecmptrace-1 "$T_TOOL" "$ECMPTRACE" -n -j --flows 256 -m 30 -c 2 \
		-i 0.5 --rate 10000 "$LAB_SERVER_ADDR"
	bench_report memory "$D5"
	lab_teardown
fi

echo
echo "bench: done"
