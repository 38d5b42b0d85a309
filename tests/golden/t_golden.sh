#!/bin/bash
# Golden-output tests, tcpdump style and without root: each hand-built
# scenario (tests/golden/scenarios.c) goes through the report, the JSON
# document, the JSON stream, the live view's drawing (four screens as
# text, tests/golden/screen.c), the CSV and the Graphviz graph, and each
# output must equal its file here, byte for byte; the JSON must also
# satisfy doc/ecmptrace.schema.json, the CSV parse with Python's csv module
# (tests/golden/csvcheck.py) and the graph render with Graphviz's dot
# without a warning.
#
# A deliberate change of an output is recorded with
#     make golden-update            (runs this script with --update)
# which rewrites the files and names each one it changed; review them with
# `git diff tests/golden` before committing.  A normal run never writes.
. "$top_srcdir/tests/tap.sh"
update=0
[ "${1:-}" = --update ] && update=1
golden="$top_builddir/tests/golden/golden"
dir="$top_srcdir/tests/golden"
schema="$top_srcdir/doc/ecmptrace.schema.json"
validator="$top_srcdir/doc/validate-json.py"
[ -x "$golden" ] || { echo "Bail out! $golden not built"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
can_validate=0
python3 -c 'import jsonschema' 2>/dev/null && can_validate=1

names=$("$golden" list)
ok $? "the driver lists its scenarios"
[ "$(wc -l <<<"$names")" -ge 7 ]
ok $? "seven scenarios or more ($(echo $names))"

for name in $names; do
	for kind in report json stream screen csv dot; do
		want="$dir/$name.$kind" got="$tmp/$name.$kind"
		"$golden" "$name" "$kind" >"$got" 2>"$got.err"
		status=$?
		if [ "$status" -eq 77 ]; then
			tap_n=$((tap_n + 1))
			echo "ok $tap_n - $name: the $kind # SKIP curses has no xterm terminfo here"
			continue
		fi
		ok "$status" "$name: the $kind is written" || sed 's/^/#   /' "$got.err"
		[ -s "$got" ]
		ok $? "$name: the $kind is not empty"
		if [ "$update" -eq 1 ]; then
			if ! cmp -s "$want" "$got"; then
				cp "$got" "$want" && diag "updated $want"
			fi
			continue
		fi
		if [ ! -f "$want" ]; then
			ok 1 "$name: $want exists (make golden-update writes it)"
			continue
		fi
		diff -u "$want" "$got" >"$tmp/diff"
		ok $? "$name: the $kind equals $name.$kind"
		sed -n '1,40s/^/#   /p' "$tmp/diff"
	done
	for kind in json stream; do
		if [ "$can_validate" -eq 0 ]; then
			tap_n=$((tap_n + 1))
			echo "ok $tap_n - $name: the $kind fits the schema # SKIP python3-jsonschema missing"
			continue
		fi
		[ "$kind" = json ] && mode=report || mode=stream
		python3 "$validator" "$schema" "$mode" "$tmp/$name.$kind" >"$tmp/schema.out" 2>&1
		ok $? "$name: the $kind fits the schema"
		sed -n '1,10s/^/#   /p' "$tmp/schema.out"
	done
	python3 "$dir/csvcheck.py" "$tmp/$name.csv" >"$tmp/csv.out" 2>&1
	ok $? "$name: the csv parses, every row as wide as the header, numbers as numbers"
	sed -n '1,10s/^/#   /p' "$tmp/csv.out"
	if command -v dot >/dev/null; then
		dot -Tsvg "$tmp/$name.dot" >"$tmp/$name.svg" 2>"$tmp/dot.err" && [ ! -s "$tmp/dot.err" ] &&
			grep -q '<svg' "$tmp/$name.svg"
		ok $? "$name: dot -Tsvg renders the graph without a warning"
		sed -n '1,10s/^/#   /p' "$tmp/dot.err"
	else
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $name: the graph renders # SKIP graphviz (dot) missing"
	fi
done

# A responder whose reverse-DNS name carries a comma, quotes, a line break,
# Graphviz escapes and a non-UTF-8 byte: the CSV keeps it in one field,
# quoted, with the line break and the byte as '?', and the graph still
# renders without a warning.
"$golden" clean csv-names >"$tmp/names.csv" && "$golden" clean hostile-name >"$tmp/name" &&
	python3 "$dir/csvcheck.py" "$tmp/names.csv" >"$tmp/csv.out" 2>&1 &&
	python3 -c 'import csv,sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="ascii")))
want = "".join(c if " " <= c < "\x7f" else "?" for c in
               open(sys.argv[2], encoding="latin-1").read())
sys.exit(0 if rows and all(r["Name"] == want for r in rows) else 1)' "$tmp/names.csv" "$tmp/name"
ok $? "a hostile name stays one CSV field, line break and non-ASCII byte as ?"
sed -n '1,10s/^/#   /p' "$tmp/csv.out"
if command -v dot >/dev/null; then
	"$golden" clean dot-names >"$tmp/names.dot" &&
		dot -Tsvg "$tmp/names.dot" >"$tmp/names.svg" 2>"$tmp/dot.err" && [ ! -s "$tmp/dot.err" ] &&
		[ "$(grep -c '<g id="node' "$tmp/names.svg")" -eq 5 ]
	ok $? "a hostile name in the graph: five nodes, rendered without a warning"
	sed -n '1,10s/^/#   /p' "$tmp/dot.err"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - a hostile name in the graph # SKIP graphviz (dot) missing"
fi

# A run cut short (SIGTERM) or ended by an error: the document's "end" and
# the stream's end event say so, in the schema's terms.
for how in signal error; do
	for kind in json stream; do
		"$golden" lossy-branch "$kind-$how" >"$tmp/ended.$kind" 2>&1
		status=$?
		if [ "$can_validate" -eq 1 ]; then
			[ "$kind" = json ] && mode=report || mode=stream
			python3 "$validator" "$schema" "$mode" "$tmp/ended.$kind" >"$tmp/schema.out" 2>&1
			status=$((status + $?))
			sed -n '1,5s/^/#   /p' "$tmp/schema.out"
		fi
		python3 -c 'import json, sys
text = open(sys.argv[1]).read()
end = json.loads(text)["end"] if sys.argv[2] == "json" else json.loads(text.splitlines()[-1])
want = {"signal": {"reason": "signal", "signal": "SIGTERM", "error": None},
        "error": {"reason": "error", "signal": None, "error": "sendmmsg: No buffer space"}}
sys.exit(0 if all(end.get(k) == v for k, v in want[sys.argv[3]].items()) else 1)' \
			"$tmp/ended.$kind" "$kind" "$how"
		ok $((status + $?)) "a run ended by $how: the $kind says so and fits the schema"
	done
done

# A file here that no scenario writes is stale: a renamed scenario left it behind.
for f in "$dir"/*.report "$dir"/*.json "$dir"/*.stream "$dir"/*.screen "$dir"/*.csv "$dir"/*.dot; do
	base=$(basename "$f")
	grep -qx "${base%.*}" <<<"$names" || { stale="$stale $base"; }
done
[ -z "${stale:-}" ]
ok $? "no stale golden files${stale:+:$stale}"

# Several targets, one per scenario (no golden file: they must agree with
# the single-target outputs above).  -j: a "targets" array whose documents
# are the scenarios' own, in order, each named after its scenario; the
# stream: every event names its target, one start and one end each.
"$golden" fleet json >"$tmp/fleet.json" && "$golden" fleet stream >"$tmp/fleet.stream"
ok $? "the driver writes the document and the stream of several targets"
python3 - "$tmp" $names <<'PY'
import json, sys
tmp, names = sys.argv[1], sys.argv[2:]
doc = json.load(open(tmp + "/fleet.json"))
ok = [t["target"]["name"] for t in doc["targets"]] == names[:16]
for name, t in zip(names, doc["targets"]):
    # The target's name is the scenario's (in the reproduce commands too).
    one = json.loads(open(f"{tmp}/{name}.json").read().replace('"db.example', '"' + name)
                     .replace(" db.example ", " " + name + " "))
    ok = ok and one == t
events = [json.loads(l) for l in open(tmp + "/fleet.stream") if l.strip()]
for name in names[:16]:
    mine = [e for e in events if e.get("target", {}).get("name") == name]
    ok = ok and [e["type"] for e in mine].count("start") == 1 and mine[-1]["type"] == "end"
ok = ok and all("target" in e and e["target"]["address"] for e in events)
sys.exit(0 if ok else 1)
PY
ok $? "several targets: each one's document as alone, in order; every event names its target"
if [ "$can_validate" -eq 1 ]; then
	python3 "$validator" "$schema" report "$tmp/fleet.json" >"$tmp/schema.out" 2>&1 &&
		python3 "$validator" "$schema" stream "$tmp/fleet.stream" >>"$tmp/schema.out" 2>&1
	ok $? "several targets: the document and the stream fit the schema"
	sed -n '1,10s/^/#   /p' "$tmp/schema.out"
fi

# The stream shows what changed between its two snapshots: every kind of event at least once.
events=$(cat "$tmp"/*.stream | python3 -c 'import json,sys
print(" ".join(sorted({json.loads(l)["type"] for l in sys.stdin if l.strip()})))')
for ev in start round branch_new path_change finding_raised finding_cleared end; do
	grep -qw "$ev" <<<"$events"
	ok $? "the streams include a $ev event"
done
tap_done
