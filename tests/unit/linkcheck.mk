# Unit tests of the link-layer check (src/engine/linkcheck.c): question
# scheduling in virtual time, the end of a -c 1 run, which claims and
# table entries are kept, and the findings diagnose draws from them.
check_PROGRAMS += tests/unit/test_linkcheck
tests_unit_test_linkcheck_SOURCES = tests/unit/test_linkcheck.c tests/unit/linkbench.c \
	tests/unit/linkbench.h
tests_unit_test_linkcheck_LDADD = libcore.a -lm $(LIBS)
