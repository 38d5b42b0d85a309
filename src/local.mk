# libcore: everything without I/O (wire codec, engine, option parsing).
# Tests link it directly; the engine must not need curses, pcap or cJSON.
noinst_LIBRARIES += libcore.a
libcore_a_SOURCES = \
	src/addr.c src/addr.h \
	src/numparse.c src/numparse.h \
	src/options.c src/options.h \
	src/wire/checksum.c src/wire/checksum.h \
	src/wire/probe.c src/wire/probe.h \
	src/wire/dissect.c src/wire/dissect.h \
	src/engine/stats.c src/engine/stats.h \
	src/engine/flow.c src/engine/flow.h \
	src/engine/engine.c src/engine/engine.h src/engine/engine_int.h \
	src/engine/results.c src/engine/results.h

# libface: read-only views of the engine's results.
noinst_LIBRARIES += libface.a
libface_a_SOURCES = \
	src/face/columns.c src/face/columns.h \
	src/face/report.c src/face/report.h \
	src/face/json.c src/face/json.h
libface_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS)

bin_PROGRAMS += ecmptrace
ecmptrace_SOURCES = \
	src/main.c \
	src/run.c src/run.h \
	src/net/rawsock.c src/net/rawsock.h \
	src/net/capture.c src/net/capture.h \
	src/net/privdrop.c src/net/privdrop.h \
	src/net/resolve.c src/net/resolve.h
ecmptrace_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS)
ecmptrace_LDADD = libface.a libcore.a $(PCAP_LIBS) $(CJSON_LIBS) $(NCURSES_LIBS) $(LIBS)
