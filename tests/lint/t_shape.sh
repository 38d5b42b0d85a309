#!/bin/bash
# The shape of src/ (doc/ARCHITECTURE.md): layers include only downwards
# (engine and wire nothing of net, face or the run loop; net nothing of face
# or the run loop; face nothing of net), no include cycle among headers, no
# .c file over MAX_LINES lines and no function over MAX_FN lines.  Each check
# first runs on a planted fixture, so a check that cannot fail fails here.
#
# OWED lists what the issue-12 work still has to bring within bounds, each
# by name: a file listed there that already complies is an error too, so the
# list only shrinks.
. "$top_srcdir/tests/tap.sh"
MAX_LINES=800
MAX_FN=80

# Exceptions still owed: "file" for its size and function lengths, or
# "file -> header" for an include against the layers.
OWED_SIZE="
"
OWED_INCLUDE="
"

# "file -> header" for every include of a header of dir (paths relative to dir).
includes() {
	(cd "$1" && find . -name '*.[ch]' | sed 's|^\./||' | sort | while read -r f; do
		sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
			[ -f "$h" ] && echo "$f -> $h"
		done
	done)
}

# Includes against the layers (the layer of a file is its first directory).
layer_violations() {
	includes "$1" | awk '
	function layer(p) { return p ~ /\// ? substr(p, 1, index(p, "/") - 1) : (p ~ /^run\./ ? "run" : "top") }
	{
		from = layer($1); to = layer($3)
		if ((from == "engine" || from == "wire") && (to == "net" || to == "face" || to == "run"))
			print
		else if (from == "net" && (to == "face" || to == "run"))
			print
		else if (from == "face" && to == "net")
			print
	}'
}

# One include cycle among the headers of dir, as "a.h -> b.h -> a.h", if any.
header_cycle() {
	includes "$1" | awk '
	$1 ~ /\.h$/ { n[$1]++; out[$1, n[$1]] = $3; node[$1] = 1; node[$3] = 1 }
	function visit(v, path,    i, w) {
		state[v] = 1
		for (i = 1; i <= n[v]; i++) {
			w = out[v, i]
			if (state[w] == 1) { print path " -> " w; found = 1; return }
			if (state[w] == 0 && !found) visit(w, path " -> " w)
			if (found) return
		}
		state[v] = 2
	}
	END { for (v in node) if (!found && state[v] == 0) visit(v, v) }'
}

# "file:line name length" for each function of dir longer than MAX_FN
# lines, from the line that names it to its closing brace in column 0.
long_functions() {
	(cd "$1" && find . -name '*.[ch]' | sed 's|^\./||' | sort | xargs awk -v max="$MAX_FN" '
	FNR == 1 { start = 0; cand = "" }
	/^[A-Za-z_][A-Za-z_0-9 \t*]*[ \t*][A-Za-z_][A-Za-z_0-9]*\(/ && !/;[ \t]*$/ {
		sig = FNR; name = $0; sub(/\(.*/, "", name); sub(/.*[ \t*]/, "", name); cand = name
	}
	/^\{/ { if (cand != "") { start = sig; fn = cand } cand = "" }
	/^\}/ {
		if (start && FNR - start + 1 > max)
			print FILENAME ":" start " " fn " " FNR - start + 1
		start = 0
	}')
}

# "file lines" for each .c file of dir longer than MAX_LINES lines.
long_files() {
	(cd "$1" && find . -name '*.c' | sed 's|^\./||' | sort | while read -r f; do
		n=$(wc -l < "$f")
		[ "$n" -gt "$MAX_LINES" ] && echo "$f $n"
	done)
}

# What is left of a list (lines on stdin) after the owed entries of $1.
not_owed() {
	grep -vxF -f <(printf '%s\n' "$1" | sed '/^$/d') || true
}

# ---- the checks catch what they are for (a planted fixture) ----
fix=$(mktemp -d) || exit 1
trap 'rm -rf "$fix"' EXIT
mkdir -p "$fix/engine" "$fix/net" "$fix/face" "$fix/wire"
printf '#include "net/sock.h"\n' > "$fix/engine/e.c"
printf '#include "run.h"\n' > "$fix/net/n.c"
printf '#include "net/sock.h"\n#include "engine/e.h"\n' > "$fix/face/f.c"
printf '#include "wire/w.h"\n' > "$fix/wire/ok.c"
printf '#include "engine/b.h"\n' > "$fix/engine/a.h"
printf '#include "engine/c.h"\n' > "$fix/engine/b.h"
printf '#include "engine/a.h"\n' > "$fix/engine/c.h"
: > "$fix/engine/e.h"; : > "$fix/net/sock.h"; : > "$fix/run.h"; : > "$fix/wire/w.h"
{
	printf 'static int long_one(int a,\n\t\tint b)\n{\n'
	for i in $(seq 1 $((MAX_FN - 3))); do printf '\ta += %d;\n' "$i"; done
	printf '}\n\nint short_one(void)\n{\n\treturn 0;\n}\n'
	for i in $(seq 1 $((MAX_LINES - MAX_FN - 5))); do printf '/* filler */\n'; done
} > "$fix/wire/big.c"
got=$(layer_violations "$fix" | sort | tr '\n' ';')
want="engine/e.c -> net/sock.h;face/f.c -> net/sock.h;net/n.c -> run.h;"
[ "$got" = "$want" ]
ok $? "the layer check finds each planted include against the layers (${got})"
got=$(header_cycle "$fix")
[ -n "$got" ] && [ -z "$(rm "$fix/engine/c.h"; : > "$fix/engine/c.h"; header_cycle "$fix")" ]
ok $? "the cycle check finds a planted cycle (${got}) and none once it is broken"
got=$(long_functions "$fix")
[ "$got" = "wire/big.c:1 long_one $((MAX_FN + 1))" ]
ok $? "the function check finds the one planted function over $MAX_FN lines (${got})"
got=$(long_files "$fix")
[ "$got" = "wire/big.c $((MAX_LINES + 1))" ]
ok $? "the size check finds the one planted file over $MAX_LINES lines (${got})"

# ---- src/ ----
src="$top_srcdir/src"
bad=$(layer_violations "$src" | not_owed "$OWED_INCLUDE")
[ -z "$bad" ]
ok $? "engine and wire include nothing of net, face or run; net nothing of face or run; face nothing of net${bad:+: $bad}"
bad=$(header_cycle "$src")
[ -z "$bad" ]
ok $? "no include cycle among the headers of src/${bad:+: $bad}"
over=$( { long_files "$src"; long_functions "$src"; } )
bad=$(printf '%s\n' "$over" | sed '/^$/d' | while read -r where rest; do
	f=${where%%:*}
	printf '%s\n' "$OWED_SIZE" | grep -qxF "$f" || echo "$where $rest"
done)
[ -z "$bad" ]
ok $? "no .c file over $MAX_LINES lines, no function over $MAX_FN lines, but those owed${bad:+: $bad}"
for f in $(printf '%s\n' "$OWED_SIZE" | sed '/^$/d'); do
	printf '%s\n' "$over" | grep -q "^$f[: ]" || stale="$stale $f"
done
all=$(layer_violations "$src")
while read -r line; do
	[ -z "$line" ] && continue
	printf '%s\n' "$all" | grep -qxF "$line" || stale="$stale [$line]"
done <<< "$OWED_INCLUDE"
[ -z "$stale" ]
ok $? "every owed exception is still needed (remove those that are not)${stale:+:$stale}"
printf '%s\n' "$over" | sed '/^$/d; s/^/owed: /' | while read -r l; do diag "$l"; done
tap_done
