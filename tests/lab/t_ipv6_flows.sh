#!/bin/bash
# IPv6 flows: what varies between flows decides what ecmptrace can see.
# Routers hashing on addresses + flow label only (fib_multipath_hash_policy
# 0, Linux's IPv6 default): the default flows (port and label) and --vary
# label find both branches, --vary sport finds one - proof that the label
# is what ecmptrace controls.  Routers hashing on ports: --vary sport finds
# both.  A lossy branch is blamed as on IPv4, and TCP probes reach a
# listener on an IPv6 address.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init
LAB_FAMILY=6
out="$LAB_TMP/v6.json"
# 16 fixed flows: a 2-way split hides from all of them with odds 2^-15.
fast=(-n -j -c 3 --flows 16 -i 0.2 --timeout 1 --rate 2000)

both() { lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS; }

lab_topo_ecmp2
ok $? "IPv6 2-way ECMP built"
for ns in $LAB_ECMP_NS; do
	lab_exec "$ns" sysctl -qw net.ipv6.fib_multipath_hash_policy=0
done
ok $? "the splitting router hashes on addresses and flow label (policy 0)"
lab_ecmptrace "$out" "${fast[@]}" "$LAB_SERVER_ADDR" && both
ok $? "policy 0: the default flows (port and label) find both branches"
lab_ecmptrace "$out" "${fast[@]}" --vary label "$LAB_SERVER_ADDR" && both
ok $? "policy 0: --vary label finds both branches"
lab_ecmptrace "$out" "${fast[@]}" --vary sport "$LAB_SERVER_ADDR" && lab_check one-branch "$out"
ok $? "policy 0: --vary sport sees a single branch"
"$LAB_PY" - "$out" <<'PY'
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
labels = {f["flow_label"] for f in flows}
sys.exit(0 if len(labels) == 1 and None not in labels else 1)
PY
ok $? "--vary sport keeps one flow label for every flow"
lab_teardown

lab_topo_ecmp2
ok $? "IPv6 2-way ECMP hashing on ports built"
lab_ecmptrace "$out" "${fast[@]}" --vary sport "$LAB_SERVER_ADDR" && both
ok $? "port hashing: --vary sport finds both branches"
lab_ecmptrace "$out" "${fast[@]}" "$LAB_SERVER_ADDR" && both
ok $? "port hashing: the default flows find both branches"
lab_tcp_listen "$LAB_SERVER_NS" 8443
ok $? "listener on [$LAB_SERVER_ADDR]:8443"
lab_ecmptrace "$out" -T -P 8443 "${fast[@]}" "$LAB_SERVER_ADDR" && lab_check reached "$out" &&
	lab_check dest "$out" "$LAB_DEST_TTL" "$LAB_SERVER_ADDR"
ok $? "TCP SYN probes reach the IPv6 listener from every flow, without loss"
lab_teardown

lab_topo_ecmp2 300 a
ok $? "IPv6 2-way ECMP with 30% loss behind $LAB_LOSSY_ADDR built"
lab_ecmptrace "$out" -n -j -c 20 --flows 16 -i 0.1 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -6 ran 20 rounds"
lab_check lossy "$out" "$LAB_BRANCH_TTL" "$LAB_LOSSY_ADDR" "$LAB_SIBLING_ADDR" 300
ok $? "the lossy branch's flows lose about 30%, its sibling's none"
lab_check finding "$out" lossy-branch --blames "$LAB_LOSSY_ADDR"
ok $? "a lossy-branch finding blames $LAB_LOSSY_ADDR"

tap_done
