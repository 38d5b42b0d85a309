# Unit tests (C, TAP), one program per area.

# Unit tests of src/addr.c and src/wire: probe checksums and fields, reply
# dissection round trips, truncation and hostile inputs.
check_PROGRAMS += tests/unit/test_wire tests/unit/test_addr
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_LDADD = libcore.a $(LIBS)
tests_unit_test_addr_SOURCES = tests/unit/test_addr.c
tests_unit_test_addr_LDADD = libcore.a $(LIBS)
# Unit tests of src/wire/neigh.c: ARP and Neighbor Discovery bytes, round
# trips, every refusal, truncation and hostile option lengths.
check_PROGRAMS += tests/unit/test_neigh
tests_unit_test_neigh_SOURCES = tests/unit/test_neigh.c
tests_unit_test_neigh_LDADD = libcore.a $(LIBS)
# Reply authentication: SipHash vectors, the keyed id permutation, the MAC in
# real answers of every protocol and family, each quoted field altered.
check_PROGRAMS += tests/unit/test_auth
tests_unit_test_auth_SOURCES = tests/unit/test_auth.c
tests_unit_test_auth_LDADD = libcore.a $(LIBS)
# Answers as unprivileged sockets deliver them (src/wire/sockreply.c): error
# queue messages, ping socket echo replies, TCP outcomes, hostile inputs,
# and the engine taking each reply of a probe it sent.
check_PROGRAMS += tests/unit/test_sockreply
tests_unit_test_sockreply_SOURCES = tests/unit/test_sockreply.c
tests_unit_test_sockreply_LDADD = libcore.a -lm $(LIBS)

# Unit tests of src/numparse.c and src/options.c: table-driven command
# lines, bounds of every option, checks between options, usage text.
check_PROGRAMS += tests/unit/test_numparse tests/unit/test_options
tests_unit_test_numparse_SOURCES = tests/unit/test_numparse.c
tests_unit_test_numparse_LDADD = libcore.a $(LIBS)
tests_unit_test_options_SOURCES = tests/unit/test_options.c
tests_unit_test_options_LDADD = libcore.a $(LIBS)

# Engine unit tests: flow ids, statistics, reply matching, link framing.
check_PROGRAMS += tests/unit/test_engine
tests_unit_test_engine_SOURCES = tests/unit/test_engine.c
tests_unit_test_engine_LDADD = libcore.a -lm $(LIBS)
# The ICMP rate limiter model.
check_PROGRAMS += tests/unit/test_limiter
tests_unit_test_limiter_SOURCES = tests/unit/test_limiter.c
tests_unit_test_limiter_LDADD = libcore.a $(LIBS)
# Unit tests of the link-layer check (src/engine/linkcheck.c): question
# scheduling in virtual time, the end of a -c 1 run, which claims and
# table entries are kept, and the findings diagnose draws from them.
check_PROGRAMS += tests/unit/test_linkcheck
tests_unit_test_linkcheck_SOURCES = tests/unit/test_linkcheck.c tests/unit/linkbench.c \
	tests/unit/linkbench.h
tests_unit_test_linkcheck_LDADD = libcore.a -lm $(LIBS)

# Unit tests of the diagnosis: hand-built results snapshots (clean network,
# lossy ECMP branch, rate limiting, return path, destination loss, ...) and
# the exact tests behind them.
check_PROGRAMS += tests/unit/test_diagnose tests/unit/test_causes tests/unit/test_statistics \
	tests/unit/test_standing tests/unit/test_slow tests/unit/test_pmtu_diag
tests_unit_test_pmtu_diag_SOURCES = tests/unit/test_pmtu_diag.c tests/unit/diag_scen.c tests/unit/diag_scen.h
tests_unit_test_pmtu_diag_LDADD = libcore.a $(LIBS)
tests_unit_test_slow_SOURCES = tests/unit/test_slow.c tests/unit/diag_scen.c tests/unit/diag_scen.h
tests_unit_test_slow_LDADD = libcore.a -lm $(LIBS)
tests_unit_test_diagnose_SOURCES = tests/unit/test_diagnose.c tests/unit/diag_scen.c tests/unit/diag_scen.h
tests_unit_test_causes_SOURCES = tests/unit/test_causes.c tests/unit/diag_scen.c tests/unit/diag_scen.h
tests_unit_test_causes_LDADD = libcore.a $(LIBS)
tests_unit_test_diagnose_LDADD = libcore.a $(LIBS)
tests_unit_test_statistics_SOURCES = tests/unit/test_statistics.c
tests_unit_test_statistics_LDADD = libcore.a $(LIBS)
tests_unit_test_standing_SOURCES = tests/unit/test_standing.c
tests_unit_test_standing_LDADD = libcore.a $(LIBS)

# Unit test of src/net/sandbox.c: forbidden calls end the process loudly,
# the calls a run needs still work (each case in a sandboxed child).
check_PROGRAMS += tests/unit/test_sandbox
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c src/net/sandbox.c src/net/sandbox.h
tests_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) -pthread $(SECCOMP_CFLAGS)
tests_unit_test_sandbox_LDADD = $(SECCOMP_LIBS) $(LIBS)

# Unit tests of src/wire/rtnl.c: rtnetlink requests byte by byte, the
# readers of rules, routes, paths and neighbour entries, every refusal.
check_PROGRAMS += tests/unit/test_rtnl
tests_unit_test_rtnl_SOURCES = tests/unit/test_rtnl.c
tests_unit_test_rtnl_LDADD = libcore.a $(LIBS)

# -e and -z without a network: the engine's MPLS table, the snapshot, and
# how the report, the JSON and the shared words show labels and AS numbers.
check_PROGRAMS += tests/unit/test_mpls
tests_unit_test_mpls_SOURCES = tests/unit/test_mpls.c
tests_unit_test_mpls_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_mpls_LDADD = libface.a libcore.a $(CJSON_LIBS) $(NCURSES_LIBS) -lm $(LIBS)
# -z's DNS part (src/wire/asn.c): question names, TXT answers, damage.
check_PROGRAMS += tests/unit/test_asn
tests_unit_test_asn_SOURCES = tests/unit/test_asn.c
tests_unit_test_asn_LDADD = libcore.a $(LIBS)

# Unit tests of src/targets.c: the --targets file's lines, defaults,
# refusals with FILE:LINE, duplicates, limits.
check_PROGRAMS += tests/unit/test_targets
tests_unit_test_targets_SOURCES = tests/unit/test_targets.c
tests_unit_test_targets_LDADD = libcore.a $(LIBS)

# The Prometheus metrics (src/face/metrics*.c): escaping, bounded buffers,
# monotonic counters per branch and lineage, the cap, both formats.
check_PROGRAMS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
tests_unit_test_metrics_LDADD = libface.a libcore.a -lm $(LIBS)

# Unit test of src/net/resolve_apart.c: names resolved by an unprivileged
# child, read back whole and in order.
check_PROGRAMS += tests/unit/test_resolve_apart
tests_unit_test_resolve_apart_SOURCES = tests/unit/test_resolve_apart.c src/net/resolve_apart.c \
	src/net/resolve_apart.h src/net/resolve.c src/net/resolve.h src/net/privdrop.c \
	src/net/privdrop.h
tests_unit_test_resolve_apart_CFLAGS = $(AM_CFLAGS) -pthread $(CAP_CFLAGS)
tests_unit_test_resolve_apart_LDADD = libcore.a $(CAP_LIBS) $(LIBS)
