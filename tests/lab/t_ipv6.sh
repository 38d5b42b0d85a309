#!/bin/bash
# IPv6 (-6): the two-way ECMP and the diamond over IPv6.  ecmptrace must
# find every branch router of each stage and put every flow on the path
# UDP probes with the same source port really take (the IPv6 oracle is
# measured, see lab_path; the routers hash on ports, not flow labels).
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
LAB_FAMILY=6
lab_init

lab_topo_ecmp2
ok $? "ecmp2 over IPv6 built"
out="$LAB_TMP/ecmp2.json"
lab_ecmptrace "$out" -6 -n -j -c 5 --flows 16 -i 0.2 --timeout 1 --rate 500 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -6 -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
lab_schema report "$out"
lab_ok_or_skip $? "the JSON document is valid against doc/ecmptrace.schema.json"
lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "both branches ($LAB_BRANCH_ADDRS) at TTL $LAB_BRANCH_TTL"
lab_check only "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "nothing else at TTL $LAB_BRANCH_TTL"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination at TTL $LAB_DEST_TTL for every flow"
lab_check reached "$out"
ok $? "every flow reached the server without loss"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path equals the path its source port takes"
lab_teardown

lab_topo_diamond
ok $? "diamond over IPv6 built"
out="$LAB_TMP/diamond.json"
lab_ecmptrace "$out" -6 -n -j -c 5 --flows 32 -i 0.2 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -6 -j ran"
set -- $LAB_STAGE_TTLS
lab_check branches "$out" "$1" $LAB_STAGE1_ADDRS
ok $? "stage 1: both branches at TTL $1"
lab_check branches "$out" "$2" $LAB_STAGE2_ADDRS
ok $? "stage 2: all three branches at TTL $2"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination at TTL $LAB_DEST_TTL"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path equals the path its source port takes"

tap_done
