# Source rules checked on every make check (layering, banned functions).
TESTS += tests/lint/t_source.sh
EXTRA_DIST += tests/lint/t_source.sh
