#!/bin/bash
# Least privilege, seen from outside: /proc/PID/status of a running trace
# (each face, IPv4 and IPv6) shows the user nobody, no capability in any
# set -- the bounding set included (CapBnd 0) --, no new privileges and a
# seccomp filter (Seccomp 2); the run still ends normally (SIGTERM: results
# printed, status 0) with nothing said about a forbidden call.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

lab_topo_ecmp2
ok $? "topology built"
server4=$LAB_SERVER_ADDR
server6=$(lab_ifaddr 6 server r3)
nobody=$(id -u nobody 2>/dev/null || echo 65534)

# The fields of /proc/PID/status that say what the process may still do.
expect="Uid:	$nobody	$nobody	$nobody	$nobody
CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	0000000000000000
CapAmb:	0000000000000000
NoNewPrivs:	1
Seccomp:	2"

for run in "-j $server4" "-r $server4" "--json-stream $server4" "-j -T $server4" \
	"-j $server6" "-r --icmp $server6"; do
	out="$LAB_TMP/run"
	# shellcheck disable=SC2086
	ip netns exec "$LAB_CLIENT_NS" "$ECMPTRACE" -c 1000 -i 0.2 --timeout 0.5 $run \
		>"$out" 2>"$out.err" &
	pid=$!
	# Privileges go before the first probe; the first round shows the run is under way.
	sleep 1.5
	got=$(grep -E '^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' \
		"/proc/$pid/status" 2>/dev/null)
	[ "$got" = "$expect" ]
	ok $? "ecmptrace $run: nobody, every capability set empty, NoNewPrivs 1, Seccomp 2"
	[ "$got" = "$expect" ] || diff <(echo "$expect") <(echo "$got") | sed 's/^/#   /'
	lab_stop "$pid" TERM
	status=$?
	[ "$status" -eq 0 ] && [ -s "$out" ] && ! grep -q 'forbidden system call' "$out.err"
	ok $? "ecmptrace $run: SIGTERM ends it with its results, status $status, no forbidden call"
done

# The exporter (--listen and --textfile): the HTTP server's thread too is
# nobody with nothing, under the filter, and serving, writing and
# stopping make no forbidden call.
ip netns exec "$LAB_CLIENT_NS" ip link set lo up
mkdir -m 1777 "$LAB_TMP/tf"
ip netns exec "$LAB_CLIENT_NS" "$ECMPTRACE" -c 1000 -i 0.2 --timeout 0.5 --listen 9101 \
	--textfile "$LAB_TMP/tf/m.prom" "$server4" >"$LAB_TMP/x" 2>"$LAB_TMP/x.err" &
pid=$!
sleep 1.5
ip netns exec "$LAB_CLIENT_NS" curl -s -m 5 -o "$LAB_TMP/scrape" http://127.0.0.1:9101/metrics
threads=0; good=0
for st in /proc/"$pid"/task/*/status; do
	threads=$((threads + 1))
	[ "$(grep -E '^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' "$st")" = "$expect" ] &&
		good=$((good + 1))
done
[ "$threads" -ge 2 ] && [ "$good" -eq "$threads" ] && grep -q '^ecmptrace_target_probes_total' "$LAB_TMP/scrape"
ok $? "ecmptrace --listen --textfile: $good of $threads threads nobody with nothing under the filter, /metrics served"
lab_stop "$pid" TERM
status=$?
[ "$status" -eq 0 ] && [ -s "$LAB_TMP/tf/m.prom" ] && ! grep -q . "$LAB_TMP/x.err"
ok $? "ecmptrace --listen --textfile: SIGTERM ends it, status $status, textfile written, nothing said$(head -c 200 "$LAB_TMP/x.err")"

tap_done
