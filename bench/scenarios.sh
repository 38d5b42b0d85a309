#!/bin/bash
# Random scenarios, many of them: tests/lab/scenario.py for N seeds from
# FIRST_SEED on (default 200 from 1), one after the other, then the score
# table: right / ambiguous-right / missed / false blame / invalid / error,
# median and p90 time to the first right finding, by fault kind, protocol,
# hashing and ICMP limits, and one line per seed that was not right.
# Not part of "make check" (about 15-30 s a seed).  Needs root.
#
#	sudo bench/scenarios.sh [N] [FIRST_SEED]
#	ECMPTRACE=/path/to/ecmptrace	the binary (default ./ecmptrace)
#	BENCH_OUT=FILE			keep the JSON lines there (default: a
#					temporary file, removed at the end)
#	BENCH_KEEP=DIR			keep every run's --json-stream output
#	SCENARIO_FAULTS=mtu,slow	draw the fault among those kinds only
#					(scenario_gen.py; default: the issue-10
#					mix, which has neither "mtu" nor "slow")
#	LAB_DELAYFWD=PATH		the delay element "slow" faults need
#					(default tests/lab/delayfwd beside the
#					binary, built by make)
set -u
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-200}
first=${2:-1}
case $n$first in
*[!0-9]*) echo "usage: $0 [N] [FIRST_SEED]" >&2; exit 2 ;;
esac
bin=${ECMPTRACE:-./ecmptrace}
[ -x "$bin" ] || { echo "$0: no ecmptrace binary at $bin (set ECMPTRACE)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root" >&2; exit 2; }
delayfwd=${LAB_DELAYFWD:-$(dirname "$bin")/tests/lab/delayfwd}
dly=()
if [ -x "$delayfwd" ]; then
	dly=(--delayfwd "$delayfwd")
else
	case ,${SCENARIO_FAULTS:-}, in
	*,slow,*)
		# Refused here rather than seed by seed (scenario.py would call
		# each slow scenario an error).
		echo "$0: slow faults need the delay element: no $delayfwd (make; set LAB_DELAYFWD)" >&2
		exit 2 ;;
	esac
fi
out=${BENCH_OUT:-}
tmp=""
if [ -z "$out" ]; then
	tmp=$(mktemp "${TMPDIR:-/tmp}/ecmptrace-scenarios.XXXXXX") || exit 1
	out=$tmp
	trap 'rm -f "$tmp"' EXIT
fi
: >"$out"
trap 'echo "bench: interrupted; the table covers the seeds run so far" >&2; n=0' INT TERM
keep=()
[ -n "${BENCH_KEEP:-}" ] && keep=(--keep "$BENCH_KEEP")
echo "bench: $n scenarios from seed $first, binary $bin, faults ${SCENARIO_FAULTS:-the default mix}"
i=0
while [ "$i" -lt "$n" ]; do
	seed=$((first + i))
	# scenario.py cleans up on its own time bound and on signals; the
	# outer timeout is a last resort.
	line=$(timeout -k 10 200 python3 "$here/../tests/lab/scenario.py" "$seed" \
		--binary "$bin" "${dly[@]}" "${keep[@]}" 2>/dev/null | tail -n 1)
	case $line in
	"{"*) ;;
	*) line="{\"seed\": $seed, \"verdict\": \"error\", \"why\": \"scenario.py gave no result\"}" ;;
	esac
	printf '%s\n' "$line" >>"$out"
	printf '%s\n' "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
s = r.get("scenario") or {}
t = r.get("first_right_s")
print("seed %s %s/%s: %s%s" % (r.get("seed"), (s.get("fault") or {}).get("kind"),
      s.get("proto"), r.get("verdict"), "" if t is None else " (%.1f s)" % t))'
	i=$((i + 1))
done
python3 "$here/../tests/lab/scenario.py" table "$out"
echo "bench: done"
