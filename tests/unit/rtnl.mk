# Unit tests of src/wire/rtnl.c: rtnetlink requests byte by byte, the
# readers of rules, routes, paths and neighbour entries, every refusal.
check_PROGRAMS += tests/unit/test_rtnl
tests_unit_test_rtnl_SOURCES = tests/unit/test_rtnl.c
tests_unit_test_rtnl_LDADD = libcore.a $(LIBS)
