# Unit test of src/net/sandbox.c: forbidden calls end the process loudly,
# the calls a run needs still work (each case in a sandboxed child).
check_PROGRAMS += tests/unit/test_sandbox
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c src/net/sandbox.c src/net/sandbox.h
tests_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) -pthread $(SECCOMP_CFLAGS)
tests_unit_test_sandbox_LDADD = $(SECCOMP_LIBS) $(LIBS)
