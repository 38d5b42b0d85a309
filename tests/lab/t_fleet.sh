#!/bin/bash
# Three targets in one process, behind different branches of one network:
# the two-way ECMP (client - r1 - {r2a, r2b} - r3 - server) with a second
# server s2 behind r3 too (the same two branches) and a third, s3, right
# behind r1 (no branch).  r2a drops a share (random per run, printed) of
# what it forwards to the server only, so the server's target shows a
# lossy-branch finding blaming r2a, and s2 (through the very same
# branches) and s3 stay clean.  One ecmptrace traces all three from a
# --targets file (with a comment, a blank line and a TCP line) and two
# hosts on the command line: -j holds a "targets" array in that order,
# each a document of its own that passes the schema; --json-stream's
# every event names its target; -r prints the three reports.  Then both
# families in one process: the server over IPv4 and s2 over IPv6, each
# with its branches, the finding on the server only.
# make sets top_srcdir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

permille=$((250 + RANDOM % 150))
diag "r2a drops $permille permille of what it forwards to the server"
build() {
	lab_topo_ecmp2 0 a || return 1
	lab_ns s2 && lab_ns s3 || return 1
	# s2 behind r3 (link 7): the same two branches as the server.
	lab_link r3 s2 7 && lab_default s2 r3 || return 1
	lab_route r1 7 r2a r2b && lab_route r2a 7 r3 && lab_route r2b 7 r3 || return 1
	# s3 right behind r1 (link 8): no branch on its way.
	lab_link r1 s3 8 && lab_default s3 r1 || return 1
	lab_route r2a 8 r1 && lab_route r2b 8 r1 || return 1
	lab_loss_match "$LAB_PREFIX-r2a" v-r3 ip daddr "$LAB_SERVER_ADDR" \
		numgen random mod 1000 lt "$permille"
}
build
ok $? "topology built: server and s2 behind r2a|r2b, s3 behind r1"
s2=$(lab_ifaddr 4 s2 r3)
s3=$(lab_ifaddr 4 s3 r1)
lossy=$(lab_answer "$LAB_PREFIX-r2a")
sibling=$(lab_answer "$LAB_PREFIX-r2b")
lab_tcp_listen "$LAB_PREFIX-s3" 8080 >/dev/null

targets="$LAB_TMP/targets"
printf '# the fleet\n\nudp %s\n  tcp %s 8080   # a service\n' "$s2" "$s3" >"$targets"
out="$LAB_TMP/fleet.json"
lab_ecmptrace "$out" -n -j -c 20 -i 0.2 --timeout 1 --rate 3000 "$LAB_SERVER_ADDR" \
	--targets "$targets"
ok $? "one ecmptrace -j traced three targets"
lab_schema report "$out"
lab_ok_or_skip $? "the document of three targets is valid against doc/ecmptrace.schema.json"

# One line per target: "NAME PROTO PORT FINDINGS(kind@blamed,...) LOSS_PERMILLE".
summary() {
	"$LAB_PY" - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["targets"]:
    # A lossy branch is named as the hop before the loss (previous_address).
    kinds = ",".join(f["kind"] + "@" + str(f.get("previous_address") or f["address"])
                     for f in t["findings"]) or "none"
    sent = sum(f["sent"] for f in t["flows"])
    lost = sent - sum(f["received"] for f in t["flows"])
    print(t["target"]["name"], t["protocol"], t["port"], kinds,
          round(1000 * lost / max(1, sent)))
PY
}
summary "$out" >"$LAB_TMP/summary"
sed 's/^/# /' "$LAB_TMP/summary"
[ "$(awk '{ print $1, $2, $3 }' "$LAB_TMP/summary" | tr '\n' ' ')" = \
	"$LAB_SERVER_ADDR udp 33434 $s2 udp 33434 $s3 tcp 8080 " ]
ok $? "the targets in the order given, each with its own protocol and port"
awk -v a="$lossy" '$1 != "" && NR == 1 && $4 ~ ("lossy-branch@" a) { f = 1 } END { exit !f }' \
	"$LAB_TMP/summary"
ok $? "the server's target has a lossy-branch finding blaming r2a ($lossy)"
awk 'NR > 1 && ($4 != "none" || $5 > 20) { bad = 1 } END { exit bad || NR != 3 }' \
	"$LAB_TMP/summary"
ok $? "s2 (through the same branches) and s3 are clean: no finding, no loss"
"$LAB_PY" - "$out" "$lossy" "$sibling" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s2 = doc["targets"][1]
addrs = {b["address"] for h in s2["hops"] if h["ttl"] == 2 for b in h["branches"]}
sys.exit(0 if {sys.argv[2], sys.argv[3]} <= addrs else 1)
PY
ok $? "s2's flows took both branches r2a and r2b (clean all the same)"

stream="$LAB_TMP/fleet.jsonl"
lab_ecmptrace "$stream" -n --json-stream -c 10 -i 0.2 --timeout 1 --rate 3000 \
	"$LAB_SERVER_ADDR" "$s2" "$s3"
ok $? "ecmptrace --json-stream ran over three hosts"
lab_schema stream "$stream"
lab_ok_or_skip $? "every line is valid against doc/ecmptrace.schema.json"
"$LAB_PY" - "$stream" "$LAB_SERVER_ADDR" "$s2" "$s3" <<'PY'
import json, sys
names = sys.argv[2:]
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = bool(lines)
ends = {}
for ev in lines:
    t = ev.get("target", {})
    ok = ok and t.get("name") in names and t.get("address") == t.get("name")
    if ev["type"] == "end":
        ends[t["name"]] = ends.get(t["name"], 0) + 1
    if ev["type"] == "finding_raised" and t["name"] != names[0]:
        print("# a finding on", t["name"], ev["finding"]["kind"])
        ok = False
ok = ok and all(ends.get(n) == 1 for n in names)
print("#", len(lines), "events, ends:", ends)
sys.exit(0 if ok else 1)
PY
ok $? "every event names its target; one end per target; findings on the server only"

report="$LAB_TMP/fleet.txt"
lab_ecmptrace "$report" -n -r -c 5 -i 0.2 --timeout 1 --rate 3000 "$LAB_SERVER_ADDR" "$s2" "$s3"
ok $? "ecmptrace -r ran over three hosts"
n=0
for a in "$LAB_SERVER_ADDR" "$s2" "$s3"; do
	grep -q "$a" "$report" && n=$((n + 1))
done
[ "$n" -eq 3 ] && [ "$(grep -c "^ecmptrace .* to " "$report")" -eq 3 ]
ok $? "-r reports every target, one after another"

# Both families at once: one raw socket of each, one capture.
s2v6=$(lab_ifaddr 6 s2 r3)
mixed="$LAB_TMP/mixed.json"
lab_ecmptrace "$mixed" -n -j -c 20 -i 0.2 --timeout 1 --rate 2000 "$LAB_SERVER_ADDR" "$s2v6"
ok $? "one ecmptrace -j traced an IPv4 and an IPv6 target"
summary "$mixed" >"$LAB_TMP/mixed-summary"
sed 's/^/# /' "$LAB_TMP/mixed-summary"
awk -v a="$lossy" -v six="$s2v6" 'NR == 1 && $4 ~ ("lossy-branch@" a) { f++ }
	NR == 2 && $1 == six && $4 == "none" && $5 <= 20 { f++ } END { exit f != 2 }' \
	"$LAB_TMP/mixed-summary"
ok $? "IPv4 server: the lossy-branch finding; IPv6 s2: clean"
"$LAB_PY" - "$mixed" "$(lab_ifaddr 6 r2a r1)" "$(lab_ifaddr 6 r2b r1)" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["targets"][1]
addrs = {b["address"] for h in t["hops"] if h["ttl"] == 2 for b in h["branches"]}
print("# IPv6 branches at TTL 2:", sorted(addrs))
sys.exit(0 if t["family"] == 6 and {sys.argv[2], sys.argv[3]} <= addrs else 1)
PY
ok $? "the IPv6 target's flows took both branches"

tap_done
