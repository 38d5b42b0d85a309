#!/bin/bash
# Adaptive branch discovery (the default, without --flows) on real
# namespaces: one -c 1 pass over the two-stage diamond finds every
# interface and says each hop is complete at 95%; on the lossy 2-way ECMP
# the monitoring flows that follow discovery cover both branches well
# enough to blame the lossy one; over IPv6 the default flows (port and
# label) find both branches of a label-hashing split.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

# Every hop of the document says discovery is complete at the confidence.
discovery_complete() {	# discovery_complete FILE CONFIDENCE
	"$LAB_PY" - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
bad = [h["ttl"] for h in doc["hops"]
       if not h["discovery"]["complete"] or h["discovery"]["confidence"] != want]
print("# probes sent: %d, flows: %d, incomplete hops: %s"
      % (doc["probes"]["sent"], len(doc["flows"]), bad or "none"))
sys.exit(1 if bad else 0)
PY
}

lab_topo_diamond
ok $? "diamond built"
out="$LAB_TMP/mda.json"
lab_ecmptrace "$out" -n -j -c 1 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR"
ok $? "one adaptive discovery pass (-c 1) ran"
lab_schema report "$out"
ok $? "the document validates against the schema"
set -- $LAB_STAGE_TTLS
lab_check branches "$out" "$1" $LAB_STAGE1_ADDRS && lab_check only "$out" "$1" $LAB_STAGE1_ADDRS
ok $? "stage 1: exactly the 2 branches at TTL $1"
lab_check branches "$out" "$2" $LAB_STAGE2_ADDRS && lab_check only "$out" "$2" $LAB_STAGE2_ADDRS
ok $? "stage 2: exactly the 3 branches at TTL $2"
discovery_complete "$out" 95
ok $? "every hop: discovery complete at 95%"
lab_ecmptrace "$out" -n -j -c 1 --confidence 99 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR" &&
	lab_check branches "$out" "$2" $LAB_STAGE2_ADDRS && discovery_complete "$out" 99
ok $? "--confidence 99: all found, every hop complete at 99%"
lab_teardown

lab_topo_ecmp2 300 a
ok $? "lossy 2-way ECMP built"
lab_ecmptrace "$out" -n -j -c 20 -i 0.1 --timeout 1 --rate 1000 "$LAB_SERVER_ADDR"
ok $? "adaptive run of 20 rounds ran"
lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "both branches found"
lab_check finding "$out" lossy-branch --blames "$LAB_LOSSY_ADDR"
ok $? "the lossy branch $LAB_LOSSY_ADDR is blamed"
lab_teardown

# Routers hash IPv6 on addresses and the flow label only (policy 3,
# fields 0x0b = source, destination, flow label): ports do not matter.
LAB_FAMILY=6
LAB_V6_HASH_FIELDS=0x0b
lab_topo_ecmp2
ok $? "IPv6 2-way ECMP hashing on the flow label built"
lab_ecmptrace "$out" -n -j -c 1 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR" &&
	lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "IPv6 label hashing: the default flows find both branches in one pass"
lab_ecmptrace "$out" -n -j -c 1 --vary label --timeout 1 --rate 2000 "$LAB_SERVER_ADDR" &&
	lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "IPv6 label hashing: --vary label finds both branches"
lab_ecmptrace "$out" -n -j -c 3 --flows 16 --vary sport -i 0.2 --timeout 1 --rate 2000 \
	"$LAB_SERVER_ADDR" && lab_check one-branch "$out"
ok $? "IPv6 label hashing: --vary sport (16 flows) sees one branch: the label is what we control"

tap_done
