# Command-line tests of the built binary: bad input gives status 2 and one
# line on stderr; without CAP_NET_RAW the message says how to grant it.
TESTS += tests/cli/t_bad_input.sh tests/cli/t_privilege.sh
EXTRA_DIST += tests/cli/t_bad_input.sh tests/cli/t_privilege.sh
