#!/bin/bash
# contrib/demo-network.sh: "up" builds the field case and is re-runnable,
# "check" shows exactly the client ports whose replies the kernel hashes
# onto the faulty branch as failing while ping stays clean, "run" traces
# it with ecmptrace (when built) and "down" removes every namespace.
# Runs under a prefix of its own so it never touches a user's demo.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
command -v nc >/dev/null 2>&1 || skip_all "needs nc"
lab_init

demo="$top_srcdir/contrib/demo-network.sh"
ECMPTRACE_DEMO_PREFIX="etd$$r$RANDOM"
export ECMPTRACE_DEMO_PREFIX
trap 'rc=$?; "$demo" down >/dev/null 2>&1; lab_cleanup; exit $rc' EXIT

"$demo" up >"$LAB_TMP/up" 2>&1
ok $? "up builds the demo network"
[ "$(ip netns list | grep -c "^$ECMPTRACE_DEMO_PREFIX-")" -eq 6 ]
ok $? "six namespaces exist"
"$demo" up >"$LAB_TMP/up2" 2>&1 && grep -q "already up" "$LAB_TMP/up2"
ok $? "up again is fine"
"$demo" status >/dev/null
ok $? "status says up"

"$demo" check >"$LAB_TMP/check" 2>&1
ok $? "check ran"
sed 's/^/#   /' "$LAB_TMP/check"
# The ports whose replies r3 hashes onto r2a (10.0.4.1) must fail.
want=""
for p in $(seq 30000 30009); do
	via=$(ip -n "$ECMPTRACE_DEMO_PREFIX-r3" route get 10.0.1.1 from 10.0.6.2 iif v-db \
		ipproto tcp sport 3306 dport "$p" | sed -n 's/.* via \([0-9.]*\) .*/\1/p')
	[ "$via" = 10.0.4.1 ] && want="$want $p"
done
got=$(sed -n 's/^failed: *\([0-9 ]*\) (.*/\1/p' "$LAB_TMP/check")
got=" ${got% }"
diag "failed ports:$got; expected:$want"
[ "$(printf "%s " $got)" = "$(printf "%s " $want)" ]
ok $? "exactly the ports whose replies go through the faulty branch fail"
grep -q ' 0% packet loss' "$LAB_TMP/check"
ok $? "ping is clean"
"$demo" exec ip -4 addr show dev v-r1 | grep -q 10.0.1.1
ok $? "exec runs in the client namespace"

if [ -n "${ECMPTRACE:-}" ] && [ -x "$ECMPTRACE" ]; then
	out="$LAB_TMP/run.json"
	timeout -k 5 60 "$demo" run -T -P 3306 -n -j -c 5 >"$out" 2>"$out.err"
	ok $? "run traces the db with ecmptrace"
	lab_check flows "$out" | while read -r _ sport; do
		ip -n "$ECMPTRACE_DEMO_PREFIX-r3" route get 10.0.1.1 from 10.0.6.2 iif v-db \
			ipproto tcp sport 3306 dport "$sport" | grep -q ' via 10.0.4.1 ' && echo "$sport"
	done >"$LAB_TMP/bad"
	lab_check returnloss "$out" "$LAB_TMP/bad"
	ok $? "ecmptrace shows the failing flows and only them"
else
	diag "no ecmptrace binary: run not tested"
fi

"$demo" down >/dev/null 2>&1
ok $? "down"
! ip netns list | grep -q "^$ECMPTRACE_DEMO_PREFIX-"
ok $? "down removed every namespace"
"$demo" down >/dev/null 2>&1
ok $? "down again is fine"

tap_done
