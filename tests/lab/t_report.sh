#!/bin/bash
# The text report (-r) of a two-way ECMP: hop 2 lists both branch
# routers under it, and there is one line per flow (id and source port)
# naming the branch router the kernel's hash sends that flow through; the
# first hop's MAC is listed with what spoke for it.
# Address lists are split into words on purpose; make sets top_srcdir.
# shellcheck disable=SC2086,SC2154
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/lab/lab.sh"
lab_require_root
lab_require_binary
lab_init

base=40000
nflows=24
lab_topo_ecmp2
ok $? "topology built"
out="$LAB_TMP/report.txt"
lab_ecmptrace "$out" -r -n -c 5 -L "$base" --flows "$nflows" -i 0.2 --timeout 1 --rate 500 \
	"$LAB_SERVER_ADDR"
ok $? "ecmptrace -r ran"
sed 's/^/#   /' "$out"

# The lines of hop 2: from the line starting "2." to the next hop's line.
hop2=$(awk '/^ *[0-9]+\. / { inhop = ($1 == "2.") } inhop' "$out")
set -- $LAB_BRANCH_ADDRS
printf '%s\n' "$hop2" | grep -qw -- "$1" && printf '%s\n' "$hop2" | grep -qw -- "$2"
ok $? "hop 2 lists both branches ($1 and $2)"
[ "$(awk '/^ *[0-9]+\. /' "$out" | wc -l)" -eq "$LAB_DEST_TTL" ]
ok $? "one hop line per TTL up to the destination ($LAB_DEST_TTL)"

bad=0
for i in $(seq 0 $((nflows - 1))); do
	sport=$((base + i))
	lines=$(grep -E "^ *$i +$sport " "$out")
	via=$(lab_oracle "$LAB_ECMP_NS" "$LAB_SERVER_ADDR" udp "$sport" 33434)
	if [ "$(printf '%s\n' "$lines" | grep -c .)" -ne 1 ]; then
		diag "flow $i (sport $sport): $(printf '%s\n' "$lines" | grep -c .) lines"
		bad=$((bad + 1))
	elif ! printf '%s\n' "$lines" | grep -qw -- "$via"; then
		diag "flow $i (sport $sport) does not name $via: $lines"
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ]
ok $? "one line per flow, naming the branch the kernel chose"
grep -qw -- "$LAB_SERVER_ADDR" "$out"
ok $? "the report names the destination"
# The first hop on the link: its MAC as the client sees it, and what said so.
r1=$(lab_answer "$(lab_ns_name r1)")
r1mac=$(lab_mac "$(lab_ns_name r1)" v-client)
sed -n '/^Link layer (TTL 1):$/,/^$/p' "$out" |
	grep -Eq "^  $(printf '%s' "$r1" | sed 's/\./\\./g') +$r1mac +[0-9]+ answers?, [0-9]+ ARP/ND claims?, this host's entry$"
ok $? "the link layer section names $r1 at $r1mac: answers, its ARP claim, the host's entry"

tap_done
