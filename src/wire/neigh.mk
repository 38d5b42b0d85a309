# ARP (RFC 826) and IPv6 Neighbor Discovery (RFC 4861) messages for the
# link-layer check: build the questions, read the answers.  Pure, no sockets.
libcore_a_SOURCES += src/wire/neigh.c src/wire/neigh.h
