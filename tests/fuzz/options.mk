# Option-parser fuzz target.  In `make check` it runs through replay.c over
# tests/fuzz/corpus/options (command lines, one word per line) plus
# deterministic mutations; for real libFuzzer:
#   FUZZ_SOURCES="src/numparse.c src/options.c" tests/fuzz/run-libfuzzer.sh options
check_PROGRAMS += tests/fuzz/fuzz_options_replay
tests_fuzz_fuzz_options_replay_SOURCES = tests/fuzz/fuzz_options.c tests/fuzz/replay.c
tests_fuzz_fuzz_options_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/options
