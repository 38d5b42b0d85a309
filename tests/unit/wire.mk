# Unit tests of src/addr.c and src/wire: probe checksums and fields, reply
# dissection round trips, truncation and hostile inputs.
check_PROGRAMS += tests/unit/test_wire tests/unit/test_addr
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_LDADD = libcore.a $(LIBS)
tests_unit_test_addr_SOURCES = tests/unit/test_addr.c
tests_unit_test_addr_LDADD = libcore.a $(LIBS)
include $(srcdir)/tests/unit/neigh.mk
# Reply authentication: SipHash vectors, the keyed id permutation, the MAC in
# real answers of every protocol and family, each quoted field altered.
check_PROGRAMS += tests/unit/test_auth
tests_unit_test_auth_SOURCES = tests/unit/test_auth.c
tests_unit_test_auth_LDADD = libcore.a $(LIBS)
