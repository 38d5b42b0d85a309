# Dissector fuzz target.  In `make check` it runs without libFuzzer through
# replay.c (seed corpus + deterministic mutations, under the sanitizers when
# configured with --enable-sanitizers); tests/fuzz/run-libfuzzer.sh runs the
# same target under real libFuzzer with clang.
check_PROGRAMS += tests/fuzz/fuzz_dissect_replay
tests_fuzz_fuzz_dissect_replay_SOURCES = tests/fuzz/fuzz_dissect.c tests/fuzz/replay.c
tests_fuzz_fuzz_dissect_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/dissect tests/fuzz/run-libfuzzer.sh
