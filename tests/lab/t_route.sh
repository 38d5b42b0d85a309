#!/bin/bash
# route_first_hop_fanout() (src/net/route.c) against routes and policy
# rules installed in a namespace: the client has links to three
# neighbours r1, r2, r3 (links 1-3) and the checks change its routes and
# rules between calls of tests/lab/route_fanout.  Nothing is sent to any
# network; the addresses asked about (links 6-9) exist nowhere.
# make sets top_srcdir and top_builddir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
FANOUT="$top_builddir/tests/lab/route_fanout"
[ -x "$FANOUT" ] || skip_all "no $FANOUT"
lab_init

lab_ns client && lab_ns r1 && lab_ns r2 && lab_ns r3 &&
	lab_link client r1 1 && lab_link client r2 2 && lab_link client r3 3
ok $? "namespaces built"
C=$(lab_ns_name client)
far4=10.0.9.1 far6=fd00:0:0:9::1

# fanout_is WANT ADDR DESCRIPTION...: one check of the printed fanout.
fanout_is() {
	local want=$1 addr=$2 got; shift 2
	got=$(lab_exec "$C" "$FANOUT" "$addr")
	[ "$got" = "$want" ] || diag "route_fanout $addr printed '$got', want $want"
	[ "$got" = "$want" ]
	ok $? "$* -> $want"
}

# The gateway address of neighbour NAME for FAMILY.
gw() { lab_ifaddr "$1" "$2" client; }

# Bad input.
lab_exec "$C" "$FANOUT" not-an-address >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "a bad address exits with status 2"
lab_exec "$C" "$FANOUT" >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "no address exits with status 2"

# IPv4.
fanout_is 0 "$far4" "no route at all"
fanout_is 1 10.0.1.2 "the connected subnet of link 1"
fanout_is 1 10.0.1.1 "our own address (a local route)"
ip -n "$C" route add default via "$(gw 4 r1)" dev v-r1
fanout_is 1 "$far4" "a single default route"
ip -n "$C" route replace default nexthop via "$(gw 4 r1)" dev v-r1 \
	nexthop via "$(gw 4 r2)" dev v-r2
fanout_is 2 "$far4" "a multipath default of 2"
ip -n "$C" route replace default nexthop via "$(gw 4 r1)" dev v-r1 \
	nexthop via "$(gw 4 r2)" dev v-r2 nexthop via "$(gw 4 r3)" dev v-r3 weight 3
fanout_is 3 "$far4" "a multipath default of 3 (one weighted)"
ip -n "$C" route replace default nexthop via "$(gw 4 r1)" dev v-r1 \
	nexthop via 10.0.1.99 dev v-r1 onlink
fanout_is "2 shared" "$far4" "two next hops behind one interface: said to share it"
if [ -x "${ECMPTRACE:-}" ]; then
	# ecmptrace then steers by next hop (t_shared_gw.sh), without a
	# warning (under a hash policy it can follow); the probes stay inside
	# the namespaces.
	lab_exec "$C" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1
	lab_exec "$C" timeout 20 "$ECMPTRACE" -n -r -c 1 -m 1 --timeout 0.1 "$far4" \
		>/dev/null 2>"$LAB_TMP/shared.err"
	sed 's/^/# /' "$LAB_TMP/shared.err"
	! grep -q "warning" "$LAB_TMP/shared.err"
	ok $? "ecmptrace does not warn about next hops that share an interface"
fi
ip -n "$C" route replace default nexthop via "$(gw 4 r1)" dev v-r1 \
	nexthop via "$(gw 4 r2)" dev v-r2 nexthop via "$(gw 4 r3)" dev v-r3 weight 3
ip -n "$C" route add 10.0.8.0/24 via "$(gw 4 r2)" dev v-r2
fanout_is 1 10.0.8.7 "a prefix more specific than the multipath default"
fanout_is 3 "$far4" "other addresses still follow the multipath default"
ip -n "$C" route add blackhole 10.0.7.0/24
fanout_is 0 10.0.7.1 "a blackhole route"
ip -n "$C" route add unreachable 10.0.6.0/24
fanout_is 0 10.0.6.1 "an unreachable route"

# Policy rules that pick a table by something else than the destination.
ip -n "$C" rule add sport 1000-2000 lookup 100
fanout_is 0 "$far4" "a rule by source port"
ip -n "$C" rule del sport 1000-2000 lookup 100
fanout_is 3 "$far4" "that rule deleted: the kernel's default rules again"
ip -n "$C" rule add fwmark 0x1 lookup 100
fanout_is 0 "$far4" "a rule by firewall mark"
ip -n "$C" rule del fwmark 0x1 lookup 100
ip -n "$C" rule add from 10.0.2.1 lookup 100
fanout_is 0 "$far4" "a rule by source address"
ip -n "$C" rule del from 10.0.2.1 lookup 100
ip -n "$C" rule add lookup main suppress_prefixlength 0
fanout_is 0 "$far4" "a rule with suppress_prefixlength"
ip -n "$C" rule del lookup main suppress_prefixlength 0
ip -n "$C" -6 rule add fwmark 0x1 lookup 100
fanout_is 3 "$far4" "an IPv6 rule does not concern IPv4"

# IPv6 (the fwmark rule above is still there).
fanout_is 0 "$far6" "IPv6: a rule by firewall mark"
fanout_is 3 10.0.5.1 "an IPv6 rule does not concern IPv4 (another address)"
ip -n "$C" -6 rule del fwmark 0x1 lookup 100
fanout_is 0 "$far6" "IPv6: no route at all"
fanout_is 1 fd00:0:0:1::2 "IPv6: the connected subnet of link 1"
fanout_is 1 fd00:0:0:1::1 "IPv6: our own address (a local route)"
ip -n "$C" -6 route add default via "$(gw 6 r1)" dev v-r1
fanout_is 1 "$far6" "IPv6: a single default route"
ip -n "$C" -6 route replace default nexthop via "$(gw 6 r1)" dev v-r1 \
	nexthop via "$(gw 6 r2)" dev v-r2
fanout_is 2 "$far6" "IPv6: a multipath default of 2"
ip -n "$C" -6 route append default via "$(gw 6 r3)" dev v-r3
fanout_is 3 "$far6" "IPv6: a third next hop appended"
ip -n "$C" -6 route add fd00:0:0:8::/64 via "$(gw 6 r2)" dev v-r2
fanout_is 1 fd00:0:0:8::7 "IPv6: a prefix more specific than the multipath default"
ip -n "$C" -6 route add blackhole fd00:0:0:7::/64
fanout_is 0 fd00:0:0:7::1 "IPv6: a blackhole route"
ip -n "$C" -6 rule add sport 1000-2000 lookup 100
fanout_is 0 "$far6" "IPv6: a rule by source port"
ip -n "$C" -6 rule del sport 1000-2000 lookup 100

# Nexthop objects.  With the kernel's compat mode (the default) a route
# shows the next hops of its object as well as its id; without it only
# the id, which route.c cannot see through.  Never 1 for a group of 2.
ip -n "$C" nexthop add id 1 via "$(gw 4 r1)" dev v-r1 &&
	ip -n "$C" nexthop add id 2 via "$(gw 4 r2)" dev v-r2 &&
	ip -n "$C" nexthop add id 10 group 1/2 &&
	ip -n "$C" route add 10.0.9.0/24 nhid 10 &&
	ip -n "$C" route add 10.0.8.128/25 nhid 1
ok $? "nexthop objects and routes using them added"
got=$(lab_exec "$C" "$FANOUT" "$far4")
diag "a route to a group of 2 nexthop objects (compat mode on): $got"
[ "$got" = 2 ] || [ "$got" = 0 ]
ok $? "a route to a group of 2 nexthop objects -> 2 or 0, never 1"
got=$(lab_exec "$C" "$FANOUT" 10.0.8.130)
diag "a route to a single nexthop object (compat mode on): $got"
[ "$got" = 1 ] || [ "$got" = 0 ]
ok $? "a route to a single nexthop object -> 1 or 0"
if lab_exec "$C" sysctl -q -w net.ipv4.nexthop_compat_mode=0 2>/dev/null; then
	fanout_is 0 "$far4" "a route to a group of nexthop objects, compat mode off"
	fanout_is 0 10.0.8.130 "a route to a single nexthop object, compat mode off"
	lab_exec "$C" sysctl -q -w net.ipv4.nexthop_compat_mode=1
fi

# The parser under valgrind, for a multipath route and an error reply.
if ! command -v valgrind >/dev/null 2>&1; then
	tap_n=$((tap_n + 1)); echo "ok $tap_n - valgrind # SKIP no valgrind"
elif grep -q __asan_init "$FANOUT" 2>/dev/null; then
	tap_n=$((tap_n + 1)); echo "ok $tap_n - valgrind # SKIP sanitizer build"
else
	vg=0
	for a in "$far6" 10.0.6.1; do
		lab_exec "$C" valgrind -q --error-exitcode=99 "$FANOUT" "$a" >/dev/null || vg=1
	done
	ok "$vg" "valgrind finds no error (IPv6 multipath, an unreachable route)"
fi

# A next hop whose link is down is dead: it takes no flows.  Last,
# because a link that goes down loses its IPv6 addresses.
ip -n "$C" link set v-r3 down
fanout_is 2 10.0.5.1 "a multipath default of 3 with one link down"
fanout_is 2 "$far6" "IPv6: a multipath default of 3 with one link down"

tap_done
