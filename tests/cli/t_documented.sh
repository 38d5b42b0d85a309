#!/bin/bash
# Every option of `ecmptrace --help` is documented and recorded: the man
# page's SYNOPSIS names it (its letter, or --long for an option without
# one) and its OPTIONS list has an entry for it, and the -j document says
# what it was set to (its "settings", or a top-level key such as
# protocol), unless it only chooses what is printed (a face, --help).
# A new option that misses one of these fails here.  No root needed; the
# JSON checked is tests/golden/clean.json, which t_golden.sh keeps equal
# to what the JSON face writes.
. "$top_srcdir/tests/tap.sh"

[ -x "$ECMPTRACE" ] || skip_all "ecmptrace not built ($ECMPTRACE)"
man="$top_srcdir/doc/ecmptrace.8"
doc="$top_srcdir/tests/golden/clean.json"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$ECMPTRACE" --help >"$tmp/help"
ok $? "--help runs"
# "SHORT LONG" per option ("- LONG" without a letter).
sed -n 's/^  -\([A-Za-z0-9]\), --\([a-z0-9-]*\).*/\1 \2/p; s/^      --\([a-z0-9-]*\).*/- \1/p' \
	"$tmp/help" >"$tmp/options"
[ "$(wc -l <"$tmp/options")" -ge 25 ]
ok $? "--help lists $(wc -l <"$tmp/options") options"

sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man" >"$tmp/synopsis"
sed -n '/^\.Sh OPTIONS/,/^\.Sh OUTPUT/p' "$man" >"$tmp/options.8"
nosyn="" noentry=""
while read -r short long; do
	if [ "$short" != - ]; then
		grep -Eq "^\.Op Fl [A-Za-z0-9]*$short[A-Za-z0-9]*\$|(Fl|\|) $short( |\$)" "$tmp/synopsis" ||
			nosyn="$nosyn -$short"
	else
		grep -Eq "Fl Fl $long( |\$)" "$tmp/synopsis" || nosyn="$nosyn --$long"
	fi
	grep -Eq "^\.It .*Fl Fl $long( |\$)" "$tmp/options.8" || noentry="$noentry --$long"
done <"$tmp/options"
[ -z "$nosyn" ]
ok $? "the man page's SYNOPSIS names every option (missing:${nosyn:- none})"
[ -z "$noentry" ]
ok $? "the man page's OPTIONS has an entry for every option (missing:${noentry:- none})"

if command -v python3 >/dev/null; then
	python3 - "$doc" "$tmp/options" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
settings = doc.get("settings", {})
# Options that choose what is printed, not how the run is made.
FACES = {"report", "report-wide", "json", "json-stream", "csv", "dot", "curses",
         "report-on-exit", "listen", "textfile", "help", "version"}
# Options whose value is a top-level key or a setting of another name.
ALIASES = {"ipv4": "family", "ipv6": "family", "udp": "protocol", "tcp": "protocol",
           "icmp": "protocol", "port": "port", "source-port": "source_port_base",
           "flows": "fixed_flows", "no-dns": "dns", "no-link-check": "link_check"}
missing = []
for line in open(sys.argv[2]):
    long = line.split()[1]
    if long in FACES:
        continue
    key = ALIASES.get(long, long.replace("-", "_"))
    if not any(k in settings or k in doc for k in (key, key + "_ms", key + "_pps")):
        missing.append("--%s (%s)" % (long, key))
print("# settings: %s" % ", ".join(sorted(settings)))
print("# not recorded: %s" % (", ".join(missing) or "none"))
sys.exit(1 if missing else 0)
PY
	ok $? "the JSON document records every option that is not a face"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - the JSON records every option # SKIP python3 missing"
fi

tap_done
