#!/bin/bash
# Two-way ECMP where r2a drops 30% of what it forwards towards the
# server: the flows through r2a must show about 30% end-to-end loss, the
# flows through r2b none, and r2b's branch at TTL 2 no loss at all.  The
# bounds are four binomial standard deviations around 30%.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

permille=300
lab_topo_ecmp2 "$permille" a
ok $? "topology built ($permille permille loss on r2a towards the server)"
out="$LAB_TMP/lossy.json"
lab_ecmptrace "$out" -n -j -c 20 --flows 16 -i 0.1 --timeout 1 --rate 1000 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
lab_schema report "$out"
lab_ok_or_skip $? "the JSON document is valid against doc/ecmptrace.schema.json"
lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "both branches at TTL $LAB_BRANCH_TTL"
lab_check lossy "$out" "$LAB_BRANCH_TTL" "$LAB_LOSSY_ADDR" "$LAB_SIBLING_ADDR" "$permille"
ok $? "loss is on the flows of the lossy branch only, about $permille permille"
# The flows through the lossy branch, by source port, as the oracle says.
lab_check flows "$out" | while read -r _ sport; do
	[ "$(lab_oracle "$LAB_ECMP_NS" "$LAB_SERVER_ADDR" udp "$sport" \
		"$(lab_check port "$out")")" = "$LAB_LOSSY_ADDR" ] && echo "$sport"
done >"$LAB_TMP/lossy-ports"
lab_check finding "$out" lossy-branch --blames "$LAB_LOSSY_ADDR" --ports "$LAB_TMP/lossy-ports"
ok $? "a lossy-branch finding blames $LAB_LOSSY_ADDR and names its flows"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle" --allow-null
ok $? "every flow's path equals the kernel's ECMP choice"
diag "r2a dropped $(lab_loss_count "$LAB_LOSSY_NS") packets"

tap_done
