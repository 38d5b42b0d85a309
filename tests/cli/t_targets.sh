#!/bin/bash
# Bad targets against the real binary (no root needed: all of it is
# refused before any socket opens): a --targets file with a bad line, one
# that cannot be read or holds nothing, duplicates (in the file, between
# the file and the command line, two names of one address), unknown hosts
# (all named), a rate too small to share.  Each must exit 2 with exactly
# one "ecmptrace: ..." line naming the problem (FILE:LINE for a line).
# Only loopback and names under .invalid (RFC 6761) appear here.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"

[ -x "$ECMPTRACE" ] || skip_all "ecmptrace not built ($ECMPTRACE)"

dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
out="$dir/out" errf="$dir/err"

# bad WANT ARG...: exit 2, one stderr line, equal to "ecmptrace: WANT".
bad() {
	local want=$1 status
	shift
	timeout 10 "$ECMPTRACE" "$@" >"$out" 2>"$errf" </dev/null
	status=$?
	if [ "$status" -eq 2 ] && [ "$(wc -l <"$errf")" -eq 1 ] &&
		[ "$(cat "$errf")" = "ecmptrace: $want" ]; then
		ok 0 "-> 2: $want"
	else
		ok 1 "-> 2: $want"
		diag "status $status; stderr:"
		sed 's/^/#   /' "$errf" | head -n 5
	fi
}

f="$dir/t"
printf '# ok so far\n127.0.0.1\n\ntcp 127.0.0.2 80\nsctp 127.0.0.3 9 9\n' >"$f"
bad "$f:5: too many words from '9' on (expected [udp|tcp|icmp] HOST [PORT])" -r -c 1 --targets "$f"
printf 'tcp\n' >"$f"
bad "$f:1: no host after 'tcp'" -r -c 1 --targets "$f"
printf '127.0.0.1\ntcp 127.0.0.1 70000\n' >"$f"
bad "$f:2: port '70000' is not a number from 1 to 65535" -r -c 1 --targets "$f"
printf 'icmp 127.0.0.1 7\n' >"$f"
bad "$f:1: icmp takes no port ('7')" -r -c 1 --targets "$f"
printf '127.0.0.1 # one\nudp 127.0.0.2\nUDP 127.0.0.1 33434\n' >"$f"
bad "$f:3: duplicate of line 1 (udp 127.0.0.1 33434)" -r -c 1 --targets "$f"
printf 'tcp 127.0.0.1\n' >"$f"
bad "$f:1: duplicate target '127.0.0.1' (tcp, port 80)" -T -r -c 1 127.0.0.1 --targets "$f"
bad "'127.0.0.1' and 'localhost' are the same target (127.0.0.1, udp port 33434)" \
	-4 -r -c 1 127.0.0.1 localhost
printf '127.0.0.2\n\n127.0.0.1\n' >"$f"
bad "$f:3: duplicate target '127.0.0.1' (udp, port 33434)" -r -c 1 127.0.0.1 --targets "$f"
printf '127.0.0.2\n\nlocalhost\n' >"$f"
bad "'127.0.0.1' and 'localhost' ($f:3) are the same target (127.0.0.1, udp port 33434)" \
	-4 -r -c 1 127.0.0.1 --targets "$f"
printf 'a.invalid\n127.0.0.1\nb.invalid\n' >"$f"
bad "2 of 3 targets cannot be traced: 'a.invalid' ($f:1), 'b.invalid' ($f:3) (the first: unknown host 'a.invalid')" \
	-r -c 1 --targets "$f"
bad "unknown host 'c.invalid'" -r -c 1 c.invalid
bad "1 of 2 targets cannot be traced: '::1' (the first: address '::1' is not an IPv4 address)" \
	-4 -r -c 1 127.0.0.1 ::1
bad "cannot read $dir/none: No such file or directory" -r -c 1 --targets "$dir/none"
: >"$f"
bad "$f: no targets in it" -r -c 1 --targets "$f"
printf '# nothing\n\n' >"$f"
bad "$f: no targets in it" -r -c 1 --targets "$f"
bad "--rate 2 cannot give each of 3 targets a probe a second: give --rate 3 or more" \
	--rate 2 -r -c 1 127.0.0.1 127.0.0.2 127.0.0.3
bad "--targets needs a file name" --targets ""

tap_done
