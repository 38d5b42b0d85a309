#!/bin/bash
# The field case: the replies of a service on TCP 3306 die on one of the
# two return branches (r3 hashes the server's replies; r2a drops TCP from
# source port 3306 towards the client).  TCP probes to 3306 (-T -P 3306)
# must show 100% end-to-end loss for exactly the flows whose replies r3
# sends through r2a and none for the others, with a return-path-loss
# finding naming their source ports, while ICMP probes see no loss.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

port=3306
lab_topo_return_loss "$port"
ok $? "topology built"
lab_tcp_listen "$LAB_SERVER_NS" "$port"
ok $? "service listens on $port"
out="$LAB_TMP/tcp.json"
lab_ecmptrace "$out" -T -P "$port" -n -j -c 10 --flows 16 -i 0.2 --timeout 1 --rate 500 \
	"$LAB_SERVER_ADDR"
ok $? "ecmptrace -T -P $port -j ran"
lab_check shape "$out"
ok $? "the JSON document has the schema_version 2 fields"
lab_schema report "$out"
lab_ok_or_skip $? "the JSON document is valid against doc/ecmptrace.schema.json"
lossy_via=$(lab_ifaddr 4 r2a r3)
lab_check flows "$out" | while read -r _ sport; do
	[ "$(lab_return_via tcp "$sport" "$port")" = "$lossy_via" ] && echo "$sport"
done >"$LAB_TMP/bad"
diag "flows whose replies go through r2a: $(tr '\n' ' ' <"$LAB_TMP/bad")"
lab_check returnloss "$out" "$LAB_TMP/bad"
ok $? "exactly the flows whose replies r3 sends via r2a lose everything"
[ -s "$LAB_TMP/bad" ] && [ "$(wc -l <"$LAB_TMP/bad")" -lt 16 ]
ok $? "some flows fail and some work"
lab_check finding "$out" return-path-loss --ports "$LAB_TMP/bad"
ok $? "a return-path-loss finding names exactly those source ports"
# The finding's advice must reproduce the failure: its nc commands, run
# in the client, fail (three of them, to keep the test short), and the
# same command from a port of a working flow succeeds.
lab_check reproduce "$out" return-path-loss >"$LAB_TMP/repro"
good=0 tried=0
while read -r cmd && [ "$tried" -lt 3 ]; do
	case $cmd in
	"nc "*" $LAB_SERVER_ADDR $port") ;;
	*) diag "unexpected reproduce command: $cmd"; good=1; continue ;;
	esac
	tried=$((tried + 1))
	if lab_exec "$LAB_CLIENT_NS" $cmd </dev/null >/dev/null 2>&1; then
		diag "succeeded: $cmd"
		good=1
	fi
done <"$LAB_TMP/repro"
[ "$tried" -gt 0 ] || good=1
ok "$good" "the finding's reproduce commands fail ($tried tried)"
goodport=$(lab_check flows "$out" | while read -r _ sport; do
	grep -qx "$sport" "$LAB_TMP/bad" || { echo "$sport"; break; }
done)
[ -n "$goodport" ] && lab_exec "$LAB_CLIENT_NS" nc -z -w 2 -p "$goodport" "$LAB_SERVER_ADDR" "$port" </dev/null
ok $? "the same nc from a working flow's port ($goodport) succeeds"
lab_oracle_paths "$out" tcp "$port" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle" --allow-null
ok $? "forward paths still follow the kernel's choice"
out="$LAB_TMP/icmp.json"
lab_ecmptrace "$out" --icmp -n -j -c 5 --flows 4 -i 0.2 --timeout 1 --rate 500 "$LAB_SERVER_ADDR"
ok $? "ecmptrace --icmp -j ran"
lab_check reached "$out"
ok $? "ICMP probes (like ping) see no loss"

tap_done
