#!/bin/bash
# The lab's delay element (tests/lab/delayfwd.c, lab_link_delayed): on
# ecmp2 with r2a's link to r3 slowed by a delay drawn from a printed seed,
# a ping from r2a to r3 crosses it and its round trip rises by that delay
# (it is delayed one way only), while r2b's ping to r3 stays fast; IPv6
# too.  Ground truth is ping's own figures, not ecmptrace.
# make sets top_srcdir and top_builddir.
# shellcheck disable=SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
[ -x "$LAB_DELAYFWD" ] || skip_all "no delay element ($LAB_DELAYFWD)"
command -v ping >/dev/null 2>&1 || skip_all "no ping"
lab_init

SEED=${DELAY_SEED:-$RANDOM}
RANDOM=$SEED
delay_ms=$((2 + RANDOM % 9))
diag "seed $SEED: $delay_ms ms on r2a -> r3"
LAB_DELAY_BRANCH=a LAB_DELAY_US=$((delay_ms * 1000)) lab_topo_ecmp2
ok $? "ecmp2 built with a $delay_ms ms delay element on r2a -> r3"

# Median and minimum RTT (ms) of 20 pings from NS to ADDR, "MIN MEDIAN".
ping_rtts() {	# ping_rtts NS ADDR
	lab_exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1	# neighbour resolution
	lab_exec "$1" ping -n -c 20 -i 0.02 -W 1 "$2" 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR >= 15) printf "%s %s\n", v[1], v[int((NR + 1) / 2)] }'
}

# ok when MIN >= LO and MEDIAN <= HI (ms, floating point).
within() {	# within "MIN MEDIAN" LO HI
	[ -n "$1" ] && awk -v m="$1" -v lo="$2" -v hi="$3" \
		'BEGIN { split(m, a, " "); exit !(a[1] >= lo && a[2] <= hi) }'
}

for fam in 4 6; do
	slow=$(lab_ifaddr "$fam" r3 r2a)
	fast=$(lab_ifaddr "$fam" r3 r2b)
	got=$(ping_rtts "$LAB_PREFIX-r2a" "$slow")
	diag "IPv$fam r2a -> r3 through the element: min/median $got ms"
	within "$got" "$delay_ms" "$delay_ms.5"
	ok $? "IPv$fam: the round trip through the element is $delay_ms ms longer (min >= $delay_ms, median <= $delay_ms.5)"
	got=$(ping_rtts "$LAB_PREFIX-r2b" "$fast")
	diag "IPv$fam r2b -> r3 on a plain link: min/median $got ms"
	within "$got" 0 1
	ok $? "IPv$fam: the other member's round trip is unchanged (median <= 1 ms)"
done

tap_done
