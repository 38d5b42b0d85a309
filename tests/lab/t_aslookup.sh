#!/bin/bash
# -z/--aslookup: the origin AS of every responder, asked in DNS TXT as mtr
# asks it (d.c.b.a.origin.asn.cymru.com, reversed nibbles under
# origin6.asn.cymru.com), answered by a dnsmasq the test runs in the
# server's namespace.  The client namespace's /etc/resolv.conf points at it
# (ip netns exec bind-mounts /etc/netns/NAME/resolv.conf; NAME is this
# run's unique namespace name, and the directory goes on exit).  Each
# answering address gets a random AS (seed printed), one address none:
# the JSON must carry each AS as "asn" (null for the one without), the
# report and the live view "AS<n> <address>" ("AS???" for it), the
# stream's rounds the same asn, IPv4 and IPv6; without -z no "asn" at all.
# dnsmasq's log says the questions were asked.
# make sets top_srcdir; address lists are split into words on purpose.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
. "$top_srcdir/tests/tui/tui_lib.sh"
lab_require_root
lab_require_binary
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ ! -x "$DNSMASQ" ]; then
	echo "1..0 # SKIP dnsmasq is not installed (contrib/setup.sh installs dnsmasq-base)"
	exit 0
fi
tui_init	# lab_init, and a tmux server of our own for the live view
NETNS_DIR=""
# The lab's traps, and the resolv.conf directory removed with them.
trap 'rc=$?; [ -n "$NETNS_DIR" ] && rm -rf "$NETNS_DIR"; tui_cleanup; (exit $rc); lab_on_exit' EXIT
trap '[ -n "$NETNS_DIR" ] && rm -rf "$NETNS_DIR"; lab_cleanup; exit 130' INT
trap '[ -n "$NETNS_DIR" ] && rm -rf "$NETNS_DIR"; lab_cleanup; exit 143' TERM

SEED=${ASLOOKUP_SEED:-$RANDOM}
echo "# seed $SEED (ASLOOKUP_SEED=$SEED replays it)"
RANDOM=$SEED

lab_topo_ecmp2
ok $? "topology built"

# The question name for an address (as mtr builds it).
qname() {
	"$LAB_PY" -c '
import ipaddress, sys
a = ipaddress.ip_address(sys.argv[1])
if a.version == 4:
    print(".".join(reversed(str(a).split("."))) + ".origin.asn.cymru.com")
else:
    print(".".join(reversed(a.exploded.replace(":", ""))) + ".origin6.asn.cymru.com")
' "$1"
}

# Every address that answers, both families, gets an AS but r3 (none).
declare -A AS
records=()
NONE4=$(lab_ifaddr 4 r3 r2a) NONE6=$(lab_ifaddr 6 r3 r2a)
for fam in 4 6; do
	for a in $(lab_ifaddr $fam r1 client) $(lab_ifaddr $fam r2a r1) \
		$(lab_ifaddr $fam r2b r1) $(lab_ifaddr $fam server r3); do
		AS[$a]=$((64512 + (RANDOM % 1000) * 1000 + RANDOM % 1000))
		records+=("--txt-record=$(qname "$a"),${AS[$a]} | 10.0.0.0/8 | ZZ | lab | 2026-01-01")
	done
done
DNS=$(lab_ifaddr 4 server r3)
lab_bg "$LAB_SERVER_NS" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv \
	--no-hosts --port 53 --listen-address="$DNS" --bind-interfaces --user=root \
	--log-queries --log-facility="$LAB_TMP/dnsmasq.log" "${records[@]}"
for _ in $(seq 50); do
	lab_exec "$LAB_SERVER_NS" ss -Hlun "sport = :53" | grep -q . && break
	sleep 0.1
done
lab_exec "$LAB_SERVER_NS" ss -Hlun "sport = :53" | grep -q .
ok $? "dnsmasq answers on $DNS:53 in the server's namespace"

NETNS_DIR=/etc/netns/$LAB_CLIENT_NS
mkdir -p "$NETNS_DIR" && echo "nameserver $DNS" >"$NETNS_DIR/resolv.conf"
ok $? "the client's resolv.conf names $DNS"

# check_json FILE FAMILY: every branch's asn is the address's AS (null for r3).
check_json() {
	local want="" a
	for a in "${!AS[@]}"; do want="$want $a=${AS[$a]}"; done
	"$LAB_PY" - "$1" "$2" $want <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = dict(w.split("=") for w in sys.argv[3:])
good, seen = True, 0
for hop in doc["hops"]:
    for b in hop["branches"]:
        if b["address"] is None:
            continue
        seen += 1
        exp = int(want[b["address"]]) if b["address"] in want else None
        if b.get("asn", "missing") != exp:
            print("# ttl %d %s: asn %s, want %s" % (hop["ttl"], b["address"], b.get("asn", "missing"), exp))
            good = False
sys.exit(0 if good and seen >= 4 else 1)
PY
}

for fam in 4 6; do
	LAB_FAMILY=$fam
	server=$(lab_ifaddr $fam server r3)
	none=$([ $fam = 4 ] && echo "$NONE4" || echo "$NONE6")
	out="$LAB_TMP/as$fam.json"
	lab_ecmptrace "$out" -z -n -j -c 3 -i 0.2 --timeout 1 "$server"
	ok $? "IPv$fam: ecmptrace -z -j ran"
	check_json "$out" $fam
	ok $? "IPv$fam: every branch's asn is its address's AS, null for r3 ($none)"
	lab_schema report "$out"
	lab_ok_or_skip $? "IPv$fam: the document is valid against the schema"
	out="$LAB_TMP/as$fam.txt"
	lab_ecmptrace "$out" -z -n -r -c 2 -i 0.2 --timeout 1 "$server"
	ok $? "IPv$fam: ecmptrace -z -r ran"
	r1=$(lab_ifaddr $fam r1 client)
	grep -q "AS${AS[$r1]} $r1 " "$out" && grep -q "AS${AS[$server]} $server " "$out" &&
		grep -q "AS??? $none " "$out"
	ok $? "IPv$fam: the report says AS${AS[$r1]} $r1, AS${AS[$server]} $server, AS??? $none"
	grep -q "$(qname "$r1")" "$LAB_TMP/dnsmasq.log"
	ok $? "IPv$fam: dnsmasq was asked $(qname "$r1")"
	out="$LAB_TMP/as$fam.stream"
	# Names are asked as snapshots meet new addresses: rounds enough for the last to have them.
	lab_ecmptrace "$out" -z -n --json-stream -c 8 -i 0.25 --timeout 1 "$server"
	ok $? "IPv$fam: ecmptrace -z --json-stream ran"
	grep '"type":"round"' "$out" | tail -n 1 >"$out.last"
	check_json "$out.last" $fam
	ok $? "IPv$fam: the stream's last round carries the same asn"
done

# The live view: AS numbers before the addresses (tmux, when installed).
if command -v tmux >/dev/null 2>&1; then
	server=$(lab_ifaddr 4 server r3) r1=$(lab_ifaddr 4 r1 client)
	tui_start 120 30 -- -z -n "$server"
	tui_wait 20 "AS${AS[$r1]} $r1" && tui_wait 10 "AS${AS[$server]} $server" &&
		tui_wait 10 "AS\?\?\? $NONE4"
	ok $? "live view: AS${AS[$r1]} $r1, AS${AS[$server]} $server and AS??? $NONE4 on screen"
	tui_keys q
	tui_wait_exit 10
	ok $? "live view: q ends it (status $TUI_EXIT)"
else
	lab_ok_or_skip 77 "live view (tmux is not installed)"
fi

LAB_FAMILY=4
out="$LAB_TMP/plain.json"
lab_ecmptrace "$out" -n -j -c 1 --timeout 1 "$(lab_ifaddr 4 server r3)"
! grep -q '"asn"' "$out"
ok $? "without -z the document has no asn"

tap_done
