# Unit tests of src/numparse.c and src/options.c: table-driven command
# lines, bounds of every option, checks between options, usage text.
check_PROGRAMS += tests/unit/test_numparse tests/unit/test_options
tests_unit_test_numparse_SOURCES = tests/unit/test_numparse.c
tests_unit_test_numparse_LDADD = libcore.a $(LIBS)
tests_unit_test_options_SOURCES = tests/unit/test_options.c
tests_unit_test_options_LDADD = libcore.a $(LIBS)
