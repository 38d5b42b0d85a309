#!/bin/bash
# Path MTU per branch, end to end: a 3-way ECMP (lab_topo_ecmp3) whose
# member drawn from the printed seed has MTU 1400 towards the server among
# 1500s.  ecmptrace at its defaults (UDP; ICMP on some runs by the seed)
# must give that member's branch a pmtu_bytes within 8 bytes under 1400
# (the search stops within 8 bytes), the other members 1500; as a black
# hole (frag-needed / packet-too-big dropped) with pmtu_messages false,
# with the messages allowed exactly 1400 with pmtu_messages true.  IPv4
# and IPv6.
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

for fam in 4 6; do
	for hole in 1 0; do
		LAB_FAMILY=$fam
		lab_teardown
		small=$((1 + RANDOM % 3))
		lab_topo_ecmp3 "$small" 1400 "$hole"
		ok $? "IPv$fam: 3-way ECMP, m$small at MTU 1400$([ "$hole" = 1 ] && echo ', a black hole')"
		flag="" proto=udp
		[ $((RANDOM % 3)) = 0 ] && flag=-I proto=icmp
		out="$LAB_TMP/pmtu-$fam-$hole.json"
		# shellcheck disable=SC2086 # no flag for UDP
		lab_ecmptrace "$out" -n -j $flag "$LAB_SERVER_ADDR"
		ok $? "IPv$fam $proto: ecmptrace ran at its defaults"
		if [ "$hole" = 1 ]; then lo=1392; else lo=1400; fi
		check_pmtu "$out" "$LAB_SMALL_ADDR" "$lo" $((1 - hole))
		ok $? "IPv$fam $proto: m$small's branch has a PMTU in $lo-1400 ($([ "$hole" = 1 ] && echo 'no messages' || echo 'from the messages')), the others 1500"
	done
done

tap_done
