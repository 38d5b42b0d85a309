# tui tests
