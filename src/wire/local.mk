# src/wire: pure packet code, no sockets.  Probe construction and reply
# dissection, checksums, SipHash; link-layer framing of captured packets
# (link.c, used by the capture); ARP (RFC 826) and IPv6 Neighbor Discovery
# (RFC 4861) messages for the link-layer check (neigh.c); rtnetlink
# requests and answers for src/net/route.c (rtnl.c, RFC 3549); origin AS
# questions and TXT answers for -z (asn.c, RFC 1035).
libcore_a_SOURCES += \
	src/wire/bytes.h \
	src/wire/checksum.c src/wire/checksum.h \
	src/wire/probe.c src/wire/probe.h \
	src/wire/probe_check.c src/wire/probe_check.h \
	src/wire/siphash.c src/wire/siphash.h \
	src/wire/dissect.c src/wire/dissect.h \
	src/wire/neigh.c src/wire/neigh.h \
	src/wire/rtnl.c src/wire/rtnl.h \
	src/wire/link.c src/wire/link.h \
	src/wire/asn.c src/wire/asn.h \
	src/wire/sockreply.c src/wire/sockreply.h
