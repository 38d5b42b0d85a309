# libcore: everything without I/O (wire codec, engine, option parsing).
# Tests link it directly; it must not need curses, pcap or cJSON.
# libface: read-only views of the engine's results (report, JSON, live view).
# Each area appends its files in its own fragment.
noinst_LIBRARIES += libcore.a libface.a
libcore_a_SOURCES =
libface_a_SOURCES =
libface_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS)

include $(srcdir)/src/wire/local.mk
include $(srcdir)/src/options.mk
include $(srcdir)/src/engine/local.mk
include $(srcdir)/src/engine/diagnose.mk
include $(srcdir)/src/face/local.mk
include $(srcdir)/src/face/tui.mk
include $(srcdir)/src/net/local.mk

# Link-layer framing of captured packets (pure; used by the capture).
libcore_a_SOURCES += src/wire/link.c src/wire/link.h src/wire/bytes.h

# The event loop and the interfaces it runs over (a transport, a clock): no
# I/O of its own, so the simulator and the unit tests link the very loop the
# program runs.
libcore_a_SOURCES += src/run.c src/run.h src/transport.h src/clock.h
