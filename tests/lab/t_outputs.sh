#!/bin/bash
# Where the results go, and how a run ends.  Every face (-j, -r, -C, --dot,
# --json-stream) writing to a full device (/dev/full) or to a closed
# stdout must say so on stderr and exit 1, never 0 in silence.  SIGHUP,
# SIGTERM and SIGINT sent in the middle of a run must all end it the same
# way: the results gathered so far printed, the same exit status.  A
# stream whose reader goes away (| head) ends quietly with status 0.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_chain 2
ok $? "topology built"
args=(-n -i 0.1 --timeout 0.5 --flows 4)

# Write errors: a short run whose output cannot be written.
for face in -j -r --json-stream -C --dot; do
	for where in full closed; do
		errf="$LAB_TMP/write.err"
		if [ "$where" = full ]; then
			lab_run_client "$ECMPTRACE" "$face" -c 1 "${args[@]}" "$LAB_SERVER_ADDR" \
				>/dev/full 2>"$errf"
		else
			lab_run_client "$ECMPTRACE" "$face" -c 1 "${args[@]}" "$LAB_SERVER_ADDR" \
				>&- 2>"$errf"
		fi
		status=$?
		[ "$status" -eq 1 ] && grep -q '^ecmptrace: cannot write the output' "$errf"
		ok $? "$face to a $where stdout: status 1 and a message (status $status: $(head -c 200 "$errf"))"
	done
done

# A reader that goes away (| head) ends a stream quietly, and soon.
errf="$LAB_TMP/pipe.err"
start=$SECONDS
set -o pipefail
lab_run_client "$ECMPTRACE" --json-stream -c 1000 "${args[@]}" "$LAB_SERVER_ADDR" 2>"$errf" |
	head -n 1 >/dev/null
status=$?
set +o pipefail
[ "$status" -eq 0 ] && [ ! -s "$errf" ] && [ $((SECONDS - start)) -lt 30 ]
ok $? "--json-stream | head -n 1: ends in $((SECONDS - start)) s, status $status, nothing on stderr"

# What a run printed before SIGNAL stopped it, and the status: "STATUS".
# The run would take 100 s; the signal comes once the first round is in.
stop_with() {	# stop_with FACE SIGNAL OUT
	local face=$1 sig=$2 out=$3 pid status
	# "ip netns exec" execs the binary, so $! is ecmptrace itself.
	ip netns exec "$LAB_CLIENT_NS" "$ECMPTRACE" "$face" -c 1000 "${args[@]}" \
		"$LAB_SERVER_ADDR" >"$out" 2>"$out.err" &
	pid=$!
	sleep 1.5
	# Bounded: a run that ignores the signal is killed after 10 s and fails.
	lab_stop "$pid" "$sig"
	status=$?
	echo "$status"
}

# Did OUT get the results a FACE prints at the end, saying SIGNAL ended it?
# The JSON must also be valid against the schema.
printed() {	# printed FACE OUT SIGNAL
	case $1 in
	-j) "$LAB_PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(0 if d["hops"] and d["end"] == {"reason": "signal", "signal": sys.argv[2], "error": None}
         else 1)' "$2" "SIG$3" && lab_schema report "$2" ;;
	-r) grep -q "$LAB_SERVER_ADDR" "$2" ;;
	-C) grep -q ",signal,.*,$LAB_SERVER_ADDR," "$2" ;;
	--dot) grep -q "ended by signal" "$2" && grep -q "$LAB_SERVER_ADDR" "$2" ;;
	--json-stream)
		"$LAB_PY" -c 'import json,sys
e=json.loads(open(sys.argv[1]).read().splitlines()[-1])
sys.exit(0 if e["type"] == "end" and e["reason"] == "signal" and e["signal"] == sys.argv[2]
         else 1)' "$2" "SIG$3" && lab_schema stream "$2" ;;
	esac
}

for face in -j -r --json-stream -C --dot; do
	statuses=""
	for sig in HUP TERM INT; do
		out="$LAB_TMP/signal.$sig$face"
		status=$(stop_with "$face" "$sig" "$out")
		statuses="$statuses $status"
		printed "$face" "$out" "$sig"
		ok $? "$face stopped by SIG$sig prints its results and says so (status $status)"
	done
	read -r hup term int <<<"$statuses"
	[ "$hup" = "$term" ] && [ "$term" = "$int" ] && [ "$hup" = 0 ]
	ok $? "$face: SIGHUP, SIGTERM and SIGINT end with the same status 0 ($statuses)"
done

tap_done
