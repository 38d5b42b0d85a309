#!/bin/bash
# ICMP rate limiters are per router (issue 10, point 4): a 4-way split
# merging on a router m whose route back is multipath without a src, so m
# answers from four addresses that share its one limiter, then a 2-way
# split; Linux's default ICMP limits on every router and the server.  One
# discovery pass with the defaults (-c 1) must find every interface,
# report m's addresses as one router (JSON and text report), and spend no
# more probes than scamper's tracelb does there (57), counted by nftables
# on the client's output.  The stopping rule is 95%: a run that misses an
# interface is run once more (a fresh flow set); both missing fails.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

# The namespaces' hash seeds come from $RANDOM: seed it, and say with what.
seed=${LAB_SEED:-$(( $(date +%s) % 30000 + 1 ))}
RANDOM=$seed
echo "# seed $seed (LAB_SEED=$seed to replay the hash seeds)"

lab_topo_merge
ok $? "merge diamond built (m answers from $LAB_ALIAS_ADDRS)"
limits=0
for ns in "${LAB_NAMESPACES[@]}"; do
	[ "$ns" = "$LAB_CLIENT_NS" ] && continue
	lab_icmp_ratelimit "$ns" on || limits=1
done
ok "$limits" "Linux's default ICMP limits on every router and the server"

# Probes to the server, counted on the client's output.
count_reset() {
	ip netns exec "$LAB_CLIENT_NS" nft delete table ip aliascnt 2>/dev/null
	ip netns exec "$LAB_CLIENT_NS" nft -f - <<-EOF
	table ip aliascnt {
		chain out {
			type filter hook output priority 0; policy accept;
			ip daddr $LAB_SERVER_ADDR counter
		}
	}
	EOF
}
count_read() {
	ip netns exec "$LAB_CLIENT_NS" nft list table ip aliascnt |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

# Every interface of the lab in the JSON, and m as one router: prints why not.
check_json() {	# check_json FILE
	"$LAB_PY" - "$1" "$LAB_ALIAS_ADDRS" ${LAB_TTL_ADDRS[*]} <<-'EOF'
	import json, sys
	doc = json.load(open(sys.argv[1]))
	alias, want = set(sys.argv[2].split()), set(sys.argv[3:])
	got = {b["address"] for h in doc["hops"] for b in h["branches"] if b["address"]}
	routers = [set(r["addresses"]) for r in doc.get("routers", [])]
	bad = []
	if want - got:
	    bad.append("missing " + " ".join(sorted(want - got)))
	if routers != [alias & got]:
	    bad.append("routers %s, want [%s]" % (routers, " ".join(sorted(alias & got))))
	ids = {b["router"] for h in doc["hops"] for b in h["branches"] if b["address"] in alias}
	if len(ids) != 1 or None in ids:
	    bad.append("m's branches carry router ids %s" % sorted(ids, key=str))
	print("; ".join(bad))
	sys.exit(1 if bad else 0)
	EOF
}

out="$LAB_TMP/alias.json"
why=""
for pass in 1 2; do
	# Every run starts with full buckets.
	sleep 7
	count_reset
	start=$(date +%s%N)
	lab_ecmptrace "$out" -n -j -c 1 "$LAB_SERVER_ADDR"
	rc=$?
	wall=$(( ($(date +%s%N) - start) / 1000000 ))
	probes=$(count_read)
	echo "# pass $pass: $probes probes, ${wall} ms"
	why=$(check_json "$out") && break
	echo "# pass $pass: $why"
done
ok "$rc" "ecmptrace -n -j -c 1 ran"
lab_schema report "$out"
lab_ok_or_skip $? "the document validates"
[ -z "$why" ]
ok $? "every interface found, m's addresses reported as one router (pass $pass of at most 2)"
[ -n "$probes" ] && [ "$probes" -le 60 ]
ok $? "probes counted on the client's output: $probes (scamper's tracelb: 57)"
# m's 16 to 21 answers come 6 at once, then 1 a second; scamper takes 23.6 s.
[ "$wall" -le 18000 ]
ok $? "the pass took ${wall} ms (floor ~15 s, scamper 23.6 s)"

sleep 7
txt="$LAB_TMP/alias.txt"
lab_ecmptrace "$txt" -n -r -c 1 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -n -r -c 1 ran"
grep -q '^Routers with several addresses' "$txt" &&
	grep -A1 '^Routers with several addresses' "$txt" | grep -q "R1, TTL 3:"
ok $? "the text report names m as router R1 at TTL 3"
marked=$(grep -c '\[R1\]' "$txt")
[ "$marked" -ge 2 ]
ok $? "m's addresses are marked [R1] in the hop list ($marked of them)"

tap_done
