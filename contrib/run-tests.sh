#!/bin/sh
# README command (2): install what is missing, build with warnings as errors
# and AddressSanitizer + UndefinedBehaviorSanitizer, and run the whole test
# suite (unit, simulator, fuzz replay, command line, namespace lab, live
# view in tmux).  Lab and live-view tests need root; they skip without it.
# Ends with "N passed, N failed".
# Usage: sudo contrib/run-tests.sh
set -u
cd "$(dirname "$0")/.."
contrib/setup.sh --enable-werror --enable-sanitizers || exit 1

# Leaks are checked by the fuzz replays and tests/lab/t_leaks.sh (which turns
# detection back on for each face); the others must not be made flaky by it.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
make -j"$(nproc)" check >/dev/null 2>&1
status=$?

# The automake TAP driver counts every check; test-suite.log has the totals.
count() {
	n=$(sed -n "s/^# $1: *\([0-9]*\)$/\1/p" test-suite.log 2>/dev/null | head -n 1)
	echo "${n:-0}"
}
# Print the failing tests' logs so a red run says why.
if [ "$status" -ne 0 ]; then
	find tests -name '*.log' ! -name test-suite.log | while read -r log; do
		if grep -q '^not ok\|^ERROR:\|^FAIL:' "$log" 2>/dev/null; then
			echo "==== $log"
			tail -n 40 "$log"
		fi
	done
fi
passed=$(( $(count PASS) + $(count XFAIL) ))
failed=$(( $(count FAIL) + $(count XPASS) + $(count ERROR) ))
skipped=$(count SKIP)
if [ "$skipped" -gt 0 ]; then
	# Say which, and why: lab and live-view tests skip without root, a few
	# checks skip where a tool (valgrind, nc) or build (sanitizers) rules them out.
	echo "skipped: $skipped"
	find tests -name '*.log' ! -name test-suite.log -exec grep -h '^SKIP:' {} + 2>/dev/null |
		sed 's/^SKIP: /  /' | head -n 20
fi
# A failed build or a crash of the harness must not look green.
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
