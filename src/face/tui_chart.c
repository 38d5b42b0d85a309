/*
 * The live view's RTT chart: a sparkline of one row's history (tui_hist.h)
 * under its detail pane.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

/*
 * The RTT history of key as a sparkline, one mark per tick with news: the
 * height is the mean RTT of the answers in that tick (scaled between the
 * lowest and highest shown), the lost glyph when every probe of the tick
 * was lost, and the loss colour when some were.
 */
void tui_draw_chart(struct tui *t, int y, int x, int w, const struct tui_key *k)
{
	struct tui_bucket b[TUI_HIST_LEN];
	const struct tui_hist_entry *e = tui_hist_find(&t->hist, k);
	char lo[16], hi[16], label[64];
	int64_t mn = -1, mx = -1;
	size_t n;
	int lw;

	if (y >= LINES || w <= 12)
		return;
	if (!e || !(n = tui_hist_series(e, b, sizeof(b) / sizeof(b[0])))) {
		tui_put(y, x, w, tui_colour(t, C_DIM), "RTT  (no history yet)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i].rtt_us < 0)
			continue;
		if (mn < 0 || b[i].rtt_us < mn)
			mn = b[i].rtt_us;
		if (b[i].rtt_us > mx)
			mx = b[i].rtt_us;
	}
	if (mn >= 0) {
		vocab_ms((double)mn, lo, sizeof(lo));
		vocab_ms((double)mx, hi, sizeof(hi));
		snprintf(label, sizeof(label), "  %s..%s ms", lo, hi);
	} else {
		snprintf(label, sizeof(label), "  all lost");
	}
	lw = tui_text_cols(label);
	x += tui_put(y, x, w, A_BOLD, "RTT ");
	w -= 4 + lw;
	if (w < 4)
		return;
	if ((size_t)w < n) {
		memmove(b, b + (n - (size_t)w), (size_t)w * sizeof(b[0]));
		n = (size_t)w;
	}
	for (size_t i = 0; i < n; i++) {
		attr_t a = b[i].lost ? tui_loss_attr(t, b[i].received, b[i].lost) : tui_colour(t, C_GOOD);
		const char *glyph = t->g->lost;

		if (b[i].rtt_us >= 0) {
			int level = mx > mn ? (int)((b[i].rtt_us - mn) * 7 / (mx - mn)) : 3;

			glyph = t->g->spark[level < 0 ? 0 : level > 7 ? 7 : level];
		}
		tui_put(y, x + (int)i, 1, a, glyph);
	}
	tui_put(y, x + (int)n, lw, tui_colour(t, C_DIM), label);
}

