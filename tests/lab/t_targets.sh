#!/bin/bash
# A link-local target with its zone, "fe80::99%v-a" (RFC 4007): the zone
# must reach the socket and the route.  The client has two links, and the
# neighbour on each holds the same link-local address fe80::99; tracing
# it through each zone must reach the neighbour on that link only (counted
# by nftables there), with the destination at TTL 1 and no error; the
# link-layer check asks and hears that link only (the other link's
# fe80::99 is another machine, not a conflict).  Without
# a zone, the address is refused as a usage error.  A name that resolves
# to an address no host holds (a hosts file that blocks names with 0.0.0.0)
# is refused too, naming the address (the client's /etc/hosts comes from
# /etc/netns/NS/hosts, which "ip netns exec" mounts; removed on exit).
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

LL=fe80::99
built=0
{ lab_ns client && lab_ns a && lab_ns b && lab_link client a 1 && lab_link client b 2; } ||
	built=1
LAB_CLIENT_NS=$(lab_ns_name client)
for peer in a b; do
	ns=$(lab_ns_name "$peer")
	ip -n "$ns" -6 addr add "$LL/64" dev v-client nodad || built=1
	# Static neighbours both ways (see lab_link): no first-solicitation delay.
	ip -n "$LAB_CLIENT_NS" -6 neigh replace "$LL" dev "v-$peer" nud permanent \
		lladdr "$(lab_mac "$ns" v-client)" || built=1
	client_ll=$(ip -n "$LAB_CLIENT_NS" -6 -br addr show dev "v-$peer" scope link |
		awk '{ sub("/.*", "", $3); print $3 }')
	ip -n "$ns" -6 neigh replace "$client_ll" dev v-client nud permanent \
		lladdr "$(lab_mac "$LAB_CLIENT_NS" "v-$peer")" || built=1
	ip netns exec "$ns" nft -f - <<NFT || built=1
table inet count {
	counter probes { }
	chain input { type filter hook input priority 0; meta l4proto udp counter name probes; }
}
NFT
done
ok "$built" "two links, $LL on the far end of both"

probes_at() {	# probes_at PEER -> UDP packets its input hook counted
	ip netns exec "$(lab_ns_name "$1")" nft list counter inet count probes |
		awk '/packets/ { print $2 }'
}

for zone in a b; do
	other=$([ "$zone" = a ] && echo b || echo a)
	before=$(probes_at "$other")
	out="$LAB_TMP/scoped.$zone.json"
	lab_ecmptrace "$out" -n -j -c 2 -i 0.1 --timeout 0.5 "$LL%v-$zone"
	ok $? "ecmptrace -j $LL%v-$zone ran"
	mac=$(lab_mac "$(lab_ns_name "$zone")" v-client)
	"$LAB_PY" - "$out" "$LL" "$mac" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hop = [h for h in d["hops"] if h["ttl"] == 1][0]
addrs = {b["address"] for b in hop["branches"]}
macs = {m["address"] for b in hop["branches"] for m in b.get("link_addresses", [])}
macs |= {n["link_address"] for n in hop.get("neighbours", []) if n["address"] == sys.argv[2]}
kinds = [f["kind"] for f in d["findings"] if f["kind"] == "link-address-conflict"]
print("# TTL 1: %s, link-layer %s, conflicts %s" % (sorted(addrs), sorted(macs), kinds))
sys.exit(0 if d["dest_ttl"] == 1 and addrs == {sys.argv[2]} and macs <= {sys.argv[3]}
         and not kinds else 1)
PY
	ok $? "$LL%v-$zone answers as the destination at TTL 1, seen and asked on v-$zone only"
	n=$(probes_at "$zone")
	[ "${n:-0}" -gt 0 ] && [ "$(probes_at "$other")" = "$before" ]
	ok $? "the probes went out of v-$zone only ($n at $zone, none more at $other)"
done

lab_run_client "$ECMPTRACE" -n -j -c 1 "$LL" >/dev/null 2>"$LAB_TMP/nozone.err"
status=$?
[ "$status" -eq 2 ] && grep -q 'link-local' "$LAB_TMP/nozone.err"
ok $? "$LL without a zone: usage error (status $status: $(head -c 120 "$LAB_TMP/nozone.err"))"

hostsdir=/etc/netns/$LAB_CLIENT_NS
mkdir -p "$hostsdir" || exit 1
trap 'rm -rf "$hostsdir"; lab_on_exit' EXIT
trap 'rm -rf "$hostsdir"; lab_cleanup; exit 130' INT
trap 'rm -rf "$hostsdir"; lab_cleanup; exit 143' TERM
printf '0.0.0.0 blocked.test\n224.0.0.251 group.test\n' >"$hostsdir/hosts"
for name in blocked.test:0.0.0.0 group.test:224.0.0.251; do
	lab_run_client "$ECMPTRACE" -n -j -c 1 "${name%%:*}" >/dev/null 2>"$LAB_TMP/name.err"
	status=$?
	[ "$status" -eq 2 ] && grep -q "resolves to ${name#*:}" "$LAB_TMP/name.err"
	ok $? "${name%%:*} (${name#*:} in the hosts file) refused: status $status, $(head -c 120 "$LAB_TMP/name.err")"
done

tap_done
