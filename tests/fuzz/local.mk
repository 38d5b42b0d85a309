include $(srcdir)/tests/fuzz/dissect.mk
include $(srcdir)/tests/fuzz/options.mk
