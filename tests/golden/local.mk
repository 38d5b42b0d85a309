# Golden-output tests (tcpdump style, no root): hand-built results ->
# report, JSON document, JSON stream, live-view screens, CSV and Graphviz, compared with the files in
# tests/golden/ and the JSON validated against doc/ecmptrace.schema.json.
# After a deliberate change of an output: `make golden-update`, then read
# `git diff tests/golden` before committing it.
noinst_PROGRAMS += tests/golden/golden
tests_golden_golden_SOURCES = tests/golden/golden.c tests/golden/build.c tests/golden/build.h \
	tests/golden/scenarios.c tests/golden/scenarios.h tests/golden/screen.c tests/golden/screen.h
tests_golden_golden_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NCURSES_CFLAGS)
tests_golden_golden_LDADD = libface.a libcore.a $(CJSON_LIBS) $(NCURSES_LIBS) -lm $(LIBS)
# test_vocab: the shared vocabulary's rules at their edges.
check_PROGRAMS += tests/golden/test_vocab
tests_golden_test_vocab_SOURCES = tests/golden/test_vocab.c
tests_golden_test_vocab_LDADD = libface.a libcore.a -lm $(LIBS)
GOLDEN_TESTS = tests/golden/t_golden.sh
TESTS += $(GOLDEN_TESTS)
EXTRA_DIST += $(GOLDEN_TESTS) tests/golden/csvcheck.py \
	tests/golden/clean.report tests/golden/clean.json tests/golden/clean.stream tests/golden/clean.screen \
	tests/golden/clean.csv tests/golden/clean.dot \
	tests/golden/lossy-branch.report tests/golden/lossy-branch.json tests/golden/lossy-branch.stream tests/golden/lossy-branch.screen \
	tests/golden/lossy-branch.csv tests/golden/lossy-branch.dot \
	tests/golden/return-path.report tests/golden/return-path.json tests/golden/return-path.stream tests/golden/return-path.screen \
	tests/golden/return-path.csv tests/golden/return-path.dot \
	tests/golden/rate-limited.report tests/golden/rate-limited.json tests/golden/rate-limited.stream tests/golden/rate-limited.screen \
	tests/golden/rate-limited.csv tests/golden/rate-limited.dot \
	tests/golden/ipv6.report tests/golden/ipv6.json tests/golden/ipv6.stream tests/golden/ipv6.screen \
	tests/golden/ipv6.csv tests/golden/ipv6.dot \
	tests/golden/per-packet.report tests/golden/per-packet.json tests/golden/per-packet.stream tests/golden/per-packet.screen \
	tests/golden/per-packet.csv tests/golden/per-packet.dot \
	tests/golden/silent-target.report tests/golden/silent-target.json tests/golden/silent-target.stream tests/golden/silent-target.screen \
	tests/golden/silent-target.csv tests/golden/silent-target.dot \
	tests/golden/mpls-as.report tests/golden/mpls-as.json tests/golden/mpls-as.stream tests/golden/mpls-as.screen \
	tests/golden/mpls-as.csv tests/golden/mpls-as.dot

# Rewrites the golden files from the current faces (never done by make check).
golden-update: tests/golden/golden$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(srcdir)/tests/golden/t_golden.sh --update
.PHONY: golden-update
