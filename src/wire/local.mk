# src/wire: pure packet code (probe construction, reply dissection,
# checksums) and the address type every layer shares.  No sockets.
libcore_a_SOURCES += \
	src/addr.c src/addr.h src/wake.h \
	src/wire/checksum.c src/wire/checksum.h \
	src/wire/probe.c src/wire/probe.h \
	src/wire/probe_check.c src/wire/probe_check.h \
	src/wire/siphash.c src/wire/siphash.h \
	src/wire/dissect.c src/wire/dissect.h
include $(srcdir)/src/wire/neigh.mk
# rtnetlink requests and answers for src/net/route.c (RFC 3549).
libcore_a_SOURCES += src/wire/rtnl.c src/wire/rtnl.h
