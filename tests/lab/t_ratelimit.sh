#!/bin/bash
# ICMP rate limiting is not loss: r2a gets Linux's default ICMP error rate
# limits back, so most probes that expire there go unanswered while the
# same flows reach the server without loss.  ecmptrace must report a
# rate-limited-hop finding at r2a, not a lossy branch, and no end-to-end
# loss.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_ecmp2
ok $? "topology built"
limited="$LAB_PREFIX-r2a"
lab_icmp_ratelimit "$limited" on
ok $? "Linux default ICMP rate limits on r2a"
out="$LAB_TMP/ratelimit.json"
lab_ecmptrace "$out" -n -j -c 10 --flows 16 -i 0.2 --timeout 1 --rate 500 "$LAB_SERVER_ADDR"
ok $? "ecmptrace -j ran"
lab_check reached "$out"
ok $? "every flow reached the server without loss"
lab_check finding "$out" rate-limited-hop --blames "$(lab_answer "$limited")"
ok $? "a rate-limited-hop finding blames r2a"
! lab_check finding "$out" lossy-branch >/dev/null
ok $? "no lossy-branch finding"
lab_oracle_paths "$out" udp "$(lab_check port "$out")" "$LAB_TMP/oracle"
lab_check paths "$out" "$LAB_TMP/oracle" --allow-null
ok $? "every flow's path equals the kernel's choice where it answered"

tap_done
