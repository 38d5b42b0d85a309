/*
 * The live view's detail pane, one for each kind of row: a branch (with
 * its link-layer and router lines), the flows of a branch that came via
 * one earlier branch, a flow with its path, and a merged hop.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/pmtu.h"
#include "engine/results.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

/* The RTT figure picked by which ('l'ast, 'b'est, 'w'orst), or "-" without samples. */
static void rtt_text(const struct rtt_stats *r, char which, char *buf, size_t len)
{
	if (!r || !r->n)
		snprintf(buf, len, "-");
	else
		vocab_ms((double)(which == 'l' ? r->last : which == 'b' ? r->min : r->max), buf, len);
}

/* "jitter last 0.1  avg 0.2  worst 1.3  interarrival 0.2 ms" (mtr's Jttr, Javg, Jmax, Jint) */
static void jitter_line(int y, int w, const struct jitter_stats *j)
{
	char l[16], a[16], m[16], in[16];

	vocab_ms((double)j->last, l, sizeof(l));
	vocab_ms(j->mean, a, sizeof(a));
	vocab_ms((double)j->worst, m, sizeof(m));
	vocab_ms(j->inter, in, sizeof(in));
	tui_putf(y, 1, w, 0, "jitter last %s  avg %s  worst %s  interarrival %s ms", l, a, m, in);
}

/* "loss 25.0% (10 lost of 40)   rtt last 0.3  best 0.1  worst 0.9 ms" */
static void figures_line(const struct tui *t, int y, int w, uint64_t received, uint64_t lost,
			 const struct rtt_stats *rtt)
{
	char l[16], a[16], bst[16], wst[16];

	vocab_loss(received, lost, l, sizeof(l));
	rtt_text(rtt, 'l', a, sizeof(a));
	rtt_text(rtt, 'b', bst, sizeof(bst));
	rtt_text(rtt, 'w', wst, sizeof(wst));
	tui_putf(y, 1, w, tui_loss_attr(t, received, lost),
	     "loss %s (%llu lost of %llu)   rtt last %s  best %s  worst %s ms", l,
	     (unsigned long long)lost, (unsigned long long)(lost + received), a, bst, wst);
}

/*
 * The link-layer addresses that spoke for a first-hop responder (none
 * elsewhere): more than one is worth seeing at a glance.
 */
static void link_line(struct tui *t, int *y, int ymax, int w, const struct branch_result *b)
{
	char line[512], m[LLADDR_STRLEN], ev[96];
	size_t used;

	if (b->nlink_addrs == 0 || *y >= ymax)
		return;
	used = (size_t)snprintf(line, sizeof(line), "link-layer:");
	for (int k = 0; k < b->nlink_addrs && used < sizeof(line); k++) {
		int n = snprintf(line + used, sizeof(line) - used, "%s %s (%s)", k ? "," : "",
				 lladdr_format(b->link_addrs[k].addr, b->link_addrs[k].len, m, sizeof(m)),
				 link_address_describe(&b->link_addrs[k], ev, sizeof(ev)));

		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	tui_put((*y)++, 1, w, b->nlink_addrs > 1 ? tui_colour(t, C_BAD) : 0, line);
}

/*
 * The router this branch's address is one of, when it answered from
 * several (its route back is multipath): its other addresses are other
 * branches here, not other routers.
 */
static void router_line(struct tui *t, int *y, int ymax, int w, const struct branch_result *b)
{
	const struct router_result *rr = NULL;
	char line[1024], addr[ADDR_STRLEN], limit[160];
	size_t used;

	for (int i = 0; i < t->snap->nrouters && b->router; i++)
		if (t->snap->routers[i].id == b->router)
			rr = &t->snap->routers[i];
	if (rr == NULL || *y >= ymax)
		return;
	used = (size_t)snprintf(line, sizeof(line), "one router (R%d) with", rr->id);
	for (int k = 0; k < rr->naddrs && used < sizeof(line); k++) {
		int n = snprintf(line + used, sizeof(line) - used, " %s",
				 addr_format(&rr->addrs[k], addr, sizeof(addr)));

		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	vocab_router_limit(rr, limit, sizeof(limit));
	if (used < sizeof(line))
		snprintf(line + used, sizeof(line) - used, ": one ICMP limit, %s", limit);
	tui_put((*y)++, 1, w, 0, line);
}


/* With -e: the MPLS label stack the branch's router quoted, mtr's way. */
static void mpls_line(struct tui *t, int *y, int ymax, int w, const struct branch_result *b)
{
	char line[600], text[64];
	size_t used;

	if (!t->opt.mpls || b->mpls.n == 0 || *y > ymax)
		return;
	used = (size_t)snprintf(line, sizeof(line), "labels:");
	for (int k = 0; k < b->mpls.n && used + 2 < sizeof(line); k++) {
		vocab_mpls(b->mpls.entry[k], text, sizeof(text));
		snprintf(line + used, sizeof(line) - used, " %s", text);
		used = strlen(line);
	}
	tui_wrap(y, ymax, 1, w, 0, line);
}
static void detail_branch(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	const struct branch_result *b = &h->branches[row->branch];
	char name[300], addr[ADDR_STRLEN], line[2048], list[1500], tag[16] = "";
	size_t used = 0;

	tui_addr_name(t, &b->addr, name, sizeof(name));
	addr_format(&b->addr, addr, sizeof(addr));
	if (h->nbranches > 1)
		snprintf(tag, sizeof(tag), " %d%c", h->ttl, tui_branch_letter(row->branch));
	snprintf(line, sizeof(line), "Branch%s  %s%s%s%s  at hop %d%s%s", tag, name,
		 strcmp(name, addr) ? " (" : "", strcmp(name, addr) ? addr : "",
		 strcmp(name, addr) ? ")" : "", h->ttl,
		 b->is_destination ? "  [target]" : "", b->is_unreachable ? "  [unreachable]" : "");
	tui_put(y++, 1, w, tui_colour(t, C_TITLE), line);
	if (y >= ymax)
		return;
	figures_line(t, y++, w, b->received, b->lost, &b->rtt);
	if (b->jitter.n > 0 && y < ymax - 1)
		jitter_line(y++, w, &b->jitter);
	if (b->pmtu_bytes > 0 && y < ymax - 1)
		tui_putf(y++, 1, w, 0, "path MTU %u bytes to the target%s", (unsigned)b->pmtu_bytes,
			 b->pmtu_ptb ? " (from PMTU messages)"
			 : b->pmtu_bytes >= PMTU_CEILING ? ""
			 : b->pmtu_both_ways ? " (there and back: perhaps the way back's)"
					     : " (no PMTU messages: a black hole)");
	link_line(t, &y, ymax - 1, w, b);
	router_line(t, &y, ymax - 1, w, b);
	mpls_line(t, &y, ymax - 1, w, b);
	if (row->hop > 0 && b->nparents > 0 && y < ymax) {
		const struct hop_result *prev = &r->hops[row->hop - 1];

		used = (size_t)snprintf(list, sizeof(list), "from:");
		for (int i = 0; i < b->nparents && used + 1 < sizeof(list); i++) {
			int p = b->parents[i];
			int n;

			if (p < 0 || p >= prev->nbranches)
				continue;
			if (prev->nbranches > 1)
				n = snprintf(list + used, sizeof(list) - used, " %d%c %s", prev->ttl,
					     tui_branch_letter(p), tui_addr_name(t, &prev->branches[p].addr, name, sizeof(name)));
			else
				n = snprintf(list + used, sizeof(list) - used, " %s",
					     tui_addr_name(t, &prev->branches[p].addr, name, sizeof(name)));
			if (n < 0 || (size_t)n >= sizeof(list) - used)
				break;
			used += (size_t)n;
		}
		tui_wrap(&y, ymax - 1, 1, w, 0, list);
	}
	tui_flow_list(r, b->flows, b->nflows, list, sizeof(list));
	snprintf(line, sizeof(line), "flows %d of %d, %s: %s", b->nflows, r->nflows, vocab_ident_many(r), list);
	tui_wrap(&y, ymax - 1, 1, w, 0, line);
	if (y < ymax)
		tui_draw_chart(t, y, 1, w, &row->key);
}

static void detail_via(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	const struct branch_result *b = &h->branches[row->branch];
	const struct via_result *v = &b->via[row->via];
	struct ip_addr va = vocab_via_addr(r, b, row->via);
	char name[300], vname[300], line[2048], list[1500];
	int ids[512], n;

	tui_putf(y++, 1, w, tui_colour(t, C_TITLE), "Hop %d %s, flows that came via %d%c %s", h->ttl,
	     tui_addr_name(t, &b->addr, name, sizeof(name)), b->via_ttl, tui_branch_letter(v->branch),
	     tui_addr_name(t, &va, vname, sizeof(vname)));
	if (y >= ymax)
		return;
	figures_line(t, y++, w, v->received, v->lost, &v->rtt);
	n = tui_via_flows(r, b, &va, ids, (int)(sizeof(ids) / sizeof(ids[0])));
	tui_flow_list(r, ids, n, list, sizeof(list));
	snprintf(line, sizeof(line), "flows %d of %d, %s: %s", v->nflows, r->nflows, vocab_ident_many(r), list);
	tui_wrap(&y, ymax - 1, 1, w, 0, line);
	if (y < ymax)
		tui_draw_chart(t, y, 1, w, &row->key);
}

static void detail_flow(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct flow_result *f = &r->flows[row->flow];
	char id[40], name[300], line[4096], l[16];
	size_t used;

	vocab_flow_ident(r, f, id, sizeof(id));
	vocab_loss(f->received, f->lost, l, sizeof(l));
	snprintf(line, sizeof(line), "Flow %d  %s %s   end-to-end loss %s (%llu lost of %llu)",
		 f->id, vocab_ident_one(r), id, l,
		 (unsigned long long)f->lost, (unsigned long long)(f->lost + f->received));
	tui_put(y++, 1, w, tui_colour(t, C_TITLE), line);
	if (y >= ymax)
		return;
	if (f->path_changes > 0)
		tui_putf(y++, 1, w, tui_colour(t, C_WARN), "path changed %d times", f->path_changes);
	/* The path, hop by hop, with this flow's loss at each. */
	used = (size_t)snprintf(line, sizeof(line), "path:");
	for (int p = 0; p < f->path_len && used + 1 < sizeof(line); p++) {
		uint64_t rc = f->hop_received ? f->hop_received[p] : 0;
		uint64_t ls = f->hop_lost ? f->hop_lost[p] : 0;
		char pct[16] = "";
		int n;

		if (rc + ls) {
			pct[0] = ' ';
			vocab_loss(rc, ls, pct + 1, sizeof(pct) - 1);
		}
		n = snprintf(line + used, sizeof(line) - used, " %d %s%s%s%s", r->config.first_ttl + p,
			     tui_addr_name(t, &f->path[p], name, sizeof(name)), pct,
			     f->responders_seen && f->responders_seen[p] > 1 ? " (several)" : "",
			     p + 1 < f->path_len ? " >" : "");
		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
		if (f->dest_ttl && r->config.first_ttl + p >= f->dest_ttl)
			break;
	}
	tui_wrap(&y, ymax - 1, 1, w, 0, line);
	if (y < ymax)
		tui_draw_chart(t, y, 1, w, &row->key);
}

static void detail_hop(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	char name[300], list[1500], l[16];

	vocab_loss(h->received, h->lost, l, sizeof(l));
	tui_putf(y++, 1, w, tui_colour(t, C_TITLE), "Hop %d  %d branch%s  merged loss %s (%llu lost of %llu)",
	     h->ttl, h->nbranches, h->nbranches == 1 ? "" : "es", l, (unsigned long long)h->lost,
	     (unsigned long long)(h->lost + h->received));
	for (int i = 0; i < h->nbranches && y < ymax - 1; i++) {
		const struct branch_result *b = &h->branches[i];
		int x = 1;

		vocab_loss(b->received, b->lost, l, sizeof(l));
		tui_flow_list(r, b->flows, b->nflows, list, sizeof(list));
		x += tui_putf(y, x, w, 0, "%c %-*s ", tui_branch_letter(i), w > 60 ? 28 : 16,
			  tui_addr_name(t, &b->addr, name, sizeof(name)));
		x += tui_putf(y, x, w - x + 1, tui_loss_attr(t, b->received, b->lost), "%6s", l);
		tui_putf(y, x, w - x + 1, 0, "  %d flows: %s", b->nflows, list);
		y++;
		link_line(t, &y, ymax - 1, w, b);
	}
	if (y < ymax)
		tui_draw_chart(t, y, 1, w, &row->key);
}

/* Lines the detail pane would like, so the table can give them up. */
int tui_detail_height(const struct tui *t, const struct tui_row *row)
{
	const struct hop_result *h;
	int links = 0;

	if (row->flow >= 0)
		return 5;
	if (row->via >= 0)
		return 5;
	h = &t->snap->hops[row->hop];
	for (int i = 0; i < h->nbranches; i++)
		links += h->branches[i].nlink_addrs > 0;
	if (row->branch >= 0 && t->view == TUI_VIEW_TREE)
		return 6 + (h->branches[row->branch].nlink_addrs > 0) +
		       (h->branches[row->branch].router > 0) +
		       (t->opt.mpls && h->branches[row->branch].mpls.n > 0);
	return 3 + h->nbranches + links;
}

void tui_draw_detail(struct tui *t, const struct tui_row *row, int y, int ymax)
{
	int w = COLS - 2;

	tui_rule(t, y, 0, COLS);
	tui_put(y, 2, COLS - 2, tui_colour(t, C_TITLE), " Detail (Enter/Esc closes) ");
	y++;
	if (row->flow >= 0)
		detail_flow(t, row, y, ymax, w);
	else if (row->via >= 0)
		detail_via(t, row, y, ymax, w);
	else if (row->branch >= 0 && t->view == TUI_VIEW_TREE)
		detail_branch(t, row, y, ymax, w);
	else
		detail_hop(t, row, y, ymax, w);
}

