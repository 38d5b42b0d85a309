#!/bin/bash
# Unprivileged mode (issue 14): as user nobody with no capability at all,
# ecmptrace with its defaults traces a 2-way ECMP whose one branch drops a
# share of what it forwards, over UDP, ICMP (ping sockets, allowed by
# net.ipv4.ping_group_range in the client namespace) and TCP, IPv4 and
# IPv6: both branches are found, the flows of the lossy branch lose about
# the share dropped and those of the other none, and a lossy-branch finding
# blames the lossy router (with its flows' ports where the kernel can say
# which flows those are).  Then --unprivileged as root gives the same.
#
# Linux routers hash ICMP echo on addresses only (t_icmp.sh), so for IPv4
# ICMP the splitting router r1 stands in for a router that hashes the echo
# identifier: odd identifiers go to r2b, even ones to r2a (nftables mark +
# policy routing).  For IPv6 every router hashes the flow label too, which
# the ping sockets must then carry per flow; a capture in the client
# namespace checks that each flow's probes carry the label its document
# gives it (UDP, ICMPv6 echo, TCP SYN).  TCP's end-to-end loss is not
# held to the share dropped: the lossy router also drops the flows' own
# handshake packets, which leaves the server half-open connections (raw
# probes see the same); its finding must still blame the lossy router, but
# may leave out a flow whose few end-to-end losses look like the others'.
#
# Varied from a seed printed below: which branch is lossy and how lossy.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary

nobody=65534
if command -v setpriv >/dev/null 2>&1; then
	as_nobody=(setpriv --reuid=$nobody --regid=$nobody --clear-groups --inh-caps=-all)
elif command -v runuser >/dev/null 2>&1; then
	as_nobody=(runuser -u nobody --)
else
	skip_all "neither setpriv nor runuser is installed"
fi
"${as_nobody[@]}" test -x "$ECMPTRACE" ||
	skip_all "user $nobody cannot execute $ECMPTRACE (private build directory?)"
if command -v getcap >/dev/null 2>&1 && [ -n "$(getcap "$ECMPTRACE" 2>/dev/null)" ]; then
	skip_all "$ECMPTRACE has file capabilities"
fi
lab_init

seed=${LAB_SEED:-$RANDOM}
RANDOM=$seed
lossy=$([ $((RANDOM % 2)) -eq 0 ] && echo a || echo b)
permille=$((250 + RANDOM % 101))
diag "seed $seed (LAB_SEED=$seed replays it): r2$lossy drops $permille permille"
port=8080

# The user the runs are made as holds no capability whatever.
caps=$("${as_nobody[@]}" sh -c 'grep -E "^Cap(Inh|Prm|Eff|Amb):" /proc/self/status' |
	awk '{print $2}' | sort -u)
[ "$caps" = 0000000000000000 ] && [ "$("${as_nobody[@]}" id -u)" -eq $nobody ]
ok $? "user $nobody runs with no capability (inheritable, permitted, effective, ambient: $caps)"
if command -v getpcaps >/dev/null 2>&1; then
	pcaps=$("${as_nobody[@]}" sh -c 'getpcaps $$' 2>&1)
	! grep -q "cap_" <<<"$pcaps"
	ok $? "getpcaps shows none: $pcaps"
fi

# r1 sends IPv4 echo requests by the identifier's low bit (see the top).
split_icmp_by_id() {
	local r1="$LAB_PREFIX-r1"
	lab_exec "$r1" ip route add 10.0.6.0/24 via 10.0.2.2 table 100 &&
		lab_exec "$r1" ip route add 10.0.6.0/24 via 10.0.3.2 table 101 &&
		lab_exec "$r1" ip rule add ipproto icmp fwmark 0/1 table 100 pref 100 &&
		lab_exec "$r1" ip rule add ipproto icmp fwmark 1/1 table 101 pref 101 &&
		lab_exec "$r1" nft -f - <<'NFT'
table ip icmpsplit {
	chain pre {
		type filter hook prerouting priority mangle;
		icmp type echo-request icmp id & 1 == 1 meta mark set 1
	}
}
NFT
}

# The IPv6 flow labels on the wire, per protocol and source port (ICMPv6:
# echo identifier), captured in the client namespace until SIGTERM; then a
# check that every flow of a run carried exactly the label its document says.
cat >"$LAB_TMP/labels.py" <<'PY'
import json, signal, socket, sys
seen = {}
def done(*_):
    json.dump({k: sorted(v) for k, v in seen.items()}, open(sys.argv[2], "w"))
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
# ETH_P_ALL: a packet socket of one protocol sees only what comes in.
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
s.bind((sys.argv[1], 3))
while True:
    p, addr = s.recvfrom(2048)
    if addr[1] != 0x86dd or len(p) < 54 or p[0] >> 4 != 6:
        continue
    label, nh = int.from_bytes(p[0:4], "big") & 0xfffff, p[6]
    if nh == 17 or (nh == 6 and p[53] & 0x12 == 0x02):   # UDP, TCP SYN (the probes)
        key = "%s %d" % ("tcp" if nh == 6 else "udp", int.from_bytes(p[40:42], "big"))
    elif nh == 58 and p[40] == 128:
        key = "icmp %d" % int.from_bytes(p[44:46], "big")
    else:
        continue
    seen.setdefault(key, set()).add(label)
PY
cat >"$LAB_TMP/labels-check.py" <<'PY'
import json, sys
wire, doc, proto = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
bad = [(f["source_port"], f.get("flow_label"), wire.get("%s %d" % (proto, f["source_port"])))
       for f in doc["flows"]
       if wire.get("%s %d" % (proto, f["source_port"])) != [f.get("flow_label")]]
print("# %d flows, %d with another label on the wire %s" % (len(doc["flows"]), len(bad), bad[:3]))
sys.exit(1 if bad or not doc["flows"] else 0)
PY

# The source ports (ICMP: identifiers) of the run's flows that take the lossy branch.
lossy_ports() {	# lossy_ports OUT PROTO
	local out=$1 proto=$2 dport sport
	dport=$(lab_check port "$out")
	lab_check flows "$out" | while read -r _ sport; do
		if [ "$proto" = icmp ]; then
			[ $((sport % 2)) -eq 1 ] && [ "$lossy" = b ] && echo "$sport"
			[ $((sport % 2)) -eq 0 ] && [ "$lossy" = a ] && echo "$sport"
		elif [ "$(lab_oracle "$LAB_ECMP_NS" "$LAB_SERVER_ADDR" "$proto" "$sport" "$dport")" = \
			"$LAB_LOSSY_ADDR" ]; then
			echo "$sport"
		fi
	done
}

# check OUT PROTO WHO: what every run must show.
check() {
	local out=$1 proto=$2 who=$3 what ports=()
	what="IPv$LAB_FAMILY $proto as $who"
	grep -q "probing on ordinary sockets (unprivileged mode)" "$out.err" &&
		[ "$(grep -c "not available without CAP_NET_RAW" "$out.err")" -eq 1 ]
	ok $? "$what: says once that it is unprivileged and what is not available"
	lab_schema report "$out"
	lab_ok_or_skip $? "$what: the document is valid against doc/ecmptrace.schema.json"
	"$LAB_PY" - "$out" "$proto" <<'PY'
import json, sys
want = {"link_check", "next_hop_frames", "short_quotes"}
if sys.argv[2] == "tcp":
    want |= {"parallel_tcp", "pmtu"}
sys.exit(0 if set(json.load(open(sys.argv[1])).get("unavailable", [])) == want else 1)
PY
	ok $? "$what: the document says what was unavailable"
	lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
	ok $? "$what: both branches at TTL $LAB_BRANCH_TTL"
	if [ "$proto" != tcp ]; then
		lab_check lossy "$out" "$LAB_BRANCH_TTL" "$LAB_LOSSY_ADDR" "$LAB_SIBLING_ADDR" \
			"$permille"
		ok $? "$what: the lossy branch's flows lose about $permille permille, the others none"
	fi
	if [ "$LAB_FAMILY" = 4 ] && [ "$proto" != tcp ]; then
		lossy_ports "$out" "$proto" >"$out.ports"
		ports=(--ports "$out.ports")
	fi
	lab_check finding "$out" lossy-branch --blames "$LAB_LOSSY_ADDR" "${ports[@]}"
	ok $? "$what: a lossy-branch finding blames $LAB_LOSSY_ADDR${ports[*]:+ and names its flows}"
	if [ "$LAB_FAMILY" = 4 ] && [ "$proto" != icmp ]; then
		lab_oracle_paths "$out" "$proto" "$(lab_check port "$out")" "$out.oracle"
		lab_check paths "$out" "$out.oracle" --allow-null
		ok $? "$what: every flow's path equals the kernel's ECMP choice"
	fi
}

# Several targets at once, as nobody (one datagram transport each): the
# server over UDP (the command line) and over TCP, and the first hop r1
# over ICMP (a --targets file): one address under two protocols, each its
# own target.  The server's two lose on the lossy branch, the first hop
# nothing.
several() {
	local out="$LAB_TMP/several.json" first
	first=$(lab_ifaddr 4 r1 client)
	printf 'tcp %s %s\nicmp %s\n' "$LAB_SERVER_ADDR" "$port" "$first" >"$LAB_TMP/several.targets"
	# The file is read by nobody: the lab's directory is root's alone.
	chmod o+x "$LAB_TMP" && chmod o+r "$LAB_TMP/several.targets"
	echo "# as nobody: ecmptrace -n -j --targets FILE $LAB_SERVER_ADDR (FILE: tcp $LAB_SERVER_ADDR $port, icmp $first)"
	lab_run_client "${as_nobody[@]}" "$ECMPTRACE" -n -j --targets "$LAB_TMP/several.targets" \
		"$LAB_SERVER_ADDR" >"$out" 2>"$out.err"
	ok $? "three targets as nobody: ecmptrace ran" || sed -n '1,10s/^/#   /p' "$out.err"
	[ "$(grep -c "not available without CAP_NET_RAW" "$out.err")" -eq 2 ]
	ok $? "three targets as nobody: says what is unavailable once a protocol (UDP and ICMP alike, TCP)"
	lab_schema report "$out"
	lab_ok_or_skip $? "three targets as nobody: the document is valid against the schema"
	"$LAB_PY" - "$out" "$LAB_SERVER_ADDR" "$first" "$LAB_LOSSY_ADDR" <<'PY'
import json, sys
doc, server, first, lossy = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
bad = []
seen = {}
for t in doc["targets"]:
    key = (t["protocol"], t["target"]["address"])
    seen[key] = t
    # A finding blames the link from previous_address to address.
    blames = {a for f in t["findings"] if f["kind"] == "lossy-branch"
              for a in (f.get("address"), f.get("previous_address"))}
    lost = sum(f["sent"] - f["received"] for f in t["flows"])
    print("# %s %s: %d flows, %d probes lost, lossy-branch blames %s" %
          (key + (len(t["flows"]), lost, sorted(blames))))
    if key[1] == server and lossy not in blames:
        bad.append("%s %s: no lossy-branch blaming %s" % (key + (lossy,)))
    if key[1] == first and (blames or lost > 0):
        bad.append("the first hop: %s, %d lost" % (sorted(blames), lost))
want = {("udp", server), ("tcp", server), ("icmp", first)}
if set(seen) != want:
    bad.append("targets %s, expected %s" % (sorted(seen), sorted(want)))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
	ok $? "three targets as nobody: the server's UDP and TCP targets blame $LAB_LOSSY_ADDR, the first hop loses nothing"
}

# The three protocols at once, as nobody, with the defaults (JSON, no names).
for family in 4 6; do
	LAB_FAMILY=$family
	# IPv6 routers hash the flow label too: ICMPv6 flows differ by nothing else.
	LAB_V6_HASH_FIELDS=0x3f
	lab_topo_ecmp2 "$permille" "$lossy"
	ok $? "IPv$family 2-way ECMP built, r2$lossy dropping $permille permille"
	lab_exec "$LAB_CLIENT_NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	ok $? "ping sockets allowed in the client namespace"
	lab_tcp_listen "$LAB_SERVER_NS" "$port"
	ok $? "listener on port $port"
	if [ "$family" = 4 ]; then
		split_icmp_by_id
		ok $? "r1 splits echo requests by identifier"
	fi
	declare -A pid=() args=([udp]="" [icmp]="--icmp" [tcp]="-T -P $port")
	sniffer=""
	if [ "$family" = 6 ]; then
		lab_bg "$LAB_CLIENT_NS" "$LAB_PY" "$LAB_TMP/labels.py" v-r1 "$LAB_TMP/labels.json"
		sniffer=$!
		sleep 0.5
	fi
	for proto in udp icmp tcp; do
		out="$LAB_TMP/v$family-$proto.json"
		echo "# as nobody: ecmptrace -n -j ${args[$proto]} $LAB_SERVER_ADDR"
		lab_run_client "${as_nobody[@]}" "$ECMPTRACE" -n -j ${args[$proto]} \
			"$LAB_SERVER_ADDR" >"$out" 2>"$out.err" &
		pid[$proto]=$!
	done
	for proto in udp icmp tcp; do
		out="$LAB_TMP/v$family-$proto.json"
		wait "${pid[$proto]}"
		rc=$?
		ok $rc "IPv$family $proto as nobody: ecmptrace ran (status $rc)"
		[ $rc -eq 0 ] || sed -n '1,10s/^/#   /p' "$out.err"
		check "$out" "$proto" nobody
	done
	if [ -n "$sniffer" ]; then
		lab_stop "$sniffer" TERM >/dev/null
		for proto in udp icmp tcp; do
			"$LAB_PY" "$LAB_TMP/labels-check.py" "$LAB_TMP/labels.json" \
				"$LAB_TMP/v6-$proto.json" "$proto"
			ok $? "IPv6 $proto as nobody: each flow's packets carry its own flow label"
		done
	fi
	# Root, told to: the same over ordinary sockets.
	proto=$([ "$family" = 4 ] && echo udp || echo tcp)
	out="$LAB_TMP/v$family-$proto-root.json"
	lab_ecmptrace "$out" --unprivileged -n -j ${args[$proto]} "$LAB_SERVER_ADDR"
	ok $? "IPv$family $proto as root with --unprivileged: ecmptrace ran"
	grep -q "^ecmptrace: --unprivileged:" "$out.err"
	ok $? "IPv$family $proto as root: says --unprivileged was asked for"
	check "$out" "$proto" "root --unprivileged"
	if [ "$family" = 4 ]; then
		several
	fi
	diag "r2$lossy dropped $(lab_loss_count "$LAB_LOSSY_NS") packets"
	lab_teardown
done

# A TCP probe left unanswered is sent again by the kernel after a second
# (SYN retransmission); the answer to that second SYN is not the probe's
# and must not make it count as answered a second late.  Half of what r3
# forwards to the server is dropped; a few slow rounds of 2 flows leave
# probes alone in their flow's queue long enough to be sent again.
LAB_FAMILY=4
lab_topo_ecmp2
ok $? "IPv4 2-way ECMP built"
lab_loss_forward "$LAB_PREFIX-r3" v-server 500
ok $? "r3 drops half of what it forwards to the server"
lab_tcp_listen "$LAB_SERVER_NS" "$port"
out="$LAB_TMP/resent.json"
lab_run_client "${as_nobody[@]}" "$ECMPTRACE" -n -j -T -P "$port" --flows 2 -c 8 -i 2.5 \
	"$LAB_SERVER_ADDR" >"$out" 2>"$out.err"
ok $? "TCP as nobody with 2 flows, 8 rounds 2.5 s apart: ecmptrace ran"
"$LAB_PY" - "$out" <<'PY'
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
worst = max((f["rtt_ms"]["max"] or 0) for f in flows)
lost = sum(f["sent"] - f["received"] for f in flows)
print("# slowest end-to-end answer %.1f ms, %d of %d probes lost" %
      (worst, lost, sum(f["sent"] for f in flows)))
sys.exit(0 if worst < 900 and lost > 0 else 1)
PY
ok $? "no answer to a resent SYN counts: every end-to-end answer came within 900 ms"
lab_teardown

# A blind attacker (tests/lab/forge, as in t_forgery.sh) behind the silent
# hop r3 floods forged answers to the flows' ports: time exceeded from
# 10.99.0.0/24, port unreachables, echo replies and TCP SYN-ACK/RSTs in the
# target's name.  The kernel hands them to the flows' sockets; none may
# become a reply: no forged address, the real destination TTL, no finding.
FORGE="$top_builddir/tests/lab/forge"
if [ -x "$FORGE" ]; then
	lab_topo_ecmp2 && lab_attacker_behind_silent_r3
	ok $? "IPv4 2-way ECMP with an attacker behind the silent r3"
	lab_exec "$LAB_CLIENT_NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	lab_tcp_listen "$LAB_SERVER_NS" "$port"
	client=$(lab_ifaddr 4 client r1)
	server=$(lab_ifaddr 4 server r3)
	declare -A modes=([udp]="error unreach" [icmp]="error echo" [tcp]="error tcp")
	for proto in udp icmp tcp; do
		out="$LAB_TMP/forged-$proto.json"
		pids=()
		for m in ${modes[$proto]}; do
			lab_bg "$LAB_PREFIX-atk" timeout 30 "$FORGE" -4 -m "$m" -p "$proto" \
				-s "$client" -d "$server" -P "$([ "$proto" = tcp ] && echo "$port" ||
				echo 33434)" -L 20000 -H 20063 -f 10.99.0.0 -t 15 -r 10000 \
				-S "$((seed * 4 + ${#pids[@]}))" >/dev/null
			pids+=("$!")
		done
		sleep 0.3
		lab_run_client "${as_nobody[@]}" "$ECMPTRACE" -n -j -c 4 -L 20000 \
			${args[$proto]} "$server" >"$out" 2>"$out.err"
		ok $? "$proto as nobody under a flood of ${modes[$proto]}: ecmptrace ran"
		for i in "${pids[@]}"; do lab_stop "$i" TERM >/dev/null 2>&1; done
		"$LAB_PY" - "$out" "$server" "$LAB_DEST_TTL" <<'PY'
import json, sys
path, server, dest_ttl = sys.argv[1:]
text = open(path).read()
d = json.loads(text)
bad = ["forged address in the output"] if "10.99.0." in text else []
if d["dest_ttl"] != int(dest_ttl):
    bad.append("destination at TTL %s" % d["dest_ttl"])
if d["findings"]:
    bad.append("findings %s" % [f["kind"] for f in d["findings"]])
print("# %s" % ("; ".join(bad) or "clean: %d replies" % d["probes"]["replies"]))
sys.exit(1 if bad else 0)
PY
		ok $? "$proto as nobody: no forged answer counts (no forged address, no finding)"
	done
fi

tap_done
