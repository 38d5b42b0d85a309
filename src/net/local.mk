# src/net: the only code that touches the kernel: raw and packet sockets,
# the capture, rtnetlink, privileges, the sandbox, name lookup.
ecmptrace_SOURCES += \
	src/net/net.c src/net/net.h \
	src/net/net_transport.c src/net/net_transport.h \
	src/net/rawsock.c src/net/rawsock.h \
	src/net/capture.c src/net/capture.h \
	src/net/privdrop.c src/net/privdrop.h \
	src/net/sandbox.c src/net/sandbox.h \
	src/net/resolve.c src/net/resolve.h \
	src/net/resolve_apart.c src/net/resolve_apart.h \
	src/net/aslookup.c src/net/aslookup.h \
	src/net/route.c src/net/route.h \
	src/net/steer.c src/net/steer.h \
	src/net/neighbours.c src/net/neighbours.h \
	src/net/source.c src/net/source.h \
	src/net/listener.c src/net/listener.h \
	src/net/dgram_transport.c src/net/dgram_transport.h \
	src/net/dgram_fleet.c src/net/dgram_fleet.h \
	src/net/dgram_sock.c src/net/dgram_sock.h
