#!/bin/bash
# The link-layer observation (field cases 2-4 of FIELD-CASES.md): for
# every answer at the first TTL ecmptrace records the frame's source MAC,
# asks each first-hop neighbour which MAC holds its IP (ARP, Neighbor
# Solicitation) and reads the client's neighbour table; one IP held by
# more than one MAC raises a link-address-conflict finding whose cause
# follows who claimed what, several first-hop IPs on one MAC a
# link-address-shared finding, and each hop branch in the JSON document
# lists its link_addresses (at TTL 1 only).
#
# The lab is one local segment: a "switch" namespace with a Linux bridge
# and veths to a client, hostA (two interfaces, like a teamed server) and
# hostB, all on 10.0.70.0/24.  The target 10.0.70.10 is on link, so it
# answers at TTL 1 itself.  Four scenarios:
#   1. clean: only hostA holds the target; one MAC, no finding;
#   2. a duplicated IP (case 3): hostB holds it too and the client's
#      neighbour entry flips between the two machines during the run, as
#      it does when both answer ARP; then (2b) without the flipping, one
#      pass, where only the ARP answers show the second machine; and (2c)
#      the same for IPv6, by Neighbor Discovery;
#   3. one machine, two MACs (case 2, transmit load balancing): hostA
#      receives on eth0 but every other IP frame it sends reaches the
#      segment with the source MAC of its eth1 (an nftables rule on the
#      bridge rewrites it after the bridge has learnt where eth0 is);
#   4. routed (see far_build): hostA and hostB forward to a namespace
#      behind them; first as they are (TTL 1 hostA, TTL 2 lists no MAC),
#      then one MAC on two machines (case 4, cloned virtual machines),
#      seen in answers and then from the client's neighbour table alone.
# Scenarios 1-3 use ICMP echo (--icmp) and UDP (-u) probes, 4 UDP; each run
# is bounded by a timeout.
# The oracle is nftables counters: the packets each host sent to the
# client during the run, and the frames the bridge rewrote; the answers
# ecmptrace counts per MAC must equal them.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
command -v bridge >/dev/null 2>&1 || skip_all "needs bridge (iproute2)"
lab_init
LAB_TIMEOUT=${LAB_TIMEOUT:-60}

NET=10.0.70
CLIENT=$NET.1
TARGET=$NET.10
FAR=10.0.71.1	# scenario 4, behind hostA and hostB
# Probes for one run: 40 rounds 50 ms apart (about ten flips of the
# neighbour entry in scenario 2), every flow at TTL 1.
RUN_ARGS=(-j -n -c 40 -i 0.05 --timeout 1)

# The MAC of NS's DEV, lower case, from the JSON that ip prints.
mac_of() {	# mac_of NS DEV
	ip -n "$1" -j link show dev "$2" |
		"$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["address"].lower())'
}

seg_build() {
	local n
	for n in client hostA hostB; do lab_ns "$n" || return 1; done
	lab_seg_bridge || return 1
	SW=$(lab_ns_name switch) C=$(lab_ns_name client)
	A=$(lab_ns_name hostA) B=$(lab_ns_name hostB)
	export LAB_CLIENT_NS=$C	# where lab_ecmptrace runs the binary
	lab_seg_port client eth0 p-client && lab_seg_port hostA eth0 p-hostA &&
		lab_seg_port hostA eth1 p-hostA2 && lab_seg_port hostB eth0 p-hostB || return 1
	ip -n "$C" addr add "$CLIENT/24" dev eth0 &&
		ip -n "$A" addr add "$TARGET/24" dev eth0 &&
		ip -n "$B" addr add "$NET.20/24" dev eth0 || return 1
	# hostA's eth1 is on the same segment without an address: only eth0
	# may answer ARP for the target (no "ARP flux" from eth1), as only
	# the receiving NIC of a TLB team does.
	lab_exec "$A" sysctl -q -w net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 >/dev/null || return 1
	MAC_A=$(mac_of "$A" eth0) MAC_A2=$(mac_of "$A" eth1) MAC_B=$(mac_of "$B" eth0)
	[ -n "$MAC_A" ] && [ -n "$MAC_A2" ] && [ -n "$MAC_B" ]
}

# Fresh counters of the IP packets hostA and hostB send to the client.
count_reset() {
	local ns
	for ns in "$A" "$B"; do
		lab_exec "$ns" nft flush ruleset &&
			lab_exec "$ns" nft -f - <<-EOF || return 1
			table inet ll {
				chain out {
					type filter hook output priority 0; policy accept;
					ip daddr $CLIENT counter
				}
			}
			EOF
	done
}

# The sum of the packet counters in NS's ruleset.
count_of() {	# count_of NS
	lab_nft_packets "$1" ruleset
}

# The TLB emulation: a fresh bridge rule in the switch that rewrites the
# source MAC of every other IP frame from hostA's eth0 port to eth1's.
# In the forward hook, after the bridge learnt MAC_A on that port, so
# the client's frames to MAC_A still reach eth0 (the receiving NIC).
tlb_reset() {
	lab_exec "$SW" nft flush ruleset &&
		lab_exec "$SW" nft -f - <<-EOF
		table bridge tlb {
			chain forward {
				type filter hook forward priority 0; policy accept;
				iifname "p-hostA" ether type ip numgen inc mod 2 == 0 ether saddr set $MAC_A2 counter
			}
		}
		EOF
}

# Checks on the JSON document.  Prints what it found as TAP comments and
# exits 0 when the check holds.
#   clean FILE ADDR MAC		no link-layer finding at all; ADDR's
#				branch at TTL 1 lists exactly MAC
#   conflict FILE ADDR MAC...	exactly one link-address-conflict finding,
#				for ADDR at TTL 1, whose summary names every
#				MAC; ADDR's branch at TTL 1 lists exactly
#				these MACs, each with answers > 0
#   shared FILE ADDR MAC OTHER	exactly one link-address-shared finding at
#				TTL 1, for ADDR or OTHER, whose summary
#				names MAC and both addresses; ADDR's and
#				OTHER's branches at TTL 1 each list only MAC
#   answers FILE ADDR MAC=N...	ADDR's branch at TTL 1 lists exactly the
#				MACs whose N > 0, each with N answers (the
#				oracle: what came from ADDR, whichever
#				branch each flow was counted in)
#   counts FILE ADDR MAC=N...	the same, and they add up to the branch's
#				received (each flow has one responder)
# Every mode also checks that every branch has a well-formed
# link_addresses array, empty beyond the first TTL, and that no other
# link-layer finding (link-*) than the mode's is raised (answers and
# counts: not checked).
ll_check() {
	"$LAB_PY" - "$@" <<-'EOF'
	import json, re, sys

	MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")

	def diag(msg):
	    print("# " + msg)

	mode, path, addr = sys.argv[1:4]
	args = sys.argv[4:]
	try:
	    with open(path, encoding="utf-8") as f:
	        doc = json.load(f)
	except (OSError, ValueError) as e:
	    diag("cannot read %s: %s" % (path, e))
	    sys.exit(1)
	hops = doc.get("hops") or []
	first = min((h.get("ttl", 1) for h in hops), default=1)
	good = True
	branch = None
	for hop in hops:
	    for br in hop.get("branches") or []:
	        if hop.get("ttl") == first and br.get("address") == addr:
	            branch = br
	        ll = br.get("link_addresses")
	        if not isinstance(ll, list):
	            diag("ttl %s branch %s: no link_addresses array"
	                 % (hop.get("ttl"), br.get("address")))
	            good = False
	            continue
	        if hop.get("ttl") != first and ll:
	            diag("ttl %s branch %s lists link addresses %s"
	                 % (hop.get("ttl"), br.get("address"), ll))
	            good = False
	        for e in ll:
	            if not (isinstance(e, dict) and MAC.match(str(e.get("address")))
	                    and isinstance(e.get("answers"), int)):
	                diag("malformed link address entry %r" % (e,))
	                good = False
	if branch is None:
	    diag("no branch %s at ttl %d" % (addr, first))
	    sys.exit(1)
	ll = {e.get("address"): e.get("answers") for e in branch.get("link_addresses") or []
	      if isinstance(e, dict)}
	diag("ttl %d %s: received %s, link addresses %s"
	     % (first, addr, branch.get("received"),
	        ", ".join("%s x%s" % kv for kv in sorted(ll.items())) or "none"))
	# The one link-layer finding each mode expects; any other is wrong.
	expect = {"conflict": "link-address-conflict",
	          "shared": "link-address-shared"}.get(mode)
	found = [f for f in doc.get("findings") or [] if f.get("kind") == expect]
	for f in doc.get("findings") or []:
	    kind = str(f.get("kind"))
	    if mode in ("clean", "conflict", "shared") and kind.startswith("link-") \
	            and kind != expect:
	        diag("unexpected finding %s: %s" % (kind, f.get("summary")))
	        good = False
	for f in found:
	    diag("finding ttl %s %s: %s" % (f.get("ttl"), f.get("address"), f.get("summary")))
	if mode == "clean":
	    if set(ll) != set(args):
	        diag("expected exactly %s" % " ".join(args))
	        good = False
	elif mode == "conflict":
	    if len(found) != 1:
	        diag("%d link-address-conflict findings, expected 1" % len(found))
	        good = False
	    for f in found:
	        if f.get("ttl") != 1 or f.get("address") != addr:
	            diag("the finding is not for %s at ttl 1" % addr)
	            good = False
	        summary = str(f.get("summary", "")).lower()
	        for m in args:
	            if m not in summary:
	                diag("the summary does not name %s" % m)
	                good = False
	    if set(ll) != set(args):
	        diag("expected exactly %s" % " ".join(args))
	        good = False
	    for m in args:
	        if not (isinstance(ll.get(m), int) and ll[m] > 0):
	            diag("%s has no answers" % m)
	            good = False
	elif mode == "shared":
	    mac, other = args
	    if len(found) != 1:
	        diag("%d link-address-shared findings, expected 1" % len(found))
	        good = False
	    for f in found:
	        summary = str(f.get("summary", "")).lower()
	        if f.get("ttl") != 1 or f.get("address") not in (addr, other):
	            diag("the finding is not for %s or %s at ttl 1" % (addr, other))
	            good = False
	        for word in (mac, addr, other):
	            if word not in summary:
	                diag("the summary does not name %s" % word)
	                good = False
	    others = [br for hop in hops if hop.get("ttl") == first
	              for br in hop.get("branches") or [] if br.get("address") == other]
	    for a, br in ((addr, branch), (other, others[0] if others else None)):
	        lla = [e.get("address") for e in (br or {}).get("link_addresses") or []
	               if isinstance(e, dict) and (e.get("answers") or 0) > 0]
	        if lla != [mac]:
	            diag("%s: link addresses %s, expected only %s" % (a, lla, mac))
	            good = False
	elif mode in ("counts", "answers"):
	    want = {}
	    for a in args:
	        m, n = a.split("=")
	        if int(n) > 0:
	            want[m] = int(n)
	    diag("the hosts and the bridge counted %s"
	         % (", ".join("%s x%d" % kv for kv in sorted(want.items())) or "nothing"))
	    # MACs that only claimed the address (or sit in the host's table) answered nothing.
	    if {m: n for m, n in ll.items() if n} != want:
	        diag("the answers per MAC differ from the oracle")
	        good = False
	    total = sum(v for v in ll.values() if isinstance(v, int))
	    if mode == "counts" and total != branch.get("received"):
	        diag("answers add up to %d, received %s" % (total, branch.get("received")))
	        good = False
	elif mode == "claims":
	    # What the link-layer check heard: ARP/ND claims for ADDR from
	    # exactly these MACs, and ADDR asked (on its link) and answered.
	    claimed = {n.get("link_address") for n in hops[0].get("neighbours") or []
	               if n.get("address") == addr and (n.get("claims") or 0) > 0} if hops else set()
	    diag("claims for %s from %s" % (addr, " ".join(sorted(claimed)) or "nobody"))
	    if claimed != set(args):
	        diag("expected claims from exactly %s" % " ".join(args))
	        good = False
	    checks = [c for c in (hops[0].get("link_checks") or []) if c.get("address") == addr] \
	        if hops else []
	    if not (checks and checks[0].get("asked", 0) >= 1 and checks[0].get("claimed")
	            and checks[0].get("on_link")):
	        diag("link_checks for %s: %s" % (addr, checks))
	        good = False
	elif mode == "cause":
	    # Exactly one finding of kind args[0] for ADDR whose summary says args[1].
	    kind, word = args
	    hits = [f for f in doc.get("findings") or [] if f.get("kind") == kind]
	    for f in hits:
	        diag("finding %s: %s" % (kind, f.get("summary")))
	    if len(hits) != 1 or word not in str(hits[0].get("summary", "")):
	        diag("expected one %s finding saying '%s'" % (kind, word))
	        good = False
	elif mode == "tableshare":
	    # OTHER is known only from this host's neighbour table, on ADDR's MAC.
	    mac, other = args
	    rows = [n for n in (hops[0].get("neighbours") or []) if n.get("address") == other] \
	        if hops else []
	    diag("neighbours entries for %s: %s" % (other, rows))
	    if not any(n.get("link_address") == mac and n.get("in_neighbour_table") for n in rows):
	        diag("%s -> %s is not listed as this host's entry" % (other, mac))
	        good = False
	    hits = [f for f in doc.get("findings") or [] if f.get("kind") == "link-address-shared"]
	    for f in hits:
	        diag("finding: %s" % f.get("summary"))
	    if len(hits) != 1 or not all(w in str(hits[0].get("summary", "")).lower()
	                                 for w in (mac, addr, other)):
	        diag("expected one link-address-shared finding naming %s, %s and %s"
	             % (mac, addr, other))
	        good = False
	else:
	    diag("unknown mode " + mode)
	    sys.exit(2)
	sys.exit(0 if good else 1)
	EOF
}

# Flip the client's neighbour entry for the target between MAC1 and MAC2
# every 0.2 s, for at most LAB_TIMEOUT seconds.  flip_stop kills it (or
# the cleanup trap).
flip_start() {	# flip_start MAC1 MAC2
	local n=$((LAB_TIMEOUT * 5 / 2))
	# shellcheck disable=SC2016 # the inner shell expands its arguments
	lab_bg "$C" /bin/bash -c '
		for i in $(seq 1 "$1"); do
			ip neigh replace "$2" lladdr "$3" dev eth0 nud reachable
			sleep 0.2
			ip neigh replace "$2" lladdr "$4" dev eth0 nud reachable
			sleep 0.2
		done' flip "$n" "$TARGET" "$1" "$2"
	FLIP_PID=$!
}

flip_stop() {
	kill "$FLIP_PID" 2>/dev/null
	wait "$FLIP_PID" 2>/dev/null
}

# One ecmptrace run; sets OUT to its JSON document.
trace() {	# trace NAME PROTO_FLAG
	OUT="$LAB_TMP/$1.json"
	lab_ecmptrace "$OUT" "$2" "${RUN_ARGS[@]}" "$TARGET"
}

schema_ok() {	# schema_ok FILE DESCRIPTION
	local rc
	lab_schema report "$1"
	rc=$?
	lab_ok_or_skip "$rc" "$2"
}

seg_build
ok $? "segment built: client, hostA (eth0 $MAC_A, eth1 $MAC_A2), hostB ($MAC_B) on a bridge"

# 1. Clean: one machine, one MAC.
for proto in --icmp -u; do
	count_reset
	trace "clean$proto" "$proto"
	ok $? "clean $proto: ecmptrace ran"
	ll_check clean "$OUT" "$TARGET" "$MAC_A"
	ok $? "clean $proto: no conflict, TTL 1 lists only hostA's MAC"
	ll_check counts "$OUT" "$TARGET" "$MAC_A=$(count_of "$A")" "$MAC_B=$(count_of "$B")"
	ok $? "clean $proto: the MAC's answers are what hostA sent"
done
schema_ok "$OUT" "clean -u: the document validates against the schema"
# --no-link-check: nothing asked, so hostA sends no ARP reply for the target.
ip -n "$C" neigh replace "$TARGET" lladdr "$MAC_A" dev eth0 nud reachable
lab_exec "$A" nft -f - <<-EOF
table arp llarp0 {
	chain out {
		type filter hook output priority 0; policy accept;
		arp saddr ip $TARGET arp operation reply counter
	}
}
EOF
OUT="$LAB_TMP/nocheck.json"
lab_ecmptrace "$OUT" -u -j -n -c 1 --no-link-check "$TARGET"
ok $? "--no-link-check: ecmptrace ran"
replies=$(lab_nft_packets "$A" table arp llarp0)
"$LAB_PY" - "$OUT" "$replies" <<-'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
h = doc["hops"][0]
claims = sum(n["claims"] for n in h["neighbours"])
print("# link_checks %s, claims %d, ARP replies hostA sent %s" % (h["link_checks"], claims, sys.argv[2]))
sys.exit(0 if h["link_checks"] == [] and claims == 0 and sys.argv[2] == "0" else 1)
EOF
ok $? "--no-link-check: no question asked, no ARP reply sent, none counted"
lab_exec "$A" nft delete table arp llarp0
ip -n "$C" neigh flush dev eth0 >/dev/null 2>&1

# CAP_NET_RAW is all it takes: a copy with that file capability, run as
# nobody, still asks (its sockets are opened before privileges drop).
if command -v setcap >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
	capdir=$(mktemp -d "${TMPDIR:-/tmp}/ecmptrace-cap.XXXXXX") &&
		chmod 755 "$capdir" && cp "$ECMPTRACE" "$capdir/ecmptrace" &&
		chmod 755 "$capdir/ecmptrace" && setcap cap_net_raw+ep "$capdir/ecmptrace"
	OUT="$LAB_TMP/cap.json"
	nobody=$(id -u nobody)
	ip netns exec "$C" timeout "$LAB_TIMEOUT" setpriv --reuid="$nobody" --regid="$nobody" \
		--clear-groups --inh-caps=-all "$capdir/ecmptrace" -u -j -n -c 1 "$TARGET" \
		>"$OUT" 2>"$OUT.err"
	ok $? "CAP_NET_RAW only, as nobody: ecmptrace ran"
	ll_check claims "$OUT" "$TARGET" "$MAC_A"
	ok $? "CAP_NET_RAW only, as nobody: hostA asked and answered"
	rm -rf "$capdir"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - CAP_NET_RAW only # SKIP no setcap or setpriv"
	tap_n=$((tap_n + 1)); echo "ok $tap_n - CAP_NET_RAW only, asked # SKIP no setcap or setpriv"
fi

# 2. A duplicated IP: hostB holds the target too; the client's neighbour
# entry flips between the two machines.
ip -n "$B" addr add "$TARGET/24" dev eth0
ok $? "duplicated IP: hostB holds $TARGET too"
for proto in --icmp -u; do
	count_reset
	flip_start "$MAC_A" "$MAC_B"
	trace "dupip$proto" "$proto"
	ok $? "duplicated IP $proto: ecmptrace ran"
	flip_stop
	# Back to what ARP says, for the next run.
	ip -n "$C" neigh flush dev eth0 >/dev/null 2>&1
	ll_check conflict "$OUT" "$TARGET" "$MAC_A" "$MAC_B"
	ok $? "duplicated IP $proto: one conflict naming both MACs, each answered"
	ll_check counts "$OUT" "$TARGET" "$MAC_A=$(count_of "$A")" "$MAC_B=$(count_of "$B")"
	ok $? "duplicated IP $proto: each MAC's answers are what its host sent"
	ll_check claims "$OUT" "$TARGET" "$MAC_A" "$MAC_B"
	ok $? "duplicated IP $proto: both machines answered the ARP question"
	ll_check cause "$OUT" "$TARGET" link-address-conflict "duplicated IP"
	ok $? "duplicated IP $proto: the finding calls it a duplicated IP"
	schema_ok "$OUT" "duplicated IP $proto: the document validates against the schema"
done

# 2b. The same without help: nothing flips the client's entry, so every
# probe reaches one machine.  One short run still names both, from the
# answers to its ARP question; the oracle is the ARP messages each host
# sent for the target (nftables counters in the hosts' arp tables).
arp_count_reset() {
	local ns
	for ns in "$A" "$B"; do
		lab_exec "$ns" nft -f - <<-EOF || return 1
		table arp llarp
		delete table arp llarp
		table arp llarp {
			chain out {
				type filter hook output priority 0; policy accept;
				arp saddr ip $TARGET counter
			}
		}
		EOF
	done
}
arp_count_of() {	# arp_count_of NS
	lab_nft_packets "$1" table arp llarp
}
for proto in --icmp -u; do
	ip -n "$C" neigh flush dev eth0 >/dev/null 2>&1
	count_reset && arp_count_reset
	OUT="$LAB_TMP/dupip1$proto.json"
	lab_ecmptrace "$OUT" "$proto" -j -n -c 1 "$TARGET"
	ok $? "duplicated IP, one pass $proto: ecmptrace ran"
	ll_check claims "$OUT" "$TARGET" "$MAC_A" "$MAC_B"
	ok $? "duplicated IP, one pass $proto: both machines claimed the address"
	ll_check cause "$OUT" "$TARGET" link-address-conflict "duplicated IP"
	ok $? "duplicated IP, one pass $proto: one conflict, called a duplicated IP"
	# Its probes all went to the machine the client's entry names: only the
	# ARP question could find the other.
	"$LAB_PY" - "$OUT" "$TARGET" "$MAC_A" "$MAC_B" <<-'EOF'
	import json, sys
	doc = json.load(open(sys.argv[1]))
	addr, macs = sys.argv[2], set(sys.argv[3:])
	answered = {n["link_address"] for n in doc["hops"][0]["neighbours"]
	            if n["address"] == addr and n["answers"] > 0}
	print("# answers for %s came from %s" % (addr, " ".join(sorted(answered))))
	sys.exit(0 if len(answered) == 1 and answered <= macs else 1)
	EOF
	ok $? "duplicated IP, one pass $proto: the probes' answers came from one of them only"
	"$LAB_PY" - "$OUT" "$TARGET" "$MAC_A" "$(arp_count_of "$A")" "$MAC_B" "$(arp_count_of "$B")" <<-'EOF'
	import json, sys
	doc = json.load(open(sys.argv[1]))
	addr, pairs = sys.argv[2], sys.argv[3:]
	got = {n["link_address"]: n["claims"] for n in doc["hops"][0]["neighbours"]
	       if n["address"] == addr}
	good = True
	for mac, sent in zip(pairs[0::2], pairs[1::2]):
	    print("# %s: %s claims heard, %s ARP messages sent for %s" % (mac, got.get(mac), sent, addr))
	    # A host may still send one after the run ended; never fewer sent than heard.
	    good &= 1 <= got.get(mac, 0) <= int(sent)
	sys.exit(0 if good else 1)
	EOF
	ok $? "duplicated IP, one pass $proto: claims heard are ARP messages the hosts sent"
done
schema_ok "$OUT" "duplicated IP, one pass: the document validates against the schema"

# 2c. IPv6: the same duplicated address, found by Neighbor Solicitation.
TARGET6=fd00:70::10
ip -n "$C" -6 addr add fd00:70::1/64 dev eth0 nodad &&
	ip -n "$A" -6 addr add "$TARGET6/64" dev eth0 nodad &&
	ip -n "$B" -6 addr add "$TARGET6/64" dev eth0 nodad
ok $? "IPv6 duplicated address: hostA and hostB both hold $TARGET6"
OUT="$LAB_TMP/dupip6.json"
lab_ecmptrace "$OUT" --icmp -j -n -c 1 "$TARGET6"
ok $? "IPv6 duplicated address: ecmptrace ran"
ll_check claims "$OUT" "$TARGET6" "$MAC_A" "$MAC_B"
ok $? "IPv6 duplicated address: both machines advertised it"
ll_check cause "$OUT" "$TARGET6" link-address-conflict "duplicated IP"
ok $? "IPv6 duplicated address: one conflict, called a duplicated IP"
schema_ok "$OUT" "IPv6 duplicated address: the document validates against the schema"
ip -n "$B" -6 addr del "$TARGET6/64" dev eth0
ip -n "$B" addr del "$TARGET/24" dev eth0
# The client may still cache hostB for the target (reachable for up to
# 30 s): start the next scenario from what ARP says now.
ip -n "$C" neigh flush dev eth0 >/dev/null 2>&1
ip -n "$C" -6 neigh flush dev eth0 >/dev/null 2>&1

# 3. One machine, two MACs (transmit load balancing).
for proto in --icmp -u; do
	count_reset && tlb_reset
	ok $? "TLB $proto: the bridge rewrites every other frame from hostA's eth0"
	trace "tlb$proto" "$proto"
	ok $? "TLB $proto: ecmptrace ran"
	ll_check conflict "$OUT" "$TARGET" "$MAC_A" "$MAC_A2"
	ok $? "TLB $proto: one conflict naming both of hostA's MACs, each answered"
	sent=$(count_of "$A") rewritten=$(count_of "$SW")
	ll_check counts "$OUT" "$TARGET" "$MAC_A=$((sent - rewritten))" "$MAC_A2=$rewritten" \
		"$MAC_B=$(count_of "$B")"
	ok $? "TLB $proto: the answers per MAC are what the bridge let through and rewrote"
	ll_check claims "$OUT" "$TARGET" "$MAC_A"
	ok $? "TLB $proto: only the receiving NIC claims the address"
	ll_check cause "$OUT" "$TARGET" link-address-conflict "team"
	ok $? "TLB $proto: the finding names a team sending from a MAC that does not claim"
done
schema_ok "$OUT" "TLB -u: the document validates against the schema"
lab_exec "$SW" nft flush ruleset

# 4. Routed: hostA and hostB become routers towards "far" (FAR on its
# loopback; links 10.0.72.0/24 to hostA and 10.0.73.0/24 to hostB; far
# answers back via hostA) and the client routes FAR via hostA.  First as
# they are: TTL 1 is hostA with its MAC, TTL 2 lists none.  Then one MAC
# on two machines: hostB takes hostA's MAC and the switch's forwarding
# entry for it flips between their two ports, as a bridge's does when two
# machines send from one MAC; the client's frames to that MAC reach
# either, and each router answers from its own address.
far_build() {
	local F
	lab_ns far || return 1
	F=$(lab_ns_name far)
	ip link add eth2 netns "$A" type veth peer name ea netns "$F" &&
		ip link add eth1 netns "$B" type veth peer name eb netns "$F" || return 1
	ip -n "$A" link set eth2 up && ip -n "$B" link set eth1 up &&
		ip -n "$F" link set ea up && ip -n "$F" link set eb up || return 1
	ip -n "$A" addr add 10.0.72.1/24 dev eth2 && ip -n "$F" addr add 10.0.72.2/24 dev ea &&
		ip -n "$B" addr add 10.0.73.1/24 dev eth1 && ip -n "$F" addr add 10.0.73.2/24 dev eb &&
		ip -n "$F" addr add "$FAR/32" dev lo || return 1
	lab_exec "$A" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null &&
		lab_exec "$B" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null || return 1
	ip -n "$A" route add "$FAR/32" via 10.0.72.2 &&
		ip -n "$B" route add "$FAR/32" via 10.0.73.2 &&
		ip -n "$F" route add "$NET.0/24" via 10.0.72.1 &&
		ip -n "$C" route add "$FAR/32" via "$TARGET" dev eth0
}

# Move the switch's entry for MAC between hostA's and hostB's ports every
# 0.2 s, for at most LAB_TIMEOUT seconds ("dynamic": the bridge may still
# learn it elsewhere in between).  flip_stop kills it (or the cleanup).
fdb_flip_start() {	# fdb_flip_start MAC
	local n=$((LAB_TIMEOUT * 5 / 2))
	# shellcheck disable=SC2016 # the inner shell expands its arguments
	lab_bg "$SW" /bin/bash -c '
		for i in $(seq 1 "$1"); do
			bridge fdb replace "$2" dev p-hostA master dynamic
			sleep 0.2
			bridge fdb replace "$2" dev p-hostB master dynamic
			sleep 0.2
		done' fdbflip "$n" "$1"
	FLIP_PID=$!
}

far_build
ok $? "routed: hostA and hostB route to $FAR, the client via hostA"
count_reset
OUT="$LAB_TMP/routed.json"
lab_ecmptrace "$OUT" -u "${RUN_ARGS[@]}" "$FAR"
ok $? "routed: ecmptrace ran"
ll_check clean "$OUT" "$TARGET" "$MAC_A"
ok $? "routed: no link-layer finding, TTL 1 lists only hostA's MAC, TTL 2 none"
ll_check counts "$OUT" "$TARGET" "$MAC_A=$(count_of "$A")" "$MAC_B=$(count_of "$B")"
ok $? "routed: the MAC's answers are the time-exceeded messages hostA sent"

ip -n "$B" link set eth0 address "$MAC_A"
ok $? "one MAC: hostB's eth0 takes hostA's MAC $MAC_A"
# TTL 1 only (-m 1): far's answers, forwarded by hostA, would teach the
# bridge hostA's port at once.  16 flows, each counted in the branch of
# the responder that answered it most: both machines lead some flows.
count_reset
fdb_flip_start "$MAC_A"
OUT="$LAB_TMP/clone.json"
lab_ecmptrace "$OUT" -u -j -n -m 1 --flows 16 -c 20 -i 0.05 --timeout 1 "$FAR"
ok $? "one MAC: ecmptrace ran"
flip_stop
ll_check shared "$OUT" "$TARGET" "$MAC_A" "$NET.20"
ok $? "one MAC: one link-address-shared finding naming the MAC and both addresses"
ll_check answers "$OUT" "$TARGET" "$MAC_A=$(count_of "$A")"
ok $? "one MAC: hostA's answers are what it sent"
ll_check answers "$OUT" "$NET.20" "$MAC_A=$(count_of "$B")"
ok $? "one MAC: hostB's answers are what it sent, from the same MAC"
schema_ok "$OUT" "one MAC: the document validates against the schema"

# The clones once more, found from this host's neighbour table: the
# client once talked to hostB ($NET.20, learnt on $MAC_A), then hostA
# speaks last so the switch sends $MAC_A to hostA again.  One pass to the
# target alone shows the shared MAC, as /proc/net/arp did in case 4.
ip -n "$C" neigh flush dev eth0 >/dev/null 2>&1
lab_exec "$C" ping -c 1 -W 1 "$NET.20" >/dev/null 2>&1
lab_exec "$A" ping -c 1 -W 1 "$CLIENT" >/dev/null 2>&1
ip -n "$C" neigh show "$NET.20" | grep -q "$MAC_A"
ok $? "one MAC: the client's neighbour table maps $NET.20 to $MAC_A"
OUT="$LAB_TMP/clone-table.json"
lab_ecmptrace "$OUT" --icmp -j -n -c 1 "$TARGET"
ok $? "one MAC, from the table: ecmptrace ran"
ll_check tableshare "$OUT" "$TARGET" "$MAC_A" "$NET.20"
ok $? "one MAC, from the table: one link-address-shared finding naming both addresses"
schema_ok "$OUT" "one MAC, from the table: the document validates against the schema"

tap_done
