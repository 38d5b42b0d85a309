#!/bin/bash
# Many targets watched by one ecmptrace against the usual practice, one
# mtr per target.  The network (tests/lab/lab.sh's two-way ECMP):
#
#	client - r1 -+- r2a -+- r3 - server (N addresses on its lo)
#	             +- r2b -+
#
# r1 splits every target's flows over r2a and r2b.  One ecmptrace traces
# all N addresses (a --targets file, -j) for ROUNDS rounds; then N mtr
# (mtr -n -r -c ROUNDS, all at once) do the same.  Printed: CPU seconds of
# each side and their ratio (the goal is at most 0.2), probes sent and CPU
# per probe, peak memory per target, and how many targets had both
# branches found at TTL 2.  Then the same targets behind --listen: the
# time one scrape of /metrics takes (goal: under 100 ms).  Needs root;
# not part of "make check".
#
#	bench/fleet.sh [N [ROUNDS]]		(defaults: 100 targets, 10 rounds)
#
# Environment: ECMPTRACE (default ./ecmptrace), FLEET_RATE (total probes a
# second for ecmptrace, default 100 per target), FLEET_INTERVAL (seconds
# between rounds, both tools, default 1).
# shellcheck disable=SC2154
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/lab/lab.sh"
n=${1:-100}
rounds=${2:-10}
interval=${FLEET_INTERVAL:-1}
rate=${FLEET_RATE:-$((100 * n))}
ECMPTRACE=${ECMPTRACE:-$top/ecmptrace}
export ECMPTRACE
if [ "$n" -lt 1 ] || [ "$n" -gt 4000 ]; then
	echo "N must be 1..4000" >&2
	exit 2
fi
lab_require_root
lab_require_binary
command -v mtr >/dev/null || { echo "mtr is not installed" >&2; exit 1; }
lab_init

# The I-th target address (0-based): 10.100.0.1 on, on the server's lo.
target_addr() { echo "10.100.$(($1 / 250)).$(($1 % 250 + 1))"; }

build() {
	local s="$LAB_PREFIX-server" ns i via
	lab_topo_ecmp2 0 a || return 1
	for i in $(seq 0 $((n - 1))); do
		echo "address add $(target_addr "$i")/32 dev lo"
	done | ip -n "$s" -batch - || return 1
	# r1 balances the targets over r2a and r2b; they and r3 pass them on.
	ip -n "$LAB_PREFIX-r1" route add 10.100.0.0/16 \
		nexthop via "$(lab_ifaddr 4 r2a r1)" dev v-r2a \
		nexthop via "$(lab_ifaddr 4 r2b r1)" dev v-r2b || return 1
	for via in r2a r2b; do
		ip -n "$LAB_PREFIX-$via" route add 10.100.0.0/16 \
			via "$(lab_ifaddr 4 r3 "$via")" dev v-r3 || return 1
	done
	ip -n "$LAB_PREFIX-r3" route add 10.100.0.0/16 via "$(lab_ifaddr 4 server r3)" \
		dev v-server
}
build || { echo "the topology could not be built" >&2; exit 1; }
ns=$LAB_CLIENT_NS
targets="$LAB_TMP/targets"
for i in $(seq 0 $((n - 1))); do echo "udp $(target_addr "$i")"; done >"$targets"
echo "# $n targets behind a two-way ECMP, $rounds rounds $interval s apart"

# One ecmptrace for all of them.
json="$LAB_TMP/fleet.json"
"$LAB_PY" "$top/bench/rusage.py" "$LAB_TMP/ecmptrace.ru" ip netns exec "$ns" \
	"$ECMPTRACE" -n -j -c "$rounds" -i "$interval" --rate "$rate" --targets "$targets" \
	>"$json" 2>"$LAB_TMP/ecmptrace.err" ||
	{ echo "ecmptrace failed:" >&2; head -n 5 "$LAB_TMP/ecmptrace.err" >&2; exit 1; }

# One mtr per target, all at once (as mtr-exporter or a cron job runs them).
cat >"$LAB_TMP/mtrs" <<EOF
while read -r _ a; do
	mtr -n -r -c $rounds -i $interval "\$a" >"$LAB_TMP/mtr.\$a" 2>&1 &
done <"$targets"
wait
EOF
"$LAB_PY" "$top/bench/rusage.py" "$LAB_TMP/mtr.ru" ip netns exec "$ns" bash "$LAB_TMP/mtrs"

"$LAB_PY" - "$json" "$LAB_TMP/ecmptrace.ru" "$LAB_TMP/mtr.ru" "$LAB_TMP" "$n" \
	"$(lab_answer "$LAB_PREFIX-r2a")" "$(lab_answer "$LAB_PREFIX-r2b")" <<'PY'
import glob, json, re, sys
doc_path, e_ru, m_ru, tmp, n, a, b = sys.argv[1:8]
n = int(n)
doc = json.load(open(doc_path))
targets = doc["targets"] if "targets" in doc else [doc]
both = sum(1 for t in targets
           if {a, b} <= {br["address"] for h in t["hops"] if h["ttl"] == 2
                         for br in h["branches"]})
e_probes = sum(t["probes"]["sent"] for t in targets)
wall, eu, es, erss, _ = open(e_ru).read().split()
mwall, mu, ms, mrss, _ = open(m_ru).read().split()
e_cpu, m_cpu = float(eu) + float(es), float(mu) + float(ms)
# mtr -r prints one line per hop with Snt; the probes it sent are their sum.
m_probes = 0
for f in glob.glob(tmp + "/mtr.10.*"):
    for line in open(f):
        m = re.match(r"\s*\d+\.\|--\s+\S+\s+\S+%\s+(\d+)", line)
        if m:
            m_probes += int(m.group(1))
print(f"ecmptrace: {len(targets)} targets, {e_cpu:.2f} CPU s ({eu} user, {es} sys) in "
      f"{float(wall):.1f} s, {e_probes} probes, {1e6 * e_cpu / max(1, e_probes):.1f} us CPU "
      f"per probe, peak {int(erss) / 1024:.1f} MiB = {int(erss) / n:.0f} KiB per target")
print(f"mtr x {n}: {m_cpu:.2f} CPU s ({mu} user, {ms} sys) in {float(mwall):.1f} s, "
      f"{m_probes} probes, {1e6 * m_cpu / max(1, m_probes):.1f} us CPU per probe, "
      f"peak {int(mrss) / 1024:.1f} MiB for one mtr")
print(f"CPU ratio ecmptrace / mtr: {e_cpu / max(1e-6, m_cpu):.3f} (goal <= 0.2)")
print(f"branches r2a and r2b both found at TTL 2 for {both} of {n} targets")
sys.exit(0 if both == n and len(targets) == n else 1)
PY
status=$?

# The same targets behind --listen: how long one scrape of /metrics takes
# (goal: under 100 ms), once every target has been snapshot.
port=9464
ip netns exec "$ns" "$ECMPTRACE" -n -c $((rounds + 30)) -i "$interval" --rate "$rate" \
	--targets "$targets" --listen "127.0.0.1:$port" 2>"$LAB_TMP/exporter.err" &
xpid=$!
up=0
for _ in $(seq 1 $((rounds * 10 + 50))); do
	sleep 0.2
	got=$(ip netns exec "$ns" curl -s "http://127.0.0.1:$port/metrics" 2>/dev/null |
		grep -c '^ecmptrace_target_reachable{' || true)
	[ "${got:-0}" -ge "$n" ] && { up=1; break; }
done
if [ "$up" -eq 1 ]; then
	for _ in 1 2 3 4 5; do
		ip netns exec "$ns" curl -s -o /dev/null -w '%{time_total} %{size_download}\n' \
			"http://127.0.0.1:$port/metrics"
	done | "$LAB_PY" -c '
import sys
t = [line.split() for line in sys.stdin if line.strip()]
worst = max(float(a) for a, _ in t) * 1000
print("/metrics with %s targets: %.1f ms at worst of %d scrapes, %.1f MiB (goal: under 100 ms)"
      % (sys.argv[1], worst, len(t), int(t[-1][1]) / 1048576))
sys.exit(0 if worst < 100 else 1)' "$n" || status=1
else
	echo "/metrics never held all $n targets" >&2
	status=1
fi
kill "$xpid" 2>/dev/null
wait "$xpid" 2>/dev/null
exit "$status"
