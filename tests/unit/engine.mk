# Engine unit tests: flow ids, statistics, reply matching, link framing.
check_PROGRAMS += tests/unit/test_engine
tests_unit_test_engine_SOURCES = tests/unit/test_engine.c
tests_unit_test_engine_LDADD = libcore.a -lm $(LIBS)
# The ICMP rate limiter model.
check_PROGRAMS += tests/unit/test_limiter
tests_unit_test_limiter_SOURCES = tests/unit/test_limiter.c
tests_unit_test_limiter_LDADD = libcore.a $(LIBS)
include $(srcdir)/tests/unit/linkcheck.mk
