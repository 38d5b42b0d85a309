# shellcheck shell=bash
#
# Benchmark topologies, built with the primitives of tests/lab/lab.sh
# (source lab.sh first).  Not part of "make check".
#
# bench_topo_wide [flow|packet]: the "4-way -> 4 -> 2-way" diamond of the
# benchmark in issue 6:
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
# Exports (besides lab.sh's LAB_CLIENT_NS, LAB_SERVER_ADDR, ...):
#	LAB_DEST_TTL		5
#	LAB_TTL_ADDRS[t]	answer addresses at TTL t (1..5)
#	BENCH_DIAMOND_TTLS	"2 3 4": the TTLs inside the diamond
#	BENCH_BALANCER		flow or packet
#	BENCH_EDGES		"A>B ...": answer address B may follow A one
#				TTL later (the links a per-flow path can take)
bench_topo_wide() {	# bench_topo_wide [flow|packet]
	local mode=${1:-flow} n i j k=1
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 a1 a2 a3 a4 b1 b2 b3 b4 c1 c2; do lab_ns "$n" router || return 1; done
	# Links: 1 client-r1, 2..5 r1-ai, 6..9 ai-bi, 10..17 bi-cj,
	# 18 c1-server (the server's address), 19 c2-server.
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
	lab_link c1 server 18 && lab_link c2 server 19 || return 1
	lab_default client r1 || return 1
	# Towards the server (link 18).
	lab_route r1 18 a1 a2 a3 a4 || return 1
	for i in 1 2 3 4; do
		lab_route "a$i" 18 "b$i" && lab_route "b$i" 18 c1 c2 || return 1
	done
	lab_route c2 18 server || return 1
	# Back to the client (link 1): each router answers from its address
	# towards the first router upstream; merge points use ECMP back.
	lab_route server 1 c1 c2 || return 1
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
	lab_set_ends client r1 server c1
	# shellcheck disable=SC2034 # read by lab.sh's lab_path
	LAB_CLIENT_FIRST_DEV=v-r1
	LAB_ECMP_NS="$LAB_PREFIX-r1"
	LAB_DEST_TTL=5
	lab_ttl_addrs_from_names "1 r1" "2 a1" "2 a2" "2 a3" "2 a4" \
		"3 b1" "3 b2" "3 b3" "3 b4" "4 c1" "4 c2"
	BENCH_DIAMOND_TTLS="2 3 4"
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
	for j in 1 2; do
		BENCH_EDGES="$BENCH_EDGES $(lab_answer "$LAB_PREFIX-c$j")>$LAB_SERVER_ADDR"
	done
	if [ "$mode" = packet ]; then
		bench_per_packet r1 a1 a2 a3 a4 || return 1
	fi
	export LAB_ECMP_NS LAB_DEST_TTL BENCH_DIAMOND_TTLS BENCH_BALANCER BENCH_EDGES
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
