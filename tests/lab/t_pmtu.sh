#!/bin/bash
# Path MTU per branch, end to end: a 3-way ECMP (lab_topo_ecmp3) whose
# member drawn from the printed seed has MTU 1400 towards the server among
# 1500s.  ecmptrace at its defaults, UDP (path MTU probes: don't-fragment
# datagrams) and -T -P PORT (SYNs carrying data on the flows' own ports;
# a listener on the server or not, by the seed: SYN-ACKs or resets
# answer them) must give that member's branch a pmtu_bytes within 8 bytes
# under 1400 (the search stops within 8 bytes), the other members 1500; as
# a black hole (frag-needed / packet-too-big dropped) with pmtu_messages
# false, with the messages allowed exactly 1400 with pmtu_messages true.
# Then exactly one mtu-branch finding must name the member and its PMTU
# (the same range).  Its ports, against the kernel: UDP, exactly the
# flows' ports for which one don't-fragment datagram of 1500 bytes does
# not get to the server (the server's port unreachable comes back or
# not); TCP, exactly the flows' ports whose connection the member carries
# (nftables counters in every member) and, as a black hole, exactly those
# whose upload with the kernel's PMTU discovery (DF) stalls while every
# other flow's gets through.  A clean 3-way network (all 1500, UDP or TCP
# by the seed) must raise no mtu-branch and give every branch 1500, in 5
# runs side by side.  IPv4 and IPv6.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

SEED=${PMTU_SEED:-$RANDOM}
RANDOM=$SEED
echo "# seed $SEED (PMTU_SEED to replay)"

# Checks the branches at TTL 2 of JSON: SMALL_ADDR at [LO, 1400] with
# pmtu_messages MSG, the others at 1500.
check_pmtu() {	# check_pmtu JSON SMALL_ADDR LO MSG
	"$LAB_PY" - "$@" <<'PY'
import json, sys
doc, small, lo, msg = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
good = True
for hop in doc["hops"]:
    if hop["ttl"] != 2:
        continue
    addrs = [b["address"] for b in hop["branches"]]
    # ICMP flows without a flow label to vary all take one member: then
    # the small one need not be among them.  Several: it must be.
    # No traced flow took the small member (discovery stops at 95% sure it
    # found every branch; the flows it made may all hash elsewhere): then
    # every branch found must read 1500, and no finding may come (below).
    if len(addrs) > 1 and small not in addrs:
        print("# %s is not among the branches %s: no flow of this run crossed it" % (small, addrs))
    for b in hop["branches"]:
        print("# branch %s: pmtu_bytes %s, messages %s" % (b["address"], b.get("pmtu_bytes"), b.get("pmtu_messages")))
        if b["address"] == small:
            good &= b.get("pmtu_bytes") is not None and lo <= b["pmtu_bytes"] <= 1400
            good &= b.get("pmtu_messages") == msg
        else:
            good &= b.get("pmtu_bytes") == 1500
sys.exit(0 if good else 1)
PY
}

# Checks the one mtu-branch finding of JSON: it blames ADDR with bytes in
# [LO, 1400]; writes its source ports to PORTFILE.
check_finding() {	# check_finding JSON ADDR LO PORTFILE
	"$LAB_PY" - "$@" <<'PY'
import json, sys
doc, addr, lo, out = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4]
found = [f for f in doc["findings"] if f["kind"] == "mtu-branch"]
for f in found:
    print("# mtu-branch: %s" % f["summary"])
    for cmd in f["reproduce"][:1]:
        print("#   reproduce: %s" % cmd)
with open(out, "w") as o:
    for f in found:
        o.write(" ".join(str(p) for p in f["source_ports"]) + "\n")
split = [h for h in doc["hops"] if h["ttl"] == 2 and len(h["branches"]) > 1]
if not split:
    # One member carries every flow: there is nothing to set it against.
    print("# one branch at TTL 2: no mtu-branch can be said")
    sys.exit(0 if not found else 1)
if addr not in [b["address"] for b in split[0]["branches"]]:
    print("# %s carried no flow of this run: no mtu-branch may be said" % addr)
    sys.exit(0 if not found else 1)
sys.exit(0 if len(found) == 1 and found[0]["address"] == addr and
         lo <= found[0]["pmtu"]["bytes"] <= 1400 else 1)
PY
}

# One don't-fragment UDP datagram of 1500 bytes from each flow's port to
# the server's DPORT: prints the ports whose datagram did not get there
# (no port unreachable back within a second, or a PMTU error).
df_failing_ports() {	# df_failing_ports JSON DPORT
	lab_check flows "$1" 2>/dev/null | while read -r _ sport; do echo "$sport"; done |
	lab_exec "$LAB_CLIENT_NS" "$LAB_PY" -c '
import errno, socket, sys
dst, dport = sys.argv[1], int(sys.argv[2])
v6 = ":" in dst
for line in sys.stdin:
    port = int(line)
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # PMTUDISC_PROBE: DF set, the kernel PMTU cache ignored.
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, 23, 3)
    else:
        s.setsockopt(socket.IPPROTO_IP, 10, 3)
    s.bind(("", port))
    s.connect((dst, dport))
    s.settimeout(1.0)
    try:
        s.send(b"x" * (1500 - (48 if v6 else 28)))
        s.recv(100)
        print(port)		# an answer: the service itself would be odd here
    except ConnectionRefusedError:
        pass		# port unreachable from the server: it got there
    except OSError:
        print(port)		# timeout (a black hole) or EMSGSIZE (a PMTU message)
    s.close()
' "$LAB_SERVER_ADDR" "$2"
}

# TCP: one upload (DF, the kernel's PMTU discovery, 2 s) from each flow's
# port to the listener; prints "PORT CARRIED STATUS", CARRIED 1 when the
# small member's counter moved.
tcp_uploads() {	# tcp_uploads JSON DPORT
	local p st before after
	for p in $(lab_check flows "$1" 2>/dev/null | while read -r _ sport; do echo "$sport"; done); do
		before=$(lab_nft_packets "$LAB_SMALL_NS" table inet carry)
		lab_tcp_upload "$p" "$LAB_SERVER_ADDR" "$2" 262144 2
		st=$?
		after=$(lab_nft_packets "$LAB_SMALL_NS" table inet carry)
		echo "$p $((after > before)) $st"
	done
}

# TCP: the named ports against what the kernel did (tcp_uploads' lines).
check_tcp_ports() {	# check_tcp_ports UPLOADS NAMED HOLE
	local carried failing named
	carried=$(awk '$2 == 1 { print $1 }' "$1" | sort -n | tr '\n' ' ')
	failing=$(awk '$3 != 0 { print $1 }' "$1" | sort -n | tr '\n' ' ')
	named=$(tr ' ' '\n' <"$2" | sed '/^$/d' | sort -n | tr '\n' ' ')
	diag "ports named: $named; carried by the small member: $carried; uploads failing: $failing"
	# Empty both when no flow of the run crossed the small member (discovery's 5%).
	[ -n "$carried" ] || diag "no traced flow crossed the small member this run"
	[ "$named" = "$carried" ] || return 1
	if [ "$3" = 1 ]; then [ "$failing" = "$named" ]; else [ -z "$failing" ]; fi
}

for proto in udp tcp; do
for fam in 4 6; do
	for hole in 1 0; do
		LAB_FAMILY=$fam
		lab_teardown
		small=$((1 + RANDOM % 3))
		flag="" listen=""
		dport=$((3000 + RANDOM % 3000))
		if [ "$proto" = tcp ]; then
			flag="-T -P $dport"
			# A listener (SYN-ACKs) or none (resets), by the seed.
			[ $((RANDOM % 2)) = 0 ] && listen=1
		fi
		lab_topo_ecmp3 "$small" 1400 "$hole" &&
			{ [ -z "$listen" ] || lab_tcp_listen "$LAB_SERVER_NS" "$dport"; }
		ok $? "IPv$fam $proto: 3-way ECMP, m$small at MTU 1400$([ "$hole" = 1 ] && echo ', a black hole')$([ -n "$listen" ] && echo ', a listener on the server')"
		out="$LAB_TMP/pmtu-$proto-$fam-$hole.json"
		# shellcheck disable=SC2086 # no flag for UDP
		lab_ecmptrace "$out" -n -j $flag "$LAB_SERVER_ADDR"
		ok $? "IPv$fam $proto: ecmptrace ran at its defaults${flag:+ ($flag)}"
		if [ "$hole" = 1 ]; then lo=1392; else lo=1400; fi
		check_pmtu "$out" "$LAB_SMALL_ADDR" "$lo" $((1 - hole))
		ok $? "IPv$fam $proto: m$small's branch has a PMTU in $lo-1400 ($([ "$hole" = 1 ] && echo 'no messages' || echo 'from the messages')), the others 1500"
		check_finding "$out" "$LAB_SMALL_ADDR" "$lo" "$LAB_TMP/named"
		ok $? "IPv$fam $proto: one mtu-branch finding names m$small and a PMTU in $lo-1400 (none if one member carries every flow)"
		if [ "$proto" = tcp ]; then
			lab_count_members "$dport" &&
				{ [ -n "$listen" ] || lab_tcp_listen "$LAB_SERVER_NS" "$dport"; } &&
				tcp_uploads "$out" "$dport" >"$LAB_TMP/uploads" &&
				check_tcp_ports "$LAB_TMP/uploads" "$LAB_TMP/named" "$hole"
			ok $? "IPv$fam tcp: the named ports are the flows' ports m$small carries$([ "$hole" = 1 ] && echo '; their DF uploads stall, every other flow'"'"'s gets through' || echo '; every upload gets through (PMTU discovery)')"
			[ "$hole" = 1 ] || continue
			if [ ! -s "$LAB_TMP/named" ] || [ -z "$(tr -d ' \n' <"$LAB_TMP/named")" ]; then
				tap_n=$((tap_n + 1))
				echo "ok $tap_n - IPv$fam tcp: the reproduce command # SKIP no flow crossed the small member, nothing named"
				continue
			fi
			# The finding's own reproduce command, as a user would run it:
			# it says "stalled" from a named port, "ok" from a port of
			# another member (the same command, that port put in).
			cmd=$("$LAB_PY" -c 'import json, sys
f = [f for f in json.load(open(sys.argv[1]))["findings"] if f["kind"] == "mtu-branch"]
print(f[0]["reproduce"][0] if f else "")' "$out")
			named1=$(awk '{ print $1 }' "$LAB_TMP/named")
			other=$(awk '$2 == 0 && $3 == 0 { print $1; exit }' "$LAB_TMP/uploads")
			said=$(lab_exec "$LAB_CLIENT_NS" sh -c "$cmd" 2>&1)
			said_other=$(lab_exec "$LAB_CLIENT_NS" sh -c "${cmd//,$named1))/,$other))}" 2>&1)
			diag "reproduce: $cmd"
			diag "from $named1: $said; from $other: $said_other"
			[ -n "$other" ] && [ "$said" = stalled ] && [ "$said_other" = ok ]
			ok $? "IPv$fam tcp: the finding's reproduce command says stalled from a named port, ok from another member's"
			continue
		fi
		df_failing_ports "$out" "$(lab_check port "$out")" | sort -n | tr '\n' ' ' >"$LAB_TMP/failing"
		tr ' ' '\n' <"$LAB_TMP/named" | sed '/^$/d' | sort -n | tr '\n' ' ' >"$LAB_TMP/named.sorted"
		diag "ports named: $(cat "$LAB_TMP/named.sorted"); ports whose DF datagram fails: $(cat "$LAB_TMP/failing")"
		# Empty both when no flow of the run crossed the small member (checked above).
		[ -s "$LAB_TMP/failing" ] || diag "no traced flow crossed the small member this run"
		cmp -s "$LAB_TMP/failing" "$LAB_TMP/named.sorted"
		ok $? "IPv$fam: each named port fails a 1500-byte DF datagram, every other flow's port gets one through"
	done
done
done

# The clean network, 5 runs side by side, each in namespaces of its own.
clean_run() {	# clean_run N FAM PROTO: writes its status and what it saw
	local flag=""
	LAB_PREFIX="etl$$c$1"
	LAB_FAMILY=$2
	lab_init || exit 1
	lab_topo_ecmp3 0 || exit 1
	if [ "$3" = tcp ]; then
		flag="-T -P 3306"
		lab_tcp_listen "$LAB_SERVER_NS" 3306 || exit 1
	fi
	# shellcheck disable=SC2086 # no flag for UDP
	lab_ecmptrace "$LAB_TMP/clean.json" -n -j $flag "$LAB_SERVER_ADDR" >/dev/null 2>&1 || exit 1
	lab_check pmtu-clean "$LAB_TMP/clean.json"
}
# The last run's listener goes first: `wait` below would wait for it too.
lab_teardown
CLEAN=$LAB_TMP/cleanruns
mkdir -p "$CLEAN"
first=$((RANDOM % 2))
for n in 1 2 3 4 5; do
	fam=$((RANDOM % 2 ? 6 : 4))
	# UDP and TCP (a listener on 3306) take turns, the first by the seed.
	proto=$([ $(((n + first) % 2)) = 0 ] && echo tcp || echo udp)
	( clean_run "$n" "$fam" "$proto" >"$CLEAN/$n.out" 2>&1; echo "$? $fam $proto" >"$CLEAN/$n.rc" ) &
done
wait
for n in 1 2 3 4 5; do
	read -r st fam proto <"$CLEAN/$n.rc"
	grep '^#' "$CLEAN/$n.out"
	ok "$st" "clean run $n (IPv$fam $proto): no mtu-branch, every branch at 1500"
done

tap_done
