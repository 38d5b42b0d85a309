#!/usr/bin/python3
"""Checks on ecmptrace's JSON output (-j) for the namespace lab tests.

Each subcommand reads one JSON document, prints what it found as TAP
comments ("# ...") and exits 0 when the check holds, 1 when it does not,
2 on bad usage or unreadable input.  The shell tests turn the exit status
into one TAP line each.  Every document and stream line read is first
validated against doc/ecmptrace.schema.json (closed objects: a key the
schema does not declare fails) when python3-jsonschema is installed, so
every lab run's output is held to the schema.

  labcheck.py shape FILE
      the document has the fields of schema_version 2 with sane types
  labcheck.py branches FILE TTL ADDR...
      each ADDR is a branch at TTL with at least one flow
  labcheck.py only FILE TTL ADDR...
      the known branches at TTL are exactly the ADDRs (no other address)
  labcheck.py one-branch FILE
      every hop has exactly one known branch (a chain)
  labcheck.py dest FILE TTL ADDR
      ADDR is a destination branch at TTL, and every flow's dest_ttl is TTL
  labcheck.py pmtu-clean FILE
      a clean network: no mtu-branch finding, every branch's pmtu_bytes 1500
  labcheck.py flows FILE [TTL]
      prints "ID SOURCE_PORT" per flow, for the oracle; with TTL, only the
      flows the run placed at that TTL (lane flows, probed only end to
      end, have no path)
  labcheck.py port FILE
      prints the destination port of the run
  labcheck.py paths FILE EXPECTED [--allow-null]
      EXPECTED has lines "SOURCE_PORT ADDR_TTL1 ADDR_TTL2 ...": every
      flow's path equals its line (null entries allowed with --allow-null
      when a TTL of the flow never answered)
  labcheck.py reached FILE
      every flow reached the destination (dest_ttl > 0) without loss
  labcheck.py lossy FILE BRANCH_TTL LOSSY_ADDR SIBLING_ADDR PERMILLE
      flows through LOSSY_ADDR lose about PERMILLE/1000 end to end, flows
      through SIBLING_ADDR lose nothing, and the sibling's branch at
      BRANCH_TTL lost nothing
  labcheck.py no-findings FILE
      the diagnosis found nothing (a clean network)
  labcheck.py finding FILE KIND [--blames ADDR] [--ports PORTFILE]
      a finding of KIND exists; with --blames, ADDR is its address or
      previous address; with --ports, its source ports are exactly those
      in PORTFILE (whitespace separated); no finding blames another branch
      when --blames is given
  labcheck.py slow FILE ADDR SHIFT_MS PORTFILE [TOL_MS]
      exactly one slow-branch finding: it blames ADDR, its latency
      interval holds SHIFT_MS (give or take TOL_MS, the lab's own
      precision; default 0), and its source ports are exactly those in
      PORTFILE (the flows the kernel sends through ADDR)
  labcheck.py none FILE KIND
      no finding of KIND
  labcheck.py elapsed FILE SECONDS
      the run took at most SECONDS from start to end
  labcheck.py reproduce FILE KIND
      prints the "reproduce" command lines of the findings of KIND
  labcheck.py stream FILE ROUNDS TTL ADDR...
      FILE is --json-stream output: a "start" line first, an "end" line
      last with ROUNDS rounds, "round" lines with rising numbers ending
      at ROUNDS, and exactly one "branch_new" line for each ADDR at TTL
  labcheck.py returnloss FILE EXPECTED_BAD
      EXPECTED_BAD has one source port per line: exactly these flows lose
      every probe end to end, the others lose none
"""
import json
import math
import os
import sys


# Subcommands that print data for the shell send their comments to stderr.
DIAG_OUT = sys.stdout


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line, file=DIAG_OUT)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def hop_at(doc, ttl):
    for hop in doc.get("hops", []):
        if hop.get("ttl") == ttl:
            return hop
    return None


def first_ttl(doc):
    first = (doc.get("settings") or {}).get("first_ttl")
    if isinstance(first, int):
        return first
    ttls = [h["ttl"] for h in doc.get("hops", []) if isinstance(h.get("ttl"), int)]
    return min(ttls) if ttls else 1


SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "doc",
                      "ecmptrace.schema.json")


def schema_problems(docs):
    """What doc/ecmptrace.schema.json finds wrong in docs; [] when it
    cannot check (no jsonschema, no schema file)."""
    try:
        import jsonschema
        with open(SCHEMA, encoding="utf-8") as f:
            validator = jsonschema.Draft202012Validator(json.load(f))
    except (ImportError, OSError):
        return []
    problems = []
    for n, doc in enumerate(docs, 1):
        for err in validator.iter_errors(doc):
            problems.append("line %d: %s at %s" % (n, err.message[:300], list(err.absolute_path)))
    return problems


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) or v is None


def cmd_shape(doc, args):
    bad = []

    def need(cond, what):
        if not cond:
            bad.append(what)

    need(doc.get("schema_version") == 2, "schema_version is 2")
    need(isinstance(doc.get("version"), str), "version is a string")
    need(isinstance(doc.get("settings"), dict), "settings is an object")
    need((doc.get("end") or {}).get("reason") in ("done", "signal", "error"), "end.reason")
    tgt = doc.get("target")
    need(isinstance(tgt, dict) and "address" in tgt and "name" in tgt,
         "target has name and address")
    need(doc.get("protocol") in ("udp", "tcp", "icmp"), "protocol")
    need(doc.get("family") in (4, 6), "family")
    need(is_int(doc.get("rounds")), "rounds is an integer")
    need(isinstance(doc.get("hops"), list), "hops is a list")
    need(isinstance(doc.get("flows"), list), "flows is a list")
    need(isinstance(doc.get("findings"), list), "findings is a list")
    for hop in doc.get("hops", []) or []:
        need(is_int(hop.get("ttl")), "hop ttl")
        for br in hop.get("branches", []) or []:
            for key in ("sent", "received"):
                need(is_int(br.get(key)), "branch %s" % key)
            if is_int(br.get("sent")) and is_int(br.get("received")):
                need(br["received"] <= br["sent"],
                     "branch received <= sent at ttl %s" % hop.get("ttl"))
            need(is_num(br.get("loss_pct")), "branch loss_pct")
            rtt = br.get("rtt_ms")
            need(isinstance(rtt, dict) and all(
                k in rtt for k in ("last", "min", "avg", "max", "stddev")),
                "branch rtt_ms fields")
            need(isinstance(br.get("flows"), list), "branch flows list")
            need(isinstance(br.get("is_destination"), bool), "is_destination")
    for fl in doc.get("flows", []) or []:
        for key in ("id", "source_port", "sent", "received", "dest_ttl"):
            need(is_int(fl.get(key)), "flow %s" % key)
        need(isinstance(fl.get("path"), list), "flow path list")
    for b in sorted(set(bad)):
        diag("missing or wrong: " + b)
    return not bad


def branch_map(hop):
    """Known branches of a hop, by address."""
    out = {}
    for br in hop.get("branches", []):
        if br.get("address"):
            out[br["address"]] = br
    return out


def cmd_branches(doc, args):
    ttl, addrs = int(args[0]), args[1:]
    hop = hop_at(doc, ttl)
    if hop is None:
        diag("no hop at ttl %d" % ttl)
        return False
    have = branch_map(hop)
    diag("ttl %d branches: %s" % (ttl, ", ".join(
        "%s (%d flows)" % (a, len(b.get("flows", []))) for a, b in sorted(have.items()))))
    good = True
    for a in addrs:
        if a not in have:
            diag("missing branch %s" % a)
            good = False
        elif not have[a].get("flows"):
            diag("branch %s has no flows" % a)
            good = False
    return good


def cmd_only(doc, args):
    ttl, addrs = int(args[0]), set(args[1:])
    hop = hop_at(doc, ttl)
    if hop is None:
        diag("no hop at ttl %d" % ttl)
        return False
    have = set(branch_map(hop))
    if have != addrs:
        diag("ttl %d: branches %s, expected %s" % (ttl, sorted(have), sorted(addrs)))
        return False
    return True


def cmd_one_branch(doc, args):
    good = True
    for hop in doc.get("hops", []):
        known = branch_map(hop)
        if len(known) != 1:
            diag("ttl %s has %d known branches: %s" % (hop.get("ttl"), len(known),
                                                       sorted(known)))
            good = False
    return good and bool(doc.get("hops"))


def cmd_dest(doc, args):
    ttl, addr = int(args[0]), args[1]
    hop = hop_at(doc, ttl)
    good = True
    if hop is None:
        diag("no hop at ttl %d" % ttl)
        return False
    br = branch_map(hop).get(addr)
    if br is None or not br.get("is_destination"):
        diag("ttl %d: %s is not a destination branch" % (ttl, addr))
        good = False
    for h in doc.get("hops", []):
        if h.get("ttl", 0) < ttl:
            for b in h.get("branches", []):
                if b.get("is_destination"):
                    diag("destination already at ttl %s" % h.get("ttl"))
                    good = False
    for fl in doc.get("flows", []):
        if fl.get("dest_ttl") != ttl:
            diag("flow %s (sport %s) dest_ttl %s, expected %d" % (
                fl.get("id"), fl.get("source_port"), fl.get("dest_ttl"), ttl))
            good = False
    return good and bool(doc.get("flows"))


def cmd_flows(doc, args):
    ttl = int(args[0]) if args else 0
    for fl in doc.get("flows", []):
        path = fl.get("path") or []
        if ttl and (len(path) < ttl or path[ttl - 1] is None):
            continue
        print("%d %d" % (fl["id"], fl["source_port"]))
    return True


def cmd_port(doc, args):
    print(doc["port"])
    return is_int(doc["port"])


def read_expected(path):
    exp = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words:
                exp[int(words[0])] = words[1:]
    return exp


def cmd_paths(doc, args):
    exp = read_expected(args[0])
    allow_null = "--allow-null" in args[1:]
    first = first_ttl(doc)
    flows = doc.get("flows", [])
    good = bool(flows)
    matched = 0
    for fl in flows:
        sport = fl.get("source_port")
        want = exp.get(sport)
        if want is None:
            diag("flow %s: no oracle path for sport %s" % (fl.get("id"), sport))
            good = False
            continue
        # The path starts at the first TTL; the oracle at TTL 1.
        want = want[first - 1:]
        path = fl.get("path") or []
        ok = len(path) >= len(want)
        for i, w in enumerate(want):
            if i >= len(path):
                break
            got = path[i]
            if got == w or (got is None and allow_null):
                continue
            ok = False
        # Past the destination a path may only repeat it or be empty.
        for got in path[len(want):]:
            if got not in (None, want[-1] if want else None):
                ok = False
        if ok:
            matched += 1
        else:
            diag("flow %s sport %s: path %s, oracle %s" % (
                fl.get("id"), sport, path, want))
            good = False
    diag("%d of %d flow paths equal the kernel's choice" % (matched, len(flows)))
    return good


def cmd_reached(doc, args):
    flows = doc.get("flows", [])
    good = bool(flows)
    for fl in flows:
        if not fl.get("dest_ttl") or fl.get("received", 0) == 0 or \
                fl.get("received") != fl.get("sent"):
            diag("flow %s sport %s: dest_ttl %s sent %s received %s" % (
                fl.get("id"), fl.get("source_port"), fl.get("dest_ttl"),
                fl.get("sent"), fl.get("received")))
            good = False
    diag("%d flows" % len(flows))
    return good


def flows_through(doc, ttl, addr):
    idx = ttl - first_ttl(doc)
    out = []
    for fl in doc.get("flows", []):
        path = fl.get("path") or []
        if 0 <= idx < len(path) and path[idx] == addr:
            out.append(fl)
    return out


def cmd_lossy(doc, args):
    ttl, lossy, sibling, permille = int(args[0]), args[1], args[2], int(args[3])
    p = permille / 1000.0
    good = True
    lf = flows_through(doc, ttl, lossy)
    sf = flows_through(doc, ttl, sibling)
    lsent = sum(f.get("sent", 0) for f in lf)
    lrecv = sum(f.get("received", 0) for f in lf)
    ssent = sum(f.get("sent", 0) for f in sf)
    srecv = sum(f.get("received", 0) for f in sf)
    diag("lossy %s: %d flows, %d/%d received end to end" % (lossy, len(lf), lrecv, lsent))
    diag("sibling %s: %d flows, %d/%d received end to end" % (sibling, len(sf), srecv, ssent))
    if not lf or not sf or lsent < 20:
        diag("too few flows or probes on a branch to judge")
        return False
    loss = 1.0 - lrecv / lsent
    # Four standard deviations of a binomial share, plus 2 points of slack.
    margin = 4.0 * math.sqrt(p * (1.0 - p) / lsent) + 0.02
    diag("lossy branch end-to-end loss %.1f%%, expected %.1f%% +- %.1f" % (
        100 * loss, 100 * p, 100 * margin))
    if abs(loss - p) > margin:
        good = False
    for f in lf:
        if f.get("received", 0) == 0:
            diag("flow %s on the lossy branch lost everything" % f.get("id"))
            good = False
    if ssent == 0 or srecv != ssent:
        diag("sibling flows lost probes end to end")
        good = False
    for f in sf:
        if f.get("loss_pct") not in (0, 0.0):
            diag("sibling flow %s loss_pct %s" % (f.get("id"), f.get("loss_pct")))
            good = False
    hop = hop_at(doc, ttl)
    br = branch_map(hop).get(sibling) if hop else None
    if br is None:
        diag("no sibling branch at ttl %d" % ttl)
        good = False
    else:
        diag("sibling branch at ttl %d: sent %s received %s loss_pct %s" % (
            ttl, br.get("sent"), br.get("received"), br.get("loss_pct")))
        if br.get("sent", 0) == 0 or br.get("received") != br.get("sent") or \
                br.get("loss_pct") not in (0, 0.0):
            good = False
    return good


def cmd_no_findings(doc, args):
    found = doc.get("findings", [])
    for f in found:
        diag("unexpected finding: %s" % f.get("summary", f))
    return isinstance(found, list) and not found


def cmd_finding(doc, args):
    kind, rest = args[0], args[1:]
    blames = ports = None
    while rest:
        if rest[0] == "--blames" and len(rest) > 1:
            blames, rest = rest[1], rest[2:]
        elif rest[0] == "--ports" and len(rest) > 1:
            with open(rest[1], encoding="utf-8") as f:
                ports = {int(w) for w in f.read().split()}
            rest = rest[2:]
        else:
            raise ValueError("bad argument %s" % rest[0])
    found = doc.get("findings", [])
    for f in found:
        diag("finding %s: %s" % (f.get("kind"), f.get("summary")))
    good = False
    for f in found:
        if f.get("kind") != kind:
            continue
        where = {f.get("address"), f.get("previous_address")}
        if blames is not None and blames not in where:
            continue
        # A finding names the flows that lost probes: an expected port may
        # be missing only when its flow lost nothing end to end.
        named = set(f.get("source_ports", []))
        unseen = {fl["source_port"] for fl in doc.get("flows", []) if fl.get("sent", 0) and
                  fl.get("received") == fl.get("sent")}
        if ports is not None and (not named <= ports or (ports - named) - unseen):
            diag("%s finding names ports %s, expected %s" % (
                kind, sorted(named), sorted(ports)))
            continue
        good = True
    if not good:
        diag("no %s finding%s%s" % (kind, " blaming " + blames if blames else "",
                                     " with the expected ports" if ports is not None else ""))
    return good


def cmd_slow(doc, args):
    addr, shift = args[0], float(args[1])
    with open(args[2], encoding="utf-8") as f:
        ports = {int(w) for w in f.read().split()}
    slow = [f for f in doc.get("findings", []) if f.get("kind") == "slow-branch"]
    for f in slow:
        diag("slow-branch: %s" % f.get("summary"))
    if len(slow) != 1:
        diag("%d slow-branch findings, expected 1" % len(slow))
        return False
    f = slow[0]
    lo, hi = f["latency"]["interval_ms"]
    tol = float(args[3]) if len(args) > 3 else 0.0
    diag("interval %.3f-%.3f ms %s %.3f ms exactly" % (
        lo, hi, "holds" if lo <= shift <= hi else "misses", shift))
    named = set(f.get("source_ports", []))
    good = True
    if f.get("address") != addr:
        diag("it blames %s, expected %s" % (f.get("address"), addr))
        good = False
    if not lo - tol <= shift <= hi + tol:
        diag("its interval %.3f-%.3f ms does not hold %.3f +- %.3f ms" % (lo, hi, shift, tol))
        good = False
    if named != ports:
        diag("it names ports %s, expected %s" % (sorted(named), sorted(ports)))
        good = False
    return good


def cmd_pmtu_clean(doc, args):
    mtu = [f for f in doc["findings"] if f["kind"] == "mtu-branch"]
    bad = [b for h in doc["hops"] for b in h["branches"] if b.get("pmtu_bytes") != 1500]
    for f in mtu:
        diag("unexpected: %s" % f["summary"])
    for b in bad:
        diag("branch %s: pmtu_bytes %s" % (b["address"], b.get("pmtu_bytes")))
    return not mtu and not bad


def cmd_none(doc, args):
    found = [f for f in doc.get("findings", []) if f.get("kind") == args[0]]
    for f in found:
        diag("unexpected %s: %s" % (args[0], f.get("summary")))
    return not found


def cmd_elapsed(doc, args):
    import datetime

    def when(s):
        return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))

    took = (when(doc["finished"]) - when(doc["started"])).total_seconds()
    diag("the run took %.1f s" % took)
    return took <= float(args[0])


def cmd_reproduce(doc, args):
    lines = []
    for f in doc.get("findings", []):
        if f.get("kind") == args[0]:
            lines.extend(r for r in f.get("reproduce", []) if isinstance(r, str))
    for line in lines:
        print(line)
    return bool(lines)


def load_stream(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_stream(events, args):
    rounds, ttl, addrs = int(args[0]), int(args[1]), args[2:]
    good = True
    types = [e.get("type") for e in events]
    diag("%d lines: %s" % (len(events), ", ".join(
        "%s x%d" % (t, types.count(t)) for t in sorted(set(map(str, types))))))
    if not events or types[0] != "start":
        diag("the first line is not a start event")
        good = False
    if not events or types[-1] != "end":
        diag("the last line is not an end event")
        good = False
    elif events[-1].get("rounds") != rounds:
        diag("end says %s rounds, expected %d" % (events[-1].get("rounds"), rounds))
        good = False
    # Round lines may be coalesced when the writer falls behind (seen
    # under load: 2, 3, 4, 5), but they rise and the last is the last round.
    numbers = [e.get("round") for e in events if e.get("type") == "round"]
    if not numbers or numbers != sorted(set(numbers)) or numbers[-1] != rounds \
            or numbers[0] < 1:
        diag("round lines numbered %s" % numbers)
        good = False
    elif len(numbers) != rounds:
        diag("note: %d round lines for %d rounds: %s" % (len(numbers), rounds, numbers))
    for a in addrs:
        n = sum(1 for e in events if e.get("type") == "branch_new"
                and e.get("ttl") == ttl and e.get("address") == a)
        if n != 1:
            diag("%d branch_new events for %s at ttl %d" % (n, a, ttl))
            good = False
    return good


def cmd_returnloss(doc, args):
    with open(args[0], encoding="utf-8") as f:
        bad = {int(w) for w in f.read().split()}
    flows = doc.get("flows", [])
    good = bool(flows)
    nbad = 0
    for fl in flows:
        sport = fl.get("source_port")
        sent, recv = fl.get("sent", 0), fl.get("received", 0)
        if sent == 0:
            diag("flow %s sport %s sent nothing end to end" % (fl.get("id"), sport))
            good = False
        elif sport in bad:
            nbad += 1
            if recv != 0:
                diag("flow sport %s should lose every reply: %d/%d" % (sport, recv, sent))
                good = False
        elif recv != sent:
            diag("flow sport %s should lose nothing: %d/%d" % (sport, recv, sent))
            good = False
    diag("%d of %d flows have their replies dropped" % (nbad, len(flows)))
    return good


COMMANDS = {
    "shape": (cmd_shape, 0),
    "branches": (cmd_branches, 2),
    "only": (cmd_only, 2),
    "one-branch": (cmd_one_branch, 0),
    "dest": (cmd_dest, 2),
    "flows": (cmd_flows, 0),
    "port": (cmd_port, 0),
    "paths": (cmd_paths, 1),
    "reached": (cmd_reached, 0),
    "lossy": (cmd_lossy, 4),
    "returnloss": (cmd_returnloss, 1),
    "stream": (cmd_stream, 2),
    "reproduce": (cmd_reproduce, 1),
    "no-findings": (cmd_no_findings, 0),
    "finding": (cmd_finding, 1),
    "slow": (cmd_slow, 3),
    "none": (cmd_none, 1),
    "pmtu-clean": (cmd_pmtu_clean, 0),
    "elapsed": (cmd_elapsed, 1),
}


def main(argv):
    if len(argv) < 2 or argv[0] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    global DIAG_OUT
    if argv[0] in ("flows", "port", "reproduce"):
        DIAG_OUT = sys.stderr
    fn, nargs = COMMANDS[argv[0]]
    if len(argv) - 2 < nargs:
        sys.stderr.write(__doc__)
        return 2
    try:
        doc = load_stream(argv[1]) if argv[0] == "stream" else load(argv[1])
    except (OSError, ValueError) as e:
        diag("cannot read %s: %s" % (argv[1], e))
        return 2
    if not isinstance(doc, dict) and argv[0] != "stream":
        diag("not a JSON object")
        return 2
    problems = schema_problems(doc if argv[0] == "stream" else [doc])
    if problems:
        diag("not valid against doc/ecmptrace.schema.json:")
        for p in problems[:10]:
            diag("  " + p)
        return 1
    try:
        return 0 if fn(doc, argv[2:]) else 1
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        diag("unexpected document: %r" % (e,))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
