#!/bin/bash
# mtr's -I (interface), -a (source address) and -M (firewall mark) take
# effect.  The client has two uplinks; its main table routes everything
# via r1, and only policy routing sends traffic via r2:
#
#	client =(v-r1 .1.1)= r1 \
#	       =(v-r2 .2.1)= r2 -- r3 -- server     TTL 1 r1|r2, 2 r3, 3 server
#
#	default via r1, and via r2 with metric 2000 (for -I v-r2)
#	ip rule from <client's address on v-r2> table 102   (default via r2)
#	ip rule fwmark MARK table 107                        (default via r2)
#
# Without options TTL 1 is r1 (the check discriminates).  With -I v-r2 the
# probes leave by v-r2 and none by v-r1; with -a <v-r2 address> they carry
# that source and are routed by it (TTL 1 r2); with -M MARK (random, seed
# printed) they carry MARK and take table 107 (TTL 1 r2) from the address
# the kernel gives that route.  Ground truth from nftables counters in the client (what left, by
# which interface, with which source and mark), for IPv4 and IPv6.
# make sets top_srcdir; address lists are split into words on purpose.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init
SEED=${SOURCE_SEED:-$RANDOM}
echo "# seed $SEED (SOURCE_SEED=$SEED replays it)"
RANDOM=$SEED
# A mark anywhere in SO_MARK's 32 bits (not 0: fwmark 0 matches no mark).
MARK=$(( ((RANDOM << 17) ^ (RANDOM << 2) ^ RANDOM) % 4294967295 + 1 ))

topo() {
	local n fam
	for n in client server; do lab_ns "$n" || return 1; done
	for n in r1 r2 r3; do lab_ns "$n" router || return 1; done
	lab_link client r1 1 && lab_link client r2 2 && lab_link r1 r3 3 &&
		lab_link r2 r3 4 && lab_link r3 server 5 || return 1
	C=$(lab_ns_name client)
	LAB_CLIENT_NS=$C
	LAB_SERVER_NS=$(lab_ns_name server)
	lab_default client r1 && lab_route r1 5 r3 && lab_route r2 5 r3 &&
		lab_route r3 1 r1 && lab_route r3 2 r2 && lab_default server r3 || return 1
	# A second default route via r2, worse than r1's: what -I v-r2 picks.
	for fam in 4 6; do
		ip -n "$C" -"$fam" route add default via "$(lab_ifaddr "$fam" r2 client)" \
			dev v-r2 metric 2000 &&
			ip -n "$C" -"$fam" route add default via "$(lab_ifaddr "$fam" r2 client)" \
			dev v-r2 table 102 &&
			ip -n "$C" -"$fam" route add default via "$(lab_ifaddr "$fam" r2 client)" \
				dev v-r2 table 107 &&
			ip -n "$C" -"$fam" rule add from "$(lab_ifaddr "$fam" client r2)" \
				table 102 &&
			ip -n "$C" -"$fam" rule add fwmark "$MARK" table 107 || return 1
	done
	# What left the client: UDP probes to the server's port, by
	# interface, source address and mark.
	lab_exec "$C" nft -f - <<-EOF
	table inet probes {
		chain post {
			type filter hook postrouting priority 0; policy accept;
			udp dport 33434 oifname "v-r1" counter comment "out_r1"
			udp dport 33434 oifname "v-r2" counter comment "out_r2"
			udp dport 33434 ip saddr $(lab_ifaddr 4 client r2) counter comment "src_r2"
			udp dport 33434 ip6 saddr $(lab_ifaddr 6 client r2) counter comment "src_r2"
			udp dport 33434 meta mark $MARK counter comment "mark"
		}
	}
	EOF
}

# The packets the rules with comment NAME counted so far.
total() {
	lab_exec "$C" nft list chain inet probes post |
		awk -v c="\"$1\"" '$0 ~ "comment " c { for (i = 1; i < NF; i++)
			if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}

# The packets the rules with comment NAME counted during the last run.
declare -A BEFORE
count() {
	echo $(($(total "$1") - ${BEFORE[$1]}))
}

# run NAME ARGS...: traces the server, keeps the JSON, notes the counters.
run() {
	local name=$1 c; shift
	for c in out_r1 out_r2 src_r2 mark; do BEFORE[$c]=$(total $c); done
	lab_ecmptrace "$LAB_TMP/$name.json" -j -n -c 2 -i 0.2 --timeout 1 --flows 4 "$@" "$SERVER"
}

# The document's source address.
source_of() {
	"$LAB_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["source"])' "$1"
}

topo
ok $? "topology built (two uplinks, rules by source and by mark)"

for fam in 4 6; do
	LAB_FAMILY=$fam
	SERVER=$(lab_ifaddr $fam server r3)
	R1=$(lab_ifaddr $fam r1 client) R2=$(lab_ifaddr $fam r2 client)
	SRC1=$(lab_ifaddr $fam client r1) SRC2=$(lab_ifaddr $fam client r2)

	run plain$fam
	ok $? "IPv$fam: ecmptrace with no choice ran"
	lab_check only "$LAB_TMP/plain$fam.json" 1 "$R1" &&
		lab_check reached "$LAB_TMP/plain$fam.json"
	ok $? "IPv$fam: without options TTL 1 is r1 ($R1): the main table's route"
	[ "$(count out_r2)" -eq 0 ] && [ "$(source_of "$LAB_TMP/plain$fam.json")" = "$SRC1" ]
	ok $? "IPv$fam: ... and nothing left by v-r2, from $SRC1"

	run iface$fam -I v-r2
	ok $? "IPv$fam: ecmptrace -I v-r2 ran"
	lab_check only "$LAB_TMP/iface$fam.json" 1 "$R2" &&
		lab_check reached "$LAB_TMP/iface$fam.json"
	ok $? "IPv$fam: -I v-r2: TTL 1 is r2 ($R2) and every flow reached the server"
	r1=$(count out_r1) r2=$(count out_r2)
	[ "$r1" -eq 0 ] && [ "$r2" -gt 0 ]
	ok $? "IPv$fam: -I v-r2: $r2 probes left by v-r2, $r1 by v-r1"
	[ "$(source_of "$LAB_TMP/iface$fam.json")" = "$SRC2" ]
	ok $? "IPv$fam: -I v-r2: the source is v-r2's address $SRC2"

	run addr$fam -a "$SRC2"
	ok $? "IPv$fam: ecmptrace -a $SRC2 ran"
	lab_check only "$LAB_TMP/addr$fam.json" 1 "$R2" &&
		lab_check reached "$LAB_TMP/addr$fam.json"
	ok $? "IPv$fam: -a $SRC2: routed by its source (TTL 1 r2) and every flow reached the server"
	s=$(count src_r2) r1=$(count out_r1)
	[ "$s" -gt 0 ] && [ "$r1" -eq 0 ] && [ "$(source_of "$LAB_TMP/addr$fam.json")" = "$SRC2" ]
	ok $? "IPv$fam: -a $SRC2: $s probes carried it, $r1 left by v-r1"

	run mark$fam -M "$MARK"
	ok $? "IPv$fam: ecmptrace -M $MARK ran"
	lab_check only "$LAB_TMP/mark$fam.json" 1 "$R2" &&
		lab_check reached "$LAB_TMP/mark$fam.json"
	ok $? "IPv$fam: -M $MARK: table 107's route (TTL 1 r2) and every flow reached the server"
	m=$(count mark) r2=$(count out_r2)
	[ "$m" -gt 0 ] && [ "$m" -eq "$r2" ] && [ "$(source_of "$LAB_TMP/mark$fam.json")" = "$SRC2" ]
	ok $? "IPv$fam: -M $MARK: $m probes marked $MARK, $r2 left by v-r2, from $SRC2"
done

# A link-local source, its link named by the target's zone: r2 itself.
LAB_FAMILY=6
ll() {	# ll NS DEV: the link-local address of DEV in NS
	ip -n "$1" -6 -o addr show dev "$2" scope link | awk '{ sub("/.*", "", $4); print $4; exit }'
}
LLC=$(ll "$C" v-r2) LLR=$(ll "$(lab_ns_name r2)" v-client)
out="$LAB_TMP/ll.json"
lab_ecmptrace "$out" -j -n -c 2 -i 0.2 --timeout 1 --flows 4 -a "$LLC" "$LLR%v-r2"
ok $? "ecmptrace -a $LLC $LLR%v-r2 ran"
lab_check dest "$out" 1 "$LLR" && [ "$(source_of "$out")" = "$LLC" ]
ok $? "-a $LLC (link-local, the zone's link): r2 answers at TTL 1, from source $LLC"

# An address of another namespace is not this host's, even if it routes.
SERVER=$(lab_ifaddr 4 server r3)
run foreign4 -a "$(lab_ifaddr 4 r1 client)" 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] && grep -q "is not an address of this host" "$LAB_TMP/foreign4.json.err"
ok $? "-a with r1's address is refused with status 2 ($rc): $(head -n 1 "$LAB_TMP/foreign4.json.err")"

tap_done
