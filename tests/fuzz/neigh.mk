# ARP / Neighbor Advertisement parser fuzz target.  In `make check` it runs
# through replay.c over tests/fuzz/corpus/neigh plus deterministic
# mutations; for real libFuzzer:
#   FUZZ_SOURCES="src/addr.c src/wire/neigh.c" tests/fuzz/run-libfuzzer.sh neigh 60
check_PROGRAMS += tests/fuzz/fuzz_neigh_replay
tests_fuzz_fuzz_neigh_replay_SOURCES = tests/fuzz/fuzz_neigh.c tests/fuzz/replay.c
tests_fuzz_fuzz_neigh_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/neigh
