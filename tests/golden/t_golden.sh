#!/bin/bash
# Golden-output tests, tcpdump style and without root: each hand-built
# scenario (tests/golden/scenarios.c) goes through the report, the JSON
# document, the JSON stream and the live view's drawing (four screens as
# text, tests/golden/screen.c), and each output must equal its file here,
# byte for byte; the JSON must also satisfy doc/ecmptrace.schema.json.
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
	for kind in report json stream screen; do
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
done

# A file here that no scenario writes is stale: a renamed scenario left it behind.
for f in "$dir"/*.report "$dir"/*.json "$dir"/*.stream "$dir"/*.screen; do
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
