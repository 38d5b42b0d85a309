#!/bin/bash
# ICMP echo probes (--icmp): every flow reaches the server without loss.
# Linux hashes ICMP echo on addresses only, so all flows share one branch;
# that branch must be one of the two and the path must end at the server.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_ecmp2
ok $? "topology built"
out="$LAB_TMP/icmp.json"
lab_ecmptrace "$out" --icmp -n -j -c 5 --flows 8 -i 0.2 --timeout 1 --rate 500 "$LAB_SERVER_ADDR"
ok $? "ecmptrace --icmp -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
lab_check reached "$out"
ok $? "every flow reached the server without loss"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination at TTL $LAB_DEST_TTL"
lab_oracle_paths "$out" icmp 0 "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path equals the kernel's choice for ICMP"

tap_done
