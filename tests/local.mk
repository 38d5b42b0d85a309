# Test areas; each directory adds to check_PROGRAMS / TESTS in its local.mk.
EXTRA_DIST += tests/tap.h tests/tap.sh
TESTS += $(check_PROGRAMS)
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/sim/local.mk
include $(srcdir)/tests/fuzz/local.mk
include $(srcdir)/tests/cli/local.mk
include $(srcdir)/tests/lab/local.mk
include $(srcdir)/tests/tui/local.mk
include $(srcdir)/tests/golden/local.mk
include $(srcdir)/tests/lint/local.mk
