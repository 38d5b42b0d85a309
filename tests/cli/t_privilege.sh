#!/bin/bash
# Without CAP_NET_RAW ecmptrace cannot open its raw sockets; it must go on
# over ordinary sockets (unprivileged mode), saying once what is missing
# and how to grant it (setcap), not fail with a bare "Operation not
# permitted" or hang.  ICMP then needs a ping socket: where
# net.ipv4.ping_group_range leaves nobody out, it must stop with a
# non-zero status naming that setting and setcap.  Runs the binary as
# nobody with every capability dropped, against loopback only.  Needs root
# to switch user.  (tests/lab/t_unprivileged.sh traces real networks so.)
. "$top_srcdir/tests/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to run the binary as an unprivileged user"
[ -x "$ECMPTRACE" ] || skip_all "ecmptrace not built ($ECMPTRACE)"

nobody=65534
if command -v setpriv >/dev/null 2>&1; then
	as_nobody=(setpriv --reuid=$nobody --regid=$nobody --clear-groups --inh-caps=-all)
elif command -v runuser >/dev/null 2>&1; then
	as_nobody=(runuser -u nobody --)
else
	skip_all "neither setpriv nor runuser is installed"
fi
# A build tree under a private directory is not reachable by nobody.
"${as_nobody[@]}" test -x "$ECMPTRACE" ||
	skip_all "user $nobody cannot execute $ECMPTRACE (private build directory?)"
# A binary given file capabilities (setcap) would legitimately succeed.
if command -v getcap >/dev/null 2>&1 && [ -n "$(getcap "$ECMPTRACE" 2>/dev/null)" ]; then
	skip_all "$ECMPTRACE has file capabilities"
fi

errf=$(mktemp) || exit 1
trap 'rm -f "$errf"' EXIT

# unprivileged ARG...: must run, saying it is unprivileged, naming CAP_NET_RAW and setcap.
unprivileged() {
	local status
	timeout 20 "${as_nobody[@]}" "$ECMPTRACE" "$@" >/dev/null 2>"$errf" </dev/null
	status=$?
	ok "$status" "unprivileged ecmptrace $* runs (status $status)"
	grep -q "unprivileged mode" "$errf"
	ok $? "unprivileged ecmptrace $*: says it runs in unprivileged mode"
	grep -q "CAP_NET_RAW" "$errf" && grep -q "setcap" "$errf"
	ok $? "unprivileged ecmptrace $*: message names CAP_NET_RAW and setcap"
	[ "$(grep -c "not available without CAP_NET_RAW" "$errf")" -eq 1 ]
	ok $? "unprivileged ecmptrace $*: says once what is not available"
	[ "$status" -eq 0 ] || sed 's/^/#   /' "$errf" | head -n 5
}

unprivileged -r -c 1 127.0.0.1
unprivileged -T -j -c 1 127.0.0.1
# The stream's start event says what is not available, as the document does.
timeout 20 "${as_nobody[@]}" "$ECMPTRACE" --json-stream -n -c 1 127.0.0.1 2>/dev/null </dev/null |
	head -n 1 | grep -q '"type":"start".*"unavailable":\["link_check","next_hop_frames","short_quotes"\]'
ok $? "unprivileged --json-stream: the start event lists what is unavailable"
! timeout 20 "$ECMPTRACE" -j -n -c 1 127.0.0.1 2>/dev/null </dev/null | grep -q '"unavailable"'
ok $? "with raw sockets (root) nothing is said unavailable"

# Every flow holds a socket: more flows than the descriptor limit allows is a usage error.
(ulimit -n 100 && timeout 20 "${as_nobody[@]}" "$ECMPTRACE" --flows 500 -r -c 1 127.0.0.1 \
	>/dev/null 2>"$errf" </dev/null)
status=$?
[ "$status" -eq 2 ] && grep -q "ulimit -n" "$errf"
ok $? "unprivileged --flows 500 under ulimit -n 100: usage error naming ulimit (status $status)"

# ICMP where ping sockets are refused to nobody's group.
read -r low high </proc/sys/net/ipv4/ping_group_range
if [ "$low" -le $nobody ] && [ $nobody -le "$high" ]; then
	unprivileged --icmp -r -c 1 127.0.0.1
else
	timeout 20 "${as_nobody[@]}" "$ECMPTRACE" --icmp -r -c 1 127.0.0.1 >/dev/null \
		2>"$errf" </dev/null
	status=$?
	[ "$status" -eq 1 ]
	ok $? "unprivileged --icmp without ping sockets fails (status $status)"
	grep -q "ping_group_range" "$errf" && grep -q "setcap" "$errf"
	ok $? "unprivileged --icmp: message names ping_group_range and setcap"
fi

# Help needs no privileges at all.
timeout 10 "${as_nobody[@]}" "$ECMPTRACE" --help >/dev/null 2>&1
ok $? "unprivileged ecmptrace --help exits 0"

tap_done
