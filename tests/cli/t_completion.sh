#!/bin/bash
# Shell completion (contrib/completion/): every option `ecmptrace --help`
# lists, long and short, is offered by the bash and the zsh completion, so
# a new option cannot be forgotten there; and the bash completion, loaded
# in a bash started here, completes "--fl" to "--flows", the choices of
# --vary and --confidence, and every long option after "--".  zsh must
# accept its file and register it for ecmptrace.  No root needed; the
# installed copies are checked by tests/lab/t_install.sh.
. "$top_srcdir/tests/tap.sh"

[ -x "$ECMPTRACE" ] || skip_all "ecmptrace not built ($ECMPTRACE)"
bashc="$top_srcdir/contrib/completion/bash/ecmptrace"
zshc="$top_srcdir/contrib/completion/zsh/_ecmptrace"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$ECMPTRACE" --help >"$tmp/help"
ok $? "--help runs"
# "  -c, --count N  ..." and "      --flows N ...": the options in the help's left column.
sed -n 's/^  \(-[A-Za-z0-9]\), \(--[a-z0-9-]*\).*/\1 \2/p; s/^      \(--[a-z0-9-]*\).*/\1/p' \
	"$tmp/help" | tr ' ' '\n' | sed '/^$/d' | sort -u >"$tmp/options"
[ "$(grep -c '^--' "$tmp/options")" -ge 25 ]
ok $? "--help lists $(grep -c '^--' "$tmp/options") long and $(grep -c '^-[^-]' "$tmp/options") short options"

# The bash completion's word list, as the function would offer it.
bash --norc --noprofile -c '. "$1"; COMP_WORDS=(ecmptrace -); COMP_CWORD=1; _ecmptrace
	printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc" | sort -u >"$tmp/bash-opts"
missing=$(comm -23 "$tmp/options" "$tmp/bash-opts" | tr '\n' ' ')
extra=$(comm -13 "$tmp/options" "$tmp/bash-opts" | tr '\n' ' ')
[ -z "$missing" ] && [ -z "$extra" ]
ok $? "bash completion offers exactly the options of --help (missing: ${missing:-none}; not in --help: ${extra:-none})"

missing=""
while read -r opt; do
	case $opt in
	# The option as a word of an _arguments spec: {-c,--count=}, '--dot[...]', ...
	--*) grep -q -- "[{'\"(,]$opt[]=+},'\"[]" "$zshc" || missing="$missing $opt" ;;
	*) grep -q -- "[{'\"(,]$opt[]+,'\"[]" "$zshc" || missing="$missing $opt" ;;
	esac
done <"$tmp/options"
[ -z "$missing" ]
ok $? "zsh completion names every option of --help (missing:${missing:- none})"

# complete_words LINE...: what the completion offers for the last word.
complete_words() {
	bash --norc --noprofile -c '. "$1"; shift
		complete -p ecmptrace >/dev/null || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_ecmptrace ecmptrace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc" "$@"
}

bash --norc --noprofile -c '. "$1"; complete -p ecmptrace' _ "$bashc" >"$tmp/spec"
grep -qx 'complete -F _ecmptrace ecmptrace' "$tmp/spec"
ok $? "a bash that loads it: complete -p ecmptrace says $(cat "$tmp/spec")"
[ "$(complete_words ecmptrace --fl)" = --flows ]
ok $? "ecmptrace --fl<Tab> gives --flows ($(complete_words ecmptrace --fl | tr '\n' ' '))"
[ "$(complete_words ecmptrace -T --vary '' | tr '\n' ' ')" = "sport label sport,label " ]
ok $? "--vary <Tab> gives sport, label, sport,label"
[ "$(complete_words ecmptrace --confidence 9 | tr '\n' ' ')" = "95 99 " ]
ok $? "--confidence 9<Tab> gives 95 and 99"
[ -z "$(complete_words ecmptrace -c '')" ]
ok $? "-c <Tab> offers nothing (a number)"
[ "$(complete_words ecmptrace --cs)" = --csv ] && [ "$(complete_words ecmptrace --do)" = --dot ]
ok $? "--cs and --do complete to --csv and --dot"

if command -v zsh >/dev/null; then
	zsh -n "$zshc"
	ok $? "zsh accepts _ecmptrace (zsh -n)"
	got=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"
		print -r -- ${_comps[ecmptrace]}' _ "$(dirname "$zshc")" "$tmp/zcompdump")
	[ "$got" = _ecmptrace ]
	ok $? "zsh's compinit registers _ecmptrace for ecmptrace (got '$got')"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - zsh accepts _ecmptrace # SKIP zsh missing"
	tap_n=$((tap_n + 1)); echo "ok $tap_n - zsh registers it # SKIP zsh missing"
fi

tap_done
