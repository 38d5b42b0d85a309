# TAP helpers for the shell tests: source it, call ok/fail/skip_all, end
# with tap_done.  Each check is one "ok N - what" line for the automake
# TAP driver.
tap_n=0
tap_failed=0

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION...
	local status=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failed=$((tap_failed + 1))
	fi
}

check() {	# check DESCRIPTION -- COMMAND...: runs COMMAND, ok if it exits 0
	local desc=$1; shift
	[ "$1" = "--" ] && shift
	"$@"
	ok $? "$desc"
}

diag() { echo "# $*"; }

skip_all() {	# the whole file cannot run here (e.g. not root)
	echo "1..0 # SKIP $*"
	exit 0
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
