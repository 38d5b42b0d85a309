#!/bin/bash
# -s/--psize: every UDP or ICMP probe the client sends is a datagram of
# exactly that many bytes, IP header included, in both families, and the
# target still answers them.  (Path MTU probes, don't-fragment and larger
# than any ordinary probe, are left out of the count.)  Ground truth is nftables in the first
# router counting what it forwards from the client by length.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

SEED=${PSIZE_SEED:-$RANDOM}
RANDOM=$SEED
echo "# seed $SEED"

# Counters in NS of what it forwards from SRC: datagrams of SIZE bytes
# (table "want") and any other UDP/ICMP datagram (table "other").
count_sizes() {	# count_sizes NS SRC SIZE
	local ns=$1 src=$2 size=$3 m len
	if [ "$LAB_FAMILY" = 6 ]; then
		m="ip6 saddr $src meta l4proto { udp, ipv6-icmp }"; len="ip6 length $((size - 40))"
		# Path MTU probes (over 1280 bytes, where ordinary ones stop) are not ordinary probes.
		pmtu="ip6 length > 1240"
	else
		m="ip saddr $src meta l4proto { udp, icmp }"; len="ip length $size"
		pmtu="ip frag-off & 0x4000 != 0"	# don't-fragment: a path MTU probe
	fi
	ip netns exec "$ns" nft -f - <<-EOF
	table inet want {
		chain f {
			type filter hook forward priority 0;
			$m $len counter
		}
	}
	table inet other {
		chain f {
			type filter hook forward priority 0;
			$m $len accept
			$m $pmtu accept
			$m counter
		}
	}
	EOF
}

for fam in 4 6; do
	for proto in udp icmp; do
		LAB_FAMILY=$fam
		lab_teardown
		lab_topo_chain 2
		ok $? "IPv$fam chain built"
		size=$(( (fam == 6 ? 50 : 30) + RANDOM % (1280 - (fam == 6 ? 50 : 30) + 1) ))
		count_sizes "$LAB_PREFIX-c1" "$LAB_CLIENT_ADDR" "$size"
		ok $? "counters in c1 for $size-byte datagrams and any other"
		flag=""
		[ "$proto" = icmp ] && flag=--icmp
		out="$LAB_TMP/psize-$fam-$proto.json"
		# shellcheck disable=SC2086 # no flag for UDP
		lab_ecmptrace "$out" -n -j -c 4 $flag -s "$size" "$LAB_SERVER_ADDR"
		ok $? "IPv$fam $proto: ecmptrace -s $size ran"
		want=$(lab_nft_packets "$LAB_PREFIX-c1" table inet want)
		other=$(lab_nft_packets "$LAB_PREFIX-c1" table inet other)
		diag "IPv$fam $proto: c1 forwarded $want probes of $size bytes and $other of another size"
		[ "$want" -gt 0 ] && [ "$other" -eq 0 ]
		ok $? "IPv$fam $proto: every probe is $size bytes long"
		"$LAB_PY" -c '
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
sys.exit(not flows or any(f["received"] == 0 or f["received"] != f["sent"] for f in flows))
' "$out"
		ok $? "IPv$fam $proto: the target answers every flow end to end, none lost"
	done
done

tap_done
