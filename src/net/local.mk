# The program: start-up, event loop, and the thin layer over the kernel.
bin_PROGRAMS += ecmptrace
ecmptrace_SOURCES = \
	src/main.c \
	src/clock.c src/clock.h \
	src/net/net.c src/net/net.h \
	src/net/net_transport.c src/net/net_transport.h \
	src/net/rawsock.c src/net/rawsock.h \
	src/net/capture.c src/net/capture.h \
	src/net/privdrop.c src/net/privdrop.h \
	src/net/sandbox.c src/net/sandbox.h \
	src/net/resolve.c src/net/resolve.h \
	src/net/route.c src/net/route.h \
	src/net/steer.c src/net/steer.h \
	src/net/neighbours.c src/net/neighbours.h
ecmptrace_CFLAGS = $(AM_CFLAGS) -pthread $(PCAP_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS) \
	$(CAP_CFLAGS) $(SECCOMP_CFLAGS)
ecmptrace_LDADD = libface.a libcore.a $(PCAP_LIBS) $(CJSON_LIBS) $(NCURSES_LIBS) $(CAP_LIBS) \
	$(SECCOMP_LIBS) -lm $(LIBS)
