#!/bin/bash
# Two-way ECMP (client - r1 - {r2a, r2b} - r3 - server), UDP: ecmptrace
# must find both branch routers at TTL 2, each carrying flows, the server
# at TTL 4, and put every flow on the path the kernel's ECMP hash chose
# for its source port (the oracle: "ip route get ... sport N" hop by hop).
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_ecmp2
ok $? "topology built"
out="$LAB_TMP/ecmp2.json"
lab_ecmptrace "$out" -n -j -c 10 --flows 16 -i 0.2 --timeout 1 --rate 500 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
lab_schema report "$out"
lab_ok_or_skip $? "the JSON document is valid against doc/ecmptrace.schema.json"
lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "both branches ($LAB_BRANCH_ADDRS) at TTL $LAB_BRANCH_TTL, each with flows"
lab_check only "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "no other address at TTL $LAB_BRANCH_TTL"
lab_check only "$out" 1 ${LAB_TTL_ADDRS[1]}
ok $? "TTL 1 is r1 only"
lab_check only "$out" 3 "$LAB_MERGE_ADDR"
ok $? "TTL 3 is r3 only ($LAB_MERGE_ADDR)"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination $LAB_SERVER_ADDR at TTL $LAB_DEST_TTL for every flow"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
ok $? "oracle paths computed"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path equals the kernel's ECMP choice"
lab_check reached "$out"
ok $? "every flow reached the server without loss"
lab_check no-findings "$out"
ok $? "no findings on a clean network"

tap_done
