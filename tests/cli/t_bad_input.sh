#!/bin/bash
# Bad command lines against the real binary: each must exit with status 2
# (usage error) and say what is wrong in exactly one "ecmptrace: ..." line
# on stderr, containing the keyword of the table, without hanging.  --help
# and --version must succeed on stdout.  Only loopback and names under the
# reserved .invalid TLD (RFC 6761, never resolvable) appear here.
. "$top_srcdir/tests/tap.sh"

[ -x "$ECMPTRACE" ] || skip_all "ecmptrace not built ($ECMPTRACE)"

out=$(mktemp) && errf=$(mktemp) || exit 1
trap 'rm -f "$out" "$errf"' EXIT

# bad KEYWORD ARG...: run ecmptrace ARG..., expect exit 2 and one line with KEYWORD.
bad() {
	local keyword=$1 status lines line args
	shift
	args="$*"
	args=${args//$'\n'/\\n}	# a newline would end the TAP line
	timeout 10 "$ECMPTRACE" "$@" >"$out" 2>"$errf" </dev/null
	status=$?
	lines=$(wc -l <"$errf")
	line=$(head -n 1 "$errf")
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && [ "$(tail -c 1 "$errf" | wc -l)" -eq 1 ] &&
		[[ $line == "ecmptrace: "* ]] && grep -qiF -- "$keyword" "$errf"; then
		ok 0 "ecmptrace $args -> 2: $line"
	else
		ok 1 "ecmptrace $args -> status 2 and one line with '$keyword'"
		diag "status $status, $lines stderr lines:"
		sed 's/^/#   /' "$errf" | head -n 5
		[ "$status" -eq 124 ] && diag "timed out after 10 s"
	fi
}

# Every parse error of src/options.c, through main().
bad "no host"
bad "empty host" ""
bad "more than 64 hosts" $(seq -f 127.0.0.%g 1 65)
bad "needs a file name" --targets ""
bad "unknown option '-Z'" -Z 127.0.0.1
bad "unknown or ambiguous option '--bogus'" --bogus 127.0.0.1
bad "ambiguous" --re 127.0.0.1
bad "needs an argument" 127.0.0.1 -c
bad "needs an argument" 127.0.0.1 --vary
bad "takes no argument" --json=yes 127.0.0.1
bad "invalid count 'abc': not a number" -c abc 127.0.0.1
bad "trailing characters" -c 10x 127.0.0.1
bad "invalid count '': empty" -c "" 127.0.0.1
bad "count 0 out of range" -c 0 127.0.0.1
bad "count 1000001 out of range" -c 1000001 127.0.0.1
bad "port 70000 out of range (1-65535)" -P 70000 127.0.0.1
bad "port 0 out of range" -P 0 127.0.0.1
bad "invalid port 'http'" -P http 127.0.0.1
bad "source port 0 out of range" -L 0 127.0.0.1
bad "source port 65536 out of range" -L 65536 127.0.0.1
bad "need ports up to" -L 65535 127.0.0.1
bad "need ports up to 65536" -L 61441 --flows 4096 127.0.0.1
bad "number of flows 0 out of range" --flows 0 127.0.0.1
bad "number of flows 4097 out of range" --flows 4097 127.0.0.1
bad "first TTL 0 out of range" -f 0 127.0.0.1
bad "first TTL 256 out of range" -f 256 127.0.0.1
bad "max TTL 0 out of range" -m 0 127.0.0.1
bad "max TTL 256 out of range" -m 256 127.0.0.1
bad "first TTL 10 is above max TTL 5" -f 10 -m 5 127.0.0.1
bad "must not be negative" -i -1 127.0.0.1
bad "interval 0.001 out of range" -i 0.001 127.0.0.1
bad "interval 3601 out of range" -i 3601 127.0.0.1
bad "invalid interval 'soon'" -i soon 127.0.0.1
bad "timeout 0.01 out of range" --timeout 0.01 127.0.0.1
bad "timeout 61 out of range" --timeout 61 127.0.0.1
bad "timeout 60.0000001 out of range" --timeout 60.0000001 127.0.0.1
bad "interval 3600.0000001 out of range" -i 3600.0000001 127.0.0.1
bad "rate 0 out of range" --rate 0 127.0.0.1
bad "rate 100001 out of range" --rate 100001 127.0.0.1
bad "max-unknown 0 out of range" --max-unknown 0 127.0.0.1
bad "max-unknown 256 out of range" --max-unknown 256 127.0.0.1
bad "TOS 256 out of range" --tos 256 127.0.0.1
bad "probe size 29 out of range" -s 29 127.0.0.1
bad "probe size 1281 out of range" --psize 1281 127.0.0.1
bad "invalid probe size" -s big 127.0.0.1
bad "-s/--psize does not apply to -T/--tcp" -T -s 100 127.0.0.1
bad "--pmtu with -T/--tcp needs raw sockets" -T --unprivileged --pmtu 127.0.0.1
bad "option --pmtu takes no argument" --pmtu=1 127.0.0.1
bad "too small for IPv6" -6 -s 49 ::1
bad "too small for IPv6" -s 45 ::1
bad "invalid vary 'port'" --vary port 127.0.0.1
bad "needs IPv6" -4 --vary label 127.0.0.1
bad "takes no argument" --unprivileged=yes 127.0.0.1
bad "--vary label does not apply to --unprivileged" --unprivileged --vary label ::1
bad "-6/--ipv6 cannot be combined with -4/--ipv4" -4 -6 127.0.0.1
bad "--icmp cannot be combined with -T/--tcp" -T --icmp 127.0.0.1
bad "-j/--json cannot be combined with -r/--report" -r -j 127.0.0.1
bad "-j/--json cannot be combined with -w/--report-wide" -w -j 127.0.0.1
bad "--json-stream cannot be combined" -j --json-stream 127.0.0.1
bad "-r/--report cannot be combined with -t/--curses" -t -r 127.0.0.1
bad "does not apply to --icmp" -P 80 --icmp 127.0.0.1
bad "max-unknown 0 out of range" -U 0 127.0.0.1
bad "TOS 256 out of range" -Q 256 127.0.0.1
bad "invalid interface 'a/b'" -I a/b 127.0.0.1
bad "invalid interface '0123456789abcdef'" -I 0123456789abcdef 127.0.0.1
bad "option -I/--interface needs an argument" 127.0.0.1 -I
bad "invalid source address 'localhost'" -a localhost 127.0.0.1
bad "'0.0.0.0': unspecified address" -a 0.0.0.0 127.0.0.1
bad "-a/--address is an IPv4 address but -6" -6 -a 127.0.0.1 ::1
bad "mark 4294967296 out of range (0-4294967295)" -M 4294967296 127.0.0.1
bad "invalid mark 'x'" -M x 127.0.0.1
bad "option --mpls takes no argument" --mpls=yes 127.0.0.1
bad "option --aslookup takes no argument" --aslookup=1 127.0.0.1
bad "--dot cannot be combined with -C/--csv" -C --dot 127.0.0.1
bad "-C/--csv cannot be combined with -j/--json" -j -C 127.0.0.1
bad "option --csv takes no argument" --csv=x 127.0.0.1
bad "option --dot takes no argument" --dot=1 127.0.0.1
bad '\x0a' "$(printf 'a\nb')" c
# --listen and --textfile (the exporter): the address, the port, the face.
bad "invalid listen port in '0'" --listen 0 127.0.0.1
bad "invalid listen port in '127.0.0.1:70000'" --listen 127.0.0.1:70000 127.0.0.1
bad "invalid listen port in 'x'" --listen x 127.0.0.1
bad "IPv6 address in brackets" --listen ::1:9101 127.0.0.1
bad "a numeric IPv4 or IPv6 address is needed" --listen localhost:9101 127.0.0.1
bad "a numeric IPv4 or IPv6 address is needed" --listen :9101 127.0.0.1
bad "needs an argument" 127.0.0.1 --listen
bad "-j/--json cannot be combined with --listen" --listen 9101 -j 127.0.0.1
bad "-t/--curses cannot be combined with --textfile" -t --textfile m.prom 127.0.0.1
bad "--textfile needs a file name" --textfile '' 127.0.0.1

# ECMPTRACE_OPTIONS is parsed first; its errors name it, the host is not its.
ECMPTRACE_OPTIONS="-c 0" bad "ECMPTRACE_OPTIONS: count 0 out of range" 127.0.0.1
ECMPTRACE_OPTIONS="-n --bogus" bad "ECMPTRACE_OPTIONS: unknown or ambiguous option '--bogus'" \
	127.0.0.1
ECMPTRACE_OPTIONS="-n 127.0.0.1" bad "ECMPTRACE_OPTIONS: '127.0.0.1' is not an option" 127.0.0.1
ECMPTRACE_OPTIONS="-c 3" bad "count 0 out of range" -c 0 127.0.0.1

# The checks main() makes once the options parse: the target itself.
bad "no-such-host.invalid" -r -c 1 no-such-host.invalid
bad "::1" -4 -r -c 1 ::1
bad "127.0.0.1" -6 -r -c 1 127.0.0.1
bad "IPv6" --vary label -r -c 1 127.0.0.1
# Addresses no host holds, and numeric forms nobody means (getaddrinfo would take them).
bad "'0.0.0.0' is an unspecified address" -r -c 1 0.0.0.0
bad "'::' is an unspecified address" -r -c 1 ::
bad "'224.0.0.1' is a multicast address" -r -c 1 224.0.0.1
bad "'ff02::1' is a multicast address" -r -c 1 ff02::1
bad "'255.255.255.255' is a broadcast address" -r -c 1 255.255.255.255
bad "'::ffff:192.0.2.1' is an IPv4-mapped address" -r -c 1 ::ffff:192.0.2.1
bad "'1' is not a full IPv4 address (it would mean 0.0.0.1)" -r -c 1 1
bad "'10.1' is not a full IPv4 address (it would mean 10.0.0.1)" -r -c 1 10.1
bad "'0x7f.1' is not a full IPv4 address (it would mean 127.0.0.1)" -r -c 1 0x7f.1
bad "'fe80::1' is link-local: name the interface" -r -c 1 fe80::1
bad "no interface 'no-such-if0'" -r -c 1 fe80::1%no-such-if0
bad "belongs only to an IPv6 link-local address" -r -c 1 2001:db8::1%lo
# -I and -a against this host, before any privilege is asked for.
bad "no interface 'nosuch-if0' on this host (-I)" -r -c 1 -I nosuch-if0 127.0.0.1
bad "source address 192.0.2.1 is not an address of this host (-a)" -r -c 1 -a 192.0.2.1 \
	127.0.0.1
bad "source address ::1 is IPv6 but the target 127.0.0.1 is IPv4" -r -c 1 -a ::1 127.0.0.1
bad "source address fe80::1 is link-local: name its interface with -I" -r -c 1 -a fe80::1 ::1
if [ -n "$(ls /sys/class/net 2>/dev/null | grep -vx lo | head -n 1)" ]; then
	other=$(ls /sys/class/net | grep -vx lo | head -n 1)
	bad "the target's zone %lo and -I $other name different interfaces" -r -c 1 -I "$other" fe80::1%lo
fi

# good ARG... PATTERN: exit 0, PATTERN on stdout, nothing on stderr.
good() {
	local pattern=$1 status
	shift
	timeout 10 "$ECMPTRACE" "$@" >"$out" 2>"$errf" </dev/null
	status=$?
	[ "$status" -eq 0 ] && [ ! -s "$errf" ] && grep -qE -- "$pattern" "$out"
	ok $? "ecmptrace $* -> 0 with /$pattern/ on stdout (status $status)"
}

good "^Usage: ecmptrace" --help
good "^Usage: ecmptrace" -h
good "--report-on-exit" --help
good "-I, --interface IFACE" --help
good "ECMPTRACE_OPTIONS" --help
ECMPTRACE_OPTIONS="--help" good "^Usage: ecmptrace"
good "ecmptrace.*[0-9]+\.[0-9]+" --version
good "ecmptrace.*[0-9]+\.[0-9]+" -v

tap_done
