# src sources: command-line parsing (options, bounded numbers) and the man page.
libcore_a_SOURCES += src/numparse.c src/numparse.h src/options.c src/options.h
dist_man_MANS += doc/ecmptrace.8
