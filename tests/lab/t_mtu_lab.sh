#!/bin/bash
# The lab's path MTU fault, checked without ecmptrace: a 3-way ECMP
# (lab_topo_ecmp3) whose member drawn from the printed seed has MTU 1400
# towards the server among 1500s.  As a black hole (its "fragmentation
# needed" / "packet too big" dropped), a TCP upload with the kernel's PMTU
# discovery (DF) fails for exactly the source ports the kernel hashes onto
# that member, and succeeds for the others; with the ICMP messages
# allowed, every port succeeds (discovery works).  Which member carried a
# connection is read from nftables counters in each member, not guessed.
# Both families.  make sets top_srcdir.
# shellcheck disable=SC2154,SC2207
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_init

SEED=${MTU_SEED:-$RANDOM}
RANDOM=$SEED
echo "# seed $SEED (MTU_SEED to replay)"
DPORT=5001


# The member that carried the latest upload: its counter moved.
member_counts() {
	local ns
	for ns in $LAB_BRANCH_NS; do printf '%s ' "$(lab_nft_packets "$ns" table inet carry)"; done
}

# Uploads from PORTS; prints "PORT MEMBER_NS STATUS" per port.
uploads() {	# uploads PORT...
	local p before after i ns carried
	for p in "$@"; do
		before=($(member_counts))
		lab_tcp_upload "$p" "$LAB_SERVER_ADDR" "$DPORT" 262144 3
		st=$?
		after=($(member_counts))
		i=0 carried=""
		for ns in $LAB_BRANCH_NS; do
			[ "${after[$i]}" -gt "${before[$i]}" ] && carried="$carried$ns"
			i=$((i + 1))
		done
		echo "$p ${carried:-none} $st"
	done
}

for fam in 4 6; do
	LAB_FAMILY=$fam
	lab_teardown
	small=$((1 + RANDOM % 3))
	lab_topo_ecmp3 "$small" 1400 1 && lab_count_members "$DPORT" &&
		lab_tcp_listen "$LAB_SERVER_NS" "$DPORT"
	ok $? "IPv$fam: 3-way ECMP, m$small at MTU 1400 as a black hole, a listener"
	base=$((20000 + RANDOM % 20000))
	ports=$(seq "$base" $((base + 15)))
	# shellcheck disable=SC2086
	uploads $ports >"$LAB_TMP/hole"
	bad=0 nsmall=0 nother=0
	while read -r p ns st; do
		if [ "$ns" = "$LAB_SMALL_NS" ]; then
			nsmall=$((nsmall + 1)); [ "$st" -ne 0 ] || { bad=1; diag "port $p through m$small got through"; }
		else
			nother=$((nother + 1)); [ "$st" -eq 0 ] || { bad=1; diag "port $p through $ns failed"; }
		fi
	done <"$LAB_TMP/hole"
	diag "IPv$fam black hole: $nsmall of 16 ports through m$small, $nother through the others"
	[ "$bad" = 0 ] && [ "$nsmall" -gt 0 ] && [ "$nother" -gt 0 ]
	ok $? "IPv$fam: uploads fail through m$small only, succeed through the others"
	diag "m$small dropped $(lab_nft_packets "$LAB_SMALL_NS" table inet pmtu) PMTU messages"
	ip netns exec "$LAB_SMALL_NS" nft delete table inet pmtu
	# shellcheck disable=SC2086
	uploads $ports >"$LAB_TMP/icmp"
	! awk '$3 != 0 { print "# port " $1 " through " $2 " failed"; bad = 1 } END { exit !bad }' \
		"$LAB_TMP/icmp"
	ok $? "IPv$fam: with the ICMP messages allowed, every upload gets through (PMTU discovery)"
done

tap_done
