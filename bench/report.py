#!/usr/bin/python3
"""Tables for bench/run.sh: read what one scenario left in its directory
and print the measurements, the ratios ecmptrace / peer and the goals of
issue 6 with PASS or MISS next to each.

Files in a scenario directory (written by run.sh):
  expected        "ttl T ADDR..." (addresses that may answer at TTL T),
                  "edge A B" (B can follow A one TTL later), "diamond T..."
                  (the TTLs inside the diamond), for the unequal
                  diamond "long ADDR" (x, the longer branch's router), and
                  for the merge diamond "alias A,B,..." (addresses of one
                  router)
  TOOL-N.json     run N's ecmptrace -j output, or sc_warts2json output
                  for scamper (N = 1 .. BENCH_REPS)
  scamper-N.txt   sc_warts2text output (its addresses count as found too)
  TOOL-N.ru       rusage.py line: wall_s user_s sys_s maxrss_kib status
  TOOL-N.cnt      "nft list table" of the client's output counters
  TOOL-N.cmd      the command line, for the record
  TOOL-N.times    "SECONDS TTL" per probe, from a capture (optional)
  ecmptrace.mode  "mda" or "fixed"
Goals are judged on the medians over the runs (completeness: every run).
Usage: report.py diamond|unequal|perpacket|cpu|memory DIR [--wall-goal X]
       [--no-probe-goal] [--floor] [--aliases]
"""
import json
import os
import re
import sys


def read_expected(d):
    ttl_of, edges = {}, set()
    with open(d + "/expected") as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "ttl":
                for a in w[2:]:
                    ttl_of[a] = int(w[1])
            elif w[0] == "edge" and len(w) == 3:
                edges.add((w[1], w[2]))
    return ttl_of, edges


def read_extra(d):
    """The "diamond" TTLs (default 2 3 4) and the "long" address (x of
    the unequal diamond, or None) of the expected file."""
    diamond_ttls, long_addr = (2, 3, 4), None
    with open(d + "/expected") as f:
        for line in f:
            w = line.split()
            if len(w) >= 2 and w[0] == "diamond":
                diamond_ttls = tuple(int(t) for t in w[1:])
            elif len(w) == 2 and w[0] == "long":
                long_addr = w[1]
    return diamond_ttls, long_addr


def read_aliases(d):
    """The address sets of the expected file's "alias" lines."""
    sets = []
    with open(d + "/expected") as f:
        for line in f:
            w = line.split()
            if len(w) == 2 and w[0] == "alias":
                sets.append(frozenset(w[1].split(",")))
    return sets


def read_ru(path):
    try:
        with open(path) as f:
            w = f.read().split()
        return {"wall": float(w[0]), "user": float(w[1]), "sys": float(w[2]),
                "rss": int(w[3]), "status": int(w[4])}
    except (OSError, ValueError, IndexError):
        return None


def read_counts(path):
    """Probes per TTL counted by nftables in the client's output hook."""
    per = {}
    try:
        with open(path) as f:
            for line in f:
                m = re.search(r"ip ttl (\d+) counter packets (\d+)", line)
                if m:
                    per[int(m.group(1))] = int(m.group(2))
                m = re.search(r"ip ttl > 32 counter packets (\d+)", line)
                if m:
                    per[33] = int(m.group(1))
    except OSError:
        pass
    return per


def read_text(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def load_ecmptrace(path):
    """Addresses found, per-flow observations, findings, self-count."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    found, load = set(), {}
    for hop in doc.get("hops") or []:
        for br in hop.get("branches") or []:
            if br.get("address"):
                found.add(br["address"])
                load[br["address"]] = load.get(br["address"], 0) + (br.get("received") or 0)
    flows = {}
    first = (doc.get("settings") or {}).get("first_ttl") or 1
    for fl in doc.get("flows") or []:
        obs = {}
        for i, a in enumerate(fl.get("path") or []):
            if a:
                obs.setdefault(first + i, set()).add(a)
        flows[fl.get("id")] = (obs, fl.get("path_changes") or 0)
    kinds = [x.get("kind") for x in doc.get("findings") or []]
    probes = doc.get("probes") or {}
    ports = [fl.get("source_port") for fl in doc.get("flows") or []
             if fl.get("source_port") is not None]
    routers = [frozenset(r.get("addresses") or []) for r in doc.get("routers") or []]
    return {"found": found, "flows": flows, "findings": kinds, "load": load,
            "self": probes.get("sent"), "answers": probes.get("replies"),
            "sport": min(ports) if ports else None, "routers": routers}


def walk_addrs(node, found, flows, answered, load):
    """Collect every 'addr' of a tracelb record, per flow id the
    addresses that answered its probes at each TTL, and the ids of the
    answered probe records."""
    if isinstance(node, list):
        for x in node:
            walk_addrs(x, found, flows, answered, load)
        return
    if not isinstance(node, dict):
        return
    if node.get("replyc", 0) > 0 and "tx" in node:
        answered.add(id(node))
    addr = node.get("addr")
    if addr:
        found.add(addr)
        for p in node.get("probes") or []:
            if p.get("replyc", 0) > 0:
                load[addr] = load.get(addr, 0) + 1
            if p.get("replyc", 0) > 0 and "flowid" in p and "ttl" in p:
                flows.setdefault(p["flowid"], {}).setdefault(
                    p["ttl"], set()).add(addr)
    for v in node.values():
        if isinstance(v, (list, dict)):
            walk_addrs(v, found, flows, answered, load)


def text_addrs(path):
    """The addresses in sc_warts2text's picture of a tracelb graph
    ("A -> (B, C) -> D" lines after the "tracelb from" line).  Needed
    because sc_warts2json (scamper 20211212) leaves out the last hop of a
    graph that ends in a hop of several addresses; the text keeps it."""
    found = set()
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("tracelb"):
                    continue
                for w in re.sub(r"->|[(),]", " ", line).split():
                    if ("." in w or ":" in w) and re.fullmatch(r"[0-9a-fA-F.:]+", w):
                        found.add(w)
    except OSError:
        pass
    return found


def load_scamper(path):
    found, flows, self_count, answered, load = set(), {}, None, set(), {}
    sport = None
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                rec = json.loads(line)
                if rec.get("type") != "tracelb":
                    continue
                self_count = rec.get("probec")
                sport = rec.get("sport")
                walk_addrs(rec.get("nodes"), found, flows, answered, load)
    except (OSError, ValueError):
        return None
    # "*" stands for a hop without an answer (or the hop the JSON left out).
    found.discard("*")
    found |= text_addrs(re.sub(r"\.json$", ".txt", path))
    return {"found": found, "flows": {k: (v, 0) for k, v in flows.items()},
            "findings": [], "self": self_count, "answers": len(answered),
            "load": load, "sport": sport}


def contradictions(flows, edges):
    """Flows whose own observations no per-flow path allows: several
    addresses at one TTL, or consecutive hops that are not linked."""
    bad = 0
    for obs, _changes in flows.values():
        wrong = any(len(s) > 1 for s in obs.values())
        for t, s in obs.items():
            nxt = obs.get(t + 1)
            if len(s) == 1 and nxt and len(nxt) == 1:
                if (next(iter(s)), next(iter(nxt))) not in edges:
                    wrong = True
        bad += wrong
    return bad


def per_ttl(cnt):
    return " ".join("%s:%d" % (t if t <= 32 else ">32", n)
                    for t, n in sorted(cnt.items()) if n)


def verdict(ok):
    return "PASS" if ok else "MISS"


def load_run(d, run, loader):
    """One run (TOOL-N) of a tool: its result, usage and counters."""
    res = loader("%s/%s.json" % (d, run))
    ru = read_ru("%s/%s.ru" % (d, run))
    cnt = read_counts("%s/%s.cnt" % (d, run))
    if res is None or ru is None:
        return None
    return {"res": res, "ru": ru, "cnt": cnt, "probes": sum(cnt.values())}


def runs_of(d, tool):
    names = [f[:-4] for f in os.listdir(d)
             if f.startswith(tool + "-") and f.endswith(".cmd")]
    return sorted(names, key=lambda n: int(n.rsplit("-", 1)[1]))


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return float("nan")
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def tool_rows(d, tools, loaders):
    """Print one row per run; return per tool the list of runs (None for a
    run that gave no result)."""
    ttl_of, edges = read_expected(d)
    dttls, _long = read_extra(d)
    expected = set(ttl_of)
    # ttl_of keeps an address's last TTL: a server that also answers
    # inside the diamond (the unequal one) is not counted in it.
    diamond_set = {a for a, t in ttl_of.items() if t in dttls}
    out = {}
    print("  %-14s %-7s %-8s %-7s %-8s %-8s %-8s %s" % (
        "run", "found", "TTL %d-%d" % (min(dttls), max(dttls)), "probes",
        "answers", "wall s", "cpu ms", "probes per TTL"))
    notes = []
    for tool in tools:
        out[tool] = []
        for run in runs_of(d, tool):
            r = load_run(d, run, loaders[tool])
            out[tool].append(r)
            if r is None:
                print("  %-14s (no result: see %s/%s.err)" % (run, d, run))
                continue
            res, ru = r["res"], r["ru"]
            r["found"] = res["found"] & expected
            r["extra"] = res["found"] - expected
            r["bad"] = contradictions(res["flows"], edges)
            r["diamond"] = sum(n for t, n in r["cnt"].items() if t in dttls)
            ans = res.get("answers")
            print("  %-14s %-7s %-8s %-7d %-8s %-8.2f %-8.1f %s" % (
                run, "%d/%d" % (len(r["found"]), len(expected)),
                "%d/%d" % (len(r["found"] & diamond_set), len(diamond_set)),
                r["probes"], "?" if ans is None else str(ans), ru["wall"],
                1000 * (ru["user"] + ru["sys"]), per_ttl(r["cnt"])))
            why = []
            missing = expected - r["found"]
            if missing:
                why.append("missing " + " ".join(
                    sorted(missing, key=lambda a: (ttl_of[a], a))))
            if r["extra"]:
                why.append("unexpected " + " ".join(sorted(r["extra"])))
            if res["self"] is not None and res["self"] != r["probes"]:
                why.append("it reports %s probes sent" % res["self"])
            if ru["status"] != 0:
                why.append("exit status %d" % ru["status"])
            if why:
                notes.append("  %s: %s" % (run, "; ".join(why)))
    for n in notes:
        print(n)
    timeline(d, tools)
    if "scamper" in tools:
        print("  (scamper answers: answered probes its warts file records; the")
        print("   probe that found the first hop is not among them)")
    return out


LOADERS = {"ecmptrace": load_ecmptrace, "ecmptrace_c4": load_ecmptrace,
           "scamper": load_scamper}


def timeline(d, tools):
    """When each TTL was probed, from the run's capture (TOOL-N.times:
    "SECONDS TTL" lines), in seconds from the first probe."""
    for tool in tools:
        for run in runs_of(d, tool):
            spans = {}
            try:
                with open("%s/%s.times" % (d, run)) as f:
                    for line in f:
                        w = line.split()
                        if len(w) == 2:
                            spans.setdefault(int(w[1]), []).append(float(w[0]))
            except (OSError, ValueError):
                continue
            if not spans:
                continue
            t0 = min(min(v) for v in spans.values())
            print("  %-14s probes sent at (s): %s" % (run, "  ".join(
                "%d:%.2f-%.2f" % (t, min(v) - t0, max(v) - t0)
                for t, v in sorted(spans.items()))))


def header(d, tools=("ecmptrace", "scamper")):
    mode = read_text(d + "/ecmptrace.mode", "?")
    label = ("adaptive MDA (--confidence)" if mode == "mda"
             else "FIXED FLOWS, NOT MDA (this ecmptrace has no --confidence)")
    for tool in tools:
        runs = runs_of(d, tool)
        print("  $ %s" % read_text("%s/%s.cmd" % (d, runs[0]) if runs else "", "?"))
    print("  ecmptrace mode: %s" % label)


def floor_line(tool, runs, aliases=()):
    """Least time Linux's default limits impose on the answers a run got:
    a router answers a burst of 6, then 1 a second, so N answers from one
    router take at least N - 6 seconds (this ignores answers lost and
    asked again, which only add).  The addresses of one router (aliases)
    count together: they share its limiter."""
    parts = []
    for r in runs:
        load = dict(r["res"].get("load") or {})
        for a in aliases:
            n = sum(load.pop(x, 0) for x in a)
            if n:
                load["+".join(sorted(a))] = n
        if not load:
            continue
        addr, n = max(load.items(), key=lambda kv: kv[1])
        parts.append("%d s (%s answered %d)" % (max(0, n - 6), addr, n))
    if parts:
        print("  floor the limits put on %s's answers: %s" % (tool, "; ".join(parts)))


def fisher_greater(a, b, c, d):
    """One-sided Fisher exact test on the table [[a, b], [c, d]]: the
    probability, with the margins fixed, of a first-row share of misses
    (a of a + b) at least this large.  a: ecmptrace's missed interfaces,
    b: found; c, d: scamper's."""
    from math import comb
    row1, col1, n = a + b, a + c, a + b + c + d
    denom = comb(n, col1)
    if denom == 0:
        return 1.0
    p = 0.0
    for k in range(a, min(row1, col1) + 1):
        p += comb(row1, k) * comb(n - row1, col1 - k)
    return p / denom


def ttl_diff(e, s):
    """The TTLs where the two tools' median probe counts differ."""
    diff = []
    for t in sorted(set(t for r in e + s for t in r["cnt"])):
        et = median([r["cnt"].get(t, 0) for r in e])
        st = median([r["cnt"].get(t, 0) for r in s])
        if et != st:
            diff.append("TTL %d: %g vs %g" % (t, et, st))
    return ", ".join(diff) or "none"


def completeness_line(e, s, expected):
    """Both tools stop on the same 95% rule, so either misses an interface
    now and then; a single run that missed one says little.  The goal is
    judged on all runs: no evidence (one-sided Fisher test, p < 0.05) that
    ecmptrace misses interfaces more often than scamper."""
    n = len(expected)
    em = sum(n - len(r["found"]) for r in e)
    sm = sum(n - len(r["found"]) for r in s)
    p = fisher_greater(em, n * len(e) - em, sm, n * len(s) - sm)
    print("  goal: same completeness as scamper        %s (missed %d of %d interfaces vs %d of %d"
          " over all runs, p = %.2f; worst runs %d vs %d)" % (
              verdict(p >= 0.05), em, n * len(e), sm, n * len(s), p,
              min(len(r["found"]) for r in e), min(len(r["found"]) for r in s)))


def alias_line(e, aliases):
    """Did ecmptrace report each expected router as one, and no router
    the lab does not have?  Judged on every run."""
    good = 0
    for r in e:
        got = set(r["res"].get("routers") or [])
        wrong = [g for g in got if not any(g <= a for a in aliases)]
        good += all(a in got for a in aliases) and not wrong
    print("  goal: routers of several addresses reported as one (ecmptrace)  %s (%d of %d runs;"
          " %s)" % (verdict(good == len(e)), good, len(e),
                    " | ".join(",".join(sorted(a)) for a in aliases)))
    for i, r in enumerate(e):
        got = r["res"].get("routers") or []
        print("    run %d reported: %s" % (i + 1, " | ".join(
            ",".join(sorted(g)) for g in got) or "none"))


def diamond(d, wall_goal, probe_goal, floor=False, aliases=False):
    header(d)
    rows = tool_rows(d, ("ecmptrace", "scamper"), LOADERS)
    expected = set(read_expected(d)[0])
    e = [r for r in rows["ecmptrace"] if r]
    s = [r for r in rows["scamper"] if r]
    if not e or not s or len(e) < len(rows["ecmptrace"]) or len(s) < len(rows["scamper"]):
        print("  goals: not evaluated (a run gave no result)")
        return
    ep, sp = median([r["probes"] for r in e]), median([r["probes"] for r in s])
    ed, sd = median([r["diamond"] for r in e]), median([r["diamond"] for r in s])
    ew, sw = median([r["ru"]["wall"] for r in e]), median([r["ru"]["wall"] for r in s])
    pr = ep / sp if sp else float("inf")
    wr = ew / sw if sw else float("inf")
    truth = read_aliases(d) if aliases else []
    if floor:
        floor_line("ecmptrace", e, truth)
        floor_line("scamper", s, truth)
    runs = "median of %d and %d runs" % (len(e), len(s)) if len(e) + len(s) > 2 else "one run each"
    print("  ratio ecmptrace/scamper (%s): probes %.2f (TTL 2-4: %.2f), wall time %.3f" % (
        runs, pr, ed / sd if sd else float("inf"), wr))
    completeness_line(e, s, expected)
    if probe_goal:
        print("  goal: no more probes than scamper         %s (%g vs %g, %.2fx)" % (
            verdict(pr <= 1.0), ep, sp, pr))
        # Where the counts differ, TTL by TTL, so a miss says where it comes from.
        print("  probes that differ, ecmptrace vs scamper:  %s" % ttl_diff(e, s))
    print("  goal: wall time <= %.2fx scamper's        %s (%.3fx: %.2f s vs %.2f s)" % (
        wall_goal, verdict(wr <= wall_goal), wr, ew, sw))
    wrong = set()
    for r in e:
        wrong |= set(r["res"]["findings"]) & {"per-packet-balancing", "path-change"}
    print("  check: per-flow ECMP not taken for per-packet (ecmptrace)  %s%s" % (
        verdict(not wrong), (" (" + ", ".join(sorted(wrong)) + ")") if wrong else ""))
    if aliases:
        full = sum(r["found"] == expected for r in e)
        print("  goal: every interface found in every run (ecmptrace)  %s (%d of %d runs;"
              " scamper %d of %d)" % (verdict(full == len(e)), full, len(e),
                                      sum(r["found"] == expected for r in s), len(s)))
        alias_line(e, truth)


def unequal(d):
    """The diamond whose branches differ in length (c2 - x - server): how
    often each tool finds x, the router only the flows through c2 meet
    at TTL 5."""
    header(d)
    rows = tool_rows(d, ("ecmptrace", "scamper"), LOADERS)
    dttls, x = read_extra(d)
    ttl_of, edges = read_expected(d)
    expected = set(ttl_of)
    e = [r for r in rows["ecmptrace"] if r]
    s = [r for r in rows["scamper"] if r]
    ne, ns = len(rows["ecmptrace"]), len(rows["scamper"])
    print("  (scamper found: sc_warts2json's addresses and sc_warts2text's; the")
    print("   JSON leaves out a last hop of several addresses, x and the server")
    print("   at TTL 5, and its answers column misses those probes)")
    for tool, runs in (("ecmptrace", e), ("scamper", s)):
        ports = [str(r["res"].get("sport")) for r in runs]
        print("  %s source ports, one flow set per run: %s" % (tool, " ".join(ports)))
    if x:
        print("  x (the longer branch's router at TTL 5) found by ecmptrace in %d/%d"
              " runs, by scamper in %d/%d runs" % (
                  sum(x in r["found"] for r in e), ne,
                  sum(x in r["found"] for r in s), ns))
        # A run that found no router before x (c2) missed x one hop
        # earlier: the MDA's stopping rule at TTL 4, not the target's hop.
        before = {a for a, b in edges if b == x}
        why = []
        for tool in ("ecmptrace", "scamper"):
            for run, r in zip(runs_of(d, tool), rows[tool]):
                if r is None or x in r["found"]:
                    continue
                if r["found"] & before:
                    why.append("%s at TTL 5" % run)
                else:
                    why.append("%s at TTL 4 (%s not found)" % (
                        run, " ".join(sorted(before))))
        if why:
            print("  where x was missed: %s" % "; ".join(why))
    if not e or not s or len(e) < ne or len(s) < ns:
        print("  goal: not evaluated (a run gave no result)")
        return
    ep, sp = median([r["probes"] for r in e]), median([r["probes"] for r in s])
    ed, sd = median([r["diamond"] for r in e]), median([r["diamond"] for r in s])
    ew, sw = median([r["ru"]["wall"] for r in e]), median([r["ru"]["wall"] for r in s])
    print("  ratio ecmptrace/scamper (median of %d and %d runs): probes %.2f "
          "(TTL %d-%d: %.2f), wall time %.3f" % (
              len(e), len(s), ep / sp if sp else float("inf"), min(dttls),
              max(dttls), ed / sd if sd else float("inf"),
              ew / sw if sw else float("inf")))
    print("  probes that differ, ecmptrace vs scamper (medians):  %s" % ttl_diff(e, s))
    if x:
        print("  goal: x found in every run (ecmptrace)     %s (%d of %d; scamper %d of %d)" % (
            verdict(all(x in r["found"] for r in e)), sum(x in r["found"] for r in e), ne,
            sum(x in r["found"] for r in s), ns))
    completeness_line(e, s, expected)
    print("  (runs that found all %d: ecmptrace %d of %d, scamper %d of %d)" % (
        len(expected), sum(r["found"] == expected for r in e), ne,
        sum(r["found"] == expected for r in s), ns))


def perpacket(d):
    tools = ("ecmptrace", "ecmptrace_c4", "scamper")
    header(d, tools)
    rows = tool_rows(d, tools, LOADERS)
    for tool in ("ecmptrace", "ecmptrace_c4"):
        e = [r for r in rows[tool] if r]
        if not rows[tool]:
            continue
        flagged = 0
        for r in e:
            kinds = sorted(set(r["res"]["findings"]))
            flagged += "per-packet-balancing" in kinds
            print("  %s findings: %s; %d of %d flows contradict every per-flow path" % (
                tool, ", ".join(kinds) or "none", r["bad"], len(r["res"]["flows"])))
        print("  goal: %-13s not fooled (says per-packet)  %s (%d of %d runs)" % (
            tool, verdict(flagged == len(rows[tool])), flagged, len(rows[tool])))
    s = [r for r in rows["scamper"] if r]
    for r in s:
        print("  scamper: %d of %d flow ids contradict every per-flow path in its data" % (
            r["bad"], len(r["res"]["flows"])))
    if s:
        print("  scamper: tracelb output has no per-packet verdict; it prints the same")
        print("           graph for per-flow and per-packet balancing (compare the")
        print("           per-flow diamond above), so it is not wrong about which")
        print("           interfaces exist but does not say the balancer is per-packet")
    print("  (path-change alone does not count: it says a flow moved once, and")
    print("   keeps per-flow figures; per-packet-balancing says they are unreliable)")


def cpu(d):
    for tool in ("ecmptrace", "mtr"):
        print("  $ %s" % read_text("%s/%s-1.cmd" % (d, tool), "?"))
    print("  %-12s %-7s %-8s %-8s %-8s %-14s %-14s %s" % (
        "run", "probes", "wall s", "user ms", "sys ms", "cpu us/probe",
        "user us/probe", "max RSS KiB"))
    per, peru = {"ecmptrace": [], "mtr": []}, {"ecmptrace": [], "mtr": []}
    for n in range(1, 100):
        if not os.path.exists("%s/ecmptrace-%d.ru" % (d, n)):
            break
        for tool in ("ecmptrace", "mtr"):
            run = "%s-%d" % (tool, n)
            ru = read_ru("%s/%s.ru" % (d, run))
            probes = sum(read_counts("%s/%s.cnt" % (d, run)).values())
            if ru is None or probes == 0:
                print("  %-12s (no result)" % run)
                continue
            c = ru["user"] + ru["sys"]
            per[tool].append(c / probes)
            peru[tool].append(ru["user"] / probes)
            print("  %-12s %-7d %-8.2f %-8.1f %-8.1f %-14.2f %-14.2f %d" % (
                run, probes, ru["wall"], 1000 * ru["user"], 1000 * ru["sys"],
                1e6 * per[tool][-1], 1e6 * peru[tool][-1], ru["rss"]))
    if per["ecmptrace"] and per["mtr"] and median(per["mtr"]) > 0:
        r = median(per["ecmptrace"]) / median(per["mtr"])
        print("  goal: cpu (user+sys) per probe <= 0.2x mtr's   %s (%.3fx, medians of %d and %d "
              "runs)" % (verdict(r <= 0.2), r, len(per["ecmptrace"]), len(per["mtr"])))
        if median(peru["mtr"]) > 0:
            print("  (user time alone: %.3fx; user/sys split is tick-sampled)" % (
                median(peru["ecmptrace"]) / median(peru["mtr"])))


def memory(d):
    print("  $ %s" % read_text(d + "/ecmptrace-1.cmd", "?"))
    ru = read_ru(d + "/ecmptrace-1.ru")
    cnt = read_counts(d + "/ecmptrace-1.cnt")
    if ru is None:
        print("  (no result)")
        return
    ttls = sorted(t for t, n in cnt.items() if n)
    n = sum(cnt.values())
    print("  peak memory (max RSS): %d KiB" % ru["rss"])
    print("  %d probes over TTLs %s..%s in %.2f s (%.0f probes/s achieved), exit %d" % (
        n, ttls[0] if ttls else "-", ttls[-1] if ttls else "-", ru["wall"],
        n / ru["wall"] if ru["wall"] else 0, ru["status"]))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    kind, d = argv[1], argv[2]
    opts = argv[3:]
    wall_goal = 0.1
    if "--wall-goal" in opts:
        wall_goal = float(opts[opts.index("--wall-goal") + 1])
    if kind == "diamond":
        diamond(d, wall_goal, "--no-probe-goal" not in opts, "--floor" in opts,
                "--aliases" in opts)
    elif kind == "unequal":
        unequal(d)
    elif kind == "perpacket":
        perpacket(d)
    elif kind == "cpu":
        cpu(d)
    elif kind == "memory":
        memory(d)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
