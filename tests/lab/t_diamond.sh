#!/bin/bash
# Two ECMP stages of different widths: a 2-way split at r1 (branches at
# TTL 2) and a 3-way split at r3 (branches at TTL 5).  With 32 flows
# ecmptrace must find all five branch routers and put every flow on the
# path the kernel's hash chose at both stages.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_diamond
ok $? "topology built"
out="$LAB_TMP/diamond.json"
lab_ecmptrace "$out" -n -j -c 5 --flows 32 -i 0.2 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
set -- $LAB_STAGE_TTLS
lab_check branches "$out" "$1" $LAB_STAGE1_ADDRS
ok $? "stage 1: both branches at TTL $1"
lab_check only "$out" "$1" $LAB_STAGE1_ADDRS
ok $? "stage 1: nothing else at TTL $1"
lab_check branches "$out" "$2" $LAB_STAGE2_ADDRS
ok $? "stage 2: all three branches at TTL $2"
lab_check only "$out" "$2" $LAB_STAGE2_ADDRS
ok $? "stage 2: nothing else at TTL $2"
good=0
for t in 1 3 4 6; do
	lab_check only "$out" "$t" ${LAB_TTL_ADDRS[$t]} || good=1
done
ok "$good" "single routers at TTLs 1, 3, 4 and 6"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination at TTL $LAB_DEST_TTL for every flow"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path equals the kernel's choice at both stages"

tap_done
