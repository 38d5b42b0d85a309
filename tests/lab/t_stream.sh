#!/bin/bash
# --json-stream on the lossy two-way ECMP: every line is valid against the
# schema, the stream starts with "start" and ends with "end", has rising
# "round" lines up to the last round, announces each branch router at
# TTL 2 once, and the flows of its "end" line follow the kernel's choice.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

rounds=5
lab_topo_ecmp2 200 b
ok $? "topology built (200 permille loss on r2b)"
out="$LAB_TMP/stream.jsonl"
lab_ecmptrace "$out" -n --json-stream -c "$rounds" --flows 16 -i 0.2 --timeout 1 --rate 500 \
	"$LAB_SERVER_ADDR"
ok $? "ecmptrace --json-stream ran"
lab_schema stream "$out"
lab_ok_or_skip $? "every line is valid against doc/ecmptrace.schema.json"
lab_check stream "$out" "$rounds" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "start, rounds up to $rounds, end; each branch announced once"
head -n 1 "$out" >"$LAB_TMP/start.json"
tail -n 1 "$out" >"$LAB_TMP/end.json"
lab_oracle_paths "$LAB_TMP/end.json" udp "$(lab_check port "$LAB_TMP/start.json")" "$LAB_TMP/oracle"
lab_check paths "$LAB_TMP/end.json" "$LAB_TMP/oracle" --allow-null
ok $? "the flows of the end line follow the kernel's ECMP choice"

tap_done
