#!/bin/bash
# Output that needs no privilege (--help, --version) must not be lost in
# silence: to a full device (/dev/full) or a closed stdout, ecmptrace says
# so on stderr and exits 1.  The traces' own faces are checked in
# tests/lab/t_outputs.sh.
. "$top_srcdir/tests/tap.sh"

[ -x "$ECMPTRACE" ] || skip_all "ecmptrace not built ($ECMPTRACE)"
[ -w /dev/full ] || skip_all "no /dev/full"
errf=$(mktemp) || exit 1
trap 'rm -f "$errf"' EXIT

for opt in --help --version; do
	timeout 10 "$ECMPTRACE" "$opt" >/dev/full 2>"$errf" </dev/null
	status=$?
	[ "$status" -eq 1 ] && grep -q '^ecmptrace: cannot write the output: ' "$errf"
	ok $? "$opt >/dev/full: status 1 and a message (status $status)"
	timeout 10 "$ECMPTRACE" "$opt" >&- 2>"$errf" </dev/null
	status=$?
	[ "$status" -eq 1 ] && grep -q '^ecmptrace: cannot write the output: ' "$errf"
	ok $? "$opt with stdout closed: status 1 and a message (status $status)"
done
# A closed stdin or stderr is no reason to fail.
timeout 10 "$ECMPTRACE" --version <&- 2>&- | grep -q '^ecmptrace '
ok $? "--version with stdin and stderr closed still prints the version"

tap_done
