#!/bin/bash
# Leaks fail CI: each face (-j, -r, --json-stream) runs with its default
# adaptive discovery (the flow count grows as branches appear) on a
# two-stage diamond, under LeakSanitizer, whatever ASAN_OPTIONS the suite
# set (contrib/run-tests.sh turns leak detection off for the others).
# Needs a build with --enable-sanitizers; skips otherwise.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
# An ASan build lists its flags for help=1; any other build ignores it.
if ! ASAN_OPTIONS=help=1 "$ECMPTRACE" --version 2>&1 | grep -q AddressSanitizer; then
	echo "1..0 # SKIP not built with --enable-sanitizers"
	exit 0
fi
lab_init

lab_topo_diamond
ok $? "topology built"
# Leaks are reported at exit with status 23, so a leak is never taken for
# another failure.
export ASAN_OPTIONS="detect_leaks=1:exitcode=23:abort_on_error=0"
for face in -j -r --json-stream; do
	out="$LAB_TMP/leak$face"
	lab_ecmptrace "$out" "$face" -n -c 4 -i 0.1 --timeout 0.5 "$LAB_SERVER_ADDR"
	status=$?
	flows=$(grep -c 'branch_new' "$out")
	! grep -q 'LeakSanitizer\|ERROR: AddressSanitizer' "$out.err" && [ "$status" -eq 0 ]
	ok $? "$face with adaptive discovery: no leak (status $status)"
	[ "$face" = --json-stream ] && {
		[ "$flows" -ge 4 ]
		ok $? "--json-stream saw the diamond's branches appear ($flows branch_new lines)"
	}
done

tap_done
