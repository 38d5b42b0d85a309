/*
 * simnet: a deterministic routed network with ECMP for the engine's tests
 * (see simnet.h).  Replies are filled the way reply_dissect reports the real
 * packets: ICMP time exceeded / destination unreachable (RFC 792, RFC 4443)
 * quoting the probe, echo replies, TCP SYN-ACK / RST (RFC 9293).
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>

#include "simnet.h"
#include "wire/probe_check.h"

/* A reply waiting for its arrival time; seq keeps equal times in queue order. */
struct pending {
	uint64_t at;
	uint64_t seq;
	struct reply r;
};

struct simnet {
	struct ip_addr src, dst;
	uint32_t seed;
	struct simnet_node *nodes;
	int nnodes, capnodes;
	struct simnet_dest dest;
	struct simnet_faults faults;
	struct simnet_stats stats;
	struct pending *heap;		/* binary min-heap on (at, seq) */
	size_t nheap, capheap;
	uint64_t qseq;			/* next pending seq */
	uint64_t serial;		/* probes sent so far: keys every random decision */
};

/* Kinds of random decisions; each has its own stream. */
enum stream {
	S_PER_PACKET = 1,
	S_FWD_LOSS,
	S_REPLY_LOSS,
	S_DEST_LOSS,
	S_RET_LOSS,
	S_JITTER,
	S_DUP,
	S_REORDER,
	S_LATE,
	S_FOREIGN,
};

/* Addresses are compared by hand: the simulator does not need addr.c. */
static bool same_addr(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return memcmp(a->b, b->b, 4) == 0;
	if (a->family == AF_INET6)
		return memcmp(a->b, b->b, 16) == 0;
	return true;
}

static size_t fam_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* MurmurHash3's 32-bit block step and finaliser: a cheap, well-mixed hash. */
static uint32_t rotl32(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

static uint32_t hstep(uint32_t h, uint32_t w)
{
	w *= 0xcc9e2d51u;
	w = rotl32(w, 15);
	w *= 0x1b873593u;
	h ^= w;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static uint32_t hfinal(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static uint32_t haddr(uint32_t h, const struct ip_addr *a)
{
	for (int i = 0; i < 16; i += 4)
		h = hstep(h, (uint32_t)a->b[i] << 24 | (uint32_t)a->b[i + 1] << 16 |
			  (uint32_t)a->b[i + 2] << 8 | a->b[i + 3]);
	return h;
}

/* A uniform 32-bit value for decision `stream` about probe `serial` at node `node`. */
static uint32_t draw(const struct simnet *n, enum stream stream, uint64_t serial, int node)
{
	uint32_t h = n->seed;

	h = hstep(h, (uint32_t)stream);
	h = hstep(h, (uint32_t)serial);
	h = hstep(h, (uint32_t)(serial >> 32));
	h = hstep(h, (uint32_t)node);
	return hfinal(h);
}

static bool chance(const struct simnet *n, enum stream stream, uint64_t serial, int node, double p)
{
	if (p <= 0)
		return false;
	if (p >= 1)
		return true;
	return draw(n, stream, serial, node) / 4294967296.0 < p;
}

/* First 4 bytes of the transport header, as a router's hash sees them. */
static uint32_t l4_word(const struct probe_spec *p)
{
	if (p->proto == PROBE_ICMP) {
		uint32_t type = p->dst.family == AF_INET6 ? 128 : 8;

		return type << 24 | p->icmp_checksum;	/* code 0 */
	}
	return (uint32_t)p->sport << 16 | p->dport;
}

static uint8_t proto_number(const struct probe_spec *p)
{
	switch (p->proto) {
	case PROBE_TCP:
		return 6;
	case PROBE_ICMP:
		return p->dst.family == AF_INET6 ? 58 : 1;
	case PROBE_UDP:
	default:
		return 17;
	}
}

/* The flow hash of a node for p (ignores per-packet mode). */
static uint32_t flow_hash(const struct simnet_node *node, const struct probe_spec *p)
{
	uint32_t h = hstep(node->seed, 0x5eed);

	h = haddr(h, &p->src);
	h = haddr(h, &p->dst);
	if (node->hash == SIMNET_HASH_LABEL && p->dst.family == AF_INET6 &&
	    (p->flow_label & 0xfffff) != 0)
		return hfinal(hstep(h, p->flow_label & 0xfffff));
	h = hstep(h, proto_number(p));
	return hfinal(hstep(h, l4_word(p)));
}

/* Index in [0, k) from a 32-bit hash, without modulo bias worth noting. */
static int pick(uint32_t h, int k)
{
	return (int)(((uint64_t)h * (uint64_t)k) >> 32);
}

/*
 * The next hop node `id` chooses for p; serial is the probe's for per-packet
 * mode, or UINT64_MAX for the oracle (returns -2 when the choice is random).
 */
static int next_hop(const struct simnet *n, int id, const struct probe_spec *p, uint64_t serial)
{
	const struct simnet_node *node = &n->nodes[id];

	if (node->nnext == 0)
		return -1;
	if (node->nnext == 1)
		return node->next[0];
	if (node->hash == SIMNET_HASH_PER_PACKET) {
		if (serial == UINT64_MAX)
			return -2;
		return node->next[pick(draw(n, S_PER_PACKET, serial, id), node->nnext)];
	}
	return node->next[pick(flow_hash(node, p), node->nnext)];
}

/* ---- the reply queue ---- */

static bool before(const struct pending *a, const struct pending *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void queue_reply(struct simnet *n, const struct reply *r, uint64_t at)
{
	size_t i;

	if (n->nheap == n->capheap) {
		size_t cap = n->capheap ? n->capheap * 2 : 64;
		struct pending *h = realloc(n->heap, cap * sizeof(*h));

		if (!h)
			return;		/* out of memory: the reply is lost, like on a real network */
		n->heap = h;
		n->capheap = cap;
	}
	i = n->nheap++;
	n->heap[i].at = at;
	n->heap[i].seq = n->qseq++;
	n->heap[i].r = *r;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		struct pending t;

		if (!before(&n->heap[i], &n->heap[up]))
			break;
		t = n->heap[i];
		n->heap[i] = n->heap[up];
		n->heap[up] = t;
		i = up;
	}
	n->stats.queued++;
}

static void heap_pop(struct simnet *n)
{
	size_t i = 0;

	n->heap[0] = n->heap[--n->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct pending t;

		if (l < n->nheap && before(&n->heap[l], &n->heap[m]))
			m = l;
		if (r < n->nheap && before(&n->heap[r], &n->heap[m]))
			m = r;
		if (m == i)
			break;
		t = n->heap[i];
		n->heap[i] = n->heap[m];
		n->heap[m] = t;
		i = m;
	}
}

bool simnet_next_arrival(const struct simnet *n, uint64_t *at_us)
{
	if (n->nheap == 0)
		return false;
	*at_us = n->heap[0].at;
	return true;
}

bool simnet_next_reply(struct simnet *n, uint64_t now_us, struct reply *out)
{
	if (n->nheap == 0 || n->heap[0].at > now_us)
		return false;
	*out = n->heap[0].r;
	heap_pop(n);
	n->stats.delivered++;
	return true;
}

size_t simnet_pending(const struct simnet *n)
{
	return n->nheap;
}

/* ---- construction ---- */

static int add_node(struct simnet *n, const struct ip_addr *addr)
{
	struct simnet_node *node;

	if (n->nnodes == n->capnodes) {
		int cap = n->capnodes ? n->capnodes * 2 : 16;
		struct simnet_node *v = realloc(n->nodes, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		n->nodes = v;
		n->capnodes = cap;
	}
	node = &n->nodes[n->nnodes];
	memset(node, 0, sizeof(*node));
	node->addr = *addr;
	node->hash = SIMNET_HASH_PORTS;
	node->seed = hfinal(hstep(n->seed, (uint32_t)n->nnodes + 0x100));
	node->unreach_code = -1;
	node->delay_us = 1000;
	node->stage = -1;
	node->index = -1;
	return n->nnodes++;
}

struct simnet *simnet_new(const struct ip_addr *src, const struct ip_addr *dst, uint32_t seed)
{
	struct simnet *n;

	if (!family_ok(src->family) || src->family != dst->family)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->src = *src;
	n->dst = *dst;
	n->seed = seed;
	n->dest.listening = true;
	n->dest.ret_seed = hfinal(seed ^ 0x7e7u);
	n->faults.foreign_kind = -1;
	n->faults.dup_gap_us = 100;
	n->faults.reorder_extra_us = 5000;
	n->faults.late_extra_us = 10000000;
	if (add_node(n, src) != SIMNET_SRC || add_node(n, dst) != SIMNET_DST) {
		simnet_free(n);
		return NULL;
	}
	return n;
}

void simnet_free(struct simnet *n)
{
	if (!n)
		return;
	free(n->nodes);
	free(n->heap);
	free(n);
}

int simnet_add_router(struct simnet *n, const struct ip_addr *addr)
{
	if (addr->family != n->dst.family)
		return -1;
	return add_node(n, addr);
}

bool simnet_link(struct simnet *n, int from, int to)
{
	struct simnet_node *f;

	if (from < 0 || from >= n->nnodes || from == SIMNET_DST)
		return false;
	if (to <= SIMNET_SRC || to >= n->nnodes || to == from)
		return false;
	f = &n->nodes[from];
	for (int i = 0; i < f->nnext; i++)
		if (f->next[i] == to)
			return true;
	if (f->nnext == SIMNET_MAX_NEXT)
		return false;
	f->next[f->nnext++] = to;
	return true;
}

int simnet_split(struct simnet *n, int from, int to, const struct ip_addr *addr)
{
	int id, slot = -1;

	if (from < 0 || from >= n->nnodes || to < 0 || to >= n->nnodes)
		return -1;
	for (int i = 0; i < n->nodes[from].nnext; i++)
		if (n->nodes[from].next[i] == to)
			slot = i;
	if (slot < 0)
		return -1;
	id = simnet_add_router(n, addr);
	if (id < 0)
		return -1;
	/* Keep the slot so the hash still sends the same flows this way. */
	n->nodes[from].next[slot] = id;
	n->nodes[id].next[0] = to;
	n->nodes[id].nnext = 1;
	n->nodes[id].delay_us = n->nodes[from].delay_us + 500;
	return id;
}

/* Depth-first search colouring: 0 new, 1 on the stack, 2 done (reaches dst). */
static bool dfs(const struct simnet *n, int id, unsigned char *colour, char *err, size_t errlen)
{
	const struct simnet_node *node = &n->nodes[id];

	if (id == SIMNET_DST || colour[id] == 2)
		return true;
	if (colour[id] == 1) {
		snprintf(err, errlen, "cycle through node %d", id);
		return false;
	}
	if (node->nnext == 0) {
		snprintf(err, errlen, "node %d has no next hop", id);
		return false;
	}
	colour[id] = 1;
	for (int i = 0; i < node->nnext; i++)
		if (!dfs(n, node->next[i], colour, err, errlen))
			return false;
	colour[id] = 2;
	return true;
}

bool simnet_check(const struct simnet *n, char *err, size_t errlen)
{
	unsigned char *colour = calloc((size_t)n->nnodes, 1);
	bool good;

	if (!colour) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	good = dfs(n, SIMNET_SRC, colour, err, errlen);
	free(colour);
	return good;
}

struct simnet_node *simnet_node(struct simnet *n, int id)
{
	if (id < 0 || id >= n->nnodes)
		return NULL;
	return &n->nodes[id];
}

int simnet_node_count(const struct simnet *n)
{
	return n->nnodes;
}

int simnet_find(const struct simnet *n, const struct ip_addr *addr)
{
	for (int i = 0; i < n->nnodes; i++) {
		if (same_addr(&n->nodes[i].addr, addr))
			return i;
		for (int k = 0; k < n->nodes[i].nanswer_addrs; k++)
			if (same_addr(&n->nodes[i].answer_addrs[k], addr))
				return i;
	}
	return -1;
}

int simnet_at(const struct simnet *n, int stage, int index)
{
	for (int i = 0; i < n->nnodes; i++)
		if (n->nodes[i].stage == stage && n->nodes[i].index == index)
			return i;
	return -1;
}

struct simnet_dest *simnet_dest(struct simnet *n)
{
	return &n->dest;
}

struct simnet_faults *simnet_faults(struct simnet *n)
{
	return &n->faults;
}

const struct simnet_stats *simnet_stats(const struct simnet *n)
{
	return &n->stats;
}

void simnet_set_hash(struct simnet *n, enum simnet_hash mode)
{
	for (int i = 0; i < n->nnodes; i++)
		if (i != SIMNET_DST)
			n->nodes[i].hash = mode;
}

void simnet_rate_limit(struct simnet_node *node, int burst, uint64_t interval_us)
{
	node->rl_burst = burst;
	node->rl_interval_us = interval_us;
	node->rl_started = false;
}

void simnet_stage_addr(int family, int stage, int index, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	if (family == AF_INET) {
		out->b[0] = 10;
		out->b[1] = (uint8_t)stage;
		out->b[2] = (uint8_t)index;
		out->b[3] = 1;
	} else {
		out->b[0] = 0xfd;
		out->b[6] = (uint8_t)(stage >> 8);
		out->b[7] = (uint8_t)stage;
		out->b[14] = (uint8_t)((index + 1) >> 8);
		out->b[15] = (uint8_t)(index + 1);
	}
}

struct simnet *simnet_diamond(const struct ip_addr *src, const struct ip_addr *dst,
			      const int *widths, int nstages, bool meshed, uint32_t seed)
{
	struct simnet *n = simnet_new(src, dst, seed);
	int first = 2;	/* id of the first router of the current stage */

	if (!n || nstages < 0 || nstages > 250)
		goto fail;
	for (int s = 0; s < nstages; s++) {
		if (widths[s] < 1 || widths[s] > SIMNET_MAX_NEXT || widths[s] > 255)
			goto fail;
		for (int i = 0; i < widths[s]; i++) {
			struct ip_addr a;
			int id;

			simnet_stage_addr(dst->family, s + 1, i, &a);
			id = simnet_add_router(n, &a);
			if (id < 0)
				goto fail;
			n->nodes[id].stage = s + 1;
			n->nodes[id].index = i;
			n->nodes[id].delay_us = 1000u * (uint64_t)(s + 1);
		}
	}
	n->nodes[SIMNET_DST].delay_us = 1000u * (uint64_t)(nstages + 1);
	if (nstages == 0) {
		simnet_link(n, SIMNET_SRC, SIMNET_DST);
		return n;
	}
	for (int i = 0; i < widths[0]; i++)
		simnet_link(n, SIMNET_SRC, first + i);
	for (int s = 0; s < nstages; s++) {
		int w = widths[s];
		int nfirst = first + w;

		for (int i = 0; i < w; i++) {
			if (s == nstages - 1) {
				simnet_link(n, first + i, SIMNET_DST);
				continue;
			}
			int nw = widths[s + 1];

			for (int j = 0; j < nw; j++) {
				bool wanted = meshed || (nw >= w ? j % w == i : j == i % nw);

				if (wanted)
					simnet_link(n, first + i, nfirst + j);
			}
		}
		first = nfirst;
	}
	return n;
fail:
	simnet_free(n);
	return NULL;
}

struct simnet *simnet_chain(const struct ip_addr *src, const struct ip_addr *dst, int count, uint32_t seed)
{
	int widths[250];

	if (count < 0 || count > 250)
		return NULL;
	for (int i = 0; i < count; i++)
		widths[i] = 1;
	return simnet_diamond(src, dst, widths, count, false, seed);
}

/* ---- the fate of a probe ---- */

/* Linux-style ICMP token bucket: burst messages, then one per interval. */
static bool rl_allow(struct simnet_node *node, uint64_t now)
{
	uint64_t cap;

	if (node->rl_burst <= 0 || node->rl_interval_us == 0)
		return true;
	cap = (uint64_t)node->rl_burst * node->rl_interval_us;
	if (!node->rl_started) {
		node->rl_started = true;
		node->rl_tokens_us = cap;
		node->rl_last_us = now;
	}
	if (now > node->rl_last_us) {
		node->rl_tokens_us += now - node->rl_last_us;
		if (node->rl_tokens_us > cap)
			node->rl_tokens_us = cap;
		node->rl_last_us = now;
	}
	if (node->rl_tokens_us < node->rl_interval_us) {
		node->rate_limited++;
		return false;
	}
	node->rl_tokens_us -= node->rl_interval_us;
	return true;
}

/*
 * An ICMP error quoting p, sent by `from` with the quoted TTL left.  Like
 * Linux, the router quotes the whole probe (576 bytes on IPv4, 1280 on
 * IPv6 hold it), MAC and all.
 */
static void reply_icmp_error(const struct probe_spec *p, const struct ip_addr *from,
			     enum reply_kind kind, uint8_t type, uint8_t code,
			     uint8_t quoted_ttl, struct reply *r)
{
	probe_expected_reply(p, kind, quoted_ttl, true, r);
	r->icmp_type = type;
	r->icmp_code = code;
	r->from = *from;
}

/* Queues r (already decided to come back) with the reply-stream impairments. */
static void deliver(struct simnet *n, const struct simnet_node *node, int id,
		    const struct reply *r, uint64_t now)
{
	const struct simnet_faults *f = &n->faults;
	uint64_t serial = n->serial;
	uint64_t at = now + node->delay_us;

	if (node->jitter_us)
		at += draw(n, S_JITTER, serial, id) % (node->jitter_us + 1);
	if (chance(n, S_REORDER, serial, id, f->reorder_prob)) {
		at += f->reorder_extra_us;
		n->stats.reordered++;
	}
	if (chance(n, S_LATE, serial, id, f->late_prob)) {
		at += f->late_extra_us;
		n->stats.late++;
	}
	if (node->nlladdrs > 0 && node->nlladdrs <= 2) {
		struct reply framed = *r;

		memcpy(framed.lladdr, node->lladdrs[serial % (uint64_t)node->nlladdrs], 6);
		framed.lladdr_len = 6;
		queue_reply(n, &framed, at);
	} else {
		queue_reply(n, r, at);
	}
	if (chance(n, S_DUP, serial, id, f->dup_prob)) {
		queue_reply(n, r, at + f->dup_gap_us);
		n->stats.duplicates++;
	}
}

/* A reply to a probe this run never sent, derived from p. */
static void send_foreign(struct simnet *n, const struct probe_spec *p, uint64_t now)
{
	struct probe_spec q = *p;
	struct ip_addr from;
	struct reply r;
	int kind = n->faults.foreign_kind;

	if (kind < 0 || kind >= SIMNET_FOREIGN_KINDS)
		kind = (int)(n->stats.foreign % SIMNET_FOREIGN_KINDS);
	switch (kind) {
	case SIMNET_FOREIGN_OTHER_DST:
		q.dst.b[fam_len(q.dst.family) - 1] ^= 0x80;
		break;
	case SIMNET_FOREIGN_OTHER_PORT:
		if (q.proto == PROBE_ICMP)
			q.src.b[fam_len(q.src.family) - 1] ^= 0x40;
		else
			q.dport ^= 0x5a5a;
		break;
	case SIMNET_FOREIGN_ID_ZERO:
		q.probe_id = 0;
		break;
	default:
		q.probe_id = 0xffff;
		break;
	}
	/* From a documentation address (RFC 5737 / RFC 3849): no router of ours. */
	memset(&from, 0, sizeof(from));
	from.family = p->dst.family;
	if (from.family == AF_INET) {
		from.b[0] = 192;
		from.b[2] = 2;
		from.b[3] = 99;
	} else {
		from.b[0] = 0x20;
		from.b[1] = 0x01;
		from.b[2] = 0x0d;
		from.b[3] = 0xb8;
		from.b[15] = 0x99;
	}
	reply_icmp_error(&q, &from, REPLY_TIME_EXCEEDED,
			 from.family == AF_INET ? 11 : 3, 0, 1, &r);
	/* Whatever it quotes, it reached our own address. */
	r.to = p->src;
	r.reply_ttl = SIMNET_REPLY_TTL - 3;
	queue_reply(n, &r, now + 700);
	n->stats.foreign++;
}

int simnet_return_member(const struct simnet *n, const struct probe_spec *p)
{
	const struct simnet_dest *d = &n->dest;
	uint32_t h;

	if (d->ret_members <= 0)
		return -1;
	/* The reply's own 5-tuple: addresses and ports swapped. */
	h = hstep(d->ret_seed, 0x2e7);
	h = haddr(h, &p->dst);
	h = haddr(h, &p->src);
	h = hstep(h, proto_number(p));
	h = hstep(h, p->proto == PROBE_ICMP ? p->sport : (uint32_t)p->dport << 16 | p->sport);
	return pick(hfinal(h), d->ret_members > SIMNET_MAX_RET ? SIMNET_MAX_RET : d->ret_members);
}

/* Is the destination's reply to p lost on the way back? */
static bool return_lost(struct simnet *n, const struct probe_spec *p)
{
	const struct simnet_dest *d = &n->dest;

	for (int i = 0; i < d->ndrop_sports && i < SIMNET_MAX_DROP_SPORTS; i++)
		if (d->drop_sports[i] == p->sport)
			return true;
	if (d->ret_members > 0) {
		int m = simnet_return_member(n, p);

		if (chance(n, S_RET_LOSS, n->serial, m, d->ret_loss[m]))
			return true;
		if (p->proto == PROBE_ICMP && d->ret_mtu[m] > 0 &&
		    probe_ip_len(p) > (size_t)d->ret_mtu[m])
			return true;
	}
	return false;
}

static enum simnet_fate at_destination(struct simnet *n, const struct probe_spec *p,
				       int hops, uint64_t now)
{
	struct simnet_node *node = &n->nodes[SIMNET_DST];
	bool v6 = p->dst.family == AF_INET6;
	struct reply r;

	node->arrived++;
	if (chance(n, S_DEST_LOSS, n->serial, SIMNET_DST, n->dest.loss))
		return SIMNET_FATE_DEST_LOST;
	if (node->silent)
		return SIMNET_FATE_SILENT;
	memset(&r, 0, sizeof(r));
	switch (p->proto) {
	case PROBE_UDP:
		/* Port unreachable is an ICMP error: rate limited, quotes the probe. */
		if (!rl_allow(node, now))
			return SIMNET_FATE_RATE_LIMITED;
		reply_icmp_error(p, &p->dst, REPLY_DEST_UNREACH, v6 ? 1 : 3, v6 ? 4 : 3,
				 (uint8_t)(p->ttl - hops), &r);
		r.reply_ttl = (uint8_t)(SIMNET_REPLY_TTL - hops);
		break;
	case PROBE_TCP:
		probe_expected_reply(p, n->dest.listening ? REPLY_TCP_SYNACK : REPLY_TCP_RST, 0,
				     false, &r);
		/*
		 * A SYN with data (a path MTU probe): the SYN-ACK acks the SYN
		 * only (no Fast Open cookie), a reset the data too (RFC 9293
		 * section 3.10.7.1), as Linux answers.
		 */
		if (!n->dest.listening)
			r.tcp_seq += p->payload_len;
		break;
	case PROBE_ICMP:
	default:
		/* The whole payload comes back, MAC and all. */
		probe_expected_reply(p, REPLY_ECHO_REPLY, 0, false, &r);
		r.icmp_type = v6 ? 129 : 0;
		break;
	}
	r.from = p->dst;
	r.reply_ttl = (uint8_t)(SIMNET_REPLY_TTL - hops);
	/*
	 * Echo replies and SYN-ACKs quote nothing: reply_dissect leaves
	 * flow_label, ip_id and quoted_ttl at 0 for them, and so do we.
	 */
	node->answered++;
	if (return_lost(n, p))
		return SIMNET_FATE_RETURN_LOST;
	deliver(n, node, SIMNET_DST, &r, now);
	return SIMNET_FATE_DEST_ANSWERED;
}

/*
 * The address a router's error about p comes from: its own, or the one of
 * the return next hop the error is hashed onto.
 */
static const struct ip_addr *answer_addr(const struct simnet_node *node, const struct probe_spec *p)
{
	if (node->nanswer_addrs <= 0)
		return &node->addr;
	return &node->answer_addrs[pick(hfinal(hstep(flow_hash(node, p), node->answer_seed)),
					node->nanswer_addrs)];
}

/* Router `id` at hop `hop` answers p (time exceeded or unreachable). */
static enum simnet_fate router_answers(struct simnet *n, int id, const struct probe_spec *p,
				       int hop, bool unreach, uint64_t now)
{
	struct simnet_node *node = &n->nodes[id];
	bool v6 = p->dst.family == AF_INET6;
	struct reply r;

	if (node->silent)
		return SIMNET_FATE_SILENT;
	if (!rl_allow(node, now))
		return SIMNET_FATE_RATE_LIMITED;
	if (unreach)
		reply_icmp_error(p, answer_addr(node, p), REPLY_DEST_UNREACH, v6 ? 1 : 3,
				 (uint8_t)node->unreach_code, (uint8_t)(p->ttl - hop + 1), &r);
	else
		/* Linux checks ttl <= 1 before decrementing: the quote says 1. */
		reply_icmp_error(p, answer_addr(node, p), REPLY_TIME_EXCEEDED, v6 ? 3 : 11, 0, 1, &r);
	r.reply_ttl = (uint8_t)(SIMNET_REPLY_TTL - (hop - 1));
	node->answered++;
	if (chance(n, S_REPLY_LOSS, n->serial, id, node->reply_loss))
		return SIMNET_FATE_RETURN_LOST;
	deliver(n, node, id, &r, now);
	return SIMNET_FATE_ANSWERED;
}

/* Router `id` cannot forward p over its smaller MTU: frag-needed / packet-too-big, or silence. */
static enum simnet_fate too_big(struct simnet *n, int id, const struct probe_spec *p, int hop,
				uint64_t now)
{
	struct simnet_node *node = &n->nodes[id];
	bool v6 = p->dst.family == AF_INET6;
	struct reply r;

	node->fwd_dropped++;
	if (node->mtu_silent || node->silent)
		return SIMNET_FATE_FWD_LOST;
	if (!rl_allow(node, now))
		return SIMNET_FATE_RATE_LIMITED;
	reply_icmp_error(p, answer_addr(node, p), REPLY_DEST_UNREACH, v6 ? 2 : 3, v6 ? 0 : 4,
			 (uint8_t)(p->ttl - hop + 1), &r);
	r.mtu = (uint32_t)node->mtu_out;
	r.reply_ttl = (uint8_t)(SIMNET_REPLY_TTL - (hop - 1));
	node->answered++;
	deliver(n, node, id, &r, now);
	return SIMNET_FATE_ANSWERED;
}

static enum simnet_fate walk(struct simnet *n, const struct probe_spec *p, uint64_t now)
{
	int cur = SIMNET_SRC;

	if (p->ttl == 0 || p->dst.family != n->dst.family || !same_addr(&p->dst, &n->dst))
		return SIMNET_FATE_INVALID;
	for (int hop = 1; hop <= SIMNET_MAX_HOPS; hop++) {
		int next = next_hop(n, cur, p, n->serial);
		struct simnet_node *node;

		if (next < 0)
			return SIMNET_FATE_NO_ROUTE;
		if (next == SIMNET_DST)
			return at_destination(n, p, hop - 1, now);
		node = &n->nodes[next];
		node->arrived++;
		if (p->ttl == hop) {
			node->expired++;
			return router_answers(n, next, p, hop, false, now);
		}
		if (node->unreach_code >= 0)
			return router_answers(n, next, p, hop, true, now);
		if (chance(n, S_FWD_LOSS, n->serial, next, node->fwd_loss)) {
			node->fwd_dropped++;
			return SIMNET_FATE_FWD_LOST;
		}
		if (node->mtu_out > 0 && probe_ip_len(p) > (size_t)node->mtu_out &&
		    (p->df || p->dst.family == AF_INET6))
			return too_big(n, next, p, hop, now);
		cur = next;
	}
	return SIMNET_FATE_NO_ROUTE;
}

enum simnet_fate simnet_send(struct simnet *n, const struct probe_spec *p, uint64_t now_us)
{
	enum simnet_fate fate = walk(n, p, now_us);

	n->stats.fate[fate]++;
	if (fate != SIMNET_FATE_INVALID && chance(n, S_FOREIGN, n->serial, 0, n->faults.foreign_prob))
		send_foreign(n, p, now_us);
	n->stats.probes++;
	n->serial++;
	return fate;
}

int simnet_path_ids(const struct simnet *n, const struct probe_spec *p, int *ids, int cap)
{
	int cur = SIMNET_SRC, count = 0;

	for (int hop = 1; hop <= SIMNET_MAX_HOPS; hop++) {
		int next = next_hop(n, cur, p, UINT64_MAX);

		if (next < 0)
			return -1;
		if (next == SIMNET_DST)
			return count;
		if (count < cap)
			ids[count] = next;
		count++;
		cur = next;
	}
	return -1;
}

int simnet_path(const struct simnet *n, const struct probe_spec *p, struct ip_addr *out, int cap)
{
	int ids[SIMNET_MAX_HOPS];
	int count = simnet_path_ids(n, p, ids, SIMNET_MAX_HOPS);

	for (int i = 0; i < count && i < cap; i++)
		out[i] = n->nodes[ids[i]].addr;
	return count;
}
