#!/bin/bash
#
# The demo network: the first field case (a faulty ECMP member behind a
# load balancer) rebuilt from network namespaces on this machine, so that
# ecmptrace can be tried on it.  A "db" service listens on TCP 3306 behind
# a 2-way ECMP; on the way back one branch drops the service's replies
# (TCP from source port 3306), so connections from some client source
# ports always time out while others always work, and ping stays clean.
#
#   client --- r1 ===(r2a | r2b)=== r3 --- db
#              10.0.1.0/24 ... 10.0.6.0/24; r1 and r3 hash the 5-tuple
#              r2a drops TCP sport 3306 towards the client
#
# usage: demo-network.sh up | down | status | check
#        demo-network.sh run [ECMPTRACE ARGS...]  (default: -T -P 3306; -n always)
#        demo-network.sh exec CMD...               (in the client namespace)
#
# Needs root, iproute2, nftables and python3 (for the service; nc -lk is
# used without it).  All traffic stays inside the namespaces, named
# "$ECMPTRACE_DEMO_PREFIX-*" (default prefix "ecmpdemo").  The binary for
# "run" is $ECMPTRACE, else ./ecmptrace, else ecmptrace on the PATH.

set -u

PREFIX=${ECMPTRACE_DEMO_PREFIX:-ecmpdemo}
NODES="client r1 r2a r2b r3 db"
ROUTERS="r1 r2a r2b r3"
CLIENT_ADDR=10.0.1.1
DB_ADDR=10.0.6.2
DB_PORT=3306
PY=/usr/bin/python3

die() {
	echo "demo-network: $*" >&2
	exit 1
}

ns() { echo "$PREFIX-$1"; }

# The address of NODE on link K (NODE is host 1 or 2 of 10.0.K.0/24).
addr() { echo "10.0.$1.$2"; }

is_up() {
	local n
	for n in $NODES; do
		ip netns list 2>/dev/null | grep -q "^$(ns "$n")\( \|$\)" || return 1
	done
	[ -e "/run/$PREFIX-db.pid" ] || return 1
	kill -0 "$(cat "/run/$PREFIX-db.pid")" 2>/dev/null
}

down() {
	local n pid
	if [ -e "/run/$PREFIX-db.pid" ]; then
		kill "$(cat "/run/$PREFIX-db.pid")" 2>/dev/null
		rm -f "/run/$PREFIX-db.pid"
	fi
	for n in $NODES; do
		ip netns list 2>/dev/null | grep -q "^$(ns "$n")\( \|$\)" || continue
		# Whatever still runs inside was started by this demo.
		for pid in $(ip netns pids "$(ns "$n")" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$(ns "$n")"
	done
}

mkns() {	# mkns NODE FORWARD
	local n
	n=$(ns "$1")
	ip netns add "$n" || return 1
	ip -n "$n" link set lo up
	# Routers forward and keep Linux's default ICMP rate limits (a burst
	# of 6, then one error a second towards us), as real ones do;
	# rp_filter is off for the asymmetric return; the ECMP hash is the
	# 5-tuple (policy 3 with fields src, dst, proto, sport, dport: policy 1
	# would reuse the random per-connection hash a socket leaves in its
	# packets) with a seed of its own per router.
	ip netns exec "$n" sysctl -q -e -w \
		net.ipv4.ip_forward="$2" \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.icmp_ratelimit=1000 \
		net.ipv4.icmp_ratemask=6168 \
		net.ipv4.fib_multipath_hash_fields=0x37 \
		net.ipv4.fib_multipath_hash_policy=3 \
		net.ipv4.fib_multipath_hash_seed=$(( (RANDOM << 15 | RANDOM) + 1 )) \
		>/dev/null
}

link() {	# link NODE1 NODE2 K: NODE1 gets .1, NODE2 .2; devices "v-PEER"
	local a b
	a=$(ns "$1"); b=$(ns "$2")
	ip link add "v-$2" netns "$a" type veth peer name "v-$1" netns "$b" || return 1
	ip -n "$a" addr add "$(addr "$3" 1)/24" dev "v-$2"
	ip -n "$b" addr add "$(addr "$3" 2)/24" dev "v-$1"
	ip -n "$a" link set "v-$2" up
	ip -n "$b" link set "v-$1" up
}

start_db() {
	local n pid
	n=$(ns db)
	if [ -x "$PY" ]; then
		# Resets each connection once the client has closed, so the same
		# client port can be tried again right away.
		ip netns exec "$n" setsid "$PY" "$(cd "$(dirname "$0")" && pwd)/tcp-listener.py" "$DB_PORT" \
			</dev/null >/dev/null 2>&1 &
	else
		ip netns exec "$n" setsid nc -lk "$DB_PORT" </dev/null >/dev/null 2>&1 &
	fi
	pid=$!
	echo "$pid" >"/run/$PREFIX-db.pid"
	for _ in $(seq 1 50); do
		ip netns exec "$n" ss -Hltn "sport = :$DB_PORT" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

build() {
	local n fwd
	for n in $NODES; do
		fwd=0
		case " $ROUTERS " in *" $n "*) fwd=1 ;; esac
		mkns "$n" "$fwd" || return 1
	done
	link client r1 1 && link r1 r2a 2 && link r1 r2b 3 &&
		link r2a r3 4 && link r2b r3 5 && link r3 db 6 || return 1
	ip -n "$(ns client)" route add default via 10.0.1.2 &&
		ip -n "$(ns db)" route add default via 10.0.6.1 || return 1
	# Towards the db: r1 splits.  Back to the client: r3 splits.  Each
	# router answers expired probes from its address towards the client
	# (the "src" of its route back), so every hop shows one address.
	ip -n "$(ns r1)" route add 10.0.6.0/24 \
		nexthop via 10.0.2.2 dev v-r2a nexthop via 10.0.3.2 dev v-r2b &&
		ip -n "$(ns r2a)" route add 10.0.6.0/24 via 10.0.4.2 dev v-r3 &&
		ip -n "$(ns r2b)" route add 10.0.6.0/24 via 10.0.5.2 dev v-r3 &&
		ip -n "$(ns r3)" route add 10.0.1.0/24 src 10.0.4.2 \
			nexthop via 10.0.4.1 dev v-r2a nexthop via 10.0.5.1 dev v-r2b &&
		ip -n "$(ns r2a)" route add 10.0.1.0/24 src 10.0.2.2 via 10.0.2.1 dev v-r1 &&
		ip -n "$(ns r2b)" route add 10.0.1.0/24 src 10.0.3.2 via 10.0.3.1 dev v-r1 ||
		return 1
	# The faulty member: r2a loses the db's replies towards the client.
	ip netns exec "$(ns r2a)" nft -f - <<-EOF || return 1
	table inet demo {
		chain forward {
			type filter hook forward priority 0; policy accept;
			oifname "v-r1" tcp sport $DB_PORT counter drop
		}
	}
	EOF
	start_db
}

up() {
	if is_up; then
		echo "demo network is already up (db $DB_ADDR:$DB_PORT, client namespace $(ns client))"
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || die "needs root"
	command -v nft >/dev/null || die "needs nft (nftables)"
	down
	if ! build; then
		down
		die "could not build the demo network"
	fi
	cat <<-EOF
	demo network is up:
	  client $CLIENT_ADDR (namespace $(ns client))
	   -> r1 10.0.1.2 -> r2a 10.0.2.2 | r2b 10.0.3.2 -> r3 10.0.4.2
	   -> db $DB_ADDR, TCP $DB_PORT listening (namespace $(ns db))
	  r2a drops TCP from port $DB_PORT towards the client.
	try: $0 check      (which client ports fail, and ping)
	     $0 run        (ecmptrace -n -T -P $DB_PORT $DB_ADDR in the client)
	     $0 down
	EOF
}

binary() {
	if [ -n "${ECMPTRACE:-}" ]; then
		echo "$ECMPTRACE"
	elif [ -x ./ecmptrace ]; then
		echo "$PWD/ecmptrace"
	else
		command -v ecmptrace
	fi
}

run() {
	local bin
	bin=$(binary) || die "no ecmptrace binary (set ECMPTRACE or run from the build directory)"
	[ -x "$bin" ] || die "$bin is not executable"
	is_up || up >/dev/null || exit 1
	[ $# -gt 0 ] || set -- -T -P "$DB_PORT"
	# Always -n: the namespaces have no name server, and a reverse
	# lookup must not try to leave them.
	exec ip netns exec "$(ns client)" "$bin" -n "$@" "$DB_ADDR"
}

check() {
	local p failed="" nfail=0
	is_up || die "the demo network is not up (run: $0 up)"
	command -v nc >/dev/null || die "needs nc"
	echo "TCP $DB_ADDR:$DB_PORT from client source ports 30000-30009 (nc -z -w 1 -p PORT):"
	for p in $(seq 30000 30009); do
		if ip netns exec "$(ns client)" nc -z -w 1 -p "$p" "$DB_ADDR" "$DB_PORT" 2>/dev/null; then
			echo "  port $p: ok"
		else
			echo "  port $p: FAILED (no answer)"
			failed="$failed $p"
			nfail=$((nfail + 1))
		fi
	done
	echo "failed:${failed:- none} ($nfail of 10)"
	echo "ping $DB_ADDR:"
	ip netns exec "$(ns client)" ping -c 20 -i 0.05 -W 1 -q "$DB_ADDR" | tail -n 2 | sed 's/^/  /'
}

status() {
	if is_up; then
		echo "up"
		ip netns exec "$(ns r2a)" nft list table inet demo | grep counter | sed 's/^[[:space:]]*/  r2a: /'
	else
		echo "down"
		return 1
	fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
up) up ;;
down) down; echo "demo network is down" ;;
status) status ;;
check) check ;;
run) run "$@" ;;
exec)
	[ $# -gt 0 ] || die "usage: $0 exec CMD..."
	is_up || die "the demo network is not up (run: $0 up)"
	exec ip netns exec "$(ns client)" "$@"
	;;
*)
	sed -n '/^# usage:/,/^# "run"/s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
