# Unit tests of the diagnosis: hand-built results snapshots (clean network,
# lossy ECMP branch, rate limiting, return path, destination loss, ...) and
# the exact tests behind them.
check_PROGRAMS += tests/unit/test_diagnose tests/unit/test_causes tests/unit/test_statistics \
	tests/unit/test_standing
tests_unit_test_diagnose_SOURCES = tests/unit/test_diagnose.c tests/unit/diag_scen.c tests/unit/diag_scen.h
tests_unit_test_causes_SOURCES = tests/unit/test_causes.c tests/unit/diag_scen.c tests/unit/diag_scen.h
tests_unit_test_causes_LDADD = libcore.a $(LIBS)
tests_unit_test_diagnose_LDADD = libcore.a $(LIBS)
tests_unit_test_statistics_SOURCES = tests/unit/test_statistics.c
tests_unit_test_statistics_LDADD = libcore.a $(LIBS)
tests_unit_test_standing_SOURCES = tests/unit/test_standing.c
tests_unit_test_standing_LDADD = libcore.a $(LIBS)
