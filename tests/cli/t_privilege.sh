#!/bin/bash
# Without CAP_NET_RAW ecmptrace cannot open its raw sockets; it must stop
# with a non-zero status and tell the user what is missing and how to grant
# it (setcap), not fail with a bare "Operation not permitted" or hang.
# Runs the binary as nobody with every capability dropped, against
# loopback only.  Needs root to switch user.
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

# unprivileged ARG...: must fail, naming CAP_NET_RAW and setcap.
unprivileged() {
	local status
	timeout 10 "${as_nobody[@]}" "$ECMPTRACE" "$@" >/dev/null 2>"$errf" </dev/null
	status=$?
	ok $([ "$status" -ne 0 ] && [ "$status" -ne 124 ]; echo $?) \
		"unprivileged ecmptrace $* fails (status $status)"
	grep -q "CAP_NET_RAW" "$errf"
	ok $? "unprivileged ecmptrace $*: message names CAP_NET_RAW"
	grep -q "setcap" "$errf"
	ok $? "unprivileged ecmptrace $*: message suggests setcap"
	[ "$status" -eq 0 ] || sed 's/^/#   /' "$errf" | head -n 5
}

unprivileged -r -c 1 127.0.0.1
unprivileged -T -j -c 1 127.0.0.1

# Help needs no privileges at all.
timeout 10 "${as_nobody[@]}" "$ECMPTRACE" --help >/dev/null 2>&1
ok $? "unprivileged ecmptrace --help exits 0"

tap_done
