#!/bin/bash
# The lab's own topologies, checked without ecmptrace: the kernel oracle
# (lab_path) must agree with what UDP probes with a fixed source port
# really meet (flowtrace.py reads the answering router from the socket's
# error queue), the ECMP routers must use every branch, the loss rules
# must drop what they should, and the return-loss case must fail for
# exactly the source ports the oracle predicts while ping stays clean.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_init

# Compare lab_path with flowtrace.py for source ports FIRST..LAST; record
# the addresses met at TTL T in seen_T.
compare_paths() {	# compare_paths FIRST LAST
	local p want got bad=0 t
	seen=()
	for p in $(seq "$1" "$2"); do
		want=$(lab_path udp "$p" 33434)
		got=$(lab_exec "$LAB_CLIENT_NS" "$LAB_PY" "$LAB_DIR/flowtrace.py" \
			"$LAB_SERVER_ADDR" "$p" 33434 12)
		if [ "$want" != "$got" ]; then
			diag "sport $p: oracle '$want', probes met '$got'"
			bad=$((bad + 1))
		fi
		t=1
		for a in $got; do
			seen[t]="${seen[t]} $a"
			t=$((t + 1))
		done
	done
	return "$bad"
}

# Every address in LIST was met at TTL T by some flow.
all_seen() {	# all_seen T LIST
	local a
	for a in $2; do
		case " ${seen[$1]} " in
		*" $a "*) ;;
		*) diag "ttl $1: $a never met"; return 1 ;;
		esac
	done
}

# 1. Two-way ECMP.
lab_topo_ecmp2
ok $? "ecmp2: built"
lab_exec "$LAB_CLIENT_NS" ping -c 3 -i 0.1 -W 1 -q "$LAB_SERVER_ADDR" >/dev/null
ok $? "ecmp2: client pings server"
compare_paths 40000 40015
ok $? "ecmp2: oracle path equals the real path for 16 source ports"
all_seen "$LAB_BRANCH_TTL" "$LAB_BRANCH_ADDRS"
ok $? "ecmp2: both branches ($LAB_BRANCH_ADDRS) used at TTL $LAB_BRANCH_TTL"
all_seen "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "ecmp2: server answers at TTL $LAB_DEST_TTL"
a=$(lab_oracle "$LAB_ECMP_NS" "$LAB_SERVER_ADDR" udp 40000 33434)
case " $LAB_BRANCH_ADDRS " in *" $a "*) true ;; *) false ;; esac
ok $? "ecmp2: lab_oracle at r1 names a branch address ($a)"

# Loss on r2a: find a port through r2a and send 1000 datagrams.
lab_loss_forward "$LAB_PREFIX-r2a" v-r3 300
ok $? "ecmp2: loss rule installed"
port=""
for p in $(seq 40000 40015); do
	if [ "$(lab_oracle "$LAB_ECMP_NS" "$LAB_SERVER_ADDR" udp "$p" 33434)" = "$(lab_answer "$LAB_PREFIX-r2a")" ]; then
		port=$p
		break
	fi
done
lab_exec "$LAB_CLIENT_NS" "$LAB_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", int(sys.argv[2])))
for i in range(1000):
    s.sendto(b"x", (sys.argv[1], 33434))
' "$LAB_SERVER_ADDR" "${port:-40000}"
drops=$(lab_loss_count "$LAB_PREFIX-r2a")
diag "r2a dropped $drops of 1000 (sport $port)"
[ -n "$port" ] && [ "$drops" -ge 240 ] && [ "$drops" -le 360 ]
ok $? "ecmp2: 300 permille rule drops about 30% (240..360 of 1000)"
lab_teardown

# 2. Diamond: 2-way then 3-way.
lab_topo_diamond
ok $? "diamond: built"
compare_paths 40000 40023
ok $? "diamond: oracle path equals the real path for 24 source ports"
set -- $LAB_STAGE_TTLS
all_seen "$1" "$LAB_STAGE1_ADDRS"
ok $? "diamond: both stage-1 branches at TTL $1"
all_seen "$2" "$LAB_STAGE2_ADDRS"
ok $? "diamond: all three stage-2 branches at TTL $2"
[ "${LAB_TTL_ADDRS[$LAB_DEST_TTL]}" = "$LAB_SERVER_ADDR" ]
ok $? "diamond: LAB_TTL_ADDRS ends with the server"
lab_teardown

# 3. Chain of 4.
lab_topo_chain 4
ok $? "chain: built"
got=$(lab_exec "$LAB_CLIENT_NS" "$LAB_PY" "$LAB_DIR/flowtrace.py" "$LAB_SERVER_ADDR" 40000 33434 12)
[ "$got" = "$LAB_CHAIN_ADDRS $LAB_SERVER_ADDR" ]
ok $? "chain: path is the chain ($got)"
[ "$LAB_DEST_TTL" -eq 5 ]
ok $? "chain: destination at TTL 5"
lab_teardown

# 4. Return loss: TCP replies from port 3306 die on r2a towards the client.
lab_topo_return_loss 3306
ok $? "return-loss: built"
lab_tcp_listen "$LAB_SERVER_NS" 3306
ok $? "return-loss: service listens"
lab_exec "$LAB_CLIENT_NS" ping -c 20 -i 0.05 -W 1 -q "$LAB_SERVER_ADDR" >"$LAB_TMP/ping" 2>&1
grep -q ' 0% packet loss' "$LAB_TMP/ping"
ok $? "return-loss: ping is clean"
bad=0 nfail=0
for p in $(seq 30000 30023); do
	via=$(lab_return_via tcp "$p" 3306)
	expect=0
	[ "$via" = "$(lab_ifaddr 4 r2a r3)" ] && expect=1
	got=0
	lab_tcp_connect "$p" "$LAB_SERVER_ADDR" 3306 || got=1
	[ "$got" = 1 ] && nfail=$((nfail + 1))
	if [ "$got" != "$expect" ]; then
		diag "sport $p: reply via $via, connect failed=$got expected $expect"
		bad=$((bad + 1))
	fi
done
diag "$nfail of 24 connections failed"
[ "$bad" -eq 0 ]
ok $? "return-loss: exactly the ports whose replies r3 sends via r2a fail"
[ "$nfail" -gt 0 ] && [ "$nfail" -lt 24 ]
ok $? "return-loss: some ports fail and some work"
lab_teardown

# Nothing of this run is left.
! ip netns list | grep -q "^$LAB_PREFIX-"
ok $? "teardown removed every namespace"

tap_done
