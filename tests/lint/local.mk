# Source rules checked on every make check: layering and banned functions
# (t_source.sh), the include layers, include cycles and file and function
# sizes (t_shape.sh, doc/ARCHITECTURE.md).
TESTS += tests/lint/t_source.sh tests/lint/t_shape.sh
EXTRA_DIST += tests/lint/t_source.sh tests/lint/t_shape.sh
