include $(srcdir)/tests/fuzz/dissect.mk
include $(srcdir)/tests/fuzz/options.mk
include $(srcdir)/tests/fuzz/neigh.mk
include $(srcdir)/tests/fuzz/rtnl.mk
EXTRA_DIST += tests/fuzz/fuzz.h
