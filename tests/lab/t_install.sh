#!/bin/bash
# "make install" as a user gets it: into a fresh prefix, it installs the
# binary with CAP_NET_RAW granted (setcap, as mtr's install does), the man
# page, the JSON Schema under share/ecmptrace, the bash and zsh
# completions where those shells look under the prefix, and the LICENSE.
# Then, as nobody and without sudo, the installed binary traces a 2-way
# ECMP in the lab (its defaults, -n -j) and finds both branches.  A bash
# whose bash-completion looks in the prefix loads the installed completion
# on demand and completes --fl to --flows; zsh's compinit finds _ecmptrace.
# With DESTDIR (packaging) nothing is granted, the install still succeeds
# and says what to run.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init
for tool in getcap setpriv; do
	command -v "$tool" >/dev/null || skip_all "$tool missing (libcap2-bin, util-linux)"
done

# The prefix must be reachable by nobody: LAB_TMP is 0700, so a directory of its own.
prefix=$(mktemp -d "${TMPDIR:-/tmp}/ecmptrace-prefix.XXXXXX") || exit 1
trap 'rm -rf "$prefix" "$prefix.destdir"; lab_on_exit' EXIT
chmod 755 "$prefix"
# A make of its own, not the one running this test (its jobserver, its flags).
install_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" "$@"
}

install_make install prefix="$prefix" >"$LAB_TMP/install.out" 2>&1
ok $? "make install prefix=$prefix"
sed -n '1,10s/^/# /p' "$LAB_TMP/install.out"
bin="$prefix/bin/ecmptrace"
missing=""
for f in bin/ecmptrace share/man/man8/ecmptrace.8 share/ecmptrace/ecmptrace.schema.json \
	share/bash-completion/completions/ecmptrace share/zsh/site-functions/_ecmptrace \
	share/doc/ecmptrace/LICENSE; do
	[ -s "$prefix/$f" ] || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "installed: binary, man page, schema, bash and zsh completion, LICENSE (missing:${missing:- none})"
cmp -s "$prefix/share/ecmptrace/ecmptrace.schema.json" "$top_srcdir/doc/ecmptrace.schema.json" &&
	grep -q 'Copyright (c) 2026 The ecmptrace authors' "$prefix/share/doc/ecmptrace/LICENSE" &&
	grep -q 'BSD 2-Clause' "$prefix/share/doc/ecmptrace/LICENSE"
ok $? "the schema is doc/ecmptrace.schema.json, the LICENSE the BSD 2-Clause one"
caps=$(getcap "$bin")
[[ $caps == *cap_net_raw=ep* ]]
ok $? "the installed binary has CAP_NET_RAW: $caps"
grep -q 'granted CAP_NET_RAW' "$LAB_TMP/install.out"
ok $? "make install says it granted it"

# As nobody, no capability of its own, no sudo: the file capability is all.
lab_topo_ecmp2 0
ok $? "topology built (2-way ECMP)"
out="$LAB_TMP/nobody.json"
nobody=$(id -u nobody)
timeout -k 5 60 ip netns exec "$LAB_CLIENT_NS" setpriv --reuid="$nobody" --regid="$nobody" \
	--clear-groups --inh-caps=-all "$bin" -n -j "$LAB_SERVER_ADDR" >"$out" 2>"$out.err"
status=$?
ok "$status" "as nobody, the installed binary traces $LAB_SERVER_ADDR (status $status)"
sed -n '1,5s/^/# /p' "$out.err"
lab_check branches "$out" "$LAB_BRANCH_TTL" $LAB_BRANCH_ADDRS
ok $? "it finds both branches at TTL $LAB_BRANCH_TTL (and its JSON fits the schema)"

# bash: bash-completion's loader, looking in the prefix, finds the installed file.
if [ -f /usr/share/bash-completion/bash_completion ]; then
	got=$(XDG_DATA_DIRS="$prefix/share" bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion
		complete -p ecmptrace >/dev/null 2>&1 && { echo "loaded before asked"; exit 1; }
		__load_completion ecmptrace || _completion_loader ecmptrace
		complete -p ecmptrace || exit 1
		COMP_WORDS=(ecmptrace --fl); COMP_CWORD=1; COMP_LINE="ecmptrace --fl"
		COMP_POINT=${#COMP_LINE}
		_ecmptrace ecmptrace --fl ecmptrace
		printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
	[ "$got" = "complete -F _ecmptrace ecmptrace
--flows" ]
	ok $? "bash-completion loads the installed completion on demand; --fl gives --flows ($(echo $got))"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - bash-completion loads it # SKIP bash-completion missing"
fi
if command -v zsh >/dev/null; then
	got=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"
		print -r -- ${_comps[ecmptrace]}' _ "$prefix/share/zsh/site-functions" "$LAB_TMP/zcd")
	[ "$got" = _ecmptrace ]
	ok $? "zsh's compinit finds the installed _ecmptrace (got '$got')"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - zsh finds it # SKIP zsh missing"
fi

# Packaging: DESTDIR set, nothing granted, a message with the command, status 0.
install_make install prefix=/usr/local DESTDIR="$prefix.destdir" >"$LAB_TMP/destdir.out" 2>&1
status=$?
[ "$status" -eq 0 ] && grep -q 'setcap cap_net_raw+ep /usr/local/bin/ecmptrace' "$LAB_TMP/destdir.out" &&
	[ -x "$prefix.destdir/usr/local/bin/ecmptrace" ] &&
	[ -z "$(getcap "$prefix.destdir/usr/local/bin/ecmptrace")" ]
ok $? "with DESTDIR: installed, no capability, and it says what to run (status $status)"
sed -n '/ecmptrace:/,$s/^/# /p' "$LAB_TMP/destdir.out" | head -n 3

install_make uninstall prefix="$prefix" >"$LAB_TMP/uninstall.out" 2>&1
left=$(find "$prefix" -type f | sed "s|^$prefix/||" | tr '\n' ' ')
[ -z "$left" ]
ok $? "make uninstall removes every file (left: ${left:-none})"

tap_done
