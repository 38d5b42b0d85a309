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

Verdict of a run, first match wins: "error" (the instrument could not
run), "invalid" (a real connection disagreed with the walk), "false-blame"
(any false blame), "right" (no fault and no loss finding; a fault that no
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
VERDICTS = ("right", "ambiguous-right", "missed", "false-blame", "invalid", "error")


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
    return kind


UNCROSSED = "no reported flow crosses the fault (%d flows)"


def truth_line(sc, truths, kinds):
    """What a missed run had to find, and what it said instead."""
    failing = [t["p_fail"] for t in truths.values() if t["p_fail"] > 0]
    if not failing:
        what = UNCROSSED % len(truths)
    else:
        what = "%d/%d flows truly fail (%d-%d%%)" % (
            len(failing), len(truths), round(100 * min(failing)), round(100 * max(failing)))
    said = ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items())) or "no finding"
    return "%s; said: %s" % (what, said)


def classify(sc, judged, sanity, truths):
    """The run's verdict and a one-line why (see the module comment)."""
    if sanity.get("disagree"):
        return "invalid", "real connections disagree with the walk: %s" % sanity["disagree"]
    false = [w for v, w, _ in judged if v == "false-blame"]
    if false:
        return "false-blame", false[0]
    if sc["fault"]["kind"] == "none":
        return "right", "no fault, no loss finding"
    if truths and not any(t["p_fail"] > 0 for t in truths.values()) and not judged:
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
        if f.get("kind") in LOSS_KINDS:
            v, why = judge_loss(sc, f, truths)
            judged.append((v, why, at))
            findings[-1]["judged"] = v
        else:
            why = judge_noise(sc, f, addr_owner)
            if why:
                noise.append(why)
    verdict, why = classify(sc, judged, sanity, truths)
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
                      "per_flow": {str(p): {"p_fail": t["p_fail"],
                                            "fwd": [[round(pr, 4), " ".join(n)]
                                                    for pr, n in t["paths"]],
                                            "back": " ".join(t["back"][1:-1])}
                                   for p, t in truths.items()},
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
    return "%-20s %4d %6d %6d %7d %6d %8d %6d %8s %6s" % (
        label, len(recs), counts["right"], counts["ambiguous-right"], counts["missed"],
        counts["false-blame"], counts["invalid"], counts["error"], fmt(med), fmt(p90))


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
    print("%-20s %4s %6s %6s %7s %6s %8s %6s %8s %6s" % (
        "", "n", "right", "ambig", "missed", "false", "invalid", "error", "median_s", "p90_s"))
    print(table_row("all", recs))
    for name, key in (("fault", lambda r: sc(r).get("fault", {}).get("kind", "?")),
                      ("proto", lambda r: sc(r).get("proto", "?")),
                      ("hashing", lambda r: sc(r).get("hashing", "?")),
                      ("icmp limits", lambda r: sc(r).get("icmp_limits", "?"))):
        for value, rs in group(recs, key):
            print(table_row("%s %s" % (name, value), rs))
    good = [r for r in recs if r.get("verdict") in ("right", "ambiguous-right")]
    times = [r["first_right_s"] for r in good if r.get("first_right_s") is not None]
    print("issue 10 goal (>= 97.5%% right, 0 false blame, median <= 3 s): "
          "%d/%d right or ambiguous-right, %d false blame, median %s s" % (
              len(good), len(recs), sum(r.get("verdict") == "false-blame" for r in recs),
              percentile(times, 50)))
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
    return failures


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
