#!/bin/bash
# The exporter end to end: ecmptrace --listen (its defaults otherwise)
# traces a 2-way ECMP whose member r2a or r2b drops 20 to 40% of what it
# forwards (by the seed), and a real Prometheus (the Debian package), started in the client's
# namespace with a temporary configuration and storage, scrapes it every
# second.  PromQL over Prometheus's HTTP API must show the loss of the
# flows through the lossy branch well above their siblings', and the
# lossy-branch finding for this target, blaming r2a and not r2b.
# promtool checks a scrape, the alerting rules and their unit tests; every
# PromQL expression of the Grafana dashboard must return data here.
# Bad input while it probes: the port already in use, a scrape storm (200
# parallel curls), half requests left open and garbage: the probe rate
# keeps its pace (probes resolved per second before and during), and
# nothing crashes (the exporter still answers and exits 0 on SIGTERM).
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
for tool in prometheus promtool curl; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (contrib/setup.sh installs it)"
		exit 0
	fi
done
lab_init
contrib="$top_srcdir/contrib/prometheus"

# Which member loses, and how much, vary with the seed (SEED=N to replay).
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
permille=$((200 + RANDOM % 201))
member=$([ $((RANDOM % 2)) -eq 0 ] && echo a || echo b)
diag "seed $seed (SEED=$seed to replay): r2$member drops $permille permille"
lab_topo_ecmp2 "$permille" "$member"
ok $? "topology built ($permille permille loss on r2$member towards the server)"
lab_exec "$LAB_CLIENT_NS" ip link set lo up
port=9101
pport=9090
url="http://127.0.0.1:$port/metrics"
in_client() { ip netns exec "$LAB_CLIENT_NS" "$@"; }

echo "# ecmptrace --listen $port $LAB_SERVER_ADDR"
lab_bg "$LAB_CLIENT_NS" "$ECMPTRACE" --listen "$port" "$LAB_SERVER_ADDR" 2>"$LAB_TMP/agent.err"
agent=${LAB_PIDS[-1]}
# A second agent watches two targets at once: the server, behind the lossy
# member, and r1 (the first hop, before the split: nothing to blame).
fport=$((port + 2))
first_hop=$(lab_ifaddr 4 r1 client)
echo "# ecmptrace --listen $fport $LAB_SERVER_ADDR $first_hop"
lab_bg "$LAB_CLIENT_NS" "$ECMPTRACE" --listen "$fport" "$LAB_SERVER_ADDR" "$first_hop" \
	2>"$LAB_TMP/fleet.err"
fleet=${LAB_PIDS[-1]}

mkdir -p "$LAB_TMP/tsdb"
cp "$contrib/ecmptrace-rules.yml" "$LAB_TMP/"
cat >"$LAB_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ecmptrace-rules.yml
scrape_configs:
  - job_name: ecmptrace
    static_configs:
      - targets: ['127.0.0.1:$port']
  - job_name: fleet
    static_configs:
      - targets: ['127.0.0.1:$fport']
EOF
lab_bg "$LAB_CLIENT_NS" prometheus --config.file="$LAB_TMP/prometheus.yml" \
	--storage.tsdb.path="$LAB_TMP/tsdb" --web.listen-address="127.0.0.1:$pport" \
	--log.level=warn
# An instant query's results as "labels value" lines (python: no jq needed).
promql() {
	in_client python3 - "$pport" "$1" <<'EOF'
import json, sys, urllib.parse, urllib.request
q = urllib.parse.urlencode({"query": sys.argv[2]})
with urllib.request.urlopen("http://127.0.0.1:%s/api/v1/query?%s" % (sys.argv[1], q), timeout=10) as r:
    doc = json.load(r)
if doc.get("status") != "success":
    sys.exit("query failed: %s" % doc)
for s in doc["data"]["result"]:
    labels = ",".join("%s=%s" % kv for kv in sorted(s["metric"].items()))
    print(labels, s["value"][1])
EOF
}

# Up and scraped: Prometheus sees the target up within 20 s.
for _ in $(seq 1 40); do
	[ "$(promql 'up{job="ecmptrace"}' 2>/dev/null | awk '{print $2}')" = 1 ] && break
	sleep 0.5
done
[ "$(promql 'up{job="ecmptrace"}' | awk '{print $2}')" = 1 ]
ok $? "Prometheus scrapes ecmptrace --listen $port (up == 1)"

# The text format and OpenMetrics, as a scraper negotiates them.
in_client curl -s -m 5 -D "$LAB_TMP/h.txt" -o "$LAB_TMP/scrape.txt" "$url"
grep -qi '^content-type: text/plain; version=0.0.4' "$LAB_TMP/h.txt" &&
	promtool check metrics <"$LAB_TMP/scrape.txt" >"$LAB_TMP/lint" 2>&1
ok $? "a scrape is text format 0.0.4 and passes promtool check metrics$(sed 's/^/; /' "$LAB_TMP/lint" | head -3 | tr '\n' ' ')"
in_client curl -s -m 5 -D "$LAB_TMP/h.om" -o "$LAB_TMP/scrape.om" \
	-H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' "$url"
grep -qi '^content-type: application/openmetrics-text' "$LAB_TMP/h.om" &&
	[ "$(tail -n 1 "$LAB_TMP/scrape.om")" = "# EOF" ] &&
	grep -q '^# TYPE ecmptrace_probes_sent counter$' "$LAB_TMP/scrape.om"
ok $? "asked for OpenMetrics: its content type, counter families without _total, # EOF last"

codes=$(for req in "-X POST $url" "http://127.0.0.1:$port/nope" "-I $url"; do
	# shellcheck disable=SC2086
	in_client curl -s -m 5 -o /dev/null -w '%{http_code} ' $req
done)
[ "$codes" = "405 404 200 " ]
ok $? "POST /metrics 405, /nope 404, HEAD /metrics 200 ($codes)"
# An IPv6 listener, in brackets, beside the first.
lab_bg "$LAB_CLIENT_NS" "$ECMPTRACE" --listen "[::1]:$((port + 1))" "$LAB_SERVER_ADDR"
v6=${LAB_PIDS[-1]}
for _ in $(seq 1 20); do
	in_client curl -g -s -m 2 "http://[::1]:$((port + 1))/metrics" 2>/dev/null |
		grep -q '^ecmptrace_build_info' && break
	sleep 0.25
done
in_client curl -g -s -m 2 "http://[::1]:$((port + 1))/metrics" | grep -q '^ecmptrace_build_info'
ok $? "--listen [::1]:$((port + 1)) serves /metrics over IPv6"
kill -TERM "$v6"; wait "$v6"

promtool check rules "$contrib/ecmptrace-rules.yml" >"$LAB_TMP/rules" 2>&1
ok $? "promtool check rules: $(grep -o 'SUCCESS.*' "$LAB_TMP/rules")"
(cd "$contrib" && promtool test rules ecmptrace-rules.test.yml) >"$LAB_TMP/rtest" 2>&1
ok $? "promtool test rules ecmptrace-rules.test.yml: $(grep -o 'SUCCESS\|FAILED' "$LAB_TMP/rtest")"
[ "$(in_client curl -s -m 5 "http://127.0.0.1:$pport/api/v1/rules" |
	grep -o '"health":"ok"' | wc -l)" -eq 3 ]
ok $? "Prometheus loaded the 3 alerting rules, all healthy"

# Let the lossy branch show: 40 s of tracing at the defaults.
sleep 40
dest=$LAB_DEST_TTL
loss_q="1 - sum by (via) (ecmptrace_replies_total{ttl=\"$dest\",address=\"$LAB_SERVER_ADDR\"})
	/ sum by (via) (ecmptrace_probes_sent_total{ttl=\"$dest\",address=\"$LAB_SERVER_ADDR\"})"
promql "$loss_q" >"$LAB_TMP/loss"
sed 's/^/# loss at the target by lineage: /' "$LAB_TMP/loss"
lossy=$(awk -v a="via=$LAB_LOSSY_ADDR" '$1 == a {print $2}' "$LAB_TMP/loss")
sibling=$(awk -v a="via=$LAB_SIBLING_ADDR" '$1 == a {print $2}' "$LAB_TMP/loss")
awk -v l="${lossy:-0}" -v s="${sibling:-1}" -v p="$permille" \
	'BEGIN { exit !(l > 0.5 * p / 1000 && l < 1.5 * p / 1000 && s < 0.05) }'
ok $? "PromQL: the target's loss through $LAB_LOSSY_ADDR is $lossy, through $LAB_SIBLING_ADDR $sibling"
promql "sum by (source_port) (ecmptrace_flow_probes_total) - sum by (source_port) (ecmptrace_flow_replies_total)" >"$LAB_TMP/flowloss"
[ "$(wc -l <"$LAB_TMP/flowloss")" -ge 2 ] && awk '$2 > 0' "$LAB_TMP/flowloss" | grep -q . &&
	awk '$2 == 0' "$LAB_TMP/flowloss" | grep -q .
ok $? "per-flow counters: $(wc -l <"$LAB_TMP/flowloss") flows by source_port, some losing, some clean"
promql 'ecmptrace_finding' >"$LAB_TMP/findings"
sed 's/^/# finding: /' "$LAB_TMP/findings"
grep 'kind=lossy-branch' "$LAB_TMP/findings" | grep "target=$LAB_SERVER_ADDR," |
	grep -qE "(address|from)=$LAB_LOSSY_ADDR," &&
	! grep -qE "(address|from)=$LAB_SIBLING_ADDR," "$LAB_TMP/findings"
ok $? "ecmptrace_finding: lossy-branch for target $LAB_SERVER_ADDR blaming $LAB_LOSSY_ADDR, none $LAB_SIBLING_ADDR"

# The two-target agent: one scrape holds both targets' series, each under
# its own target label, and the finding only for the target that has it.
promql 'count by (target) (ecmptrace_target_probes_total{job="fleet"})' >"$LAB_TMP/fleet_targets"
sed 's/^/# fleet agent: /' "$LAB_TMP/fleet_targets"
[ "$(wc -l <"$LAB_TMP/fleet_targets")" -eq 2 ] &&
	grep -q "target=$LAB_SERVER_ADDR " "$LAB_TMP/fleet_targets" &&
	grep -q "target=$first_hop " "$LAB_TMP/fleet_targets"
ok $? "the two-target agent's scrapes hold both targets ($LAB_SERVER_ADDR, $first_hop), each its own series"
promql 'ecmptrace_finding{job="fleet"}' >"$LAB_TMP/fleet_findings"
sed 's/^/# fleet finding: /' "$LAB_TMP/fleet_findings"
grep 'kind=lossy-branch' "$LAB_TMP/fleet_findings" | grep "target=$LAB_SERVER_ADDR," |
	grep -qE "(address|from)=$LAB_LOSSY_ADDR," &&
	! grep -q "target=$first_hop," "$LAB_TMP/fleet_findings"
ok $? "its lossy-branch finding is the server's, blaming $LAB_LOSSY_ADDR; none for $first_hop"
floss=$(promql "1 - sum(ecmptrace_replies_total{job=\"fleet\",target=\"$first_hop\",address=\"$first_hop\"})
	/ sum(ecmptrace_probes_sent_total{job=\"fleet\",target=\"$first_hop\",address=\"$first_hop\"})" |
	awk '{print $NF}')
awk -v l="${floss:-1}" 'BEGIN { exit !(l < 0.05) }'
ok $? "PromQL: the first hop, traced beside the server, loses nothing (${floss:-no data})"
in_client curl -s -m 5 "http://127.0.0.1:$fport/metrics" | promtool check metrics >"$LAB_TMP/flint" 2>&1
ok $? "the two-target scrape passes promtool check metrics$(head -3 "$LAB_TMP/flint" | tr '\n' ' ')"
kill -TERM "$fleet"
wait "$fleet"
rc=$?
[ "$rc" -eq 0 ] && ! grep -q . "$LAB_TMP/fleet.err"
ok $? "SIGTERM ends the two-target agent with status $rc, nothing on stderr$(head -c 200 "$LAB_TMP/fleet.err")"

# Every PromQL expression of the dashboard, with its variables set, returns data.
python3 - "$contrib/ecmptrace-dashboard.json" "$LAB_SERVER_ADDR" >"$LAB_TMP/exprs" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p.get("targets", []):
        e = t["expr"].replace("$target", sys.argv[2]).replace("$__rate_interval", "30s")
        print(" ".join(e.split()))
EOF
n=0
while read -r expr; do
	n=$((n + 1))
	rows=$(promql "$expr" | wc -l)
	[ "$rows" -gt 0 ]
	ok $? "dashboard query $n returns $rows series: ${expr:0:90}"
done <"$LAB_TMP/exprs"
[ "$n" -ge 6 ]
ok $? "the dashboard has $n queries"

# The probing's pace: the engine's probes sent (all TTLs), from the exporter.
sent() { in_client curl -s -m 5 "$url" | awk '/^ecmptrace_target_probes_total/ {print $2}'; }
now() { date +%s.%N; }
lab_exec "$LAB_CLIENT_NS" "$ECMPTRACE" --listen "$port" "$LAB_SERVER_ADDR" >/dev/null 2>"$LAB_TMP/inuse"
rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot listen on 127.0.0.1:$port: the port is in use" "$LAB_TMP/inuse"
ok $? "a second exporter on the same port: status $rc, $(head -n 1 "$LAB_TMP/inuse")"

# Discovery may add flows (and so probes per round) for a while: measure
# the quiet pace just before the storm, over the same length of time.
ta=$(now); a=$(sent); sleep 10; tb=$(now); b=$(sent)
# The storm, for 10 s: scrapes (below), 20 half requests held open, 20
# connections of garbage and 4 malformed requests.
in_client python3 - "$port" >"$LAB_TMP/abuse" 2>&1 <<'EOF' &
import os, socket, sys, time
port = int(sys.argv[1])
held = []
for i in range(20):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /metr")			# half a request, never finished
    held.append(s)
for i in range(20):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(os.urandom(3000) + b"\r\n\r\n")
        held.append(s)
    except OSError:
        pass
# Requests the server must refuse, not choke on: each answered with a 4xx.
refused = 0
for junk in [b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: " + b"a" * 20000 + b"\r\n\r\n",
             b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000,
             b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
             b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"]:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(junk)
        refused += s.recv(64).split(b" ")[1].startswith(b"4")
        s.close()
    except (OSError, IndexError):
        pass
print("%d of 4 malformed requests refused with a 4xx;" % refused, end=" ")
time.sleep(10 + 3)
# The server's idle timeout (10 s) must have closed the half requests.
closed = 0
for s in held[:20]:
    s.settimeout(0.5)
    try:
        closed += s.recv(4096) == b""
    except ConnectionResetError:
        closed += 1
    except OSError:
        pass
print("%d bad connections held; %d of the 20 half requests closed by the server" % (len(held), closed))
EOF
abuser=$!
# Two rounds of 200 parallel curls, then 100 threads scraping back to back
# until 10 s have passed.  The clients run at nice 10: the load is on the
# server, and tests running beside this one keep their share of the cores.
# shellcheck disable=SC2016  # expanded by the inner shell
in_client nice -n 10 bash -c 'for r in 1 2; do
	for i in $(seq 1 200); do
		curl -s -m 5 -o /dev/null -w "%{http_code}\n" "$1" &
	done; wait
done' _ "$url" >"$LAB_TMP/storm" 2>/dev/null
in_client nice -n 10 python3 - "$url" "$(awk -v t="$tb" 'BEGIN { printf "%.3f", t + 10 }')" \
	>>"$LAB_TMP/storm" 2>&1 <<'EOF'
import sys, threading, time, urllib.request
url, until = sys.argv[1], float(sys.argv[2])
codes = []
def scrape():
    while time.time() < until:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                codes.append(r.status)
        except Exception:
            codes.append(0)
threads = [threading.Thread(target=scrape) for _ in range(100)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(str(c) for c in codes))
EOF
tc=$(now); c=$(sent)
wait "$abuser"
read -r quiet stormy < <(awk -v a="$a" -v b="$b" -v c="$c" -v ta="$ta" -v tb="$tb" -v tc="$tc" \
	'BEGIN { printf "%.0f %.0f\n", (b - a) / (tb - ta), (c - b) / (tc - tb) }')
served=$(grep -c '^200$' "$LAB_TMP/storm")
scrapes=$(grep -c . "$LAB_TMP/storm")
diag "probes sent per second: $quiet quiet, $stormy in the storm ($scrapes scrapes, $served answered 200; $(cat "$LAB_TMP/abuse"))"
# 0.8: the storm's clients share this machine's cores with the prober.
[ "$quiet" -gt 0 ] && awk -v q="$quiet" -v s="$stormy" 'BEGIN { exit !(s >= 0.8 * q && s <= 1.6 * q) }'
ok $? "the probing keeps its pace under the storm: $stormy/s vs $quiet/s just before"
nices=$(ps -L -o nice= -p "$agent" | tr -s ' \n' ' ')
[[ " $nices " == *" 0 "* ]] && [[ " $nices " == *" 10 "* ]]
ok $? "the HTTP server's thread runs at nice 10, the probing at 0 (threads: $nices)"
grep -q "4 of 4 malformed requests refused" "$LAB_TMP/abuse" &&
	grep -q "20 of the 20 half requests closed" "$LAB_TMP/abuse"
ok $? "malformed requests refused, half requests closed by the server's timeout: $(cat "$LAB_TMP/abuse")"
kill -0 "$agent" 2>/dev/null && in_client curl -s -m 5 "$url" | grep -q '^ecmptrace_target_reachable'
ok $? "still alive and serving after the storm and the bad clients"
kill -TERM "$agent"
wait "$agent"
rc=$?
[ "$rc" -eq 0 ] && ! grep -q . "$LAB_TMP/agent.err"
ok $? "SIGTERM ends the exporter with status $rc and nothing on stderr$(head -c 200 "$LAB_TMP/agent.err")"

# The systemd unit's privileges (contrib/prometheus/ecmptrace@.service):
# another user, CAP_NET_RAW ambient and alone in the bounding set, no new
# privileges.  setpriv makes that process here, as systemd would.
unit="$contrib/ecmptrace@.service"
for line in DynamicUser=yes AmbientCapabilities=CAP_NET_RAW CapabilityBoundingSet=CAP_NET_RAW \
	NoNewPrivileges=yes ProtectSystem=strict; do
	grep -qx "$line" "$unit" || diag "the unit lacks $line"
done
grep -qx AmbientCapabilities=CAP_NET_RAW "$unit" && grep -qx CapabilityBoundingSet=CAP_NET_RAW "$unit" &&
	grep -qx DynamicUser=yes "$unit" && grep -qx NoNewPrivileges=yes "$unit" &&
	grep -qx ProtectSystem=strict "$unit"
ok $? "the systemd unit: DynamicUser, CAP_NET_RAW ambient and bounding only, NoNewPrivileges, ProtectSystem=strict"
if command -v setpriv >/dev/null; then
	lab_bg "$LAB_CLIENT_NS" setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
		--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw \
		--no-new-privs "$ECMPTRACE" -n --listen "$port" "$LAB_SERVER_ADDR"
	unpriv=${LAB_PIDS[-1]}
	for _ in $(seq 1 30); do
		in_client curl -s -m 2 "$url" 2>/dev/null |
			grep -q "^ecmptrace_target_reachable{target=\"$LAB_SERVER_ADDR\"} 1" && break
		sleep 0.5
	done
	in_client curl -s -m 2 "$url" | grep -q "^ecmptrace_target_reachable{target=\"$LAB_SERVER_ADDR\"} 1"
	ok $? "as nobody with only CAP_NET_RAW (as the unit runs it): traces, target reachable, /metrics served"
	kill -TERM "$unpriv"
	wait "$unpriv"
	rc=$?
	[ "$rc" -eq 0 ]
	ok $? "and SIGTERM ends it with status $rc"
else
	ok 0 "# SKIP setpriv (util-linux) is not installed"
	ok 0 "# SKIP setpriv (util-linux) is not installed"
fi

# --textfile: written in a directory the dropped user (nobody) may write,
# every 5 s and at the end, by rename: a full exposition, no .tmp left.
tf="$LAB_TMP/textfile"
mkdir -m 1777 "$tf"
lab_ecmptrace "$LAB_TMP/tf.out" --textfile "$tf/ecmptrace.prom" -c 8 "$LAB_SERVER_ADDR"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$LAB_TMP/tf.out.err" ] && [ ! -e "$tf/ecmptrace.prom.tmp" ] &&
	grep -q '^ecmptrace_rounds_total{target="'"$LAB_SERVER_ADDR"'"} 8$' "$tf/ecmptrace.prom" &&
	promtool check metrics <"$tf/ecmptrace.prom" >"$LAB_TMP/tf.lint" 2>&1
ok $? "--textfile -c 8: status $rc, the last write has all 8 rounds, promtool check metrics passes, no .tmp left"
# A directory nobody may not write: said once (of the 3 writes), the run goes on to its end.
mkdir -m 755 "$tf/ro"
lab_ecmptrace "$LAB_TMP/ro.out" --textfile "$tf/ro/ecmptrace.prom" -c 8 "$LAB_SERVER_ADDR"
rc=$?
[ "$rc" -eq 0 ] && [ "$(wc -l <"$LAB_TMP/ro.out.err")" -eq 1 ] &&
	grep -q "cannot create ecmptrace.prom.tmp: Permission denied" "$LAB_TMP/ro.out.err"
ok $? "an unwritable directory: status $rc, one line: $(head -n 1 "$LAB_TMP/ro.out.err")"
lab_ecmptrace "$LAB_TMP/nodir.out" --textfile "$tf/none/ecmptrace.prom" -c 1 "$LAB_SERVER_ADDR"
rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot open the directory" "$LAB_TMP/nodir.out.err"
ok $? "a directory that does not exist: status $rc before any probe: $(head -n 1 "$LAB_TMP/nodir.out.err")"

tap_done
