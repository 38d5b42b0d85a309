# Test areas; each owner adds to check_PROGRAMS / TESTS in its own fragment.
EXTRA_DIST += tests/tap.h tests/tap.sh
TESTS += $(check_PROGRAMS)
include $(srcdir)/tests/unit/wire.mk
include $(srcdir)/tests/unit/options.mk
include $(srcdir)/tests/unit/engine.mk
include $(srcdir)/tests/unit/diagnose.mk
include $(srcdir)/tests/unit/sandbox.mk
include $(srcdir)/tests/unit/rtnl.mk
include $(srcdir)/tests/sim/local.mk
include $(srcdir)/tests/fuzz/local.mk
include $(srcdir)/tests/cli/local.mk
include $(srcdir)/tests/lab/local.mk
include $(srcdir)/tests/tui/local.mk
include $(srcdir)/tests/golden/local.mk
include $(srcdir)/tests/lint/local.mk
