# Fuzz targets, replayed over their corpora in make check.
# Dissector fuzz target.  In `make check` it runs without libFuzzer through
# replay.c (seed corpus + deterministic mutations, under the sanitizers when
# configured with --enable-sanitizers); tests/fuzz/run-libfuzzer.sh runs the
# same target under real libFuzzer with clang.
check_PROGRAMS += tests/fuzz/fuzz_dissect_replay
tests_fuzz_fuzz_dissect_replay_SOURCES = tests/fuzz/fuzz_dissect.c tests/fuzz/replay.c
tests_fuzz_fuzz_dissect_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/dissect tests/fuzz/run-libfuzzer.sh
# Option-parser fuzz target.  In `make check` it runs through replay.c over
# tests/fuzz/corpus/options (command lines, one word per line) plus
# deterministic mutations; for real libFuzzer:
#   FUZZ_SOURCES="src/numparse.c src/options.c src/options_text.c src/addr.c" tests/fuzz/run-libfuzzer.sh options
check_PROGRAMS += tests/fuzz/fuzz_options_replay
tests_fuzz_fuzz_options_replay_SOURCES = tests/fuzz/fuzz_options.c tests/fuzz/replay.c
tests_fuzz_fuzz_options_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/options
# ARP / Neighbor Advertisement parser fuzz target.  In `make check` it runs
# through replay.c over tests/fuzz/corpus/neigh plus deterministic
# mutations; for real libFuzzer:
#   FUZZ_SOURCES="src/addr.c src/wire/neigh.c" tests/fuzz/run-libfuzzer.sh neigh 60
check_PROGRAMS += tests/fuzz/fuzz_neigh_replay
tests_fuzz_fuzz_neigh_replay_SOURCES = tests/fuzz/fuzz_neigh.c tests/fuzz/replay.c
tests_fuzz_fuzz_neigh_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/neigh
# rtnetlink reader fuzz target (src/wire/rtnl.c).  In `make check` it runs
# through replay.c over tests/fuzz/corpus/rtnl plus deterministic
# mutations; for real libFuzzer: tests/fuzz/run-libfuzzer.sh rtnl 60
check_PROGRAMS += tests/fuzz/fuzz_rtnl_replay
tests_fuzz_fuzz_rtnl_replay_SOURCES = tests/fuzz/fuzz_rtnl.c tests/fuzz/replay.c
tests_fuzz_fuzz_rtnl_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/rtnl
EXTRA_DIST += tests/fuzz/fuzz.h
# --targets file parser fuzz target (src/targets.c).  In `make check` it
# runs through replay.c over tests/fuzz/corpus/targets plus deterministic
# mutations; for real libFuzzer:
#   FUZZ_SOURCES="src/numparse.c src/targets.c" tests/fuzz/run-libfuzzer.sh targets 60
check_PROGRAMS += tests/fuzz/fuzz_targets_replay
tests_fuzz_fuzz_targets_replay_SOURCES = tests/fuzz/fuzz_targets.c tests/fuzz/replay.c
tests_fuzz_fuzz_targets_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/targets
# Unprivileged sockets' answers (src/wire/sockreply.c): error-queue control
# messages and quotes, ping socket echo replies.  In `make check` through
# replay.c over tests/fuzz/corpus/sockreply; for real libFuzzer see the
# command at the top of tests/fuzz/fuzz_sockreply.c.
check_PROGRAMS += tests/fuzz/fuzz_sockreply_replay
tests_fuzz_fuzz_sockreply_replay_SOURCES = tests/fuzz/fuzz_sockreply.c tests/fuzz/replay.c
tests_fuzz_fuzz_sockreply_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/sockreply
