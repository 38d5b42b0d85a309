#!/bin/bash
# A chain of four routers without multipath: exactly one branch per hop,
# the routers in order, the server at TTL 5.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_chain 4
ok $? "topology built"
out="$LAB_TMP/chain.json"
lab_ecmptrace "$out" -n -j -c 5 --flows 32 -i 0.2 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
lab_check one-branch "$out"
ok $? "exactly one branch per hop"
good=0
t=1
for a in $LAB_CHAIN_ADDRS; do
	lab_check only "$out" "$t" "$a" || good=1
	t=$((t + 1))
done
ok "$good" "the chain's routers in order ($LAB_CHAIN_ADDRS)"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination at TTL $LAB_DEST_TTL"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path is the chain"
lab_check reached "$out"
ok $? "every flow reached the server without loss"

tap_done
