#!/usr/bin/python3
"""Judges the findings of an ecmptrace --json-stream run against the truth.

Usage: verdict.py STREAM TRUTH [--failing FILE] [--link FROM_TTL TO_TTL]

TRUTH is "return" (replies of some flows die on the way back) or "forward"
(probes die on the link that ends at hop TO_TTL).  FILE lists the source
ports that truly fail, one per line (from the kernel's routes, not from
ecmptrace).  Every finding ever raised or updated counts, transients too:

  - a loss finding (lossy-branch, return-path-loss, destination-loss) must
    list the true cause among its causes, and a forward one must have a
    range that holds the faulty link (from_ttl < TO_TTL <= to_ttl);
  - every port a loss finding names (its flows', and those it names apart
    because their branch is not known yet) must truly fail;
  - some finding must be right: it names the true cause, and for the
    return path at least one failing port.

Prints the time of the first right finding and the ports named last, one
"key: value" line each, and exits 1 with the reason when the verdict is
wrong.
"""
import datetime
import json
import sys

sys.dont_write_bytecode = True		# no __pycache__ in the source tree
import labcheck		# noqa: E402 (its schema check, from this directory)

LOSS = {"lossy-branch", "return-path-loss", "destination-loss"}
CAUSE = {"return": "return-path", "forward": "forward-loss"}


def when(event):
    return datetime.datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()


def holds_link(finding, link):
    """to_ttl null: anywhere from from_ttl up to the target, whose hop is unknown."""
    r = finding.get("range")
    if r is None:
        return False
    to = r["to_ttl"] if r["to_ttl"] is not None else 255
    return r["from_ttl"] < link[1] <= to and r["from_ttl"] <= link[0]


def judge(events, truth, failing, link):
    """Returns (problems, first right time, ports named by the latest findings)."""
    problems, first, start, named = [], None, None, {}
    for ev in events:
        if ev["type"] == "start":
            start = when(ev)
        if ev["type"] not in ("finding_raised", "finding_updated"):
            continue
        f = ev["finding"]
        if f["kind"] not in LOSS:
            continue
        at = when(ev) - (start or when(ev))
        key = (f["kind"], f["ttl"], f["address"])
        ports = set(f["source_ports"]) | set(f.get("unplaced_source_ports", []))
        named[key] = ports
        wrong = []
        if CAUSE[truth] not in f["causes"]:
            wrong.append("causes %s miss %s" % (f["causes"], CAUSE[truth]))
        if truth == "forward" and link and not holds_link(f, link):
            wrong.append("range %s misses the link %d -> %d" % (f.get("range"), link[0], link[1]))
        if failing is not None:
            clean = sorted(ports - failing)
            if clean:
                wrong.append("names ports that do not fail: %s" % clean)
        if wrong:
            problems.append("%.2f s %s: %s (%s)" % (at, f["kind"], "; ".join(wrong), f["summary"]))
        elif first is None and (truth == "forward" or f["source_ports"]):
            first = at
    if first is None:
        problems.append("no right finding")
    ports = set().union(*named.values()) if named else set()
    return problems, first, ports


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, truth, failing, link = args[0], args[1], None, None
    rest = args[2:]
    while rest:
        if rest[0] == "--failing":
            with open(rest[1]) as f:
                failing = {int(x) for x in f.read().split()}
            rest = rest[2:]
        elif rest[0] == "--link":
            link = (int(rest[1]), int(rest[2]))
            rest = rest[3:]
        else:
            print("verdict.py: unknown argument %s" % rest[0], file=sys.stderr)
            return 2
    with open(path) as f:
        events = [json.loads(line) for line in f if line.strip()]
    problems, first, ports = judge(events, truth, failing, link)
    # The stream must also be what doc/ecmptrace.schema.json says it is.
    problems += ["not valid against the schema: %s" % p for p in labcheck.schema_problems(events)[:5]]
    print("first_right_s: %s" % ("%.2f" % first if first is not None else "none"))
    print("ports_named: %s" % " ".join(str(p) for p in sorted(ports)))
    for p in problems:
        print("wrong: %s" % p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
