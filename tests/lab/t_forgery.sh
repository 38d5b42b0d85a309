#!/bin/bash
# Issue 11: a blind attacker that knows the prober's source-port window
# (-L) floods forged answers while ecmptrace runs with its defaults:
# ICMP time exceeded from addresses never on the path (10.99.0.0/24,
# fd99::/64), port unreachables, echo replies and TCP SYN-ACK/RSTs in the
# target's name, each quoting or acknowledging a guessed probe.  It sits
# behind a silent hop (r3 of ecmp2 sends no time exceeded), where a forged
# hop would meet no real answer.  For UDP, ICMP and TCP on IPv4 and UDP
# on IPv6 (sport-only flows: the attacker knows every flow field), the
# run must show no forged address, the real destination TTL, no finding
# (the network is clean), its rounds on time, and the flood counted as
# unauthenticated.  The flood's seed is printed for replay.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
FORGE="$top_builddir/tests/lab/forge"
if [ ! -x "$FORGE" ]; then
	echo "1..0 # SKIP no forge helper ($FORGE)"
	exit 0
fi
lab_init

SEED=${FORGERY_SEED:-$RANDOM}
ROUNDS=4
# Per attacker process; two run at once (about what the issue measured).
PPS=${FORGERY_PPS:-30000}
echo "# seed $SEED, $PPS forged answers a second from each of two senders"

lab_topo_ecmp2
ok $? "topology built"
lab_attacker_behind_silent_r3
ok $? "attacker namespace behind r3, a silent hop"
lab_tcp_listen "$LAB_SERVER_NS" 80
ok $? "a listener on the server's port 80"

# One case: FAMILY PROTO "ecmptrace options" "forge modes" (two senders).
flood_case() {
	local fam=$1 proto=$2 opts=$3 modes=$4 out client server from dport=33434 m pids=() i=0
	local start end elapsed
	client=$(lab_ifaddr "$fam" client r1)
	server=$(lab_ifaddr "$fam" server r3)
	from=10.99.0.0
	[ "$fam" = 6 ] && from=fd99::
	[ "$proto" = tcp ] && dport=80
	out="$LAB_TMP/$proto$fam.json"
	for m in $modes; do
		i=$((i + 1))
		lab_bg "$LAB_PREFIX-atk" timeout 30 "$FORGE" -"$fam" -m "$m" -p "$proto" -s "$client" \
			-d "$server" -P "$dport" -L 20000 -H 20063 -f "$from" -t 20 -r "$PPS" \
			-S $((SEED * 16 + i)) >/dev/null
		pids+=("$!")
	done
	sleep 0.3
	start=$(date +%s%N)
	lab_ecmptrace "$out" -n -j -c "$ROUNDS" -L 20000 $opts "$server"
	ok $? "$proto IPv$fam under a flood of $modes: ecmptrace ran"
	end=$(date +%s%N)
	for i in "${pids[@]}"; do lab_stop "$i" TERM >/dev/null 2>&1; done
	elapsed=$(( (end - start) / 1000000 ))
	"$LAB_PY" - "$out" "$fam" "$server" "$LAB_DEST_TTL" "$ROUNDS" "$elapsed" >"$out.checks" <<'PY'
import json, sys
path, fam, server, dest_ttl, rounds, elapsed = sys.argv[1:]
text = open(path).read()
d = json.loads(text)
forged = "10.99.0." if fam == "4" else "fd99::"
checks = [
    (forged not in text, "no forged address anywhere in the output"),
    (d["dest_ttl"] == int(dest_ttl), "the destination stays at TTL %s (got %s)" % (dest_ttl, d["dest_ttl"])),
    (all(b["address"] == server for h in d["hops"] if h["ttl"] == int(dest_ttl) for b in h["branches"]),
     "only the target answers at its TTL"),
    (d["findings"] == [], "no finding on a clean network (got %s)" % [f["kind"] for f in d["findings"]]),
    (d["rounds"] == int(rounds) and int(elapsed) <= int(rounds) * 1000 + 3000,
     "%s rounds on time (%s rounds in %s ms)" % (rounds, d["rounds"], elapsed)),
    (d["probes"].get("unauthenticated", 0) > 0,
     "the flood arrived and was refused (%d unauthenticated, %d foreign)"
     % (d["probes"].get("unauthenticated", 0), d["probes"]["foreign"])),
]
for good, what in checks:
    print(0 if good else 1, what)
PY
	[ -s "$out.checks" ] || echo "1 the output could be read" >"$out.checks"
	local status what
	while read -r status what; do
		ok "$status" "$proto IPv$fam: $what"
	done <"$out.checks"
}

flood_case 4 udp "" "error unreach"
flood_case 4 icmp "--icmp" "error echo"
flood_case 4 tcp "-T -P 80" "error tcp"
flood_case 6 udp "--vary sport" "error unreach"

tap_done
