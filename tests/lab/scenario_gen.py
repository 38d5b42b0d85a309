"""A random lab network from a seed, as plain data (no system calls here).

scenario.py builds what this module describes in network namespaces, runs
ecmptrace through it and scores the verdict (scenario_score.py).  Every
random choice comes from random.Random(seed), so a seed names one network,
one fault and one way of probing it; the kernel's ECMP hash seeds are drawn
from the same generator, so the paths flows take are replayable as well
(only ecmptrace's own random source ports differ from run to run).

The network is a chain of 1-3 stages between a client and a server:

    client - j0 =stage 1= j1 [- p2] =stage 2= j2 ... jN [- tail] - server

j0 answers at TTL 1.  A stage splits at its first junction and merges at
the next one.  A "simple" stage has 2-4 branches, each a chain of 1-3
routers (all of one length, or of unequal lengths).  A "double" stage
splits twice in a row: 2-3 routers "a", then either a mesh (every "a"
reaches every one of 2-3 routers "m") or two routers of their own behind
each "a"; all of them merge at the next junction.

Routes: every router sends what goes to the server over all its
successors (ECMP when there are several) and what goes to the client over
all its predecessors.  A router with several predecessors (a merge) has a
multipath route back, and Linux sends its ICMP errors from the address of
the interface they leave by, so it answers from several addresses -- unless
the scenario gives that route an explicit "src" (drawn per router).  The
successors of a split and the predecessors of the matching merge are
listed in the same branch order, so with one shared hash seed (symmetric
hashing) a flow's replies mirror its forward branch (LAB-REALISM.md) --
in simple and meshed stages; behind a double split that is not meshed the
merge chooses among all 2 x width second routers at once, which no single
forward choice mirrors (as in a real network of that shape).

Hashing: fib_multipath_hash_policy 3, fields 0x37 (addresses, protocol,
ports) everywhere, with either an independent seed per router or one seed
shared by all.  ICMP limits: Linux's defaults on no router, some routers or
all routers (never on the server: its port unreachables would turn UDP
probes into "loss" at the destination that no router causes).  Sometimes
one split balances per packet (nftables numgen marks + fwmark rules, as
bench/topo.sh does).

Fault, one per scenario: "forward" drops a share (100%, or 20-60%) of what
one router forwards over one link inside a stage; "return" drops what the
server sends to the client on one egress link of a router with a multipath
route back (only flows whose replies hash there fail); "destination" drops
the probes at the server's input (all flows); "none".
Two more kinds drop nothing: "mtu" gives one link inside a stage (drawn
as "forward" draws its link) a smaller MTU, 1280-1480 bytes, on both
veth ends, and its near router either sends "fragmentation needed" for
what it cannot forward ("messages") or has them dropped by nftables on
their way out towards the client ("black hole"); "slow" puts a delay
element (tests/lab/delayfwd.c, a namespace forwarding frames after a
delay: no address, no TTL spent) on one such link, 2-10 ms towards the
server and either nothing or the same the other way.

The mix: by default the kinds above are drawn with FAULT_WEIGHTS, which
hold no "mtu" and no "slow", so the default mix and every seed's network
and fault are what they were before those kinds came (the issue-10
benchmark and the seeds t_scenarios.sh runs stay comparable).  A list of
kinds (generate(seed, faults), SCENARIO_FAULTS=mtu,slow in scenario.py and
bench/scenarios.sh) draws only among those, with the weights of
ALL_FAULT_WEIGHTS; everything else the seed draws (topology, hashing,
ICMP limits, balancer, protocol) is drawn as without the list, before the
fault, so the same seed is the same network with another fault.
"""
import random

PROTO_WEIGHTS = (("tcp", 70), ("udp", 20), ("icmp", 10))
TCP_PORTS = (3306, 443, 5432, 6379, 8080, 22, 25)
FAULT_WEIGHTS = (("forward", 35), ("return", 30), ("destination", 15), ("none", 20))
# Drawn from only when a list of kinds is asked for (see above).
ALL_FAULT_WEIGHTS = FAULT_WEIGHTS + (("mtu", 50), ("slow", 50))
FAULT_KINDS = tuple(k for k, _ in ALL_FAULT_WEIGHTS)
MTU_RANGE = (1280, 1480)		# IPv4 link MTUs drawn for "mtu"
DELAY_US_RANGE = (2000, 10000)		# delays drawn for "slow"
LIMIT_WEIGHTS = (("off", 40), ("some", 35), ("all", 25))


def weighted(rng, pairs):
    """One name from (name, weight) pairs."""
    names = [p[0] for p in pairs]
    return rng.choices(names, weights=[p[1] for p in pairs])[0]


class Topo:
    """Nodes, links and routes of one scenario (see the module comment)."""

    def __init__(self):
        self.nodes = []			# creation order; client first
        self.routers = []
        self.links = []			# (number, a, b): a is host .1, b host .2
        self.fwd = {}			# node -> successors towards the server
        self.back = {}			# node -> predecessors towards the client
        self.src = {}			# router -> peer whose link gives the "src"
        self.stages = []		# dicts: kind, split, merge, edges, ...
        self.seeds = {}
        self.limits = {}
        self.per_packet = None
        self.addr = {}			# (node, peer) -> IPv4 address

    def node(self, name, router=True):
        self.nodes.append(name)
        if router:
            self.routers.append(name)
        self.fwd[name] = []
        self.back[name] = []
        return name

    def edge(self, u, v):
        """A link u - v; u forwards to v towards the server."""
        k = len(self.links) + 1
        if k > 250:
            raise ValueError("too many links")
        self.links.append((k, u, v))
        self.addr[(u, v)] = "10.0.%d.1" % k
        self.addr[(v, u)] = "10.0.%d.2" % k
        self.fwd[u].append(v)
        self.back[v].append(u)

    def link_of(self, u, v):
        for k, a, b in self.links:
            if (a, b) in ((u, v), (v, u)):
                return k
        raise KeyError((u, v))


def simple_stage(t, rng, s, split, merge):
    """2-4 branches of 1-3 routers each between split and merge."""
    width = rng.randint(2, 4)
    unequal = rng.random() < 0.3
    if unequal:
        lengths = [rng.randint(1, 3) for _ in range(width)]
    else:
        lengths = [rng.choice((1, 1, 2, 3))] * width
    edges = []
    lasts = []
    for i in range(width):
        prev = split
        for h in range(lengths[i]):
            r = t.node("s%db%dh%d" % (s, i + 1, h + 1))
            t.edge(prev, r)
            edges.append((prev, r))
            prev = r
        lasts.append(prev)
    t.node(merge)
    # In branch order, so that the merge's route back mirrors the split.
    for last in lasts:
        t.edge(last, merge)
        edges.append((last, merge))
    return {"kind": "simple", "split": split, "merge": merge, "width": width,
            "lengths": lengths, "edges": edges}


def double_stage(t, rng, s, split, merge):
    """Two splits in a row: 2-3 routers a, then a mesh or private pairs."""
    w1 = rng.randint(2, 3)
    meshed = rng.random() < 0.5
    w2 = rng.randint(2, 3) if meshed else 2
    edges = []
    firsts = [t.node("s%da%d" % (s, i + 1)) for i in range(w1)]
    for a in firsts:
        t.edge(split, a)
        edges.append((split, a))
    seconds = []
    if meshed:
        seconds = [t.node("s%dm%d" % (s, j + 1)) for j in range(w2)]
        for a in firsts:
            for m in seconds:
                t.edge(a, m)
                edges.append((a, m))
    else:
        for i, a in enumerate(firsts):
            for j in range(w2):
                m = t.node("s%dm%d%d" % (s, i + 1, j + 1))
                t.edge(a, m)
                edges.append((a, m))
                seconds.append(m)
    t.node(merge)
    for m in seconds:
        t.edge(m, merge)
        edges.append((m, merge))
    return {"kind": "meshed" if meshed else "double", "split": split, "merge": merge,
            "width": w1, "second_width": w2, "edges": edges}


def build_topology(rng):
    """The chain of stages, client to server (routes follow fwd/back)."""
    t = Topo()
    t.node("client", router=False)
    cur = t.node("j0")
    t.edge("client", cur)
    nstages = rng.choice((1, 1, 2, 2, 3))
    for s in range(1, nstages + 1):
        if s > 1 and rng.random() < 0.35:
            p = t.node("p%d" % s)
            t.edge(cur, p)
            cur = p
        merge = "j%d" % s
        if rng.random() < 0.3:
            stage = double_stage(t, rng, s, cur, merge)
        else:
            stage = simple_stage(t, rng, s, cur, merge)
        t.stages.append(stage)
        cur = merge
    if rng.random() < 0.3:
        tail = t.node("tail")
        t.edge(cur, tail)
        cur = tail
    t.node("server", router=False)
    t.edge(cur, "server")
    return t


def draw_router_settings(t, rng):
    """Hash seeds, ICMP limits, "src" on multipath routes back, balancer."""
    hashing = "shared" if rng.random() < 0.35 else "independent"
    shared = rng.randint(1, 2**31 - 1)
    limits = weighted(rng, LIMIT_WEIGHTS)
    for r in t.routers:
        t.seeds[r] = shared if hashing == "shared" else rng.randint(1, 2**31 - 1)
        t.limits[r] = limits == "all" or (limits == "some" and rng.random() < 0.5)
        if len(t.back[r]) > 1 and rng.random() < 0.4:
            t.src[r] = t.back[r][0]
    if rng.random() < 0.15:
        t.per_packet = rng.choice(t.stages)["split"]
    return hashing, limits


def fault_weights(faults):
    """The (kind, weight) pairs to draw from: FAULT_WEIGHTS by default,
    else those of FAULTS (names from FAULT_KINDS)."""
    if not faults:
        return FAULT_WEIGHTS
    bad = [k for k in faults if k not in FAULT_KINDS]
    if bad:
        raise ValueError("unknown fault kind %s (known: %s)" % (
            ", ".join(bad), ", ".join(FAULT_KINDS)))
    return tuple(p for p in ALL_FAULT_WEIGHTS if p[0] in faults)


def draw_link_fault(t, rng, fault):
    """"mtu" and "slow": a link inside a stage, and what is wrong on it."""
    stage = rng.choice(t.stages)
    fault["router"], fault["peer"] = rng.choice(stage["edges"])
    fault["stage"] = t.stages.index(stage)
    fault["permille"] = 0			# neither drops anything
    if fault["kind"] == "mtu":
        fault["mtu"] = rng.randint(*MTU_RANGE)
        fault["messages"] = rng.random() < 0.5
    else:
        fault["delay_us"] = rng.randint(*DELAY_US_RANGE)
        fault["back_us"] = fault["delay_us"] if rng.random() < 0.5 else 0


def draw_fault(t, rng, proto, faults=None):
    """The fault: kind, where, and the share of packets dropped."""
    kind = weighted(rng, fault_weights(faults))
    permille = 1000 if rng.random() < 0.4 else rng.randint(200, 600)
    fault = {"kind": kind, "permille": permille if kind != "none" else 0}
    if kind in ("mtu", "slow"):
        draw_link_fault(t, rng, fault)
    elif kind == "forward":
        stage = rng.choice(t.stages)
        fault["router"], fault["peer"] = rng.choice(stage["edges"])
    elif kind == "return":
        # The server's replies to UDP and ICMP probes are ICMP messages,
        # which carry no ports: one return path for every flow.  The link
        # is then picked once that path is known (scenario.py), so that
        # the fault hits something; "pick" keeps the draw replayable.
        cands = [(r, p) for r in t.routers for p in t.back[r] if len(t.back[r]) > 1]
        fault["router"], fault["peer"] = rng.choice(cands)
        fault["pick"] = rng.random()
        fault["on_reply_path"] = proto != "tcp"
    return fault


def generate(seed, faults=None):
    """The whole scenario for SEED: topology, settings, probing, fault
    (drawn among the kinds FAULTS names, when given)."""
    rng = random.Random(seed)
    t = build_topology(rng)
    hashing, limits = draw_router_settings(t, rng)
    proto = weighted(rng, PROTO_WEIGHTS)
    port = rng.choice(TCP_PORTS) if proto == "tcp" else None
    fault = draw_fault(t, rng, proto, faults)
    return {"seed": seed, "topo": t, "hashing": hashing, "limits": limits,
            "proto": proto, "port": port, "fault": fault}


def describe(sc):
    """A JSON-able summary of the scenario (without the addresses)."""
    t = sc["topo"]
    stages = []
    for st in t.stages:
        d = {k: st[k] for k in ("kind", "split", "merge", "width") if k in st}
        for k in ("lengths", "second_width"):
            if k in st:
                d[k] = st[k]
        stages.append(d)
    fault = {k: v for k, v in sc["fault"].items() if k != "pick"}
    multi = [r for r in t.routers if len(t.back[r]) > 1]
    return {"seed": sc["seed"], "proto": sc["proto"], "port": sc["port"],
            "stages": stages, "routers": len(t.routers), "hashing": sc["hashing"],
            "icmp_limits": sc["limits"],
            "limited": [r for r in t.routers if t.limits[r]],
            "multi_address": [r for r in multi if r not in t.src],
            "src_set": sorted(t.src), "per_packet": t.per_packet, "fault": fault}
