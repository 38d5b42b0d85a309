#!/bin/bash
# Exit status 2 is for usage errors only: a name that does not exist is
# the user's mistake (2), but a name service that fails - here a name
# server that does not answer, glibc's EAI_AGAIN "Temporary failure in
# name resolution" - is a runtime failure (1), and so is output that cannot
# be written.  The namespace gets its own resolv.conf through a private
# mount namespace (nothing in /etc is touched); dnsmasq, run in it,
# answers NXDOMAIN for the unknown name.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init
command -v unshare >/dev/null || skip_all "unshare (util-linux) missing"

lab_ns client
ok $? "namespace built"
ns=$(lab_ns_name client)
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$LAB_TMP/resolv.conf"

# run_with_dns OUT ARGS...: ecmptrace in the namespace, with that resolv.conf; the status.
run_with_dns() {
	local out=$1; shift
	timeout -k 5 30 ip netns exec "$ns" unshare -m sh -c \
		'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh \
		"$LAB_TMP/resolv.conf" "$ECMPTRACE" "$@" >"$out" 2>"$out.err" </dev/null
}

# No name server listens: every query is refused, a temporary failure.
run_with_dns "$LAB_TMP/again" -n -r -c 1 db.ecmptrace.test
status=$?
[ "$status" -eq 1 ] && [ "$(wc -l <"$LAB_TMP/again.err")" -eq 1 ] &&
	grep -q "^ecmptrace: cannot resolve 'db.ecmptrace.test': Temporary failure" "$LAB_TMP/again.err"
ok $? "no answer from the name server: status 1 (runtime), one line: $(head -c 200 "$LAB_TMP/again.err") (status $status)"

if command -v dnsmasq >/dev/null; then
	lab_bg "$ns" dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
		--listen-address=127.0.0.1 --port=53 --local=/test/ \
		--address=/known.ecmptrace.test/10.9.9.9 --pid-file="$LAB_TMP/dnsmasq.pid" \
		--user=root --log-facility="$LAB_TMP/dnsmasq.log"
	for _ in $(seq 50); do
		ip netns exec "$ns" ss -lun 2>/dev/null | grep -q '127.0.0.1:53 ' && break
		sleep 0.1
	done
	run_with_dns "$LAB_TMP/nx" -n -r -c 1 nope.ecmptrace.test
	status=$?
	[ "$status" -eq 2 ] && grep -q "^ecmptrace: unknown host 'nope.ecmptrace.test'" "$LAB_TMP/nx.err"
	ok $? "a name the server says does not exist: status 2 (usage): $(head -c 200 "$LAB_TMP/nx.err") (status $status)"
	# The same server knows the other name: the lookup itself succeeds (what
	# follows, a route to 10.9.9.9, is another matter), so not 2.
	run_with_dns "$LAB_TMP/known" -n -r -c 1 known.ecmptrace.test
	status=$?
	! grep -q "resolve\|unknown host" "$LAB_TMP/known.err" && [ "$status" -ne 2 ]
	ok $? "a name it knows resolves (status $status: $(head -c 200 "$LAB_TMP/known.err"))"
else
	for what in "NXDOMAIN: status 2" "a known name resolves"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $what # SKIP dnsmasq missing"
	done
fi

tap_done
