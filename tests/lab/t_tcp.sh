#!/bin/bash
# TCP SYN probes (-T -P PORT) against a listener on the server: every
# flow reaches the destination without loss, both branches are found and
# the paths follow the kernel's ECMP hash for TCP.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

port=8080
lab_topo_ecmp2
ok $? "topology built"
lab_tcp_listen "$LAB_SERVER_NS" "$port"
ok $? "listener on port $port"
out="$LAB_TMP/tcp.json"
lab_ecmptrace "$out" -T -P "$port" -n -j -c 10 --flows 16 -i 0.2 --timeout 1 --rate 500 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -T -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
[ "$(lab_check port "$out")" = "$port" ]
ok $? "port is $port"
lab_check reached "$out"
ok $? "every flow reached the server without loss"
lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "destination at TTL $LAB_DEST_TTL"
lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "both branches at TTL $LAB_BRANCH_TTL"
lab_oracle_paths "$out" tcp "$port" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle"
ok $? "every flow's path equals the kernel's ECMP choice for TCP"

tap_done
