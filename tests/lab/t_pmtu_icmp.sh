#!/bin/bash
# Path MTU per branch with ICMP probes (--icmp, otherwise the defaults):
# a 3-way ECMP (lab_topo_ecmp3) whose member drawn from the printed seed
# has MTU 1400 (both ends of its link to r3) among 1500s.  IPv4 routers
# (Linux) hash echo requests on addresses only, so r1 stands in for a
# router that hashes the echo identifier (nftables jhash of it, its own
# seed, and policy routing); IPv6 routers hash the flow label (0x3f).
# r3 sends every echo reply back through the small member, the worst case
# for the way back: a reply as big as a 1500-byte request does not fit.
#
#   IPv4: Linux sends echo replies without don't-fragment, so r3
#   fragments them and their first fragments must still answer the
#   probes (nftables counts the fragments the small member carries back).
#   IPv6: a reply too big makes r3 send the server a packet too big, and
#   the server fragments the replies after it.
#
# With the messages allowed: the member's branch exactly 1400 from them,
# the others 1500, one mtu-branch naming the member.  As a black hole
# (frag-needed / packet-too-big dropped as they leave the member AND r3,
# both ways): IPv4 the same within 8 bytes (its replies need no message);
# IPv6 every reply over 1400 dies on the way back, so every path measures
# about 1400 there and back: the member's branch is shown on the way there
# (pmtu_both_ways false: its size never reached r3), the others must say
# pmtu_both_ways (their size reached r3, the hop before the target) and
# no mtu-branch may be raised (nothing tells the member from the others).
# The finding's reproduce command (ping with the flow's identifier and
# flow label) is run as given for named flows and with another flow's
# identifier and label put in for the others (with messages: four of
# each): it fails exactly for the flows whose echo requests the small
# member carried (an nftables set of identifiers there: the kernel's
# ground truth), and the named flows are exactly those.  A clean network (all
# 1500, the same hashing) raises no mtu-branch and reads 1500 on every
# branch, in 5 runs side by side.
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
# ICMPv6 flows differ by their flow label only: the routers hash it.
LAB_V6_HASH_FIELDS=0x3f

# IPv4: r1 spreads echo requests over m1..m3 by a hash of the identifier.
split_by_id() {
	local r1="$LAB_PREFIX-r1" i
	[ "$LAB_FAMILY" = 4 ] || return 0
	for i in 1 2 3; do
		ip -n "$r1" route add "$(lab_net 4 8)" via "$(lab_addr 4 $((1 + i)) 2)" \
			table $((100 + i)) &&
			ip -n "$r1" rule add ipproto icmp fwmark "$i" table $((100 + i)) \
				pref $((100 + i)) || return 1
	done
	ip netns exec "$r1" nft -f - <<-NFT
	table ip icmphash {
		chain pre {
			type filter hook prerouting priority mangle;
			icmp type echo-request meta mark set jhash icmp id mod 3 seed $((RANDOM + 1)) offset 1
		}
	}
	NFT
}

# r3: every echo reply from the server goes back through the small member.
replies_via_small() {	# replies_via_small SMALL
	local r3="$LAB_PREFIX-r3" via proto=icmp
	via=$(lab_addr "$LAB_FAMILY" $((4 + $1)) 1)
	[ "$LAB_FAMILY" = 6 ] && proto=ipv6-icmp
	ip -n "$r3" -"$LAB_FAMILY" route add "$(lab_net "$LAB_FAMILY" 1)" via "$via" table 200 &&
		ip -n "$r3" -"$LAB_FAMILY" rule add iif v-server ipproto "$proto" table 200 pref 200
}

# r3 sends no frag-needed / packet-too-big either: a black hole both ways.
r3_hole() {
	lab_pmtu_hole "$LAB_PREFIX-r3"
}

# The small member: the identifiers of the echo requests it forwards, and
# a counter of the fragments it carries back to the client.
watch_small() {
	ip netns exec "$LAB_SMALL_NS" nft -f - <<-'NFT'
	table inet seen {
		set ids { type inet_service; }
		chain f {
			type filter hook forward priority 0;
			icmp type echo-request add @ids { icmp id }
			icmpv6 type echo-request add @ids { icmpv6 id }
			ip frag-off & 0x2000 != 0 counter name frags
			ip6 nexthdr ipv6-frag counter name frags
		}
		counter frags { }
	}
	NFT
}

small_ids() {
	ip netns exec "$LAB_SMALL_NS" nft -j list set inet seen ids |
		"$LAB_PY" -c 'import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(e)' | sort -n | tr '\n' ' '
}

small_frags() {
	ip netns exec "$LAB_SMALL_NS" nft -j list counter inet seen frags |
		"$LAB_PY" -c 'import json, sys
print(sum(o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o))'
}

# The branches at TTL 2: SMALL_ADDR in [LO, 1400] with pmtu_messages MSG,
# pmtu_both_ways false; the others at 1500, or with OTHERS=both: in
# [LO, 1400] and pmtu_both_ways true.
check_pmtu() {	# check_pmtu JSON SMALL_ADDR LO MSG OTHERS
	"$LAB_PY" - "$@" <<'PY'
import json, sys
doc, small, lo, msg, others = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
good = True
hop = [h for h in doc["hops"] if h["ttl"] == 2][0]
addrs = [b["address"] for b in hop["branches"]]
if small not in addrs:
    print("# %s is not among the branches %s: no flow of this run crossed it" % (small, addrs))
for b in hop["branches"]:
    print("# branch %s: pmtu_bytes %s, messages %s, both ways %s" % (
        b["address"], b.get("pmtu_bytes"), b.get("pmtu_messages"), b.get("pmtu_both_ways")))
    p = b.get("pmtu_bytes")
    if b["address"] == small:
        good &= p is not None and lo <= p <= 1400 and b.get("pmtu_messages") == msg
        good &= b.get("pmtu_both_ways") is False
    elif others == "both":
        good &= p is not None and lo <= p <= 1400 and b.get("pmtu_both_ways") is True
    else:
        good &= p == 1500 and b.get("pmtu_both_ways") is False
sys.exit(0 if good else 1)
PY
}

# The mtu-branch findings of JSON: exactly one naming ADDR in [LO, 1400]
# (WANT=one) or none (WANT=none); writes "ID NAMED CMD" per flow to OUT,
# CMD the finding's command with that flow's identifier (and label) put in.
check_finding() {	# check_finding JSON ADDR LO WANT OUT
	"$LAB_PY" - "$@" <<'PY'
import json, re, sys
doc, addr, lo, want, out = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
found = [f for f in doc["findings"] if f["kind"] == "mtu-branch"]
for f in found:
    print("# mtu-branch: %s" % f["summary"])
    print("#   reproduce: %s" % f["reproduce"][0])
with open(out, "w") as o:
    if found:
        f = found[0]
        named = dict(zip(f["source_ports"], f["reproduce"]))
        for fl in doc["flows"]:
            if fl.get("dest_ttl", 0) == 0:
                continue
            cmd = named.get(fl["source_port"])
            if cmd is None:
                cmd = re.sub(r"-e \d+", "-e %d" % fl["source_port"], f["reproduce"][0])
                if fl.get("flow_label"):
                    cmd = re.sub(r"-F 0x[0-9a-f]+", "-F 0x%x" % fl["flow_label"], cmd)
            o.write("%d %d %s\n" % (fl["source_port"], fl["source_port"] in named, cmd))
if want == "none":
    sys.exit(0 if not found else 1)
split = [h for h in doc["hops"] if h["ttl"] == 2 and len(h["branches"]) > 1]
if not split or addr not in [b["address"] for b in split[0]["branches"]]:
    print("# %s carried no flow of this run (or one member carried all): no mtu-branch" % addr)
    sys.exit(0 if not found else 1)
sys.exit(0 if len(found) == 1 and found[0]["address"] == addr and
         lo <= found[0]["pmtu"]["bytes"] <= 1400 else 1)
PY
}

# Runs the commands of check_finding's file (a black hole: all at once; with
# messages one at a time, the client's PMTU cache flushed before each, as a
# frag-needed it learnt holds for the whole address); prints "ID STATUS".
run_commands() {	# run_commands FILE PARALLEL
	local id named cmd
	while read -r id named cmd; do
		if [ "$2" = 1 ]; then
			(lab_exec "$LAB_CLIENT_NS" sh -c "$cmd" >/dev/null 2>&1; echo "$id $?") &
		else
			ip -n "$LAB_CLIENT_NS" -"$LAB_FAMILY" route flush cache 2>/dev/null
			lab_exec "$LAB_CLIENT_NS" sh -c "$cmd" >/dev/null 2>&1
			echo "$id $?"
		fi
	done <"$1"
	wait
}

for fam in 4 6; do
	for hole in 1 0; do
		LAB_FAMILY=$fam
		lab_teardown
		small=$((1 + RANDOM % 3))
		how=$([ "$hole" = 1 ] && echo 'a black hole both ways' || echo 'with messages')
		lab_topo_ecmp3 "$small" 1400 "$hole" && split_by_id && replies_via_small "$small" &&
			watch_small && { [ "$hole" = 0 ] || r3_hole; }
		ok $? "IPv$fam icmp: 3-way ECMP, m$small at MTU 1400, replies back through it, $how"
		out="$LAB_TMP/pmtu-icmp-$fam-$hole.json"
		lab_ecmptrace "$out" -n -j --icmp "$LAB_SERVER_ADDR"
		ok $? "IPv$fam icmp: ecmptrace ran at its defaults (--icmp)"
		frags=$(small_frags)
		carried=$(small_ids)
		diag "identifiers m$small carried: $carried; fragments it carried back: $frags"
		if [ "$hole" = 1 ]; then lo=1392; else lo=1400; fi
		others=1500 want=one
		[ "$fam$hole" = 61 ] && others=both want=none
		check_pmtu "$out" "$LAB_SMALL_ADDR" "$lo" $((1 - hole)) "$others"
		ok $? "IPv$fam icmp, $how: m$small's branch in $lo-1400 on the way there, the others $([ "$others" = both ] && echo "in $lo-1400 said both ways" || echo 1500)"
		if [ "$fam$hole" = 61 ]; then
			[ "$frags" = 0 ]
			ok $? "IPv6 icmp, $how: no reply came back in fragments ($frags): the server was never told"
		else
			[ "$frags" -gt 0 ]
			ok $? "IPv$fam icmp, $how: replies came back in fragments through m$small ($frags), and answered"
		fi
		check_finding "$out" "$LAB_SMALL_ADDR" "$lo" "$want" "$LAB_TMP/cmds"
		ok $? "IPv$fam icmp, $how: $([ "$want" = one ] && echo "one mtu-branch names m$small in $lo-1400" || echo "no mtu-branch: the way back's limit blames no member")"
		[ -s "$LAB_TMP/cmds" ] || continue
		diag "reproduce: $(awk '$2 == 1 { $1 = ""; $2 = ""; print; exit }' "$LAB_TMP/cmds")"
		# The named flows against the identifiers m$small carried (every
		# traced flow's: ecmptrace's own probes went that way).
		named=$(awk '$2 == 1 { print $1 }' "$LAB_TMP/cmds" | sort -n | tr '\n' ' ')
		truth=""
		while read -r id _; do
			case " $carried " in *" $id "*) truth="$truth$id " ;; esac
		done <"$LAB_TMP/cmds"
		diag "named: $named; carried by m$small: $truth"
		[ -n "$named" ] && [ "$named" = "$truth" ]
		ok $? "IPv$fam icmp, $how: the named flows are exactly those m$small carries"
		# One at a time (with messages) takes a second and a half a failing
		# flow: four named flows and four others then.
		if [ "$hole" = 0 ]; then
			awk '$2 == 1 && n1++ < 4 || $2 == 0 && n0++ < 4' "$LAB_TMP/cmds" >"$LAB_TMP/cmds.some"
			mv "$LAB_TMP/cmds.some" "$LAB_TMP/cmds"
		fi
		run_commands "$LAB_TMP/cmds" "$hole" | sort -n >"$LAB_TMP/status"
		tried=$(awk '{ print $1 }' "$LAB_TMP/status" | tr '\n' ' ')
		expect=$(awk '$2 == 1 { print $1 }' "$LAB_TMP/cmds" | sort -n | tr '\n' ' ')
		failing=$(awk '$2 != 0 { print $1 }' "$LAB_TMP/status" | tr '\n' ' ')
		diag "reproduce command tried for: $tried; failing: $failing"
		[ "$failing" = "$expect" ]
		ok $? "IPv$fam icmp, $how: the reproduce command fails for exactly the named flows tried"
	done
done

# The clean network, 5 runs side by side, each in namespaces of its own.
clean_run() {	# clean_run N FAM
	LAB_PREFIX="etl$$i$1"
	LAB_FAMILY=$2
	lab_init || exit 1
	lab_topo_ecmp3 0 && split_by_id || exit 1
	lab_ecmptrace "$LAB_TMP/clean.json" -n -j --icmp "$LAB_SERVER_ADDR" >/dev/null 2>&1 || exit 1
	lab_check pmtu-clean "$LAB_TMP/clean.json"
}
lab_teardown
CLEAN=$LAB_TMP/cleanruns
mkdir -p "$CLEAN"
for n in 1 2 3 4 5; do
	fam=$((RANDOM % 2 ? 6 : 4))
	( clean_run "$n" "$fam" >"$CLEAN/$n.out" 2>&1; echo "$? $fam" >"$CLEAN/$n.rc" ) &
done
wait
for n in 1 2 3 4 5; do
	read -r st fam <"$CLEAN/$n.rc"
	grep '^#' "$CLEAN/$n.out"
	ok "$st" "clean run $n (IPv$fam icmp): no mtu-branch, every branch at 1500"
done

tap_done
