# shellcheck shell=bash
#
# The namespace lab: a sourceable bash library that builds small routed
# topologies out of network namespaces and veth pairs, with equal-cost
# multipath (ECMP) routes, loss made with nftables and a kernel "oracle"
# that says which next hop a flow takes.  The lab tests run the real
# ecmptrace binary inside the client namespace against these topologies.
#
# All traffic stays inside namespaces this library creates; every namespace
# is removed by lab_cleanup, which lab_init installs as an EXIT/INT/TERM trap.
#
# Usage:
#	. "$top_srcdir/tests/lab/lab.sh"
#	lab_require_root		# TAP "1..0 # SKIP" unless we can run
#	lab_init			# unique prefix, cleanup trap
#	lab_topo_ecmp2 300 a		# build a topology (see below)
#	lab_run_client "$ECMPTRACE" -n -j ... "$LAB_SERVER_ADDR"
#
# Addressing.  Link number K (1..250) is the subnet 10.0.K.0/24 and
# fd00:0:0:K::/64; the first namespace named in lab_link gets host 1, the
# second host 2.  Interfaces are named "v-PEER" inside each namespace.
# Both families are configured on every link and every route is installed
# for both, so an IPv6 run needs only LAB_FAMILY=6 before building (it
# selects the exported addresses and the oracle).  IPv6 neighbours are
# static (see lab_link); ARP stays dynamic.
#
# Answer addresses.  Linux sends an ICMP error (time exceeded) with the
# source address left to the route back to the client -- not the address
# the probe came in on, unless net.ipv4.icmp_errors_use_inbound_ifaddr is
# set, and ICMPv6 has no such option.  For a router whose route back is
# ECMP that source would follow the hash of the ICMP error itself, so the
# lab puts an explicit "src" on every router's route back to the client:
# each router answers from exactly one address, its address on the link
# towards the client (merge points: on the first link of their ECMP route
# back; r3 of ecmp2 answers from its address towards r2a).  lab_answer NS
# prints it; LAB_TTL_ADDRS and the LAB_*_ADDR(S) exports are built from it.
#
# ECMP hashing.  Every namespace hashes the 5-tuple (policy 3, custom
# fields; policy 1 would reuse a hash that the sender's socket left in its
# packets) with a seed of its own (a shared seed makes consecutive splits
# correlated).  See lab_ns.
#
# Exported by every topology (names of namespaces are full names):
#	LAB_FAMILY		4 or 6 (set before building; default 4)
#	LAB_CLIENT_NS, LAB_SERVER_NS
#	LAB_CLIENT_ADDR, LAB_SERVER_ADDR	for LAB_FAMILY
#	LAB_DEST_TTL		TTL at which the server answers
#	LAB_TTL_ADDRS[t]	space-separated addresses that may answer at TTL t
#				(t = 1 .. LAB_DEST_TTL; the last is the server)
#	LAB_ECMP_NS		the first (or only) namespace that splits flows
# lab_topo_ecmp2 [LOSS_PERMILLE] [LOSSY_BRANCH a|b] (with LAB_DELAY_BRANCH=a|b
# set, that branch's link to r3 delays what goes towards r3 by LAB_DELAY_US,
# default 5000, plus 0..LAB_DELAY_JITTER_US; with LAB_DELAY_BASE_US both
# links delay by that much, the branch's by LAB_DELAY_US more) adds:
#	LAB_BRANCH_TTL		2
#	LAB_BRANCH_ADDRS	"A B": answer addresses of r2a and r2b
#	LAB_BRANCH_NS		"NSa NSb"
#	LAB_LOSSY_ADDR		answer address of the lossy branch router
#				(empty when no loss was asked for)
#	LAB_LOSSY_NS		its namespace
#	LAB_SIBLING_ADDR	answer address of the other branch router
#	LAB_MERGE_ADDR		answer address of r3 (TTL 3)
# lab_topo_diamond adds (2-way split at r1, 3-way split at r3; TTLs:
# 1 r1, 2 a1|a2, 3 r2, 4 r3, 5 b1|b2|b3, 6 r4, 7 server):
#	LAB_STAGE_TTLS		"2 5": TTLs at which the branches of each stage answer
#	LAB_STAGE_NS		"r1NS r3NS": the namespaces that split each stage
#	LAB_STAGE1_ADDRS	2 addresses (TTL 2)
#	LAB_STAGE2_ADDRS	3 addresses (TTL 5)
# lab_topo_ecmp3 [SMALL] [MTU] [BLACKHOLE]: a 3-way split, member mSMALL at
# a smaller MTU towards the server (see there).
# lab_topo_chain N adds:
#	LAB_CHAIN_ADDRS		N router addresses, TTL 1 .. N
# lab_topo_return_loss [PORT] (default 3306) adds the ecmp2 variables plus:
#	LAB_SERVICE_PORT	the port whose replies die on one return branch
#	LAB_RETURN_NS		r3, which splits the server's replies
#	LAB_LOSSY_NS		the branch router that drops them
#
# Oracles:
#	lab_oracle NS DST PROTO SPORT DPORT	next-hop address NS picks for a
#		flow from the client ("ip route get ... from CLIENT iif DEV
#		ipproto P sport S dport D"; IPv4: for IPv6 "route get" does
#		not agree with the kernel's own forwarding)
#	lab_path PROTO SPORT DPORT		the addresses a flow's probes meet,
#		one per TTL from 1 to LAB_DEST_TTL: IPv4 walks the oracle hop
#		by hop; IPv6 measures it with flowtrace.py (UDP only)
#	lab_return_via PROTO SPORT DPORT	next hop LAB_RETURN_NS picks for
#		the server's reply to that flow (server port = DPORT; IPv4)
#	lab_oracle_paths JSON PROTO DPORT OUT	lab_path of every flow in an
#		ecmptrace JSON document, as "SPORT ADDR..." lines
#
# Loss and rate limiting:
#	lab_loss_forward NS DEV PERMILLE	drop that share of what NS forwards
#		out of DEV (nftables numgen)
#	lab_loss_match NS DEV MATCH...		drop what NS forwards out of DEV
#		that matches the nft MATCH (e.g. "tcp sport 3306")
#	lab_loss_count NS			packets dropped so far by NS's rules
#	lab_icmp_ratelimit NS [on|off]		Linux default ICMP rate limits on NS
#
# Tools: lab_exec NS CMD... (ip netns exec), lab_bg NS CMD... (background,
# killed on cleanup), lab_stop PID SIGNAL (signal a background child, wait
# for it at most 10 s, its status), lab_tcp_listen NS PORT (a listener, killed on cleanup),
# lab_tcp_connect SPORT DST DPORT (from the client), lab_tcp_upload SPORT DST
# DPORT BYTES SECONDS (a DF upload acknowledged in time), lab_connect_from_ports
# PROTO DST DPORT SPORT... (one connection per port, the kernel's choice of
# source and route), lab_seg_bridge and lab_seg_port NAME DEV PORT (a LAN:
# a bridge in namespace "switch"), lab_run_client CMD...
# (lab_exec in LAB_CLIENT_NS under timeout LAB_TIMEOUT, default 120 s),
# lab_ecmptrace OUT ARGS... ($ECMPTRACE in the client, output to OUT),
# lab_check ... (labcheck.py), lab_teardown (remove the current topology
# to build another in the same run).  LAB_TMP is a scratch directory
# removed on cleanup (kept when LAB_KEEP is set).  LAB_PREFIX may be set
# before lab_init to choose the namespace prefix.

LAB_PY=/usr/bin/python3
LAB_FAMILY=${LAB_FAMILY:-4}
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Print the TAP plan that skips the whole file unless we are root and can
# create a network namespace.  Needs no lab_init.
lab_require_root() {
	local probe
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP lab tests need root"
		exit 0
	fi
	for probe in ip nft sysctl timeout ss "$LAB_PY"; do
		if ! command -v "$probe" >/dev/null 2>&1; then
			echo "1..0 # SKIP lab tests need $probe"
			exit 0
		fi
	done
	probe="etlprobe$$"
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "1..0 # SKIP no network namespace support"
		exit 0
	fi
	if ! ip netns exec "$probe" nft list ruleset >/dev/null 2>&1; then
		ip netns del "$probe" 2>/dev/null
		echo "1..0 # SKIP nftables does not work in a namespace"
		exit 0
	fi
	ip netns del "$probe" 2>/dev/null
}

# Skip the whole file unless the binary under test exists.
lab_require_binary() {
	if [ -z "${ECMPTRACE:-}" ] || [ ! -x "$ECMPTRACE" ]; then
		echo "1..0 # SKIP no ecmptrace binary (ECMPTRACE=${ECMPTRACE:-unset})"
		exit 0
	fi
}

# Start a lab: a prefix unique to this run, empty registries, the trap.
lab_init() {
	LAB_PREFIX=${LAB_PREFIX:-etl$$r$RANDOM}
	LAB_NAMESPACES=()
	LAB_PIDS=()
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecmptrace-lab.XXXXXX") || return 1
	declare -gA LAB_PEER=() LAB_ADDR4=() LAB_ADDR6=() LAB_ANSWER4=() \
		LAB_ANSWER6=() LAB_CLIENT_IIF=() LAB_TTL_ADDRS=() LAB_DELAY_PID=() \
		LAB_DELAY_LOG=()
	trap 'lab_on_exit' EXIT
	trap 'lab_cleanup; exit 130' INT
	trap 'lab_cleanup; exit 143' TERM
}

lab_on_exit() {
	local rc=$?
	lab_cleanup
	exit "$rc"
}

# Remove everything this run created.  Safe to call more than once.
lab_cleanup() {
	lab_teardown
	if [ -n "${LAB_TMP:-}" ] && [ -d "$LAB_TMP" ]; then
		if [ -n "${LAB_KEEP:-}" ]; then
			echo "# lab: outputs kept in $LAB_TMP" >&2
		else
			rm -rf "$LAB_TMP"
		fi
	fi
	LAB_TMP=""
}

# Remove the namespaces and processes of the current topology, so that
# another one can be built in the same run.
lab_teardown() {
	local pid ns
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	LAB_PIDS=()
	for ns in "${LAB_NAMESPACES[@]}"; do
		# Anything still running inside was started by this run.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	LAB_NAMESPACES=()
	LAB_PEER=() LAB_ADDR4=() LAB_ADDR6=() LAB_ANSWER4=() LAB_ANSWER6=()
	LAB_CLIENT_IIF=() LAB_TTL_ADDRS=() LAB_DELAY_PID=() LAB_DELAY_LOG=()
}

lab_exec() {	# lab_exec NS CMD...
	local ns=$1; shift
	ip netns exec "$ns" "$@"
}

# Run a command in the background inside NS; it is killed on cleanup.
lab_bg() {	# lab_bg NS CMD...
	local ns=$1; shift
	ip netns exec "$ns" "$@" &
	LAB_PIDS+=("$!")
}

lab_tcp_listen() {	# lab_tcp_listen NS PORT
	local ns=$1 port=$2 i
	# contrib/tcp-listener.py: both families; resets each connection once
	# the client has closed, so a client may reuse its source port at once.
	lab_bg "$ns" "$LAB_PY" "$LAB_DIR/../../contrib/tcp-listener.py" "$port"
	# Wait until it listens so the first probe does not meet a RST.
	for i in $(seq 1 50); do
		if lab_exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	echo "lab: listener on port $port in $ns did not start" >&2
	return 1
}

# Send SIGNAL to PID (a background child of this shell) and wait for it,
# bounded: one that still runs after 10 s is killed.  Its exit status is
# the function's.
lab_stop() {	# lab_stop PID SIGNAL
	kill "-$2" "$1"
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
}

# Try a TCP connection from the client with a fixed source port; exit
# status 0 when the server answers within a second.
lab_tcp_connect() {	# lab_tcp_connect SPORT DST DPORT
	lab_exec "$LAB_CLIENT_NS" "$LAB_PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(1.0)
s.bind(("", int(sys.argv[1])))
try:
    s.connect((sys.argv[2], int(sys.argv[3])))
except (ConnectionResetError, ConnectionRefusedError):
    pass	# a reset or a refusal is an answer that came back
except OSError:
    sys.exit(1)
' "$1" "$2" "$3"
}

# One connected socket per source port from the client, as an application
# opens it (bound to the port only, so the kernel picks the source address
# and the route): a UDP datagram, or a TCP SYN, to DST:DPORT.  Nothing
# waits for answers; a firewall's sets in the lab record what left.
lab_connect_from_ports() {	# lab_connect_from_ports PROTO DST DPORT SPORT...
	lab_exec "$LAB_CLIENT_NS" "$LAB_PY" -c '
import socket, sys, time
proto, dst, dport = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
for p in sys.argv[4:]:
    s = socket.socket(fam, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(p)))
    s.setblocking(False)
    try:
        s.connect((dst, dport))
        if proto == "udp":
            s.send(b"x")
    except (BlockingIOError, ConnectionRefusedError):
        pass
    time.sleep(0.005)
    s.close()
' "$@"
}

# A one-segment LAN: namespace "switch" holds bridge br0 (lab_seg_bridge),
# and lab_seg_port plugs interface DEV of namespace NAME into it as PORT.
lab_seg_bridge() {
	local sw
	lab_ns switch || return 1
	sw=$(lab_ns_name switch)
	ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 &&
		ip -n "$sw" link set br0 up
}

lab_seg_port() {	# lab_seg_port NAME DEV PORT
	local ns sw
	ns=$(lab_ns_name "$1"); sw=$(lab_ns_name switch)
	ip link add "$2" netns "$ns" type veth peer name "$3" netns "$sw" &&
		ip -n "$sw" link set "$3" master br0 up &&
		ip -n "$ns" link set "$2" up
}

# Run CMD inside the client namespace, bounded by LAB_TIMEOUT seconds.
# It runs in the background and is waited for, so that a signal to the
# test runs the cleanup trap at once (bash delays traps until a
# foreground child ends); the cleanup kills what runs in the namespace.
lab_run_client() {	# lab_run_client CMD...
	timeout -k 5 "${LAB_TIMEOUT:-120}" ip netns exec "$LAB_CLIENT_NS" "$@" &
	wait "$!"
}

# Run the binary under test in the client namespace: stdout to OUT,
# stderr to OUT.err.  On failure, says why as TAP comments.  JSON output
# (-j, --json-stream) must also be valid against doc/ecmptrace.schema.json
# (when the validator can run here): a run whose output is not fails too.
lab_ecmptrace() {	# lab_ecmptrace OUT ARGS...
	local out=$1 rc kind="" a; shift
	echo "# ecmptrace $*"
	lab_run_client "$ECMPTRACE" "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "# ecmptrace exited with status $rc; stderr:"
		sed -n '1,20s/^/#   /p' "$out.err"
		return "$rc"
	fi
	for a in "$@"; do
		case $a in
		-j | --json) kind=report ;;
		--json-stream) kind=stream ;;
		esac
	done
	[ -n "$kind" ] || return 0
	lab_schema "$kind" "$out"
	rc=$?
	[ "$rc" -eq 77 ] && return 0
	[ "$rc" -ne 0 ] && echo "# the $kind is not valid against doc/ecmptrace.schema.json"
	return "$rc"
}

# The JSON checkers (labcheck.py SUBCOMMAND FILE ARGS...).
lab_check() {
	"$LAB_PY" "$LAB_DIR/labcheck.py" "$@"
}

# Validate ecmptrace JSON against the project's schema with its own
# validator (doc/validate-json.py; KIND is "report" for -j, "stream" for
# --json-stream).  Status 77 when the validator cannot run here.
lab_schema() {	# lab_schema KIND FILE
	local top=${top_srcdir:-$LAB_DIR/../..}
	local schema="$top/doc/ecmptrace.schema.json"
	local validator="$top/doc/validate-json.py"
	[ -f "$schema" ] && [ -f "$validator" ] || return 77
	"$LAB_PY" -c 'import jsonschema' 2>/dev/null || return 77
	"$LAB_PY" "$validator" "$schema" "$1" "$2" | sed -n '1,10s/^/# /p'
	return "${PIPESTATUS[0]}"
}

# One TAP line for a check whose status may be 77 (cannot run: SKIP).
lab_ok_or_skip() {	# lab_ok_or_skip STATUS DESCRIPTION...
	local status=$1; shift
	if [ "$status" -eq 77 ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $* # SKIP cannot run here"
	else
		ok "$status" "$@"
	fi
}

# Oracle paths "SOURCE_PORT ADDR_TTL1 ..." of every flow in a JSON output.
lab_oracle_paths() {	# lab_oracle_paths JSON PROTO DPORT OUTFILE
	local json=$1 proto=$2 dport=$3 out=$4 sport
	: >"$out"
	lab_check flows "$json" | while read -r _ sport; do
		echo "$sport $(lab_path "$proto" "$sport" "$dport")"
	done >"$out"
	[ -s "$out" ]
}

# Create namespace PREFIX-NAME; "router" turns forwarding on.  Prints
# nothing; the full name is "$LAB_PREFIX-NAME" (see lab_ns_name).
lab_ns() {	# lab_ns NAME [router]
	local ns="$LAB_PREFIX-$1" fwd=0
	[ "${2:-}" = router ] && fwd=1
	ip netns add "$ns" || return 1
	LAB_NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
	# -e: ignore keys an older kernel lacks.  rp_filter off because ECMP
	# return paths are asymmetric; ICMP rate limits off so that a fast
	# run gets an answer for every probe (see lab_icmp_ratelimit).
	# A seed of its own per namespace: with the default (one key shared
	# by all namespaces) every router computes the same hash of a flow,
	# so consecutive splits are correlated (hash polarization: two 2-way
	# splits in a row would only ever use two of the four paths).
	ip netns exec "$ns" sysctl -q -e -w \
		net.ipv4.ip_forward=$fwd \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.fib_multipath_hash_seed=$(( (RANDOM << 15 | RANDOM) + 1 )) \
		net.ipv6.conf.all.forwarding=$fwd \
		net.ipv6.conf.default.forwarding=$fwd \
		net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.auto_flowlabels=0 \
		>/dev/null || return 1
	# No ICMP error type rate limited at all: on kernels where
	# icmp_msgs_per_sec is not per namespace, the mask is what keeps
	# the host-wide budget (1000/s) out of the way.
	lab_icmp_ratelimit "$ns" off
	# ECMP hash: the 5-tuple (LAB_V6_HASH_FIELDS=0x3f adds the IPv6
	# flow label; the measured IPv6 oracle cannot set labels).  Policy 3
	# (custom fields) rather than 1 (L4): policy 1 reuses a hash the
	# sender's socket left in the packet (sk_txhash, random per
	# connected socket, and it survives the veth crossing), so every
	# new TCP connection or connected UDP socket would take a random
	# branch whatever its ports.  Fields: 0x01 src, 0x02 dst, 0x04
	# proto, 0x08 flow label, 0x10 sport, 0x20 dport.
	ip netns exec "$ns" sysctl -q -w \
		net.ipv4.fib_multipath_hash_fields=0x37 \
		net.ipv4.fib_multipath_hash_policy=3 \
		net.ipv6.fib_multipath_hash_fields="${LAB_V6_HASH_FIELDS:-0x37}" \
		net.ipv6.fib_multipath_hash_policy=3 >/dev/null 2>&1 ||
		ip netns exec "$ns" sysctl -q -w \
			net.ipv4.fib_multipath_hash_policy=1 \
			net.ipv6.fib_multipath_hash_policy=1 >/dev/null
}

lab_ns_name() { echo "$LAB_PREFIX-$1"; }

lab_addr() {	# lab_addr FAMILY LINK HOST -> address
	if [ "$1" = 6 ]; then echo "fd00:0:0:$2::$3"; else echo "10.0.$2.$3"; fi
}

lab_net() {	# lab_net FAMILY LINK -> prefix
	if [ "$1" = 6 ]; then echo "fd00:0:0:$2::/64"; else echo "10.0.$2.0/24"; fi
}

lab_mac() {	# lab_mac NS DEV -> link-layer address
	ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'
}

# A veth pair between namespaces NAME1 and NAME2 (short names as given to
# lab_ns) on link LINK.  The interface in NAME1 is called "v-NAME2" and
# vice versa; names are local to each namespace, so parallel runs never
# collide.  NAME1 gets host address 1, NAME2 host address 2, both families.
lab_link() {	# lab_link NAME1 NAME2 LINK
	local ns1="$LAB_PREFIX-$1" ns2="$LAB_PREFIX-$2"
	ip link add "v-$2" netns "$ns1" type veth peer name "v-$1" netns "$ns2" || return 1
	lab_link_ends "$ns1" "v-$2" "$ns2" "v-$1" "$3"
}

# The two ends of link K, interface D1 in namespace NS1 and D2 in NS2 (both
# created): their addresses, up, static IPv6 neighbours, and the tables
# lab_ifaddr and the oracle read.
lab_link_ends() {	# lab_link_ends NS1 D1 NS2 D2 K
	local ns1=$1 d1=$2 ns2=$3 d2=$4 k=$5
	ip -n "$ns1" addr add "$(lab_addr 4 "$k" 1)/24" dev "$d1"
	ip -n "$ns2" addr add "$(lab_addr 4 "$k" 2)/24" dev "$d2"
	ip -n "$ns1" -6 addr add "$(lab_addr 6 "$k" 1)/64" dev "$d1" nodad
	ip -n "$ns2" -6 addr add "$(lab_addr 6 "$k" 2)/64" dev "$d2" nodad
	ip -n "$ns1" link set "$d1" up
	ip -n "$ns2" link set "$d2" up
	# Static IPv6 neighbours: on a fresh veth the first neighbour
	# solicitation is often ignored, which delays the first packets of a
	# run by a whole retransmit time (1 s) and shows up as loss and huge
	# RTTs at the first hops.  ARP has no such quirk and stays dynamic.
	ip -n "$ns1" -6 neigh replace "$(lab_addr 6 "$k" 2)" dev "$d1" nud permanent \
		lladdr "$(lab_mac "$ns2" "$d2")" || return 1
	ip -n "$ns2" -6 neigh replace "$(lab_addr 6 "$k" 1)" dev "$d2" nud permanent \
		lladdr "$(lab_mac "$ns1" "$d1")" || return 1
	LAB_PEER["$ns1/$d1"]="$ns2/$d2"
	LAB_PEER["$ns2/$d2"]="$ns1/$d1"
	LAB_ADDR4["$ns1/$d1"]=$(lab_addr 4 "$k" 1)
	LAB_ADDR4["$ns2/$d2"]=$(lab_addr 4 "$k" 2)
	LAB_ADDR6["$ns1/$d1"]=$(lab_addr 6 "$k" 1)
	LAB_ADDR6["$ns2/$d2"]=$(lab_addr 6 "$k" 2)
}

# lab_link with a delay element on the wire: a namespace "dLINK" holds
# two interfaces with no addresses (dly-a towards NAME1, dly-b towards NAME2)
# and delayfwd (tests/lab/delayfwd.c) copies frames between them, those
# from NAME1 after AB_US microseconds, those from NAME2 after BA_US (plus
# a uniform 0..JITTER_US each way).  With BA_US "-" (the default) frames
# from NAME2 are not delayed and do not pass through delayfwd: an nftables
# netdev rule forwards them in the kernel, so the way back is a plain wire
# whatever the element is doing (delayfwd.c says why).  Invisible at the
# IP layer: NAME1 and NAME2 are neighbours as with lab_link, the addresses
# are the same, no TTL is spent.  The element is killed on cleanup.
LAB_DELAYFWD=${LAB_DELAYFWD:-${top_builddir:-$LAB_DIR/../..}/tests/lab/delayfwd}
lab_link_delayed() {	# lab_link_delayed NAME1 NAME2 LINK AB_US [BA_US] [JITTER_US]
	local n1=$1 n2=$2 k=$3 ab=$4 ba=${5:--} jit=${6:-0} i
	local ns1="$LAB_PREFIX-$n1" ns2="$LAB_PREFIX-$n2" dn="d$3"
	local ns3="$LAB_PREFIX-$dn" d1="v-$n2" d2="v-$n1"
	[ -x "$LAB_DELAYFWD" ] || { echo "lab: no delay element $LAB_DELAYFWD" >&2; return 1; }
	lab_ns "$dn" || return 1
	# No IPv6 in the element's namespace: it must not answer or solicit.
	ip netns exec "$ns3" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	ip link add "$d1" netns "$ns1" type veth peer name dly-a netns "$ns3" &&
		ip link add "$d2" netns "$ns2" type veth peer name dly-b netns "$ns3" || return 1
	ip -n "$ns3" link set dev dly-a up && ip -n "$ns3" link set dev dly-b up &&
		lab_link_ends "$ns1" "$d1" "$ns2" "$d2" "$k" || return 1
	if [ "$ba" = - ]; then
		ip netns exec "$ns3" nft -f - <<-EOF || return 1
		table netdev back {
			chain to_a { type filter hook ingress device "dly-b" priority 0; fwd to "dly-a"; }
		}
		EOF
	fi
	lab_bg "$ns3" "$LAB_DELAYFWD" -S "$RANDOM" -j "$jit" -r "$LAB_TMP/$dn.ready" dly-a dly-b \
		"$ab" "$ba" 2>>"$LAB_TMP/$dn.log"
	for i in $(seq 1 50); do
		[ -e "$LAB_TMP/$dn.ready" ] && break
		sleep 0.1
	done
	[ -e "$LAB_TMP/$dn.ready" ] || { echo "lab: delay element $dn did not start" >&2; return 1; }
	LAB_DELAY_PID["$n1-$n2"]=${LAB_PIDS[-1]}
	LAB_DELAY_LOG["$n1-$n2"]="$LAB_TMP/$dn.log"
}

# The delay the element between NAME1 and NAME2 (lab_link_delayed) really
# held NAME1's frames so far, in ms: "BEFORE AFTER", the medians of the
# time from a frame's arrival to just before and just after the send that
# passed it on (delayfwd's SIGUSR1 report).
lab_delay_held() {	# lab_delay_held NAME1 NAME2
	local pid=${LAB_DELAY_PID["$1-$2"]:-} log=${LAB_DELAY_LOG["$1-$2"]:-} had i line=""
	[ -n "$pid" ] && [ -n "$log" ] || return 1
	had=$(grep -c 'direction 0 held' "$log" 2>/dev/null)
	kill -USR1 "$pid" 2>/dev/null || return 1
	for i in $(seq 1 40); do
		[ "$(grep -c 'direction 0 held' "$log" 2>/dev/null)" -gt "${had:-0}" ] && break
		sleep 0.05
	done
	line=$(grep 'direction 0 held' "$log" 2>/dev/null | tail -1)
	[ "$(grep -c 'direction 0 held' "$log" 2>/dev/null)" -gt "${had:-0}" ] || return 1
	# "delayfwd: direction 0 held N frames: median B us before send, A us after"
	echo "$line" | awk '{ printf "%.4f %.4f\n", $8 / 1000, $12 / 1000 }'
}

# A counter ("table inet carry") of the TCP segments towards DPORT that
# every member of the ECMP group ($LAB_BRANCH_NS) forwards: which member a
# connection really took (read with lab_nft_packets NS table inet carry).
lab_count_members() {	# lab_count_members DPORT
	local ns
	for ns in $LAB_BRANCH_NS; do
		ip netns exec "$ns" nft add table inet carry &&
			ip netns exec "$ns" nft add chain inet carry f \
				'{ type filter hook forward priority 0; }' &&
			ip netns exec "$ns" nft add rule inet carry f tcp dport "$1" counter ||
			return 1
	done
}

# NS sends no "fragmentation needed" (IPv4) and no "packet too big" (IPv6):
# a path MTU black hole at its links.
lab_pmtu_hole() {	# lab_pmtu_hole NS
	ip netns exec "$1" nft -f - <<'NFT'
table inet pmtu {
	chain out {
		type filter hook output priority 0;
		icmp type destination-unreachable icmp code frag-needed counter drop
		icmpv6 type packet-too-big counter drop
	}
}
NFT
}

# Address of NAME's end of the link towards PEER, for FAMILY.
lab_ifaddr() {	# lab_ifaddr FAMILY NAME PEER
	local key="$LAB_PREFIX-$2/v-$3"
	if [ "$1" = 6 ]; then echo "${LAB_ADDR6[$key]}"; else echo "${LAB_ADDR4[$key]}"; fi
}

# Route LINK's subnet (both families) from NAME via one or more neighbours
# (ECMP when more than one).  A trailing "src PEER" sets the preferred
# source -- the address NAME answers from -- to NAME's address towards PEER.
lab_route() {	# lab_route NAME LINK VIA_PEER... [src PEER]
	local name=$1 k=$2; shift 2
	local ns="$LAB_PREFIX-$name" vias=() srcpeer="" fam args a
	while [ $# -gt 0 ]; do
		if [ "$1" = src ]; then srcpeer=$2; shift 2; continue; fi
		vias+=("$1"); shift
	done
	for fam in 4 6; do
		args=()
		if [ "${#vias[@]}" -eq 1 ]; then
			a=$(lab_ifaddr "$fam" "${vias[0]}" "$name")
			args=(via "$a" dev "v-${vias[0]}")
		else
			for a in "${vias[@]}"; do
				args+=(nexthop via "$(lab_ifaddr "$fam" "$a" "$name")" dev "v-$a")
			done
		fi
		[ -n "$srcpeer" ] && args=(src "$(lab_ifaddr "$fam" "$name" "$srcpeer")" "${args[@]}")
		ip -n "$ns" -"$fam" route add "$(lab_net "$fam" "$k")" "${args[@]}" || return 1
	done
}

# Default route of an end host.
lab_default() {	# lab_default NAME PEER
	local fam
	for fam in 4 6; do
		ip -n "$LAB_PREFIX-$1" -"$fam" route add default \
			via "$(lab_ifaddr "$fam" "$2" "$1")" dev "v-$2" || return 1
	done
}

# Record that router NAME answers from its address towards PEER and that
# probes from the client enter it through the interface towards IIF_PEER.
lab_answers_from() {	# lab_answers_from NAME PEER IIF_PEER
	local ns="$LAB_PREFIX-$1"
	LAB_ANSWER4["$ns"]=$(lab_ifaddr 4 "$1" "$2")
	LAB_ANSWER6["$ns"]=$(lab_ifaddr 6 "$1" "$2")
	LAB_CLIENT_IIF["$ns"]="v-$3"
}

lab_answer() {	# lab_answer NS -> the address NS answers from (LAB_FAMILY)
	if [ "$LAB_FAMILY" = 6 ]; then echo "${LAB_ANSWER6[$1]}"; else echo "${LAB_ANSWER4[$1]}"; fi
}

# The client and server, and the exported addresses for LAB_FAMILY.
lab_set_ends() {	# lab_set_ends CLIENT_NAME CLIENT_PEER SERVER_NAME SERVER_PEER
	LAB_CLIENT_NS="$LAB_PREFIX-$1"
	LAB_SERVER_NS="$LAB_PREFIX-$3"
	LAB_CLIENT_ADDR=$(lab_ifaddr "$LAB_FAMILY" "$1" "$2")
	LAB_SERVER_ADDR=$(lab_ifaddr "$LAB_FAMILY" "$3" "$4")
	export LAB_CLIENT_NS LAB_SERVER_NS LAB_CLIENT_ADDR LAB_SERVER_ADDR LAB_FAMILY
}

# ip route get arguments for a flow (IPv4; see lab_path for IPv6).
lab_flowargs() {	# lab_flowargs PROTO SPORT DPORT
	case $1 in
	icmp) if [ "$LAB_FAMILY" = 6 ]; then echo "ipproto ipv6-icmp"; else echo "ipproto icmp"; fi ;;
	*) echo "ipproto $1 sport $2 dport $3" ;;
	esac
}

# Raw "ip route get" of a forwarded packet of the flow at NS entering
# through IIF; prints "VIA DEV" (VIA empty when the destination is on-link).
lab_route_get() {	# lab_route_get NS IIF SRC DST PROTO SPORT DPORT
	local ns=$1 iif=$2 src=$3 dst=$4 out
	# shellcheck disable=SC2046
	out=$(ip -n "$ns" -"$LAB_FAMILY" route get "$dst" from "$src" iif "$iif" \
		$(lab_flowargs "$5" "$6" "$7")) || return 1
	# shellcheck disable=SC2086 # split the answer into words
	set -- $out
	local via="" dev=""
	while [ $# -gt 0 ]; do
		case $1 in
		via) via=$2; shift ;;
		dev) dev=$2; shift ;;
		esac
		shift
	done
	echo "$via $dev"
}

# The next-hop address NS picks for the client's flow towards DST.
lab_oracle() {	# lab_oracle NS DST PROTO SPORT DPORT
	local r
	r=$(lab_route_get "$1" "${LAB_CLIENT_IIF[$1]}" "$LAB_CLIENT_ADDR" "$2" "$3" "$4" "$5") || return 1
	# shellcheck disable=SC2086 # "VIA DEV" or " DEV"
	set -- $r
	[ $# -eq 2 ] && echo "$1"
}

# The addresses a flow meets, one per TTL: walk from the client's first
# router, asking each router which way the flow leaves.  For IPv6 the
# kernel's "route get" does not agree with its own forwarding (tried on
# 6.18 with hash policies 1 and 3), so there the oracle is measured
# instead: flowtrace.py sends UDP probes of the flow (UDP only).
lab_path() {	# lab_path PROTO SPORT DPORT
	local ns iif peer r via dev ttl=1 path=()
	if [ "$LAB_FAMILY" = 6 ]; then
		[ "$1" = udp ] || return 1
		lab_exec "$LAB_CLIENT_NS" "$LAB_PY" "$LAB_DIR/flowtrace.py" -6 \
			"$LAB_SERVER_ADDR" "$2" "$3" $((LAB_DEST_TTL + 2))
		return
	fi
	peer=${LAB_PEER["$LAB_CLIENT_NS/$LAB_CLIENT_FIRST_DEV"]}
	ns=${peer%/*}; iif=${peer#*/}
	while [ "$ns" != "$LAB_SERVER_NS" ]; do
		path+=("$(lab_answer "$ns")")
		r=$(lab_route_get "$ns" "$iif" "$LAB_CLIENT_ADDR" "$LAB_SERVER_ADDR" "$1" "$2" "$3") || return 1
		read -r via dev <<<"$r"
		[ -z "$dev" ] && dev=$via
		peer=${LAB_PEER["$ns/$dev"]}
		[ -n "$peer" ] || return 1
		ns=${peer%/*}; iif=${peer#*/}
		ttl=$((ttl + 1))
		[ "$ttl" -le 64 ] || return 1
	done
	path+=("$LAB_SERVER_ADDR")
	echo "${path[*]}"
}

# The next hop r3 picks for the server's reply (from port DPORT to the
# flow's SPORT), entering r3 from the server.
lab_return_via() {	# lab_return_via PROTO SPORT DPORT
	local r
	r=$(lab_route_get "$LAB_RETURN_NS" "$LAB_RETURN_IIF" "$LAB_SERVER_ADDR" \
		"$LAB_CLIENT_ADDR" "$1" "$3" "$2") || return 1
	# shellcheck disable=SC2086 # "VIA DEV" or " DEV"
	set -- $r
	echo "$1"
}

# nftables: one table per namespace with a forward chain.
lab_nft_base() {	# lab_nft_base NS
	ip netns exec "$1" nft -f - <<-EOF
	table inet lab {
		chain forward {
			type filter hook forward priority 0; policy accept;
		}
	}
	EOF
}

# An attacker namespace "atk" behind r3 (lab_topo_ecmp2), and r3 a silent
# hop (it sends no time exceeded): forged answers "from" beyond it cannot
# be told from real ones by their place (t_forgery.sh, bench/forgery.sh).
lab_attacker_behind_silent_r3() {
	lab_ns atk && lab_link r3 atk 20 && lab_default atk r3 || return 1
	ip netns exec "$LAB_PREFIX-r3" nft -f - <<'NFT'
table inet silent {
	chain out {
		type filter hook output priority 0;
		icmp type time-exceeded drop
		icmpv6 type time-exceeded drop
	}
}
NFT
}

lab_loss_forward() {	# lab_loss_forward NS DEV PERMILLE
	lab_nft_base "$1" || return 1
	[ "$3" -gt 0 ] || return 0
	ip netns exec "$1" nft add rule inet lab forward \
		oifname "$2" numgen random mod 1000 lt "$3" counter drop
}

lab_loss_match() {	# lab_loss_match NS DEV MATCH...
	local ns=$1 dev=$2; shift 2
	lab_nft_base "$ns" || return 1
	# shellcheck disable=SC2068
	ip netns exec "$ns" nft add rule inet lab forward oifname "$dev" $@ counter drop
}

# The sum of the packet counters "nft list WHAT..." shows in NS (0 if none).
lab_nft_packets() {	# lab_nft_packets NS WHAT...
	local ns=$1; shift
	ip netns exec "$ns" nft list "$@" 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) }
		     END { print n + 0 }'
}

# Packets dropped by the lab's rules in NS so far.
lab_loss_count() {	# lab_loss_count NS
	lab_nft_packets "$1" table inet lab
}

# Linux's default ICMP error rate limits ("on") or none ("off", the lab
# default) on NS: 1 error per second per destination for the types in
# icmp_ratemask, at most icmp_msgs_per_sec in all.
lab_icmp_ratelimit() {	# lab_icmp_ratelimit NS [on|off]
	local ns=$1 want=1000 kv
	if [ "${2:-on}" = on ]; then
		set -- net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_ratemask=6168 \
			net.ipv4.icmp_msgs_per_sec=1000 net.ipv4.icmp_msgs_burst=50 \
			net.ipv6.icmp.ratelimit=1000 net.ipv6.icmp.ratemask=0-1,3-127
	else
		want=0
		# 255: an ICMPv6 type nobody sends (the list cannot be empty).
		set -- net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
			net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000 \
			net.ipv6.icmp.ratelimit=0 net.ipv6.icmp.ratemask=255
	fi
	# One key at a time: an older kernel may lack one or refuse a value.
	for kv in "$@"; do
		ip netns exec "$ns" sysctl -q -e -w "$kv" >/dev/null 2>&1
	done
	[ "$(ip netns exec "$ns" sysctl -n net.ipv4.icmp_ratelimit 2>/dev/null)" = "$want" ]
}

# Fill LAB_TTL_ADDRS from "TTL NAME" pairs (the router NAME answers at
# TTL), then the server at LAB_DEST_TTL.
lab_ttl_addrs_from_names() {	# lab_ttl_addrs_from_names "TTL NAME" ...
	local pair ttl name
	LAB_TTL_ADDRS=()
	for pair in "$@"; do
		read -r ttl name <<<"$pair"
		LAB_TTL_ADDRS[$ttl]="${LAB_TTL_ADDRS[$ttl]:+${LAB_TTL_ADDRS[$ttl]} }$(lab_answer "$LAB_PREFIX-$name")"
	done
	LAB_TTL_ADDRS[$LAB_DEST_TTL]=$LAB_SERVER_ADDR
}

# client - r1 -+- a1 -+- m -+- c1 -+- server
#              +- a2 -+     +- c2 -+
#              +- a3 -+
#              +- a4 -+
# TTL 1 r1, TTL 2 a1..a4, TTL 3 m, TTL 4 c1|c2, TTL 5 the server.  m's
# route back to the client is multipath over a1..a4 and has no "src":
# Linux sends a Time Exceeded from the address of the interface it leaves
# by, chosen by hashing, so m answers from four addresses (towards
# a1..a4), all behind its one ICMP limiter.  Every other router answers
# from one address.  Exports LAB_ALIAS_ADDRS (m's four addresses) and
# LAB_TTL_ADDRS, LAB_DEST_TTL=5.
lab_topo_merge() {
	local n i
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 a1 a2 a3 a4 m c1 c2; do lab_ns "$n" router || return 1; done
	# Links: 1 client-r1, 2..5 r1-ai, 6..9 ai-m, 10 m-c1, 11 m-c2,
	# 12 c1-server (the server's address), 13 c2-server.
	lab_link client r1 1 || return 1
	for i in 1 2 3 4; do
		lab_link r1 "a$i" $((1 + i)) && lab_link "a$i" m $((5 + i)) || return 1
	done
	lab_link m c1 10 && lab_link m c2 11 && lab_link c1 server 12 &&
		lab_link c2 server 13 || return 1
	lab_default client r1 || return 1
	# Towards the server (link 12), and back to the client (link 1).
	lab_route r1 12 a1 a2 a3 a4 || return 1
	for i in 1 2 3 4; do
		lab_route "a$i" 12 m && lab_route "a$i" 1 r1 src r1 || return 1
		lab_answers_from "a$i" r1 r1
	done
	lab_route m 12 c1 c2 && lab_route c2 12 server || return 1
	lab_route server 1 c1 c2 && lab_route m 1 a1 a2 a3 a4 || return 1
	for n in c1 c2; do
		lab_route "$n" 1 m src m || return 1
		lab_answers_from "$n" m m
	done
	lab_answers_from r1 client client
	lab_answers_from m a1 a1
	lab_set_ends client r1 server c1
	LAB_CLIENT_FIRST_DEV=v-r1
	LAB_ECMP_NS="$LAB_PREFIX-r1"
	LAB_DEST_TTL=5
	LAB_ALIAS_ADDRS=""
	for i in 1 2 3 4; do LAB_ALIAS_ADDRS="$LAB_ALIAS_ADDRS $(lab_ifaddr "$LAB_FAMILY" m "a$i")"; done
	LAB_ALIAS_ADDRS=${LAB_ALIAS_ADDRS# }
	lab_ttl_addrs_from_names "1 r1" "2 a1" "2 a2" "2 a3" "2 a4" "4 c1" "4 c2"
	LAB_TTL_ADDRS[3]=$LAB_ALIAS_ADDRS
	export LAB_ECMP_NS LAB_DEST_TTL LAB_ALIAS_ADDRS
}

# client - r1 - {r2a, r2b} - r3 - server.  r1 splits towards the server,
# r3 splits back towards the client.  The lossy branch router drops
# LOSS_PERMILLE of what it forwards towards r3 (the server's direction).
lab_topo_ecmp2() {	# lab_topo_ecmp2 [LOSS_PERMILLE] [LOSSY_BRANCH a|b]
	local loss=${1:-0} lossy=${2:-a} n
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 r2a r2b r3; do lab_ns "$n" router || return 1; done
	lab_link client r1 1 && lab_link r1 r2a 2 && lab_link r1 r2b 3 &&
		lab_link r3 server 6 || return 1
	# LAB_DELAY_BRANCH=a|b: that branch's link to r3 delays what goes
	# towards r3 by LAB_DELAY_US more than the other's (lab_link_delayed).
	# LAB_DELAY_BASE_US: both links delay by that much (the element's own
	# cost, a few microseconds, is then the same on both, so the members
	# differ by exactly LAB_DELAY_US).
	# shellcheck disable=SC2086 # "BRANCH LINK"
	for n in "a 4" "b 5"; do
		set -- $n
		local d=${LAB_DELAY_BASE_US:-}
		if [ "${LAB_DELAY_BRANCH:-}" = "$1" ]; then
			d=$((${d:-0} + ${LAB_DELAY_US:-5000}))
		fi
		if [ -n "$d" ]; then
			lab_link_delayed "r2$1" r3 "$2" "$d" - "${LAB_DELAY_JITTER_US:-0}" || return 1
		else
			lab_link "r2$1" r3 "$2" || return 1
		fi
	done
	lab_default client r1 && lab_default server r3 || return 1
	# Towards the server (link 6) and back to the client (link 1).
	lab_route r1 6 r2a r2b && lab_route r2a 6 r3 && lab_route r2b 6 r3 || return 1
	lab_route r3 1 r2a r2b src r2a && lab_route r2a 1 r1 src r1 &&
		lab_route r2b 1 r1 src r1 || return 1
	# The other router-to-router subnets, so every answer address routes.
	lab_route r1 4 r2a && lab_route r1 5 r2b && lab_route r3 2 r2a && lab_route r3 3 r2b || return 1
	lab_answers_from r1 client client
	lab_answers_from r2a r1 r1
	lab_answers_from r2b r1 r1
	lab_answers_from r3 r2a r2a
	lab_set_ends client r1 server r3
	LAB_CLIENT_FIRST_DEV=v-r1
	LAB_ECMP_NS="$LAB_PREFIX-r1"
	LAB_DEST_TTL=4
	LAB_BRANCH_TTL=2
	LAB_BRANCH_NS="$LAB_PREFIX-r2a $LAB_PREFIX-r2b"
	LAB_BRANCH_ADDRS="$(lab_answer "$LAB_PREFIX-r2a") $(lab_answer "$LAB_PREFIX-r2b")"
	LAB_MERGE_ADDR=$(lab_answer "$LAB_PREFIX-r3")
	lab_ttl_addrs_from_names "1 r1" "2 r2a" "2 r2b" "3 r3"
	local other=b
	[ "$lossy" = b ] && other=a
	LAB_LOSSY_NS="$LAB_PREFIX-r2$lossy"
	LAB_LOSSY_ADDR=""
	LAB_SIBLING_ADDR=$(lab_answer "$LAB_PREFIX-r2$other")
	if [ "$loss" -gt 0 ]; then
		LAB_LOSSY_ADDR=$(lab_answer "$LAB_LOSSY_NS")
		lab_loss_forward "$LAB_LOSSY_NS" v-r3 "$loss" || return 1
	fi
	LAB_RETURN_NS="$LAB_PREFIX-r3"
	LAB_RETURN_IIF=v-server
	export LAB_ECMP_NS LAB_DEST_TTL LAB_BRANCH_TTL LAB_BRANCH_NS LAB_BRANCH_ADDRS \
		LAB_LOSSY_ADDR LAB_LOSSY_NS LAB_SIBLING_ADDR LAB_MERGE_ADDR
}

# Like ecmp2, but the branch router r2a drops TCP segments from source port
# PORT that it forwards towards the client: replies of the service die for
# the flows whose replies r3 hashes onto r2a, while ping stays clean.
lab_topo_return_loss() {	# lab_topo_return_loss [PORT]
	local port=${1:-3306}
	lab_topo_ecmp2 0 a || return 1
	LAB_SERVICE_PORT=$port
	LAB_LOSSY_ADDR=$(lab_answer "$LAB_LOSSY_NS")
	lab_loss_match "$LAB_LOSSY_NS" v-r1 tcp sport "$port" || return 1
	export LAB_SERVICE_PORT LAB_LOSSY_ADDR
}

# client - r1 - {m1, m2, m3} - r3 - server: a 3-way split at r1 (the
# members answer at TTL 2, r3 at 3, the server at 4).  With SMALL (1-3),
# member mSMALL's link towards r3 has MTU MTU (default 1400) instead of
# 1500, so it cannot forward full-sized packets towards the server; with
# BLACKHOLE=1 it also sends no "fragmentation needed" / "packet too big"
# about them (nftables drops them as they leave it): a PMTU black hole.
# Exports the ecmp2-like LAB_BRANCH_TTL, LAB_BRANCH_ADDRS (3), LAB_BRANCH_NS,
# and LAB_SMALL_ADDR / LAB_SMALL_NS (empty without SMALL), LAB_SMALL_MTU.
lab_topo_ecmp3() {	# lab_topo_ecmp3 [SMALL] [MTU] [BLACKHOLE]
	local small=${1:-0} mtu=${2:-1400} hole=${3:-0} n i
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 m1 m2 m3 r3; do lab_ns "$n" router || return 1; done
	lab_link client r1 1 && lab_link r3 server 8 || return 1
	for i in 1 2 3; do
		lab_link r1 "m$i" $((1 + i)) && lab_link "m$i" r3 $((4 + i)) || return 1
	done
	lab_default client r1 && lab_default server r3 || return 1
	lab_route r1 8 m1 m2 m3 && lab_route r3 1 m1 m2 m3 src m1 || return 1
	for i in 1 2 3; do
		lab_route "m$i" 8 r3 && lab_route "m$i" 1 r1 src r1 || return 1
		lab_answers_from "m$i" r1 r1
	done
	lab_answers_from r1 client client
	lab_answers_from r3 m1 m1
	lab_set_ends client r1 server r3
	LAB_CLIENT_FIRST_DEV=v-r1
	LAB_ECMP_NS="$LAB_PREFIX-r1"
	LAB_DEST_TTL=4
	LAB_BRANCH_TTL=2
	LAB_BRANCH_NS="$LAB_PREFIX-m1 $LAB_PREFIX-m2 $LAB_PREFIX-m3"
	LAB_BRANCH_ADDRS="$(lab_answer "$LAB_PREFIX-m1") $(lab_answer "$LAB_PREFIX-m2") $(lab_answer "$LAB_PREFIX-m3")"
	lab_ttl_addrs_from_names "1 r1" "2 m1" "2 m2" "2 m3" "3 r3"
	LAB_SMALL_NS="" LAB_SMALL_ADDR="" LAB_SMALL_MTU=1500
	if [ "$small" -ge 1 ] && [ "$small" -le 3 ]; then
		LAB_SMALL_NS="$LAB_PREFIX-m$small"
		LAB_SMALL_ADDR=$(lab_answer "$LAB_SMALL_NS")
		LAB_SMALL_MTU=$mtu
		ip -n "$LAB_SMALL_NS" link set dev v-r3 mtu "$mtu" &&
			ip -n "$LAB_PREFIX-r3" link set dev "v-m$small" mtu "$mtu" || return 1
		if [ "$hole" = 1 ]; then
			lab_pmtu_hole "$LAB_SMALL_NS" || return 1
		fi
	fi
	export LAB_ECMP_NS LAB_DEST_TTL LAB_BRANCH_TTL LAB_BRANCH_NS LAB_BRANCH_ADDRS \
		LAB_SMALL_NS LAB_SMALL_ADDR LAB_SMALL_MTU
}

# Uploads BYTES over TCP from the client's source port SPORT to DST:DPORT
# with the kernel's path MTU discovery on (DF set); status 0 when the
# server acknowledged every byte within SECONDS.  The client's PMTU cache
# is flushed first, so one port's discovery does not help the next.
lab_tcp_upload() {	# lab_tcp_upload SPORT DST DPORT BYTES SECONDS
	ip -n "$LAB_CLIENT_NS" -4 route flush cache 2>/dev/null
	ip -n "$LAB_CLIENT_NS" -6 route flush cache 2>/dev/null
	lab_exec "$LAB_CLIENT_NS" "$LAB_PY" -c '
import fcntl, socket, struct, sys, time
sport, dst, dport, size, secs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", sport))
s.settimeout(secs)
end = time.monotonic() + secs
try:
    s.connect((dst, dport))
    s.sendall(b"x" * size)
    # SIOCOUTQ: bytes sent but not yet acknowledged.
    while struct.unpack("i", fcntl.ioctl(s.fileno(), 0x5411, b"\0" * 4))[0] > 0:
        if time.monotonic() > end:
            sys.exit(1)
        time.sleep(0.02)
except OSError:
    sys.exit(1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
' "$@"
}

# client - r1 - {a1, a2} - r2 - r3 - {b1, b2, b3} - r4 - server: a 2-way
# stage (split at r1, answers at TTL 2) and a 3-way stage (split at r3,
# answers at TTL 5).  r2 and r4 merge them again; the server is at TTL 7.
lab_topo_diamond() {
	local n
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 a1 a2 r2 r3 b1 b2 b3 r4; do lab_ns "$n" router || return 1; done
	lab_link client r1 1 && lab_link r1 a1 2 && lab_link r1 a2 3 &&
		lab_link a1 r2 4 && lab_link a2 r2 5 && lab_link r2 r3 6 &&
		lab_link r3 b1 7 && lab_link r3 b2 8 && lab_link r3 b3 9 &&
		lab_link b1 r4 10 && lab_link b2 r4 11 && lab_link b3 r4 12 &&
		lab_link r4 server 13 || return 1
	lab_default client r1 && lab_default server r4 || return 1
	# Towards the server (link 13).
	lab_route r1 13 a1 a2 && lab_route a1 13 r2 && lab_route a2 13 r2 &&
		lab_route r2 13 r3 && lab_route r3 13 b1 b2 b3 &&
		lab_route b1 13 r4 && lab_route b2 13 r4 && lab_route b3 13 r4 || return 1
	# Back to the client (link 1), ECMP at the merge points.
	lab_route r4 1 b1 b2 b3 src b1 && lab_route b1 1 r3 src r3 &&
		lab_route b2 1 r3 src r3 && lab_route b3 1 r3 src r3 &&
		lab_route r3 1 r2 src r2 && lab_route r2 1 a1 a2 src a1 &&
		lab_route a1 1 r1 src r1 && lab_route a2 1 r1 src r1 || return 1
	lab_answers_from r1 client client
	lab_answers_from a1 r1 r1
	lab_answers_from a2 r1 r1
	lab_answers_from r2 a1 a1
	lab_answers_from r3 r2 r2
	lab_answers_from b1 r3 r3
	lab_answers_from b2 r3 r3
	lab_answers_from b3 r3 r3
	lab_answers_from r4 b1 b1
	lab_set_ends client r1 server r4
	LAB_CLIENT_FIRST_DEV=v-r1
	LAB_ECMP_NS="$LAB_PREFIX-r1"
	LAB_DEST_TTL=7
	LAB_STAGE_TTLS="2 5"
	LAB_STAGE_NS="$LAB_PREFIX-r1 $LAB_PREFIX-r3"
	LAB_STAGE1_ADDRS="$(lab_answer "$LAB_PREFIX-a1") $(lab_answer "$LAB_PREFIX-a2")"
	LAB_STAGE2_ADDRS="$(lab_answer "$LAB_PREFIX-b1") $(lab_answer "$LAB_PREFIX-b2") $(lab_answer "$LAB_PREFIX-b3")"
	lab_ttl_addrs_from_names "1 r1" "2 a1" "2 a2" "3 r2" "4 r3" "5 b1" "5 b2" "5 b3" "6 r4"
	LAB_RETURN_NS="$LAB_PREFIX-r4"
	LAB_RETURN_IIF=v-server
	export LAB_ECMP_NS LAB_DEST_TTL LAB_STAGE_TTLS LAB_STAGE_NS LAB_STAGE1_ADDRS LAB_STAGE2_ADDRS
}

# client - c1 - c2 - ... - cN - server: no multipath at all.
lab_topo_chain() {	# lab_topo_chain N
	local n=${1:-3} i prev pairs=()
	[ "$n" -ge 1 ] && [ "$n" -le 30 ] || return 1
	lab_ns client && lab_ns server || return 1
	for i in $(seq 1 "$n"); do lab_ns "c$i" router || return 1; done
	lab_link client c1 1 || return 1
	for i in $(seq 2 "$n"); do lab_link "c$((i - 1))" "c$i" "$i" || return 1; done
	lab_link "c$n" server $((n + 1)) || return 1
	lab_default client c1 && lab_default server "c$n" || return 1
	LAB_CHAIN_ADDRS=""
	for i in $(seq 1 "$n"); do
		prev=client
		[ "$i" -gt 1 ] && prev="c$((i - 1))"
		if [ "$i" -lt "$n" ]; then
			lab_route "c$i" $((n + 1)) "c$((i + 1))" || return 1
		fi
		if [ "$i" -gt 1 ]; then
			lab_route "c$i" 1 "$prev" src "$prev" || return 1
		fi
		lab_answers_from "c$i" "$prev" "$prev"
		LAB_CHAIN_ADDRS="$LAB_CHAIN_ADDRS${LAB_CHAIN_ADDRS:+ }$(lab_answer "$LAB_PREFIX-c$i")"
		pairs+=("$i c$i")
	done
	lab_set_ends client c1 server "c$n"
	LAB_CLIENT_FIRST_DEV=v-c1
	LAB_ECMP_NS=""
	LAB_DEST_TTL=$((n + 1))
	lab_ttl_addrs_from_names "${pairs[@]}"
	export LAB_ECMP_NS LAB_DEST_TTL LAB_CHAIN_ADDRS
}

# The namespaces of this run, one per line (for checks and debugging).
lab_list() {
	printf '%s\n' "${LAB_NAMESPACES[@]}"
}
