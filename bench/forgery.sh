#!/bin/bash
#
# The forgery benchmark of issue 11: FORGERY_N (default 10 million) forged
# answers per protocol (udp, tcp, icmp) and family (IPv4, IPv6) against a
# run of ecmptrace whose source-port window the attacker knows (-L), and
# how many of them it accepted (goal: 0).  The attacker (tests/lab/forge)
# is blind: half its answers are ICMP time exceeded from addresses never
# on the path, quoting a guessed probe (8 transport bytes on IPv4, the
# least it must guess; the whole probe on IPv6), half the target's own
# answers (port unreachable, echo reply, SYN-ACK/RST), all with random
# probe ids, IP-IDs, sequence numbers and payloads.  IPv6 runs vary only
# the source port (--vary sport), so the attacker knows every flow field.
#
# The network is client - r1 - {r2a, r2b} - r3 - server with r3 and the
# server silent, so every answer beyond TTL 2 is forged: accepted =
# (replies + duplicates + late) - answers from r1, r2a, r2b.  Seen =
# accepted + unauthenticated + foreign, what the capture took in (sent -
# seen were dropped by the kernel when the prober fell behind), and seen
# per second over the flood (the rate the capture path absorbed, bounded
# by the senders' own rate when nothing was dropped).
#
# Usage: bench/forgery.sh [PATH/TO/ecmptrace]   (needs root; ~30 s a case)
# Environment: FORGERY_N, FORGERY_CASES ("udp4 tcp4 icmp4 udp6 tcp6 icmp6"),
# FORGERY_SEED.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
ECMPTRACE=${1:-${ECMPTRACE:-$TOP/ecmptrace}}
FORGE=${FORGE:-$TOP/tests/lab/forge}
N=${FORGERY_N:-10000000}
CASES=${FORGERY_CASES:-udp4 tcp4 icmp4 udp6 tcp6 icmp6}
SEED=${FORGERY_SEED:-$RANDOM}
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
[ -x "$ECMPTRACE" ] || die "no ecmptrace binary at $ECMPTRACE"
[ -x "$FORGE" ] || die "no forge helper at $FORGE (make builds tests/lab/forge)"
case $N in ''|*[!0-9]*) die "FORGERY_N must be a whole number" ;; esac

# shellcheck disable=SC1091
. "$TOP/tests/lab/lab.sh"
lab_init
echo "bench: forgery, $N forged answers per case, seed $SEED"

lab_topo_ecmp2 || die "topology"
# Silent: r3 sends no time exceeded, the server answers nothing.
lab_attacker_behind_silent_r3 || die "attacker behind a silent r3"
ip netns exec "$LAB_SERVER_NS" nft -f - <<'NFT' || die "nft server"
table inet silent {
	chain in {
		type filter hook input priority 0;
		meta l4proto { tcp, udp, icmp, ipv6-icmp } drop
	}
}
NFT

printf '%-6s %10s %10s %10s %16s %9s %8s\n' case sent seen accepted unauthenticated foreign "seen/s"
for c in $CASES; do
	proto=${c%?} fam=${c#"$proto"}
	client=$(lab_ifaddr "$fam" client r1)
	server=$(lab_ifaddr "$fam" server r3)
	from=10.99.0.0 opts="" direct=unreach dport=33434
	[ "$fam" = 6 ] && from=fd99:: opts="--vary sport"
	[ "$proto" = tcp ] && opts="$opts -T -P 80" direct=tcp dport=80
	[ "$proto" = icmp ] && opts="$opts --icmp" direct=echo
	out="$LAB_TMP/$c.json"
	# shellcheck disable=SC2086
	ip netns exec "$LAB_CLIENT_NS" "$ECMPTRACE" -n -j -c 100000 -L 20000 $opts "$server" \
		>"$out" 2>"$out.err" &
	tracer=$!
	sleep 1
	start=$(date +%s%N)
	half=$((N / 2))
	lab_exec "$LAB_PREFIX-atk" "$FORGE" -"$fam" -m error -p "$proto" -s "$client" -d "$server" \
		-P "$dport" -L 20000 -H 20015 -f "$from" -n "$half" -S $((SEED * 16 + 1)) >"$out.f1" &
	f1=$!
	lab_exec "$LAB_PREFIX-atk" "$FORGE" -"$fam" -m "$direct" -p "$proto" -s "$client" -d "$server" \
		-P "$dport" -L 20000 -H 20015 -f "$from" -n $((N - half)) -S $((SEED * 16 + 2)) >"$out.f2" &
	f2=$!
	wait "$f1" "$f2"
	sleep 1
	end=$(date +%s%N)
	kill -INT "$tracer"
	wait "$tracer"
	"$PY" - "$out" "$c" "$(($(cat "$out.f1") + $(cat "$out.f2")))" "$(( (end - start) / 1000000 ))" \
		"$(lab_ifaddr "$fam" r1 client) $(lab_ifaddr "$fam" r2a r1) $(lab_ifaddr "$fam" r2b r1)" <<'PY'
import json, sys
path, case, sent, ms, legit = sys.argv[1:]
try:
    d = json.load(open(path))
except ValueError:
    print("%-6s no JSON output" % case)
    sys.exit(0)
p = d["probes"]
legit = set(legit.split())
real = sum(b["received"] for h in d["hops"] for b in h["branches"] if b["address"] in legit)
accepted = p["replies"] + p["duplicates"] + p["late"] - real
seen = accepted + p["unauthenticated"] + p["foreign"]
print("%-6s %10d %10d %10d %16d %9d %8.0f" % (case, int(sent), seen, accepted,
      p["unauthenticated"], p["foreign"], seen / (int(ms) / 1000.0)))
PY
done
echo "bench: done"
