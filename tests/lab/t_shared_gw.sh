#!/bin/bash
# A host that balances over two next hops on one interface (two routers
# on its LAN, one multipath default route through both):
#
#	client -(eth0)- [switch] -+- r1 - r3 - server      TTL 1 r1|r2,
#	                          +- r2 /                  2 r3, 3 server
#
# Choosing the interface cannot choose between them, so ecmptrace sends
# each UDP or TCP probe as a frame to the link-layer address of its
# flow's next hop, as the kernel picks it for a connection on the flow's
# ports.  The oracle: nftables in the switch records, per router port,
# the source ports of the UDP datagrams and TCP SYNs that went to it, for
# the probes and then for real connections on the same ports; both must
# agree, every flow's path must start at the router its probes went to,
# and no warning is printed.
# make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
command -v bridge >/dev/null 2>&1 || skip_all "needs bridge (iproute2)"
lab_init

NET=10.0.80 NET6=fd00:0:0:80

build() {
	local n h=1
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 r2 r3; do lab_ns "$n" router || return 1; done
	lab_seg_bridge || return 1
	C=$(lab_ns_name client) SW=$(lab_ns_name switch)
	LAB_CLIENT_NS=$C
	for n in client r1 r2; do
		lab_seg_port "$n" eth0 "p-$n" &&
			ip -n "$(lab_ns_name $n)" addr add "$NET.$h/24" dev eth0 &&
			ip -n "$(lab_ns_name $n)" -6 addr add "$NET6::$h/64" dev eth0 nodad || return 1
		h=$((h + 1))
	done
	lab_link r1 r3 81 && lab_link r2 r3 82 && lab_link r3 server 83 || return 1
	ip -n "$C" route add default nexthop via "$NET.2" dev eth0 nexthop via "$NET.3" dev eth0 &&
		ip -n "$C" -6 route add default nexthop via "$NET6::2" dev eth0 \
			nexthop via "$NET6::3" dev eth0 || return 1
	lab_exec "$C" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1 >/dev/null || return 1
	lab_route r1 83 r3 && lab_route r2 83 r3 || return 1
	ip -n "$(lab_ns_name r3)" route add "$NET.0/24" via "$(lab_ifaddr 4 r1 r3)" &&
		ip -n "$(lab_ns_name r3)" -6 route add "$NET6::/64" via "$(lab_ifaddr 6 r1 r3)" &&
		lab_default server r3 || return 1
	# The client has talked to both routers, as a host using them has.
	lab_exec "$C" ping -c 1 -W 1 "$NET.2" >/dev/null && lab_exec "$C" ping -c 1 -W 1 "$NET.3" >/dev/null &&
		lab_exec "$C" ping -c 1 -W 1 "$NET6::2" >/dev/null &&
		lab_exec "$C" ping -c 1 -W 1 "$NET6::3" >/dev/null || return 1
	# What reached which router: source ports of UDP datagrams and of TCP
	# SYNs (not the resets the client's kernel answers SYN-ACKs with).
	lab_exec "$SW" nft -f - <<-EOF
	table bridge seen {
		set udp_r1 { type inet_service; flags dynamic; }
		set udp_r2 { type inet_service; flags dynamic; }
		set tcp_r1 { type inet_service; flags dynamic; }
		set tcp_r2 { type inet_service; flags dynamic; }
		chain watch {
			type filter hook forward priority 0; policy accept;
			iifname "p-client" oifname "p-r1" meta l4proto udp update @udp_r1 { udp sport }
			iifname "p-client" oifname "p-r2" meta l4proto udp update @udp_r2 { udp sport }
			iifname "p-client" oifname "p-r1" tcp flags & (syn | ack) == syn update @tcp_r1 { tcp sport }
			iifname "p-client" oifname "p-r2" tcp flags & (syn | ack) == syn update @tcp_r2 { tcp sport }
		}
	}
	EOF
}

# The source ports in one of the switch's sets, one line, sorted.
set_ports() {	# set_ports SET
	lab_exec "$SW" nft -j list set bridge seen "$1" |
		"$LAB_PY" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(e["elem"]["val"] if isinstance(e, dict) else e)' | sort -n | tr '\n' ' '
}

flush_sets() {
	local s
	for s in udp_r1 udp_r2 tcp_r1 tcp_r2; do lab_exec "$SW" nft flush set bridge seen "$s"; done
}

build
ok $? "topology built: r1 and r2 on the client's LAN, one multipath default through both"

for fam in 4 6; do
	SERVER=$(lab_ifaddr "$fam" server r3)
	# r3 answers IPv4 from its route back to the client (via r1), IPv6
	# from the link the probe came in on.
	R3a=$(lab_ifaddr "$fam" r3 r1) R3b=$R3a
	[ "$fam" = 6 ] && R3b=$(lab_ifaddr 6 r3 r2)
	if [ "$fam" = 6 ]; then R1=$NET6::2 R2=$NET6::3; else R1=$NET.2 R2=$NET.3; fi
	for proto in udp tcp; do
		name="IPv$fam $proto"
		flag=""; [ "$proto" = tcp ] && flag=-T
		flush_sets
		out="$LAB_TMP/$proto$fam.json"
		lab_ecmptrace "$out" -n -j $flag -c 2 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
		ok $? "$name: ecmptrace ran"
		! grep -q warning "$out.err"
		ok $? "$name: no warning (it can follow the host's choice)"
		p1=$(set_ports "${proto}_r1") p2=$(set_ports "${proto}_r2")
		diag "probes to r1: $p1| to r2: $p2"
		flush_sets
		lab_connect_from_ports "$proto" "$SERVER" "$(lab_check port "$out")" \
			$(lab_check flows "$out" | awk '{ print $2 }')
		c1=$(set_ports "${proto}_r1") c2=$(set_ports "${proto}_r2")
		[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" = "$c1" ] && [ "$p2" = "$c2" ]
		ok $? "$name: each probe went to the router a connection on its port goes to"
		{ for p in $p1; do echo "$p $R1 $R3a $SERVER"; done
		  for p in $p2; do echo "$p $R2 $R3b $SERVER"; done
		} >"$LAB_TMP/$proto$fam.paths"
		lab_check paths "$out" "$LAB_TMP/$proto$fam.paths"
		ok $? "$name: every flow's path starts at that router"
	done
done

tap_done
