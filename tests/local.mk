# Test areas; each adds to check_PROGRAMS / TESTS in its own fragment.
EXTRA_DIST += tests/tap.h tests/tap.sh
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/sim/local.mk
include $(srcdir)/tests/cli/local.mk
include $(srcdir)/tests/lab/local.mk
