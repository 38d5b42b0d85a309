# rtnetlink reader fuzz target (src/wire/rtnl.c).  In `make check` it runs
# through replay.c over tests/fuzz/corpus/rtnl plus deterministic
# mutations; for real libFuzzer: tests/fuzz/run-libfuzzer.sh rtnl 60
check_PROGRAMS += tests/fuzz/fuzz_rtnl_replay
tests_fuzz_fuzz_rtnl_replay_SOURCES = tests/fuzz/fuzz_rtnl.c tests/fuzz/replay.c
tests_fuzz_fuzz_rtnl_replay_LDADD = libcore.a $(LIBS)
EXTRA_DIST += tests/fuzz/corpus/rtnl
