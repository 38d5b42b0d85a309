# Unit tests of src/wire/neigh.c: ARP and Neighbor Discovery bytes, round
# trips, every refusal, truncation and hostile option lengths.
check_PROGRAMS += tests/unit/test_neigh
tests_unit_test_neigh_SOURCES = tests/unit/test_neigh.c
tests_unit_test_neigh_LDADD = libcore.a $(LIBS)
