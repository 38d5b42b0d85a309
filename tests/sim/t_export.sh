#!/bin/bash
# The export faces over simulated runs of random multipath networks
# (tests/sim/sim_export.c; four seeds from a random start, printed): the
# graph renders with Graphviz without a warning, the CSV parses
# (tests/golden/csvcheck.py), the JSON fits the schema, and the three say
# the same thing: the same responders at the same hops, the same loss.
# No root.
. "$top_srcdir/tests/tap.sh"
prog="$top_builddir/tests/sim/sim_export"
[ -x "$prog" ] || { echo "Bail out! $prog not built"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
base=${ECMPTRACE_SEED:-$RANDOM}
diag "seeds $base to $((base + 3)) (ECMPTRACE_SEED=$base repeats them)"
can_validate=0
python3 -c 'import jsonschema' 2>/dev/null && can_validate=1

for seed in $base $((base + 1)) $((base + 2)) $((base + 3)); do
	"$prog" "$seed" "$tmp" >"$tmp/what" 2>&1
	ok $? "seed $seed: a simulated run of $(head -n 1 "$tmp/what"): $(sed -n 2p "$tmp/what")"
	if command -v dot >/dev/null; then
		dot -Tsvg "$tmp/sim.dot" >"$tmp/sim.svg" 2>"$tmp/dot.err" && [ ! -s "$tmp/dot.err" ]
		ok $? "seed $seed: dot -Tsvg renders the graph without a warning"
		sed -n '1,5s/^/#   /p' "$tmp/dot.err"
	else
		tap_n=$((tap_n + 1)); echo "ok $tap_n - seed $seed: the graph renders # SKIP graphviz missing"
	fi
	python3 "$top_srcdir/tests/golden/csvcheck.py" "$tmp/sim.csv" | sed -n '1,5s/^/#   /p'
	ok "${PIPESTATUS[0]}" "seed $seed: the CSV parses"
	if [ "$can_validate" -eq 1 ]; then
		python3 "$top_srcdir/doc/validate-json.py" "$top_srcdir/doc/ecmptrace.schema.json" \
			report "$tmp/sim.json" | sed -n '1,5s/^/#   /p'
		ok "${PIPESTATUS[0]}" "seed $seed: the JSON fits the schema"
	else
		tap_n=$((tap_n + 1)); echo "ok $tap_n - seed $seed: the JSON fits the schema # SKIP python3-jsonschema missing"
	fi
	python3 - "$tmp" <<'PY'
import csv, json, re, sys
d = sys.argv[1]
doc = json.load(open(d + "/sim.json"))
# JSON keeps 3 decimals, the CSV and the graph 1: rounded twice, 32.7499
# is 32.75 and then 32.8 against the others' 32.7.  They agree when within
# half the last shown decimal (and JSON's own rounding) of each other.
js = {(h["ttl"], b["address"] or "*"): b["loss_pct"]
      for h in doc["hops"] for b in h["branches"]}
cs = {(int(r["Hop"]), r["Ip"]): float(r["Loss%"]) if r["Loss%"] else None
      for r in csv.DictReader(open(d + "/sim.csv", newline="")) if not r["Via"] and r["Branch"]}
dot = {}
for line in open(d + "/sim.dot"):
    m = re.match(r'\th(\d+)_\d+ \[label="(\d+)\. ([^\\ ]+)[^"]*?\\n([0-9.]+|-)%? loss', line)
    if m:
        dot[(int(m.group(2)), m.group(3))] = None if m.group(4) == "-" else float(m.group(4))
bad = []
if set(js) != set(cs) or set(js) != set(dot):
    bad.append("responders differ: json %s, csv %s, dot %s" % (sorted(js), sorted(cs), sorted(dot)))
def agree(shown, exact):
    return shown is None or (exact is not None and abs(shown - exact) <= 0.0505)
for k in js:
    if not agree(cs.get(k), js[k]) or not agree(dot.get(k), js[k]):
        bad.append("%s: loss json %s, csv %s, dot %s" % (k, js[k], cs.get(k), dot.get(k)))
print("# %d responders; %s" % (len(js), "; ".join(bad[:5]) or "all agree"))
sys.exit(1 if bad or not js else 0)
PY
	ok $? "seed $seed: JSON, CSV and graph name the same responders with the same loss"
done
tap_done
