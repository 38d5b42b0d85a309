# src/: the program's top-level files and the two libraries everything
# links.  libcore: everything without I/O (the address type, the wire
# codec, the engine, option parsing); tests link it directly, so it must
# not need curses, pcap or cJSON.  libface: read-only views of the
# engine's results (report, JSON, live view).  The program: start-up
# (main.c), the system clock (clock.c) and the kernel layer (src/net); the
# event loop (run.c) is in libcore.
# Each directory below adds its own files in its local.mk.
noinst_LIBRARIES += libcore.a libface.a
libcore_a_SOURCES = \
	src/addr.c src/addr.h src/wake.h src/namer.h \
	src/numparse.c src/numparse.h src/options.c src/options.h src/options_text.c src/options_text.h \
	src/targets.c src/targets.h
# The event loop and the interfaces it runs over (a transport, a clock): no
# I/O of its own, so the simulator and the unit tests link the very loop the
# program runs.
libcore_a_SOURCES += src/run.c src/run.h src/transport.h src/clock.h
libface_a_SOURCES =
libface_a_CFLAGS = $(AM_CFLAGS) -pthread $(CJSON_CFLAGS) $(NCURSES_CFLAGS) $(MHD_CFLAGS)
dist_man_MANS += doc/ecmptrace.8

bin_PROGRAMS += ecmptrace
ecmptrace_SOURCES = src/main.c src/clock.c src/clock.h src/fleet.c src/fleet.h \
	src/outputs.c src/outputs.h \
	src/unprivileged.c src/unprivileged.h
ecmptrace_CFLAGS = $(AM_CFLAGS) -pthread $(PCAP_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS) \
	$(CAP_CFLAGS) $(SECCOMP_CFLAGS)
ecmptrace_LDADD = libface.a libcore.a $(PCAP_LIBS) $(CJSON_LIBS) $(NCURSES_LIBS) $(CAP_LIBS) \
	$(SECCOMP_LIBS) $(MHD_LIBS) -lm $(LIBS)

include $(srcdir)/src/wire/local.mk
include $(srcdir)/src/engine/local.mk
include $(srcdir)/src/face/local.mk
include $(srcdir)/src/net/local.mk
