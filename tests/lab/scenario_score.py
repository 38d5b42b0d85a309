"""Scoring of one scenario run (scenario.py) and the table of many.

Inputs: the --json-stream events of ecmptrace, the kernel's truth for every
source port it reported (scenario.py: probability that an end-to-end probe
of the flow is lost, and for a forward fault the TTL of the faulty link's
near end on each path of the flow that crosses it), and the scenario.

Every "finding_raised" and "finding_updated" counts, transient or not (a
finding cleared later was still shown to the user, and an update that
moves its range or names other ports is shown as much as the first).  Loss findings are the kinds lossy-branch,
return-path-loss and destination-loss.  Their causes are the "causes"
field; without it (older binaries), the kind alone: lossy-branch ->
forward-loss, return-path-loss -> return-path, destination-loss ->
destination.  Their forward range is the "range" field (loss starts after
from_ttl and at or before to_ttl; to_ttl null: anywhere up to the target);
without the field, a lossy-branch
finding's link is ttl - 1 -> ttl (previous_address -> address); "range":
null says nothing about where.  A port "truly fails" when the truth gives
its probes a loss probability above zero.

A loss finding is FALSE BLAME when any of these holds:
  - the scenario has no fault;
  - its causes do not include the true cause (forward-loss, return-path,
    destination);
  - it names a source port that does not truly fail;
  - the fault is a forward one and its range (or link) contains, for some
    port it names, none of the TTLs where that port's paths cross the
    faulty link (the link from TTL k to k + 1 is inside the range when
    from_ttl <= k and k + 1 <= to_ttl).
A loss finding is RIGHT when it is not false blame and:
  - forward fault: kind lossy-branch, a range (or link) is given, it names
    at least one port;
  - return fault: it names at least one port (all truly failing);
  - destination fault: (its causes include "destination").
It is AMBIGUOUS-RIGHT when right but its causes list more than one cause.
A loss finding that is neither (e.g. destination-loss whose causes include
forward-loss, on a forward fault) is "other": not counted against the run.
Other kinds are NOISE when wrong: rate-limited-hop at an address of a
router without ICMP limits, per-packet-balancing or path-change without a
per-packet balancer, link-address-* (this lab has neither conflict).

"mtu" and "slow" faults (a small-MTU or a delayed link inside a stage)
lose nothing: every loss finding there is FALSE BLAME, and their own
finding is mtu-branch, resp. slow-branch (the other one is noise there,
and both are noise in every other kind of scenario).  The truth gives
each flow the probability p_cross that its probes cross the link towards
the server and whether its replies cross it back (back_cross).  Such a
finding is
  - FALSE BLAME when it names a port that does not cross the small link
    (mtu), or that is delayed neither way (slow);
  - RIGHT when every port it names crosses the link (p_cross > 0), the
    branch it names (its address, at its ttl on those ports' paths) is a
    router of the link's stage between its split and its merge, and
    mtu: pmtu.bytes is within MTU_TOL bytes of the link's MTU;
    slow: latency.interval_ms, widened by SLOW_TOL_MS each way, meets the
    shift the truth expects between the named flows and their siblings
    (flows through the same parent, another branch at that ttl): the
    25th-75th percentile of the differences of their added delays, pair
    by pair (the delay when a path crosses, plus the delay back when the
    replies do; just the drawn delay when it is one way only and the
    named flows always cross);
  - "other" otherwise (ports delayed only on the way back, a branch
    outside the link's stage, a size or a shift that is off).
No reported flow crosses the link, or every one does (all ICMP probes
hash alike), or every one as often (behind a per-packet balancer):
nothing sets a branch apart, so right when neither finding is raised.  ICMP "mtu" runs are "n/a" while the stream carries no path
MTU at all (pmtu_bytes null everywhere: the binary searches none for
ICMP), not missed.

Verdict of a run, first match wins: "error" (the instrument could not
run), "invalid" (a real connection disagreed with the walk), "false-blame"
(any false blame), "n/a" (above), "right" (no fault and no loss finding; a fault that no
reported flow crosses, e.g. off the one path all ICMP probes hash onto, and
no loss finding; or a right finding), "ambiguous-right" (only ambiguous-right findings), "missed".
Time to the first right finding: from the "start" event to the first
right or ambiguous-right "finding_raised" or "finding_updated" (event
times, ms resolution).
"""
import datetime
import json

LOSS_KINDS = {"lossy-branch": "forward-loss", "return-path-loss": "return-path",
              "destination-loss": "destination"}
TRUE_CAUSE = {"forward": "forward-loss", "return": "return-path",
              "destination": "destination"}
LINK_KINDS = {"mtu": "mtu-branch", "slow": "slow-branch"}
VERDICTS = ("right", "ambiguous-right", "missed", "false-blame", "n/a", "invalid", "error")
MTU_TOL = 8		# bytes: the default search stops within 8 (issue 15)
# ms: the delay element's own precision (tests/lab/t_slow.sh, TOL_MS).
SLOW_TOL_MS = 0.1


def event_time(e):
    text = e.get("time", "").replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text).timestamp()


def finding_range(f):
    """(from_ttl, to_ttl) or None when the finding says nothing of where."""
    if "range" in f:
        r = f["range"]
        try:
            if r is not None and "from_ttl" in r and r.get("to_ttl", 0) is None:
                return (int(r["from_ttl"]), 255)	# up to the target, its hop unknown
            return (int(r["from_ttl"]), int(r["to_ttl"]))
        except (TypeError, KeyError, ValueError):
            return None		# null, or a range without both ends
    if f.get("kind") == "lossy-branch" and f.get("ttl"):
        return (f["ttl"] - 1, f["ttl"])
    return None


def judge_loss(sc, f, truths):
    """("right"|"ambiguous-right"|"other"|"false-blame", why)."""
    kind = f.get("kind")
    causes = f.get("causes") or [LOSS_KINDS[kind]]
    ports = f.get("source_ports", [])
    label = "%s ttl %s causes %s ports %d" % (kind, f.get("ttl"), "/".join(causes), len(ports))
    fk = sc["fault"]["kind"]
    if fk == "none":
        return "false-blame", label + ": no fault in this scenario"
    if fk in LINK_KINDS:
        return "false-blame", label + ": nothing is lost in this scenario (%s)" % fk
    if TRUE_CAUSE[fk] not in causes:
        return "false-blame", label + ": truth is " + TRUE_CAUSE[fk]
    clean = [p for p in ports if p not in truths or truths[p]["p_fail"] <= 0]
    if clean:
        return "false-blame", label + ": names ports that do not fail %s" % clean[:5]
    rng = finding_range(f)
    if fk == "forward" and rng is not None:
        for p in ports:
            ks = truths[p]["link_ttls"]
            if not any(rng[0] <= k and k + 1 <= rng[1] for k in ks):
                return "false-blame", label + ": range %d-%d misses the link at %s" % (
                    rng[0], rng[1], ks)
    if fk == "forward":
        right = kind == "lossy-branch" and rng is not None and ports
    elif fk == "return":
        right = bool(ports)
    else:
        right = True
    if not right:
        return "other", label
    if len(set(causes)) > 1:
        return "ambiguous-right", label
    return "right", label


def judge_noise(sc, f, addr_owner):
    """Why a finding of another kind is wrong here, or None."""
    kind = f.get("kind")
    t = sc["topo"]
    if kind == "rate-limited-hop":
        owner = addr_owner.get(f.get("address"))
        if owner in t.limits and t.limits[owner]:
            return None
        return "rate-limited-hop at %s (%s has no ICMP limit)" % (f.get("address"), owner)
    if kind in ("per-packet-balancing", "path-change"):
        return None if t.per_packet else kind + " without a per-packet balancer"
    if kind in LOSS_KINDS:
        return None
    if kind in LINK_KINDS.values():
        return "%s in a scenario whose fault is %s" % (kind, sc["fault"]["kind"])
    return kind


def stage_routers(sc):
    """The routers of the fault's stage between its split and its merge."""
    st = sc["topo"].stages[sc["fault"]["stage"]]
    return {n for e in st["edges"] for n in e} - {st["split"], st["merge"]}


def crosses(nodes, link):
    return any((nodes[i], nodes[i + 1]) == link for i in range(len(nodes) - 1))


def added_delays(sc, t):
    """[(weight, ms)]: what the delayed link adds to a flow's round trips."""
    f = sc["fault"]
    link = (f["router"], f["peer"])
    back = f["back_us"] / 1000.0 if t.get("back_cross") else 0.0
    return [(prob, back + (f["delay_us"] / 1000.0 if crosses(nodes, link) else 0.0))
            for prob, nodes in t["paths"]]


def siblings(ports, ttl, node, truths):
    """Ports of the flows set against PORTS: through a parent of NODE
    (the hop before TTL on the named flows' paths), elsewhere at TTL."""
    named = set(ports)
    parents = {n[ttl - 2] for p in ports for _, n in truths[p]["paths"]
               if ttl >= 2 and len(n) >= ttl and n[ttl - 1] == node}
    out = [p for p, t in truths.items() if p not in named and any(
        len(n) >= ttl and n[ttl - 1] != node and (ttl < 2 or n[ttl - 2] in parents)
        for _, n in t["paths"])]
    return out or [p for p in truths if p not in named]


def expected_shift(sc, ports, sibs, truths):
    """(25th, 75th percentile) of the named flows' added delay less their
    siblings', pair by pair (each flow weighs the same), ms."""
    diffs = []
    for p in ports:
        for q in sibs:
            for wp, dp in added_delays(sc, truths[p]):
                for wq, dq in added_delays(sc, truths[q]):
                    diffs.append((dp - dq, wp * wq))
    if not diffs:
        return None
    return weighted_percentile(diffs, 0.25), weighted_percentile(diffs, 0.75)


def weighted_percentile(pairs, q):
    """The smallest value of (value, weight) PAIRS with a share Q at or below it."""
    pairs = sorted(pairs)
    total = sum(w for _, w in pairs)
    c = 0.0
    for v, w in pairs:
        c += w
        if c >= q * total - 1e-9:
            return v
    return pairs[-1][0]


def judge_size_or_shift(sc, f, ports, truths):
    """None when the finding's size (mtu) or shift (slow) is right, else why not."""
    fault = sc["fault"]
    if fault["kind"] == "mtu":
        size = (f.get("pmtu") or {}).get("bytes")
        if size is None or abs(size - fault["mtu"]) > MTU_TOL:
            return "size %s, the link's MTU %d" % (size, fault["mtu"])
        return None
    iv = (f.get("latency") or {}).get("interval_ms")
    want = expected_shift(sc, ports, siblings(ports, f["ttl"], f["_node"], truths), truths)
    if not iv or want is None:
        return "no interval" if not iv else "no sibling flow to set against"
    if iv[0] - SLOW_TOL_MS > want[1] or iv[1] + SLOW_TOL_MS < want[0]:
        return "interval %.2f-%.2f ms, expected shift %.2f-%.2f ms" % (
            iv[0], iv[1], want[0], want[1])
    return None


def judge_link(sc, f, truths, addr_owner):
    """An mtu-branch / slow-branch finding of an "mtu" / "slow" scenario:
    ("right"|"other"|"false-blame", why)."""
    fk = sc["fault"]["kind"]
    ports = f.get("source_ports", [])
    node, ttl = addr_owner.get(f.get("address")), f.get("ttl") or 0
    label = "%s ttl %s at %s ports %d" % (f.get("kind"), ttl, node or f.get("address"),
                                          len(ports))
    if not ports:
        return "other", label + ": names no port"
    cross = lambda p: p in truths and truths[p].get("p_cross", 0) > 0
    if fk == "mtu" and not all(cross(p) for p in ports):
        return "false-blame", label + ": names ports that do not cross the small link %s" % (
            [p for p in ports if not cross(p)][:5])
    if fk == "slow":
        still = [p for p in ports if not cross(p) and not truths.get(p, {}).get("back_cross")]
        if still:
            return "false-blame", label + ": names ports delayed neither way %s" % still[:5]
        if not all(cross(p) for p in ports):
            return "other", label + ": names ports delayed only on the way back"
    on_paths = ttl >= 1 and all(any(len(n) >= ttl and n[ttl - 1] == node
                                    for _, n in truths[p]["paths"]) for p in ports)
    if node not in stage_routers(sc) or not on_paths:
        return "other", label + ": not a branch of the link's stage on those flows' paths"
    off = judge_size_or_shift(sc, dict(f, _node=node), ports, truths)
    if off:
        return "other", label + ": " + off
    return "right", label


UNCROSSED = "no reported flow crosses the fault (%d flows)"


def truth_line(sc, truths, kinds):
    """What a missed run had to find, and what it said instead."""
    failing = [t["p_fail"] for t in truths.values() if t["p_fail"] > 0]
    crossing = [p for p, t in truths.items() if t.get("p_cross", 0) > 0]
    if sc["fault"]["kind"] in LINK_KINDS:
        what = "%d/%d flows cross the link (ttls %s)" % (
            len(crossing), len(truths),
            sorted({k for t in truths.values() for k in t["link_ttls"]}))
    elif not failing:
        what = UNCROSSED % len(truths)
    else:
        what = "%d/%d flows truly fail (%d-%d%%)" % (
            len(failing), len(truths), round(100 * min(failing)), round(100 * max(failing)))
    said = ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items())) or "no finding"
    return "%s; said: %s" % (what, said)


def pmtu_reported(value):
    """Does any object in VALUE (the events) carry a path MTU (pmtu_bytes)?"""
    if isinstance(value, dict):
        if isinstance(value.get("pmtu_bytes"), int):
            return True
        return any(pmtu_reported(v) for v in value.values() if isinstance(v, (dict, list)))
    if isinstance(value, list):
        return any(pmtu_reported(v) for v in value)
    return False


NOTHING_APART = "every flow crosses the link as often (%d flows): nothing sets a branch apart"


def classify(sc, judged, sanity, truths, pmtu=True):
    """The run's verdict and a one-line why (see the module comment)."""
    if sanity.get("disagree"):
        return "invalid", "real connections disagree with the walk: %s" % sanity["disagree"]
    false = [w for v, w, _ in judged if v == "false-blame"]
    if false:
        return "false-blame", false[0]
    fk = sc["fault"]["kind"]
    if fk == "mtu" and sc["proto"] == "icmp" and not pmtu:
        return "n/a", "ICMP: this binary reports no path MTU for ICMP probes"
    if fk == "none":
        return "right", "no fault, no loss finding"
    shares = [t.get("p_cross", 0) for t in truths.values()]
    if fk in LINK_KINDS and shares and not judged and len(set(shares)) == 1:
        return "right", NOTHING_APART % len(truths)
    if fk not in LINK_KINDS and truths and not any(t["p_fail"] > 0 for t in truths.values()) \
            and not judged:
        # ICMP probes carry no ports, so all hash alike; a fault off their
        # one path (or a return link no reply of its flows takes) is no
        # fault for any probe it could send.  Any loss finding would be
        # false blame (it names ports that do not fail).
        return "right", "%s: no loss finding" % UNCROSSED % len(truths)
    for want in ("right", "ambiguous-right"):
        hit = [w for v, w, _ in judged if v == want]
        if hit:
            return want, hit[0]
    others = [w for v, w, _ in judged if v == "other"]
    return "missed", "other: " + others[0] if others else "no right finding"


def score(sc, events, truths, addr_owner, sanity):
    """Fields added to the run's JSON record."""
    start = next((e for e in events if e.get("type") == "start"), None)
    t0 = event_time(start) if start else None
    judged, noise, findings = [], [], []
    for e in events:
        if e.get("type") not in ("finding_raised", "finding_updated"):
            continue
        f = e["finding"]
        at = round(event_time(e) - t0, 3) if t0 is not None else None
        findings.append({"at_s": at, "event": e["type"], "kind": f.get("kind"), "ttl": f.get("ttl"),
                         "address": f.get("address"), "causes": f.get("causes"),
                         "range": f.get("range"), "source_ports": f.get("source_ports")})
        for k in ("pmtu", "latency"):
            if k in f:
                findings[-1][k] = f[k]
        own = LINK_KINDS.get(sc["fault"]["kind"])
        if f.get("kind") in LOSS_KINDS or (own and f.get("kind") == own):
            if f.get("kind") in LOSS_KINDS:
                v, why = judge_loss(sc, f, truths)
            else:
                v, why = judge_link(sc, f, truths, addr_owner)
            judged.append((v, why, at))
            findings[-1]["judged"] = v
        else:
            why = judge_noise(sc, f, addr_owner)
            if why:
                noise.append(why)
    verdict, why = classify(sc, judged, sanity, truths, pmtu_reported(events))
    if verdict == "missed":
        kinds = {}
        for f in findings:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
        why += ": " + truth_line(sc, truths, kinds)
    if start is None:
        verdict, why = "error", "no start event from ecmptrace"
    elif not any(e.get("type") == "end" for e in events) and verdict != "false-blame":
        verdict, why = "error", "no end event from ecmptrace"
    times = [at for v, _, at in judged if v in ("right", "ambiguous-right") and at is not None]
    failing = sorted(p for p, t in truths.items() if t["p_fail"] > 0)
    return {"verdict": verdict, "why": why, "noise": noise, "findings": findings,
            "first_right_s": min(times) if times else None,
            "truth": {"flows": len(truths), "failing_ports": failing,
                      "per_flow": {str(p): dict({"p_fail": t["p_fail"],
                                                 "fwd": [[round(pr, 4), " ".join(n)]
                                                         for pr, n in t["paths"]],
                                                 "back": " ".join(t["back"][1:-1])},
                                                **{k: t[k] for k in ("p_cross", "back_cross")
                                                   if k in t})
                                   for p, t in truths.items()},
                      "crossing_ports": sorted(p for p, t in truths.items()
                                               if t.get("p_cross", 0) > 0),
                      "link_ttls": sorted({k for t in truths.values() for k in t["link_ttls"]})}}


def percentile(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(-(-q * len(v) // 100)) - 1))]


def table_row(label, recs):
    counts = {v: sum(1 for r in recs if r.get("verdict") == v) for v in VERDICTS}
    times = [r["first_right_s"] for r in recs if r.get("first_right_s") is not None
             and r.get("verdict") in ("right", "ambiguous-right")]
    med, p90 = percentile(times, 50), percentile(times, 90)
    fmt = lambda x: "-" if x is None else "%.1f" % x
    return "%-20s %4d %6d %6d %7d %6d %4d %8d %6d %8s %6s" % (
        label, len(recs), counts["right"], counts["ambiguous-right"], counts["missed"],
        counts["false-blame"], counts["n/a"], counts["invalid"], counts["error"], fmt(med),
        fmt(p90))


def fault_detail(s):
    """The fault kind, with how an "mtu" or "slow" one is drawn and where."""
    f = s.get("fault", {})
    kind = f.get("kind", "?")
    stages = s.get("stages") or []
    where = stages[f["stage"]]["kind"] if f.get("stage") is not None and \
        f["stage"] < len(stages) else ""
    if kind == "mtu":
        return "mtu %s %s" % ("messages" if f.get("messages") else "blackhole", where)
    if kind == "slow":
        return "slow %s %s" % ("both" if f.get("back_us") else "oneway", where)
    return ""


def group(recs, key):
    out = {}
    for r in recs:
        out.setdefault(key(r), []).append(r)
    return sorted(out.items())


def table(paths):
    """Print the score table of the JSON lines in PATHS."""
    recs = []
    for path in paths:
        with open(path) as f:
            recs += [json.loads(line) for line in f if line.startswith("{")]
    sc = lambda r: r.get("scenario") or {}
    print("scenario score: %d runs" % len(recs))
    print("%-20s %4s %6s %6s %7s %6s %4s %8s %6s %8s %6s" % (
        "", "n", "right", "ambig", "missed", "false", "n/a", "invalid", "error", "median_s",
        "p90_s"))
    print(table_row("all", recs))
    for name, key in (("fault", lambda r: sc(r).get("fault", {}).get("kind", "?")),
                      ("", lambda r: fault_detail(sc(r))),
                      ("proto", lambda r: sc(r).get("proto", "?")),
                      ("hashing", lambda r: sc(r).get("hashing", "?")),
                      ("icmp limits", lambda r: sc(r).get("icmp_limits", "?"))):
        for value, rs in group(recs, key):
            if value:
                print(table_row(("%s %s" % (name, value)).strip(), rs))
    good = [r for r in recs if r.get("verdict") in ("right", "ambiguous-right")]
    times = [r["first_right_s"] for r in good if r.get("first_right_s") is not None]
    print("issue 10 goal (>= 97.5%% right, 0 false blame, median <= 3 s): "
          "%d/%d right or ambiguous-right (n/a left out), %d false blame, median %s s" % (
              len(good), sum(r.get("verdict") != "n/a" for r in recs),
              sum(r.get("verdict") == "false-blame" for r in recs), percentile(times, 50)))
    cut = [r.get("seed") for r in recs if (r.get("run") or {}).get("cut")]
    print("runs cut at the time bound (%d s): %d %s" % (60, len(cut), cut[:20]))
    walls = [(r.get("run") or {}).get("wall_s") for r in recs if r.get("run")]
    print("ecmptrace wall time (-c 10): median %s s, max %s s" % (
        percentile(walls, 50), max(walls) if walls else None))
    uncrossed = [r.get("seed") for r in recs if r.get("why", "").startswith(UNCROSSED[:20])
                 and r.get("verdict") == "right"]
    print("right because no reported flow crossed the fault (and none was blamed): %d %s" % (
        len(uncrossed), uncrossed[:20]))
    noisy = [r for r in recs if r.get("noise")]
    print("noise findings: %d in %d runs" % (sum(len(r["noise"]) for r in noisy), len(noisy)))
    for kind, rs in group([(n.split(" ")[0], r) for r in noisy for n in r["noise"]],
                          lambda x: x[0]):
        print("  %-20s %d (seeds %s)" % (kind, len(rs), sorted({x[1].get("seed") for x in rs})[:12]))
    print("not right:")
    for r in sorted(recs, key=lambda r: r.get("seed", 0)):
        if r.get("verdict") not in ("right", "ambiguous-right"):
            s = sc(r)
            print("  seed %-6s %-11s %-4s %-12s %s" % (
                r.get("seed"), s.get("fault", {}).get("kind", "?"), s.get("proto", "?"),
                r.get("verdict"), r.get("why", "")))
    return 0


def selftest_cases():
    """(fault kind, finding or None, port truths, expected verdict)."""
    fwd = {5: {"p_fail": 1.0, "link_ttls": [2], "paths": [], "back": []},
           6: {"p_fail": 0.0, "link_ttls": [], "paths": [], "back": []}}
    lb = {"kind": "lossy-branch", "ttl": 3, "source_ports": [5]}
    return [
        ("forward", dict(lb), fwd, "right"),		# no causes/range: link 2 -> 3
        ("forward", dict(lb, ttl=4), fwd, "false-blame"),	# link 3 -> 4
        ("forward", dict(lb, causes=["forward-loss", "return-path"],
                         range={"from_ttl": 1, "to_ttl": 4}), fwd, "ambiguous-right"),
        ("forward", dict(lb, range={"from_ttl": 3, "to_ttl": 5}), fwd, "false-blame"),
        ("forward", dict(lb, range={"from_ttl": 1, "to_ttl": None}), fwd, "right"),
        ("forward", dict(lb, range={"from_ttl": 3, "to_ttl": None}), fwd, "false-blame"),
        ("forward", dict(lb, range=None), fwd, "missed"),	# says nothing of where
        ("forward", dict(lb, source_ports=[5, 6]), fwd, "false-blame"),
        ("forward", None, fwd, "missed"),
        ("return", dict(lb), fwd, "false-blame"),
        ("return", dict(lb, causes=["return-path"]), fwd, "right"),
        ("return", {"kind": "return-path-loss", "ttl": 0, "source_ports": [5]}, fwd, "right"),
        ("destination", {"kind": "destination-loss", "ttl": 5, "source_ports": []}, fwd,
         "right"),
        ("destination", dict(lb, causes=["forward-loss", "destination"]), fwd,
         "ambiguous-right"),
        ("none", {"kind": "destination-loss", "ttl": 5, "source_ports": []}, fwd,
         "false-blame"),
        ("none", {"kind": "rate-limited-hop", "ttl": 2, "address": "x", "source_ports": [5]},
         fwd, "right"),
        ("none", None, fwd, "right"),
        ("forward", None, {6: fwd[6]}, "right"),		# no reported flow crosses it
        ("forward", dict(lb, source_ports=[6]), {6: fwd[6]}, "false-blame"),
    ]


class _Topo:
    """A diamond j0 - {a, b} - j1 for the "mtu" and "slow" cases."""
    stages = [{"split": "j0", "merge": "j1",
               "edges": [("j0", "a"), ("j0", "b"), ("a", "j1"), ("b", "j1")]}]
    limits = {}
    per_packet = None


def link_cases():
    """(fault, finding or None, truths, proto, expected verdict, noise?):
    port 5 crosses j0 -> a (the faulty link), port 6 goes through b."""
    def flow(node, p_cross, back_cross=False):
        return {"p_fail": 0.0, "p_cross": p_cross, "back_cross": back_cross,
                "link_ttls": [1] if p_cross else [], "back": [],
                "paths": [[1.0, ["j0", node, "j1", "server"]]]}
    tr = {5: flow("a", 1.0), 6: flow("b", 0.0)}
    mtu = {"kind": "mtu", "router": "j0", "peer": "a", "stage": 0, "mtu": 1400,
           "messages": False, "permille": 0}
    slow = {"kind": "slow", "router": "j0", "peer": "a", "stage": 0, "delay_us": 5000,
            "back_us": 0, "permille": 0}
    both = dict(slow, back_us=5000)
    mb = {"kind": "mtu-branch", "ttl": 2, "address": "A", "source_ports": [5],
          "pmtu": {"bytes": 1396, "others_bytes": 1500, "messages": False}}
    sb = {"kind": "slow-branch", "ttl": 2, "address": "A", "source_ports": [5],
          "latency": {"shift_ms": 5.0, "interval_ms": [4.95, 5.04]}}
    lb = {"kind": "lossy-branch", "ttl": 2, "address": "A", "source_ports": [5]}
    iv = lambda lo, hi: dict(sb, latency={"shift_ms": lo, "interval_ms": [lo, hi]})
    return [
        (mtu, mb, tr, "tcp", "right", False),
        (mtu, dict(mb, pmtu={"bytes": 1380, "others_bytes": 1500, "messages": False}), tr,
         "tcp", "missed", False),				# size 20 bytes off
        (mtu, dict(mb, source_ports=[5, 6]), tr, "tcp", "false-blame", False),
        (mtu, dict(mb, address="B", source_ports=[6]), tr, "tcp", "false-blame", False),
        (mtu, dict(mb, address="J1", ttl=3), tr, "tcp", "missed", False),	# the merge
        (mtu, None, tr, "udp", "missed", False),
        (mtu, lb, tr, "tcp", "false-blame", False),		# nothing is lost
        (mtu, sb, tr, "tcp", "missed", True),			# the other kind: noise
        (mtu, None, tr, "icmp", "n/a", False),			# no pmtu_bytes in the stream
        (mtu, None, {6: tr[6]}, "tcp", "right", False),		# no flow crosses
        (slow, sb, tr, "tcp", "right", False),
        (slow, iv(4.85, 4.95), tr, "tcp", "right", False),	# 5 within SLOW_TOL_MS
        (slow, iv(3.0, 4.5), tr, "tcp", "missed", False),
        (slow, dict(sb, address="B", source_ports=[6]), tr, "tcp", "false-blame", False),
        (slow, None, {5: tr[5]}, "icmp", "right", False),	# every flow crosses
        (slow, mb, tr, "tcp", "missed", True),
        (both, iv(9.9, 10.1), {5: flow("a", 1.0, True), 6: tr[6]}, "tcp", "right", False),
        (both, iv(4.9, 5.1), {5: flow("a", 1.0, True), 6: tr[6]}, "tcp", "missed", False),
        (both, iv(4.9, 5.1), {5: flow("a", 1.0, True), 6: flow("b", 0.0, True)}, "udp",
         "right", False),					# the same delay back for all
        (both, dict(sb, address="B", source_ports=[6], ttl=2),
         {5: tr[5], 6: flow("b", 0.0, True)}, "tcp", "missed", False),	# back only: other
        ({"kind": "none", "permille": 0}, mb, tr, "tcp", "right", True),
    ]


def selftest_links(first):
    """link_cases() scored; returns failures."""
    owner = {"A": "a", "B": "b", "J0": "j0", "J1": "j1"}
    start = {"type": "start", "time": "2026-01-01T00:00:00.000Z"}
    end = {"type": "end", "time": "2026-01-01T00:00:12.000Z", "flows": []}
    failures = 0
    for i, (fault, finding, truths, proto, want, noisy) in enumerate(link_cases(), first):
        sc = {"topo": _Topo(), "fault": fault, "proto": proto}
        events = [start] + ([{"type": "finding_raised", "time": "2026-01-01T00:00:02.500Z",
                              "finding": finding}] if finding else []) + [end]
        got = score(sc, events, truths, owner, {})
        good = (got["verdict"] == want and bool(got["noise"]) == noisy and
                (want != "right" or not finding or noisy or got["first_right_s"] == 2.5))
        failures += not good
        print("%s %d - scorer case %d: %s, %s (%s) -> %s (%s)" % (
            "ok" if good else "not ok", i, i, fault["kind"], (finding or {}).get("kind"),
            proto, got["verdict"], got["why"]))
    return failures


def selftest(sc):
    """The rules above on hand-made streams; SC is any scenario (its
    topology is only asked about ICMP limits).  Returns failures."""
    failures = 0
    start = {"type": "start", "time": "2026-01-01T00:00:00.000Z"}
    end = {"type": "end", "time": "2026-01-01T00:00:12.000Z", "flows": []}
    for i, (kind, finding, truths, want) in enumerate(selftest_cases(), 1):
        failures += selftest_case(sc, i, kind, finding, truths, want, start, end)
    # An update that moves a right finding's range off the link is judged too.
    i = len(selftest_cases()) + 1
    lb = {"kind": "lossy-branch", "ttl": 3, "source_ports": [5],
          "range": {"from_ttl": 1, "to_ttl": None}}
    fwd = selftest_cases()[0][2]
    sc["fault"] = {"kind": "forward", "permille": 1000}
    events = [start, {"type": "finding_raised", "time": "2026-01-01T00:00:02.500Z",
                      "finding": lb},
              {"type": "finding_updated", "time": "2026-01-01T00:00:03.000Z",
               "finding": dict(lb, range={"from_ttl": 3, "to_ttl": None})}, end]
    got = score(sc, events, fwd, {}, {})
    good = got["verdict"] == "false-blame" and got["first_right_s"] == 2.5
    failures += not good
    print("%s %d - scorer case %d: a right finding updated to a range that misses the link -> %s"
          % ("ok" if good else "not ok", i, i, got["verdict"]))
    return failures + selftest_links(i + 1)


def selftest_case(sc, i, kind, finding, truths, want, start, end):
    """One case of selftest_cases(); 1 when it fails."""
    sc["fault"] = {"kind": kind, "permille": 1000 if kind != "none" else 0}
    events = [start]
    if finding:
        events.append({"type": "finding_raised", "time": "2026-01-01T00:00:02.500Z",
                       "finding": finding})
    got = score(sc, events + [end], truths, {}, {})
    good = got["verdict"] == want and (
        want not in ("right", "ambiguous-right") or kind == "none" or finding is None
        or got["first_right_s"] == 2.5)
    # SC has no ICMP limit anywhere: a rate-limited-hop is noise.
    good = good and bool(got["noise"]) == ((finding or {}).get("kind") == "rate-limited-hop")
    print("%s %d - scorer case %d: %s, %s -> %s (%s)" % (
        "ok" if good else "not ok", i, i, kind, (finding or {}).get("kind"),
        got["verdict"], got["why"]))
    return 0 if good else 1
