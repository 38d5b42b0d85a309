# Live-view tests.  test_tui_model: the view's model (RTT history, rows,
# selection) without a terminal.  t_*.sh: the real binary's screen in a
# private tmux server against the namespace lab (tests/lab/lab.sh); they
# need root and tmux and skip ("1..0 # SKIP") without them.
check_PROGRAMS += tests/tui/test_tui_model
tests_tui_test_tui_model_SOURCES = tests/tui/test_tui_model.c
tests_tui_test_tui_model_LDADD = libface.a libcore.a -lm $(LIBS)
TUI_TESTS = \
	tests/tui/t_live.sh \
	tests/tui/t_term.sh \
	tests/tui/t_fleet.sh
TESTS += $(TUI_TESTS)
EXTRA_DIST += $(TUI_TESTS) tests/tui/tui_lib.sh
