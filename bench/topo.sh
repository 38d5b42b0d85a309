# shellcheck shell=bash
#
# Benchmark topologies, built with the primitives of tests/lab/lab.sh
# (source lab.sh first).  Not part of "make check".
#
# bench_topo_wide [flow|packet|unequal]: the "4-way -> 4 -> 2-way" diamond
# of the benchmark in issue 6:
#
#	client - r1 -+- a1 - b1 -+- c1 -+- server
#	             +- a2 - b2 -+       |
#	             +- a3 - b3 -+- c2 --+
#	             +- a4 - b4 -+
#
#	TTL 1 r1, TTL 2 a1..a4 (r1 splits 4 ways), TTL 3 b1..b4 (one behind
#	each a, not meshed), TTL 4 c1|c2 (every b splits 2 ways over both),
#	TTL 5 the server (linked to both c1 and c2; it answers from its
#	address towards c1, the one probes are sent to).
#
# "flow" (the default): every split is Linux's per-flow ECMP (the 5-tuple
# hash lab_ns sets up).  "packet": r1 becomes a per-packet balancer.  Linux
# has no per-packet multipath mode, so it is emulated: nftables gives each
# packet r1 forwards towards the server a random mark 1..4 (numgen random,
# in prerouting, before the route lookup) and four "ip rule fwmark K"
# send mark K to a table whose only route goes via aK.  Consecutive
# packets of one flow then take independent random branches; the later
# 2-way splits at b1..b4 stay per-flow.
#
# "unequal": per-flow like "flow", but the diamond's branches are not all
# equally long: c2 is not linked to the server; one more router, x, sits
# between them (c2 - x - server):
#
#	... -+- c1 ------+- server
#	     +- c2 - x --+
#
# Flows through c1 reach the server at TTL 5; flows through c2 meet x at
# TTL 5 and the server at TTL 6.  A tool that stops probing TTL 5 at the
# first answer from the server sees x only when that probe's flow went
# through c2.  The server answers from its address towards c1 either way,
# and replies back over c1 and x (ECMP).
#
# Exports (besides lab.sh's LAB_CLIENT_NS, LAB_SERVER_ADDR, ...):
#	LAB_DEST_TTL		5 (unequal: 6, the longest path)
#	LAB_TTL_ADDRS[t]	answer addresses at TTL t (1..LAB_DEST_TTL;
#				unequal: TTL 5 lists x and the server)
#	BENCH_DIAMOND_TTLS	"2 3 4": the TTLs inside the diamond (unequal:
#				"2 3 4 5", x at TTL 5 is inside it too)
#	BENCH_BALANCER		flow, packet or unequal
#	BENCH_LONG_ADDR		unequal: x's answer address (empty otherwise)
#	BENCH_EDGES		"A>B ...": answer address B may follow A one
#				TTL later (the links a per-flow path can take)
bench_topo_wide() {	# bench_topo_wide [flow|packet|unequal]
	local mode=${1:-flow} n i j k=1 routers="r1 a1 a2 a3 a4 b1 b2 b3 b4 c1 c2"
	case $mode in
	flow|packet) ;;
	unequal) routers="$routers x" ;;
	*) echo "bench_topo_wide: unknown mode $mode" >&2; return 1 ;;
	esac
	for n in client server; do lab_ns "$n" || return 1; done
	for n in $routers; do lab_ns "$n" router || return 1; done
	# Links: 1 client-r1, 2..5 r1-ai, 6..9 ai-bi, 10..17 bi-cj,
	# 18 c1-server (the server's address), 19 c2-server; unequal: 19
	# c2-x and 20 x-server instead.
	lab_link client r1 1 || return 1
	for i in 1 2 3 4; do lab_link r1 "a$i" $((1 + i)) || return 1; done
	for i in 1 2 3 4; do lab_link "a$i" "b$i" $((5 + i)) || return 1; done
	k=10
	for i in 1 2 3 4; do
		for j in 1 2; do
			lab_link "b$i" "c$j" "$k" || return 1
			k=$((k + 1))
		done
	done
	lab_link c1 server 18 || return 1
	if [ "$mode" = unequal ]; then
		lab_link c2 x 19 && lab_link x server 20 || return 1
	else
		lab_link c2 server 19 || return 1
	fi
	lab_default client r1 || return 1
	# Towards the server (link 18).
	lab_route r1 18 a1 a2 a3 a4 || return 1
	for i in 1 2 3 4; do
		lab_route "a$i" 18 "b$i" && lab_route "b$i" 18 c1 c2 || return 1
	done
	if [ "$mode" = unequal ]; then
		lab_route c2 18 x && lab_route x 18 server || return 1
	else
		lab_route c2 18 server || return 1
	fi
	# Back to the client (link 1): each router answers from its address
	# towards the first router upstream; merge points use ECMP back.
	# Unequal: x answers from its address towards c2 and sends every
	# answer back through c2; the server replies over c1 or x.
	if [ "$mode" = unequal ]; then
		lab_route x 1 c2 src c2 && lab_route server 1 c1 x || return 1
	else
		lab_route server 1 c1 c2 || return 1
	fi
	for j in 1 2; do lab_route "c$j" 1 b1 b2 b3 b4 src b1 || return 1; done
	for i in 1 2 3 4; do
		lab_route "b$i" 1 "a$i" src "a$i" && lab_route "a$i" 1 r1 src r1 || return 1
	done
	lab_answers_from r1 client client
	for i in 1 2 3 4; do
		lab_answers_from "a$i" r1 r1
		lab_answers_from "b$i" "a$i" "a$i"
	done
	lab_answers_from c1 b1 b1
	lab_answers_from c2 b1 b1
	if [ "$mode" = unequal ]; then lab_answers_from x c2 c2; fi
	lab_set_ends client r1 server c1
	# shellcheck disable=SC2034 # read by lab.sh's lab_path
	LAB_CLIENT_FIRST_DEV=v-r1
	LAB_ECMP_NS="$LAB_PREFIX-r1"
	LAB_DEST_TTL=5
	BENCH_DIAMOND_TTLS="2 3 4"
	BENCH_LONG_ADDR=""
	local pairs=("1 r1" "2 a1" "2 a2" "2 a3" "2 a4" "3 b1" "3 b2" "3 b3" "3 b4" "4 c1" "4 c2")
	if [ "$mode" = unequal ]; then
		# The server answers at TTL 5 (through c1) and 6 (through x).
		LAB_DEST_TTL=6
		BENCH_DIAMOND_TTLS="2 3 4 5"
		BENCH_LONG_ADDR=$(lab_answer "$LAB_PREFIX-x")
		pairs+=("5 x")
	fi
	lab_ttl_addrs_from_names "${pairs[@]}"
	if [ "$mode" = unequal ]; then
		LAB_TTL_ADDRS[5]="${LAB_TTL_ADDRS[5]} $LAB_SERVER_ADDR"
	fi
	BENCH_BALANCER=$mode
	local r1a ai bi
	r1a=$(lab_answer "$LAB_PREFIX-r1")
	BENCH_EDGES=""
	for i in 1 2 3 4; do
		ai=$(lab_answer "$LAB_PREFIX-a$i")
		bi=$(lab_answer "$LAB_PREFIX-b$i")
		BENCH_EDGES="$BENCH_EDGES $r1a>$ai $ai>$bi"
		for j in 1 2; do
			BENCH_EDGES="$BENCH_EDGES $bi>$(lab_answer "$LAB_PREFIX-c$j")"
		done
	done
	BENCH_EDGES="$BENCH_EDGES $(lab_answer "$LAB_PREFIX-c1")>$LAB_SERVER_ADDR"
	if [ "$mode" = unequal ]; then
		BENCH_EDGES="$BENCH_EDGES $(lab_answer "$LAB_PREFIX-c2")>$BENCH_LONG_ADDR"
		BENCH_EDGES="$BENCH_EDGES $BENCH_LONG_ADDR>$LAB_SERVER_ADDR"
	else
		BENCH_EDGES="$BENCH_EDGES $(lab_answer "$LAB_PREFIX-c2")>$LAB_SERVER_ADDR"
	fi
	if [ "$mode" = packet ]; then
		bench_per_packet r1 a1 a2 a3 a4 || return 1
	fi
	export LAB_ECMP_NS LAB_DEST_TTL BENCH_DIAMOND_TTLS BENCH_BALANCER BENCH_EDGES \
		BENCH_LONG_ADDR
}

# Make router NAME balance per packet over the given neighbours for what
# it forwards from the client towards the server (IPv4; see above).
bench_per_packet() {	# bench_per_packet NAME PEER...
	local name=$1 ns="$LAB_PREFIX-$1" m=0 peer; shift
	local nn=$#
	for peer in "$@"; do
		m=$((m + 1))
		ip -n "$ns" route add "$LAB_SERVER_ADDR/32" table $((100 + m)) \
			via "$(lab_ifaddr 4 "$peer" "$name")" dev "v-$peer" || return 1
		ip -n "$ns" rule add fwmark "$m" lookup $((100 + m)) || return 1
	done
	ip netns exec "$ns" nft -f - <<-EOF || return 1
	table ip benchpp {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			iifname "v-client" ip daddr $LAB_SERVER_ADDR meta mark set numgen random mod $nn offset 1
		}
	}
	EOF
}

# lab_topo_chain N from lab.sh, for the CPU and memory runs, is used as is.

# bench_topo_merge: lab_topo_merge (tests/lab/lab.sh), the diamond of
# issue 10, point 4: client - r1 - {a1..a4} - m - {c1, c2} - server, m
# answering from four addresses (its route back is multipath, no src)
# that share its one ICMP limiter.  Exports as bench_topo_wide, plus
#	BENCH_ALIASES		"A,B,C,D": the addresses that are one router (m)
bench_topo_merge() {
	local n i mx cj ai r1a
	lab_topo_merge || return 1
	BENCH_DIAMOND_TTLS="2 3 4"
	BENCH_LONG_ADDR=""
	BENCH_ALIASES=$(echo "$LAB_ALIAS_ADDRS" | tr ' ' ',')
	BENCH_BALANCER=merge
	r1a=$(lab_answer "$LAB_PREFIX-r1")
	BENCH_EDGES=""
	for i in 1 2 3 4; do
		ai=$(lab_answer "$LAB_PREFIX-a$i")
		BENCH_EDGES="$BENCH_EDGES $r1a>$ai"
		for mx in $LAB_ALIAS_ADDRS; do BENCH_EDGES="$BENCH_EDGES $ai>$mx"; done
	done
	for mx in $LAB_ALIAS_ADDRS; do
		for n in c1 c2; do
			cj=$(lab_answer "$LAB_PREFIX-$n")
			BENCH_EDGES="$BENCH_EDGES $mx>$cj"
		done
	done
	for n in c1 c2; do
		BENCH_EDGES="$BENCH_EDGES $(lab_answer "$LAB_PREFIX-$n")>$LAB_SERVER_ADDR"
	done
	export BENCH_DIAMOND_TTLS BENCH_BALANCER BENCH_EDGES BENCH_LONG_ADDR BENCH_ALIASES
}
