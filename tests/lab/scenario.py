#!/usr/bin/python3
"""Random scenarios on real kernels: build a network from a seed, run
ecmptrace through it with its defaults, score the verdict against the
truth the kernel gives, tear everything down, print one JSON line.

Usage:
  scenario.py SEED [--binary PATH] [--delayfwd PATH] [--time-limit S] [--keep DIR]
             [--count N]
      build, run, score, clean up; one JSON line on stdout (the seed, the
      scenario, the truth, the findings, the score); --count: ecmptrace's
      -c (default 10, its default; more to see whether a miss is a matter
      of time)
  scenario.py describe SEED...
      the scenario each seed draws, without building anything
  scenario.py table FILE...
      the score table of JSON lines written by runs (scenario_score.py)
  scenario.py selftest
      the scoring rules on hand-made streams (TAP lines, no root needed)

What is drawn from the seed (topology, hashing, ICMP limits, per-packet
balancer, protocol, fault) is described in scenario_gen.py; what counts as
right, missed, false blame or noise is defined in scenario_score.py.
SCENARIO_FAULTS=KIND,... (environment) draws the fault among those kinds
only (e.g. mtu,slow; scenario_gen.FAULT_KINDS), for runs and "describe".
A "slow" fault needs the lab's delay element, tests/lab/delayfwd (built
by make): --delayfwd PATH, else $LAB_DELAYFWD, else tests/lab/delayfwd
beside the binary; without it such a scenario is refused (verdict
"error", saying so), not run without its fault.

ecmptrace runs with its defaults plus "-n --json-stream -c 10" and the
probing protocol of the scenario: "-T -P PORT" (TCP to a listener, most
scenarios: the product's main use), none (UDP) or "--icmp" (ICMP echo).
IPv4 only: for IPv6, "ip route get" does not agree with the kernel's own
forwarding (lab.sh), so the oracle below would not be the truth.

The truth comes from the kernel, never from ecmptrace: for every source
port ecmptrace reports (flows of the "end" event, ports of findings) the
flow's probes are walked router by router with "ip route get ... iif DEV
ipproto P sport S dport D", and the destination's reply from the server
back to the client the same way; a per-packet balancer forks the walk
(each branch equally likely).  That says which links a flow's probes and
replies cross, hence whether, how much and where it truly fails.  For
faults that drop everything, real connections from a few ports the walk
calls failing must fail and from a few it calls clean must succeed (each
port used once, so no TIME_WAIT gets in the way); a disagreement marks the
scenario "invalid" (the instrument is wrong, not ecmptrace).  For "mtu"
and "slow" faults the same walk says which flows cross the small or slow
link towards the server (and whether their replies cross it back).

Namespaces are named "scnPID-..." (unique per run); they are removed in a
"finally", also on SIGINT/SIGTERM and when the global time bound
(--time-limit, default 150 s) expires.  Needs root, ip, nft, sysctl.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True		# no __pycache__ in the source tree
import labcheck			# noqa: E402 (its schema check)
import scenario_gen			# noqa: E402 (after the line above)
import scenario_score			# noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LISTENER = os.path.join(HERE, "..", "..", "contrib", "tcp-listener.py")
RUN_ARGS = ["-n", "--json-stream", "-c", "10"]
RUN_TIMEOUT = 60


class Lab:
    """The namespaces and processes of one scenario, and their removal."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.namespaces = []
        self.procs = []
        self.tmp = None			# where delay elements leave their ready files

    def ns(self, name):
        return "%s-%s" % (self.prefix, name)

    def cmd(self, args, stdin=None, check=True):
        r = subprocess.run(args, input=stdin, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def ip(self, name, *args, **kw):
        return self.cmd(["ip", "-n", self.ns(name)] + list(args), **kw)

    def exec(self, name, args, **kw):
        return self.cmd(["ip", "netns", "exec", self.ns(name)] + list(args), **kw)

    def nft(self, name, text):
        self.exec(name, ["nft", "-f", "-"], stdin=text)

    def bg(self, name, args):
        p = subprocess.Popen(["ip", "netns", "exec", self.ns(name)] + args,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        self.procs = []
        for ns in self.namespaces:
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces = []


# ---------------------------------------------------------------- building

def sysctls(t, name):
    """Forwarding, no rp_filter, the hash, and the ICMP limits of NAME."""
    router = name in t.routers
    kv = ["net.ipv4.ip_forward=%d" % router,
          "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
          "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
          "net.ipv4.fib_multipath_hash_policy=3",
          "net.ipv4.fib_multipath_hash_fields=0x37"]
    if router:
        kv.append("net.ipv4.fib_multipath_hash_seed=%d" % t.seeds[name])
    if router and t.limits[name]:
        # Linux's defaults: 1 error a second per destination after a
        # burst, for the types of the default mask.
        kv += ["net.ipv4.icmp_ratelimit=1000", "net.ipv4.icmp_ratemask=6168",
               "net.ipv4.icmp_msgs_per_sec=1000", "net.ipv4.icmp_msgs_burst=50"]
    else:
        kv += ["net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_ratemask=0",
               "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000"]
    return kv


def build_nodes(lab, t):
    for name in t.nodes:
        ns = lab.ns(name)
        lab.cmd(["ip", "netns", "add", ns])
        lab.namespaces.append(ns)
        lab.ip(name, "link", "set", "lo", "up")
        for kv in sysctls(t, name):
            lab.exec(name, ["sysctl", "-q", "-w", kv])


def build_links(lab, t, fault, delayfwd):
    for k, a, b in t.links:
        if fault["kind"] == "slow" and (a, b) == (fault["router"], fault["peer"]):
            build_delayed_link(lab, t, k, a, b, fault, delayfwd)
            continue
        lab.cmd(["ip", "link", "add", "v-" + b, "netns", lab.ns(a), "type", "veth",
                 "peer", "name", "v-" + a, "netns", lab.ns(b)])
        for x, y in ((a, b), (b, a)):
            lab.ip(x, "addr", "add", t.addr[(x, y)] + "/24", "dev", "v-" + y)
            lab.ip(x, "link", "set", "v-" + y, "up")


def build_delayed_link(lab, t, k, a, b, fault, delayfwd):
    """Link K, a - b, through a delay element: namespace "dK" holds the
    peers of both veths, with no address, and delayfwd copies frames
    between them, those from a (towards the server) after delay_us, those
    from b after back_us (0: in the kernel, not through delayfwd).  A slow wire: a and b are neighbours as on any
    link, no TTL is spent in it (lab.sh's lab_link_delayed does the same)."""
    name = "d%d" % k
    ns = lab.ns(name)
    lab.cmd(["ip", "netns", "add", ns])
    lab.namespaces.append(ns)
    lab.ip(name, "link", "set", "lo", "up")
    # No IPv6 there: the element must neither answer nor solicit.
    for kv in ("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"):
        lab.exec(name, ["sysctl", "-q", "-w", kv])
    lab.cmd(["ip", "link", "add", "v-" + b, "netns", lab.ns(a), "type", "veth",
             "peer", "name", "dly-a", "netns", ns])
    lab.cmd(["ip", "link", "add", "v-" + a, "netns", lab.ns(b), "type", "veth",
             "peer", "name", "dly-b", "netns", ns])
    for x, y in ((a, b), (b, a)):
        lab.ip(x, "addr", "add", t.addr[(x, y)] + "/24", "dev", "v-" + y)
        lab.ip(x, "link", "set", "v-" + y, "up")
    for dev in ("dly-a", "dly-b"):
        lab.ip(name, "link", "set", dev, "up")
    back = str(fault["back_us"])
    if fault["back_us"] == 0:
        # Nothing to delay on the way back: the kernel forwards it (a plain
        # wire, as lab.sh's lab_link_delayed does; delayfwd.c says why).
        back = "-"
        lab.nft(name, 'table netdev back {\n chain to_a {\n  type filter hook ingress '
                'device "dly-b" priority 0;\n  fwd to "dly-a"\n }\n}\n')
    ready = os.path.join(lab.tmp, name + ".ready")
    lab.bg(name, [delayfwd, "-S", str(k), "-j", "0", "-r", ready, "dly-a", "dly-b",
                  str(fault["delay_us"]), back])
    for _ in range(50):
        if os.path.exists(ready):
            return
        time.sleep(0.1)
    raise RuntimeError("delay element %s (%s) did not start" % (name, delayfwd))


def route_args(t, name, peers, src_peer=None):
    args = []
    if src_peer:
        args += ["src", t.addr[(name, src_peer)]]
    if len(peers) == 1:
        return args + ["via", t.addr[(peers[0], name)], "dev", "v-" + peers[0]]
    for p in peers:
        args += ["nexthop", "via", t.addr[(p, name)], "dev", "v-" + p]
    return args


def build_routes(lab, t):
    cnet = "10.0.%d.0/24" % t.link_of("client", t.fwd["client"][0])
    snet = "10.0.%d.0/24" % t.link_of(t.back["server"][0], "server")
    lab.ip("client", "route", "add", "default", *route_args(t, "client", t.fwd["client"]))
    lab.ip("server", "route", "add", "default", *route_args(t, "server", t.back["server"]))
    for r in t.routers:
        if t.fwd[r] != ["server"]:
            lab.ip(r, "route", "add", snet, *route_args(t, r, t.fwd[r]))
        if t.back[r] != ["client"]:
            lab.ip(r, "route", "add", cnet, *route_args(t, r, t.back[r], t.src.get(r)))


def build_per_packet(lab, t, server):
    """The split t.per_packet sends each packet to the server down a
    random branch: numgen marks, one routing table per mark."""
    r = t.per_packet
    peers = t.fwd[r]
    for m, p in enumerate(peers, 1):
        lab.ip(r, "route", "add", server + "/32", "table", str(100 + m),
               "via", t.addr[(p, r)], "dev", "v-" + p)
        lab.ip(r, "rule", "add", "fwmark", str(m), "lookup", str(100 + m))
    lab.nft(r, """table ip scnpp {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		ip daddr %s meta mark set numgen random mod %d offset 1
	}
}
""" % (server, len(peers)))


def drop_rule(name, hook, match, permille):
    share = "" if permille >= 1000 else "numgen random mod 1000 < %d " % permille
    return """table inet scn {
	chain %s {
		type filter hook %s priority 0; policy accept;
		%s %scounter drop
	}
}
""" % (hook, hook, match, share)


def place_mtu(lab, f, client):
    """The small MTU on both ends of the link; as a black hole, the near
    router's "fragmentation needed" dropped on their way to the client
    (sent by itself or, should another router send one, forwarded)."""
    u, v = f["router"], f["peer"]
    lab.ip(u, "link", "set", "dev", "v-" + v, "mtu", str(f["mtu"]))
    lab.ip(v, "link", "set", "dev", "v-" + u, "mtu", str(f["mtu"]))
    if f["messages"]:
        return
    match = "ip daddr %s icmp type destination-unreachable icmp code frag-needed" % client
    lab.nft(u, """table ip scnmtu {
	chain out {
		type filter hook output priority 0; policy accept;
		%s counter drop
	}
	chain pass {
		type filter hook forward priority 0; policy accept;
		%s counter drop
	}
}
""" % (match, match))


def place_fault(lab, sc, ends):
    """nftables drops for the scenario's fault (its link is known now);
    the small MTU of an "mtu" fault (a "slow" one is built with the links)."""
    f = sc["fault"]
    client, server = ends
    if f["kind"] == "mtu":
        place_mtu(lab, f, client)
    elif f["kind"] == "forward":
        lab.nft(f["router"], drop_rule(f["router"], "forward",
                                       'oifname "v-%s"' % f["peer"], f["permille"]))
    elif f["kind"] == "return":
        lab.nft(f["router"], drop_rule(
            f["router"], "forward", 'oifname "v-%s" ip saddr %s ip daddr %s'
            % (f["peer"], server, client), f["permille"]))
    elif f["kind"] == "destination":
        match = {"tcp": "tcp dport %d" % (sc["port"] or 0), "udp": "meta l4proto udp",
                 "icmp": "icmp type echo-request"}[sc["proto"]]
        lab.nft("server", drop_rule("server", "input",
                                    "ip saddr %s %s" % (client, match), f["permille"]))


def start_listener(lab, port):
    lab.bg("server", [sys.executable, LISTENER, str(port)])
    for _ in range(50):
        out = lab.exec("server", ["ss", "-Hltn", "sport = :%d" % port], check=False)
        if out.strip():
            return
        time.sleep(0.1)
    raise RuntimeError("listener on %d did not start" % port)


# ------------------------------------------------------------------ truth

class Oracle:
    """Which way the kernel sends a flow's probes and its replies."""

    def __init__(self, lab, t, client, server):
        self.lab, self.t = lab, t
        self.client, self.server = client, server
        self.cache = {}

    def next_hop(self, node, came_from, src, dst, l4):
        key = (node, came_from, src, dst, l4)
        if key not in self.cache:
            out = self.lab.ip(node, "-4", "route", "get", dst, "from", src,
                              "iif", "v-" + came_from, *l4).split()
            dev = out[out.index("dev") + 1]
            self.cache[key] = dev[2:]
        return self.cache[key]

    def forward_paths(self, l4):
        """[(probability, [node at TTL 1, 2, ...]), ...] to the server."""
        done = []
        todo = [(1.0, ["client", self.t.fwd["client"][0]])]
        while todo:
            prob, path = todo.pop()
            node = path[-1]
            if node == "server":
                done.append((prob, path[1:]))
                continue
            if len(path) > 64:
                raise RuntimeError("forward walk loops")
            if node == self.t.per_packet:
                peers = self.t.fwd[node]
                todo += [(prob / len(peers), path + [p]) for p in peers]
                continue
            todo.append((prob, path + [self.next_hop(node, path[-2], self.client,
                                                     self.server, l4)]))
        return done

    def return_path(self, l4):
        """[server, router, ..., client]: the way the server's reply goes."""
        path = ["server", self.t.back["server"][0]]
        while path[-1] != "client":
            if len(path) > 64:
                raise RuntimeError("return walk loops")
            path.append(self.next_hop(path[-1], path[-2], self.server, self.client, l4))
        return path


def l4_args(proto, sport, dport, reply=False):
    """"ip route get" words of a probe or of the server's reply to it."""
    if proto == "icmp" or (proto == "udp" and reply):
        return ("ipproto", "icmp")	# echo reply / port unreachable
    if reply:
        sport, dport = dport, sport
    return ("ipproto", proto, "sport", str(sport), "dport", str(dport))


def flow_truth(oracle, sc, sport, dport):
    """What the fault does to one flow: probability that an end-to-end
    probe is lost, and for a forward fault the TTL of the faulty link's
    near end on each path that crosses it."""
    f = sc["fault"]
    share = f["permille"] / 1000.0
    proto = sc["proto"]
    paths = oracle.forward_paths(l4_args(proto, sport, dport))
    back = oracle.return_path(l4_args(proto, sport, dport, reply=True))
    truth = {"paths": [[p, nodes] for p, nodes in paths], "back": back,
             "p_fail": 0.0, "link_ttls": []}
    if f["kind"] == "forward":
        for prob, nodes in paths:
            for i in range(len(nodes) - 1):
                if (nodes[i], nodes[i + 1]) == (f["router"], f["peer"]):
                    truth["p_fail"] += prob * share
                    truth["link_ttls"].append(i + 1)
    elif f["kind"] == "return":
        for i in range(len(back) - 1):
            if (back[i], back[i + 1]) == (f["router"], f["peer"]):
                truth["p_fail"] = share
    elif f["kind"] == "destination":
        truth["p_fail"] = share
    elif f["kind"] in ("mtu", "slow"):
        link_truth(truth, f, paths, back)
    truth["p_fail"] = round(truth["p_fail"], 4)
    return truth


def link_truth(truth, f, paths, back):
    """"mtu" and "slow": the probability that the flow's probes cross the
    link towards the server (p_cross; a per-packet balancer makes it a
    share), the TTL of its near end on each path that does, and whether
    the replies cross it back (back_cross: the delay back, and an ICMP
    echo reply as large as its request)."""
    link = (f["router"], f["peer"])
    truth["p_cross"] = 0.0
    for prob, nodes in paths:
        for i in range(len(nodes) - 1):
            if (nodes[i], nodes[i + 1]) == link:
                truth["p_cross"] += prob
                truth["link_ttls"].append(i + 1)
    truth["p_cross"] = round(truth["p_cross"], 4)
    truth["back_cross"] = any((back[i + 1], back[i]) == link for i in range(len(back) - 1))


def pick_return_link(oracle, sc):
    """For UDP and ICMP every reply takes one path (ICMP has no ports):
    put the return fault on a multipath router's egress on that path."""
    f = sc["fault"]
    back = oracle.return_path(l4_args(sc["proto"], 0, 0, reply=True))
    t = sc["topo"]
    cands = [(back[i], back[i + 1]) for i in range(1, len(back) - 1)
             if len(t.back[back[i]]) > 1]
    if cands:
        f["router"], f["peer"] = cands[int(f["pick"] * len(cands)) % len(cands)]


SANITY_PY = r'''
import socket, sys
proto, dst, dport = sys.argv[1], sys.argv[2], int(sys.argv[3])
for p in sys.argv[4:]:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(1.0)
    s.bind(("", int(p)))
    ok = 0
    try:
        s.connect((dst, dport))
        if proto == "udp":
            s.send(b"x")
            s.recv(64)
        ok = 1
    except (ConnectionRefusedError, ConnectionResetError):
        ok = 1		# an answer came back
    except OSError:
        ok = 0
    s.close()
    print(p, ok)
'''


def sanity_check(lab, sc, server, dport, truths):
    """Real connections against the walk, for faults that drop all."""
    if sc["fault"]["permille"] < 1000 or sc["proto"] == "icmp":
        return {"checked": False}
    failing = sorted(p for p, t in truths.items() if t["p_fail"] >= 1.0)[:3]
    clean = sorted(p for p, t in truths.items() if t["p_fail"] == 0.0)[:3]
    out = lab.exec("client", [sys.executable, "-c", SANITY_PY, sc["proto"], server,
                              str(dport)] + [str(p) for p in failing + clean], check=False)
    got = dict(tuple(map(int, line.split())) for line in out.splitlines() if line.strip())
    wrong = [p for p in failing if got.get(p) != 0] + [p for p in clean if got.get(p) != 1]
    return {"checked": True, "failing": failing, "clean": clean, "disagree": wrong}


def run_ecmptrace(lab, binary, sc, server, out_path, count=10):
    args = [binary] + RUN_ARGS
    args[args.index("-c") + 1] = str(count)
    if sc["proto"] == "tcp":
        args += ["-T", "-P", str(sc["port"])]
    elif sc["proto"] == "icmp":
        args += ["--icmp"]
    args.append(server)
    t0 = time.monotonic()
    cut = False
    with open(out_path, "w") as out, open(out_path + ".err", "w") as err:
        p = subprocess.Popen(["ip", "netns", "exec", lab.ns("client")] + args,
                             stdout=out, stderr=err)
        lab.procs.append(p)
        try:
            rc = p.wait(timeout=RUN_TIMEOUT + 2 * max(0, count - 10))
        except subprocess.TimeoutExpired:
            cut = True		# -c 10 should end long before
            p.send_signal(signal.SIGINT)
            try:
                rc = p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
    with open(out_path + ".err") as err:
        stderr = err.read()[-500:]
    return {"args": args[1:], "rc": rc, "wall_s": round(time.monotonic() - t0, 2),
            "cut": cut, "stderr": stderr}


def read_stream(path):
    events = []
    with open(path) as f:
        for line in f:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


def stream_ports(events):
    ports = set()
    for e in events:
        if e.get("type") == "end":
            ports |= {fl["source_port"] for fl in e.get("flows", [])}
        if e.get("type") == "finding_raised":
            ports |= set(e["finding"].get("source_ports", []))
    return ports


def scenario_run(sc, binary, keep, delayfwd, count=10):
    """Build, run, take the truth, score.  Returns the JSON record."""
    t = sc["topo"]
    lab = Lab("scn%d" % os.getpid())
    rec = {"seed": sc["seed"], "prefix": lab.prefix, "scenario": None}
    tmp = keep or tempfile.mkdtemp(prefix="ecmptrace-scn.")
    lab.tmp = tmp
    try:
        t0 = time.monotonic()
        build_nodes(lab, t)
        build_links(lab, t, sc["fault"], delayfwd)
        build_routes(lab, t)
        client = t.addr[("client", t.fwd["client"][0])]
        server = t.addr[("server", t.back["server"][0])]
        oracle = Oracle(lab, t, client, server)
        if sc["fault"]["kind"] == "return" and sc["fault"]["on_reply_path"]:
            pick_return_link(oracle, sc)
        if t.per_packet:
            build_per_packet(lab, t, server)
        place_fault(lab, sc, (client, server))
        if sc["proto"] == "tcp":
            start_listener(lab, sc["port"])
        rec["scenario"] = scenario_gen.describe(sc)
        rec["scenario"].update({"client": client, "server": server})
        rec["build_s"] = round(time.monotonic() - t0, 2)
        out_path = os.path.join(tmp, "seed%d.jsonl" % sc["seed"])
        rec["run"] = run_ecmptrace(lab, binary, sc, server, out_path, count)
        events = read_stream(out_path)
        # What doc/ecmptrace.schema.json finds wrong in the stream ([]: nothing).
        rec["schema_problems"] = labcheck.schema_problems(events)[:5]
        start = [e for e in events if e.get("type") == "start"]
        dport = start[0].get("port", 0) if start else (sc["port"] or 33434)
        t1 = time.monotonic()
        truths = {p: flow_truth(oracle, sc, p, dport) for p in sorted(stream_ports(events))}
        rec["sanity"] = sanity_check(lab, sc, server, dport, truths)
        rec["truth_s"] = round(time.monotonic() - t1, 2)
        addr_owner = {a: n for (n, _), a in t.addr.items()}
        rec.update(scenario_score.score(sc, events, truths, addr_owner, rec["sanity"]))
    finally:
        # A second signal must not cut the removal of the namespaces.
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(s, signal.SIG_IGN)
        lab.cleanup()
        if not keep:
            for name in os.listdir(tmp):
                os.unlink(os.path.join(tmp, name))
            os.rmdir(tmp)
    return rec


class TimeUp(Exception):
    pass


def on_signal(signum, _frame):
    if signum == signal.SIGALRM:
        raise TimeUp("time limit")
    raise SystemExit(128 + signum)


def parse_int(text, lo, hi, what):
    try:
        v = int(text, 10)
    except ValueError:
        v = None
    if v is None or not lo <= v <= hi:
        sys.exit("scenario.py: %s must be an integer %d-%d, not %r" % (what, lo, hi, text))
    return v


def fault_list():
    """SCENARIO_FAULTS: the kinds to draw the fault from (None: the default mix)."""
    text = os.environ.get("SCENARIO_FAULTS", "").strip()
    if not text:
        return None
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    try:
        scenario_gen.fault_weights(kinds)
    except ValueError as e:
        sys.exit("scenario.py: SCENARIO_FAULTS: %s" % e)
    return kinds


def find_delayfwd(binary, given):
    """The delay element: --delayfwd, $LAB_DELAYFWD, or beside the binary."""
    if given and not os.access(given, os.X_OK):
        sys.exit("scenario.py: --delayfwd %s: not an executable file" % given)
    path = given or os.environ.get("LAB_DELAYFWD") or os.path.join(
        os.path.dirname(binary), "tests", "lab", "delayfwd")
    return os.path.abspath(path) if os.access(path, os.X_OK) else None


def main(argv):
    faults = fault_list()
    if len(argv) >= 1 and argv[0] == "describe":
        for s in argv[1:]:
            sc = scenario_gen.generate(parse_int(s, 0, 2**31, "seed"), faults)
            print(json.dumps(scenario_gen.describe(sc)))
        return 0
    if len(argv) >= 1 and argv[0] == "table":
        return scenario_score.table(argv[1:])
    if argv == ["selftest"]:
        return 1 if scenario_score.selftest(scenario_gen.generate(1)) else 0
    if not argv:
        sys.exit(__doc__)
    seed = parse_int(argv[0], 0, 2**31, "seed")
    binary = os.environ.get("ECMPTRACE", "./ecmptrace")
    limit, keep, delayfwd, count, i = 150, None, None, 10, 1
    while i < len(argv):
        if argv[i] == "--binary" and i + 1 < len(argv):
            binary = argv[i + 1]
        elif argv[i] == "--delayfwd" and i + 1 < len(argv):
            delayfwd = argv[i + 1]
        elif argv[i] == "--count" and i + 1 < len(argv):
            count = parse_int(argv[i + 1], 1, 600, "count")
        elif argv[i] == "--time-limit" and i + 1 < len(argv):
            limit = parse_int(argv[i + 1], 10, 3600, "time limit")
        elif argv[i] == "--keep" and i + 1 < len(argv):
            keep = argv[i + 1]
            os.makedirs(keep, exist_ok=True)
        else:
            sys.exit("scenario.py: unknown argument %r" % argv[i])
        i += 2
    binary = os.path.abspath(binary)
    delayfwd = find_delayfwd(binary, delayfwd)
    print("# scenario seed %d" % seed, file=sys.stderr)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(s, on_signal)
    signal.alarm(limit)
    sc = scenario_gen.generate(seed, faults)
    try:
        if sc["fault"]["kind"] == "slow" and delayfwd is None:
            # Refused, not run without its fault: a "right" with no delay
            # anywhere would count for nothing.
            raise RuntimeError("refused: a slow fault needs the delay element tests/lab/"
                               "delayfwd (make; --delayfwd PATH or LAB_DELAYFWD)")
        rec = scenario_run(sc, binary, keep, delayfwd, count)
    except (TimeUp, RuntimeError) as e:
        rec = {"seed": seed, "scenario": scenario_gen.describe(sc),
               "verdict": "error", "why": str(e)[:300]}
    signal.alarm(0)
    print(json.dumps(rec, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
