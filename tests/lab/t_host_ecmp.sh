#!/bin/bash
# A host that balances over two next hops itself (a data-centre server
# with BGP to the host): the client has a /32 source address on lo and a
# multipath default route over r1 and r2 on two links; both route the
# client's address back and both reach the server through r3:
#
#	client =(v-r1)= r1 \
#	       =(v-r2)= r2 -- r3 -- server      TTL 1 r1|r2, 2 r3, 3 server
#
# A raw socket's route lookup sees no ports, so without per-flow steering
# (net_steer_enable, src/net/route.c) every probe would leave by the same
# next hop.  Checks: each flow's probes leave by the interface the kernel
# chooses for a connection with the flow's ports (nftables sets in the
# client record what left by which interface), its TTL-1 responder is that
# router, both routers answer at TTL 1 (UDP, TCP, IPv6, adaptive), and
# with r1 dropping everything towards the server the findings name exactly
# the source ports the kernel routes via r1, which real TCP connections
# from those ports confirm.  Then without the common source (one address
# per uplink): each flow leaves from its connection's source address too.
# make sets top_srcdir; address lists are split into words on purpose.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

# The client's own address and the routers' answer addresses, per family.
src4=10.0.100.1 src6=fd00:0:0:100::1

# Build the topology (both families).  The client hashes like a server
# would (policy 1, the 5-tuple); the routers keep the lab's policy.
topo_host() {
	local n
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 r2 r3; do lab_ns "$n" router || return 1; done
	lab_link client r1 1 && lab_link client r2 2 && lab_link r1 r3 3 &&
		lab_link r2 r3 4 && lab_link r3 server 5 || return 1
	C=$(lab_ns_name client)
	LAB_CLIENT_NS=$C
	LAB_SERVER_NS=$(lab_ns_name server)
	ip -n "$C" addr add "$src4/32" dev lo &&
		ip -n "$C" -6 addr add "$src6/128" dev lo nodad || return 1
	ip -n "$C" route add default src "$src4" \
		nexthop via "$(lab_ifaddr 4 r1 client)" dev v-r1 \
		nexthop via "$(lab_ifaddr 4 r2 client)" dev v-r2 || return 1
	ip -n "$C" -6 route add default src "$src6" \
		nexthop via "$(lab_ifaddr 6 r1 client)" dev v-r1 \
		nexthop via "$(lab_ifaddr 6 r2 client)" dev v-r2 || return 1
	lab_exec "$C" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1 || return 1
	for n in r1 r2; do
		ip -n "$(lab_ns_name $n)" route add "$src4/32" dev v-client \
			via "$(lab_ifaddr 4 client $n)" src "$(lab_ifaddr 4 $n client)" &&
			ip -n "$(lab_ns_name $n)" -6 route add "$src6/128" dev v-client \
				via "$(lab_ifaddr 6 client $n)" src "$(lab_ifaddr 6 $n client)" &&
			lab_route "$n" 5 r3 || return 1
	done
	ip -n "$(lab_ns_name r3)" route add "$src4/32" src "$(lab_ifaddr 4 r3 r1)" \
		nexthop via "$(lab_ifaddr 4 r1 r3)" dev v-r1 \
		nexthop via "$(lab_ifaddr 4 r2 r3)" dev v-r2 &&
		ip -n "$(lab_ns_name r3)" -6 route add "$src6/128" src "$(lab_ifaddr 6 r3 r1)" \
			nexthop via "$(lab_ifaddr 6 r1 r3)" dev v-r1 \
			nexthop via "$(lab_ifaddr 6 r2 r3)" dev v-r2 || return 1
	lab_default server r3 || return 1
	# What left the client by which interface: the source ports of UDP
	# datagrams and TCP SYNs (not the resets the kernel answers SYN-ACKs
	# with), per interface.
	lab_exec "$C" nft -f - <<-EOF
	table inet steer {
		set udp_r1 { type inet_service; flags dynamic; }
		set udp_r2 { type inet_service; flags dynamic; }
		set tcp_r1 { type inet_service; flags dynamic; }
		set tcp_r2 { type inet_service; flags dynamic; }
		chain post {
			type filter hook postrouting priority 0; policy accept;
			oifname "v-r1" meta l4proto udp update @udp_r1 { udp sport }
			oifname "v-r2" meta l4proto udp update @udp_r2 { udp sport }
			oifname "v-r1" tcp flags & (syn | ack) == syn update @tcp_r1 { tcp sport }
			oifname "v-r2" tcp flags & (syn | ack) == syn update @tcp_r2 { tcp sport }
		}
	}
	EOF
}

# Per family: the server, the client's source and who answers at TTL 1/2.
use_family() {	# use_family 4|6
	FAM=$1
	if [ "$FAM" = 6 ]; then SRC=$src6; else SRC=$src4; fi
	SERVER=$(lab_ifaddr "$FAM" server r3)
	R1=$(lab_ifaddr "$FAM" r1 client) R2=$(lab_ifaddr "$FAM" r2 client)
	R3=$(lab_ifaddr "$FAM" r3 r1)
}

# The interface the kernel routes a connection from the client with these
# ports by.  IPv4 connections are routed with their source address, IPv6
# ones not bound to an address with the unspecified one (see route.c).
kernel_dev() {	# kernel_dev PROTO SPORT DPORT
	local from=""
	[ "$FAM" = 4 ] && from="from $SRC"
	# shellcheck disable=SC2086
	ip -n "$C" -"$FAM" route get "$SERVER" $from ipproto "$1" sport "$2" dport "$3" |
		grep -o 'dev [^ ]*' | head -n 1 | cut -d' ' -f2
}

# The source ports recorded in one of the client's nftables sets.
set_ports() {	# set_ports SET
	lab_exec "$C" nft -j list set inet steer "$1" |
		"$LAB_PY" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(e["elem"]["val"] if isinstance(e, dict) else e)' | sort -n
}

# sets_match NAME PROTO WHAT: the ports the client's nftables sets saw leave
# by each interface are the ones the kernel routes by it (NAME.r1, NAME.r2).
sets_match() {
	local name=$1 proto=$2 what=$3 dev want got st=0
	for dev in r1 r2; do
		want=$(sort -n "$LAB_TMP/$name.$dev" | tr '\n' ' ')
		got=$(set_ports "${proto}_$dev" | tr '\n' ' ')
		[ "$want" = "$got" ] || { st=1; diag "$what v-$dev: '$got', expected '$want'"; }
	done
	return $st
}

flush_sets() {
	local s
	for s in udp_r1 udp_r2 tcp_r1 tcp_r2; do
		lab_exec "$C" nft flush set inet steer "$s" || return 1
	done
}

# Real connections from these source ports to the server (lab.sh).
real_connections() {	# real_connections PROTO DPORT SPORT...
	lab_connect_from_ports "$1" "$SERVER" "$2" "${@:3}"
}

# The checks of one run: OUT is its JSON, PROTO udp|tcp.  Writes the
# expected paths and the per-interface port lists into $LAB_TMP/NAME.*.
check_run() {	# check_run OUT PROTO NAME
	local out=$1 proto=$2 name=$3 dport sport dev st want got ports
	dport=$(lab_check port "$out")
	lab_check branches "$out" 1 "$R1" "$R2"
	ok $? "$name: both next hops of the host ($R1 $R2) answer at TTL 1, each with flows"
	lab_check only "$out" 1 "$R1" "$R2"
	ok $? "$name: no other address at TTL 1"
	: >"$LAB_TMP/$name.paths"
	: >"$LAB_TMP/$name.r1"
	: >"$LAB_TMP/$name.r2"
	st=0
	while read -r _ sport; do
		dev=$(kernel_dev "$proto" "$sport" "$dport")
		case $dev in
		v-r1) echo "$sport $R1 $R3 $SERVER" ;;
		v-r2) echo "$sport $R2 $R3 $SERVER" ;;
		*) st=1; diag "no route answer for sport $sport: '$dev'" ;;
		esac >>"$LAB_TMP/$name.paths"
		[ -n "$dev" ] && echo "$sport" >>"$LAB_TMP/$name.${dev#v-}"
	done < <(lab_check flows "$out")
	ok $st "$name: the kernel names an interface for every flow"
	lab_check paths "$out" "$LAB_TMP/$name.paths"
	ok $? "$name: every flow's path (TTL 1 responder first) is the one the kernel routes its ports by"
	# The probes themselves, as the client's nftables saw them leave.
	sets_match "$name" "$proto" "left by"
	ok $? "$name: every probe left by its flow's interface"
	# And the oracle itself: real connections on the same ports.
	flush_sets
	ports=$(lab_check flows "$out" | awk '{ print $2 }')
	real_connections "$proto" "$dport" $ports
	sets_match "$name" "$proto" "connections via"
	ok $? "$name: real $proto connections from those ports leave by the same interfaces"
}

topo_host
ok $? "topology built"

# IPv4 UDP, 16 flows.
use_family 4
flush_sets
out="$LAB_TMP/udp4.json"
lab_ecmptrace "$out" -n -j -c 3 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "IPv4 UDP: ecmptrace -j -c 3 --flows 16 ran"
! grep -q 'warning' "$out.err"
ok $? "IPv4 UDP: no warning (steering is on)"
check_run "$out" udp udp4
lab_check dest "$out" 3 "$SERVER"
ok $? "IPv4 UDP: the server at TTL 3 for every flow"

# The kernel is asked once per flow, not once per probe: count the
# steering requests (the only netlink messages with RTA_SPORT).  IPv4
# asks twice, as connect() routes: for the source, then for the path.
if command -v strace >/dev/null 2>&1; then
	lab_run_client strace -f -qq -e trace=sendto -o "$LAB_TMP/strace" "$ECMPTRACE" \
		-n -j -c 3 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER" >/dev/null 2>&1
	asked=$(grep -c 'RTA_SPORT' "$LAB_TMP/strace")
	diag "steering requests for 16 flows x 3 rounds: $asked"
	[ "$asked" -eq 32 ]
	ok $? "IPv4 UDP: two route requests per flow (32), not per probe"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - route requests per flow # SKIP no strace"
fi

# IPv4 TCP.
flush_sets
out="$LAB_TMP/tcp4.json"
lab_ecmptrace "$out" -n -j -T -c 3 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "IPv4 TCP: ecmptrace -T ran"
check_run "$out" tcp tcp4

# The adaptive default: discovery at TTL 1 meets both next hops.
out="$LAB_TMP/adaptive4.json"
lab_ecmptrace "$out" -n -j -c 1 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "IPv4 adaptive: ecmptrace -j -c 1 ran"
lab_check branches "$out" 1 "$R1" "$R2"
ok $? "IPv4 adaptive: both next hops of the host found at TTL 1"

# IPv6 UDP with port hashing (policy 1): flows vary port and label.
use_family 6
flush_sets
out="$LAB_TMP/udp6.json"
lab_ecmptrace "$out" -n -j -c 3 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "IPv6 UDP: ecmptrace -j -c 3 --flows 16 ran"
check_run "$out" udp udp6

# IPv6 TCP with the lab's own policy (3, the 5-tuple fields).
lab_exec "$C" sysctl -q -w net.ipv6.fib_multipath_hash_policy=3 \
	net.ipv6.fib_multipath_hash_fields=0x37
flush_sets
out="$LAB_TMP/tcp6.json"
lab_ecmptrace "$out" -n -j -T -c 3 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "IPv6 TCP (policy 3): ecmptrace -T ran"
check_run "$out" tcp tcp6

# IPv6 with policy 0: the hash takes addresses, protocol and flow label.
# A route query cannot carry a label, but a connection's lookup does not
# use the label its packets will carry either (the kernel picks that at
# transmission, auto_flowlabels on, as by default): both are routed with
# the socket's own label, 0.  Every flow then takes the same next hop,
# whatever its port and label, and the probes must take it too.
lab_exec "$C" sysctl -q -w net.ipv6.fib_multipath_hash_policy=0 net.ipv6.auto_flowlabels=1
for proto in udp tcp; do
	flush_sets
	out="$LAB_TMP/${proto}6-pol0.json"
	if [ "$proto" = tcp ]; then
		lab_ecmptrace "$out" -n -j -T -c 2 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
	else
		lab_ecmptrace "$out" -n -j -c 2 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
	fi
	ok $? "IPv6 $proto (policy 0): ecmptrace ran"
	probes1=$(set_ports "${proto}_r1" | tr '\n' ' ') probes2=$(set_ports "${proto}_r2" | tr '\n' ' ')
	flush_sets
	ports=$(lab_check flows "$out" | awk '{ print $2 }')
	real_connections "$proto" "$(lab_check port "$out")" $ports
	real1=$(set_ports "${proto}_r1" | tr '\n' ' ') real2=$(set_ports "${proto}_r2" | tr '\n' ' ')
	diag "probes via v-r1: '$probes1' v-r2: '$probes2'"
	[ -n "$probes1$probes2" ] && [ "$probes1" = "$real1" ] && [ "$probes2" = "$real2" ]
	ok $? "IPv6 $proto (policy 0): each probe left by the interface a connection on its port takes"
done
lab_exec "$C" sysctl -q -w net.ipv6.auto_flowlabels=0

# IPv4 with policy 3: the kernel answers route queries with its forwarding
# hash, not the one of its own connections; ecmptrace must say it cannot
# steer rather than steer wrongly.
use_family 4
lab_exec "$C" sysctl -q -w net.ipv4.fib_multipath_hash_policy=3 \
	net.ipv4.fib_multipath_hash_fields=0x37
flush_sets
out="$LAB_TMP/pol3.json"
lab_ecmptrace "$out" -n -j -c 1 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "IPv4 policy 3: ecmptrace still runs"
grep -q 'warning: this host balances over 2 next hops.*fib_multipath_hash_policy is 3' "$out.err"
ok $? "IPv4 policy 3: a warning says probes cannot follow the host's choice"
# For the record: where unsteered probes went (the raw socket's own lookup).
diag "unsteered probes left by v-r1: $(set_ports udp_r1 | wc -l) ports, by v-r2: $(set_ports udp_r2 | wc -l) ports"
lab_exec "$C" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1

# A host with one address per uplink and no common source (no address on
# lo, no "src" on the route): a connection takes the source of the uplink
# the kernel picks for its ports, and the kernel prefers the uplink that
# owns a given source.  Probes from one fixed source would all leave by
# that source's uplink; each flow must have its connection's source and
# interface.  The oracle: what the client's nftables saw leave by each
# interface, as (source port, source address), for probes and for real
# connections on the same ports.
# Kernels before Linux 6.12 do not prefer the uplink that owns the
# source: there a connection may leave by one uplink with the other's
# address.  Each router then routes the other uplink's subnet back over
# its own link, and the client takes answers on either interface.
uplinks_cross() {	# uplinks_cross 4|6
	local f=$1
	ip -n "$(lab_ns_name r1)" -"$f" route add "$(lab_net "$f" 2)" \
		via "$(lab_ifaddr "$f" client r1)" src "$(lab_ifaddr "$f" r1 client)" &&
		ip -n "$(lab_ns_name r2)" -"$f" route add "$(lab_net "$f" 1)" \
			via "$(lab_ifaddr "$f" client r2)" src "$(lab_ifaddr "$f" r2 client)" || return 1
	[ "$f" = 6 ] || lab_exec "$C" sysctl -q -w net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.v-r1.rp_filter=0 net.ipv4.conf.v-r2.rp_filter=0 >/dev/null
}
use_family 4
ip -n "$C" route replace default \
	nexthop via "$(lab_ifaddr 4 r1 client)" dev v-r1 \
	nexthop via "$(lab_ifaddr 4 r2 client)" dev v-r2 &&
	ip -n "$C" addr del "$src4/32" dev lo &&
	ip -n "$(lab_ns_name r3)" route add "$(lab_net 4 1)" via "$(lab_ifaddr 4 r1 r3)" src "$R3" &&
	ip -n "$(lab_ns_name r3)" route add "$(lab_net 4 2)" via "$(lab_ifaddr 4 r2 r3)" src "$R3" &&
	uplinks_cross 4 &&
	lab_exec "$C" nft -f - <<-EOF
	table inet steer {
		set usrc_r1 { type inet_service . ipv4_addr; flags dynamic; }
		set usrc_r2 { type inet_service . ipv4_addr; flags dynamic; }
		set tsrc_r1 { type inet_service . ipv4_addr; flags dynamic; }
		set tsrc_r2 { type inet_service . ipv4_addr; flags dynamic; }
		chain post {
			oifname "v-r1" meta l4proto udp update @usrc_r1 { udp sport . ip saddr }
			oifname "v-r2" meta l4proto udp update @usrc_r2 { udp sport . ip saddr }
			oifname "v-r1" tcp flags & (syn | ack) == syn update @tsrc_r1 { tcp sport . ip saddr }
			oifname "v-r2" tcp flags & (syn | ack) == syn update @tsrc_r2 { tcp sport . ip saddr }
		}
	}
	EOF
ok $? "one address per uplink: the client's route has no common source"
# "PORT ADDRESS" per line, sorted, from one of the (port . address) sets.
pair_set() {	# pair_set SET
	lab_exec "$C" nft -j list set inet steer "$1" |
		"$LAB_PY" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        v = e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e
        print("%s %s" % tuple(v["concat"]))' | sort
}
# One run on the uplinks without a common source: PROTO udp|tcp, SETS
# the prefix of the client's (port . address) sets for the family in use.
uplink_run() {	# uplink_run PROTO SETS
	local proto=$1 p=$2 name="$1$FAM-uplinks" out flag="" pr1 pr2 cr1 cr2
	for s in ${p}_r1 ${p}_r2; do lab_exec "$C" nft flush set inet steer "$s"; done
	out="$LAB_TMP/$name.json"
	[ "$proto" = tcp ] && flag=-T
	lab_ecmptrace "$out" -n -j $flag -c 2 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
	ok $? "one address per uplink, IPv$FAM $proto: ecmptrace ran"
	pr1=$(pair_set ${p}_r1) pr2=$(pair_set ${p}_r2)
	for s in ${p}_r1 ${p}_r2; do lab_exec "$C" nft flush set inet steer "$s"; done
	real_connections "$proto" "$(lab_check port "$out")" $(lab_check flows "$out" | awk '{ print $2 }')
	cr1=$(pair_set ${p}_r1) cr2=$(pair_set ${p}_r2)
	diag "probes via v-r1: $(echo $pr1) | via v-r2: $(echo $pr2)"
	[ -n "$pr1" ] && [ -n "$pr2" ] && [ "$pr1" = "$cr1" ] && [ "$pr2" = "$cr2" ]
	ok $? "one address per uplink, IPv$FAM $proto: each probe left by its connection's interface, from its source"
	# Paths and the sources the answers quoted, flow by flow.
	{ echo "$pr1" | awk -v r="$R1" -v r3="$R3" -v s="$SERVER" 'NF { print $1, r, r3, s }'
	  echo "$pr2" | awk -v r="$R2" -v r3="$R3" -v s="$SERVER" 'NF { print $1, r, r3, s }'
	} >"$LAB_TMP/$name.paths"
	lab_check paths "$out" "$LAB_TMP/$name.paths"
	ok $? "one address per uplink, IPv$FAM $proto: every flow's path starts at its uplink's router"
	"$LAB_PY" - "$out" "$pr1 $pr2" <<-'EOF'
	import json, sys
	words = sys.argv[2].split()
	want = {int(words[i]): words[i + 1] for i in range(0, len(words), 2)}
	flows = json.load(open(sys.argv[1]))["flows"]
	bad = [(f["source_port"], f.get("source_address"), want.get(f["source_port"]))
	       for f in flows if f.get("source_address") != want.get(f["source_port"])]
	for b in bad:
	    print("# port %s: source_address %s, left from %s" % b)
	sys.exit(1 if bad or not flows else 0)
	EOF
	ok $? "one address per uplink, IPv$FAM $proto: each flow's source_address is the one it left from"
}
uplink_run udp usrc
uplink_run tcp tsrc
# The text report gives each flow's source when they differ.
out="$LAB_TMP/uplinks.txt"
lab_ecmptrace "$out" -n -r -c 1 --flows 16 -i 0.2 --timeout 1 --rate 500 "$SERVER"
ok $? "one address per uplink: ecmptrace -r ran"
grep -q '^ Flow  Sport Source ' "$out" &&
	grep -Eq '^ +[0-9]+ +[0-9]+ 10\.0\.1\.1 ' "$out" && grep -Eq '^ +[0-9]+ +[0-9]+ 10\.0\.2\.1 ' "$out"
ok $? "one address per uplink: the report's flows have a Source column with both addresses"

# IPv6 the same way (an unbound socket is routed before it has a source,
# which the chosen uplink's interface then gives).
use_family 6
lab_exec "$C" sysctl -q -w net.ipv6.fib_multipath_hash_policy=1 &&
	ip -n "$C" -6 route replace default \
		nexthop via "$(lab_ifaddr 6 r1 client)" dev v-r1 \
		nexthop via "$(lab_ifaddr 6 r2 client)" dev v-r2 &&
	ip -n "$C" -6 addr del "$src6/128" dev lo &&
	ip -n "$(lab_ns_name r3)" -6 route add "$(lab_net 6 1)" via "$(lab_ifaddr 6 r1 r3)" src "$R3" &&
	ip -n "$(lab_ns_name r3)" -6 route add "$(lab_net 6 2)" via "$(lab_ifaddr 6 r2 r3)" src "$R3" &&
	uplinks_cross 6 &&
	lab_exec "$C" nft -f - <<-EOF
	table inet steer {
		set u6src_r1 { type inet_service . ipv6_addr; flags dynamic; }
		set u6src_r2 { type inet_service . ipv6_addr; flags dynamic; }
		chain post {
			oifname "v-r1" meta l4proto udp update @u6src_r1 { udp sport . ip6 saddr }
			oifname "v-r2" meta l4proto udp update @u6src_r2 { udp sport . ip6 saddr }
		}
	}
	EOF
ok $? "one address per uplink, IPv6: the client's route has no common source"
uplink_run udp u6src
ip -n "$C" -6 addr add "$src6/128" dev lo nodad &&
	ip -n "$C" -6 route replace default src "$src6" \
		nexthop via "$(lab_ifaddr 6 r1 client)" dev v-r1 \
		nexthop via "$(lab_ifaddr 6 r2 client)" dev v-r2
ok $? "IPv6: the common source is back"
use_family 4
# Back to the common source for what follows.
ip -n "$C" addr add "$src4/32" dev lo &&
	ip -n "$C" route replace default src "$src4" \
		nexthop via "$(lab_ifaddr 4 r1 client)" dev v-r1 \
		nexthop via "$(lab_ifaddr 4 r2 client)" dev v-r2
ok $? "the common source is back"

# r1 drops everything it forwards towards the server: the loss findings
# must name exactly the source ports the kernel routes via r1, and real
# TCP connections from those ports must fail while the others succeed.
port=8443
lab_tcp_listen "$(lab_ns_name server)" "$port"
ok $? "a TCP listener on the server, port $port"
lab_loss_match "$(lab_ns_name r1)" v-r3 ip daddr "$SERVER"
ok $? "r1 drops everything it forwards towards the server"
flush_sets
out="$LAB_TMP/lossy.json"
lab_ecmptrace "$out" -n -j -T -P "$port" -c 10 --flows 16 -i 0.1 --timeout 1 --rate 500 "$SERVER"
ok $? "lossy: ecmptrace -T -P $port ran"
: >"$LAB_TMP/lossy.r1"
: >"$LAB_TMP/lossy.r2"
while read -r _ sport; do
	dev=$(kernel_dev tcp "$sport" "$port")
	[ -n "$dev" ] && echo "$sport" >>"$LAB_TMP/lossy.${dev#v-}"
done < <(lab_check flows "$out")
diag "ports via r1: $(tr '\n' ' ' <"$LAB_TMP/lossy.r1")"
diag "ports via r2: $(tr '\n' ' ' <"$LAB_TMP/lossy.r2")"
[ -s "$LAB_TMP/lossy.r1" ] && [ -s "$LAB_TMP/lossy.r2" ]
ok $? "lossy: the kernel routes some flows via r1 and some via r2"
kinds=$("$LAB_PY" -c '
import json, sys
print(" ".join(sorted({f["kind"] for f in json.load(open(sys.argv[1]))["findings"]})))' "$out")
diag "finding kinds: $kinds"
found=1
for kind in $kinds; do
	if lab_check finding "$out" "$kind" --ports "$LAB_TMP/lossy.r1" >/dev/null; then
		found=0
		diag "a $kind finding names exactly the ports routed via r1"
	fi
done
ok $found "lossy: a loss finding names exactly the source ports the kernel routes via r1"
lab_check finding "$out" lossy-branch --blames "$R1" --ports "$LAB_TMP/lossy.r1"
ok $? "lossy: a lossy-branch finding blames r1 ($R1) and names those ports"
st=0
while read -r sport; do
	if lab_tcp_connect "$sport" "$SERVER" "$port"; then
		st=1; diag "a connection from port $sport (via r1) succeeded"
	fi
done <"$LAB_TMP/lossy.r1"
ok $st "lossy: TCP connections from the ports via r1 fail"
st=0
while read -r sport; do
	if ! lab_tcp_connect "$sport" "$SERVER" "$port"; then
		st=1; diag "a connection from port $sport (via r2) failed"
	fi
done <"$LAB_TMP/lossy.r2"
ok $st "lossy: TCP connections from the ports via r2 succeed"
# The finding's own reproduce commands (nc -z -p PORT ...), a few of them.
if command -v nc >/dev/null 2>&1; then
	lab_check reproduce "$out" lossy-branch >"$LAB_TMP/reproduce"
	ok $? "lossy: the finding has reproduce commands"
	st=0 n=0
	while read -r cmd && [ "$n" -lt 3 ]; do
		n=$((n + 1))
		case $cmd in
		"nc "*) ;;
		*) st=1; diag "not an nc command: $cmd"; continue ;;
		esac
		# shellcheck disable=SC2086 # the command line, split into words
		if lab_exec "$C" $cmd </dev/null >/dev/null 2>&1; then
			st=1; diag "'$cmd' succeeded, but its port is routed via r1"
		fi
	done <"$LAB_TMP/reproduce"
	[ "$n" -gt 0 ] || st=1
	ok $st "lossy: the finding's nc commands fail, as it says ($n tried)"
	sport=$(head -n 1 "$LAB_TMP/lossy.r2")
	lab_exec "$C" nc -z -w 2 -p "$sport" "$SERVER" "$port" </dev/null >/dev/null 2>&1
	ok $? "lossy: the same nc command from a port via r2 ($sport) succeeds"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - lossy: nc commands # SKIP no nc"
fi

tap_done
