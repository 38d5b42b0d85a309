#!/bin/bash
# The export faces on a real run: -C/--csv and --dot over a 2-way ECMP
# whose one member (chosen at random, printed) drops 30% of what it
# forwards towards the merge router.  The CSV must parse
# (tests/golden/csvcheck.py: RFC 4180, a row as wide as the header,
# numbers as numbers), name both branches at the split, and at the merge
# show the flows via the lossy member losing and those via its sibling
# not, with the finding on the merge's row; the graph must render with
# Graphviz without a warning, with both branches as nodes and the link
# from the lossy member on drawn red.  Defaults
# otherwise (-n only: the namespaces have no DNS).
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

seed=${ECMPTRACE_SEED:-$RANDOM}
lossy=a
[ $((seed % 2)) -eq 1 ] && lossy=b
diag "seed $seed: r2$lossy is the lossy member"
lab_topo_ecmp2 300 "$lossy"
ok $? "topology built (r2$lossy drops 30% towards the server)"

csv="$LAB_TMP/run.csv"
lab_ecmptrace "$csv" -C -n "$LAB_SERVER_ADDR"
ok $? "ecmptrace -C ran"
"$LAB_PY" "$top_srcdir/tests/golden/csvcheck.py" "$csv" | sed -n '1,10s/^/# /p'
ok "${PIPESTATUS[0]}" "the CSV parses: header, rows as wide as it, numbers"
"$LAB_PY" - "$csv" "$LAB_BRANCH_TTL" "$LAB_LOSSY_ADDR" "$LAB_SIBLING_ADDR" "$LAB_MERGE_ADDR" <<'PY'
import csv, sys
path, ttl, lossy, sibling, merge = sys.argv[1:6]
rows = list(csv.DictReader(open(path, newline="")))
split = {r["Ip"]: r for r in rows if r["Hop"] == ttl and not r["Via"]}
after = [r for r in rows if r["Hop"] == str(int(ttl) + 1)]
via = {r["Via"]: r for r in after if r["Via"] and r["Ip"] == merge}
own = [r for r in after if not r["Via"] and r["Ip"] == merge]
print("# TTL %s: %s" % (ttl, ", ".join("%s %s%%" % (a, r["Loss%"]) for a, r in split.items())))
print("# TTL %d, %s via: %s; findings %s" % (int(ttl) + 1, merge, ", ".join(
    "%s %s%% (%s)" % (a, r["Loss%"], r["Source_Ports"]) for a, r in via.items()),
    own[0]["Findings"] if own else "-"))
bad = []
if set(split) != {lossy, sibling}:
    bad.append("branches %s at TTL %s, want %s and %s" % (sorted(split), ttl, lossy, sibling))
if set(via) != {lossy, sibling}:
    bad.append("via rows %s after the split, want %s and %s" % (sorted(via), lossy, sibling))
else:
    if not float(via[lossy]["Loss%"]) > 10:
        bad.append("the flows via %s lose %s%%" % (lossy, via[lossy]["Loss%"]))
    if not float(via[sibling]["Loss%"]) < 5:
        bad.append("the flows via %s lose %s%%" % (sibling, via[sibling]["Loss%"]))
    ports = via[lossy]["Source_Ports"].split()
    if len(ports) != int(via[lossy]["Flows"]) or not set(ports) <= set(split[lossy]["Source_Ports"].split()):
        bad.append("source ports via %s: %s, its flows %s, its branch's ports %s" % (
            lossy, ports, via[lossy]["Flows"], split[lossy]["Source_Ports"]))
if not own or "lossy-branch" not in own[0]["Findings"].split():
    bad.append("no lossy-branch finding on %s at TTL %d" % (merge, int(ttl) + 1))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
ok $? "CSV: the flows via $LAB_LOSSY_ADDR lose, those via $LAB_SIBLING_ADDR do not, with their source ports, and the finding is on its row"

dot="$LAB_TMP/run.dot"
lab_ecmptrace "$dot" --dot -n "$LAB_SERVER_ADDR"
ok $? "ecmptrace --dot ran"
if command -v dot >/dev/null; then
	dot -Tsvg "$dot" >"$LAB_TMP/run.svg" 2>"$LAB_TMP/dot.err" && [ ! -s "$LAB_TMP/dot.err" ] &&
		grep -q '<svg' "$LAB_TMP/run.svg"
	ok $? "dot -Tsvg renders it without a warning"
	sed -n '1,10s/^/# /p' "$LAB_TMP/dot.err"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - dot -Tsvg renders it # SKIP graphviz (dot) missing"
fi
for a in $LAB_BRANCH_ADDRS; do
	grep -q "^	h${LAB_BRANCH_TTL}_[0-9]* \[label=\"$LAB_BRANCH_TTL\\. $a\\\\n" "$dot"
	ok $? "the graph has a node for $a at TTL $LAB_BRANCH_TTL"
done
node=$(sed -n "s/^	\(h${LAB_BRANCH_TTL}_[0-9]*\) \[label=\"$LAB_BRANCH_TTL\\. $LAB_LOSSY_ADDR\\\\n.*/\1/p" "$dot")
grep -q "^	$node -> h$((LAB_BRANCH_TTL + 1))_[0-9]* \[.*color=red" "$dot"
ok $? "the link from the lossy branch $LAB_LOSSY_ADDR ($node) on is drawn red"
grep -q '^	src -> h1_1 ' "$dot" && grep -q '^	h[0-9]*_[0-9]* \[.*shape=doubleoctagon' "$dot"
ok $? "this host and the target are nodes"
sed -n '1,40s/^/# /p' "$dot"

tap_done
