#!/bin/sh
# Builds a fuzz target with clang and libFuzzer (plus ASan and UBSan) and
# runs it for a while, starting from its committed seed corpus.  New inputs
# go to a scratch corpus, never into the source tree.  Needs clang and its
# runtime (Debian 12: apt-get install clang libclang-rt-14-dev).
#
#   tests/fuzz/run-libfuzzer.sh [TARGET [SECONDS [WORKDIR]]]
#
# TARGET is dissect (default) or rtnl; SECONDS defaults to 60.  Other targets can be
# run by setting FUZZ_SOURCES to the extra .c files they need.  Exit status
# is libFuzzer's: 0 if nothing was found; a crash leaves crash-* in WORKDIR.
set -eu

target=${1:-dissect}
seconds=${2:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${3:-$(mktemp -d "${TMPDIR:-/tmp}/ecmptrace-fuzz.XXXXXX")}
cc=${CLANG:-clang}

case $target in
dissect)
	sources="src/addr.c src/wire/checksum.c src/wire/probe.c src/wire/probe_check.c src/wire/dissect.c src/wire/link.c"
	;;
rtnl)
	sources="src/addr.c src/wire/rtnl.c"
	;;
*)
	sources=${FUZZ_SOURCES:?"set FUZZ_SOURCES to the sources target $target needs"}
	;;
esac
case $seconds in
''|*[!0-9]*) echo "$0: SECONDS must be a whole number" >&2; exit 2 ;;
esac
command -v "$cc" >/dev/null || { echo "$0: $cc not found (apt-get install clang)" >&2; exit 2; }

mkdir -p "$work/corpus"
# The sources expect the autoconf header; the fuzz build needs only this of it.
printf '#define _GNU_SOURCE 1\n' > "$work/config.h"
srcs=""
for s in $sources "tests/fuzz/fuzz_$target.c"; do
	srcs="$srcs $top/$s"
done
# shellcheck disable=SC2086
if ! "$cc" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$work" -I"$top/src" -o "$work/fuzz_$target" $srcs; then
	echo "$0: build failed; if libFuzzer is missing: apt-get install libclang-rt-14-dev" >&2
	exit 2
fi

echo "fuzzing $target for ${seconds}s in $work"
cd "$work"
exec ./"fuzz_$target" -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 \
	corpus "$top/tests/fuzz/corpus/$target"
